"""Look of the console: bundled CJK font, light/dark palette that follows the system, one style sheet.

Only DejaVu fonts are certain to be installed on an office PC, so the WenQuanYi Micro Hei face that the cards
already embed is registered with Qt and listed after the default family: Latin stays in the system font and
Han, Hangul and Kana fall through to Micro Hei instead of showing as boxes.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from console.core.resources import resource_path

logger = logging.getLogger(__name__)

CJK_FONT_FILE = ("fonts", "wqy-microhei.ttc")

# Colours the style sheet uses, per scheme: banners and verdicts must read well on both backgrounds.
_TOKENS: dict[str, dict[str, str]] = {
    "light": {
        "success_bg": "#E6F4EA",
        "success_fg": "#0D652D",
        "success_edge": "#1E8E3E",
        "warning_bg": "#FEF7E0",
        "warning_fg": "#7A4A00",
        "warning_edge": "#E37400",
        "error_bg": "#FCE8E6",
        "error_fg": "#A50E0E",
        "error_edge": "#C5221F",
        "info_bg": "#E8F0FE",
        "info_fg": "#174EA6",
        "info_edge": "#1A73E8",
        "muted": "#5F6B76",
        "nav_bg": "#EEF2F6",
        "nav_sel": "#D3E3FD",
        "header_bg": "#123B5D",
        "header_fg": "#FFFFFF",
    },
    "dark": {
        "success_bg": "#1E3A27",
        "success_fg": "#A8DAB5",
        "success_edge": "#81C995",
        "warning_bg": "#3D3019",
        "warning_fg": "#FDD663",
        "warning_edge": "#FCAD70",
        "error_bg": "#44201F",
        "error_fg": "#F6AEA9",
        "error_edge": "#F28B82",
        "info_bg": "#1C2F4A",
        "info_fg": "#AECBFA",
        "info_edge": "#8AB4F8",
        "muted": "#9AA4AE",
        "nav_bg": "#23272C",
        "nav_sel": "#2F4A6E",
        "header_bg": "#0E2A42",
        "header_fg": "#E8EEF4",
    },
}


@cache
def register_fonts() -> tuple[str, ...]:
    """Register the bundled CJK font with Qt (once); returns its family names (empty if it is missing)."""
    path = resource_path(*CJK_FONT_FILE)
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        logger.warning("could not load the CJK font %s; Chinese and Korean names will show as boxes", path)
        return ()
    return tuple(QFontDatabase.applicationFontFamilies(font_id))


def scheme_name(app: QGuiApplication) -> str:
    """``"dark"`` when the system asks for a dark scheme (Qt 6.5+), else ``"light"``."""
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


def _dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#1F2328",
        QPalette.ColorRole.WindowText: "#E6EAEE",
        QPalette.ColorRole.Base: "#16191D",
        QPalette.ColorRole.AlternateBase: "#22262B",
        QPalette.ColorRole.ToolTipBase: "#2B3036",
        QPalette.ColorRole.ToolTipText: "#E6EAEE",
        QPalette.ColorRole.PlaceholderText: "#8A949E",
        QPalette.ColorRole.Text: "#E6EAEE",
        QPalette.ColorRole.Button: "#2A2F35",
        QPalette.ColorRole.ButtonText: "#E6EAEE",
        QPalette.ColorRole.BrightText: "#FF6B6B",
        QPalette.ColorRole.Link: "#8AB4F8",
        QPalette.ColorRole.Highlight: "#3B6EA8",
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
    }
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6B747D"))
    return palette


def style_sheet(scheme: str) -> str:
    """The console's style sheet with the scheme's colours filled in."""
    text = resource_path("styles", "console.qss").read_text(encoding="utf-8")
    for key, value in _TOKENS[scheme].items():
        text = text.replace(f"@{key}@", value)
    return text


def token(name: str, scheme: str = "light") -> str:
    """One colour of the scheme (for the few places that paint by hand)."""
    return _TOKENS[scheme][name]


def apply_theme(app: QApplication, scheme: str | None = None) -> str:
    """Fusion style, the scheme's palette and style sheet, fonts with CJK fallback; returns the scheme used.

    `scheme` forces ``"light"`` or ``"dark"`` (screenshots); by default the system's choice is followed, also
    when it changes while the console runs.
    """
    chosen = scheme or scheme_name(app)
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(_dark_palette() if chosen == "dark" else fusion.standardPalette() if fusion else QPalette())
    families = register_fonts()
    if families:
        font = QFont(app.font())
        base = [f for f in font.families() if f not in families] or [font.family()]
        font.setFamilies([*base, *families])
        app.setFont(font)
    app.setStyleSheet(style_sheet(chosen))
    app.setProperty("console_scheme", chosen)
    return chosen


def follow_system_scheme(app: QApplication) -> None:
    """Re-apply the theme when the system switches between light and dark."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))


def current_scheme() -> str:
    app = QApplication.instance()
    value = app.property("console_scheme") if app is not None else None
    return str(value) if value in ("light", "dark") else "light"
