"""Crash-safe file writes: temp file in the same folder, fsync, rename over, fsync the folder.

After a crash a reader sees either the old file or the new one, never a torn one. Temp files start with
``.tmp-`` so that readers can ignore and clean them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically with permissions `mode` (0600 by default: secrets live here).

    Raises:
        StorageError: the folder is missing or not writable, or the disk is full.
    """
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    except OSError as e:
        raise StorageError(
            _("Cannot write in {folder}: {reason}. Check that the folder exists and is writable.").format(
                folder=folder, reason=e.strerror
            )
        ) from e
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise StorageError(
            _("Could not write {path}: {reason}. Check free disk space and permissions.").format(
                path=path, reason=e.strerror
            )
        ) from e
    fsync_dir(folder)


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` (and parents) readable by its owner only.

    Raises:
        StorageError: it cannot be created.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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
