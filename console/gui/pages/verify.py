"""Verify a card: scanner input, a picture or a PDF, and a large verdict with the holder's data.

USB barcode scanners act as keyboards ("keyboard wedge"): they type the QR text and press Enter. The input is
a plain line edit that verifies on Enter and is cleared and refocused after each verdict, ready for the next
card. Nothing filters the text: the Base45 alphabet includes space and ``$%*+-./:``, which a stricter field
would drop. No login is needed (DESIGN §1: anyone may check a card); the keys come from the office's trust
list and the status from its records.

Only the newest check speaks: each scan or file gets a generation number, the verdict frame shows
"Checking…" (and no holder data) until its answer arrives, and an answer or failure of an older check that
arrives later (reads run in parallel; a picture takes longer than a scan) is dropped. Otherwise a slow VALID
of the previous card could replace the FORGED of the card in the clerk's hand.

Without a login (standalone) the screen may stand unattended at a counter: the holder's data is cleared when
the officer goes back to the login screen and after `FORGET_AFTER_S` without input.

A camera (QtMultimedia, `console/gui/camera.py`) is a third way in: "Scan with camera" shows its picture and
every QR code read from it is checked like a scan. The button looks for a camera once QtMultimedia has been
loaded off the GUI thread, follows cameras being plugged in and out, and says "No camera found" (disabled) on
a computer without one. The camera stops when the screen is left or the verdict is forgotten.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.core import claim169, coding, foreigntrust, issuance, scanning
from console.core.atomic import read_bounded
from console.core.credentials import Verdict
from console.core.errors import ConsoleError
from console.core.office import Office
from console.gui import camera, offload, prefs
from console.gui.dialogs import dialogs, report_error
from console.gui.icons import icon
from console.gui.idle import IdleGuard
from console.gui.models import format_id
from console.gui.tasks import TaskRunner
from console.gui.texts import sex_name
from console.gui.widgets import elide_words, hint_label, page_title, repolish

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QMediaDevices

logger = logging.getLogger(__name__)

# verdict status → (style kind, icon)
VERDICT_LOOK = {
    "valid": ("valid", "valid"),
    "revoked": ("invalid", "revoked"),
    "suspended": ("caution", "suspended"),
    "superseded": ("caution", "superseded"),
    "expired": ("caution", "expired"),
    "bad-signature": ("invalid", "forged"),
    "unknown-issuer": ("invalid", "unknown-issuer"),
    "malformed": ("invalid", "malformed"),
    "not-yet-valid": ("caution", "expired"),
    "encrypted": ("invalid", "malformed"),
    "status-unknown": ("invalid", "unknown-issuer"),
}
# Holder data a verifier shows in its own rows; every other attribute goes to "Other data" (issue 11).
_SHOWN_IN_ROWS = {"full_name", "secondary_full_name", "id_number", "birth_date", "sex", "location_code", "country"}


def verify_text(office: Office, text: str) -> Verdict:
    """The verdict for scanned text against the office's trust list and records (read pool)."""
    # the authority's office keys plus other authorities' keys imported with `trust import` (issue 11)
    return issuance.verify(text, trust=foreigntrust.verifier_trust_list(office), office=office)


def verify_file(office: Office, path: str) -> tuple[Verdict, int]:
    """The verdict for the first QR code in a picture or PDF, and how many codes the file held."""
    file = Path(path)
    try:
        data = read_bounded(file, scanning.MAX_INPUT_BYTES, "picture or PDF")
    except ConsoleError as e:
        return Verdict(valid=False, status="malformed", reason=str(e)), 0
    try:
        texts = offload.qr_texts(data, file.name)  # in a child process: PDFium and zxing hold the GIL for long
    except scanning.ScanError as e:
        return Verdict(valid=False, status="malformed", reason=str(e)), 0
    return verify_text(office, texts[0]), len(texts)


class VerifyPage(QWidget):
    """Scan, verdict, holder."""

    # Standalone only: the verdict and the holder's data go after this long without input.
    FORGET_AFTER_S = 120.0
    PHOTO_SIZE = 128

    verified = Signal(object)  # Verdict
    back_requested = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        office: Office,
        scheme: str = "",
        *,
        standalone: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._office = office
        self._scheme = scheme
        self.last_verdict: Verdict | None = None
        self._generation = 0  # of the newest check; older answers are dropped
        self._standalone = standalone
        self._forget: IdleGuard | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        top = QHBoxLayout()
        top.addWidget(
            page_title(
                self.tr("Verify a card"),
                self.tr(
                    "Scan the QR code with the barcode scanner (it types the code and presses Enter), paste the "
                    "text, or open a picture or PDF of the card."
                ),
            ),
            1,
        )
        if standalone:
            back = QPushButton(icon("login"), self.tr("Back to login"))
            back.clicked.connect(self._on_back_clicked)
            top.addWidget(back, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        row = QHBoxLayout()
        self.scan = QLineEdit()
        self.scan.setObjectName("ScanInput")
        self.scan.setAccessibleName(self.tr("Scanned QR text"))
        self.scan.setPlaceholderText(self.tr("Scan now, or paste the QR text and press Enter"))
        self.scan.returnPressed.connect(self.verify_scanned)
        row.addWidget(self.scan, 1)
        self.verify_button = QPushButton(icon("verify"), self.tr("Verify"))
        self.verify_button.clicked.connect(self.verify_scanned)
        row.addWidget(self.verify_button)
        self.open_button = QPushButton(icon("open"), self.tr("Open picture or PDF…"))
        self.open_button.setToolTip(self.tr("Open a photo, scan or PDF of the card (Ctrl+O)"))
        self.open_button.clicked.connect(self.choose_file)
        row.addWidget(self.open_button)
        self.camera_button = QPushButton(icon("camera"), self.tr("Looking for a camera…"))
        self.camera_button.setCheckable(True)
        self.camera_button.setEnabled(False)
        self.camera_button.setAccessibleName(self.tr("Scan with camera"))
        self.camera_button.toggled.connect(self._on_camera_toggled)
        row.addWidget(self.camera_button)
        layout.addLayout(row)
        self.camera_view: camera.CameraView | None = None  # built on first use
        self.scanner: camera.CameraScanner | None = None
        self._devices: QMediaDevices | None = None  # cameras plugged in and out
        self._camera_box = QVBoxLayout()
        layout.addLayout(self._camera_box)
        runner.read("camera warm-up", camera.warm_up).then(self, self._on_camera_warm, self._on_camera_warm_failed)
        QShortcut(
            QKeySequence.StandardKey.Open, self, self.choose_file, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

        self.verdict = QFrame()
        self.verdict.setObjectName("Verdict")
        verdict_layout = QVBoxLayout(self.verdict)
        verdict_layout.setContentsMargins(20, 16, 20, 16)
        head = QHBoxLayout()
        self.verdict_icon = QLabel()
        self.verdict_icon.setFixedSize(56, 56)
        head.addWidget(self.verdict_icon, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        self.verdict_title = QLabel()
        self.verdict_title.setObjectName("VerdictTitle")
        self.verdict_title.setWordWrap(True)
        self.verdict_advice = QLabel()
        self.verdict_advice.setWordWrap(True)
        bold = self.verdict_advice.font()
        bold.setBold(True)
        self.verdict_advice.setFont(bold)
        self.verdict_reason = QLabel()
        self.verdict_reason.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_reason.setObjectName("VerdictReason")
        self.verdict_reason.setWordWrap(True)
        self.verdict_reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.verdict_title)
        titles.addWidget(self.verdict_advice)
        titles.addWidget(self.verdict_reason)
        head.addLayout(titles, 1)
        verdict_layout.addLayout(head)

        self.holder = QWidget()
        holder_form = QFormLayout(self.holder)
        holder_form.setContentsMargins(72, 8, 0, 0)
        holder_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._holder_values: dict[str, QLabel] = {}
        # The face image a card carries (Claim 169 attribute 62 or the older 16): compare it with the holder.
        self.photo = QLabel()
        self.photo.setObjectName("VerdictPhoto")
        self.photo.setFixedSize(self.PHOTO_SIZE, self.PHOTO_SIZE)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        holder_form.addRow(self.tr("Photo"), self.photo)
        for key, label in (
            ("name", self.tr("Name")),
            ("entered", self.tr("Name as written")),
            ("id_number", self.tr("ID number")),
            ("birth", self.tr("Born")),
            ("sex", self.tr("Sex")),
            ("place", self.tr("Birthplace")),
            ("issuer", self.tr("Issued by")),
            ("expires", self.tr("Expires")),
            ("credential", self.tr("Credential")),
            ("status", self.tr("Status checked")),
            ("other", self.tr("Other data")),
            ("signature", self.tr("Signature")),
        ):
            value = QLabel()
            value.setTextFormat(Qt.TextFormat.PlainText)  # what a card claims, even a forged one: never HTML
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._holder_values[key] = value
            holder_form.addRow(label, value)
        verdict_layout.addWidget(self.holder)
        layout.addWidget(self.verdict)
        self.verdict.hide()

        self.empty = hint_label(
            self.tr("No card checked yet. The verdict appears here: valid, revoked, suspended, expired, forged…")
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        layout.addStretch(1)
        self.setTabOrder(self.scan, self.verify_button)
        self.setTabOrder(self.verify_button, self.open_button)
        self.setTabOrder(self.open_button, self.camera_button)

    def focus_first(self) -> None:
        self.scan.setFocus()

    # --------------------------------------------------------------------------------------------- camera
    def _on_camera_warm(self, _result: object = None) -> None:
        from PySide6.QtMultimedia import QMediaDevices

        if self._devices is None:
            self._devices = QMediaDevices(self)
            self._devices.videoInputsChanged.connect(self._on_cameras_changed)
        self._on_cameras_changed()

    def _on_camera_warm_failed(self, exc: BaseException) -> None:
        logger.warning("QtMultimedia could not be loaded: %s", exc)
        self._show_camera_state(False)

    def _on_cameras_changed(self) -> None:
        self._show_camera_state(bool(camera.camera_devices()))

    def _show_camera_state(self, present: bool) -> None:
        """The button says whether there is a camera; one unplugged while scanning stops the scanning."""
        if not present and self.camera_button.isChecked():
            self.camera_button.setChecked(False)
        self.camera_button.setEnabled(present)
        self.camera_button.setText(self.tr("Scan with camera") if present else self.tr("No camera found"))
        self.camera_button.setToolTip(
            self.tr("Hold the card's QR code in front of the camera; each card is checked once.")
            if present
            else self.tr("No camera is connected to this computer. Use the barcode scanner, or open a picture or PDF.")
        )

    def ensure_camera_view(self) -> camera.CameraView:
        """The camera picture and its QR reader, built the first time they are needed."""
        if self.camera_view is None:
            self.camera_view = camera.CameraView()
            self.camera_view.setMaximumHeight(300)
            self.camera_view.hide()
            self.camera_view.failed.connect(self._on_camera_failed)
            self._camera_box.addWidget(self.camera_view)
            self.scanner = camera.CameraScanner(self._runner, self.camera_view.sink, self)
            self.scanner.scanned.connect(self.check_text)
        return self.camera_view

    def _on_camera_toggled(self, on: bool) -> None:
        view = self.ensure_camera_view()
        assert self.scanner is not None
        if on and not view.start():
            self._show_camera_state(False)
            return
        if not on:
            view.stop()
        view.setVisible(on)
        self.scanner.set_active(on)
        self.scan.setFocus()  # the scanner wedge keeps working beside the camera

    def _on_camera_failed(self, sentence: str) -> None:
        self.camera_button.setChecked(False)
        if self.camera_view is not None:
            self.camera_view.show()  # its status line says why it stopped

    def stop_camera(self) -> None:
        if self.camera_button.isChecked():
            self.camera_button.setChecked(False)

    def hideEvent(self, event: QHideEvent) -> None:
        self.stop_camera()  # no camera running behind another screen or the login screen
        super().hideEvent(event)

    # --------------------------------------------------------------------------------------------- inputs
    def verify_scanned(self) -> None:
        text = self.scan.text().strip()
        if not text:
            self.scan.setFocus()
            return
        self.scan.clear()
        self.scan.setFocus()
        self.check_text(text)

    def check_text(self, text: str) -> None:
        """Check QR text that arrived some other way (scanned into the login form)."""
        generation = self._begin_check()
        self._runner.read("verify", verify_text, self._office, text).then(
            self, lambda v: self._on_verdict(generation, v, 1), lambda e: self._on_failed(generation, e)
        )

    def choose_file(self) -> None:
        path = dialogs().open_file(
            self,
            self.tr("Open a picture or PDF of the card"),
            self.tr("Pictures and PDF (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pdf)"),
            str(prefs.recall("verify/folder", "")),
        )
        if path:
            prefs.remember("verify/folder", str(Path(path).parent))
            self.verify_path(path)

    def verify_path(self, path: str) -> None:
        generation = self._begin_check()
        self._runner.read("verify file", verify_file, self._office, path).then(
            self, lambda r: self._on_verdict(generation, r[0], r[1]), lambda e: self._on_failed(generation, e)
        )

    @property
    def checking(self) -> bool:
        """True while the newest check has not answered."""
        return bool(self.verdict.property("kind") == "checking")

    def _begin_check(self) -> int:
        """A new check: the previous verdict and holder go away at once, "Checking…" shows until it answers."""
        self._generation += 1
        self.last_verdict = None
        self.verdict.setProperty("kind", "checking")
        repolish(self.verdict)
        self.verdict_icon.setPixmap(icon("verify").pixmap(56, 56))
        self.verdict_title.setText(self.tr("Checking…"))
        self.verdict_advice.setText(self.tr("Wait for the verdict before accepting the card."))
        self.verdict_reason.setText("")
        self.holder.hide()
        self.verdict.setAccessibleName(self.verdict_title.text())
        self.verdict.setAccessibleDescription("")
        self.empty.hide()
        self.verdict.show()
        return self._generation

    def _on_verdict(self, generation: int, verdict: Any, codes: int) -> None:
        if generation != self._generation:
            logger.debug("dropped the verdict of an earlier check")
            return
        self._show(verdict, codes)

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            logger.info("an earlier check failed after a newer one started: %s", exc)
            return
        self.verdict.hide()
        self.empty.show()
        report_error(self, exc)

    # --------------------------------------------------------------------------------------------- verdict
    def _show(self, verdict: Any, codes: int = 1) -> None:
        assert isinstance(verdict, Verdict)
        self.last_verdict = verdict
        look, icon_name = VERDICT_LOOK.get(verdict.status, ("invalid", "malformed"))
        if verdict.status == "valid" and not verdict.status_checked:
            look = "caution"
        self.verdict.setProperty("kind", look)
        repolish(self.verdict)
        self.verdict_icon.setPixmap(icon(icon_name).pixmap(56, 56))
        self.verdict_title.setText(self._title(verdict))
        self.verdict_advice.setText(self._advice(verdict, look))
        reason = verdict.reason
        if codes > 1:
            reason += "\n" + self.tr("The file holds {count} QR codes; this is the first.").format(count=codes)
        self.verdict_reason.setText(elide_words(reason))  # it may name a long file
        claims = verdict.claims
        self.holder.setVisible(bool(claims))
        if claims:
            values = self._holder_values
            values["name"].setText(str(claims.get("full_name") or ""))
            values["entered"].setText(str(claims.get("secondary_full_name") or "—"))
            values["id_number"].setText(format_id(str(claims.get("id_number") or "")))
            values["birth"].setText(str(claims.get("birth_date") or ""))
            values["sex"].setText(sex_name(str(claims.get("sex") or "")))
            place = str(claims.get("location_code") or "")
            place_name = coding.region_name(self._scheme, place) if self._scheme and place else None
            values["place"].setText(f"{place} — {place_name}" if place_name else place or "—")
            values["issuer"].setText(f"{verdict.issuer or ''} ({claims.get('country') or ''})")
            values["expires"].setText((verdict.expires or "")[:10])
            values["credential"].setText(verdict.credential_id or "")
            values["status"].setText(
                self.tr("yes, as of {time}").format(time=(verdict.status_as_of or "").replace("T", " ")[:16])
                if verdict.status_checked
                else self.tr("no")
            )
            other = [
                f"{label}: {text}"
                for label, text in claim169.display_rows({k: v for k, v in claims.items() if k not in _SHOWN_IN_ROWS})
            ]
            values["other"].setText("\n".join(line.replace("\n", " / ") for line in other) or "—")
            if verdict.algorithm:
                where = {
                    "protected": self.tr("kid in the protected header"),
                    "unprotected": self.tr("kid in the unprotected header"),
                    "none": self.tr("no kid"),
                }.get(str(verdict.kid_location), "")
                crypt = (
                    self.tr("encrypted ({alg})").format(alg=verdict.encrypted)
                    if verdict.encrypted
                    else self.tr("not encrypted")
                )
                values["signature"].setText(f"{verdict.algorithm}, {where}, {crypt}")
            else:
                values["signature"].setText("—")
            for value in values.values():  # a forged card may claim anything, of any length
                value.setText(elide_words(value.text()))
            self._show_photo(claims)
        self.verdict.setAccessibleName(self.verdict_title.text())
        self.verdict.setAccessibleDescription(verdict.reason)
        self.empty.hide()
        self.verdict.show()
        self._start_forgetting()
        self.verified.emit(verdict)

    def _show_photo(self, claims: dict[str, Any]) -> None:
        """The card's face image, scaled to fit; nothing when there is none or Qt cannot read its format."""
        self.photo.clear()
        data = claims.get("photo")
        pixmap = QPixmap()
        if isinstance(data, str) and claims.get("photo_format") in claim169.SHOWABLE_IMAGES:
            pixmap.loadFromData(base64.b64decode(data))
        if pixmap.isNull():
            self.photo.setText(self.tr("none") if data is None else self.tr("not shown (format)"))
            return
        self.photo.setPixmap(
            pixmap.scaled(
                self.PHOTO_SIZE,
                self.PHOTO_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def clear_verdict(self) -> None:
        """Forget the last card: verdict, holder data, the scan field; an answer still on its way is dropped."""
        self._generation += 1
        self._stop_forgetting()
        self.stop_camera()
        self.last_verdict = None
        self.scan.clear()
        self.verdict_title.clear()
        self.verdict_advice.clear()
        self.verdict_reason.clear()
        for value in self._holder_values.values():
            value.clear()
        self.photo.clear()
        self.verdict.setAccessibleName("")
        self.verdict.setAccessibleDescription("")
        self.verdict.hide()
        self.empty.show()

    def _on_back_clicked(self) -> None:
        self.clear_verdict()
        self.back_requested.emit()

    def _start_forgetting(self) -> None:
        if self._standalone and self._forget is None:
            self._forget = IdleGuard(self.FORGET_AFTER_S, parent=self)
            self._forget.timed_out.connect(self._on_forget_timed_out)

    def _stop_forgetting(self) -> None:
        if self._forget is not None:
            self._forget.stop()
            self._forget.deleteLater()
            self._forget = None

    def _on_forget_timed_out(self) -> None:
        logger.info("verify screen idle: the last card's data is cleared")
        self.clear_verdict()

    def _title(self, verdict: Verdict) -> str:
        titles = {
            "valid": self.tr("VALID"),
            "revoked": self.tr("REVOKED"),
            "suspended": self.tr("SUSPENDED"),
            "superseded": self.tr("REPLACED BY A NEWER CARD"),
            "expired": self.tr("EXPIRED"),
            "bad-signature": self.tr("FORGED OR ALTERED"),
            "unknown-issuer": self.tr("UNKNOWN ISSUER"),
            "malformed": self.tr("NOT A READABLE CARD CODE"),
            "not-yet-valid": self.tr("NOT YET VALID"),
            "encrypted": self.tr("ENCRYPTED"),
            "status-unknown": self.tr("STATUS COULD NOT BE CHECKED"),
        }
        return titles.get(verdict.status, verdict.status.upper())

    def _advice(self, verdict: Verdict, look: str) -> str:
        if verdict.valid and look == "valid":
            return self.tr("The card is genuine and in force. Compare the photo and data with the holder.")
        if verdict.valid:
            return self.tr("Genuine and not expired, but its revocation status could not be checked here.")
        if verdict.status == "malformed":
            return self.tr("Scan again; if it keeps failing, the code is damaged or is not an ID card.")
        return self.tr("Do not accept this card.")
