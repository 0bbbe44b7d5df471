"""Painting review mode: the compared annotators' spans by class, and gold spans.

Extends :class:`SpanPainter` (same geometry and caches, boxes painted before the text,
never character formats): agreed spans get a green tint and a solid green bar, spans
only some annotators made a dashed outline in their label's colour, label conflicts a
red hatch with a red outline, and gold spans a thick gold bar along the top of the line.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from annotator.store.projects import GOLD
from ui.review.classes import AGREED, CONFLICT, SINGLE
from ui.tagging.painter import BAR_HEIGHT, SpanPainter

GOLD_CLASS = "gold"
AGREED_COLOR = QColor("#2e9e4f")
CONFLICT_COLOR = QColor("#d0312d")
GOLD_COLOR = QColor("#c9a000")
LEGEND = {AGREED: "Agreed by all", SINGLE: "Not by everyone", CONFLICT: "Label conflict",
          GOLD_CLASS: "Gold"}


def paint_selected(painter: QPainter, rect: QRectF) -> None:
    painter.setPen(QPen(QColor("#202020"), 2.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(-1, -1, 1, 1))


def paint_class(painter: QPainter, rect: QRectF, kind: str, label_color: QColor) -> None:
    """One box of a span of class ``kind`` (also draws the legend's swatches)."""
    if kind == AGREED:
        tint = QColor(AGREED_COLOR)
        tint.setAlpha(70)
        painter.fillRect(rect, tint)
        painter.fillRect(QRectF(rect.left(), rect.bottom() - BAR_HEIGHT - 1, rect.width(),
                                BAR_HEIGHT + 1), AGREED_COLOR)
    elif kind == CONFLICT:
        painter.fillRect(rect, QBrush(CONFLICT_COLOR, Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(CONFLICT_COLOR, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
    elif kind == GOLD_CLASS:
        painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), 4), GOLD_COLOR)
    else:
        tint = QColor(label_color)
        tint.setAlpha(35)
        painter.fillRect(rect, tint)
        painter.setPen(QPen(label_color.darker(130), 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))


class ReviewPainter(SpanPainter):
    """A SpanPainter whose spans are styled by review class, not only by label."""

    classes: dict[int, str]

    def paint(self, painter: QPainter, offset: object, top: float, bottom: float) -> None:
        painter.save()
        painter.translate(offset)  # type: ignore[call-overload]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        classes = getattr(self, "classes", {})
        selected = []
        for block in self.visible_blocks(top, bottom):
            for piece in self._pieces(block):
                span = piece.span
                kind = GOLD_CLASS if span.annotator == GOLD else classes.get(span.id, SINGLE)
                paint_class(painter, piece.rect, kind, self.style.color(span.label))
                if span.id == self.selected:
                    selected.append(piece.rect)
        for rect in selected:  # on top of everything
            paint_selected(painter, rect)
        painter.restore()


class Swatch(QWidget):
    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setFixedSize(QSize(34, 18))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(QRectF(self.rect()), QColor("white"))
        paint_class(p, QRectF(2, 2, 30, 14), self.kind, QColor("#3b6fb6"))
        p.end()


class Legend(QWidget):
    """What each review style means, in one row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        self.swatches = []
        for kind, text in LEGEND.items():
            swatch = Swatch(kind, self)
            self.swatches.append(swatch)
            row.addWidget(swatch)
            row.addWidget(QLabel(text, self))
            row.addSpacing(10)
        row.addStretch(1)
