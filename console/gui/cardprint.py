"""Card PDFs for the screen and the printer: preview images, printing through Qt, saving.

The PDF comes from the core (`console.core.cardservice.card_pdf`, which checks ``card.print`` and records the
print). The preview and the print job render its pages to images with PDFium (pypdfium2, already used by the
scanner) on a worker thread, on white: a PDF page has no background of its own.

PDFium is not thread-safe, not even across documents, so every PDFium call in this process (here and the
PDF scanning of the verify screen) holds `PDFIUM_LOCK`.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from console.core import scanning
from console.core.accounts import Session
from console.core.errors import ConsoleError, UserCancelled
from console.gui import offload

logger = logging.getLogger(__name__)

PDFIUM_LOCK = scanning.PDFIUM_LOCK  # one lock for every PDFium user in the process
PREVIEW_DPI = 300
SCREEN_DPI = 100  # A4 sheets in the preview: 827 x 1169 pixels
#: Pixels rendered, copied and drawn per GIL-holding call (see `_page_bands`): 256 KB of RGB32, whose
#: drawImage onto a PDF printer takes ~6 ms here.
BAND_PIXELS = 1 << 16
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


def warm_up() -> None:
    """Render a specimen card and its image once (start-up, off the GUI thread).

    The first card of a process imports and compiles the lazy parts of reportlab, qrcode and PDFium's
    bindings: long calls that hold the GIL (~130 ms measured here). Done while the login screen shows,
    the officer's first preview does not stall the GUI thread.
    """
    if _core_render_cards is None:  # pragma: no cover - depends on the build
        return
    from datetime import date

    from console.core.cards import CardData

    specimen = CardData(
        authority_name="Specimen Authority",
        office_name="Specimen Office",
        country="UTO",
        family_name="Specimen",
        given_name="Card",
        latin_family="SPECIMEN",
        latin_given="CARD",
        id_number="2345678901",
        document_number="D23145890",
        birth_date=date(1974, 8, 12),
        sex="F",
        issued=date(2026, 1, 1),
        expires=date(2036, 1, 1),
        photo=None,
        qr_text="SPECIMEN",
    )
    render_pages(_core_render_cards([specimen], sheet="id1", back=True), 72)
    offload.warm_up(specimen)


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
    if _card_pdf is _core_card_pdf:  # the card is drawn in a child process (console/gui/offload.py)
        return _card_pdf(
            session,
            list(targets),
            sheet=sheet,
            back=back,
            printer=printer,
            progress=progress,
            cancel=cancel,
            renderer=offload.render_cards,
        )
    return _card_pdf(session, list(targets), sheet=sheet, back=back, printer=printer, progress=progress, cancel=cancel)


def _page_bands(page: Any, dpi: float, cancel: threading.Event | None) -> Iterator[tuple[int, int, QImage]]:
    """One page rendered as horizontal bands: (first row, page height in pixels, band image) each.

    Why bands: every step of turning a page into pixels (PDFium's render, the copy into a QImage, QPainter's
    drawImage onto a printer) is one long C call that holds the GIL. On a whole A4 page at 600 dpi those
    calls held the GUI thread for 0.2-2.7 s (docs/testing.md, "Responsiveness"); a band of BAND_PIXELS pixels
    holds it for a few milliseconds, and the GUI thread runs between bands.
    """
    scale = dpi / 72
    width = math.ceil(page.get_width() * scale)
    height = math.ceil(page.get_height() * scale)
    band_rows = max(8, BAND_PIXELS // width)
    for top in range(0, height, band_rows):
        if cancel is not None and cancel.is_set():
            raise UserCancelled()
        rows = min(band_rows, height - top)
        below = height - top - rows
        # PDFium crops whole pixels of ceil(points * scale); half a pixel less gives exactly these rows.
        crop = (0.0, max(below - 0.5, 0) / scale, 0.0, max(top - 0.5, 0) / scale)
        with PDFIUM_LOCK:
            bitmap = page.render(scale=scale, crop=crop, fill_color=(255, 255, 255, 255), prefer_bgrx=True)
            try:
                if (bitmap.width, bitmap.height) != (width, rows):  # pragma: no cover - PDFium's rounding changed
                    raise ConsoleError("The card page could not be rendered in bands; please report this.")
                band = QImage(width, rows, QImage.Format.Format_RGB32)  # BGRx bytes = RGB32 on little-endian
                line = band.bytesPerLine()
                source = memoryview(bitmap.buffer).cast("B")
                target = cast(memoryview, band.bits())
                if bitmap.stride == line:
                    target[: line * rows] = source[: line * rows]
                else:  # pragma: no cover - PDFium pads rows only for odd formats
                    for row in range(rows):
                        target[row * line : (row + 1) * line] = source[row * bitmap.stride : row * bitmap.stride + line]
            finally:
                bitmap.close()
        yield top, height, band


def _open_pdf(pdf: bytes) -> Any:
    import pypdfium2

    with PDFIUM_LOCK:
        return pypdfium2.PdfDocument(pdf)


def _close_pdf(document: Any) -> None:
    with PDFIUM_LOCK:
        document.close()


def render_pages(pdf: bytes, dpi: float, cancel: threading.Event | None = None) -> list[QImage]:
    """Every page of `pdf` as an image at `dpi`, on white (rendered in bands, see `_page_bands`)."""
    images: list[QImage] = []
    document = _open_pdf(pdf)
    try:
        for index in range(len(document)):
            with PDFIUM_LOCK:
                page = document[index]
            image: QImage | None = None
            painter = QPainter()
            try:
                for top, height, band in _page_bands(page, dpi, cancel):
                    if image is None:
                        image = QImage(band.width(), height, QImage.Format.Format_RGB32)
                        painter.begin(image)
                    painter.drawImage(0, top, band)
            finally:
                if painter.isActive():
                    painter.end()
                with PDFIUM_LOCK:
                    page.close()
            assert image is not None
            image.setDotsPerMeterX(round(dpi / 0.0254))
            image.setDotsPerMeterY(round(dpi / 0.0254))
            images.append(image)
    finally:
        _close_pdf(document)
    return images


@dataclass(frozen=True)
class CardPreview:
    """A rendered card: the PDF bytes and one image per page (front, then back when asked): at PREVIEW_DPI
    for a card, at SCREEN_DPI for an A4 sheet; `screen` is what the preview paints."""

    pdf: bytes
    pages: list[QImage]
    screen: list[QImage] = field(default_factory=list)


def preview(session: Session, id_number: str, sheet: str, back: bool) -> CardPreview:
    """Render one person's card for the screen (read pool).

    A preview is not a print: it renders the same card data (`cardservice.card_data`, which checks
    ``card.print``) without the audit entry that `card_pdf` writes for every PDF it hands out.
    """
    if _card_pdf is not _core_card_pdf or _core_card_data is None or _core_render_cards is None:
        pdf = card_pdf(session, [id_number], sheet=sheet, back=back)  # a replaced renderer (tests)
    else:
        pdf = offload.render_cards([_core_card_data(session, id_number)], sheet=cast(Any, sheet), back=back)
    # The screen never shows an A4 sheet larger than ~1100 pixels: scaling 3508 rows down on every paint cost
    # the GUI thread 40-130 ms, and rendering them 9 times the work (measured); a sheet is previewed at
    # SCREEN_DPI, a card at PREVIEW_DPI (its image also serves as a picture of the card).
    pages = render_pages(pdf, PREVIEW_DPI if sheet == "id1" else SCREEN_DPI)
    return CardPreview(pdf, pages, pages)


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

    Printing to a PDF file writes the card PDF itself: vectors and the exact QR, where a raster copy at 600 dpi
    would be 100 MB of pixels per A4 page to compress (seconds of GIL-holding calls, see `_page_bands`).
    """
    name = printer.printerName() or None
    pdf = card_pdf(session, [id_number], sheet=sheet, back=back, printer=name, cancel=cancel)
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        from pathlib import Path

        from console.core.atomic import atomic_write

        document = _open_pdf(pdf)
        try:
            pages = len(document)
        finally:
            _close_pdf(document)
        atomic_write(Path(printer.outputFileName()), pdf, mode=0o600)  # personal data: owner-only
        if progress is not None:
            progress(pages, pages)
        return pages
    # A printer's resolution that is a multiple of `dpi` (600 dpi and above: 1200, 2400) keeps band edges on
    # whole device pixels, so bands meet without a seam.
    dpi = min(max(printer.resolution(), 150), 600)
    document = _open_pdf(pdf)
    painter = QPainter()
    try:
        pages = len(document)
        if not painter.begin(printer):
            raise ConsoleError("The printer could not be started; check that it is connected and switched on.")
        target = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
        for index in range(pages):
            if index:
                printer.newPage()
            with PDFIUM_LOCK:
                page = document[index]
            try:
                for top, height, band in _page_bands(page, dpi, cancel):
                    y = target.top() + target.height() * top / height
                    rows = target.height() * band.height() / height
                    painter.drawImage(QRectF(target.left(), y, target.width(), rows), band)
            finally:
                with PDFIUM_LOCK:
                    page.close()
            if progress is not None:
                progress(index + 1, pages)
    except UserCancelled:
        printer.abort()
        raise UserCancelled("Printing cancelled.") from None
    finally:
        if painter.isActive():
            painter.end()
        _close_pdf(document)
    return pages


def save_pdf(session: Session, id_number: str, sheet: str, back: bool, path: str) -> str:
    """Write the card PDF to `path` (owner-only: it carries personal data)."""
    from pathlib import Path

    from console.core.atomic import atomic_write

    atomic_write(Path(path), card_pdf(session, [id_number], sheet=sheet, back=back), mode=0o600)
    return path
