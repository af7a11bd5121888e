"""Crash-safe file writes for the shared ledger folder (S internal/durable/path.go; T storage/posix/file_ops.go).

Order: open and hold the parent directory; write a temp file in it (O_EXCL); fsync it; link it to the final
name (write-once) or rename it over the name (the checkpoint); fsync the held directory fd. An fsync error is a
failure (never swallowed): after one the file may not be on disk (T issue 749). A half-written temp file after a
crash is named ``.tmp-*`` and is never read as data; `sweep_temp` removes old ones.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

TEMP_PREFIX = ".tmp-"


class DurableWriteError(OSError):
    """A write, fsync, link or rename failed; the target may not be on disk."""


class WriteOnceConflict(Exception):
    """A write-once file exists with other bytes than ours (someone else wrote, or the folder was tampered)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists with different contents")
        self.path = path


def ensure_dir(path: Path) -> None:
    """mkdir -p, fsyncing each parent whose entry we created."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        _fsync_dir(d.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(dir_fd: int, data: bytes) -> str:
    name = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=dir_fd)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        raise
    os.close(fd)
    return name


def write_once(path: Path, data: bytes) -> bool:
    """Create `path` with `data` unless it exists with exactly these bytes. Returns True if it was written.

    Raises:
        WriteOnceConflict: the file exists with other bytes.
        DurableWriteError: the disk refused (full, read-only, fsync error).
    """
    ensure_dir(path.parent)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        raise DurableWriteError(e.errno, f"cannot open {path.parent}: {e.strerror}") from e
    try:
        try:
            temp = _write_temp(dir_fd, data)
        except OSError as e:
            raise DurableWriteError(e.errno, f"cannot write {path}: {e.strerror}") from e
        try:
            os.link(temp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            created = True
        except FileExistsError:
            created = False
        except OSError as e:
            raise DurableWriteError(e.errno, f"cannot create {path}: {e.strerror}") from e
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=dir_fd)
        if not created:
            if _read_nofollow(path) != data:
                raise WriteOnceConflict(path)
            return False
        try:
            os.fsync(dir_fd)
        except OSError as e:
            raise DurableWriteError(e.errno, f"cannot sync {path.parent}: {e.strerror}") from e
        return True
    finally:
        os.close(dir_fd)


def replace(path: Path, data: bytes) -> None:
    """Atomically put `data` at `path` (temp, fsync, rename, fsync dir): readers see the old or the new file."""
    ensure_dir(path.parent)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as e:
        raise DurableWriteError(e.errno, f"cannot open {path.parent}: {e.strerror}") from e
    try:
        temp = _write_temp(dir_fd, data)
        try:
            os.rename(temp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=dir_fd)
            raise
        os.fsync(dir_fd)
    except OSError as e:
        raise DurableWriteError(e.errno or errno.EIO, f"cannot write {path}: {e.strerror}") from e
    finally:
        os.close(dir_fd)


def _read_nofollow(path: Path, limit: int = 1 << 24) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read(limit + 1)


def sweep_temp(folder: Path) -> int:
    """Remove temp files a crash left in `folder` (not recursive). Returns how many."""
    count = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    count += 1
    return count
