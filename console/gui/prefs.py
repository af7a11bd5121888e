"""Cosmetic preferences of this computer (the last folders used), written to QSettings off the GUI thread.

A QSettings object writes its file when it is synced or destroyed, on the thread that does so: it takes a lock
file and rewrites the settings file, and fdatasyncs both (strace). On a loaded machine that took 425 ms on the
GUI thread in the middle of saving a card (docs/testing.md, "Responsiveness"), and a lock held by another
process makes it wait longer (730 ms measured). PySide releases the GIL while `QSettings.sync` runs, so one
writer thread costs the GUI thread nothing.

`remember` records the value at once (so `recall` sees it without touching the file) and hands it to the
writer; `flush` waits for the writer (at quit, and in tests).
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from PySide6.QtCore import QSettings

logger = logging.getLogger(__name__)

_values: dict[str, Any] = {}
_values_lock = threading.Lock()
_queue: queue.Queue[tuple[str, Any]] = queue.Queue()
_writer: threading.Thread | None = None
_writer_lock = threading.Lock()


def recall(key: str, default: Any = None) -> Any:
    """The value last remembered under `key` in this process, else QSettings', else `default`."""
    with _values_lock:
        if key in _values:
            return _values[key]
    return QSettings().value(key, default)


def remember(key: str, value: Any) -> None:
    """Keep `value` under `key`; the file is written by the writer thread, never by the caller."""
    with _values_lock:
        _values[key] = value
    _start_writer()
    _queue.put((key, value))


def flush() -> None:
    """Wait until every remembered value is in the settings file."""
    if _writer is not None:
        _queue.join()


def _start_writer() -> None:
    global _writer
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="settings writer", daemon=True)
            _writer.start()


def _write_forever() -> None:
    while True:
        batch = [_queue.get()]
        while True:  # several changes in a row: one sync
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        try:
            settings = QSettings()
            for key, value in batch:
                settings.setValue(key, value)
            settings.sync()
            if settings.status() != QSettings.Status.NoError:
                logger.warning("the console's settings file could not be written (%s)", settings.status().name)
            del settings
        except Exception:  # a cosmetic preference lost must not take the console down; say so in the log
            logger.exception("the console's settings could not be written")
        finally:
            for _ in batch:
                _queue.task_done()
