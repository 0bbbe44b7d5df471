"""Undoable adjudication in review mode: each command calls one core gold function.

Accepting a span the gold annotator already has (the same label and edges) changes
nothing, and its undo leaves that gold span alone. An undo that others' work in the same
database has made impossible (a gold span it would remove is gone) raises, and the
command leaves the history (``ui.tagging.commands.CoreCommand``); taking a side is undone whole
or not at all.
"""

from __future__ import annotations

from annotator.db.engine import Database
from annotator.store.gold import (
    DeletedGold,
    GoldError,
    GoldSpan,
    accept_annotator,
    accept_span,
    add_gold_span,
    delete_gold_span,
    edit_gold_span,
    gold_spans,
    reject_span,
    restore_gold_span,
)
from ui.tagging.commands import Changed, CoreCommand


class AcceptIntoGold(CoreCommand):
    """Copy an annotator's span into gold with its provenance."""

    def __init__(self, db: Database, document_id: int, span_id: int, adjudicator: str,
                 changed: Changed) -> None:
        super().__init__("Accept into gold", db, document_id, changed)
        self.span_id, self.adjudicator = span_id, adjudicator
        self.gold: GoldSpan | None = None
        self.created = False
        self.gone: DeletedGold | None = None

    def do(self) -> None:
        if self.gone is not None:  # redo after undo: the same gold span, the same id
            self.gold = restore_gold_span(self.db, self.gone)
            return
        before = {g.id for g in gold_spans(self.db, self.document_id)}
        self.gold = accept_span(self.db, self.span_id, self.adjudicator)
        self.created = self.gold.id not in before
        self.setText(f"Accept {self.gold.label} into gold")

    def undo_(self) -> None:
        if self.created and self.gold is not None:
            self.gone = delete_gold_span(self.db, self.gold.id)


class RejectFromGold(CoreCommand):
    """Keep a span out of gold: a gold span itself goes; for an annotator's span, the
    gold spans accepted from it go."""

    def __init__(self, db: Database, document_id: int, span_id: int, is_gold: bool,
                 changed: Changed) -> None:
        super().__init__("Reject from gold", db, document_id, changed)
        self.span_id, self.is_gold = span_id, is_gold
        self.gone: list[DeletedGold] = []

    def do(self) -> None:
        self.gone = ([delete_gold_span(self.db, self.span_id)] if self.is_gold
                     else reject_span(self.db, self.span_id))

    def undo_(self) -> None:
        for old in reversed(self.gone):
            restore_gold_span(self.db, old)


class EditGold(CoreCommand):
    """Relabel or move a gold span; it keeps its source, and records this adjudicator."""

    def __init__(self, db: Database, document_id: int, span_id: int, adjudicator: str,
                 changed: Changed, *, label: str | None = None, start: int | None = None,
                 end: int | None = None) -> None:
        super().__init__("Edit gold span", db, document_id, changed)
        self.span_id, self.adjudicator = span_id, adjudicator
        self.label, self.start, self.end = label, start, end
        self.before: GoldSpan | None = None

    def do(self) -> None:
        self.before = edit_gold_span(self.db, self.span_id, self.adjudicator,
                                     label=self.label, start=self.start, end=self.end)

    def undo_(self) -> None:
        assert self.before is not None
        restore_gold_span(self.db, self.before)


class AcceptSide(CoreCommand):
    """Accept every span of one annotator in the document ("take this side")."""

    def __init__(self, db: Database, document_id: int, annotator: str, adjudicator: str,
                 changed: Changed) -> None:
        super().__init__(f"Accept {annotator}'s spans into gold", db, document_id, changed)
        self.annotator, self.adjudicator = annotator, adjudicator
        self.created: list[int] = []
        self.gone: list[DeletedGold] = []

    def do(self) -> None:
        if self.gone:  # redo after undo: the same spans under the same ids
            for old in reversed(self.gone):  # last deleted first: relations need both ends
                restore_gold_span(self.db, old)
            return
        before = {g.id for g in gold_spans(self.db, self.document_id)}
        accepted = accept_annotator(self.db, self.document_id, self.annotator,
                                    self.adjudicator)
        self.created = [g.id for g in accepted if g.id not in before]

    def undo_(self) -> None:
        here = {g.id for g in gold_spans(self.db, self.document_id)}
        missing = [span_id for span_id in self.created if span_id not in here]
        if missing:  # all or nothing: half an undo would be worse than none
            raise GoldError(f"{len(missing)} of its {len(self.created)} gold spans were "
                            "removed elsewhere")
        self.gone = [delete_gold_span(self.db, span_id) for span_id in reversed(self.created)]


class DrawGold(CoreCommand):
    """A gold span the adjudicator draws over selected text (no source span)."""

    def __init__(self, db: Database, document_id: int, label: str, start: int, end: int,
                 adjudicator: str, changed: Changed) -> None:
        super().__init__(f"Draw gold {label}", db, document_id, changed)
        self.label, self.start, self.end, self.adjudicator = label, start, end, adjudicator
        self.gold: GoldSpan | None = None
        self.gone: DeletedGold | None = None

    def do(self) -> None:
        self.gold = (restore_gold_span(self.db, self.gone) if self.gone is not None else
                     add_gold_span(self.db, self.document_id, self.label, self.start,
                                   self.end, self.adjudicator))

    def undo_(self) -> None:
        assert self.gold is not None
        self.gone = delete_gold_span(self.db, self.gold.id)
