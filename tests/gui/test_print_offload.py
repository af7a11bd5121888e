"""Print jobs are rendered and painted in the helper process (console/gui/cardprint.py, `print_cards`): the
raster work keeps the GIL, which stalled the GUI thread whenever the operating system preempted the worker.
The child prints on a printer set up from the officer's: every setting the print dialog may change makes the
trip unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter

from console.gui import cardprint


@pytest.mark.parametrize("sheet", ["id1", "a4"])
def test_the_sheets_printer_settings_survive_the_trip(gui_app: Any, tmp_path: Path, sheet: str) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    cardprint.configure_printer(printer, sheet)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    settings = cardprint.printer_settings(printer)
    copy = cardprint.make_printer(settings)
    assert cardprint.printer_settings(copy) == settings
    assert copy.pageLayout().fullRect(QPageLayout.Unit.Millimeter) == printer.pageLayout().fullRect(
        QPageLayout.Unit.Millimeter
    )
    assert copy.resolution() == printer.resolution() and copy.outputFileName() == str(tmp_path / "out.pdf")


def test_what_a_print_dialog_changes_survives_the_trip(gui_app: Any, tmp_path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "letter.pdf"))
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(100, 150), QPageSize.Unit.Millimeter, "Card stock", QPageSize.SizeMatchPolicy.ExactMatch),
            QPageLayout.Orientation.Landscape,
            QMarginsF(3, 4, 5, 6),
            QPageLayout.Unit.Millimeter,
        )
    )
    printer.setResolution(600)
    printer.setCopyCount(3)
    printer.setCollateCopies(False)
    printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
    printer.setColorMode(QPrinter.ColorMode.GrayScale)
    printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    printer.setDocName("cards of 3 people")
    settings = cardprint.printer_settings(printer)
    copy = cardprint.make_printer(settings)
    assert cardprint.printer_settings(copy) == settings
    assert copy.pageLayout().pageSize().size(QPageSize.Unit.Millimeter) == QSizeF(100, 150)
    assert copy.pageLayout().margins(QPageLayout.Unit.Millimeter) == QMarginsF(3, 4, 5, 6)
    # (a PDF printer has no duplex unit: it reports DuplexNone, on both sides of the trip alike)
    assert (copy.copyCount(), copy.duplex(), copy.colorMode()) == (3, printer.duplex(), QPrinter.ColorMode.GrayScale)


def test_a_print_job_is_painted_in_the_helper_process(gui_app: Any, tmp_path: Path) -> None:
    """This thread spends almost no CPU on an A4 sheet with backs at 600 dpi (2.3 s when painted here)."""
    import time

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from console.gui import offload

    pdf = tmp_path / "sheet.pdf"
    drawing = canvas.Canvas(str(pdf), pagesize=A4)
    for _ in range(2):
        drawing.rect(30, 30, 243, 153)
        drawing.showPage()
    drawing.save()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    cardprint.configure_printer(printer, "a4")
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    offload.warm_up()  # the child's start-up is not the print's
    cpu = time.thread_time()
    painted = offload.in_child(cardprint._print_in_child, pdf.read_bytes(), 600.0, cardprint.printer_settings(printer))
    assert painted == 2
    assert time.thread_time() - cpu < 0.3  # pickling 10 KB and waiting; painting here took 2.3 s of CPU
    assert (tmp_path / "printed.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_helper_process_yields_the_cpu_to_the_console(gui_app: Any) -> None:
    """The child runs nicer than the console: on a busy machine its painting must not take the CPU from a
    console thread that holds the GIL (the GUI thread would wait for it)."""
    import os

    from console.gui import offload

    ours = os.nice(0)
    assert offload.in_child(os.nice, 0) == min(19, ours + offload.CHILD_NICENESS)
