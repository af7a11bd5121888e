"""SVG icons from ``resources/icons``, loaded once each through `icon(name)`.

Monochrome icons are drawn with ``currentColor`` and tinted here with the palette's text colour, so one file
serves the light and the dark scheme; coloured icons (verdicts, the application icon) keep their colours.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from console.core.resources import resource_path

logger = logging.getLogger(__name__)

#: Pixmaps drawn up front (Qt scales from the nearest for other sizes and for high-DPI screens).
DRAWN = (16, 24, 32, 56)


def _ink() -> str:
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return str(app.palette().color(QPalette.ColorRole.WindowText).name())
    return "#1b1f24"


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` tinted for the current palette (an empty icon if missing)."""
    return _icon(name, _ink())


@cache
def _icon(name: str, ink: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        logger.warning("icon %s is missing (%s)", name, path)
        return QIcon()
    renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", ink).encode("utf-8")))
    result = QIcon()
    for size in DRAWN:
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result


def clear_cache() -> None:
    """Forget tinted icons (after the colour scheme changed); widgets built afterwards get the new tint."""
    _icon.cache_clear()
