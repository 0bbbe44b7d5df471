"""The spans of the open document as a table: label, text, offsets, relations.

The model is a row cache of display strings built once per ``set_spans`` from plain
values (no database access), so painting 2,000 spans costs only the visible rows. Span
text is Arabic: its column is laid out right to left and elided at its logical end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFont, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.store.documents import SpanValue
from annotator.store.schema import Schema
from annotator.store.spans import RelationValue
from ui.common.fonts import arabic_font
from ui.common.swatches import ICON_SIZE, NO_COLOUR, swatch_icon
from ui.common.tables import Index, RightToLeftDelegate, RowsModel, setup_row_table

LABEL_COLUMN, TEXT_COLUMN, OFFSETS_COLUMN, RELATION_COLUMN = range(4)
HEADERS = ("Label", "Text", "Offsets", "Relations")
SPAN_ID_ROLE = Qt.ItemDataRole.UserRole
NEWLINE = " \u23ce "
SHOWN_CHARS = 300  # a boilerplate span can be pages long; a cell never shows more
OTHER_END_CHARS = 30  # how much of the linked span a relation cell quotes
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# Bidi isolates keep a relation's quoted end in one piece beside its arrow.
ISOLATE, END_ISOLATE = "\u2068", "\u2069"


def shown_text(text: str, limit: int = SHOWN_CHARS) -> str:
    """A span's text on one line: newlines as " ⏎ ", cut after ``limit`` characters."""
    cut = text[:limit] + ("\u2026" if len(text) > limit else "")
    return cut.replace("\n", NEWLINE)


@dataclass(frozen=True)
class SpanRow:
    """What one row shows, computed once when the spans are set."""

    span: SpanValue
    text: str
    relations: str
    colour: str
    label_title: str  # for the tooltip: "PERSON — شخص"


class SpanTableModel(RowsModel):
    """A document's spans sorted by start (longest first, then id), as display values."""

    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SpanRow] = []
        self._row_of_id: dict[int, int] = {}
        self._icons: dict[str, QIcon] = {}
        self.text_font = QFont()

    def set_spans(self, text: str, spans: list[SpanValue], relations: list[RelationValue],
                  schema: Schema) -> None:
        """Replace every row (one model reset)."""
        labels = {label.name: label for label in schema.labels}
        ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
        short = {s.id: shown_text(text[s.start:s.end], OTHER_END_CHARS) for s in ordered}
        links: dict[int, list[str]] = defaultdict(list)
        for rel in relations:
            # Outgoing on the source span ("SPEAKER → جون كيري"), incoming on the target.
            to_text = short.get(rel.to_span_id, f"#{rel.to_span_id}")
            from_text = short.get(rel.from_span_id, f"#{rel.from_span_id}")
            links[rel.from_span_id].append(f"{rel.type} \u2192 {ISOLATE}{to_text}{END_ISOLATE}")
            links[rel.to_span_id].append(f"{rel.type} \u2190 {ISOLATE}{from_text}{END_ISOLATE}")
        rows = [SpanRow(span, shown_text(text[span.start:span.end]),
                        "; ".join(links.get(span.id, ())),
                        labels[span.label].color if span.label in labels else NO_COLOUR,
                        f"{span.label} \u2014 {labels[span.label].display_name}"
                        if span.label in labels else span.label) for span in ordered]
        self.beginResetModel()
        self._rows = rows
        self._icons = {colour: swatch_icon(colour) for colour in {row.colour for row in rows}}
        self._row_of_id = {row.span.id: n for n, row in enumerate(rows)}
        self.endResetModel()

    def row_of(self, span_id: int) -> int | None:
        return self._row_of_id.get(span_id)

    def span_at(self, row: int) -> SpanValue:
        return self._rows[row].span

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        span = row.span
        if role == Qt.ItemDataRole.DisplayRole:
            if column == LABEL_COLUMN:
                return span.label
            if column == TEXT_COLUMN:
                return row.text
            if column == OFFSETS_COLUMN:
                return f"{span.start}\u2013{span.end}"
            return row.relations
        if role == SPAN_ID_ROLE:
            return span.id
        if role == Qt.ItemDataRole.DecorationRole and column == LABEL_COLUMN:
            return self._icons[row.colour]
        if role == Qt.ItemDataRole.FontRole and column == TEXT_COLUMN:
            return self.text_font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == OFFSETS_COLUMN:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.label_title}\n{row.text}\n"
                    f"characters {span.start}\u2013{span.end} ({span.end - span.start}), "
                    f"{span.annotator}, {span.origin}")
        return None


class SpanTable(QTableView):
    """The list's table: Enter activates the current row; typed letters and digits go on
    to the window (they are label hotkeys), not to the table's type-ahead search."""

    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            event.accept()
            return
        if event.text().strip() and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            event.ignore()
            return
        super().keyPressEvent(event)


class SpanList(QWidget):
    """The open document's spans. ``span_activated(span_id)`` on a click or Enter;
    :meth:`select_span` moves the selection without emitting."""

    span_activated = Signal(int)  # span id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SpanTableModel(self)
        self.model.text_font = arabic_font(self.font())
        self.header = QLabel(self)
        self.header.setStyleSheet("font-weight: bold;")
        self.table = SpanTable(self)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(TEXT_COLUMN, RightToLeftDelegate(self.table))
        setup_row_table(self.table, self.model.text_font)
        self.table.setIconSize(ICON_SIZE)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TEXT_COLUMN, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()  # a long label with its swatch; 5-digit offsets
        for column, width in ((LABEL_COLUMN, metrics.horizontalAdvance("ORGANIZATION") + 40),
                              (OFFSETS_COLUMN, metrics.horizontalAdvance("00000\u201300000") + 16),
                              (RELATION_COLUMN, 170)):
            header.resizeSection(column, width)
        self.table.clicked.connect(lambda index: self._activate(index.row()))
        self.table.enter_pressed.connect(lambda: self._activate(self.table.currentIndex().row()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.table)
        self._show_count()

    # -- what the window calls ---------------------------------------------------------

    def set_spans(self, text: str, spans: list[SpanValue], relations: list[RelationValue],
                  schema: Schema) -> None:
        """Show ``spans`` of ``text``; the selected span stays selected if it is still there."""
        selected = self.current_span_id()
        self.model.set_spans(text, spans, relations, schema)
        self._show_count()
        if selected is not None:
            self.select_span(selected)

    def select_span(self, span_id: int | None) -> bool:
        """Select the row of ``span_id`` (None clears), without emitting ``span_activated``.
        False when the span is not listed."""
        selection = self.table.selectionModel()
        row = self.model.row_of(span_id) if span_id is not None else None
        if row is None:
            selection.clear()
            return span_id is None
        index = self.model.index(row, LABEL_COLUMN)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def current_span_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.span_at(rows[0].row()).id if rows else None

    # -- internals ---------------------------------------------------------------------

    def _activate(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.span_activated.emit(self.model.span_at(row).id)

    def _show_count(self) -> None:
        n = self.model.rowCount()
        self.header.setText(f"{n:,} span{'' if n == 1 else 's'}" if n
                            else "No spans yet: select text and press a label key")
