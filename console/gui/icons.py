"""SVG icons from ``resources/icons``, loaded once each through `icon(name)`.

Monochrome icons are drawn with ``currentColor``; their engine fills it in with the palette's text colour each
time Qt asks for a pixmap, so icons follow a switch between the light and dark scheme without rebuilding any
widget. Coloured icons (verdicts, the application icon) keep their own colours.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from console.core.resources import resource_path

logger = logging.getLogger(__name__)


def _ink(mode: QIcon.Mode) -> QColor:
    app = QGuiApplication.instance()
    palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
    # Selected items keep the text colour: the console's lists highlight with a pale tint (console.qss).
    group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Normal
    return palette.color(group, QPalette.ColorRole.WindowText)


class SvgIconEngine(QIconEngine):
    """Renders one SVG at the size asked for, tinted with the current palette (cached per size and colour)."""

    def __init__(self, name: str, svg: str) -> None:
        super().__init__()
        self._name = name
        self._svg = svg
        self._tinted = "currentColor" in svg
        self._cache: dict[tuple[int, int, str], QPixmap] = {}

    def _render(self, size: QSize, mode: QIcon.Mode) -> QPixmap:
        ink = _ink(mode)
        key = (size.width(), size.height(), f"{ink.name(QColor.NameFormat.HexArgb)}{int(mode == QIcon.Mode.Disabled)}")
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        svg = self._svg.replace("currentColor", ink.name()) if self._tinted else self._svg
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.45)
        elif self._tinted:
            painter.setOpacity(ink.alphaF())
        side = min(size.width(), size.height())
        renderer.render(painter, QRectF((size.width() - side) / 2, (size.height() - side) / 2, side, side))
        painter.end()
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._render(size, mode)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        pixmap = self._render(size * scale, mode)
        result = QPixmap(pixmap)
        result.setDevicePixelRatio(scale)
        return result

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        pixmap = self._render(rect.size() * ratio, mode)
        painter.drawPixmap(rect, pixmap)

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._name, self._svg)

    def key(self) -> str:
        return "console-svg"

    def isNull(self) -> bool:
        return False


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (an empty icon, logged, if the file is missing)."""
    return QIcon(_icon(name))


@cache
def _icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        logger.warning("icon %s is missing (%s)", name, path)
        return QIcon()
    return QIcon(SvgIconEngine(name, svg))


def clear_cache() -> None:
    """Forget loaded icons (tests that switch resource folders)."""
    _icon.cache_clear()
