"""Tidying a data directory when the console starts: what a crash (power cut, kill -9, disk full) left behind.

- Temp files (``.tmp-*``) of interrupted atomic writes in the data directory and its key folders are removed
  once no process holds them (their writer keeps an exclusive `flock` while writing) and they are older than
  `STALE_SECONDS`.
- Output files (card PDFs, exports) are written outside the data directory; their temp names are recorded in
  ``outputs.pending/`` here before they exist, so that one left in the output folder by a crash is removed
  too: personal data never stays behind in a folder the console does not own.
- A keystore enrolled (or reset) by a transaction that committed, but not yet moved into place when the process
  died, is installed: the officer is never left half-made. One whose transaction never committed is removed.

Runs in milliseconds (a few directory listings) and never raises: a folder that cannot be tidied is left as it
is and tried again at the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from console.core.atomic import OUTPUT_JOURNAL, TEMP_PREFIX, held_by_a_writer
from console.core.store import Error as DbError

if TYPE_CHECKING:
    from console.core.office import OfficePaths

logger = logging.getLogger(__name__)

#: A temp or pending file younger than this may belong to a write under way in another process.
STALE_SECONDS = 60.0
_PENDING = r"^\.pending-(?P<user>.+)-(?P<kid>[0-9a-f]{16})\.keystore$"  # compiled at first use (re's cache): `verify` never needs it (issue 16: start-up)


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def remove_stale_temp_files(folders: list[Path], *, stale_seconds: float = STALE_SECONDS) -> list[Path]:
    """Remove temp files of interrupted writes in `folders`; returns those removed."""
    removed: list[Path] = []
    for folder in folders:
        try:
            names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(TEMP_PREFIX)]
        except OSError:
            continue
        for name in names:
            path = folder / name
            if _older_than(path, stale_seconds) and not held_by_a_writer(path):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


def clean_output_journal(data_dir: Path) -> list[Path]:
    """Remove output temp files recorded in the journal whose writer is gone; returns those removed."""
    journal = data_dir / OUTPUT_JOURNAL
    removed: list[Path] = []
    try:
        entries = list(journal.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if held_by_a_writer(entry):
            continue  # the write is under way
        try:
            target = Path(os.fsdecode(entry.read_bytes()))
        except OSError:
            continue
        if target.name.startswith(TEMP_PREFIX):
            try:
                target.unlink()
                removed.append(target)
            except FileNotFoundError:
                pass
            except OSError:
                continue  # keep the entry: try again next time
        with contextlib.suppress(OSError):
            entry.unlink()
    return removed


def finish_enrolments(paths: OfficePaths, conn: sqlite3.Connection, *, stale_seconds: float = STALE_SECONDS) -> None:
    """Install keystores whose enrolment committed; remove those whose enrolment never did."""
    try:
        names = [entry.name for entry in os.scandir(paths.officer_keys) if entry.name.startswith(".pending-")]
    except OSError:
        return
    for name in names:
        match = re.match(_PENDING, name)
        pending = paths.officer_keys / name
        if match is None:
            continue
        username, kid = match["user"], bytes.fromhex(match["kid"])
        try:
            committed = conn.execute(
                "SELECT 1 FROM officer_keys k JOIN officers o ON o.username = k.username "
                "WHERE k.kid = ? AND k.username = ? AND k.valid_until IS NULL AND o.status = 'active'",
                (kid, username),
            ).fetchone()
        except DbError:
            return
        try:
            if committed:
                os.replace(pending, paths.officer_keystore(username))
                logger.warning("installed the keystore of %s left aside by an interrupted enrolment", username)
            elif _older_than(pending, stale_seconds):
                pending.unlink()
        except OSError:
            continue


def tidy_data_dir(paths: OfficePaths, conn: sqlite3.Connection) -> None:
    """Everything above, in order; never raises."""
    try:
        finish_enrolments(paths, conn)
        remove_stale_temp_files([paths.data_dir, paths.keys, paths.officer_keys])
        clean_output_journal(paths.data_dir)
    except Exception:  # tidying must never stop the console from starting
        logger.warning("could not tidy %s", paths.data_dir, exc_info=True)
