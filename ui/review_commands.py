"""Undoable adjudication in review mode: each command calls one core gold function.

Accepting a span the gold annotator already has (the same label and edges) changes
nothing, and its undo leaves that gold span alone.
"""

from __future__ import annotations

from annotator.db.engine import Database
from annotator.gold import (
    DeletedGold,
    GoldSpan,
    accept_span,
    delete_gold_span,
    gold_spans,
    reject_span,
    restore_gold_span,
)
from ui.commands import Changed, CoreCommand


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
