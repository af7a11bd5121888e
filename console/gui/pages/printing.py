"""Printing (clerks, supervisors): many cards at once on A4 sheets, and printer calibration.

Batch: the officer lists ID numbers (typed, pasted or loaded from a file); the cards are rendered by the core
and painted at true size (`cardprint.print_cards`), or saved as one PDF. Calibration: print a test card with
millimetre rulers, measure where it landed on the card stock, enter the offsets (the preview moves with
them), and store them for that printer (`cardservice.set_printer_offsets`); every later print on it is
shifted by them.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.core import cardservice
from console.core.errors import Conflict, NotFound, ValidationError
from console.gui import cardprint, prefs
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.pages.cards import PrintTexts, confirm_paper
from console.gui.widgets import Banner, hint_label, page_title

logger = logging.getLogger(__name__)

INLINE_ERRORS = (Conflict, NotFound, ValidationError)
MAX_LIST_BYTES = 2 * 1024 * 1024


def parse_numbers(text: str) -> list[str]:
    """ID numbers from free text: one per line or separated by commas/semicolons; grouping spaces inside a
    number are kept together when the line holds only one number (``1234 5678 90``)."""
    numbers: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "," in line or ";" in line or "\t" in line:
            parts = [p.replace(" ", "") for p in re.split(r"[,;\t]+", line)]
        else:
            parts = [line.replace(" ", "")]
        numbers += [p for p in parts if p]
    seen: set[str] = set()
    return [n for n in numbers if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]


class PrintingPage(QWidget):
    printed = Signal(object)  # cardprint.PrintOutcome
    saved = Signal(str)
    calibrated = Signal(dict)
    printers_loaded = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._printer: QPrinter | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Printing"),
                self.tr("Print many cards on A4 sheets, and calibrate a card printer so that cards sit straight."),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_batch(), icon("print"), self.tr("Many cards"))
        self.tabs.addTab(self._build_calibration(), icon("settings"), self.tr("Calibrate a printer"))
        self._load_printers()

    # ----------------------------------------------------------------------------------------- batch
    def _build_batch(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(
            hint_label(
                self.tr(
                    "One ID number per line (or separated by commas). Each person needs a credential in force; "
                    "ten cards fit on an A4 sheet."
                )
            )
        )
        self.numbers = QPlainTextEdit()
        self.numbers.setAccessibleName(self.tr("ID numbers to print"))
        self.numbers.setPlaceholderText("1234 5678 90\n2345 6789 01")
        self.numbers.textChanged.connect(self._on_numbers)
        layout.addWidget(self.numbers, 1)
        form = QFormLayout()
        self.batch_sheet = QComboBox()
        self.batch_sheet.setAccessibleName(self.tr("Sheet"))
        self.batch_sheet.addItem(self.tr("A4 sheets of ten cards"), "a4")
        self.batch_sheet.addItem(self.tr("Card printer (one card per page)"), "id1")
        self.batch_back = QCheckBox(self.tr("Also print the backs (MRZ)"))
        form.addRow(self.tr("&Sheet"), self.batch_sheet)
        form.addRow("", self.batch_back)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.count_label = hint_label("")
        self.load_button = QPushButton(icon("open"), self.tr("Load numbers from a file…"))
        self.load_button.clicked.connect(self.load_numbers)
        self.batch_print_button = QPushButton(icon("print"), self.tr("Print…"))
        self.batch_print_button.clicked.connect(self.print_batch)
        self.batch_save_button = QPushButton(icon("save"), self.tr("Save PDF…"))
        self.batch_save_button.clicked.connect(self.save_batch)
        row.addWidget(self.load_button)
        row.addWidget(self.count_label, 1)
        row.addWidget(self.batch_print_button)
        row.addWidget(self.batch_save_button)
        layout.addLayout(row)
        self._on_numbers()
        return panel

    def batch_numbers(self) -> list[str]:
        return parse_numbers(self.numbers.toPlainText())

    def _on_numbers(self) -> None:
        count = len(self.batch_numbers())
        self.count_label.setText(self.tr("%n card(s) to print.", "", count) if count else "")
        for button in (self.batch_print_button, self.batch_save_button):
            button.setEnabled(count > 0)

    def load_numbers(self) -> None:
        folder = str(prefs.recall("cards/folder", str(Path.home())))
        path = dialogs().open_file(self, self.tr("Load ID numbers"), self.tr("Text or CSV files (*.txt *.csv)"), folder)
        if not path:
            return
        from console.core.atomic import read_bounded

        try:
            text = read_bounded(Path(path), MAX_LIST_BYTES, "list").decode("utf-8-sig")
        except UnicodeDecodeError:
            self.banner.show_message("error", self.tr("Cannot read the file"), self.tr("Save it as UTF-8 text."))
            return
        except ValidationError as e:
            self.banner.show_message("error", self.tr("Cannot read the file"), str(e))
            return
        # A CSV's first column (its header, if any, is not a number and is dropped by the core's refusal).
        lines = [line.split(",")[0].strip() for line in text.splitlines()]
        lines = [line for line in lines if line and any(ch.isdigit() for ch in line)]
        self.numbers.setPlainText("\n".join(lines))

    def print_batch(self) -> None:
        numbers = self.batch_numbers()
        if not numbers:
            return
        sheet = str(self.batch_sheet.currentData())
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        cardprint.configure_printer(printer, sheet)
        if not dialogs().print_setup(self, printer) or not confirm_paper(self, printer, sheet):
            return
        self._printer = printer
        self.batch_print_button.setEnabled(False)
        self._ctx.runner.write(
            "print cards",
            cardprint.print_cards,
            self._ctx.session,
            numbers,
            sheet,
            self.batch_back.isChecked(),
            printer,
            progress=True,
        ).then(self, self._on_printed, self._on_failed)

    def _on_printed(self, outcome: Any) -> None:
        assert isinstance(outcome, cardprint.PrintOutcome)
        self._printer = None
        self.batch_print_button.setEnabled(True)
        self.banner.show_message("success", self.tr("Sent to the printer"), PrintTexts().printed(outcome))
        self.printed.emit(outcome)

    def save_batch(self) -> None:
        numbers = self.batch_numbers()
        if not numbers:
            return
        folder = str(prefs.recall("cards/folder", str(Path.home())))
        path = dialogs().save_file(
            self, self.tr("Save the cards as PDF"), str(Path(folder) / "cards.pdf"), self.tr("PDF files (*.pdf)")
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        prefs.remember("cards/folder", str(Path(path).parent))
        self.batch_save_button.setEnabled(False)
        self._ctx.runner.write(
            "save cards",
            cardprint.save_pdf,
            self._ctx.session,
            numbers,
            str(self.batch_sheet.currentData()),
            self.batch_back.isChecked(),
            path,
            progress=True,
        ).then(self, self._on_saved, self._on_failed)

    def _on_saved(self, path: Any) -> None:
        self.batch_save_button.setEnabled(True)
        self.banner.show_message("success", self.tr("Cards saved"), str(path))
        self.saved.emit(str(path))

    # ----------------------------------------------------------------------------------------- calibration
    def _build_calibration(self) -> QWidget:
        panel = QWidget()
        layout = QHBoxLayout(panel)
        left = QVBoxLayout()
        left.addWidget(
            hint_label(
                self.tr(
                    "1. Print the test card on card stock. 2. Measure how far the printed outline lies right of "
                    "and below the card's edges (negative: left or up). 3. Enter the offsets and save them; "
                    "cards printed on this printer are then moved back by as much."
                )
            )
        )
        form = QFormLayout()
        self.printer_name = QComboBox()
        self.printer_name.setEditable(True)
        self.printer_name.setAccessibleName(self.tr("Printer"))
        self.printer_name.currentTextChanged.connect(self._on_printer_chosen)
        self.offset_x = self._offset_box(self.tr("Offset to the right"))
        self.offset_y = self._offset_box(self.tr("Offset downwards"))
        form.addRow(self.tr("&Printer"), self.printer_name)
        form.addRow(self.tr("&Right by"), self.offset_x)
        form.addRow(self.tr("&Down by"), self.offset_y)
        left.addLayout(form)
        buttons = QHBoxLayout()
        self.test_button = QPushButton(icon("print"), self.tr("Print test card…"))
        self.test_button.clicked.connect(self.print_test_card)
        self.store_button = QPushButton(icon("save"), self.tr("Save calibration"))
        self.store_button.clicked.connect(self.store_calibration)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.store_button)
        left.addLayout(buttons)
        left.addStretch(1)
        layout.addLayout(left, 2)
        self.calibration_preview = CalibrationPreview()
        self.calibration_preview.setAccessibleName(self.tr("Test card preview"))
        layout.addWidget(self.calibration_preview, 3)
        self.offset_x.valueChanged.connect(self._on_offsets)
        self.offset_y.valueChanged.connect(self._on_offsets)
        self._stored: dict[str, tuple[float, float]] = {}
        return panel

    def _offset_box(self, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-cardservice.MAX_OFFSET_MM, cardservice.MAX_OFFSET_MM)
        box.setDecimals(1)
        box.setSingleStep(0.1)
        box.setSuffix(self.tr(" mm"))
        box.setAccessibleName(name)
        return box

    def _on_offsets(self) -> None:
        self.calibration_preview.set_offsets(self.offset_x.value(), self.offset_y.value())

    def _load_printers(self) -> None:
        self._ctx.runner.read("printers", cardservice.list_printers, self._ctx.session).then(
            self, self._on_printers, self._on_failed
        )

    def _on_printers(self, rows: Any) -> None:
        self._stored = {str(r["printer"]): (float(r["offset_x"]), float(r["offset_y"])) for r in rows}
        names = sorted(set(QPrinterInfo.availablePrinterNames()) | set(self._stored))
        current = self.printer_name.currentText()
        self.printer_name.blockSignals(True)  # the officer may have typed a name and offsets meanwhile: keep them
        self.printer_name.clear()
        self.printer_name.addItems(names)
        self.printer_name.setCurrentText(current)
        self.printer_name.blockSignals(False)
        if not current:
            self._on_printer_chosen(self.printer_name.currentText())
        self.printers_loaded.emit()

    def _on_printer_chosen(self, name: str) -> None:
        stored = self._stored.get(" ".join(name.split()))
        if stored is not None:  # a known printer: its calibration; a new name keeps what is entered
            self.offset_x.setValue(stored[0])
            self.offset_y.setValue(stored[1])

    def print_test_card(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        name = self.printer_name.currentText().strip()
        if name:
            printer.setPrinterName(name)
        cardprint.configure_printer(printer, "id1")
        if not dialogs().print_setup(self, printer):
            return
        self._printer = printer
        self._ctx.runner.write(
            "print test card", cardprint.print_test_card, printer, (self.offset_x.value(), self.offset_y.value())
        ).then(
            self,
            lambda _n: self.banner.show_message(
                "success",
                self.tr("Test card sent"),
                self.tr("Measure where the outline landed and enter the offsets."),
            ),
            self._on_failed,
        )

    def store_calibration(self) -> None:
        name = self.printer_name.currentText()
        self.store_button.setEnabled(False)
        self._ctx.runner.write(
            "calibrate printer",
            cardservice.set_printer_offsets,
            self._ctx.session,
            name,
            (self.offset_x.value(), self.offset_y.value()),
        ).then(self, self._on_stored, self._on_failed)

    def _on_stored(self, result: Any) -> None:
        self.store_button.setEnabled(True)
        self._stored[str(result["printer"])] = (float(result["offset_x"]), float(result["offset_y"]))
        self.banner.show_message(
            "success",
            self.tr("Calibration saved"),
            self.tr("Cards printed on {printer} move {x:+.1f} mm right and {y:+.1f} mm down.").format(
                printer=result["printer"], x=result["offset_x"], y=result["offset_y"]
            ),
        )
        self.calibrated.emit(dict(result))

    # ----------------------------------------------------------------------------------------- errors
    def _on_failed(self, exc: BaseException) -> None:
        self._printer = None
        self.store_button.setEnabled(True)
        self._on_numbers()
        if isinstance(exc, INLINE_ERRORS):
            self.banner.show_message("error", self.tr("Not done"), str(exc))
            return
        self._ctx.fail(self, exc)


class CalibrationPreview(QWidget):
    """The card stock (grey) and the test card as it will print with the offsets (outline and rulers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.offsets = (0.0, 0.0)
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_offsets(self, x: float, y: float) -> None:
        self.offsets = (x, y)
        self.setAccessibleDescription(f"{x:+.1f} mm, {y:+.1f} mm")
        self.update()

    def card_rects(self) -> tuple[QRectF, QRectF, float]:
        """(stock, printed card, pixels per mm): the stock centred with room for the largest offsets."""
        width_mm = cardprint.CARD_SIZE_MM[0] + 2 * cardservice.MAX_OFFSET_MM
        height_mm = cardprint.CARD_SIZE_MM[1] + 2 * cardservice.MAX_OFFSET_MM
        per_mm = min(self.width() / width_mm, self.height() / height_mm)
        w, h = cardprint.CARD_SIZE_MM[0] * per_mm, cardprint.CARD_SIZE_MM[1] * per_mm
        stock = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
        card = stock.translated(self.offsets[0] * per_mm, self.offsets[1] * per_mm)
        return stock, card, per_mm

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        stock, card, per_mm = self.card_rects()
        painter.fillRect(stock, QColor("#D9DEE3"))
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawRect(stock)
        painter.save()
        painter.setClipRect(QRectF(self.rect()))
        painter.fillRect(card, QColor(255, 255, 255, 170))
        cardprint.draw_test_card(painter, card, per_mm)
        painter.restore()
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(
            self.rect().adjusted(4, 4, -4, -4),
            int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter),
            self.tr("grey: the card stock · outline: where the test card prints"),
        )
        painter.end()
