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

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPen, QTransform
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
    return _card_pdf(
        session, list(targets), sheet=sheet, back=back, printer=printer, progress=progress, cancel=cancel, **extra
    )


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
            painter.drawImage(true_size_rect(printer, image, dpi), image)
            painted += 1
            if progress is not None:
                progress(painted, len(pages))
    finally:
        painter.end()
    return painted


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
    pages = render_pages(pdf, dpi, cancel)
    painted = paint_pages(printer, pages, dpi, progress, cancel)
    return PrintOutcome(painted, len(targets), offsets)


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
