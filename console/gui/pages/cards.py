"""Issue and print: sign a new credential for a registered person, preview the card, print it or save the PDF."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPaintEvent, QPalette, QShortcut
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.core import administration, issuance
from console.core.issuance import Issued
from console.core.roles import Permission
from console.gui import cardprint, prefs, reads
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.models import format_id
from console.gui.texts import short_time, status_name
from console.gui.widgets import Banner, hint_label, page_title

logger = logging.getLogger(__name__)

ID_INPUT_MAX = 32  # the longest scheme's number (18) with grouping spaces, and room to spare


class CardsPage(QWidget):
    """Look up a person, issue a credential, preview, print, save."""

    issued = Signal(object)  # Issued
    preview_ready = Signal()
    printed = Signal(int)
    saved = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._subject: reads.CardSubject | None = None
        self._preview: cardprint.CardPreview | None = None
        self._printer: QPrinter | None = None
        self._generation = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Issue and print cards"),
                self.tr(
                    "Issuing signs a new credential; an earlier card of the same person stops being valid. "
                    "Print on a card printer (ID-1) or on an A4 sheet of ten."
                ),
            )
        )
        row = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setObjectName("CardNumber")
        self.number.setAccessibleName(self.tr("ID number"))
        self.number.setPlaceholderText(self.tr("ID number of a registered person"))
        self.number.setMaxLength(ID_INPUT_MAX)
        self.number.returnPressed.connect(self.look_up)
        self.look_up_button = QPushButton(icon("search"), self.tr("Look up"))
        self.look_up_button.clicked.connect(self.look_up)
        number_label = QLabel(self.tr("&ID number"))
        number_label.setBuddy(self.number)
        row.addWidget(number_label)
        row.addWidget(self.number, 1)
        row.addWidget(self.look_up_button)
        layout.addLayout(row)

        self.banner = Banner()
        layout.addWidget(self.banner)

        body = QHBoxLayout()
        layout.addLayout(body, 1)
        left = QVBoxLayout()
        body.addLayout(left, 2)

        self.person = QLabel()
        self.person.setObjectName("DetailName")
        self.person.setWordWrap(True)
        self.person_facts = hint_label("")
        self.credential_info = QLabel()
        self.credential_info.setWordWrap(True)
        left.addWidget(self.person)
        left.addWidget(self.person_facts)
        left.addWidget(self.credential_info)

        issue_form = QFormLayout()
        self.valid_years = QSpinBox()
        self.valid_years.setRange(1, issuance.MAX_VALID_YEARS)
        self.valid_years.setValue(10)
        self.valid_years.setSuffix(self.tr(" years"))
        self.valid_years.setAccessibleName(self.tr("Validity in years"))
        issue_form.addRow(self.tr("&Valid for"), self.valid_years)
        left.addLayout(issue_form)
        self.issue_button = QPushButton(icon("issue"), self.tr("Issue credential"))
        self.issue_button.setToolTip(self.tr("Sign a new credential for this person (Ctrl+I)"))
        self.issue_button.clicked.connect(self.issue)
        left.addWidget(self.issue_button)

        left.addSpacing(12)
        print_form = QFormLayout()
        self.sheet = QComboBox()
        self.sheet.setAccessibleName(self.tr("Sheet"))
        self.sheet.addItem(self.tr("Card printer (ID-1 card)"), "id1")
        self.sheet.addItem(self.tr("A4 sheet of ten cards"), "a4")
        self.back = QCheckBox(self.tr("Also print the back (MRZ)"))
        print_form.addRow(self.tr("&Sheet"), self.sheet)
        print_form.addRow("", self.back)
        left.addLayout(print_form)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(icon("print"), self.tr("Print…"))
        self.print_button.setToolTip(self.tr("Print the card (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_card)
        self.save_button = QPushButton(icon("save"), self.tr("Save PDF…"))
        self.save_button.setToolTip(self.tr("Save the card as a PDF file (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_card)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        left.addLayout(buttons)
        left.addStretch(1)

        self.preview = CardPreviewView()
        self.preview.setObjectName("CardPreview")
        self.preview.setAccessibleName(self.tr("Card preview"))
        body.addWidget(self.preview, 3)

        self.sheet.currentIndexChanged.connect(lambda _i: self._render_preview())
        self.back.toggled.connect(lambda _b: self._render_preview())
        for sequence, slot in (
            (QKeySequence.StandardKey.Print, self.print_card),
            (QKeySequence.StandardKey.Save, self.save_card),
            (QKeySequence("Ctrl+I"), self.issue),
        ):
            QShortcut(sequence, self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        may_issue = ctx.allows(Permission.CREDENTIAL_ISSUE)
        self.issue_button.setVisible(may_issue)
        self.valid_years.setVisible(may_issue)
        issue_form.labelForField(self.valid_years).setVisible(may_issue)
        order = [self.number, self.look_up_button, self.valid_years, self.issue_button, self.sheet, self.back]
        order += [self.print_button, self.save_button]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self._show_subject(None)
        if may_issue:  # the office's default validity (Settings), read off the GUI thread
            ctx.runner.read("card validity", administration.card_validity, ctx.session).then(
                self, lambda years: self.valid_years.setValue(int(years)), lambda e: ctx.fail(self, e)
            )

    def focus_first(self) -> None:
        self.number.setFocus()

    # ----------------------------------------------------------------------------------------- subject
    def open_person(self, id_number: str) -> None:
        self.number.setText(format_id(id_number))
        self.look_up()

    def look_up(self) -> None:
        """Look up the person whose number is typed (a new look-up: the last outcome's banner goes)."""
        text = self.number.text().replace(" ", "").strip()
        if not text:
            self.number.setFocus()
            return
        self.banner.clear()
        self._load(text)

    def _load(self, id_number: str) -> None:
        """(Re)load a person and their newest credential; leaves the banner alone."""
        self._generation += 1
        generation = self._generation
        self._ctx.runner.read("card subject", reads.card_subject, self._ctx.session, id_number).then(
            self, lambda s: self._on_subject(generation, s), self._on_lookup_failed
        )

    def _on_lookup_failed(self, exc: BaseException) -> None:
        self._show_subject(None)
        from console.core.errors import NotFound, ValidationError

        if isinstance(exc, NotFound):
            self.banner.show_message("error", self.tr("Not found"), str(exc))
            return
        if isinstance(exc, ValidationError):  # a mistyped number: the scheme's sentence, in place
            self.banner.show_message("error", self.tr("Check the ID number"), str(exc))
            return
        self._ctx.fail(self, exc)

    def _on_subject(self, generation: int, subject: Any) -> None:
        if generation != self._generation:
            return
        assert isinstance(subject, reads.CardSubject)
        self._show_subject(subject)
        self._render_preview()

    def _show_subject(self, subject: reads.CardSubject | None) -> None:
        self._subject = subject
        self._preview = None
        has_person = subject is not None
        self.issue_button.setEnabled(has_person)
        active = bool(subject and subject.credential and subject.credential["status"] == "active")
        self.print_button.setEnabled(active and cardprint.available())
        self.save_button.setEnabled(active and cardprint.available())
        if subject is None:
            self.person.setText("")
            self.person_facts.setText("")
            self.credential_info.setText("")
            self._preview_message(self.tr("Look up a person by ID number to issue or print their card."))
            return
        record = subject.record
        self.person.setText(f"{record['family_name']} {record['given_name']}")
        self.person_facts.setText(
            self.tr("{latin} · ID number {number} · born {birth}").format(
                latin=f"{record['latin_family']} {record['latin_given']}",
                number=format_id(record["id_number"]),
                birth=record["birth_date"],
            )
        )
        cred = subject.credential
        if cred is None:
            self.credential_info.setText(self.tr("No credential issued yet."))
            self._preview_message(self.tr("Issue a credential first; its card appears here."))
        else:
            self.credential_info.setText(
                self.tr("Newest credential: {status}, issued {issued}, expires {expires}.").format(
                    status=status_name(cred["status"]),
                    issued=short_time(cred["issued_at"]),
                    expires=cred["expires_at"][:10],
                )
            )
            if cred["status"] != "active":
                self._preview_message(
                    self.tr("The newest credential is {status}: issue a new one to print a card.").format(
                        status=status_name(cred["status"])
                    )
                )

    # ----------------------------------------------------------------------------------------- issue
    def issue(self) -> None:
        subject = self._subject
        if subject is None or not self.issue_button.isVisible() or not self.issue_button.isEnabled():
            return
        cred = subject.credential
        if cred is not None and cred["status"] == "active":
            go_on = dialogs().confirm(
                self,
                self.tr("Issue a new credential?"),
                self.tr(
                    "{name} already has a credential in force. A new one replaces it: the old card will be "
                    "reported as replaced when verified. Issue a new credential?"
                ).format(name=f"{subject.record['family_name']} {subject.record['given_name']}"),
            )
            if not go_on:
                return
        self.issue_button.setEnabled(False)
        self._ctx.runner.write(
            "issue",
            issuance.issue,
            self._ctx.session,
            subject.record["id_number"],
            valid_years=self.valid_years.value(),
        ).then(self, self._on_issued, self._on_failed)

    def _on_issued(self, issued: Any) -> None:
        assert isinstance(issued, Issued)
        self.issue_button.setEnabled(True)
        text = self.tr("Credential {cid} is valid until {expires}.").format(
            cid=issued.credential_id[:12] + "…", expires=issued.expires[:10]
        )
        if issued.superseded:
            text += " " + self.tr("The earlier card is no longer valid.")
        # Reload the person (the new credential, its preview) without a new look-up's clearing of the banner;
        # if the officer has meanwhile looked up someone else, that person stays on screen.
        subject = self._subject
        if subject is not None and subject.record["id_number"] == issued.id_number:
            self._load(issued.id_number)
        self.banner.show_message("success", self.tr("Credential issued"), text)
        self._ctx.data_changed.emit("credentials")
        self.issued.emit(issued)

    def _on_failed(self, exc: BaseException) -> None:
        self.issue_button.setEnabled(self._subject is not None)
        self.print_button.setEnabled(self._preview is not None)
        self.save_button.setEnabled(self._preview is not None)
        self._ctx.fail(self, exc)

    # ----------------------------------------------------------------------------------------- preview
    def _sheet(self) -> str:
        return str(self.sheet.currentData())

    def _render_preview(self) -> None:
        subject = self._subject
        if subject is None or subject.credential is None or subject.credential["status"] != "active":
            return
        if not cardprint.available():
            self._preview_message(self.tr("Card printing is not available in this build of the console."))
            return
        self._preview_message(self.tr("Rendering the card…"))
        self._generation += 1
        generation = self._generation
        self._ctx.runner.read(
            "card preview",
            cardprint.preview,
            self._ctx.session,
            subject.record["id_number"],
            self._sheet(),
            self.back.isChecked(),
        ).then(self, lambda p: self._on_preview(generation, p), self._on_preview_failed)

    def _on_preview(self, generation: int, preview: Any) -> None:
        if generation != self._generation:
            return
        assert isinstance(preview, cardprint.CardPreview)
        self._preview = preview
        self.preview.set_pages(preview.pages, preview.screen)
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.preview_ready.emit()

    def _on_preview_failed(self, exc: BaseException) -> None:
        self._preview_message(self.tr("The card could not be rendered."))
        self._ctx.fail(self, exc)

    def _preview_message(self, text: str) -> None:
        self.preview.set_message(text)

    # ----------------------------------------------------------------------------------------- output
    def print_card(self) -> None:
        subject = self._subject
        if subject is None or not self.print_button.isEnabled():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        cardprint.configure_printer(printer, self._sheet())
        if not dialogs().print_setup(self, printer) or not confirm_paper(self, printer, self._sheet()):
            return
        self._printer = printer  # kept alive until the job ends
        self.print_button.setEnabled(False)
        self._ctx.runner.write(
            "print card",
            cardprint.print_cards,
            self._ctx.session,
            subject.record["id_number"],
            self._sheet(),
            self.back.isChecked(),
            printer,
            progress=True,
        ).then(self, self._on_printed, self._on_failed)

    def _on_printed(self, outcome: Any) -> None:
        assert isinstance(outcome, cardprint.PrintOutcome)
        self._printer = None
        self.print_button.setEnabled(True)
        self.banner.show_message("success", self.tr("Sent to the printer"), printed_text(outcome))
        self.printed.emit(outcome.pages)

    def save_card(self) -> None:
        subject = self._subject
        if subject is None or not self.save_button.isEnabled():
            return
        folder = str(prefs.recall("cards/folder", str(Path.home())))
        suggested = str(Path(folder) / f"card-{subject.record['id_number']}.pdf")
        path = dialogs().save_file(self, self.tr("Save the card as PDF"), suggested, self.tr("PDF files (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        prefs.remember("cards/folder", str(Path(path).parent))
        self.save_button.setEnabled(False)
        self._ctx.runner.write(
            "save card",
            cardprint.save_pdf,
            self._ctx.session,
            subject.record["id_number"],
            self._sheet(),
            self.back.isChecked(),
            path,
        ).then(self, self._on_saved, self._on_failed)

    def _on_saved(self, path: Any) -> None:
        self.save_button.setEnabled(True)
        self.banner.show_message("success", self.tr("Card saved"), str(path))
        self.saved.emit(str(path))


class PrintTexts(QObject):
    """Sentences about print jobs shared by the card and printing screens (a QObject for `self.tr`, which is what
    lupdate reads plural forms from)."""

    def printed(self, outcome: cardprint.PrintOutcome) -> str:
        """ "1 page printed at true size (1 card)." and whether the printer's calibration was applied."""
        text = self.tr("%n page(s) printed at true size", "", outcome.pages)
        text += " " + self.tr("(%n card(s)).", "", outcome.cards)
        if outcome.offsets is None:
            text += " " + self.tr(
                "This printer is not calibrated; if the cards sit off-centre, calibrate it (Printing screen)."
            )
        else:
            text += " " + self.tr("Printer calibration applied: {x:+.1f} mm right, {y:+.1f} mm down.").format(
                x=outcome.offsets[0], y=outcome.offsets[1]
            )
        return text


def printed_text(outcome: cardprint.PrintOutcome) -> str:
    return PrintTexts().printed(outcome)


def confirm_paper(parent: QWidget, printer: QPrinter, sheet: str) -> bool:
    """Before printing on paper that is neither an ID-1 card nor A4: say what will happen and ask."""
    check = cardprint.check_paper(printer, sheet)
    if check.usual and not check.clipped:
        return True
    width, height = check.paper_mm
    text = QCoreApplication.translate(
        "CardsPage",
        "The printer's paper is {width:.0f} × {height:.0f} mm, neither an ID-1 card nor A4. The cards print at their "
        "true size (85.6 × 54 mm each), centred on the paper, not enlarged to fill it.",
    ).format(width=width, height=height)
    if check.usual:
        text = QCoreApplication.translate("CardsPage", "The printer's paper is {width:.0f} × {height:.0f} mm.").format(
            width=width, height=height
        )
    if check.clipped:
        text += " " + QCoreApplication.translate(
            "CardsPage", "The sheet is larger than this paper: its edges will be cut off. Choose A4 paper to print all."
        )
    return dialogs().confirm(
        parent,
        QCoreApplication.translate("CardsPage", "Print on this paper?"),
        text + " " + QCoreApplication.translate("CardsPage", "Print anyway?"),
    )


class CardPreviewView(QWidget):
    """The rendered pages, scaled to fit the space (front above back), or a sentence when there is none."""

    GAP = 14

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[QImage] = []
        self._screen: list[QImage] = []  # what is painted: the pages, or the same at screen resolution
        self._message = ""
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_pages(self, pages: list[QImage], screen: list[QImage] | None = None) -> None:
        self._pages, self._message = list(pages), ""
        self._screen = list(screen) if screen and len(screen) == len(pages) else self._pages
        self.update()

    def set_message(self, text: str) -> None:
        self._pages, self._screen, self._message = [], [], text
        self.setAccessibleDescription(text)
        self.update()

    def pages(self) -> list[QImage]:
        return list(self._pages)

    def message(self) -> str:
        return self._message

    def layout_rects(self) -> list[QRectF]:
        """Where each page is drawn: as large as fits, keeping the aspect ratio, centred."""
        if not self._pages:
            return []
        area = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        total_h = sum(p.height() / p.width() for p in self._pages)  # heights at width 1
        gaps = self.GAP * (len(self._pages) - 1)
        width = min(area.width(), (area.height() - gaps) / total_h)
        y = area.top() + (area.height() - (width * total_h + gaps)) / 2
        rects = []
        for page in self._pages:
            height = width * page.height() / page.width()
            rects.append(QRectF(area.left() + (area.width() - width) / 2, y, width, height))
            y += height + self.GAP
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if not self._pages:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.rect().adjusted(24, 0, -24, 0),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self._message,
            )
            return
        for image, rect in zip(self._screen, self.layout_rects(), strict=True):
            painter.fillRect(rect, Qt.GlobalColor.white)  # PDF pages have no background of their own
            painter.drawImage(rect, image)
            painter.setPen(QColor(0, 0, 0, 60))
            painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.end()
