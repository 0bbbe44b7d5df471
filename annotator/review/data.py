"""What agreement is computed on: the documents every compared annotator touched, their
tokens, and each annotator's spans as arrays.

An annotator has touched a document when they have a status on it (any, ``new``
included) or at least one span in it. A document counts only when every compared
annotator touched it; a document one of them never opened says nothing about agreement.
Without a choice, the annotators compared are everyone who touched a document of the
project except the gold annotator; choose it by name to compare with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from annotator.db.engine import Database
from annotator.db.models import Annotator, Document, DocumentStatus, Label, Span
from annotator.review.tokens import SpanArrays, Tokens, token_bounds
from annotator.store.projects import GOLD

PAGE = 250  # documents whose texts and tokens are in memory at once (tens of MiB)
IN_CHUNK = 900  # ids per IN (...) list


class AgreementError(ValueError):
    """Agreement cannot be computed as asked; the message says why."""


@dataclass(frozen=True)
class AgreementData:
    """The compared annotators' work on the documents they all touched.

    Holds the documents' ids and names, not their texts, tokens or spans: :meth:`pages`
    reads the spans and texts and tokenises them a page of documents at a time, so what
    is in memory at once is a page's worth whatever the corpus's size."""

    annotators: tuple[str, ...]
    labels: tuple[str, ...]  # in schema order; a label's code is its index + 1 (0 is O)
    document_ids: np.ndarray  # ascending; a document's index is its place here
    document_names: tuple[str, ...]
    db: Database = field(repr=False, compare=False)
    annotator_ids: tuple[int, ...] = field(repr=False)  # the annotators' database ids
    codes: dict[int, int] = field(repr=False)  # label id -> code, the chosen labels only

    def _spans(self, lo: int, hi: int) -> tuple[SpanArrays, ...]:
        """Each annotator's spans of the chosen labels in documents ``lo`` to ``hi``,
        document indices counted from ``lo``."""
        page = self.document_ids[lo:hi]
        ids = page.tolist()
        code = np.zeros(max(self.codes, default=0) + 1, dtype=np.int64)
        code[list(self.codes)] = list(self.codes.values())
        with self.db.reading() as s:
            rows = np.concatenate([np.zeros((0, 5), dtype=np.int64)] + [
                _rows(s, select(Span.document_id, Span.annotator_id, Span.label_id,
                                Span.start, Span.end)
                      .where(Span.document_id.in_(ids[i : i + IN_CHUNK]),
                             Span.annotator_id.in_(self.annotator_ids)))
                for i in range(0, len(ids), IN_CHUNK)
            ])  # labels are filtered here: with label_id IN (...), SQLite reads by label
        rows = rows[(rows[:, 2] < len(code)) & (code[np.minimum(rows[:, 2], len(code) - 1)] > 0)]
        doc = np.searchsorted(page, rows[:, 0])
        return tuple(
            SpanArrays(doc[mine], rows[mine, 3], rows[mine, 4], code[rows[mine, 2]])
            for mine in (rows[:, 1] == i for i in self.annotator_ids)
        )

    @cached_property
    def spans(self) -> tuple[SpanArrays, ...]:
        """Every annotator's spans in every compared document at once (one per annotator,
        only the chosen labels): for small corpora and the tests; the report goes through
        :meth:`pages`."""
        return self._spans(0, len(self.document_ids))

    def pages(self, size: int | None = None) -> Iterator[Page]:
        """The documents a page (``size``, default :data:`PAGE`) at a time, in order, with
        their tokens and each annotator's spans in them (document indices local to the
        page)."""
        size = size or PAGE
        n = len(self.document_ids)
        if not n:
            return
        for lo in range(0, n, size):
            hi = min(lo + size, n)
            yield Page(lo, hi, _page_tokens(self.db, self.document_ids[lo:hi]),
                       self._spans(lo, hi))

    @cached_property
    def tokens(self) -> Tokens:
        """Every compared document's tokens at once (one big page): for small corpora and
        the tests; the report itself goes through :meth:`pages`."""
        page = next(self.pages(max(len(self.document_ids), 1)), None)
        if page is None:
            empty = np.zeros(0, dtype=np.int64)
            return Tokens(empty.astype(np.int32), empty, empty, empty)
        return page.tokens


@dataclass(frozen=True)
class Page:
    """Documents ``lo`` to ``hi`` (indices into AgreementData.document_ids): their tokens
    and each annotator's spans in them, document indices counted from ``lo``."""

    lo: int
    hi: int
    tokens: Tokens
    spans: tuple[SpanArrays, ...]


def _rows(session: Session, stmt: Select[Any]) -> np.ndarray:
    """Integer rows of a query as a 2-D array. Read through the driver's own cursor, a
    chunk at a time: for millions of spans, SQLAlchemy's row objects (and a list of them
    all) would cost more time and memory than the query itself."""
    width = len(stmt.selected_columns)
    sql = str(stmt.compile(dialect=session.get_bind().dialect,
                           compile_kwargs={"literal_binds": True}))
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        parts = [np.zeros((0, width), dtype=np.int64)]
        while rows := cursor.fetchmany(65536):
            flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
            parts.append(flat.reshape(len(rows), width))
    finally:
        cursor.close()
    return np.concatenate(parts)


def _choose(people: dict[str, int], touched: np.ndarray,
            annotators: Sequence[str] | None) -> tuple[str, ...]:
    """The annotators compared: those named (in that order, once each), or by default
    everyone who touched a document of the project but gold."""
    if annotators is None:
        by_id = {i: n for n, i in people.items()}
        annotators = sorted({by_id[i] for i in touched[:, 1].tolist()} - {GOLD})
    chosen = tuple(dict.fromkeys(annotators))
    missing = [a for a in chosen if a not in people]
    if missing:
        raise AgreementError(f"no annotator {', '.join(missing)}; the database has "
                             f"{', '.join(sorted(people)) or 'none'}")
    if len(chosen) < 2:
        raise AgreementError("agreement needs two or more annotators, "
                             f"found {', '.join(chosen) or 'none'}")
    return chosen


def load(
    db: Database,
    project_id: int,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> AgreementData:
    """Read what :func:`annotator.review.agreement_report` compares (module docstring)."""
    with db.reading() as s:
        schema = s.execute(
            select(Label.id, Label.name).where(Label.project_id == project_id)
            .order_by(Label.position, Label.id)
        ).all()
        names = [name for _id, name in schema]
        unknown = sorted(set(labels or ()) - set(names))
        if unknown:
            raise AgreementError(f"unknown label(s) {', '.join(unknown)}; the project has "
                                 f"{', '.join(names)}")
        chosen_labels = tuple(n for n in names if labels is None or n in labels)
        people = dict(s.execute(select(Annotator.name, Annotator.id)).all())
        if annotators is not None:  # fail before reading any span
            _choose(people, np.zeros((0, 2), dtype=np.int64), annotators)
        span_query = (select(Span.document_id, Span.annotator_id).distinct()
                      .where(Span.label_id.in_([i for i, _n in schema])))
        status_query = (select(DocumentStatus.document_id, DocumentStatus.annotator_id)
                        .join(Document, Document.id == DocumentStatus.document_id)
                        .where(Document.project_id == project_id))
        if annotators is not None:
            ids = [people[a] for a in annotators]
            span_query = span_query.where(Span.annotator_id.in_(ids))
            status_query = status_query.where(DocumentStatus.annotator_id.in_(ids))
        pairs = np.vstack([_rows(s, span_query), _rows(s, status_query)])
    stride = int(pairs[:, 1].max(initial=0)) + 1
    key = np.unique(pairs[:, 0] * stride + pairs[:, 1])
    touched = np.column_stack([key // stride, key % stride])  # (document, annotator)
    chosen = _choose(people, touched, annotators)
    ids = [people[a] for a in chosen]
    common = set.intersection(*(set(touched[touched[:, 1] == i, 0].tolist()) for i in ids))
    document_ids = np.array(sorted(common), dtype=np.int64)
    codes = {label_id: chosen_labels.index(name) + 1 for label_id, name in schema
             if name in chosen_labels}
    return AgreementData(chosen, chosen_labels, document_ids, _names(db, document_ids), db,
                         tuple(ids), codes)


def _read(db: Database, ids: list[int], column: Any) -> list[Any]:
    """``column`` of the documents ``ids``, in that order."""
    found: dict[int, Any] = {}
    with db.reading() as s:
        for i in range(0, len(ids), IN_CHUNK):
            rows = s.connection().execute(
                select(Document.id, column).where(Document.id.in_(ids[i : i + IN_CHUNK])))
            found.update((did, value) for did, value in rows)
    return [found[did] for did in ids]


def _names(db: Database, document_ids: np.ndarray) -> tuple[str, ...]:
    """The documents' names (without their texts), a page at a time."""
    ids = document_ids.tolist()
    return tuple(chain.from_iterable(_read(db, ids[lo : lo + PAGE], Document.name)
                                     for lo in range(0, len(ids), PAGE)))


def _page_tokens(db: Database, document_ids: np.ndarray) -> Tokens:
    """The tokens of a page of documents, their texts read and dropped here."""
    texts = _read(db, document_ids.tolist(), Document.text)
    doc, begin, end, base = token_bounds(texts)
    width = np.int32 if sum(len(t) + 1 for t in texts) < 2**31 else np.int64
    return Tokens(doc.astype(np.int32), begin.astype(width), end.astype(width), base)
