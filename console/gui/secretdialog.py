"""A small modal that asks for a secret without echo: a token's PIN, an export's passphrase (issue 17).

The text is never shown, logged or kept by the dialog after it closes; with `confirm`, a second field must repeat
it (for a passphrase that protects a file, a typo would lock the reader out). `minimum` holds OK back until the
secret is long enough, and says so under the fields. Open it through `dialogs().secret(...)`, the seam tests
replace (console/gui/dialogs.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class SecretDialog(QDialog):
    """Ask for one secret (no echo), optionally twice; `secret()` is the text once accepted."""

    def __init__(
        self, parent: QWidget | None, title: str, text: str, *, confirm: bool = False, minimum: int = 1
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._minimum = max(1, minimum)
        self._answer = ""
        layout = QVBoxLayout(self)
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(title)
        layout.addWidget(self.field)
        self.repeat: QLineEdit | None = None
        if confirm:
            self.repeat = QLineEdit()
            self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
            self.repeat.setPlaceholderText(self.tr("Repeat it"))
            self.repeat.setAccessibleName(self.tr("Repeat it"))
            layout.addWidget(self.repeat)
            self.repeat.textChanged.connect(self._on_field_changed)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._on_field_changed)
        self._on_field_changed()

    def _on_field_changed(self) -> None:
        text = self.field.text()
        if len(text) < self._minimum:
            hint = self.tr("At least %n character(s).", "", self._minimum) if self._minimum > 1 else ""
        elif self.repeat is not None and self.repeat.text() != text:
            hint = self.tr("The two entries differ.")
        else:
            hint = ""
        self.hint.setText(hint)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text) and not hint)

    def done(self, result: int) -> None:
        secret = self.field.text() if result == QDialog.DialogCode.Accepted else ""
        super().done(result)
        self._answer = secret
        self.field.clear()  # the text does not outlive the dialog in its widgets
        if self.repeat is not None:
            self.repeat.clear()

    def answer(self) -> str | None:
        """The secret typed, once OK was pressed; None after Cancel."""
        return self._answer or None
