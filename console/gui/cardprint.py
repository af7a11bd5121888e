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

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPen, QTransform
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
    offset_mm: tuple[float, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> bytes:
    """The core's card PDF, or a clear refusal when this build has none."""
    if _card_pdf is None:
        raise CardPrintingUnavailable(
            QCoreApplication.translate(
                "CardPrint",
                "Card printing is not available in this build of the console (the card service is missing).",
            )
        )
    extra: dict[str, Any] = {} if offset_mm is None else {"offset_mm": offset_mm}
    if _card_pdf is _core_card_pdf:  # the card is drawn in a child process (console/gui/offload.py)
        extra["renderer"] = offload.render_cards
    return _card_pdf(
        session, list(targets), sheet=sheet, back=back, printer=printer, progress=progress, cancel=cancel, **extra
    )


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


SHEET_SIZE_MM = {"id1": CARD_SIZE_MM, "a4": (210.0, 297.0)}
PAPER_TOLERANCE_MM = 1.0


def paper_size_mm(printer: QPrinter) -> tuple[float, float]:
    """The paper the printer reports, in millimetres, as it lies in the chosen orientation."""
    rect = printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter)
    return rect.width(), rect.height()


def _same_size(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Equal within a millimetre, in either orientation."""
    straight = abs(a[0] - b[0]) <= PAPER_TOLERANCE_MM and abs(a[1] - b[1]) <= PAPER_TOLERANCE_MM
    turned = abs(a[0] - b[1]) <= PAPER_TOLERANCE_MM and abs(a[1] - b[0]) <= PAPER_TOLERANCE_MM
    return straight or turned


@dataclass(frozen=True)
class PaperCheck:
    """What the paper means for a sheet: `usual` when it is ID-1 or A4; `clipped` when the sheet does not fit."""

    paper_mm: tuple[float, float]
    usual: bool
    clipped: bool


def check_paper(printer: QPrinter, sheet: str) -> PaperCheck:
    """Compare the printer's paper with the sheet (the warning before printing on unusual paper)."""
    paper = paper_size_mm(printer)
    usual = any(_same_size(paper, size) for size in SHEET_SIZE_MM.values())
    width, height = SHEET_SIZE_MM.get(sheet, CARD_SIZE_MM)
    fits = (width <= paper[0] + PAPER_TOLERANCE_MM and height <= paper[1] + PAPER_TOLERANCE_MM) or (
        height <= paper[0] + PAPER_TOLERANCE_MM and width <= paper[1] + PAPER_TOLERANCE_MM
    )
    return PaperCheck(paper, usual, not fits)


def true_size_rect(printer: QPrinter, image: QImage, dpi: float) -> QRectF:
    """Where a rendered PDF page goes on the printer's paper, in device pixels: at its own physical size
    (the image's pixels at `dpi`), centred on the paper; never scaled to the paper. A page larger than the
    paper is clipped by the paper's edges, which the officer was warned about (`check_paper`).

    A card on landscape-or-portrait paper keeps its own orientation when it fits the paper as it is; otherwise
    (an ID-1 card on portrait ID-1 stock) it is turned, so a card printer's own paper always takes the card.
    """
    resolution = printer.resolution()
    paper = QRectF(printer.pageLayout().fullRectPixels(resolution))
    width = image.width() / dpi * resolution
    height = image.height() / dpi * resolution
    return QRectF(
        paper.left() + (paper.width() - width) / 2, paper.top() + (paper.height() - height) / 2, width, height
    )


def _turned(printer: QPrinter, image: QImage, dpi: float) -> bool:
    """True when a page fits the paper only turned by 90° (card stock fed in portrait)."""
    resolution = printer.resolution()
    paper = QRectF(printer.pageLayout().fullRectPixels(resolution))
    width = image.width() / dpi * resolution
    height = image.height() / dpi * resolution
    slack = PAPER_TOLERANCE_MM / 25.4 * resolution
    fits = width <= paper.width() + slack and height <= paper.height() + slack
    fits_turned = height <= paper.width() + slack and width <= paper.height() + slack
    return not fits and fits_turned


def paint_pages(
    printer: QPrinter,
    pages: Sequence[QImage],
    dpi: float,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Paint rendered pages on `printer` at their true size, one printer page each; returns pages painted."""
    painter = QPainter()
    if not painter.begin(printer):
        raise ConsoleError(
            QCoreApplication.translate(
                "CardPrint", "The printer could not be started; check that it is connected and switched on."
            )
        )
    painted = 0
    try:
        for index, image in enumerate(pages):
            if cancel is not None and cancel.is_set():
                printer.abort()
                raise UserCancelled()
            if index and not printer.newPage():
                raise ConsoleError(
                    QCoreApplication.translate(
                        "CardPrint", "The printer refused page {number}; check it and print again."
                    ).format(number=painted + 1)
                )
            if _turned(printer, image, dpi):
                image = image.transformed(QTransform().rotate(90))
            _draw_in_bands(painter, true_size_rect(printer, image, dpi), image)
            painted += 1
            if progress is not None:
                progress(painted, len(pages))
    finally:
        painter.end()
    return painted


def _draw_in_bands(painter: QPainter, target: QRectF, image: QImage) -> None:
    """Draw `image` into `target` a band of rows at a time: one drawImage of a whole page onto a printer is a
    long C call holding the GIL (see `_page_bands`); bands let the GUI thread run in between."""
    rows_per_band = max(8, BAND_PIXELS // max(1, image.width()))
    scale = target.height() / max(1, image.height())
    for top in range(0, image.height(), rows_per_band):
        rows = min(rows_per_band, image.height() - top)
        band = image.copy(0, top, image.width(), rows)
        painter.drawImage(QRectF(target.left(), target.top() + top * scale, target.width(), rows * scale), band)


@dataclass(frozen=True)
class PrintOutcome:
    """What was sent: pages painted, cards on them, and the offsets used (None: the printer is not calibrated)."""

    pages: int
    cards: int
    offsets: tuple[float, float] | None


def stored_offsets(session: Session, printer_name: str) -> tuple[float, float] | None:
    """The printer's stored calibration, or None when it has none (or has no name, e.g. a PDF file)."""
    from console.core.cardservice import printer_offsets
    from console.core.errors import NotFound

    if not printer_name:
        return None
    try:
        return printer_offsets(session, printer_name)
    except NotFound:
        return None


def print_cards(
    session: Session,
    id_numbers: str | Sequence[str],
    sheet: str,
    back: bool,
    printer: QPrinter,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> PrintOutcome:
    """Render the card PDF for `printer` and paint it page by page at true size (write queue: the core records
    the print).

    QPainter may paint on a QPrinter outside the GUI thread; the printer object is not touched by the GUI while
    the job runs. The printer's stored calibration (if any) shifts the cards; an uncalibrated printer prints
    without offsets and the outcome says so.
    """
    targets = [id_numbers] if isinstance(id_numbers, str) else list(id_numbers)
    name = printer.printerName() if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat else ""
    offsets = stored_offsets(session, name)
    pdf = card_pdf(session, targets, sheet=sheet, back=back, offset_mm=offsets or (0.0, 0.0), cancel=cancel)
    dpi = float(min(max(printer.resolution(), 150), 600))
    if cancel is not None and cancel.is_set():
        raise UserCancelled()
    try:
        # Rendered and painted in the helper process, on a printer set up like this one: the raster work keeps
        # the GIL (PDFium's bands, QPainter.drawImage onto the printer: 2.3 s of CPU for an A4 sheet with
        # backs at 600 dpi), and in this process every moment the operating system kept the worker off a CPU
        # while it held the GIL was a stall of the GUI thread (over 100 ms beside a CPU-bound process).
        painted = offload.in_child(_print_in_child, pdf, dpi, printer_settings(printer))
        if progress is not None:
            progress(painted, painted)
    except offload.NoChild:
        pages = render_pages(pdf, dpi, cancel)
        painted = paint_pages(printer, pages, dpi, progress, cancel)
    return PrintOutcome(painted, len(targets), offsets)


def printer_settings(printer: QPrinter) -> dict[str, Any]:
    """Everything the print dialog may have set on `printer`, as plain values (for `_print_in_child`)."""
    layout = printer.pageLayout()
    size = layout.pageSize()
    margins = layout.margins()
    return {
        "printer_name": printer.printerName(),
        "pdf": printer.outputFormat() == QPrinter.OutputFormat.PdfFormat,
        "output_file": printer.outputFileName(),
        "page_size": (size.id().value, size.definitionSize().width(), size.definitionSize().height()),
        "page_size_units": size.definitionUnits().value,
        "page_size_name": size.name(),
        "orientation": layout.orientation().value,
        "margins": (margins.left(), margins.top(), margins.right(), margins.bottom()),
        "margin_units": layout.units().value,
        "layout_mode": layout.mode().value,
        "full_page": printer.fullPage(),
        "resolution": printer.resolution(),
        "copies": printer.copyCount(),
        "collate": printer.collateCopies(),
        "duplex": printer.duplex().value,
        "color": printer.colorMode().value,
        "page_order": printer.pageOrder().value,
        "doc_name": printer.docName(),
        "creator": printer.creator(),
    }


def make_printer(settings: dict[str, Any]) -> QPrinter:
    """A printer set up as `printer_settings` describes one."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if settings["printer_name"] and not settings["pdf"]:
        printer.setPrinterName(settings["printer_name"])
    if settings["pdf"]:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(settings["output_file"])
    size_id = QPageSize.PageSizeId(settings["page_size"][0])
    if size_id == QPageSize.PageSizeId.Custom:
        size = QPageSize(
            QSizeF(settings["page_size"][1], settings["page_size"][2]),
            QPageSize.Unit(settings["page_size_units"]),
            settings["page_size_name"],
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
    else:
        size = QPageSize(size_id)
    layout = QPageLayout(
        size,
        QPageLayout.Orientation(settings["orientation"]),
        QMarginsF(*settings["margins"]),
        QPageLayout.Unit(settings["margin_units"]),
    )
    layout.setMode(QPageLayout.Mode(settings["layout_mode"]))
    printer.setPageLayout(layout)
    printer.setFullPage(settings["full_page"])
    printer.setResolution(settings["resolution"])
    printer.setCopyCount(settings["copies"])
    printer.setCollateCopies(settings["collate"])
    printer.setDuplex(QPrinter.DuplexMode(settings["duplex"]))
    printer.setColorMode(QPrinter.ColorMode(settings["color"]))
    printer.setPageOrder(QPrinter.PageOrder(settings["page_order"]))
    printer.setDocName(settings["doc_name"])
    printer.setCreator(settings["creator"])
    return printer


_child_app: Any = None


def _print_in_child(pdf: bytes, dpi: float, settings: dict[str, Any]) -> int:
    """In the helper process: render `pdf` at `dpi` and paint it at true size on a printer set up as the
    officer's was; returns pages painted. The child has no window: Qt runs there on its offscreen platform."""
    global _child_app
    import os

    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _child_app = QGuiApplication(["id-console-printing"])
    printer = make_printer(settings)
    return paint_pages(printer, render_pages(pdf, dpi), dpi)


def print_test_card(printer: QPrinter, offsets: tuple[float, float]) -> int:
    """Print the calibration card: the ID-1 outline with millimetre rulers along its edges and a centre cross,
    shifted by `offsets` (mm right and down), at true size. The officer measures where the outline landed on the
    card stock and enters the difference. Returns pages printed (1)."""
    painter = QPainter()
    if not painter.begin(printer):
        raise ConsoleError(
            QCoreApplication.translate(
                "CardPrint", "The printer could not be started; check that it is connected and switched on."
            )
        )
    try:
        resolution = printer.resolution()
        paper = QRectF(printer.pageLayout().fullRectPixels(resolution))
        per_mm = resolution / 25.4
        width, height = CARD_SIZE_MM[0] * per_mm, CARD_SIZE_MM[1] * per_mm
        left = paper.left() + (paper.width() - width) / 2 + offsets[0] * per_mm
        top = paper.top() + (paper.height() - height) / 2 + offsets[1] * per_mm
        draw_test_card(painter, QRectF(left, top, width, height), per_mm)
    finally:
        painter.end()
    return 1


def draw_test_card(painter: QPainter, card: QRectF, per_mm: float) -> None:
    """The calibration card's drawing (printer and on-screen preview): outline, rulers every mm (longer every
    5 and 10 mm, numbered every 10 mm) along the top and left edges, and a centre cross."""
    pen = QPen(QColor("black"))
    pen.setWidthF(max(1.0, 0.2 * per_mm))
    painter.setPen(pen)
    painter.drawRect(card)
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(6, round(2.2 * per_mm)))
    painter.setFont(font)
    for mm in range(int(CARD_SIZE_MM[0]) + 1):
        length = (3.0 if mm % 10 == 0 else 2.0 if mm % 5 == 0 else 1.0) * per_mm
        x = card.left() + mm * per_mm
        painter.drawLine(QPointF(x, card.top()), QPointF(x, card.top() + length))
        if mm % 10 == 0 and 0 < mm < 85:
            painter.drawText(QPointF(x + 0.4 * per_mm, card.top() + 5.5 * per_mm), str(mm))
    for mm in range(int(CARD_SIZE_MM[1]) + 1):
        length = (3.0 if mm % 10 == 0 else 2.0 if mm % 5 == 0 else 1.0) * per_mm
        y = card.top() + mm * per_mm
        painter.drawLine(QPointF(card.left(), y), QPointF(card.left() + length, y))
        if mm % 10 == 0 and 0 < mm < 54:
            painter.drawText(QPointF(card.left() + 3.6 * per_mm, y + 0.9 * per_mm), str(mm))
    centre = card.center()
    arm = 4 * per_mm
    painter.drawLine(QPointF(centre.x() - arm, centre.y()), QPointF(centre.x() + arm, centre.y()))
    painter.drawLine(QPointF(centre.x(), centre.y() - arm), QPointF(centre.x(), centre.y() + arm))


def save_pdf(
    session: Session,
    id_numbers: str | Sequence[str],
    sheet: str,
    back: bool,
    path: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """Write the card PDF of one or many people to `path` (owner-only: it carries personal data)."""
    from pathlib import Path

    from console.core.atomic import atomic_write

    targets = [id_numbers] if isinstance(id_numbers, str) else list(id_numbers)
    pdf = card_pdf(session, targets, sheet=sheet, back=back, progress=progress, cancel=cancel)
    atomic_write(Path(path), pdf, mode=0o600)
    return path
