"""Register a citizen: a form that checks each field as it is typed, with the core's own rules and sentences.

The checks are the pure functions the registration service itself runs (`names.clean_name`,
`registry.parse_birth_date`, the scheme's region table), so what the form accepts the service accepts; the
service still re-checks everything on submit. The Latin form (ICAO 9303) is shown as the name is typed, so
the clerk sees at once what the card's machine-readable zone will carry.

The photo comes from a file or from a camera ("Take photo…", `camera.CameraPhotoDialog`): a camera's still is
always cropped to the 4:5 portrait and scaled like a large file, without asking, since the officer has just
seen it. The button says "No camera found" on a computer without one.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QStringListModel, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.core import coding, names, registry
from console.core.atomic import read_bounded
from console.core.errors import ValidationError
from console.core.registry import PersonInput
from console.gui import camera, prefs
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.models import format_id
from console.gui.widgets import Banner, hint_label, page_title, set_invalid

logger = logging.getLogger(__name__)

# Core field names (ValidationError.field) → form fields.
FIELD_ALIASES = {
    "family-name": "family",
    "family_name": "family",
    "given-name": "given",
    "given_name": "given",
    "birth-date": "birth",
    "sex": "sex",
    "birthplace": "birthplace",
    "photo": "photo",
    "latin_name": "family",
    "latin-family-name": "latin_family",
    "latin-given-name": "latin_given",
}
# The optional Latin forms typed by hand, and the name field each one replaces the automatic form of.
LATIN_OF = {"latin_family": "family", "latin_given": "given"}
FORM_WIDTH = 760
PARTIAL_DATE = re.compile(r"^\d{0,4}(-\d{0,2}(-\d{0,2})?)?$")


def rank_regions(items: Sequence[str], text: str) -> list[str]:
    """The ``"CODE — Name"`` entries that match `text`, best first: codes that start with it (what a clerk
    who knows the code types), then names that start with it, then entries that merely contain it.

    A plain "contains" filter lists "BGD — Bangladesh" and "COD — Congo, Democratic Republic of the" above
    "DEU — Germany" for "DE".
    """
    wanted = text.strip().casefold()
    if not wanted:
        return list(items)
    by_code, by_name, anywhere = [], [], []
    for item in items:
        code, _, name = item.partition(" — ")
        folded = item.casefold()
        if code.casefold().startswith(wanted):
            by_code.append(item)
        elif name.casefold().startswith(wanted):
            by_name.append(item)
        elif wanted in folded:
            anywhere.append(item)
    return by_code + by_name + anywhere


class RegionCompleter(QCompleter):
    """Completes a birthplace from the region table, ranked by `rank_regions`.

    QCompleter filters but does not rank, so the ranking happens in `splitPath` (which QCompleter calls with
    the typed text): the model is replaced by the ranked matches and the path returned is empty, which every
    row matches. A chosen entry is one of the combo box's own texts.
    """

    def __init__(self, items: Sequence[str], parent: QWidget | None = None) -> None:
        self._items = list(items)
        self._matches = QStringListModel(self._items)
        super().__init__(self._matches, parent)
        self._matches.setParent(self)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(12)

    def splitPath(self, path: str) -> list[str]:
        ranked = rank_regions(self._items, path)
        if ranked != self._matches.stringList():
            self._matches.setStringList(ranked)
        return [""]


MAX_SOURCE_PHOTO_BYTES = 40 * 1024 * 1024  # a camera's full-size picture; it is cropped and scaled down
PHOTO_SIZE_PX = (480, 600)  # what the card prints (600 dpi at its printed size), 4:5 portrait


@dataclass(frozen=True)
class PhotoChoice:
    """A photo ready to register; `adjusted` says it was cropped/scaled from `original` (bytes, width, height)."""

    data: bytes
    adjusted: bool = False
    original: tuple[int, int, int] = (0, 0, 0)


def _read_photo(path: str) -> PhotoChoice:
    """Read a photo; one larger than the registry allows is cropped to a 4:5 portrait and scaled down for the
    officer to confirm, instead of refused. Anything that is not a readable picture is refused by the core."""
    raw = read_bounded(Path(path), MAX_SOURCE_PHOTO_BYTES, "photo")
    try:
        return PhotoChoice(registry.check_photo(raw) or b"")
    except ValidationError as refused:
        fitted = _fit_photo(raw)
        if fitted is None:
            raise refused from None
        return fitted


def _camera_photo(image: QImage) -> PhotoChoice:
    """A camera's still as the registry's portrait (read pool); the officer has just seen it, so no question."""
    fitted = _fit_photo(camera.image_jpeg(image))
    if fitted is None:
        raise ValidationError(
            "photo",
            QCoreApplication.translate(
                "RegisterPage", "The camera's picture could not be made into a photo; take another."
            ),
        )
    return PhotoChoice(fitted.data)


def _fit_photo(raw: bytes) -> PhotoChoice | None:
    """Centre-crop to 4:5 and scale to at most `PHOTO_SIZE_PX`, as JPEG; None if it is not a picture."""
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            width, height = image.size
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    fitted = ImageOps.fit(picture, PHOTO_SIZE_PX, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    for quality in (88, 80, 70, 60):
        out = io.BytesIO()
        fitted.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= registry.MAX_PHOTO_BYTES:
            return PhotoChoice(registry.check_photo(out.getvalue()) or b"", True, (len(raw), width, height))
    return None


class RegisterPage(QWidget):
    """The registration form."""

    registered = Signal(dict)  # the service's answer (registered or pending-review)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._photo: bytes | None = None
        self._touched: set[str] = set()
        self._busy = False
        self._messages: dict[str, QLabel] = {}
        self._quiet = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Register a citizen"),
                self.tr(
                    "Enter the names exactly as on the civil-status record, in any script. Each field is checked "
                    "as you type; a likely duplicate is held for a supervisor instead of getting a number."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)

        form_box = QWidget()
        form_box.setMaximumWidth(FORM_WIDTH)
        form = QFormLayout(form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(4)

        self.family = QLineEdit()
        self.family.setAccessibleName(self.tr("Family name"))
        self.family.setPlaceholderText(self.tr("e.g. Müller, 张, 김, Иванова"))
        self.family_latin = hint_label("", "latin")
        self.given = QLineEdit()
        self.given.setAccessibleName(self.tr("Given names"))
        self.given.setPlaceholderText(self.tr("e.g. Zoë, 晓明, 민준, Анна"))
        self.given_latin = hint_label("", "latin")
        # Optional: the name in A-Z as the holder's documents spell it, or for a script no table covers.
        self.latin_family = QLineEdit()
        self.latin_family.setAccessibleName(self.tr("Latin family name"))
        self.latin_family.setPlaceholderText(self.tr("Optional: replaces the automatic Latin form, e.g. AL-RASHID"))
        self.latin_given = QLineEdit()
        self.latin_given.setAccessibleName(self.tr("Latin given names"))
        self.latin_given.setPlaceholderText(self.tr("Optional: replaces the automatic Latin form, e.g. ALI"))
        self.birth = QLineEdit()
        self.birth.setAccessibleName(self.tr("Birth date"))
        self.birth.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.birth.setInputMask("")
        self.birth.setMaxLength(10)
        self.sex = QComboBox()
        self.sex.setAccessibleName(self.tr("Sex"))
        self.sex.addItem(self.tr("— choose —"), "")
        self.sex.addItem(self.tr("F — female"), "F")
        self.sex.addItem(self.tr("M — male"), "M")
        self.sex.addItem(self.tr("X — unspecified"), "X")
        self.birthplace = QComboBox()
        self.birthplace.setEditable(True)
        self.birthplace.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.birthplace.setAccessibleName(self.tr("Birthplace"))
        place_edit = self.birthplace.lineEdit()
        assert place_edit is not None
        place_edit.setPlaceholderText(self.tr("Region code or name, e.g. DEU"))
        regions = coding.regions(ctx.info.scheme)
        self.birthplace.addItem("", "")
        for code, name in sorted(regions.items()):
            self.birthplace.addItem(f"{code} — {name}", code)
        self.birthplace.setCompleter(
            RegionCompleter([f"{code} — {name}" for code, name in sorted(regions.items())], self.birthplace)
        )

        photo_row = QHBoxLayout()
        self.photo_preview = QLabel()
        self.photo_preview.setObjectName("Photo")
        self.photo_preview.setFixedSize(72, 90)
        self.photo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_preview.setText(self.tr("No photo"))
        self.photo_preview.setWordWrap(True)
        self.photo_button = QPushButton(icon("photo"), self.tr("Choose photo…"))
        self.photo_button.setAccessibleName(self.tr("Choose photo"))
        self.photo_button.clicked.connect(self._choose_photo)
        self.camera_photo_button = QPushButton(icon("camera"), self.tr("Looking for a camera…"))
        self.camera_photo_button.setAccessibleName(self.tr("Take photo with camera"))
        self.camera_photo_button.setEnabled(False)
        self.camera_photo_button.clicked.connect(self.take_photo)
        self.camera_photo_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.photo_dialog: camera.CameraPhotoDialog | None = None
        self.photo_remove = QPushButton(icon("clear"), self.tr("Remove"))
        self.photo_remove.clicked.connect(self._remove_photo)
        self.photo_remove.setEnabled(False)
        self.photo_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.photo_remove.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        photo_buttons = QVBoxLayout()
        photo_buttons.addWidget(self.photo_button)
        photo_buttons.addWidget(self.camera_photo_button)
        photo_buttons.addWidget(self.photo_remove)
        photo_buttons.addWidget(
            hint_label(self.tr("JPEG or PNG. Optional. A larger picture is cropped and scaled; you confirm it."))
        )
        photo_buttons.addStretch(1)
        photo_row.addWidget(self.photo_preview)
        photo_row.addLayout(photo_buttons, 1)

        self._inputs: dict[str, QWidget] = {
            "family": self.family,
            "given": self.given,
            "latin_family": self.latin_family,
            "latin_given": self.latin_given,
            "birth": self.birth,
            "sex": self.sex,
            "birthplace": self.birthplace,
            "photo": self.photo_button,
        }
        labels = {
            "family": self.tr("&Family name"),
            "given": self.tr("&Given names"),
            "latin_family": self.tr("Latin family name"),
            "latin_given": self.tr("Latin given names"),
            "birth": self.tr("&Birth date"),
            "sex": self.tr("&Sex"),
            "birthplace": self.tr("Birth&place"),
            "photo": self.tr("Photo"),
        }
        extras: dict[str, QWidget] = {"family": self.family_latin, "given": self.given_latin}
        for key, widget in self._inputs.items():
            cell = QVBoxLayout()
            cell.setSpacing(2)
            if key == "photo":
                cell.addLayout(photo_row)
            else:
                cell.addWidget(widget)
            if key in extras:
                cell.addWidget(extras[key])
            message = hint_label("", "error")
            message.setAccessibleName(self.tr("{field}: problem").format(field=labels[key].replace("&", "")))
            message.hide()
            self._messages[key] = message
            cell.addWidget(message)
            holder = QWidget()
            holder.setLayout(cell)
            cell.setContentsMargins(0, 0, 0, 6)
            label = QLabel(labels[key])
            label.setBuddy(widget)
            form.addRow(label, holder)
        layout.addWidget(form_box)

        buttons_box = QWidget()
        buttons_box.setMaximumWidth(FORM_WIDTH)
        buttons = QHBoxLayout(buttons_box)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        self.clear_button = QPushButton(icon("clear"), self.tr("Clear form"))
        self.clear_button.clicked.connect(self.clear_form)
        self.submit_button = QPushButton(icon("register"), self.tr("Register"))
        self.submit_button.setDefault(True)
        self.submit_button.setToolTip(self.tr("Register this person (Ctrl+Enter)"))
        self.submit_button.clicked.connect(self.submit)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.submit_button)
        layout.addWidget(buttons_box)
        layout.addStretch(1)

        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self, self.submit, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.family.textEdited.connect(lambda _t: self._edited("family"))
        self.given.textEdited.connect(lambda _t: self._edited("given"))
        self.latin_family.textEdited.connect(lambda _t: self._edited("latin_family"))
        self.latin_given.textEdited.connect(lambda _t: self._edited("latin_given"))
        self.birth.textEdited.connect(lambda _t: self._edited("birth"))
        self.sex.currentIndexChanged.connect(lambda _i: self._edited("sex"))
        self.birthplace.currentTextChanged.connect(lambda _t: self._edited("birthplace"))
        self.birth.editingFinished.connect(lambda: self._left("birth"))
        place_edit.editingFinished.connect(lambda: self._left("birthplace"))
        self.family.returnPressed.connect(self.given.setFocus)
        self.given.returnPressed.connect(self.birth.setFocus)
        self.latin_family.returnPressed.connect(self.latin_given.setFocus)
        self.latin_given.returnPressed.connect(self.birth.setFocus)
        self.birth.returnPressed.connect(self.sex.setFocus)

        order = [self.family, self.given, self.latin_family, self.latin_given, self.birth, self.sex, self.birthplace]
        order += [self.photo_button, self.camera_photo_button, self.photo_remove]
        order += [self.clear_button, self.submit_button]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self._camera_present = False
        self._devices: Any = None  # QMediaDevices, once QtMultimedia is loaded (off the GUI thread)
        ctx.runner.read("camera warm-up", camera.warm_up).then(self, self._on_camera_warm, self._on_camera_warm_failed)

    # --------------------------------------------------------------------------------------------- checks
    def focus_first(self) -> None:
        self.family.setFocus()

    def _birthplace_code(self) -> str:
        text = self.birthplace.currentText().strip()
        index = self.birthplace.findText(text)
        if index > 0:
            return str(self.birthplace.itemData(index))
        return text.split(" ", 1)[0].upper() if text else ""

    def _edited(self, key: str) -> None:
        if self._quiet:
            return
        self._touched.add(key)
        if self.banner.kind == "error":
            self.banner.clear()
        if self._still_typing(key):
            self._mark(key, "")
            return
        self._check(key)
        if key in LATIN_OF and LATIN_OF[key] in self._touched:
            self._check(LATIN_OF[key])  # the typed form may resolve (or replace) the name field's problem

    def _still_typing(self, key: str) -> bool:
        """A date or region code that is a correct start of one is not an error yet (checked when left)."""
        if key == "birth":
            text = self.birth.text().strip()
            return len(text) < 10 and PARTIAL_DATE.match(text) is not None
        if key == "birthplace":
            text = self.birthplace.currentText().strip()
            return len(text) < 3 and text.isalpha()
        return False

    def _left(self, key: str) -> None:
        if key in self._touched and not self._quiet:
            self._check(key)

    def _check(self, key: str) -> bool:
        """Check one field with the core's rules; mark it and show the sentence. True when it is fine."""
        today = self._ctx.office.clock().date()
        try:
            if key == "family":
                self._show_latin(self.family, self.family_latin, "family", "family_name", self.latin_family)
            elif key == "given":
                self._show_latin(self.given, self.given_latin, "given", "given_name", self.latin_given)
            elif key in LATIN_OF:
                typed = self._inputs[key]
                assert isinstance(typed, QLineEdit)
                if typed.text().strip():
                    names.latin_override(typed.text(), key.replace("_", "-") + "-name")
            elif key == "birth":
                registry.parse_birth_date(self.birth.text(), today)
            elif key == "sex":
                if not self.sex.currentData():
                    raise ValidationError("sex", self.tr("Choose the sex: F, M or X."))
            elif key == "birthplace":
                code = self._birthplace_code()
                if not code:
                    raise ValidationError("birthplace", self.tr("Choose the birthplace (a region code)."))
                if not coding.is_known_region(self._ctx.info.scheme, code):
                    raise ValidationError(
                        "birthplace",
                        self.tr("The birthplace {code} is not a region code of the {scheme} scheme.").format(
                            code=code, scheme=self._ctx.info.scheme
                        ),
                    )
        except ValidationError as e:
            self._mark(key, str(e))
            return False
        self._mark(key, "")
        return True

    def _show_latin(self, edit: QLineEdit, latin_label: QLabel, part: str, field: str, typed: QLineEdit) -> None:
        """Check the name; show the Latin form the card will carry: the one typed by hand, else the automatic one."""
        text = edit.text()
        try:
            cleaned = names.clean_name(text, field)
            if typed.text().strip():
                try:
                    latin = names.latin_override(typed.text(), f"latin-{part}-name")
                except ValidationError:
                    latin_label.setText("")  # the typed field shows its own problem
                    return
                latin_label.setText(self.tr("Latin form (card, MRZ), as typed: {latin}").format(latin=latin))
                return
            latin = names.latin_form(cleaned, part)  # type: ignore[arg-type]
        except ValidationError:
            latin_label.setText("")
            raise
        latin_label.setText(self.tr("Latin form (card, MRZ): {latin}").format(latin=latin))

    def _mark(self, key: str, message: str) -> None:
        widget = self._inputs[key]
        set_invalid(widget, bool(message))
        label = self._messages[key]
        label.setText(message)
        label.setVisible(bool(message))
        widget.setAccessibleDescription(message)

    def _mark_core_error(self, exc: ValidationError) -> bool:
        key = FIELD_ALIASES.get(exc.field)
        if key is None:
            return False
        self._mark(key, str(exc))
        self._inputs[key].setFocus()
        return True

    # --------------------------------------------------------------------------------------------- photo
    def _choose_photo(self) -> None:
        folder = str(prefs.recall("register/photo_folder", ""))
        path = dialogs().open_file(self, self.tr("Choose a photo"), self.tr("Pictures (*.jpg *.jpeg *.png)"), folder)
        if not path:
            return
        prefs.remember("register/photo_folder", str(Path(path).parent))
        self.photo_button.setEnabled(False)
        self._ctx.runner.read("read photo", _read_photo, path).then(self, self._on_photo_read, self._on_photo_failed)

    def load_photo(self, path: str) -> None:
        """Load a photo file (what the file dialog does; tests call it directly)."""
        self._ctx.runner.read("read photo", _read_photo, path).then(self, self._on_photo_read, self._on_photo_failed)

    def _on_photo_read(self, choice: object) -> None:
        self.photo_button.setEnabled(True)
        assert isinstance(choice, PhotoChoice)
        if choice.adjusted:
            size, width, height = choice.original
            if not dialogs().confirm(
                self,
                self.tr("Use the photo cropped and scaled?"),
                self.tr(
                    "The photo is {width}×{height} pixels ({size} KB), larger than a card needs. It was cropped to a "
                    "portrait around the face's usual place and scaled to {out_w}×{out_h} pixels ({out_kb} KB). "
                    "Check the preview afterwards: the whole face must show. Use it?"
                ).format(
                    width=width,
                    height=height,
                    size=size // 1024,
                    out_w=PHOTO_SIZE_PX[0],
                    out_h=PHOTO_SIZE_PX[1],
                    out_kb=max(1, len(choice.data) // 1024),
                ),
            ):
                return
        data = choice.data
        self._photo = data
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.photo_preview.setPixmap(
            pixmap.scaled(
                self.photo_preview.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.photo_remove.setEnabled(True)
        self._mark("photo", "")

    def _on_photo_failed(self, exc: BaseException) -> None:
        self.photo_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._mark("photo", str(exc))
        else:
            self._ctx.fail(self, exc)

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
        self._camera_present = present
        self.camera_photo_button.setEnabled(present and not self._busy)
        self.camera_photo_button.setText(self.tr("Take photo…") if present else self.tr("No camera found"))
        self.camera_photo_button.setToolTip(
            self.tr("Take the photo with the camera connected to this computer")
            if present
            else self.tr("No camera is connected to this computer; choose a photo file instead.")
        )

    def take_photo(self) -> None:
        """Open the camera dialog (not modal-blocking: `open()`); its still becomes the photo."""
        dialog = camera.CameraPhotoDialog(self)
        dialog.taken.connect(self.use_camera_image)
        dialog.finished.connect(self._on_photo_dialog_finished)
        self.photo_dialog = dialog
        dialog.open()
        dialog.start()

    def _on_photo_dialog_finished(self, _result: int) -> None:
        if self.photo_dialog is not None:
            self.photo_dialog.deleteLater()  # its camera stopped in done()
            self.photo_dialog = None

    def use_camera_image(self, image: QImage) -> None:
        """Crop and scale a camera still off the GUI thread and show it as the photo."""
        self.photo_button.setEnabled(False)
        self._ctx.runner.read("camera photo", _camera_photo, image).then(
            self, self._on_photo_read, self._on_photo_failed
        )

    def _remove_photo(self) -> None:
        self._photo = None
        self.photo_preview.clear()
        self.photo_preview.setText(self.tr("No photo"))
        self.photo_remove.setEnabled(False)
        self._mark("photo", "")

    # --------------------------------------------------------------------------------------------- submit
    def person(self) -> PersonInput:
        return PersonInput(
            family_name=self.family.text(),
            given_name=self.given.text(),
            birth_date=self.birth.text().strip(),
            sex=str(self.sex.currentData() or ""),
            birthplace=self._birthplace_code(),
            photo=self._photo,
            latin_family_name=self.latin_family.text().strip() or None,
            latin_given_name=self.latin_given.text().strip() or None,
        )

    def submit(self) -> None:
        if self._busy:
            return
        keys = ("family", "given", "latin_family", "latin_given", "birth", "sex", "birthplace")
        results = [self._check(key) for key in keys]
        if not all(results):
            first = next(k for k, ok in zip(keys, results, strict=True) if not ok)
            self._inputs[first].setFocus()
            self.banner.show_message(
                "error", self.tr("Check the marked fields."), self.tr("Nothing was registered yet.")
            )
            return
        self._busy = True
        self._set_form_enabled(False)  # what is being registered stays what the form shows
        self.submit_button.setText(self.tr("Registering…"))
        self._ctx.runner.write("register", registry.register, self._ctx.session, self.person()).then(
            self, self._on_registered, self._on_failed
        )

    def _set_form_enabled(self, enabled: bool) -> None:
        for widget in (*self._inputs.values(), self.clear_button, self.submit_button):
            widget.setEnabled(enabled)
        self.photo_remove.setEnabled(enabled and self._photo is not None)
        self.camera_photo_button.setEnabled(enabled and self._camera_present)

    def _on_registered(self, result: object) -> None:
        self._done()
        assert isinstance(result, dict)
        if result["status"] == "registered":
            number = result["id_number"]
            self.banner.show_message(
                "success",
                self.tr("Registered. ID number: {number}").format(number=format_id(number)),
                self.tr("{name} is in the registry. Issue a credential to print a card.").format(
                    name=f"{self.family.text().strip()} {self.given.text().strip()}"
                ),
                self._after_registration_buttons(number),
            )
            self._reset_fields()
        else:
            self.banner.show_message(
                "warning",
                self.tr("Held for review: this person may already be registered"),
                self._duplicate_text(result),
                [(self.tr("Register another person"), self.clear_form)],
            )
            self._reset_fields()
        self._ctx.data_changed.emit("citizens" if result["status"] == "registered" else "reviews")
        self.registered.emit(result)

    def _after_registration_buttons(self, number: str) -> list[tuple[str, Any]]:
        buttons: list[tuple[str, Any]] = []
        if self._ctx.allows(*_card_permissions()):
            buttons.append((self.tr("Issue and print a card"), lambda: self._ctx.navigate("cards", number)))
        buttons.append((self.tr("Show in citizens"), lambda: self._ctx.navigate("citizens", number)))
        return buttons

    def _duplicate_text(self, result: dict[str, Any]) -> str:
        lines = [
            self.tr(
                "No ID number was allocated. The registration waits as review no. {review}: a supervisor (not "
                "you) compares it with the records below and either registers the person or rejects the entry "
                "as a duplicate."
            ).format(review=result["review_id"])
        ]
        for candidate in result.get("possible_duplicates", []):
            kind = self.tr("registered") if candidate["kind"] == "registered" else self.tr("awaiting review")
            ref = format_id(candidate["ref"]) if candidate["kind"] == "registered" else f"#{candidate['ref']}"
            lines.append(
                self.tr("• {family} {given} ({latin}), born {birth}: {kind} {ref}").format(
                    family=candidate["family_name"],
                    given=candidate["given_name"],
                    latin=f"{candidate['latin_family']} {candidate['latin_given']}",
                    birth=candidate["birth_date"],
                    kind=kind,
                    ref=ref,
                )
            )
        return "\n".join(lines)

    def _on_failed(self, exc: BaseException) -> None:
        self._done()
        if isinstance(exc, ValidationError) and self._mark_core_error(exc):
            self.banner.show_message("error", self.tr("Check the marked fields."), self.tr("Nothing was registered."))
            return
        self._ctx.fail(self, exc)

    def _done(self) -> None:
        self._busy = False
        self._set_form_enabled(True)
        self.submit_button.setText(self.tr("Register"))

    def _reset_fields(self) -> None:
        self._quiet = True
        for edit in (self.family, self.given, self.latin_family, self.latin_given, self.birth):
            edit.clear()
        self.family_latin.clear()
        self.given_latin.clear()
        self.sex.setCurrentIndex(0)
        self.birthplace.setCurrentIndex(0)
        self.birthplace.setEditText("")
        self._remove_photo()
        for key in self._inputs:
            self._mark(key, "")
        self._touched.clear()
        self._quiet = False
        self.family.setFocus()

    def clear_form(self) -> None:
        self._reset_fields()
        self.banner.clear()


def _card_permissions() -> tuple[Any, ...]:
    from console.core.roles import Permission

    return (Permission.CREDENTIAL_ISSUE, Permission.CARD_PRINT)
