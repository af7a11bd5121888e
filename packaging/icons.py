"""Render the application icon (resources/icons/app.svg) to the hicolor theme's PNG sizes.

Usage: python packaging/icons.py SVG OUT_DIR  ->  OUT_DIR/<N>x<N>/apps/id-console.png and scalable/apps/id-console.svg
Uses Qt's own SVG renderer (already a dependency), offscreen: no Inkscape or rsvg needed on the build machine.
"""

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def main(svg: Path, out: Path) -> None:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"icons.py: {svg} is not a valid SVG")
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = out / f"{size}x{size}" / "apps" / "id-console.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"icons.py: could not write {target}")
    scalable = out / "scalable" / "apps" / "id-console.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
