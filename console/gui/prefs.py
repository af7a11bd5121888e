"""Cosmetic preferences of this computer (the last folders used), kept in a small JSON file beside the console's
QSettings file and written by a thread of its own, in Python.

Why not QSettings: writing a QSettings file takes a lock file, rewrites the file and fdatasyncs both, and PySide
keeps the GIL for the whole of `QSettings.sync` (measured: a 2.3 s sync held every other thread of the process
for 2.3 s). On the GUI thread that was 425 ms in the middle of saving a card under load; on a writer thread it
was the same stall, 209 ms, one step later (docs/testing.md, "Responsiveness"). Python's own file calls (open,
write, fsync, rename) let the GIL go while they wait for the disk, so a writer thread here costs the GUI thread
nothing. Values remembered by earlier versions in QSettings are still read (never written).

`remember` records the value at once (so `recall` sees it without touching the disk) and hands it to the
writer; `flush` waits for the writer (at quit, and in tests). Two consoles on one computer: the last to write
wins, which is harmless for a last folder.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from console.core.atomic import atomic_write

logger = logging.getLogger(__name__)

#: The file's name, beside QSettings' file of this application (its folder follows QSettings.setPath).
FILE_NAME = "preferences.json"

_values: dict[str, Any] = {}
_loaded_from: Path | None = None
_values_lock = threading.Lock()
_queue: queue.Queue[tuple[Path, dict[str, Any]]] = queue.Queue()
_writer: threading.Thread | None = None
_writer_lock = threading.Lock()


def path() -> Path:
    """Where the preferences are kept (QSettings' folder for this application, as configured now)."""
    return Path(QSettings().fileName()).parent / FILE_NAME


def recall(key: str, default: Any = None) -> Any:
    """The value last remembered under `key`, else what an earlier version left in QSettings, else `default`."""
    with _values_lock:
        values = _load()
        if key in values:
            return values[key]
    return QSettings().value(key, default)


def remember(key: str, value: str) -> None:
    """Keep `value` under `key`; the file is written by the writer thread, never by the caller."""
    with _values_lock:
        values = _load()
        values[key] = value
        snapshot = dict(values)
        target = _loaded_from
    assert target is not None
    _start_writer()
    _queue.put((target, snapshot))


def flush() -> None:
    """Wait until every remembered value is in the file."""
    if _writer is not None:
        _queue.join()


def _load() -> dict[str, Any]:
    """The values of the current file (read once per file; call with `_values_lock` held)."""
    global _loaded_from
    where = path()
    if where != _loaded_from:  # first use, or tests pointed QSettings elsewhere
        _values.clear()
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as e:  # cosmetic: start afresh, say so in the log
            logger.warning("the console's preferences in %s could not be read (%s); starting afresh", where, e)
            data = {}
        if isinstance(data, dict):
            _values.update({k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)})
        _loaded_from = where
    return _values


def _start_writer() -> None:
    global _writer
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="preferences writer", daemon=True)
            _writer.start()


def _write_forever() -> None:
    while True:
        batch = [_queue.get()]
        while True:  # several changes in a row: write the newest once per file
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        newest = {target: values for target, values in batch}
        try:
            for target, values in newest.items():
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, json.dumps(values, indent=1, sort_keys=True).encode("utf-8"), mode=0o600)
        except Exception:  # a cosmetic preference lost must not take the console down; say so in the log
            logger.exception("the console's preferences could not be written")
        finally:
            for _ in batch:
                _queue.task_done()
