"""Settings (administrators; auditors read them): security settings, what goes on cards (country, validity, the
verifier URL printed on the back), and this computer's language. Office settings live in the office database
through the core (audited); the language is this computer's display preference (QSettings) and takes effect at
the next start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.core import administration, officers, site
from console.core.accounts import Session
from console.core.errors import PermissionDenied, ValidationError
from console.core.issuance import MAX_VALID_YEARS
from console.core.roles import Permission
from console.gui.context import Context
from console.gui.icons import icon
from console.gui.texts import error_text
from console.gui.widgets import Banner, hint_label, page_title
from console.node import peer, sync

logger = logging.getLogger(__name__)

LANGUAGE_KEY = "ui/language"  # "" = the system's language


def read_all(session: Session) -> dict[str, Any]:
    """Security and issuing settings together (read pool)."""
    return {
        **officers.office_settings(session),
        **administration.issuing_settings(session),
        site.VERIFIER_URL_SETTING: site.verifier_url(session.office) or "",
        **ledger_place(session),
    }


def ledger_place(session: Session) -> dict[str, str]:
    """The shared ledger's configured folder and peer node ("" when unset): what `ledger status` shows."""
    conn = session.office.db.conn
    folder = sync.configured_folder(conn)
    return {"ledger_folder": str(folder) if folder else "", "ledger_peer": peer.configured_peer(conn) or ""}


def set_ledger_place(session: Session, kind: str, value: str) -> dict[str, str]:
    """`ledger configure --folder|--peer` (sync.configure, audited by the node services); write queue."""
    if kind == "folder":
        sync.configure(session, Path(value))
    else:
        peer.configure_peer(session, value)
    return ledger_place(session)


def save_changes(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply each changed setting through its core service (write queue); returns the settings in force."""
    for key, value in changes.items():
        if key == "country":
            administration.set_country(session, str(value))
        elif key == administration.CARD_VALIDITY_KEY:
            administration.set_card_validity(session, int(value))
        elif key == site.VERIFIER_URL_SETTING:
            site.set_verifier_url(session, str(value))
        else:
            officers.set_office_setting(session, key, int(value))
    return read_all(session)


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose mnemonic (``&o``) focuses `buddy`: QFormLayout only does that when the field is a
    widget, not a row of a field and its button (else the ``&`` shows as it is)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def with_hint(field: QWidget | QHBoxLayout, hint: str) -> QWidget:
    """A form field with its explanation under it, in one cell. As a row of its own (``addRow("", hint)``) a
    wrapped hint was given the height it needs at the form's narrowest, two lines too many at full width (the
    Settings screen's gaps, seen in its screenshots)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    if isinstance(field, QWidget):
        column.addWidget(field)
    else:
        column.addLayout(field)
    column.addWidget(hint_label(hint))
    return box


class SettingsPage(QWidget):
    loaded = Signal()
    saved = Signal(dict)
    ledger_changed = Signal(dict)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._current: dict[str, Any] = {}
        # In a scroll area: with a banner shown the groups are taller than a 760-pixel window, and a form
        # squeezed below its size shows its fields half-height (seen under Xvfb, issue 13).
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
                self.tr("Settings"),
                self.tr("How this office works. Every change is recorded in the audit trail with your name."),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)

        security = QGroupBox(self.tr("Logins"))
        form = QFormLayout(security)
        self.fields: dict[str, QSpinBox] = {}
        labels = {
            "lockout_threshold": (self.tr("Wrong passwords before an account &locks"), ""),
            "lockout_minutes": (self.tr("Minutes an account stays loc&ked"), self.tr(" min")),
            "session_idle_minutes": (self.tr("&Idle minutes before the console locks"), self.tr(" min")),
        }
        for key, (low, high, _meaning) in officers.SETTINGS.items():
            spin = QSpinBox()
            spin.setRange(low, high)
            label, suffix = labels[key]
            spin.setSuffix(suffix)
            spin.setAccessibleName(label.replace("&", ""))
            form.addRow(label, spin)
            self.fields[key] = spin
        layout.addWidget(security)

        cards = QGroupBox(self.tr("Cards"))
        form = QFormLayout(cards)
        self.country = QLineEdit()
        self.country.setMaxLength(3)
        self.country.setAccessibleName(self.tr("Country of issuance"))
        self.country.setToolTip(self.tr("ISO 3166-1 alpha-3 code printed on cards and signed into credentials"))
        self.validity = QSpinBox()
        self.validity.setRange(1, MAX_VALID_YEARS)
        self.validity.setSuffix(self.tr(" years"))
        self.validity.setAccessibleName(self.tr("Card validity"))
        self.verifier_url = QLineEdit()
        self.verifier_url.setAccessibleName(self.tr("Verifier URL"))
        self.verifier_url.setPlaceholderText(self.tr("e.g. https://ids.example.org/check/ (empty: no line)"))
        self.verifier_url.setToolTip(
            self.tr('Where card holders check a card; printed on the back as "Check this card at …"')
        )
        form.addRow(self.tr("&Country of issuance"), self.country)
        form.addRow(
            buddy_label(self.tr("Cards &valid for"), self.validity),
            with_hint(
                self.validity, self.tr("Applies to credentials issued from now on; cards already issued keep theirs.")
            ),
        )
        form.addRow(
            buddy_label(self.tr("Ve&rifier URL"), self.verifier_url),
            with_hint(
                self.verifier_url,
                self.tr(
                    "An https address, printed on the back of cards made from now on so that holders know where "
                    "to check a card. Leave it empty for no such line."
                ),
            ),
        )
        layout.addWidget(cards)

        ledger = QGroupBox(self.tr("Shared ledger"))
        form = QFormLayout(ledger)
        self.ledger_folder = QLineEdit()
        self.ledger_folder.setObjectName("LedgerFolder")
        self.ledger_folder.setAccessibleName(self.tr("Shared ledger folder"))
        self.ledger_folder.setPlaceholderText(self.tr("not configured"))
        self.set_folder_button = QPushButton(self.tr("Set &folder"))
        self.set_folder_button.clicked.connect(lambda: self.set_ledger_place("folder"))
        line = QHBoxLayout()
        line.addWidget(self.ledger_folder, 1)
        line.addWidget(self.set_folder_button)
        form.addRow(buddy_label(self.tr("Ledger f&older"), self.ledger_folder), line)
        self.ledger_peer = QLineEdit()
        self.ledger_peer.setObjectName("LedgerPeer")
        self.ledger_peer.setAccessibleName(self.tr("Peer node URL"))
        self.ledger_peer.setPlaceholderText(self.tr("e.g. http://127.0.0.1:8470 (not configured)"))
        self.set_peer_button = QPushButton(self.tr("Set &peer"))
        self.set_peer_button.clicked.connect(lambda: self.set_ledger_place("peer"))
        line = QHBoxLayout()
        line.addWidget(self.ledger_peer, 1)
        line.addWidget(self.set_peer_button)
        form.addRow(
            buddy_label(self.tr("Peer &node"), self.ledger_peer),
            with_hint(
                line,
                self.tr(
                    "The folder every office shares; the peer node is used when no folder is configured. "
                    "Each change is recorded in the audit trail."
                ),
            ),
        )
        layout.addWidget(ledger)

        here = QGroupBox(self.tr("This computer"))
        form = QFormLayout(here)
        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Language"))
        self.language.addItem(self.tr("The system's language"), "")
        self.language.addItem("English", "en_US")
        self.language.addItem("简体中文", "zh_CN")
        current = str(QSettings().value(LANGUAGE_KEY, "") or "")
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.language.currentIndexChanged.connect(self._on_language)
        form.addRow(
            buddy_label(self.tr("Lan&guage"), self.language),
            with_hint(self.language, self.tr("Takes effect the next time the console starts.")),
        )
        layout.addWidget(here)

        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton(icon("save"), self.tr("Save changes"))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)
        may_change = ctx.allows(Permission.OFFICER_MANAGE)
        for widget in (*self.fields.values(), self.country, self.validity, self.verifier_url, self.save_button):
            widget.setEnabled(may_change)
        self.save_button.setVisible(may_change)
        may_configure = ctx.allows(Permission.SYNC_CONFIGURE)
        for widget in (self.ledger_folder, self.ledger_peer):
            widget.setReadOnly(not may_configure)
            widget.setEnabled(may_configure)  # greyed like the other settings this officer cannot change
        for button in (self.set_folder_button, self.set_peer_button):
            button.setEnabled(may_configure)
            button.setVisible(may_configure)
        self.refresh()

    def refresh(self) -> None:
        self._ctx.runner.read("settings", read_all, self._ctx.session).then(self, self._show, self._on_failed)

    def _show(self, values: Any) -> None:
        self._current = dict(values)
        for key, spin in self.fields.items():
            spin.setValue(int(values[key]))
        self.country.setText(str(values["country"]))
        self.validity.setValue(int(values[administration.CARD_VALIDITY_KEY]))
        self.verifier_url.setText(str(values.get(site.VERIFIER_URL_SETTING) or ""))
        self.verifier_url.setCursorPosition(0)
        self._show_ledger(values)
        self.loaded.emit()

    def _show_ledger(self, values: Any) -> None:
        self._current.update(values)
        self.ledger_folder.setText(str(values.get("ledger_folder") or ""))
        self.ledger_peer.setText(str(values.get("ledger_peer") or ""))

    def set_ledger_place(self, kind: str) -> None:
        """Set the shared ledger folder or peer node through the node services (they check and audit)."""
        field = self.ledger_folder if kind == "folder" else self.ledger_peer
        value = field.text().strip()
        if not value:
            self.banner.show_message(
                "error",
                self.tr("Not saved"),
                self.tr("Type the shared ledger folder first.")
                if kind == "folder"
                else self.tr("Type the peer node's URL first."),
            )
            return
        for button in (self.set_folder_button, self.set_peer_button):
            button.setEnabled(False)
        self._ctx.runner.write("configure ledger", set_ledger_place, self._ctx.session, kind, value).then(
            self, self._on_ledger_set, self._on_ledger_failed
        )

    def _on_ledger_set(self, values: Any) -> None:
        for button in (self.set_folder_button, self.set_peer_button):
            button.setEnabled(True)
        self._show_ledger(values)
        self.banner.show_message(
            "success", self.tr("Ledger settings saved"), self.tr("The console syncs through them from now on.")
        )
        self.ledger_changed.emit(dict(values))

    def _on_ledger_failed(self, exc: BaseException) -> None:
        for button in (self.set_folder_button, self.set_peer_button):
            button.setEnabled(True)
        if isinstance(exc, ValidationError | PermissionDenied):
            self.banner.show_message("error", self.tr("Not saved"), error_text(exc))
            return
        self._ctx.fail(self, exc)

    def changes(self) -> dict[str, Any]:
        wanted: dict[str, Any] = {key: spin.value() for key, spin in self.fields.items()}
        wanted["country"] = self.country.text().strip().upper()
        wanted[administration.CARD_VALIDITY_KEY] = self.validity.value()
        url = self.verifier_url.text().strip()
        if url and not url.endswith("/") and url + "/" == self._current.get(site.VERIFIER_URL_SETTING):
            url += "/"  # the core stores it with the trailing slash: the same address is no change
        wanted[site.VERIFIER_URL_SETTING] = url
        return {k: v for k, v in wanted.items() if self._current.get(k) != v}

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.banner.show_message("info", self.tr("Nothing to save"), self.tr("No setting was changed."))
            return
        self.save_button.setEnabled(False)
        self._ctx.runner.write("save settings", save_changes, self._ctx.session, changes).then(
            self, self._on_saved, self._on_failed
        )

    def _on_saved(self, values: Any) -> None:
        self.save_button.setEnabled(True)
        self._show(values)
        self.banner.show_message("success", self.tr("Settings saved"), self.tr("The new settings apply from now on."))
        self.saved.emit(dict(values))

    def _on_language(self, _index: int) -> None:
        QSettings().setValue(LANGUAGE_KEY, self.language.currentData())
        self.banner.show_message(
            "info", self.tr("Language chosen"), self.tr("The console speaks it from the next start.")
        )

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError | PermissionDenied):
            self.banner.show_message("error", self.tr("Not saved"), error_text(exc))
            self.refresh()
            return
        self._ctx.fail(self, exc)
