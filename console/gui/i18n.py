"""Translations: the console's own catalogue (Qt Linguist ``.qm``) plus Qt's for standard dialogs.

The language follows the system locale; ``ID_CONSOLE_LANG`` (e.g. ``zh_CN``) overrides it. Sentences that come
from the core (errors, verdict reasons) are translated by ``console.core.i18n``, which ``app.py`` gives the same
locale.
Workflow (docs/gui.md): ``python resources/translations/build.py`` runs pyside6-lupdate over console/gui and
then pyside6-lrelease.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from console.core.resources import resource_path

logger = logging.getLogger(__name__)

CATALOGUE = "id_console"
SHIPPED = ("zh_CN",)  # besides English (the source language; its catalogue only holds plural forms)


def chosen_locale() -> QLocale:
    """``ID_CONSOLE_LANG``, else the language chosen on the Settings screen (this computer's QSettings), else
    the system's."""
    override = os.environ.get("ID_CONSOLE_LANG")
    if override:
        return QLocale(override)
    from PySide6.QtCore import QSettings

    chosen = str(QSettings().value("ui/language", "") or "")
    return QLocale(chosen) if chosen else QLocale.system()


def install_translators(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Load and install the translators for `locale`; returns them (keep references while the app runs)."""
    locale = locale or chosen_locale()
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    folder = str(resource_path("translations"))
    if ours.load(locale, CATALOGUE, "_", folder):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        logger.info("no console translation for %s in %s; English", locale.name(), folder)
        # English is the source language; its catalogue holds only the singular and plural forms of
        # messages with a count ("%n minute(s)"), which Qt does not pick without one.
        if ours.load(QLocale(QLocale.Language.English), CATALOGUE, "_", folder):
            app.installTranslator(ours)
            installed.append(ours)
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed
