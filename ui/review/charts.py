"""Small charts drawn with QPainter: grouped bars and a heat map, for the agreement report.

PySide6-Essentials has no QtCharts, and matplotlib is not a dependency. Qt shapes Arabic
itself, so label display names are drawn as they are stored: never reshaped or reordered
(ARABIC.md). Each label is drawn as two runs, the Latin name and the Arabic display
name, so the bidi algorithm never has to order a mixed string.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.common.fonts import article_font

SERIES_COLORS = ("#3b6fb6", "#e08a2c", "#4a9a5b")
PAD = 10.0


@dataclass(frozen=True)
class ChartLabel:
    """A label as charts show it: the schema name and its (often Arabic) display name."""

    name: str
    display: str = ""


def label_font(base: QFont, point_size: float) -> QFont:
    """The widget's font with the bundled Arabic font as fallback for display names."""
    font = QFont(base)
    font.setFamilies([*base.families(), *article_font(point_size).families()])
    font.setPointSizeF(point_size)
    return font


def draw_label(painter: QPainter, rect: QRectF, label: ChartLabel,
               align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignRight) -> None:
    """The name and, after it, the display name (its own run: right to left, joined)."""
    metrics = QFontMetricsF(painter.font())
    gap = metrics.horizontalAdvance("  ")
    name_w = metrics.horizontalAdvance(label.name)
    shown = label.display if label.display and label.display != label.name else ""
    disp_w = metrics.horizontalAdvance(shown) if shown else 0.0
    total = name_w + (gap + disp_w if shown else 0.0)
    if align & Qt.AlignmentFlag.AlignRight:
        x = rect.right() - total
    elif align & Qt.AlignmentFlag.AlignHCenter:
        x = rect.center().x() - total / 2
    else:
        x = rect.left()
    vcenter = Qt.AlignmentFlag.AlignVCenter
    painter.drawText(QRectF(x, rect.top(), name_w + 1, rect.height()),
                     Qt.AlignmentFlag.AlignLeft | vcenter, label.name)
    if shown:
        painter.drawText(QRectF(x + name_w + gap, rect.top(), disp_w + 1, rect.height()),
                         Qt.AlignmentFlag.AlignLeft | vcenter, shown)


def start_chart(widget: QWidget, title: str) -> QPainter:
    """A painter on ``widget``: white background, the title in bold at the top."""
    p = QPainter(widget)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(QRectF(widget.rect()), QColor("white"))
    bold = QFont(widget.font())
    bold.setBold(True)
    p.setFont(bold)
    p.setPen(QColor("#222"))
    p.drawText(QRectF(PAD, PAD, widget.width() - 2 * PAD, 18),
               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    p.setFont(widget.font())
    return p


def label_width(font: QFont, label: ChartLabel) -> float:
    metrics = QFontMetricsF(font)
    shown = label.display if label.display and label.display != label.name else ""
    return metrics.horizontalAdvance(label.name + ("  " + shown if shown else ""))


class BarChart(QWidget):
    """Horizontal grouped bars in [0, 1]: one group per label, one bar per series.
    A missing value (None: undefined) is drawn as an em dash, not as a zero bar."""

    BAR_H = 11.0
    GROUP_GAP = 10.0

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series: list[str] = []
        self.labels: list[ChartLabel] = []
        self.values: list[list[float | None]] = []  # per label, per series
        self.setFont(label_font(self.font(), 10))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, series: Sequence[str], labels: Sequence[ChartLabel],
                 values: Sequence[Sequence[float | None]]) -> None:
        self.series, self.labels = list(series), list(labels)
        self.values = [list(v) for v in values]
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def _label_width(self) -> float:
        return max((label_width(self.font(), lb) for lb in self.labels), default=40.0) + PAD

    def sizeHint(self) -> QSize:
        n = max(len(self.series), 1)
        group = n * self.BAR_H + self.GROUP_GAP
        height = 2 * PAD + 44 + len(self.labels) * group + 22
        return QSize(int(self._label_width() + 360), int(height))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = start_chart(self, self.title)
        metrics = QFontMetricsF(self.font())
        x = PAD
        for k, name in enumerate(self.series):  # legend
            p.fillRect(QRectF(x, PAD + 26, 12, 10), QColor(SERIES_COLORS[k % 3]))
            p.drawText(QRectF(x + 16, PAD + 22, 200, 18),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            x += 16 + metrics.horizontalAdvance(name) + 18
        left = PAD + self._label_width()
        width = max(self.width() - left - PAD - 48, 40.0)
        y = PAD + 44
        group = len(self.series) * self.BAR_H + self.GROUP_GAP
        p.setPen(QPen(QColor("#ddd"), 1))
        for tick in (0.25, 0.5, 0.75, 1.0):
            tx = left + tick * width
            p.drawLine(int(tx), int(y), int(tx), int(y + len(self.labels) * group))
        for i, label in enumerate(self.labels):
            top = y + i * group
            p.setPen(QColor("#222"))
            draw_label(p, QRectF(PAD, top, left - PAD - 6, group - self.GROUP_GAP), label)
            for k, value in enumerate(self.values[i]):
                bar = QRectF(left, top + k * self.BAR_H, (value or 0.0) * width, self.BAR_H - 2)
                p.fillRect(bar, QColor(SERIES_COLORS[k % 3]))
                text = "\u2014" if value is None else f"{value:.2f}"
                p.setPen(QColor("#444"))
                p.drawText(QRectF(bar.right() + 4, bar.top() - 2, 44, self.BAR_H + 2),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           text)
        axis_y = y + len(self.labels) * group
        p.setPen(QColor("#666"))
        for tick in (0.0, 0.5, 1.0):
            tx = left + tick * width
            p.drawText(QRectF(tx - 20, axis_y, 40, 18), Qt.AlignmentFlag.AlignCenter,
                       f"{tick:g}")
        p.end()


class HeatMap(QWidget):
    """A square matrix of counts, rows against columns, darker for more."""

    CELL = 42.0

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.labels: list[ChartLabel] = []
        self.counts: list[list[int]] = []
        self.row_title = self.column_title = ""
        self.setFont(label_font(self.font(), 10))

    def set_data(self, labels: Sequence[ChartLabel], counts: Sequence[Sequence[int]],
                 row_title: str, column_title: str) -> None:
        self.labels, self.counts = list(labels), [list(r) for r in counts]
        self.row_title, self.column_title = row_title, column_title
        self.setMinimumSize(self.sizeHint())
        self.updateGeometry()
        self.update()

    def _label_width(self) -> float:
        return max((label_width(self.font(), lb) for lb in self.labels), default=40.0) + PAD

    def _head_height(self) -> float:
        """Room for the column heads, written bottom to top under the matrix."""
        metrics = QFontMetricsF(self.font())
        return max((metrics.horizontalAdvance(lb.name) for lb in self.labels), default=0) + 8

    def sizeHint(self) -> QSize:
        n = len(self.labels)
        return QSize(int(PAD * 2 + self._label_width() + n * self.CELL + 20),
                     int(PAD * 2 + 50 + n * self.CELL + self._head_height() + 24))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = start_chart(self, self.title)
        left, top = PAD + self._label_width(), PAD + 50
        n = len(self.labels)
        p.drawText(QRectF(left, PAD + 22, n * self.CELL, 18),
                   Qt.AlignmentFlag.AlignCenter, f"{self.column_title} \u2192")
        peak = max((c for row in self.counts for c in row), default=0) or 1
        for i, row in enumerate(self.counts):
            p.setPen(QColor("#222"))
            draw_label(p, QRectF(PAD, top + i * self.CELL, left - PAD - 6, self.CELL),
                       self.labels[i])
            for j, count in enumerate(row):
                cell = QRectF(left + j * self.CELL, top + i * self.CELL, self.CELL, self.CELL)
                shade = math.log1p(count) / math.log1p(peak)  # O would drown the rest
                color = QColor.fromRgbF(1 - 0.75 * shade, 1 - 0.55 * shade, 1 - 0.2 * shade)
                p.fillRect(cell, color)
                p.setPen(QPen(QColor("#ccc"), 1))
                p.drawRect(cell)
                p.setPen(QColor("white") if shade > 0.55 else QColor("#222"))
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(count))
        p.setPen(QPen(QColor("#b33"), 1.5))  # the diagonal (agreement), over the grid
        for i in range(n):
            p.drawRect(QRectF(left + i * self.CELL, top + i * self.CELL, self.CELL, self.CELL))
        bottom = top + n * self.CELL
        head = self._head_height()
        p.setPen(QColor("#444"))
        for j, label in enumerate(self.labels):  # column heads: the names, turned upright
            p.save()
            p.translate(left + (j + 0.5) * self.CELL, bottom + 4)
            p.rotate(-90)
            p.drawText(QRectF(-head, -9, head, 18),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label.name)
            p.restore()
        p.drawText(QRectF(PAD, bottom + head + 6, left + n * self.CELL, 16),
                   Qt.AlignmentFlag.AlignLeft, f"rows: {self.row_title}")
        p.end()
