"""A label's colour as a small icon for lists, tables and menus."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPen, QPixmap

NO_COLOUR = "#9E9E9E"
ICON_SIZE = QSize(12, 12)  # a label's swatch in a table cell


def swatch_icon(colour: str, size: int = ICON_SIZE.width()) -> QIcon:
    """A rounded square of ``colour`` with a darker edge, visible on white and on grey."""
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0  # sharp on HiDPI
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(colour if QColor.isValidColorName(colour) else NO_COLOUR)
    painter.setPen(QPen(fill.darker(140), 1))
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), 3, 3)
    painter.end()
    return QIcon(pixmap)
