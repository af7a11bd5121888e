"""Card PDFs for the screen and the printer: preview images, printing through Qt, saving.

The PDF comes from the core (`console.core.cardservice.card_pdf`, which checks ``card.print`` and records the
print). The preview and the print job render its pages to images with PDFium (pypdfium2, already used by the
scanner) on a worker thread, on white: a PDF page has no background of its own.

PDFium is not thread-safe, not even across documents, so every PDFium call in this process (here and the
PDF scanning of the verify screen) holds `PDFIUM_LOCK`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from console.core import scanning
from console.core.accounts import Session
from console.core.errors import ConsoleError, UserCancelled

logger = logging.getLogger(__name__)

PDFIUM_LOCK = scanning.PDFIUM_LOCK  # one lock for every PDFium user in the process
PREVIEW_DPI = 300
CARD_SIZE_MM = (85.60, 53.98)

CardPdf = Callable[..., bytes]

try:  # written in parallel by the core team; the rest of the console works without it
    from console.core.cards import render_cards as _core_render_cards
    from console.core.cardservice import card_data as _core_card_data
    from console.core.cardservice import card_pdf as _core_card_pdf
except ImportError:  # pragma: no cover - depends on the build
    _core_card_pdf = _core_card_data = _core_render_cards = None  # type: ignore[assignment]


class CardPrintingUnavailable(ConsoleError):
    """This build has no card renderer service."""


_card_pdf: CardPdf | None = _core_card_pdf


def available() -> bool:
    """Whether cards can be rendered in this build."""
    return _card_pdf is not None


def set_card_pdf(function: CardPdf | None) -> CardPdf | None:
    """Replace the card renderer (tests); returns the previous one."""
    global _card_pdf
    previous, _card_pdf = _card_pdf, function
    return previous


def card_pdf(
    session: Session,
    targets: Sequence[str],
    *,
    sheet: str = "id1",
    back: bool = False,
    printer: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> bytes:
    """The core's card PDF, or a clear refusal when this build has none."""
    if _card_pdf is None:
        raise CardPrintingUnavailable(
            "Card printing is not available in this build of the console (the card service is missing)."
        )
    return _card_pdf(session, list(targets), sheet=sheet, back=back, printer=printer, progress=progress, cancel=cancel)


def render_pages(pdf: bytes, dpi: float, cancel: threading.Event | None = None) -> list[QImage]:
    """Every page of `pdf` as an RGB image at `dpi`, on white."""
    import pypdfium2

    images: list[QImage] = []
    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                if cancel is not None and cancel.is_set():
                    raise UserCancelled()
                page = document[index]
                bitmap = page.render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
                pil = bitmap.to_pil().convert("RGB")
                data = pil.tobytes()
                image = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888).copy()
                image.setDotsPerMeterX(round(dpi / 0.0254))
                image.setDotsPerMeterY(round(dpi / 0.0254))
                images.append(image)
                bitmap.close()
                page.close()
        finally:
            document.close()
    return images


@dataclass(frozen=True)
class CardPreview:
    """A rendered card: the PDF bytes and one image per page (front, then back when asked)."""

    pdf: bytes
    pages: list[QImage]


def preview(session: Session, id_number: str, sheet: str, back: bool) -> CardPreview:
    """Render one person's card for the screen (read pool).

    A preview is not a print: it renders the same card data (`cardservice.card_data`, which checks
    ``card.print``) without the audit entry that `card_pdf` writes for every PDF it hands out.
    """
    if _card_pdf is not _core_card_pdf or _core_card_data is None or _core_render_cards is None:
        pdf = card_pdf(session, [id_number], sheet=sheet, back=back)  # a replaced renderer (tests)
    else:
        pdf = _core_render_cards([_core_card_data(session, id_number)], sheet=cast(Any, sheet), back=back)
    return CardPreview(pdf, render_pages(pdf, PREVIEW_DPI))


def configure_printer(printer: QPrinter, sheet: str) -> None:
    """Paper for the sheet: an ID-1 card (card printers) or A4, with no margins (the PDF has its own)."""
    if sheet == "id1":
        size = QPageSize(QSizeF(*CARD_SIZE_MM), QPageSize.Unit.Millimeter, "ID-1", QPageSize.SizeMatchPolicy.ExactMatch)
        orientation = QPageLayout.Orientation.Landscape
    else:
        size = QPageSize(QPageSize.PageSizeId.A4)
        orientation = QPageLayout.Orientation.Portrait
    printer.setFullPage(True)
    printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))


def print_cards(
    session: Session,
    id_number: str,
    sheet: str,
    back: bool,
    printer: QPrinter,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Render the card PDF for `printer` and paint it page by page (write queue: the core records the print).

    QPainter may paint on a QPrinter outside the GUI thread; the printer object is not touched by the GUI while
    the job runs. Returns the number of pages sent.
    """
    name = printer.printerName() or None
    pdf = card_pdf(session, [id_number], sheet=sheet, back=back, printer=name, cancel=cancel)
    dpi = min(max(printer.resolution(), 150), 600)
    pages = render_pages(pdf, dpi, cancel)
    painter = QPainter()
    if not painter.begin(printer):
        raise ConsoleError("The printer could not be started; check that it is connected and switched on.")
    try:
        target = printer.pageLayout().fullRectPixels(printer.resolution())
        for index, image in enumerate(pages):
            if cancel is not None and cancel.is_set():
                printer.abort()
                raise UserCancelled("Printing cancelled.")
            if index:
                printer.newPage()
            painter.drawImage(QRectF(target), image)
            if progress is not None:
                progress(index + 1, len(pages))
    finally:
        painter.end()
    return len(pages)


def save_pdf(session: Session, id_number: str, sheet: str, back: bool, path: str) -> str:
    """Write the card PDF to `path` (owner-only: it carries personal data)."""
    from pathlib import Path

    from console.core.atomic import atomic_write

    atomic_write(Path(path), card_pdf(session, [id_number], sheet=sheet, back=back), mode=0o600)
    return path
