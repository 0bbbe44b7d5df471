"""The right-hand panel: the label palette (also the legend) above the open document's
spans. It wires the two widgets to the tagging controller and the article view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from annotator.store.documents import SpanValue
from annotator.store.schema import Schema
from annotator.store.spans import RelationValue
from ui.tagging.controller import TaggingController
from ui.tagging.palette import LabelPalette
from ui.tagging.span_list import SpanList


class SidePanel(QWidget):
    """Palette and span list, kept in step with the open document."""

    def __init__(self, tagging: TaggingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tagging = tagging
        self.view = tagging.view
        self.palette = LabelPalette(self)
        self.spans = SpanList(self)
        # The table's columns would claim 330 px; on a small screen the article comes first.
        self.spans.setMinimumWidth(200)
        self.spans.header.setWordWrap(True)
        self.setMinimumWidth(210)  # the palette is drawn for 200 px and up
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.palette)
        split.addWidget(self.spans)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([520, 280])  # the whole palette (it is the legend) on a laptop screen
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 8, 8)
        layout.addWidget(split)

        self.palette.label_chosen.connect(self._label_chosen)
        self.palette.relation_chosen.connect(self._relation_chosen)
        self.spans.span_activated.connect(self._span_activated)
        tagging.spans_loaded.connect(self._spans_loaded)
        self.view.span_selected.connect(self._span_selected)
        self.set_schema(tagging.schema)

    def set_schema(self, schema: Schema) -> None:
        self.palette.set_schema(schema)

    def _label_chosen(self, label: str) -> None:
        self.tagging.apply_label(label)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _relation_chosen(self, name: str) -> None:
        self.tagging.begin_link(name)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _span_activated(self, span_id: int) -> None:
        self.view.select_span(span_id)
        # The label keys act on the article: give it the focus back.
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _spans_loaded(self, spans: list[SpanValue], relations: list[RelationValue]) -> None:
        self.spans.set_spans(self.view.text(), spans, relations, self.tagging.schema)
        self.spans.select_span(self.view.selected_span)

    def _span_selected(self, span_id: int | None) -> None:
        self.spans.select_span(span_id)
        span = self.view.painter.index.by_id.get(span_id) if span_id is not None else None
        self.palette.set_highlighted(span.label if span else None)
