"""Fetching a log's files from wherever the ledger is shared: one Fetcher protocol, a FolderFetcher today.

Reads are bounded and confined: a file larger than its kind allows (a gigabyte of junk), a symlink, or a path
that leaves the folder is refused with `FetchError` naming the log and file; a missing file raises
FileNotFoundError. A missing partial tile falls back to the full tile, trimmed (T internal/fetcher/fallback.go).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Protocol

from console.core.ledger.hashing import HASH_SIZE
from console.core.ledger.tiles import (
    ENTRIES_LEVEL,
    FULL_WIDTH,
    MAX_ENTRY_SIZE,
    Tile,
    TileFormatError,
    decode_bundle,
    encode_bundle,
    parse_tile_path,
)

LOGS_DIR = "logs"
MAX_CHECKPOINT = 16 * 1024
MAX_BLOB = 32 * 1024 * 1024


class FetchError(Exception):
    """A file of a log could not be used (too large, a symlink, outside the folder, unreadable)."""

    def __init__(self, log: str, path: str, message: str) -> None:
        super().__init__(f"log {log}, file {path}: {message}")
        self.log = log
        self.path = path


class Fetcher(Protocol):
    """Where logs are read from (a folder, later a peer node over HTTP)."""

    def logs(self) -> list[str]: ...

    def read(self, log: str, path: str) -> bytes: ...

    def files(self, log: str) -> list[str]: ...


def limit_for(path: str) -> int:
    if path == "checkpoint":
        return MAX_CHECKPOINT
    if path.startswith("blob/"):
        return MAX_BLOB
    if path.startswith("tile/entries/"):
        return FULL_WIDTH * (2 + MAX_ENTRY_SIZE)
    return FULL_WIDTH * HASH_SIZE


class FolderFetcher:
    """Reads logs under ``<root>/logs/<office code>/``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._real_roots: dict[str, str] = {}  # a log folder's real path, resolved once (a peer node reads often)

    def logs(self) -> list[str]:
        base = self.root / LOGS_DIR
        try:
            return sorted(
                e.name for e in os.scandir(base) if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            )
        except FileNotFoundError:
            return []

    def _open(self, log: str, path: str) -> bytes:
        if "\\" in path or path.startswith("/") or ".." in path.split("/") or "\x00" in path:
            raise FetchError(log, path, "the path leaves the log's folder")
        full = self.root / LOGS_DIR / log / path
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            raise
        except OSError as e:
            if e.errno == 40:  # ELOOP: the file is a symlink
                raise FetchError(log, path, "the file is a symbolic link; refusing to follow it") from None
            if isinstance(e, NotADirectoryError):
                raise FileNotFoundError(path) from None
            raise FetchError(log, path, f"unreadable ({e.strerror})") from None
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FetchError(log, path, "not a regular file")
            limit = limit_for(path)
            if info.st_size > limit:
                raise FetchError(log, path, f"{info.st_size} bytes, more than the {limit} such a file may have")
            data = f.read(limit + 1)
        if len(data) > limit:
            raise FetchError(log, path, f"more than the {limit} bytes such a file may have")
        # every directory on the way must be a real directory inside the folder, not a symlink out of it
        real = os.path.realpath(full)
        root = self._real_roots.get(log)
        if root is None:
            root = self._real_roots[log] = os.path.realpath(self.root / LOGS_DIR / log)
        if not real.startswith(root + os.sep):
            raise FetchError(log, path, "the path leads outside the log's folder (a symbolic link)")
        return data

    def read(self, log: str, path: str) -> bytes:
        try:
            return self._open(log, path)
        except FileNotFoundError:
            if ".p/" not in path:
                raise
        tile = parse_tile_path(path)
        full = self._open(log, tile.full().path)
        try:
            if tile.level == ENTRIES_LEVEL:
                return encode_bundle(decode_bundle(tile.full(), full)[: tile.width])
            return full[: tile.width * HASH_SIZE]
        except TileFormatError as e:
            raise FetchError(log, tile.full().path, str(e)) from None

    def files(self, log: str) -> list[str]:
        """Every file path under the log's folder except temp files and ``checkpoint``."""
        base = self.root / LOGS_DIR / log
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            rel = os.path.relpath(dirpath, base)
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                if name.startswith((".tmp-", ".lock", ".st", "~syncthing")):
                    continue
                p = name if rel == "." else f"{rel}/{name}"
                if p != "checkpoint":
                    out.append(p.replace(os.sep, "/"))
        return sorted(out)


def tile_of(path: str) -> Tile | None:
    try:
        return parse_tile_path(path)
    except TileFormatError:
        return None
