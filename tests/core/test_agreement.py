"""Agreement on hand-made cases: span matching, token rules, which documents count, CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from annotator.db.engine import Database
from annotator.io.importer import import_paths
from annotator.review import AgreementError, agreement_report
from annotator.review.data import load
from annotator.review.spans import exact_matches, overlap_matches
from annotator.review.tokens import SpanArrays, token_bounds
from annotator.text.tokens import TokenIndex
from tests.conftest import SEED_DIR

TEXT = "قال الوزير محمد علي إن وبغداد تستضيف القمة في 2014"
SAMPLE = Path(__file__).resolve().parents[2] / "resources/sample/newsfane_sample.jsonl"


def at(words: str, text: str = TEXT) -> dict[str, int]:
    i = text.index(words)
    return {"start": i, "end": i + len(words)}


def span(label: str, words: str) -> dict[str, object]:
    return {**at(words), "label": label}


def store(db: Database, tmp_path: Path, work: dict[str, list[dict[str, object]]],
          text: str = TEXT, name: str = "x") -> None:
    """One document with each annotator's spans, each marked done."""
    path = tmp_path / f"{name}.jsonl"
    lines = [{"id": name, "text": text, "annotator": who, "spans": spans, "status": "done"}
             for who, spans in work.items()]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    report = import_paths(db, [path])
    assert report.ok, report.failed


REFERENCE = [span("PERSON", "محمد علي"), span("GPE", "بغداد"), span("EVENT", "القمة"),
             span("DATE", "2014")]
OTHER = [span("PERSON", "محمد علي"), span("GPE", "وبغداد"), span("ORGANIZATION", "القمة"),
         span("DATE", "في 2014"), span("PERSON", "الوزير")]


def figures(scores) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    return scores.matched, scores.reference, scores.other, scores.precision, scores.recall, \
        scores.f1


def close(x: float | None, y: Fraction | int | None) -> bool:
    return (x is None and y is None) or (x is not None and y is not None
                                          and abs(x - float(y)) < 1e-12)


def test_exact_and_overlap_per_label_micro_and_macro(db: Database, tmp_path: Path) -> None:
    store(db, tmp_path, {"a": REFERENCE, "b": OTHER})
    (pair,) = agreement_report(db, 1).pairs
    assert (pair.reference, pair.other) == ("a", "b")
    ex, ov = pair.exact, pair.overlap
    F = Fraction
    # exact: only PERSON محمد علي matches; b's الوزير is extra
    assert figures(ex.per_label["PERSON"]) == (1, 1, 2, 0.5, 1.0, pytest.approx(2 / 3))
    assert figures(ex.per_label["GPE"]) == (0, 1, 1, 0.0, 0.0, 0.0)
    assert figures(ex.per_label["EVENT"]) == (0, 1, 0, None, 0.0, 0.0)  # b has no EVENT
    assert figures(ex.per_label["ORGANIZATION"]) == (0, 0, 1, 0.0, None, 0.0)
    assert list(ex.per_label) == ["PERSON", "ORGANIZATION", "GPE", "EVENT", "DATE"]  # schema
    assert figures(ex.micro)[:3] == (1, 4, 5)
    assert close(ex.micro.precision, F(1, 5)) and close(ex.micro.recall, F(1, 4))
    assert close(ex.micro.f1, F(2, 9))
    # macro over the five labels used, undefined counting 0
    assert close(ex.macro_precision, F(1, 10)) and close(ex.macro_recall, F(1, 5))
    assert close(ex.macro_f1, F(2, 3) / 5)
    # overlap: وبغداد overlaps بغداد, في 2014 overlaps 2014; القمة has another label
    assert [ov.per_label[k].matched for k in ov.per_label] == [1, 0, 1, 0, 1]
    assert close(ov.micro.precision, F(3, 5)) and close(ov.micro.recall, F(3, 4))
    assert close(ov.micro.f1, F(2, 3))
    assert close(ov.macro_precision, F(1, 2)) and close(ov.macro_recall, F(3, 5))
    assert close(ov.macro_f1, (F(2, 3) + 2) / 5)


def test_overlap_matching_is_one_to_one(db: Database, tmp_path: Path) -> None:
    store(db, tmp_path, {"a": [span("QUOTE", "محمد علي إن")],
                         "b": [span("QUOTE", "محمد"), span("QUOTE", "علي")]})
    (pair,) = agreement_report(db, 1).pairs
    assert figures(pair.overlap.micro) == (1, 1, 2, 0.5, 1.0, pytest.approx(2 / 3))
    assert pair.exact.micro.matched == 0


def test_identical_copies_match_at_most_once_each(db: Database, tmp_path: Path) -> None:
    store(db, tmp_path, {"a": [span("PERSON", "محمد")] * 2, "b": [span("PERSON", "محمد")]})
    (pair,) = agreement_report(db, 1).pairs
    assert figures(pair.exact.micro)[:3] == figures(pair.overlap.micro)[:3] == (1, 1, 1)


def labels_of(db: Database, who: int = 0) -> list[str]:
    data = load(db, 1)
    names = ("O", *data.labels)
    return [names[c] for c in data.tokens.labels(data.spans[who])]


def test_token_labels_innermost_then_schema_order(db: Database, tmp_path: Path) -> None:
    store(db, tmp_path, {
        "a": [span("QUOTE", "محمد علي إن"), span("PERSON", "محمد"), span("QUOTE", "إن وبغداد"),
              span("CLAIM", "إن وبغداد"), {"start": 3, "end": 4, "label": "DATE"}],
        "b": OTHER,
    })
    assert [TEXT[s:e] for s, e in TokenIndex(TEXT).tokens][2:6] == ["محمد", "علي", "إن",
                                                                     "وبغداد"]
    # PERSON inside QUOTE wins on محمد; equal lengths: CLAIM comes before QUOTE in the
    # schema; a span over a space alone labels no token
    assert labels_of(db) == ["O", "O", "PERSON", "QUOTE", "CLAIM", "CLAIM", "O", "O", "O", "O"]
    # بغداد inside the token وبغداد labels it; في 2014 labels both tokens
    assert labels_of(db, 1) == ["O", "PERSON", "PERSON", "PERSON", "O", "GPE", "O",
                                "ORGANIZATION", "DATE", "DATE"]


def test_only_documents_all_touched_count_and_gold_is_left_out(
    db: Database, tmp_path: Path
) -> None:
    store(db, tmp_path, {"a": REFERENCE, "b": OTHER, "gold": REFERENCE}, name="both")
    store(db, tmp_path, {"a": REFERENCE}, text=TEXT + " أمس", name="a-only")
    store(db, tmp_path, {"a": REFERENCE, "b": []}, text=TEXT + " اليوم", name="b-status")
    report = agreement_report(db, 1)
    assert report.annotators == ("a", "b")
    assert sorted(d.name for d in report.documents) == ["b-status", "both"]
    assert report.pairs[0].exact.micro.reference == 8  # a's spans in both documents
    # the document where b marked nothing disagrees most
    assert [d.name for d in report.documents] == ["b-status", "both"]
    assert report.documents[0].f1_exact == 0.0
    with_gold = agreement_report(db, 1, ["gold", "a", "b"])
    assert with_gold.annotators == ("gold", "a", "b") and with_gold.fleiss_kappa is not None
    assert with_gold.pairs[0].exact.micro.f1 == 1.0  # gold and a: the same spans


def test_labels_filter_and_errors(db: Database, tmp_path: Path) -> None:
    store(db, tmp_path, {"a": REFERENCE, "b": OTHER})
    only = agreement_report(db, 1, labels=["DATE", "PERSON"])
    assert only.labels == ("PERSON", "DATE")
    assert list(only.pairs[0].exact.per_label) == ["PERSON", "DATE"]
    assert only.pairs[0].overlap.micro.matched == 2
    with pytest.raises(AgreementError, match="unknown label"):
        agreement_report(db, 1, labels=["PERSONS"])
    with pytest.raises(AgreementError, match="no annotator zaid"):
        agreement_report(db, 1, ["a", "zaid"])
    with pytest.raises(AgreementError, match="two or more annotators"):
        agreement_report(db, 1, ["a"])


def test_matching_equals_a_maximum_bipartite_matching() -> None:
    """Random spans in 2 documents x 2 labels against scipy's maximum matching."""
    rng = np.random.default_rng(0)

    def draw() -> list[tuple[int, int, int, int]]:
        n = int(rng.integers(0, 12))
        start = rng.integers(0, 30, n)
        return [(int(d), int(lb), int(s), int(s + ln)) for d, lb, s, ln in
                zip(rng.integers(0, 2, n), rng.integers(1, 3, n), start,
                    rng.integers(1, 8, n), strict=True)]

    def arrays(rows: list[tuple[int, int, int, int]]) -> SpanArrays:
        cols = np.array(rows, dtype=np.int64).reshape(-1, 4)
        return SpanArrays(cols[:, 0], cols[:, 2], cols[:, 3], cols[:, 1])

    for _ in range(2000):
        a, b = draw(), draw()
        want_overlap = np.zeros((2, 3), dtype=np.int64)
        want_exact = np.zeros((2, 3), dtype=np.int64)
        for d in range(2):
            for lb in (1, 2):
                xa = [r[2:] for r in a if r[:2] == (d, lb)]
                xb = [r[2:] for r in b if r[:2] == (d, lb)]
                want_exact[d, lb] = sum(min(xa.count(r), xb.count(r)) for r in set(xa))
                if xa and xb:
                    graph = csr_matrix([[int(s < f and t < e) for t, f in xb] for s, e in xa])
                    match = maximum_bipartite_matching(graph, perm_type="column")
                    want_overlap[d, lb] = int((match >= 0).sum())
        assert (overlap_matches(arrays(a), arrays(b), 2, 3) == want_overlap).all(), (a, b)
        assert (exact_matches(arrays(a), arrays(b), 2, 3) == want_exact).all(), (a, b)


ALPHABET = st.sampled_from(
    list("قالوزيرمحد بغ") + ["\u064e", "\u0651", "\u0640", "\u200c", "\u200d", "\u00ad", " ",
                            "\n", "\t", "\u00a0", "\u2029", "،", "؟", "«", "»", "7", "%", "A",
                            "-", "👍", "🏽", "\ufe0f", "🇸", "🇦", "\U000e0067", "\u200b"]
)


def tokens_per_text(texts: list[str]) -> list[list[tuple[int, int]]]:
    """token_bounds' answer as TokenIndex gives it: (start, end) in each text."""
    doc, start, end, base = token_bounds(texts)
    assert (start[1:] >= end[:-1]).all()  # in order, none overlapping
    return [list(zip((start[doc == i] - base[i]).tolist(), (end[doc == i] - base[i]).tolist(),
                     strict=True)) for i in range(len(texts))]


@settings(max_examples=300)
@given(st.lists(st.text(ALPHABET, max_size=40), min_size=1, max_size=5))
def test_vectorised_tokens_are_token_index_tokens(texts: list[str]) -> None:
    assert tokens_per_text(texts) == [TokenIndex(t).tokens for t in texts]


def test_vectorised_tokens_on_real_articles() -> None:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text("utf-8").splitlines()]
    texts += [p.read_text("utf-8") for p in SEED_DIR.glob("*.txt")]
    texts.insert(7, "قال 👍🏽 الوزير")  # one text for TokenIndex among the vectorised ones
    random.Random(0).shuffle(texts)
    want = [TokenIndex(t).tokens for t in texts]
    assert sum(map(len, want)) > 10_000 and tokens_per_text(texts) == want


def test_cli_table_and_json(db: Database, db_url: str, tmp_path: Path) -> None:
    store(db, tmp_path, {"a": REFERENCE, "b": OTHER, "c": OTHER[:3]})
    db.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "annotator", "--db", db_url, *args],
                              capture_output=True, text=True)

    table = run("agreement")
    assert table.returncode == 0, table.stderr
    for words in ("Fleiss' kappa", "Krippendorff's alpha", "Cohen's kappa", "a (reference) vs b",
                  "micro", "macro", "most disagreement", "overlap P"):
        assert words in table.stdout
    data = json.loads(run("agreement", "--json", "--annotators", "a", "b", "--labels",
                          "PERSON,GPE", "--per-document", "1").stdout)
    assert data["annotators"] == ["a", "b"] and data["labels"] == ["PERSON", "GPE"]
    assert data["pairs"][0]["overlap"]["per_label"]["GPE"]["f1"] == 1.0
    assert data["fleiss_kappa"] is None and len(data["documents"]) == 1
    bad = run("agreement", "--annotators", "a", "nobody")
    assert bad.returncode == 2 and "no annotator nobody" in bad.stderr


def test_the_core_imports_without_numpy() -> None:
    code = "import sys, annotator, annotator.cli; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"
