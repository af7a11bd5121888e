"""Crash-safe file writes: temp file in the same folder, fsync, rename over, fsync the folder.

After a crash a reader sees either the old file or the new one, never a torn one. Temp files start with
``.tmp-`` so that readers can ignore and clean them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from console.core.errors import StorageError, ValidationError
from console.core.i18n import _


def fsync_dir(folder: Path) -> None:
    """Persist a rename or unlink in `folder` (a no-op where the platform cannot open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


TEMP_PREFIX = ".tmp-"
#: Folder in the data directory recording the temp names of output files being written elsewhere (tidy.py).
OUTPUT_JOURNAL = "outputs.pending"


def held_by_a_writer(path: Path) -> bool:
    """Whether a live process holds `path` locked (a writer keeps an exclusive `flock` on its temp file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _open_anonymous(folder: Path) -> int | None:
    """An unnamed file in `folder` (Linux O_TMPFILE): a crash while writing leaves nothing behind."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o600)
    except OSError:
        return None  # the filesystem cannot (some network shares): fall back to a named temp file


@contextlib.contextmanager
def _journal_entry(journal: Path | None, temp: Path) -> Iterator[None]:
    """Record `temp` in `journal` (locked while the write is under way) so the next start can remove it."""
    if journal is None:
        yield
        return
    journal.mkdir(mode=0o700, exist_ok=True)
    entry = journal / os.urandom(8).hex()  # secrets.token_hex(8), without importing secrets (issue 16)
    fd = os.open(entry, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, os.fsencode(str(temp.absolute())))
        os.fsync(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            entry.unlink()
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o600, *, journal: Path | None = None) -> None:
    """Write `data` to `path` atomically with permissions `mode` (0600 by default: secrets live here).

    The data is written to an unnamed file where the system allows (nothing is left if the process dies while
    writing), else to a ``.tmp-`` file locked by this process; it gets a name only when complete, and is then
    renamed over `path`. With `journal` (a folder of the data directory), the temp name is recorded there first,
    so that the next start removes it if the process dies between naming and renaming (tidy.py): for files
    with personal data written outside the data directory.

    Raises:
        StorageError: the folder is missing or not writable, or the disk is full.
    """
    folder = path.parent
    temp = folder / f"{TEMP_PREFIX}{os.urandom(8).hex()}"
    fd = _open_anonymous(folder)
    anonymous = fd is not None
    try:
        with _journal_entry(journal, temp):
            if fd is None:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)  # tidy.py leaves a locked temp file alone
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            if anonymous:
                # linkat(AT_SYMLINK_FOLLOW) names the unnamed file; a dir fd makes Python call linkat, not link
                folder_fd = os.open(folder, os.O_RDONLY)
                try:
                    os.link(f"/proc/self/fd/{fd}", temp.name, dst_dir_fd=folder_fd, follow_symlinks=True)
                finally:
                    os.close(folder_fd)
            os.replace(temp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if (isinstance(e, FileNotFoundError) and not folder.is_dir()) or isinstance(e, PermissionError):
            raise StorageError(
                _("Cannot write in {folder}: {reason}. Check that the folder exists and is writable.").format(
                    folder=folder, reason=e.strerror
                )
            ) from e
        raise StorageError(
            _("Could not write {path}: {reason}. Check free disk space and permissions.").format(
                path=path, reason=e.strerror
            )
        ) from e
    finally:
        if fd is not None:
            os.close(fd)
    fsync_dir(folder)


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` (and parents), or tighten an existing one, so that only its owner can enter it.

    Raises:
        StorageError: it cannot be created.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)  # an existing folder too (the umask, or a folder made by hand, may leave it open)
    except OSError as e:
        raise StorageError(
            _("Cannot create the folder {folder}: {reason}. Choose a writable data directory.").format(
                folder=folder, reason=e.strerror
            )
        ) from e


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """Read a file a person chose, refusing more than `limit` bytes without reading them all.

    Works for files whose size the disk does not report (pipes, devices such as /dev/zero).

    Raises:
        ValidationError: the file is larger than `limit` (field `what`).
        StorageError: it cannot be read.
    """
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except IsADirectoryError as e:
        raise StorageError(
            _("{path} is a folder, not a file; choose the {what} file.").format(path=path, what=what)
        ) from e
    except OSError as e:
        raise StorageError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror)) from e
    if len(data) > limit:
        raise ValidationError(
            what,
            _("{path} is larger than {size:,} KB; use a smaller {what} file.").format(
                path=path, size=limit // 1024, what=what
            ),
        )
    return data
