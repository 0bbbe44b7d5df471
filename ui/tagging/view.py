"""The article view for tagging: selecting text, selecting spans, moving span edges.

Every offset leaving this widget is a Python ``str`` index into the stored text: Qt's
UTF-16 positions are mapped at this boundary (``Utf16Map``) and never travel further.

Mouse: a drag selects the whole tokens it touches; with Alt it selects exact characters
(whole graphemes, so harakat stay with their letter). A click on a span selects it; a
click on the same place again cycles through the spans stacked there. Dragging an edge
of the selected span moves that edge. Keyboard: Shift+arrows select characters
(Ctrl+Shift+arrows words), Tab / Shift+Tab go through spans, Alt+Left/Right move the
selected span's end edge and Alt+Shift+Left/Right its start edge by one token, Delete
removes it, Escape clears.

The view changes nothing itself: it emits requests that the window turns into undoable
commands.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTextCursor,
)
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from annotator.store.documents import SpanValue
from annotator.store.spans import RelationValue
from annotator.text.canonical import Utf16Map
from annotator.text.tokens import TokenIndex
from ui.tagging.article_view import ArticleView
from ui.tagging.painter import SpanPainter, SpanStyle

EXACT_MODIFIER = Qt.KeyboardModifier.AltModifier
EDGE_GRAB_PX = 6


class TaggingView(ArticleView):
    """An ArticleView that shows spans and lets the user select text and spans."""

    selection_changed = Signal(int, int)  # snapped [start, end); start == end: none
    span_selected = Signal(object)  # span id or None
    resize_requested = Signal(int, int, int)  # span id, new start, new end
    delete_requested = Signal(int)  # span id
    link_chosen = Signal(int)  # the span chosen as a relation's partner
    link_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.painter = SpanPainter(self.document())
        self.umap = Utf16Map("")
        self._tokens: TokenIndex | None = TokenIndex("")
        self._token_text = ""
        self.relations: list[RelationValue] = []
        self.selected_span: int | None = None
        self.linking = False
        self._press: QPoint | None = None
        self._press_q = 0
        self._dragging = False
        self._press_char = 0
        self._edge: str | None = None  # "start" / "end" while dragging an edge
        self._cycle: tuple[int, int] | None = None  # (position, index) of the last click
        self._selection = (0, 0)
        self.viewport().setMouseTracking(True)
        self.setTabChangesFocus(False)

    # -- content -----------------------------------------------------------------------

    def show_text(self, text: str) -> bool:
        self.umap = Utf16Map(text)
        self._tokens = None  # built on first use: about 25 ms for 50,000 characters
        self._token_text = text
        self.selected_span = None
        self.linking = False
        self.painter.selected = None
        self.painter.set_spans([], self.umap)
        ok = super().show_text(text)
        self._selection = (0, 0)
        return ok

    @property
    def tokens(self) -> TokenIndex:
        if self._tokens is None:
            self._tokens = TokenIndex(self._token_text)
        return self._tokens

    def set_style(self, style: SpanStyle) -> None:
        self.painter.style = style
        self.viewport().update()

    def set_spans(self, spans: list[SpanValue], relations: list[RelationValue]) -> None:
        """Show these spans (this annotator's); keeps the scroll position."""
        self.painter.set_spans(spans, self.umap)
        self.relations = relations
        if self.selected_span not in self.painter.index.by_id:
            self.selected_span = None
        self.painter.selected = self.selected_span
        self._update_partners(self.selected_span)
        self.viewport().update()

    # -- offsets -----------------------------------------------------------------------

    def selection(self) -> tuple[int, int]:
        """The selected text as Python offsets (snapped); equal ends when nothing is."""
        return self._selection

    def select_range(self, start: int, end: int) -> None:
        """Select ``text[start:end]`` (Python offsets) as the pending selection."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.umap.to_qt(start))
        cursor.setPosition(self.umap.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self._set_selection(start, end)

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        self._set_selection(self.umap.from_qt(cursor.position()), None)

    def _set_selection(self, start: int, end: int | None) -> None:
        end = start if end is None else end
        if (start, end) != self._selection:
            self._selection = (start, end)
            self.selection_changed.emit(start, end)

    def _cursor_selection(self) -> tuple[int, int]:
        """The keyboard selection as Python offsets, in exact (grapheme) mode."""
        cursor = self.textCursor()
        a = self.umap.from_qt(cursor.selectionStart())
        b = self.umap.from_qt(cursor.selectionEnd())
        return self._snap(a, b, exact=True) if b > a else (a, a)

    def _snap(self, a: int, b: int, exact: bool) -> tuple[int, int]:
        """Whole tokens, or whole graphemes without white space at the edges (a span
        never starts or ends with a space)."""
        if not exact:
            return self.tokens.snap_tokens(a, b)
        a, b = self.tokens.snap_chars(a, b)
        text = self.tokens.text
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        return (a, b) if b > a else (a, a)

    # -- spans -------------------------------------------------------------------------

    def select_span(self, span_id: int | None, *, scroll: bool = True) -> None:
        """Make a span the selected one (its edges can then move); None clears."""
        if span_id is not None and span_id not in self.painter.index.by_id:
            span_id = None
        self.selected_span = span_id
        self.painter.selected = span_id
        self._update_partners(span_id)
        if span_id is not None:
            self.clear_selection()
            if scroll:
                self.scroll_to_span(span_id)
        self.viewport().update()
        self.span_selected.emit(span_id)

    def scroll_to_span(self, span_id: int) -> None:
        span = self.painter.index.by_id.get(span_id)
        if span is None:
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.umap.to_qt(span.start))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def _update_partners(self, span_id: int | None) -> None:
        partners = set()
        for rel in self.relations:
            if span_id in (rel.from_span_id, rel.to_span_id):
                partners |= {rel.from_span_id, rel.to_span_id}
        partners.discard(span_id)  # type: ignore[arg-type]
        self.painter.partners = partners

    def begin_link(self, candidates: set[int]) -> None:
        """Wait for the user to choose one of ``candidates`` (click, or Tab and Enter)."""
        self.linking = True
        self.painter.candidates = candidates
        self.viewport().update()

    def end_link(self) -> None:
        self.linking = False
        self.painter.candidates = set()
        self.viewport().update()

    def char_at(self, point: QPoint) -> int:
        """The Python offset of the character drawn under ``point`` (or the nearest)."""
        q = self.cursorForPosition(point).position()
        doc_point = self._doc_point(point)
        for candidate in (q, q - 1):
            block = self.document().findBlock(max(candidate, 0))
            layout = block.layout()
            rel = candidate - block.position()
            if not 0 <= rel < block.length() - 1:
                continue
            line = layout.lineForTextPosition(rel)
            origin = layout.position()
            for run in line.glyphRuns(rel, 1):
                box = run.boundingRect()
                if origin.x() + box.left() <= doc_point.x() <= origin.x() + box.right():
                    return self.umap.from_qt(candidate)
        return self.umap.from_qt(q)

    def span_at(self, point: QPoint) -> list[SpanValue]:
        return self.painter.spans_at(self._doc_point(point))

    def _doc_point(self, point: QPoint) -> QPointF:
        return QPointF(
            point.x() + self.horizontalScrollBar().value(),
            point.y() + self.verticalScrollBar().value(),
        )

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        # Boxes first, then Qt draws the text over them: the glyphs are untouched.
        painter = QPainter(self.viewport())
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        rect = event.rect()
        self.painter.paint(painter, QPointF(-dx, -dy), rect.top() + dy, rect.bottom() + dy)
        painter.end()
        super().paintEvent(event)

    # -- mouse -------------------------------------------------------------------------

    def _edge_at(self, point: QPoint) -> str | None:
        """'start' or 'end' when ``point`` is within a few pixels of an edge of the
        selected span (where the caret would stand at that edge)."""
        span = self.painter.index.by_id.get(self.selected_span or -1)
        if span is None:
            return None
        for name, index in (("start", span.start), ("end", span.end)):
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.umap.to_qt(index))
            caret = self.cursorRect(cursor)
            if abs(point.x() - caret.center().x()) <= EDGE_GRAB_PX and (
                caret.top() <= point.y() <= caret.bottom()
            ):
                return name
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = event.position().toPoint()
        self._press = point
        self._press_q = self.cursorForPosition(point).position()
        self._press_char = self.char_at(point)
        self._dragging = False
        self._edge = None if self.linking else self._edge_at(point)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            self._hover(point, event.globalPosition().toPoint())
            return
        if not self._dragging:
            distance = (point - self._press).manhattanLength()
            if distance < QApplication.startDragDistance():
                return
            self._dragging = True
        q = self.cursorForPosition(point).position()
        cursor = QTextCursor(self.document())
        span = self.painter.index.by_id.get(self.selected_span or -1)
        if self._edge and span is not None:
            # Preview the span's new extent with the selection highlight.
            fixed = self.umap.to_qt(span.end if self._edge == "start" else span.start)
            cursor.setPosition(fixed)
        else:
            cursor.setPosition(self._press_q)
        cursor.setPosition(q, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        exact = bool(event.modifiers() & EXACT_MODIFIER)
        point = event.position().toPoint()
        self._press = None
        if self._dragging and self._edge and self.selected_span is not None:
            self._finish_edge_drag(exact)
        elif self._dragging:
            # Every character the drag touched, from the one pressed to the one released.
            first, last = sorted((self._press_char, self.char_at(point)))
            start, end = self._snap(first, last + 1, exact)
            if end > start:
                self.select_span(None, scroll=False)
                self.select_range(start, end)
            else:
                self.clear_selection()
        else:
            self._click(point)
        self._dragging = False
        self._edge = None
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        index = self.umap.from_qt(self.cursorForPosition(event.position().toPoint()).position())
        token = self.tokens.token_at(index) or self.tokens.token_at(max(0, index - 1))
        if token:
            self.select_span(None, scroll=False)
            self.select_range(*token)
        event.accept()

    def _finish_edge_drag(self, exact: bool) -> None:
        span = self.painter.index.by_id[self.selected_span]  # type: ignore[index]
        index = self.umap.from_qt(self.textCursor().position())
        self.clear_selection()
        if exact:
            new = self.tokens.snap_chars(index, index)[0]
        else:  # the edge takes the near side of the word it was dropped in
            token = self.tokens.token_at(index)
            new = index if token is None else token[0] if self._edge == "start" else token[1]
        start, end = (new, span.end) if self._edge == "start" else (span.start, new)
        if start > end:
            start, end = end, start
        if end > start and (start, end) != (span.start, span.end):
            self.resize_requested.emit(span.id, start, end)

    def _click(self, point: QPoint) -> None:
        hits = self.span_at(point)
        if self.linking:
            chosen = [s for s in hits if s.id in self.painter.candidates]
            if chosen:
                self.link_chosen.emit(chosen[0].id)
            return
        if not hits:
            self.select_span(None, scroll=False)
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._press_q)
            self.setTextCursor(cursor)
            self._set_selection(self.umap.from_qt(self._press_q), None)
            return
        # A second click on the same stack selects the next span in it.
        key = hits[0].id
        if self._cycle and self._cycle[0] == key and self.selected_span in [s.id for s in hits]:
            k = ([s.id for s in hits].index(self.selected_span) + 1) % len(hits)
        else:
            k = 0
        self._cycle = (key, k)
        self.select_span(hits[k].id, scroll=False)

    def _hover(self, point: QPoint, global_point: QPoint) -> None:
        self.viewport().setCursor(
            Qt.CursorShape.SizeHorCursor if self._edge_at(point) else Qt.CursorShape.IBeamCursor
        )
        hits = self.span_at(point)
        hovered = hits[0].id if hits else self.selected_span
        before = self.painter.partners
        self._update_partners(hovered)
        if self.painter.partners != before:  # repaint only when the outlines change
            self.viewport().update()
        if hits:
            QToolTip.showText(global_point, self.hover_card(hits), self.viewport())
        else:
            QToolTip.hideText()

    def hover_card(self, spans: list[SpanValue]) -> str:
        """HTML for the spans under the pointer: label, text and relations of each."""
        rows = []
        for span in spans:
            color = self.painter.style.color(span.label).name()
            piece = escape(self._text_of(span))
            rels = [
                f"{escape(r.type)} {arrow} {escape(self._text_of(other))}"
                for r in self.relations
                for arrow, mine, theirs in (("→", r.from_span_id, r.to_span_id),
                                            ("←", r.to_span_id, r.from_span_id))
                if mine == span.id
                and (other := self.painter.index.by_id.get(theirs)) is not None
            ]
            extra = "".join(f"<br>&nbsp;&nbsp;{x}" for x in rels)
            rows.append(
                f"<p><span style='color:{color}'>■</span> <b>{escape(span.label)}</b> "
                f"<span dir='rtl'>{piece}</span>{extra}</p>"
            )
        return "".join(rows)

    def _text_of(self, span: SpanValue, limit: int = 60) -> str:
        piece = self.text()[span.start : span.end].replace("\n", " ⏎ ")
        return piece if len(piece) <= limit else piece[: limit - 1] + "…"

    def leaveEvent(self, event: QEvent) -> None:
        self._update_partners(self.selected_span)
        self.viewport().update()
        super().leaveEvent(event)

    # -- keyboard ----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Escape:
            if self.linking:
                self.end_link()
                self.link_cancelled.emit()
            elif self.selected_span is not None:
                self.select_span(None, scroll=False)
            else:
                self.clear_selection()
            return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if mods & Qt.KeyboardModifier.ControlModifier:
                super().focusNextPrevChild(not shift and key == Qt.Key.Key_Tab)
            else:
                self._tab(backwards=key == Qt.Key.Key_Backtab or shift)
            return
        if self.linking and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.selected_span in self.painter.candidates:
                self.link_chosen.emit(self.selected_span)  # type: ignore[arg-type]
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_span is not None:
            self.delete_requested.emit(self.selected_span)
            return
        if alt and key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self.selected_span is not None:
            self._nudge(key == Qt.Key.Key_Left, start_edge=shift)
            return
        super().keyPressEvent(event)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End,
                   Qt.Key.Key_Up, Qt.Key.Key_Down):
            if shift and self.selected_span is not None:
                self.select_span(None, scroll=False)
            start, end = self._cursor_selection()
            self._set_selection(start, end)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's name
        # Tab goes through spans here; Ctrl+Tab leaves the article (see keyPressEvent).
        return False

    def _tab(self, backwards: bool) -> None:
        index = self.painter.index
        pool = [s for s in index.spans if not self.linking or s.id in self.painter.candidates]
        if not pool:
            return
        ids = [s.id for s in pool]
        if self.selected_span in ids:
            k = ids.index(self.selected_span) + (-1 if backwards else 1)
        else:
            here = self._selection[0]
            after = [i for i, s in enumerate(pool) if s.start >= here]
            k = after[0] if after and not backwards else (after[0] - 1 if after else len(pool) - 1)
        self.select_span(ids[k % len(ids)])

    def _nudge(self, visual_left: bool, start_edge: bool) -> None:
        """Move an edge one token: Left moves it left on screen, which is forward in
        right-to-left text."""
        span = self.painter.index.by_id[self.selected_span]  # type: ignore[index]
        forward = visual_left  # right-to-left articles
        starts = [t[0] for t in self.tokens.tokens]
        ends = [t[1] for t in self.tokens.tokens]
        if start_edge:
            options = [s for s in starts if (s > span.start if forward else s < span.start)]
            new = (min(options) if forward else max(options)) if options else span.start
            start, end = new, span.end
        else:
            options = [e for e in ends if (e > span.end if forward else e < span.end)]
            new = (min(options) if forward else max(options)) if options else span.end
            start, end = span.start, new
        if start < end and (start, end) != (span.start, span.end):
            self.resize_requested.emit(span.id, start, end)
