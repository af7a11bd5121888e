"""Two real Syncthing daemons on 127.0.0.1 replicate the ledger folder between two offices' machines (each a
temp dir with its own folder copy); the offices publish and sync through their own copy and converge."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.core import issuance, registry, requests
from console.node import sync
from tests.node.conftest import Authority, make_authority

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _generate(home: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        ["syncthing", "generate", f"--home={home}"], capture_output=True, text=True, env=env, check=True
    )
    for line in (out.stdout + out.stderr).splitlines():
        if "Device ID:" in line:
            return line.split("Device ID:")[1].strip()
    raise AssertionError(out.stdout + out.stderr)


def _configure(home: Path, me: str, port: int, gui: int, peer: str, peer_port: int, folder: Path) -> None:
    tree = ET.parse(home / "config.xml")
    root = tree.getroot()
    for old in root.findall("folder"):
        root.remove(old)
    f = ET.SubElement(
        root,
        "folder",
        id="ledger",
        label="ledger",
        path=str(folder),
        type="sendreceive",
        rescanIntervalS="2",
        fsWatcherEnabled="true",
        fsWatcherDelayS="1",
        ignorePerms="true",
        autoNormalize="true",
    )
    ET.SubElement(f, "device", id=me, introducedBy="")
    ET.SubElement(f, "device", id=peer, introducedBy="")
    dev = ET.SubElement(
        root,
        "device",
        id=peer,
        name="peer",
        compression="metadata",
        introducer="false",
        skipIntroductionRemovals="false",
        introducedBy="",
    )
    ET.SubElement(dev, "address").text = f"tcp://127.0.0.1:{peer_port}"
    root.find("gui/address").text = f"127.0.0.1:{gui}"  # type: ignore[union-attr]
    options = root.find("options")
    assert options is not None
    settings = {
        "listenAddress": f"tcp://127.0.0.1:{port}",
        "globalAnnounceEnabled": "false",
        "localAnnounceEnabled": "false",
        "relaysEnabled": "false",
        "natEnabled": "false",
        "urAccepted": "-1",
        "crashReportingEnabled": "false",
        "autoUpgradeIntervalH": "0",
        "startBrowser": "false",
    }
    for key, value in settings.items():
        node = options.find(key)
        if node is None:
            node = ET.SubElement(options, key)
        node.text = value
    tree.write(home / "config.xml")
    (folder / ".stignore").write_text(".lock\n.tmp-*\n")


@pytest.fixture
def two_machines(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if shutil.which("syncthing") is None:
        pytest.skip("needs Debian's syncthing (installed by .ci/run)")
    env = dict(os.environ, HOME=str(tmp_path), STNODEFAULTFOLDER="1", STNOUPGRADE="1")
    folders = (tmp_path / "machine-a" / "ledger", tmp_path / "machine-b" / "ledger")
    homes = (tmp_path / "st-a", tmp_path / "st-b")
    for f in folders:
        f.mkdir(parents=True)
    ids = [_generate(h, env) for h in homes]
    ports = [_free_port() for _ in range(4)]
    _configure(homes[0], ids[0], ports[0], ports[2], ids[1], ports[1], folders[0])
    _configure(homes[1], ids[1], ports[1], ports[3], ids[0], ports[0], folders[1])
    procs = [
        subprocess.Popen(
            ["syncthing", "serve", f"--home={h}", "--no-browser", "--no-restart", "--logflags=0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for h in homes
    ]
    try:
        yield folders
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def _wait_for(path: Path, content: bytes, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_bytes() == content:
            return
        time.sleep(0.5)
    raise AssertionError(f"{path} did not arrive by Syncthing within {timeout} s")


def test_two_syncthing_daemons_replicate_the_ledger(
    two_machines: tuple[Path, Path], tmp_path: Path, clock: object, person: Callable[[int], object]
) -> None:
    folder_a, folder_b = two_machines
    a = make_authority(tmp_path / "offices", clock, codes=("HQ-01", "B-02"))  # type: ignore[arg-type]
    for base, code in ((0, "HQ-01"), (20, "B-02")):
        clerk = a.session(code, "clerk")
        numbers = [registry.register(clerk, person(base + i))["id_number"] for i in range(2)]  # type: ignore[arg-type]
        for n in numbers:
            issuance.issue(clerk, n)
        rid = requests.create_request(clerk, "revoke", numbers[0], "stolen")["request_id"]
        requests.approve(a.session(code, "super"), rid)
    assert sync.run_sync(a.session("HQ-01", "clerk"), folder_a).errors == []
    _wait_for(folder_b / "logs/HQ-01/checkpoint", (folder_a / "logs/HQ-01/checkpoint").read_bytes())
    time.sleep(2)  # let the tiles written before the checkpoint settle too (a missing one is only retried)
    report = _sync_until_clean(a, "B-02", folder_b)
    assert report.applied.get("HQ-01", 0) > 0
    _wait_for(folder_a / "logs/B-02/checkpoint", (folder_b / "logs/B-02/checkpoint").read_bytes())
    time.sleep(2)
    report = _sync_until_clean(a, "HQ-01", folder_a)
    assert report.applied.get("B-02", 0) > 0
    statuses = [
        sorted(
            (bytes(r[0]), r[1]) for r in a.offices[c].db.conn.execute("SELECT credential_id, status FROM credentials")
        )
        for c in ("HQ-01", "B-02")
    ]
    assert statuses[0] == statuses[1] and len(statuses[0]) == 4
    assert not list(folder_a.rglob("*sync-conflict*")) and not list(folder_b.rglob("*sync-conflict*"))


def _sync_until_clean(a: Authority, code: str, folder: Path, timeout: float = 60) -> sync.SyncReport:
    """Replication may deliver the checkpoint before a tile: that sync names the missing file and applies
    nothing; the next one, once the file has arrived, completes."""
    end = time.monotonic() + timeout
    while True:
        report = sync.run_sync(a.session(code, "clerk"), folder)
        if not report.errors or time.monotonic() > end:
            assert report.errors == [], report.errors
            return report
        time.sleep(1)
