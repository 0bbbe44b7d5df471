"""The article in review mode: a TaggingView painted by class, Tab through differences."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from annotator.store.documents import SpanValue
from ui.review.classes import classify, differences
from ui.review.painter import ReviewPainter
from ui.tagging.view import TaggingView


class ReviewView(TaggingView):
    """Shows the compared annotators' spans and gold; Tab / Shift+Tab go through the
    spans not everyone agreed on (``differences``), not through every span."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.painter = ReviewPainter(self.document())
        self.painter.classes = {}
        self.difference_ids: list[int] = []

    def set_review(self, by_annotator: dict[str, list[SpanValue]],
                   gold: list[SpanValue]) -> dict[int, str]:
        """Show these annotators' spans and the gold ones; returns each span's class."""
        classes = classify(by_annotator)
        spans = [s for ss in by_annotator.values() for s in ss]
        self.painter.classes = classes
        self.difference_ids = [s.id for s in differences(spans, classes)]
        self.set_spans(spans + gold, [])
        return classes

    def _tab(self, backwards: bool) -> None:
        ids = self.difference_ids
        if not ids:
            return
        if self.selected_span in ids:
            k = ids.index(self.selected_span) + (-1 if backwards else 1)
        else:
            k = len(ids) - 1 if backwards else 0
        self.select_span(ids[k % len(ids)])
