"""The report computed a page of documents at a time gives every figure exactly as one
page holding every document does (the figures are sums over documents)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import annotator.review.data as agreement_data
from annotator.db.engine import Database
from annotator.review import agreement_report
from annotator.review.data import load
from annotator.review.report import compute, compute_with_confusion
from tests.core.test_agreement_reference import build


@pytest.mark.parametrize("annotators", [None, ("omar", "huda")])
def test_pages_give_the_figures_of_one_page(db: Database, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            annotators: tuple[str, ...] | None) -> None:
    build(db, tmp_path, seed=11, docs=13)
    monkeypatch.setattr(agreement_data, "PAGE", 10_000)
    whole = agreement_report(db, 1, annotators).as_dict()
    assert whole["document_count"] == (12 if annotators is None else 13)  # zaid skipped one
    assert whole["token_count"] > 0 and len(whole["documents"]) == whole["document_count"]
    for size in (1, 2, 5):
        monkeypatch.setattr(agreement_data, "PAGE", size)
        assert agreement_report(db, 1, annotators).as_dict() == whole  # exactly, not approx


def test_pages_hold_each_page_and_join_to_every_token(db: Database, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build(db, tmp_path, seed=3, docs=7)
    monkeypatch.setattr(agreement_data, "PAGE", 2)
    data = load(db, 1)
    pages = list(data.pages())
    n = len(data.document_ids)
    assert [(p.lo, p.hi) for p in pages] == [(lo, min(lo + 2, n)) for lo in range(0, n, 2)]
    everything = data.tokens  # one page of every document
    for who, spans in enumerate(data.spans):
        joined = np.concatenate([p.tokens.labels(p.spans[who]) for p in pages])
        assert joined.tolist() == everything.labels(spans).tolist()
        assert sum(len(p.spans[who]) for p in pages) == len(spans)
    for p in pages:
        assert int(p.tokens.doc.max(initial=0)) < p.hi - p.lo
        assert all(int(s.doc.max(initial=0)) < p.hi - p.lo for s in p.spans)
    assert sum(len(p.tokens) for p in pages) == len(everything)


def test_confusion_is_counted_over_the_pages(db: Database, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    build(db, tmp_path, seed=5, docs=9)
    monkeypatch.setattr(agreement_data, "PAGE", 2)
    data = load(db, 1, ("zaid", "salma"))
    report, matrix = compute_with_confusion(data)
    n = len(data.labels) + 1
    a, b = (data.tokens.labels(data.spans[k]).astype(np.int64) for k in (0, 1))
    assert matrix.tolist() == np.bincount(a * n + b, minlength=n * n).reshape(n, n).tolist()
    assert int(matrix.sum()) == report.token_count > 0
    assert int(np.trace(matrix)) / report.token_count == report.pairs[0].observed
    assert report == compute(data)
