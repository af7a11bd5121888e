"""Peer node throughput (issue 10), each beside the same work done through a shared folder, in the same run.

Run: ``python bench/bench_node.py [--entries 100000] [--clients 50] [--requests 200]``. Prints:
- floors: SHA-256 and Ed25519 sign/verify per second (wall/CPU), as bench_ledger.py;
- push: office B pushes N entries to a node on 127.0.0.1 (the node verifies them with the folder sync's checks
  and writes its folder), entries/s; beside B's folder publish of the same log;
- fresh sync: an office that has never seen B's log syncs it from the node over loopback (`ledger sync
  --peer`), entries/s (goal >= 10,000/s for N = 100,000); beside another fresh office syncing it from the folder;
- tiles: CLIENTS threads each GET REQUESTS random full hash tiles of B's log from the node, requests/s, public
  (`--public-status`, unsigned) and signed (RFC 9421 per request); beside the same reads from the folder.
The log is built with bench_ledger's bulk path (clerk-signed credential.issued entries, no sealed links); the
offices are real (office.db, keystores with the "min" KDF), the node a real `id-console node serve` process.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from console.core import officers
from console.core.accounts import login
from console.core.enrolment import MemberOffice, create_member_office
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.setup import OfficeSetup, init_office
from console.node import folder as folder_mod
from console.node import peer, sync
from console.node.fetch import FolderFetcher
from console.node.folder import office_signer

PW = "amber-tulip-4711"
KDF = KDF_PRESETS["min"]
AUTHORITY = ("Utopia Identity Authority", "ids.utopia.example", "uin-10")


def _bench_ledger() -> Any:
    spec = importlib.util.spec_from_file_location("bench_ledger", Path(__file__).with_name("bench_ledger.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_offices(root: Path) -> dict[str, Office]:
    init_office(
        root / "HQ-01", OfficeSetup(*AUTHORITY[:2], "HQ-01", "Central", AUTHORITY[2], "admin", "Ada", PW), kdf=KDF
    )
    hq = Office(root / "HQ-01", kdf=KDF)
    admin = login(hq, "admin", PW)
    secrets = admin.office_keys()
    assert admin.authority_secrets is not None
    offices = {"HQ-01": hq}
    for slot, code in enumerate(("B-02", "C-03", "D-04"), start=1):
        create_member_office(
            root / code,
            MemberOffice(*AUTHORITY, code, code, slot, "admin", PW),
            authority=admin.authority_secrets,
            records_private=secrets.records_private,
            numbering_secret=secrets.numbering_secret,
            kdf=KDF,
        )
        offices[code] = Office(root / code, kdf=KDF)
    for office in offices.values():
        officers.add_officer(login(office, "admin", PW), username="clerk", role="clerk", full_name="Clerk", password=PW)
    return offices


def start_node(data_dir: Path, node_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1")
    command = [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), "node", "serve", "--port", "0"]
    command += ["--node-dir", str(node_dir), "--rate-limit", "0", "--max-connections", "1000", *extra]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    match = re.search(r"at (http://\S+)", proc.stdout.readline())
    assert match is not None, "the node did not start"
    url = match.group(1)
    for _ in range(200):
        try:
            if httpx.get(url + "/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    return proc, url


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process and its finished children (the signature helpers of its pushes'
    checks) have used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(60)


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the sync's signature helper; the node is not finished)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process and of the helpers it started and ended, result)."""
    t, c, k = time.perf_counter(), time.process_time(), children_cpu()
    result = fn()
    return time.perf_counter() - t, time.process_time() - c + children_cpu() - k, result


def tile_reads(
    clients: int, requests: int, size: int, read: Callable[[Any, str], bytes], make: Callable[[], Any]
) -> float:
    """CLIENTS threads, each with its own client from `make`, read REQUESTS random full level-0 tiles: req/s."""
    full = size // 256
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        client = make()
        barrier.wait()
        try:
            for _ in range(requests):
                n = rng.randrange(full)
                path = "tile/0/" + (f"x{n // 1000:03d}/{n % 1000:03d}" if n >= 1000 else f"{n:03d}")
                if len(read(client, path)) != 8192:
                    raise AssertionError(path)
        except BaseException as e:
            errors.append(e)
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    barrier.wait()
    t = time.perf_counter()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    if errors:
        raise errors[0]
    return clients * requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--dir", default=None, help="work folder (default: a temp folder, removed afterwards)")
    args = parser.parse_args()
    bl = _bench_ledger()
    root = Path(args.dir or tempfile.mkdtemp(prefix="bench-node-"))
    folder = root / "ledger"
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("floors per s (wall/CPU):", bl.floors())
    offices = make_offices(root)
    b = offices["B-02"]
    print(f"bulk-built {args.entries} entries of B at {bl.bulk_append(b, args.entries):,.0f}/s (construction only)")
    size = int(b.db.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    conn = b.db.conn
    signer = office_signer(conn, login(b, "clerk", PW).office_keys().signing_seeds)

    wall, _cpu, _ = timed(lambda: folder_mod.publish(conn, folder, signer))
    print(f"folder publish: {size} entries in {wall:.2f} s = {size / wall:,.0f}/s")
    proc, url = start_node(offices["HQ-01"].paths.data_dir, root / "node", "--public-status")
    try:
        seed = bytes(signer.signing_key)
        client = peer.NodeClient(url, seed, peer.office_certificate(conn, seed), timeout=600)
        node_cpu = cpu_of(proc.pid)
        wall, _cpu, pushed = timed(lambda: peer.push(conn, client, signer))
        node_cpu = cpu_of(proc.pid) - node_cpu
        client.close()
        print(f"push to the node (node verifies and writes): {size} entries in {wall:.2f} s = {size / wall:,.0f}/s, "
              f"{pushed.requests} requests; node CPU {node_cpu:.1f} s = {size / node_cpu:,.0f} entries per node CPU second")  # fmt: skip

        def fresh(code: str, via: Callable[[Any], sync.SyncReport]) -> str:
            session = login(offices[code], "clerk", PW)
            wall, cpu, report = timed(lambda: via(session).to_json())
            assert report["errors"] == [] and report["applied"]["B-02"] == size, report
            return (
                f"{size} entries in {wall:.2f} s = {size / wall:,.0f}/s wall, {size / cpu:,.0f}/s CPU of the office "
                "(all threads and its signature helper)"
            )

        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"(load average before the fresh syncs: {load})")
        node_cpu = cpu_of(proc.pid)
        print("fresh sync from the node:  ", fresh("C-03", lambda s: peer.run_sync_peer(s, url)))
        print(f"  (the node spent {cpu_of(proc.pid) - node_cpu:.1f} s CPU serving it)")
        print("fresh sync from the folder:", fresh("D-04", lambda s: sync.run_sync(s, folder)))
        print(f"(load average after the fresh syncs: {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
        print("floors again (wall/CPU):", bl.floors())

        def http_read(c: httpx.Client, path: str) -> bytes:
            r = c.get(f"{url}/logs/B-02/{path}")
            r.raise_for_status()
            return r.content

        def signed_read(c: peer.NodeClient, path: str) -> bytes:
            data = c.get(f"/logs/B-02/{path}", 8192)
            assert data is not None
            return data

        n, k = args.clients, args.requests
        cert = peer.office_certificate(conn, seed)
        before = cpu_of(proc.pid)
        rate = tile_reads(n, k, size, http_read, lambda: httpx.Client(timeout=60))
        per = (cpu_of(proc.pid) - before) / (n * k) * 1000
        print(f"tiles from the node, public, {n} clients x {k}: {rate:,.0f} requests/s wall; node CPU {per:.2f} ms "
              f"per request = {1000 / per:,.0f} requests per node CPU second")  # fmt: skip
        before = cpu_of(proc.pid)
        rate = tile_reads(n, k // 2, size, signed_read, lambda: peer.NodeClient(url, seed, cert))
        per = (cpu_of(proc.pid) - before) / (n * (k // 2)) * 1000
        print(f"tiles from the node, signed requests, {n} clients x {k // 2}: {rate:,.0f} requests/s wall; node CPU "
              f"{per:.2f} ms per request = {1000 / per:,.0f} requests per node CPU second")  # fmt: skip
        fetcher = FolderFetcher(folder)
        rate = tile_reads(n, k, size, lambda _c, p: fetcher.read("B-02", p), lambda: None)
        print(f"tiles from the folder, {n} threads x {k}: {rate:,.0f} reads/s")
    finally:
        stop(proc)
    print("floors at the end (wall/CPU):", bl.floors())
    if not args.dir:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
