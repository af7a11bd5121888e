"""tlog-tiles paths (strict round trip), widths, new tiles, codecs, authenticated tile reads, fsck."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core.ledger import proofs, tiles
from console.core.ledger.authn import InconsistentTileError, TileHashReader
from console.core.ledger.fsck import fsck
from console.core.ledger.hashing import ListHashReader, build_stored_hashes, leaf_hash
from console.core.ledger.tiles import ENTRIES_LEVEL, Tile, TileFormatError, parse_tile_path


def test_paths() -> None:
    assert Tile(0, 1234067).path == "tile/0/x001/x234/067"
    assert Tile(1, 0, 17).path == "tile/1/000.p/17"
    assert Tile(ENTRIES_LEVEL, 5).path == "tile/entries/005"
    assert Tile(ENTRIES_LEVEL, 1000, 3).path == "tile/entries/x001/000.p/3"
    for t in (Tile(0, 1234067), Tile(1, 0, 17), Tile(ENTRIES_LEVEL, 1000, 3), Tile(63, 999)):
        assert parse_tile_path(t.path) == t


@pytest.mark.parametrize(
    "bad",
    [
        "tile/0/1",
        "tile/00/001",
        "tile/0/001.p/256",
        "tile/0/001.p/0",
        "tile/0/001.p/07",
        "tile/64/001",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x001",
        "tile/entry/001",
        "tile/+1/001",
        "tile/0/٠٠١",
        "tiles/0/001",
        "tile/0/001.p/",
        "tile/-1/001",
    ],
)
def test_bad_paths(bad: str) -> None:
    with pytest.raises(TileFormatError):
        parse_tile_path(bad)


@given(st.text(max_size=40))
def test_parse_tile_path_fuzz(text: str) -> None:
    try:
        tile = parse_tile_path(text)
    except TileFormatError:
        return
    assert tile.path == text


@given(st.integers(0, 10**12), st.integers(-1, 63), st.integers(1, 256))
def test_path_round_trip(n: int, level: int, width: int) -> None:
    tile = Tile(level, n, width)
    assert parse_tile_path(tile.path) == tile


def test_widths_of_spec_example() -> None:
    # tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial of 112, one full level-1 tile, a
    # partial level-1 tile of 17 and a partial level-2 tile of width 1.
    all0 = tiles.new_tiles(0, 70_000)
    level0 = [t for t in all0 if t.level == 0]
    assert len([t for t in level0 if not t.is_partial]) == 273 and level0[-1].width == 112
    assert [t for t in all0 if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in all0 if t.level == 2] == [Tile(2, 0, 1)]
    assert tiles.new_tiles(0, 256) == [Tile(0, 0), Tile(1, 0, 1)]


def test_new_tiles_extend_old_ones() -> None:
    stored = build_stored_hashes([leaf_hash(i.to_bytes(4, "big")) for i in range(700)])
    reader = ListHashReader(stored)
    for old in range(0, 700, 37):
        for new in range(old + 1, 700, 53):
            for t in tiles.new_tiles(old, new):
                assert t.width == tiles.width_at(t.level, t.n, new)
                data = b"".join(reader.read_hashes(tiles.tile_data_indexes(t)))
                full = Tile(t.level, t.n, tiles.width_at(t.level, t.n, 699))
                bigger = b"".join(reader.read_hashes(tiles.tile_data_indexes(full)))
                assert bigger.startswith(data)


def test_bundle_codec() -> None:
    entries = [b"", b"a", b"x" * 65_535]
    t = Tile(ENTRIES_LEVEL, 0, 3)
    assert tiles.decode_bundle(t, tiles.encode_bundle(entries)) == entries
    with pytest.raises(TileFormatError, match="65535"):
        tiles.encode_bundle([b"x" * 65_536])
    data = tiles.encode_bundle(entries)
    for bad in (data[:-1], data + b"\x00", data + b"\x00\x00", data[:1]):
        with pytest.raises(TileFormatError):
            tiles.decode_bundle(t, bad)
    with pytest.raises(TileFormatError):
        tiles.decode_bundle(Tile(ENTRIES_LEVEL, 0, 2), data)


def test_hash_tile_codec() -> None:
    t = Tile(0, 0, 2)
    with pytest.raises(TileFormatError):
        tiles.decode_hash_tile(t, b"\x00" * 65)
    assert tiles.decode_hash_tile(t, b"\x01" * 64) == [b"\x01" * 32] * 2


@given(st.binary(max_size=600), st.integers(1, 256))
def test_decode_bundle_fuzz(data: bytes, width: int) -> None:
    t = Tile(ENTRIES_LEVEL, 0, width)
    try:
        entries = tiles.decode_bundle(t, data)
    except TileFormatError:
        return
    assert tiles.encode_bundle(entries) == data


class DictTiles:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read_tiles(self, wanted: list[Tile]) -> list[bytes]:
        return [self.files[t.path] for t in wanted]

    def read(self, path: str) -> bytes:
        try:
            return self.files[path]
        except KeyError:
            raise FileNotFoundError(path) from None


def _log_files(n: int) -> tuple[dict[str, bytes], list[bytes], bytes]:
    entries = [f"record {i}".encode() for i in range(n)]
    stored = build_stored_hashes([leaf_hash(e) for e in entries])
    reader = ListHashReader(stored)
    files: dict[str, bytes] = {}
    for t in tiles.new_tiles(0, n):
        files[t.path] = b"".join(reader.read_hashes(tiles.tile_data_indexes(t)))
        if t.level == 0:
            start = t.n * 256
            files[Tile(ENTRIES_LEVEL, t.n, t.width).path] = tiles.encode_bundle(entries[start : start + t.width])
    return files, stored, proofs.tree_hash(n, reader)


@pytest.mark.parametrize("n", [1, 2, 255, 256, 257, 600, 65_537])
def test_tile_hash_reader_authenticates(n: int) -> None:
    files, stored, root = _log_files(n)
    reader = TileHashReader(n, root, DictTiles(files))
    for old in {1, n // 2 or 1, n}:
        assert proofs.tree_hash(old, reader) == proofs.tree_hash(old, ListHashReader(stored))
    index = n // 3
    proof = proofs.prove_inclusion(n, index, reader)
    proofs.check_inclusion(proof, n, root, index, stored[0] if index == 0 else leaf_hash(f"record {index}".encode()))
    bad = dict(files)
    path = tiles.new_tiles(0, n)[0].path
    bad[path] = bytes([bad[path][0] ^ 1]) + bad[path][1:]
    with pytest.raises(InconsistentTileError):
        proofs.tree_hash(1, TileHashReader(n, root, DictTiles(bad)))


def test_fsck_finds_every_damaged_file() -> None:
    files, _stored, root = _log_files(600)
    older = _log_files(300)[0]
    kept = {p: d for p, d in older.items() if ".p/" in p and p not in files}  # partials of an earlier checkpoint
    files.update(kept)
    report = fsck(600, root, DictTiles(files).read, files)
    assert report.ok, report.faults
    for path in sorted(files):
        for damage in ("flip", "truncate", "delete"):
            if damage == "delete" and path in kept:
                continue  # tlog-tiles lets a log drop a partial tile once the full one exists
            broken = dict(files)
            if damage == "flip":
                broken[path] = bytes([broken[path][0] ^ 0x80]) + broken[path][1:]
            elif damage == "truncate":
                broken[path] = broken[path][:-1]
            else:
                del broken[path]
            report = fsck(600, root, DictTiles(broken).read, broken)
            assert not report.ok, (path, damage)
            if "entries" not in path or damage == "delete":
                assert path in {f.path for f in report.faults}, (path, damage, report.faults)
    extra = dict(files, **{"tile/0/009": b"\x00" * 8192, "notes.txt": b"hi"})
    assert {f.path for f in fsck(600, root, DictTiles(extra).read, extra).faults} == {"tile/0/009", "notes.txt"}
