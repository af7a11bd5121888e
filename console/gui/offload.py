"""Work that holds the GIL for long stretches, done in a child process so the GUI thread never waits on it.

Reading a QR code back from a PDF renders each page at 300 dpi with PDFium, converts it with Pillow and
decodes it with zxing-cpp: each is one long C call that keeps the GIL (an A4 page: 100-200 ms measured here,
docs/testing.md "Responsiveness"). A worker thread doing that stops the GUI thread just as surely as doing it
on the GUI thread. A child process has a GIL of its own: the parent only sends bytes and gets strings back.

One child (spawned, not forked: a fork of a Qt process with running threads is unsafe) is started on first
use and kept for the life of the process. A frozen bundle (PyInstaller) has no interpreter to spawn, so there
the work stays in the calling thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from console.core import i18n, scanning

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _qr_texts(data: bytes, where: str, language: str | None) -> list[str]:
    """In the child: the QR texts of a PDF or picture, with the core's sentences in the parent's language."""
    i18n.set_language(language)
    if data[:5] == b"%PDF-":
        return scanning.qr_texts_from_pdf(data, where=where)
    return scanning.qr_texts_from_image(data, where=where)


def _executor() -> ProcessPoolExecutor | None:
    global _pool
    if getattr(sys, "frozen", False):
        return None
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def qr_texts(data: bytes, where: str) -> list[str]:
    """Every QR code's text in a PDF or picture (`scanning.qr_texts_from_pdf`/`_image`), read in the child.

    Raises:
        scanning.ScanError: no QR code, or not a PDF/picture (the child's sentence, unchanged).
    """
    global _pool
    executor = _executor()
    if executor is None:
        return _qr_texts(data, where, i18n.language())
    try:
        return executor.submit(_qr_texts, data, where, i18n.language()).result()
    except BrokenProcessPool:  # the child died (killed, out of memory): start a new one next time, do it here
        logger.warning("the scanning process died; reading the QR code in this process")
        with _lock:
            _pool = None
        return _qr_texts(data, where, i18n.language())


def warm_up() -> None:
    """Start the child and let it import the scanner's libraries (start-up, off the GUI thread)."""
    executor = _executor()
    if executor is not None:
        executor.submit(_import_scanner).result()


def _import_scanner() -> None:
    import pypdfium2  # noqa: F401
    import zxingcpp  # noqa: F401
    from PIL import Image  # noqa: F401
