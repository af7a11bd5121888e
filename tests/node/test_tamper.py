"""Bad input: every file of a small ledger folder damaged one at a time, forged and misused signatures, a log
that goes backwards, forks, oversized files and symlinks. Each is refused with a sentence naming the log and
the file, nothing is applied from it, and the next sync after the repair carries on."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import nacl.signing
import sqlcipher3

from console.core import events, issuance, registry
from console.core.events import Actor
from console.core.ledger import checkpoint as cp
from console.core.ledger import note
from console.core.ledger.tiles import Tile, decode_bundle, encode_bundle, parse_tile_path
from console.node import folder as folder_mod
from console.node import sync
from console.node.fetch import FolderFetcher
from console.node.verify import verify_folder
from tests.node.conftest import Authority

B = "B-02"
HQ = "HQ-01"


def publish(a: Authority, code: str) -> None:
    session = a.session(code, "super")
    conn = a.offices[code].db.conn
    folder_mod.publish(conn, a.folder, folder_mod.office_signer(conn, session.office_keys().signing_seeds))


def b_works(a: Authority, person: Callable[[int], object], start: int, count: int = 2) -> None:
    clerk = a.session(B, "clerk")
    for i in range(start, start + count):
        issuance.issue(clerk, registry.register(clerk, person(i))["id_number"])  # type: ignore[arg-type]


def hq_sync(a: Authority) -> dict:
    return sync.run_sync(a.session(HQ, "clerk"), a.folder).to_json()


def b_applied(a: Authority) -> int:
    conn = a.offices[HQ].db.conn
    return int(conn.execute("SELECT COUNT(*) FROM credentials WHERE office_code = ?", (B,)).fetchone()[0])


def log_dir(a: Authority, code: str = B) -> Path:
    return a.folder / "logs" / code


def files_of(a: Authority) -> list[str]:
    base = log_dir(a)
    return sorted(
        str(p.relative_to(base)) for p in base.rglob("*") if p.is_file() and not p.name.startswith((".lock", ".tmp"))
    )


def _reorder(path: str, data: bytes) -> bytes:
    tile = parse_tile_path(path)
    if tile.level < 0:
        entries = decode_bundle(tile, data)
        entries[0], entries[1] = entries[1], entries[0]
        return encode_bundle(entries)
    return data[32:64] + data[:32] + data[64:]


DAMAGES: dict[str, Callable[[str, bytes], bytes | None]] = {
    "flip": lambda p, d: d[:7] + bytes([d[7] ^ 0x10]) + d[8:],
    "truncate": lambda p, d: d[:-1],
    "delete": lambda p, d: None,
    "reorder": _reorder,
}


def test_every_file_damaged_is_named_and_nothing_applied(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    publish(a, B)  # an earlier checkpoint: its partial tiles stay (write-once)
    b_works(a, person, 0)
    publish(a, B)
    files = files_of(a)
    assert "checkpoint" in files and len(files) >= 5, files
    current = {p for p in files if p == "checkpoint" or p in {t.path for t in _current_tiles(a)}}
    checked = 0
    for path in files:
        for name, damage in DAMAGES.items():
            if name == "reorder" and path == "checkpoint":
                continue
            target = log_dir(a) / path
            original = target.read_bytes()
            if path not in current and name == "delete":
                continue  # tlog-tiles: an older partial tile may be dropped once a wider one exists
            changed = damage(path, original)
            if changed is None:
                target.unlink()
            else:
                target.chmod(0o644)
                target.write_bytes(changed)
            faults = verify_folder(a.offices[HQ].db.conn, FolderFetcher(a.folder))
            assert any(f.log == B and f.file == path for f in faults), (path, name, faults)
            if path in current:
                report = hq_sync(a)
                assert report["errors"], (path, name)
                err = report["errors"][0]
                assert (err["log"], err["file"]) == (B, path), (path, name, err)
                assert b_applied(a) == 0, (path, name)
            target.write_bytes(original)
            checked += 1
    assert checked >= 14
    extra = log_dir(a) / "tile/0/007"
    extra.write_bytes(b"\x00" * 8192)
    assert any(f.file == "tile/0/007" for f in verify_folder(a.offices[HQ].db.conn, FolderFetcher(a.folder)))
    extra.unlink()
    report = hq_sync(a)  # repaired: the next sync carries on
    assert report["errors"] == [] and b_applied(a) == 2


def _current_tiles(a: Authority) -> list[Tile]:
    from console.core.ledger.tiles import all_tiles

    signed = (log_dir(a) / "checkpoint").read_bytes()
    size = cp.parse_checkpoint_body(signed.decode()[: signed.decode().rindex("\n\n") + 1]).size
    return all_tiles(size)


def test_forged_checkpoint_and_uncertified_office(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    b_works(a, person, 0)
    publish(a, B)
    cpfile = log_dir(a) / "checkpoint"
    good = cpfile.read_bytes()
    body = good.decode()[: good.decode().rindex("\n\n") + 1]
    forger = note.Signer(f"ids.utopia.example/{B}", nacl.signing.SigningKey(b"\x66" * 32))
    cpfile.write_bytes(note.sign(body, [forger]))
    report = hq_sync(a)
    assert report["errors"][0]["log"] == B and report["errors"][0]["file"] == "checkpoint"
    assert "certified" in report["errors"][0]["message"] and b_applied(a) == 0
    cpfile.write_bytes(good)
    # a whole office whose key a different "authority" certified
    from tests.node.conftest import make_authority

    rogue = make_authority(a.root / "rogue", a.offices[HQ].clock, codes=("HQ-01", "D-04"))  # type: ignore[arg-type]
    rogue_session = rogue.session("D-04", "clerk")
    conn = rogue.offices["D-04"].db.conn
    folder_mod.publish(conn, a.folder, folder_mod.office_signer(conn, rogue_session.office_keys().signing_seeds))
    report = hq_sync(a)
    errors = {e["log"]: e for e in report["errors"]}
    assert "D-04" in errors and errors["D-04"]["file"] == "checkpoint" and "certified" in errors["D-04"]["message"]
    assert report["applied"][B] > 0  # the good log is still applied


def _forge_event(a: Authority, user: str, kind: str, clear: dict) -> None:
    """Sign an event with an officer's key outside the console (a leaked key) and append it to B's log."""
    from console.core.keys import OfficerSecrets
    from console.core.keystore import read_sealed
    from tests.conftest import PASSWORDS

    office = a.offices[B]
    seed = OfficerSecrets.from_bytes(read_sealed(office.paths.officer_keystore(user), PASSWORDS[user])).signing_seed
    conn = office.db.conn
    conn.execute("BEGIN IMMEDIATE")
    events.append_event(
        conn,
        actor=Actor(user, nacl.signing.SigningKey(seed)),
        office=B,
        event_type=kind,
        now=office.clock(),
        clear=clear,
    )
    conn.execute("COMMIT")


def test_clerk_signing_an_approval_is_refused(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    b_works(a, person, 0)
    cid = bytes(a.offices[B].db.conn.execute("SELECT credential_id FROM credentials").fetchone()[0])
    _forge_event(a, "clerk", "credential.status", {"credential": cid, "status": "active", "request": 99})
    publish(a, B)
    report = hq_sync(a)
    err = report["errors"][0]
    assert err["log"] == B and err["file"].startswith("tile/entries/") and "clerk" in err["message"]
    assert b_applied(a) == 0
    # the same refusal in the Simplified Chinese console: every part of the sentence from the core catalogue
    from console.core import i18n

    i18n.set_language("zh_CN")
    try:
        chinese = hq_sync(a)["errors"][0]
        assert sync.refused_text(B, "checkpoint", "x") == f"日志 {B}，文件 checkpoint：x"
    finally:
        i18n.set_language(None)
    assert sync.refused_text(B, "checkpoint", "x") == f"log {B}, file checkpoint: x"
    assert chinese["file"] == err["file"] and chinese["message"].startswith("条目 "), chinese
    assert "官员 'clerk' 的角色是 clerk，无权执行" in chinese["message"], chinese
    assert b_applied(a) == 0


def test_entry_signed_by_a_removed_officer_is_refused(authority: Authority, person: Callable[[int], object]) -> None:
    from console.core import officers
    from console.core.keys import OfficerSecrets
    from console.core.keystore import read_sealed
    from tests.conftest import PASSWORDS

    a = authority
    office = a.offices[B]
    seed = OfficerSecrets.from_bytes(
        read_sealed(office.paths.officer_keystore("clerk"), PASSWORDS["clerk"])
    ).signing_seed
    a.offices[B].clock.advance(seconds=5)  # type: ignore[attr-defined]
    officers.disable_officer(a.session(B, "admin"), "clerk")
    a.offices[B].clock.advance(seconds=5)  # type: ignore[attr-defined]
    conn = office.db.conn
    conn.execute("BEGIN IMMEDIATE")
    events.append_event(
        conn,
        actor=Actor("clerk", nacl.signing.SigningKey(seed)),
        office=B,
        event_type="request.created",
        now=office.clock(),
        clear={"request": 1, "action": "revoke", "credential": b"x" * 16},
    )
    conn.execute("COMMIT")
    publish(a, B)
    report = hq_sync(a)
    err = report["errors"][0]
    assert err["log"] == B and "withdrawn" in err["message"], err


def test_log_going_backwards_and_fork(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    b_works(a, person, 0)
    publish(a, B)
    old_copy = a.root / "old-copy"
    shutil.copytree(log_dir(a), old_copy)
    backup = a.root / "b-backup"
    a.offices[B].db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(a.offices[B].paths.data_dir, backup)
    b_works(a, person, 10)
    publish(a, B)
    assert hq_sync(a)["errors"] == []
    applied = b_applied(a)
    newer = a.root / "newer-copy"
    shutil.move(log_dir(a), newer)
    shutil.copytree(old_copy, log_dir(a))  # a replayed old copy of the folder
    report = hq_sync(a)
    assert report["errors"][0]["log"] == B and "older checkpoint" in report["errors"][0]["message"]
    assert b_applied(a) == applied
    shutil.rmtree(log_dir(a))
    shutil.move(newer, log_dir(a))
    assert hq_sync(a)["errors"] == []
    # Fork: B restored from a backup signs a different history over the deleted folder.
    shutil.rmtree(log_dir(a))
    from console.core.accounts import login
    from console.core.keystore import KDF_PRESETS
    from console.core.office import Office
    from tests.conftest import PASSWORDS

    twin = Office(backup, clock=a.offices[B].clock, kdf=KDF_PRESETS["min"])
    clerk = login(twin, "clerk", PASSWORDS["clerk"])
    for i in range(20, 23):
        issuance.issue(clerk, registry.register(clerk, person(i))["id_number"])  # type: ignore[arg-type]
    folder_mod.publish(
        twin.db.conn, a.folder, folder_mod.office_signer(twin.db.conn, clerk.office_keys().signing_seeds)
    )
    report = hq_sync(a)
    assert [f["log"] for f in report["forks"]] == [B], report
    evidence = report["forks"][0]["evidence"]
    assert len(evidence["checkpoints"]) == 2
    assert b_applied(a) == applied
    files = list((a.offices[HQ].paths.data_dir / "ledger-evidence").glob("fork-B-02-*.json"))
    assert files
    status = sync.status(a.offices[HQ].db.conn)
    assert status["forks"] == [B]
    again = hq_sync(a)  # that log is no longer applied, and the fork is raised again
    assert [f["log"] for f in again["forks"]] == [B] and "no longer applied" in again["forks"][0]["reason"]
    assert b_applied(a) == applied
    # The console in Simplified Chinese shows the same evidence in its language (the core catalogue); what is
    # stored (the problem, the evidence file's reason) stays English.
    from console.core import i18n

    conn = a.offices[HQ].db.conn
    stored = conn.execute("SELECT problem FROM ledger_peers WHERE office_code = ?", (B,)).fetchone()[0]
    assert next(p for p in sync.status(conn)["logs"] if p["log"] == B)["problem"] == stored == evidence["reason"]
    assert "does not extend" in stored or "different roots" in stored
    i18n.set_language("zh_CN")
    try:
        chinese = hq_sync(a)
        assert chinese["forks"][0]["reason"] == "该日志此前已分叉，不再应用（见 `ledger status`）"
        problem = next(p for p in sync.status(conn)["logs"] if p["log"] == B)["problem"]
        assert "并未延续" in problem or "两个不同的根" in problem, problem
    finally:
        i18n.set_language(None)
    assert conn.execute("SELECT problem FROM ledger_peers WHERE office_code = ?", (B,)).fetchone()[0] == stored


def test_wrong_size_junk_and_symlinks(authority: Authority, person: Callable[[int], object], tmp_path: Path) -> None:
    a = authority
    b_works(a, person, 0)
    publish(a, B)
    size = _current_tiles(a)
    bundle = next(t for t in size if t.level < 0)
    tile = next(t for t in size if t.level == 0)
    path = log_dir(a) / tile.path
    good = path.read_bytes()
    path.write_bytes(good + b"\x00" * 32)  # a tile of the wrong size
    err = hq_sync(a)["errors"][0]
    assert (err["log"], err["file"]) == (B, tile.path)
    path.write_bytes(good)
    bpath = log_dir(a) / bundle.path
    saved = bpath.read_bytes()
    with bpath.open("r+b") as f:  # a gigabyte of junk (sparse): refused by its size, never read
        f.truncate(1 << 30)
    err = hq_sync(a)["errors"][0]
    assert (err["log"], err["file"]) == (B, bundle.path) and "bytes" in err["message"]
    bpath.unlink()
    outside = tmp_path / "outside"
    outside.write_bytes(saved)
    os.symlink(outside, bpath)  # a symlink pointing out of the folder
    err = hq_sync(a)["errors"][0]
    assert (err["log"], err["file"]) == (B, bundle.path) and "link" in err["message"]
    bpath.unlink()
    bpath.write_bytes(saved)
    os.symlink(tmp_path, a.folder / "logs" / "E-05")  # a symlinked log folder is not a log
    report = hq_sync(a)
    assert report["errors"] == [] and "E-05" not in report["fetched"] and b_applied(a) == 2


def test_nothing_local_is_lost_on_refusal(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    b_works(a, person, 0)
    publish(a, B)
    conn = a.offices[HQ].db.conn
    before = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    (log_dir(a) / "checkpoint").write_bytes(b"garbage\n")
    report = hq_sync(a)
    assert report["errors"][0]["file"] == "checkpoint"
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    assert isinstance(conn, sqlite3.Connection | sqlcipher3.Connection)  # SQLCipher's module since issue 17
