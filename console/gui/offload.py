"""CPU-heavy work done in a child process, so that the GUI thread never waits on the GIL for it.

Reading a QR code back from a PDF renders each page at 300 dpi with PDFium, converts it with Pillow and
decodes it with zxing-cpp: each is one long C call that keeps the GIL (an A4 page: 100-200 ms measured here,
docs/testing.md "Responsiveness"). Card rendering (reportlab, qrcode) is pure Python: it lets the GIL go
every millisecond, but on a loaded machine the operating system preempts the worker while it holds the GIL,
and the GUI thread waits until the worker gets a CPU again (stalls of 100-200 ms measured beside a CPU-bound
process). A child process has a GIL of its own: the parent sends card data or file bytes, and gets a PDF or
strings back.

One child (spawned, not forked: a fork of a Qt process with running threads is unsafe) is started on first
use and kept for the life of the process. In the PyInstaller bundle the child is the bundle's own executable
again: its entry point (packaging/entry.py) calls `multiprocessing.freeze_support()` first, which runs the child's
loop instead of a second console.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from console.core import cards as cards_module
from console.core import i18n, scanning
from console.core.cards import CardData, Progress, Sheet
from console.core.errors import UserCancelled

logger = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _qr_texts(data: bytes, where: str, language: str | None) -> list[str]:
    """In the child: the QR texts of a PDF or picture, with the core's sentences in the parent's language."""
    i18n.set_language(language)
    if data[:5] == b"%PDF-":
        return scanning.qr_texts_from_pdf(data, where=where)
    return scanning.qr_texts_from_image(data, where=where)


def render_cards(
    cards: Sequence[CardData],
    *,
    sheet: Sheet = "id1",
    back: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> bytes:
    """`console.core.cards.render_cards`, run in the child (same signature, for `cardservice.card_pdf`).

    Progress is reported before and after (the child renders the batch in one go); a cancel is honoured
    before the batch starts and when it comes back.
    """
    if cancel is not None and cancel.is_set():
        raise UserCancelled()
    if progress is not None:
        progress(0, len(cards))
    executor = _executor()
    if executor is None:
        pdf = cards_module.render_cards(cards, sheet=sheet, back=back, offset_mm=offset_mm)
    else:
        try:
            pdf = executor.submit(_render_in_child, list(cards), sheet, back, offset_mm, i18n.language()).result()
        except BrokenProcessPool:
            _forget_pool()
            pdf = cards_module.render_cards(cards, sheet=sheet, back=back, offset_mm=offset_mm)
    if cancel is not None and cancel.is_set():
        raise UserCancelled()
    if progress is not None:
        progress(len(cards), len(cards))
    return pdf


def _render_in_child(
    cards: list[CardData], sheet: Sheet, back: bool, offset_mm: tuple[float, float], language: str | None
) -> bytes:
    i18n.set_language(language)
    return cards_module.render_cards(cards, sheet=sheet, back=back, offset_mm=offset_mm)


#: How much nicer than the console the child runs (POSIX nice levels: 10 is a weight of ~1/10).
CHILD_NICENESS = 10


def _lower_priority() -> None:
    """In the child, first thing: yield the CPU to the console's own threads.

    The console's threads share the GIL, and a thread the operating system keeps off a CPU while it holds
    the GIL stalls the GUI thread. Processes of one session share the CPU the scheduler gives the session
    (Linux autogroups), so a busy child painting a print job took that CPU from the console's threads and
    made such waits longer (measured: docs/testing.md, "Responsiveness"). Lowering one's own priority needs no
    privilege; the child's work only takes longer when the machine is busy.
    """
    if hasattr(os, "nice"):
        try:
            os.nice(CHILD_NICENESS)
        except OSError:  # pragma: no cover - a platform that refuses; the child still works
            logger.info("the helper process could not lower its priority")


def _forget_pool() -> None:
    global _pool
    logger.warning("the helper process died; doing its work in this process")
    with _lock:
        _pool = None


def _executor() -> ProcessPoolExecutor | None:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority
            )
        return _pool


def qr_texts(data: bytes, where: str) -> list[str]:
    """Every QR code's text in a PDF or picture (`scanning.qr_texts_from_pdf`/`_image`), read in the child.

    Raises:
        scanning.ScanError: no QR code, or not a PDF/picture (the child's sentence, unchanged).
    """
    executor = _executor()
    if executor is None:
        return _qr_texts(data, where, i18n.language())
    try:
        return executor.submit(_qr_texts, data, where, i18n.language()).result()
    except BrokenProcessPool:  # the child died (killed, out of memory): start a new one next time, do it here
        _forget_pool()
        return _qr_texts(data, where, i18n.language())


class NoChild(Exception):
    """The helper process died while running the work; do it in this process."""


def in_child(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` run in the child: a module-level function whose arguments and result pickle.

    Raises:
        NoChild: the child died while running this (killed, out of memory); a new one starts next time.
    """
    executor = _executor()
    if executor is None:
        raise NoChild()
    try:
        return executor.submit(function, *args).result()
    except BrokenProcessPool:
        _forget_pool()
        raise NoChild() from None


def warm_up(specimen: CardData | None = None) -> None:
    """Start the child and let it import the scanner's libraries and render a specimen card (start-up, off
    the GUI thread), so that the officer's first card or scan does not wait for that."""
    executor = _executor()
    if executor is not None:
        executor.submit(_warm_up_child, specimen).result()


def _warm_up_child(specimen: CardData | None) -> None:
    import pypdfium2  # noqa: F401
    import zxingcpp  # noqa: F401
    from PIL import Image  # noqa: F401

    if specimen is not None:
        cards_module.render_cards([specimen], sheet="id1", back=True)
