"""The agreement report: every figure for the compared annotators, as plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

import numpy as np

from annotator.db.engine import Database
from annotator.review.data import AgreementData, load
from annotator.review.measures import (
    alpha_from,
    complete_disagreement,
    fleiss_from,
    kappa_from,
)
from annotator.review.spans import MatchCounts, match_counts


@dataclass(frozen=True)
class Scores:
    """Span precision, recall and F1 of one label, or of all labels pooled (micro).

    ``reference`` and ``other`` count the two annotators' spans; precision is None when
    the other has none, recall when the reference has none, F1 when neither has any."""

    matched: int
    reference: int
    other: int
    precision: float | None
    recall: float | None
    f1: float | None

    @classmethod
    def of(cls, matched: int, reference: int, other: int) -> Scores:
        return cls(
            matched, reference, other,
            matched / other if other else None,
            matched / reference if reference else None,
            2 * matched / (reference + other) if reference + other else None,
        )


@dataclass(frozen=True)
class SpanAgreement:
    """One matching rule's figures for a pair: per label, micro and macro.

    Macro figures are the mean over the labels either annotator used, an undefined
    per-label figure counting 0 (scikit-learn's ``zero_division=0``)."""

    per_label: dict[str, Scores]
    micro: Scores
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float | None

    @classmethod
    def of(cls, counts: MatchCounts, labels: Sequence[str]) -> SpanAgreement:
        matched, ref, other = (x.sum(axis=0) for x in
                               (counts.matched, counts.reference, counts.other))
        per_label = {
            name: Scores.of(int(matched[k]), int(ref[k]), int(other[k]))
            for k, name in enumerate(labels, start=1)
            if ref[k] + other[k]
        }
        micro = Scores.of(int(matched.sum()), int(ref.sum()), int(other.sum()))

        def mean(values: list[float | None]) -> float | None:
            return sum(v or 0.0 for v in values) / len(values) if values else None

        scores = list(per_label.values())
        return cls(per_label, micro, mean([s.precision for s in scores]),
                   mean([s.recall for s in scores]), mean([s.f1 for s in scores]))


@dataclass(frozen=True)
class PairAgreement:
    """Two annotators compared; ``reference`` is the one recall is measured against."""

    reference: str
    other: str
    exact: SpanAgreement
    overlap: SpanAgreement
    cohen_kappa: float | None  # token level
    observed: float | None  # share of tokens both gave the same label (O included)


@dataclass(frozen=True)
class DocumentAgreement:
    """Agreement on one document, averaged over the pairs of annotators.

    ``kappa`` is the mean pairwise token kappa; a pair that gives every token of the
    document one and the same label (usually O: neither marked anything) agrees on every
    token, and counts 1.0 there, where kappa itself is 0 / 0. None: no tokens.
    ``f1_exact`` / ``f1_overlap``: mean pairwise span F1, 1.0 for a pair with no spans."""

    document_id: int
    name: str
    tokens: int
    kappa: float | None
    f1_exact: float
    f1_overlap: float


@dataclass(frozen=True)
class AgreementReport:
    """All agreement figures; ``documents`` are ranked, most disagreement first."""

    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    document_count: int
    token_count: int
    pairs: tuple[PairAgreement, ...]
    fleiss_kappa: float | None  # three or more annotators
    krippendorff_alpha: float | None
    documents: tuple[DocumentAgreement, ...]

    def as_dict(self, documents: int | None = None) -> dict[str, Any]:
        """JSON-ready; ``documents`` keeps only that many of the ranked documents."""
        out = asdict(self)
        out["annotators"], out["labels"] = list(self.annotators), list(self.labels)
        out["pairs"] = [asdict(p) for p in self.pairs]
        out["documents"] = [asdict(d) for d in self.documents[:documents]]
        return out


def _rank(doc: DocumentAgreement) -> tuple[Any, ...]:
    return (doc.kappa is None, doc.kappa, doc.f1_overlap, doc.f1_exact, doc.document_id)


def _number(x: np.ndarray) -> float | None:
    value = float(x)
    return None if np.isnan(value) else value


def compute(data: AgreementData) -> AgreementReport:
    """Every figure of :class:`AgreementReport` from loaded data (see the package doc)."""
    return _compute(data, confusion=False)[0]


def compute_with_confusion(data: AgreementData) -> tuple[AgreementReport, np.ndarray]:
    """:func:`compute` and the first pair's token label confusion counts, in the same pass
    over the pages: rows the first annotator's label code, columns the second's."""
    report, matrix = _compute(data, confusion=True)
    assert matrix is not None
    return report, matrix


def _compute(data: AgreementData, confusion: bool) -> tuple[AgreementReport, np.ndarray | None]:
    n_docs, codes, raters = len(data.document_ids), len(data.labels) + 1, len(data.annotators)
    pair_list = list(combinations(range(raters), 2))
    # each annotator's label counts per document and the tokens each pair labels alike
    # per document: every figure below is made of these, summed a page at a time
    per_doc_tokens = np.zeros(n_docs, dtype=np.int64)
    cells = [np.zeros((n_docs, codes), dtype=np.int64) for _ in range(raters)]
    agree_docs = [np.zeros(n_docs, dtype=np.int64) for _ in pair_list]
    matrix = np.zeros((codes, codes), dtype=np.int64) if confusion else None
    # each pair's span matches and spans per label (rows matched, reference, other) by
    # rule, and the sum over pairs of each document's span F1
    span_sums = {(p, exact): np.zeros((3, codes), dtype=np.int64)
                 for p in range(len(pair_list)) for exact in (True, False)}
    f1_sum = {True: np.zeros(n_docs), False: np.zeros(n_docs)}
    for page in data.pages():
        size, doc = page.hi - page.lo, page.tokens.doc.astype(np.int64)
        token_labels = [page.tokens.labels(spans) for spans in page.spans]
        per_doc_tokens[page.lo : page.hi] = np.bincount(doc, minlength=size)
        for cell, x in zip(cells, token_labels, strict=True):
            cell[page.lo : page.hi] = np.bincount(doc * codes + x, minlength=size * codes
                                                  ).reshape(size, codes)
        for agree_doc, (i, j) in zip(agree_docs, pair_list, strict=True):
            agree_doc[page.lo : page.hi] = np.bincount(
                doc[token_labels[i] == token_labels[j]], minlength=size)
        if matrix is not None:
            a, b = (x.astype(np.int64) for x in token_labels[:2])
            matrix += np.bincount(a * codes + b, minlength=codes * codes).reshape(codes, codes)
        for p, (i, j) in enumerate(pair_list):
            for exact in (True, False):
                counts = match_counts(page.spans[i], page.spans[j], size, codes, exact)
                span_sums[p, exact] += [x.sum(axis=0) for x in
                                        (counts.matched, counts.reference, counts.other)]
                matched = counts.matched.sum(axis=1)
                total = counts.reference.sum(axis=1) + counts.other.sum(axis=1)
                f1_sum[exact][page.lo : page.hi] += np.where(
                    total > 0, 2 * matched / np.maximum(total, 1), 1.0)
    n_tokens = int(per_doc_tokens.sum())
    totals = [c.sum(axis=0) for c in cells]
    pairs = []
    agree_all = 0
    kappa_sum = np.zeros(n_docs)
    for p, (i, j) in enumerate(pair_list):
        agree_doc = agree_docs[p]
        agree = int(agree_doc.sum())
        agree_all += agree
        kappa_doc = kappa_from(agree_doc, per_doc_tokens, cells[i], cells[j])
        kappa_sum += np.nan_to_num(kappa_doc, nan=1.0)
        rules = {exact: SpanAgreement.of(MatchCounts(*(row[None] for row in span_sums[p, exact])),
                                         data.labels) for exact in (True, False)}
        kappa = _number(kappa_from(np.array(agree), np.array(n_tokens), totals[i], totals[j]))
        pairs.append(PairAgreement(data.annotators[i], data.annotators[j], rules[True],
                                   rules[False], kappa, agree / n_tokens if n_tokens else None))
    n_pairs = len(pairs)
    documents = sorted(
        (
            DocumentAgreement(
                int(data.document_ids[d]), data.document_names[d], int(per_doc_tokens[d]),
                float(kappa_sum[d] / n_pairs) if per_doc_tokens[d] else None,
                float(f1_sum[True][d] / n_pairs), float(f1_sum[False][d] / n_pairs),
            )
            for d in range(n_docs)
        ),
        key=_rank,
    )
    counts = sum(totals).astype(float)
    report = AgreementReport(
        annotators=data.annotators,
        labels=data.labels,
        document_count=n_docs,
        token_count=n_tokens,
        pairs=tuple(pairs),
        fleiss_kappa=fleiss_from(agree_all, n_tokens, raters, counts) if raters >= 3 else None,
        krippendorff_alpha=alpha_from(complete_disagreement(agree_all, n_tokens, raters),
                                      counts) if n_tokens else None,
        documents=tuple(documents),
    )
    return report, matrix


def agreement_report(
    db: Database,
    project_id: int,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> AgreementReport:
    """Agreement between ``annotators`` (default: all but gold) on ``labels`` (default:
    all) over the documents they all touched. Raises AgreementError when it cannot."""
    return compute(load(db, project_id, annotators, labels))
