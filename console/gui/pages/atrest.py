"""Personal data at rest on the Keys screen (administrators, issue 17): is the registry encrypted, and does the
backup of the encryption still wait for deletion?

The same services as `id-console db encrypt` and `db delete-backup` (`console.core.atrest`: permission
`key.manage`, audited). An office kept in the clear (made before issue 17) is encrypted in place from here,
crash-safely; the encrypted backup it leaves is named with its path until the administrator deletes it, as the
command line warns on every command. docs/security.md, "Personal data at rest".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.core import atrest
from console.core.accounts import Session
from console.core.errors import PermissionDenied, StorageError
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.texts import error_text
from console.gui.widgets import Banner


@dataclass(frozen=True)
class AtRestState:
    """What the box shows: whether personal.db holds the registry, and the backup's path if it is still there."""

    encrypted: bool
    backup: str | None


def at_rest_state(session: Session) -> AtRestState:
    """Read off the GUI thread: the database's layout and the backup file."""
    office = session.office
    backup = atrest.backup_path(office.paths.data_dir)
    return AtRestState(office.encrypted, str(backup) if backup.exists() else None)


class RegistryAtRestBox(QGroupBox):
    """The registry's encryption state, with "Encrypt the registry…" and "Delete the backup…" when they apply."""

    loaded = Signal(object)  # AtRestState
    encrypted = Signal(dict)  # the service's result: moved rows per table, backup, personal
    backup_deleted = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Personal data at rest"), parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.state = QLabel()
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        row = QHBoxLayout()
        row.addStretch(1)
        self.encrypt_button = QPushButton(icon("lock"), self.tr("Encrypt the registry…"))
        self.encrypt_button.clicked.connect(self.encrypt)
        self.delete_button = QPushButton(icon("clear"), self.tr("Delete the backup…"))
        self.delete_button.clicked.connect(self.delete_backup)
        row.addWidget(self.encrypt_button)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self.encrypt_button.hide()
        self.delete_button.hide()
        self.refresh()

    def refresh(self) -> None:
        self._ctx.runner.read("registry at rest", at_rest_state, self._ctx.session).then(
            self, self._on_loaded, self._on_failed
        )

    def _on_loaded(self, state: Any) -> None:
        assert isinstance(state, AtRestState)
        if not state.encrypted:
            text = self.tr(
                "The registry (names, birth dates, photos, reasons) is kept in the clear in office.db: anyone who "
                "copies the data folder can read it. Encrypt it: it moves into personal.db, which only a login "
                "opens, and an encrypted copy of the old office.db is kept until you delete it."
            )
        elif state.backup:
            text = self.tr(
                "The registry is encrypted in personal.db; a login opens it. The copy made before the encryption "
                "is still at {path} (encrypted with the same key): check the office, then delete it."
            ).format(path=state.backup)
        else:
            text = self.tr(
                "The registry (names, birth dates, photos, reasons) is encrypted in personal.db; a login opens it."
            )
        self.state.setText(text)
        self.encrypt_button.setVisible(not state.encrypted)
        self.delete_button.setVisible(state.encrypted and state.backup is not None)
        self.loaded.emit(state)

    def encrypt(self) -> None:
        if not dialogs().confirm(
            self,
            self.tr("Encrypt the registry?"),
            self.tr(
                "The registry moves into the encrypted personal.db and every officer's login gets its key. Other "
                "consoles of this office must be closed meanwhile. Encrypt now?"
            ),
        ):
            return
        self.encrypt_button.setEnabled(False)
        self._ctx.runner.write("encrypt registry", atrest.encrypt_office, self._ctx.session).then(
            self, self._on_encrypted, self._on_failed
        )

    def _on_encrypted(self, result: Any) -> None:
        self.encrypt_button.setEnabled(True)
        moved = dict(result["moved"])
        self.banner.show_message(
            "success",
            self.tr("Registry encrypted"),
            self.tr("%n citizen(s) moved into personal.db.", "", int(moved.get("citizens", 0)))
            + " "
            + self.tr("Delete the backup once you have checked the office."),
        )
        self.encrypted.emit(dict(result))
        self.refresh()

    def delete_backup(self) -> None:
        if not dialogs().confirm(
            self,
            self.tr("Delete the backup?"),
            self.tr("Delete the copy of office.db made before the encryption? Do it once the office works."),
        ):
            return
        self.delete_button.setEnabled(False)
        self._ctx.runner.write("delete encryption backup", atrest.delete_backup, self._ctx.session).then(
            self, self._on_deleted, self._on_failed
        )

    def _on_deleted(self, path: Any) -> None:
        self.delete_button.setEnabled(True)
        self.banner.show_message("success", self.tr("Backup deleted"), str(path or ""))
        self.backup_deleted.emit(str(path or ""))
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self.encrypt_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        if isinstance(exc, StorageError | PermissionDenied):
            self.banner.show_message("error", self.tr("Not done"), error_text(exc))
            return
        self._ctx.fail(self, exc)
