"""Painting spans under the article's text, and finding the spans under a point.

Highlights are never character formats (they split lam-alef and other ligatures, see
ARABIC.md): each span is drawn as background boxes *before* the text is drawn, from the
glyph runs of its characters, so bidi-split ranges (Arabic with Latin or digits inside)
get exactly the boxes of their glyphs. Overlapping spans stack: every span tints its
boxes, and a bar under the line at its lane's depth tells nested spans apart.

Only the blocks in view are touched, and a block's boxes are cached until the text is
laid out again, so 2,000 spans cost about what the visible ones cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QTextBlock, QTextDocument

from annotator.store.documents import SpanValue
from annotator.text.canonical import Utf16Map
from ui.tagging.span_index import SpanIndex

BAR_HEIGHT = 2.5
BAR_GAP = 1.5
MAX_BAR_LANES = 4


@dataclass
class SpanStyle:
    """What the painter needs to know about labels: colour and whether the label marks
    long stretches (claims, quotes, boilerplate), which get a lighter tint."""

    colors: dict[str, QColor] = field(default_factory=dict)
    long_labels: set[str] = field(default_factory=set)

    def color(self, label: str) -> QColor:
        return self.colors.get(label, QColor("#888888"))


@dataclass
class _Piece:
    span: SpanValue
    rect: QRectF  # document coordinates
    lane: int
    line_bottom: float


class SpanPainter:
    """Computes span boxes from a QTextDocument's layout and paints them."""

    def __init__(self, document: QTextDocument) -> None:
        self.document = document
        self.index = SpanIndex([])
        self.umap = Utf16Map("")
        self.style = SpanStyle()
        self.selected: int | None = None
        self.partners: set[int] = set()  # spans related to the hovered or selected one
        self.candidates: set[int] = set()  # link targets while choosing a partner
        self.pending: set[int] = set()  # spans shown as they will be once saved: dashed
        self._cache: dict[int, list[_Piece]] = {}  # block number -> pieces
        document.documentLayout().documentSizeChanged.connect(lambda _size: self.invalidate())

    def set_spans(self, spans: list[SpanValue], umap: Utf16Map) -> None:
        self.index = SpanIndex(spans)
        self.umap = umap
        self.invalidate()

    def invalidate(self) -> None:
        self._cache.clear()

    # -- geometry ----------------------------------------------------------------------

    def _pieces(self, block: QTextBlock) -> list[_Piece]:
        cached = self._cache.get(block.blockNumber())
        if cached is not None:
            return cached
        pieces: list[_Piece] = []
        layout = block.layout()
        q0 = block.position()
        q1 = q0 + block.length() - 1
        p0, p1 = self.umap.from_qt(q0), self.umap.from_qt(q1)
        origin = layout.position()
        spans = self.index.overlapping(p0, p1 + 1) if p1 >= p0 else []
        for line_no in range(layout.lineCount()):
            line = layout.lineAt(line_no)
            ls, ll = line.textStart(), line.textLength()
            top = origin.y() + line.y()
            bottom = top + line.height()
            for span in spans:
                a = max(self.umap.to_qt(span.start) - q0, ls)
                b = min(self.umap.to_qt(span.end) - q0, ls + ll)
                if a >= b:
                    continue
                for run in line.glyphRuns(a, b - a):
                    box = run.boundingRect()
                    rect = QRectF(origin.x() + box.left(), top, box.width(), line.height())
                    pieces.append(_Piece(span, rect, self.index.lane[span.id], bottom))
        self._cache[block.blockNumber()] = pieces
        return pieces

    def visible_blocks(self, top: float, bottom: float) -> list[QTextBlock]:
        """Blocks whose boxes meet the document-coordinate band ``[top, bottom]``."""
        layout = self.document.documentLayout()
        pos = layout.hitTest(QPointF(0, top), Qt.HitTestAccuracy.FuzzyHit)
        block = self.document.findBlock(max(0, pos))
        blocks = []
        while block.isValid():
            rect = layout.blockBoundingRect(block)
            if rect.top() > bottom:
                break
            if rect.bottom() >= top:
                blocks.append(block)
            block = block.next()
        return blocks

    def span_rects(self, span_id: int) -> list[QRectF]:
        """The boxes of one span (document coordinates), in text order."""
        span = self.index.by_id.get(span_id)
        if span is None:
            return []
        first = self.document.findBlock(self.umap.to_qt(span.start))
        last = self.document.findBlock(max(0, self.umap.to_qt(span.end) - 1))
        rects = []
        block = first
        while block.isValid():
            rects += [p.rect for p in self._pieces(block) if p.span.id == span_id]
            if block == last:
                break
            block = block.next()
        return rects

    def spans_at(self, point: QPointF) -> list[SpanValue]:
        """Spans drawn under a document point, innermost first."""
        block = self.document.findBlock(
            max(0, self.document.documentLayout().hitTest(point, Qt.HitTestAccuracy.FuzzyHit))
        )
        hits = {p.span.id: p.span for p in self._pieces(block) if p.rect.contains(point)}
        return sorted(hits.values(), key=lambda s: (s.end - s.start, s.start, s.id))

    # -- painting ----------------------------------------------------------------------

    def paint(self, painter: QPainter, offset: QPointF, top: float, bottom: float) -> None:
        """Paint the spans meeting ``[top, bottom]`` (document y), shifted by ``offset``."""
        painter.save()
        painter.translate(offset)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        outlines: list[tuple[QRectF, QColor, Qt.PenStyle]] = []
        for block in self.visible_blocks(top, bottom):
            for piece in self._pieces(block):
                span = piece.span
                color = QColor(self.style.color(span.label))
                tint = QColor(color)
                tint.setAlpha(45 if span.label in self.style.long_labels else 80)
                if span.id == self.selected:
                    tint.setAlpha(140)
                elif span.id in self.pending:
                    tint.setAlpha(35)
                painter.fillRect(piece.rect, tint)
                lane = min(piece.lane, MAX_BAR_LANES - 1)
                bar_y = piece.line_bottom - BAR_HEIGHT - lane * (BAR_HEIGHT + BAR_GAP)
                painter.fillRect(
                    QRectF(piece.rect.left(), bar_y, piece.rect.width(), BAR_HEIGHT), color
                )
                if span.id == self.selected:
                    style = Qt.PenStyle.DashLine if span.id in self.pending else \
                        Qt.PenStyle.SolidLine
                    outlines.append((piece.rect, color.darker(160), style))
                elif span.id in self.pending:
                    outlines.append((piece.rect, color.darker(150), Qt.PenStyle.DashLine))
                elif span.id in self.partners or span.id in self.candidates:
                    outlines.append((piece.rect, color.darker(140), Qt.PenStyle.DashLine))
        for rect, color, style in outlines:
            pen = QPen(color, 2 if style == Qt.PenStyle.SolidLine else 1.5, style)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        painter.restore()
