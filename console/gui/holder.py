"""The person a decision is about, shown the same way wherever an officer decides: photo, the name as entered
(family name first, as on the card) with its Latin form, ID number, card number and birth date."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from console.gui.icons import icon
from console.gui.models import format_id
from console.gui.reads import Holder
from console.gui.texts import status_name
from console.gui.widgets import hint_label


class HolderPanel(QFrame):
    """Shows one holder, or a sentence when there is none (nothing selected, not found, a typo)."""

    PHOTO_SIZE = (72, 90)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HolderPanel")
        self.holder: Holder | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.photo = QLabel()
        self.photo.setObjectName("Photo")
        self.photo.setFixedSize(*self.PHOTO_SIZE)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setAccessibleName(self.tr("Holder's photo"))
        layout.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        self.name = QLabel()
        self.name.setObjectName("DetailName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.latin = hint_label("")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.addWidget(self.name)
        text.addWidget(self.latin)
        text.addWidget(self.facts)
        text.addStretch(1)
        layout.addLayout(text, 1)
        self.set_message("")

    def set_holder(self, holder: Holder | None) -> None:
        self.holder = holder
        if holder is None:
            self.set_message("")
            return
        self.photo.show()
        if holder.photo:
            pixmap = QPixmap()
            pixmap.loadFromData(holder.photo)
            self.photo.setPixmap(
                pixmap.scaled(
                    self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self.photo.setPixmap(icon("officer").pixmap(40, 40))
        self.name.setText(holder.name)
        self.latin.setText(holder.latin)
        self.latin.setVisible(holder.latin != holder.name)
        self.facts.setText(self.facts_text(holder))
        self.setAccessibleDescription(f"{holder.name} ({holder.latin}); {self.facts.text()}")

    def facts_text(self, holder: Holder) -> str:
        if holder.card_number:
            return self.tr("ID number {number} · card {card} ({status}) · born {birth}").format(
                number=format_id(holder.id_number),
                card=holder.card_number,
                status=status_name(holder.card_status),
                birth=holder.birth_date,
            )
        return self.tr("ID number {number} · no card issued · born {birth}").format(
            number=format_id(holder.id_number), birth=holder.birth_date
        )

    def set_message(self, text: str) -> None:
        """No holder: the panel shows `text` (or nothing)."""
        self.holder = None
        self.photo.clear()
        self.photo.hide()
        self.name.setText("")
        self.latin.setText("")
        self.latin.hide()
        self.facts.setText(text)
        self.setAccessibleDescription(text)
