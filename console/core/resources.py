"""Find the files under `resources/` the same way from a checkout, an installed wheel and a PyInstaller bundle.

Order: ``ID_CONSOLE_RESOURCES`` (explicit override), the PyInstaller bundle (``sys._MEIPASS/resources``),
the source checkout (``<repo>/resources``), then the wheel's data files (``<prefix>/share/id-console/resources``).
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from console.core.errors import StorageError


@cache
def resources_root() -> Path:
    """Return the folder that holds the console's resources (icons, fonts, coding tables)."""
    candidates: list[Path] = []
    override = os.environ.get("ID_CONSOLE_RESOURCES")
    if override:
        candidates.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    candidates.append(Path(sys.prefix) / "share" / "id-console" / "resources")
    for path in candidates:
        if path.is_dir():
            return path
    raise StorageError(
        "The console's resource files were not found (looked in: "
        + ", ".join(str(p) for p in candidates)
        + "); reinstall the console or set ID_CONSOLE_RESOURCES."
    )


def resource_path(*parts: str) -> Path:
    """Path of one resource file, e.g. ``resource_path("fonts", "wqy-microhei.ttc")``."""
    return resources_root().joinpath(*parts)
