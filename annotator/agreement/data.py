"""What agreement is computed on: the documents every compared annotator touched, their
tokens, and each annotator's spans as arrays.

An annotator has touched a document when they have a status on it (any, ``new``
included) or at least one span in it. A document counts only when every compared
annotator touched it; a document one of them never opened says nothing about agreement.
Without a choice, the annotators compared are everyone who touched a document of the
project except the gold annotator; choose it by name to compare with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from annotator.agreement.tokens import SpanArrays, Tokens, token_bounds
from annotator.db.engine import Database
from annotator.db.models import Annotator, Document, DocumentStatus, Label, Span
from annotator.export import GOLD

PAGE = 1000  # documents whose texts are in memory at once
IN_CHUNK = 900  # ids per IN (...) list


class AgreementError(ValueError):
    """Agreement cannot be computed as asked; the message says why."""


@dataclass(frozen=True)
class AgreementData:
    """The compared annotators' work on the documents they all touched."""

    annotators: tuple[str, ...]
    labels: tuple[str, ...]  # in schema order; a label's code is its index + 1 (0 is O)
    document_ids: np.ndarray  # ascending; a document's index is its place here
    document_names: tuple[str, ...]
    tokens: Tokens
    spans: tuple[SpanArrays, ...]  # one per annotator, only the chosen labels


def _rows(session, stmt) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Integer rows of a query as a 2-D array, without a Python object per value."""
    rows = session.connection().execute(stmt).all()
    width = len(stmt.selected_columns)
    flat = np.fromiter((v for row in rows for v in row), dtype=np.int64, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def load(
    db: Database,
    project_id: int,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> AgreementData:
    """Read what :func:`annotator.agreement.agreement_report` compares (module docstring)."""
    with db.reading() as s:
        schema = s.execute(
            select(Label.id, Label.name).where(Label.project_id == project_id)
            .order_by(Label.position, Label.id)
        ).all()
        names = [name for _id, name in schema]
        chosen_labels = tuple(names if labels is None else [n for n in names if n in labels])
        unknown = sorted(set(labels or ()) - set(names))
        if unknown:
            raise AgreementError(f"unknown label(s) {', '.join(unknown)}; the project has "
                                 f"{', '.join(names)}")
        people = dict(s.execute(select(Annotator.name, Annotator.id)).all())
        label_ids = [i for i, _name in schema]
        spans = _rows(s, select(Span.document_id, Span.annotator_id, Span.label_id, Span.start,
                                Span.end).where(Span.label_id.in_(label_ids)))
        statuses = _rows(s, select(DocumentStatus.document_id, DocumentStatus.annotator_id)
                         .join(Document, Document.id == DocumentStatus.document_id)
                         .where(Document.project_id == project_id))
    pairs = np.vstack([spans[:, :2], statuses])
    stride = int(pairs[:, 1].max(initial=0)) + 1
    key = np.unique(pairs[:, 0] * stride + pairs[:, 1])
    touched = np.column_stack([key // stride, key % stride])  # (document, annotator)
    by_id = {i: n for n, i in people.items()}
    if annotators is None:
        annotators = sorted({by_id[i] for i in touched[:, 1].tolist()} - {GOLD})
    missing = [a for a in annotators if a not in people]
    if missing:
        raise AgreementError(f"no annotator {', '.join(missing)}; the database has "
                             f"{', '.join(sorted(people)) or 'none'}")
    if len(set(annotators)) < 2:
        raise AgreementError("agreement needs two or more annotators, "
                             f"found {', '.join(annotators) or 'none'}")
    ids = [people[a] for a in annotators]
    common: set[int] | None = None
    for ann_id in ids:
        docs = set(touched[touched[:, 1] == ann_id, 0].tolist())
        common = docs if common is None else common & docs
    document_ids = np.array(sorted(common or ()), dtype=np.int64)
    doc_names, tokens = _documents(db, document_ids)
    code_of = {label_id: (chosen_labels.index(n) + 1 if n in chosen_labels else 0)
               for label_id, n in schema}
    codes = np.zeros(max(code_of, default=0) + 1, dtype=np.int64)
    for label_id, code in code_of.items():
        codes[label_id] = code
    if len(document_ids):
        place = np.minimum(np.searchsorted(document_ids, spans[:, 0]), len(document_ids) - 1)
        counted = document_ids[place] == spans[:, 0]
    else:
        place, counted = np.zeros(len(spans), dtype=np.int64), np.zeros(len(spans), dtype=bool)
    per_annotator = []
    for ann_id in ids:
        keep = counted & (spans[:, 1] == ann_id) & (codes[spans[:, 2]] > 0)
        rows = spans[keep]
        per_annotator.append(SpanArrays(place[keep], rows[:, 3], rows[:, 4], codes[rows[:, 2]]))
    return AgreementData(tuple(annotators), chosen_labels, document_ids, doc_names, tokens,
                         tuple(per_annotator))


def _documents(db: Database, document_ids: np.ndarray) -> tuple[tuple[str, ...], Tokens]:
    """Names and tokens of the documents, reading their texts a page at a time."""
    names: list[str] = []
    docs, begins, ends = [], [], []
    longest = 0
    for lo in range(0, len(document_ids), PAGE):
        page = document_ids[lo : lo + PAGE].tolist()
        found: dict[int, tuple[str, str]] = {}
        with db.reading() as s:
            for i in range(0, len(page), IN_CHUNK):
                found.update(
                    (did, (name, text))
                    for did, name, text in s.connection().execute(
                        select(Document.id, Document.name, Document.text)
                        .where(Document.id.in_(page[i : i + IN_CHUNK]))
                    )
                )
        texts = [found[did][1] for did in page]
        names.extend(found[did][0] for did in page)
        longest = max([longest, *map(len, texts)])
        doc, begin, end = token_bounds(texts)
        docs.append(doc + lo)
        begins.append(begin)
        ends.append(end)
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return (), Tokens(empty, empty, empty, 1)
    tokens = Tokens(np.concatenate(docs), np.concatenate(begins), np.concatenate(ends),
                    longest + 1)
    return tuple(names), tokens
