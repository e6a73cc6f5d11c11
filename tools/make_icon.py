"""Draws the application icon (resources/icons/gridvisit.png and .ico) with Qt and the
bundled font, so the icon needs no image editor and no downloaded artwork.

Run: .venv/bin/python tools/make_icon.py   (the results are committed)"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.04
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    path = QPainterPath()
    path.addRoundedRect(box, size * 0.18, size * 0.18)
    p.fillPath(path, QColor("#c8102e"))
    # A grid of streets behind the character: the 网格 the app is about.
    p.setPen(QPen(QColor(255, 255, 255, 70), max(1.0, size * 0.02)))
    for i in (1, 2, 3):
        at = margin + box.width() * i / 4
        p.drawLine(int(at), int(box.top()), int(at), int(box.bottom()))
        p.drawLine(int(box.left()), int(at), int(box.right()), int(at))
    font_id = QFontDatabase.addApplicationFont(str(ROOT / "resources/fonts/wqy-microhei.ttc"))
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    font = QFont(family)
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, "网")
    p.end()
    return image


def main() -> int:
    _app = QApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(OUT / "gridvisit.png"))
    draw(256).save(str(OUT / "gridvisit.ico"))
    print(f"wrote {OUT / 'gridvisit.png'} and {OUT / 'gridvisit.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
