"""Every agreement figure against a reference implementation on the same data.

A real SQLite file holds random Arabic documents annotated by four annotators (nested
and overlapping spans, relabelled, shifted and dropped ones, a document one annotator
never touched, one touched only by a status). The token labels are rebuilt here the
plain way (TokenIndex, a loop over tokens and spans) and handed to scikit-learn's
``cohen_kappa_score``, statsmodels' ``fleiss_kappa`` and the ``krippendorff`` package.
"""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import text as sql
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.io.importer import import_paths
from annotator.review import AgreementReport, agreement_report
from annotator.review.measures import MISSING, fleiss_kappa, krippendorff_alpha
from annotator.store.projects import ensure_project, load_schema
from annotator.store.spans import set_status
from annotator.text.tokens import TokenIndex

TOLERANCE = 1e-9
WORDS = ["قال", "الوزير", "وبغداد", "الانتخابات", "مُحَمَّد", "في", "ـــ", "2014", "OSCE",
         "«", "»", "،", "؟", "المفوضية", "👍🏽", "لـ", "ﷺ"]
ANNOTATORS = ("huda", "omar", "salma", "zaid")
LABELS = ("PERSON", "ORGANIZATION", "GPE", "DATE", "QUOTE", "CLAIM")


def random_text(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 60))]
    seps = [rng.choice([" ", " ", " ", "\n", "  "]) for _ in words]
    return "".join(w + s for w, s in zip(words, seps, strict=True)).strip()


def perturb(spans: list[dict[str, object]], text: str, rng: random.Random) -> list[dict]:
    """Another annotator's version: some spans dropped, shifted, relabelled, added."""
    out = []
    for sp in spans:
        r = rng.random()
        if r < 0.15:
            continue
        sp = dict(sp)
        if r < 0.3:
            sp["label"] = rng.choice(LABELS)
        elif r < 0.4:
            start = max(0, int(sp["start"]) + rng.choice([-2, -1, 1, 2]))  # type: ignore[call-overload]
            if start < int(sp["end"]):  # type: ignore[call-overload]
                sp["start"] = start
        out.append(sp)
    return out + random_spans(text, rng, rng.randint(0, 2))


def random_spans(text: str, rng: random.Random, n: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for _ in range(n):
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randint(1, 25))
        out.append({"start": start, "end": end, "label": rng.choice(LABELS)})
    return out


def build(db: Database, tmp_path: Path, seed: int = 7, docs: int = 40) -> dict[str, str]:
    """The corpus: returns document name -> text."""
    rng = random.Random(seed)
    texts = {f"doc-{i:03d}": random_text(rng) for i in range(docs)}
    lines = []
    for name, text in texts.items():
        base = random_spans(text, rng, rng.randint(0, 8))
        for who in ANNOTATORS:
            if name == "doc-003" and who == "zaid":
                continue  # never touched by zaid: left out of every figure
            spans = base if who == "huda" else perturb(base, text, rng)
            if name == "doc-005" and who == "omar":
                spans = []  # touched through the status alone
            lines.append({"id": name, "text": text, "annotator": who, "spans": spans,
                          "status": "done"})
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    report = import_paths(db, [path])
    assert report.ok, report.failed
    return texts


def counted(db: Database, annotators: tuple[str, ...]) -> list[str]:
    """Names of the documents every annotator touched (a span or a status), in id order."""
    with db.reading() as s:
        rows = s.execute(sql(
            "SELECT d.id, d.name, a.name FROM document d JOIN span s ON s.document_id = d.id "
            "JOIN annotator a ON a.id = s.annotator_id UNION SELECT d.id, d.name, a.name "
            "FROM document d JOIN document_status t ON t.document_id = d.id "
            "JOIN annotator a ON a.id = t.annotator_id"
        )).all()
    who: dict[tuple[int, str], set[str]] = {}
    for did, name, ann in rows:
        who.setdefault((did, name), set()).add(ann)
    return [name for (_id, name), anns in sorted(who.items()) if set(annotators) <= anns]


def token_labels(db: Database, texts: dict[str, str], who: str, labels: list[str],
                 names: list[str]) -> list[int]:
    """The plain way: for each token, the shortest covering span, then schema order."""
    out = []
    with db.reading() as s:
        rows = s.execute(
            sql(
                "SELECT d.name, l.name, s.start, s.\"end\" FROM span s JOIN document d ON "
                "d.id = s.document_id JOIN label l ON l.id = s.label_id JOIN annotator a ON "
                "a.id = s.annotator_id WHERE a.name = :who"
            ),
            {"who": who},
        ).all()
    by_doc: dict[str, list[tuple[str, int, int]]] = {}
    for name, label, start, end in rows:
        by_doc.setdefault(name, []).append((label, start, end))
    for name in names:
        for ts, te in TokenIndex(texts[name]).tokens:
            best = None
            for label, start, end in by_doc.get(name, []):
                if label in labels and start < te and ts < end:
                    key = (end - start, labels.index(label))
                    best = key if best is None or key < best else best
            out.append(0 if best is None else best[1] + 1)
    return out


def check(report: AgreementReport, db: Database, texts: dict[str, str]) -> float:
    """Compare every token figure with the references; return the largest difference."""
    schema = [lb for lb in load_schema(db, 1).label_names if lb in report.labels]
    names = counted(db, report.annotators)
    assert report.document_count == len(names)
    rows = {who: token_labels(db, texts, who, schema, names) for who in report.annotators}
    assert report.token_count == len(rows[report.annotators[0]])
    diffs = []
    for pair in report.pairs:
        ref = cohen_kappa_score(rows[pair.reference], rows[pair.other])
        diffs.append(abs(pair.cohen_kappa - ref))
    matrix = np.array([rows[w] for w in report.annotators])
    if len(report.annotators) >= 3:
        diffs.append(abs(report.fleiss_kappa - sm_fleiss_kappa(aggregate_raters(matrix.T)[0])))
    else:
        assert report.fleiss_kappa is None
    ref_alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    diffs.append(abs(report.krippendorff_alpha - ref_alpha))
    # per document: the mean of the pairs' kappas on the document's tokens
    bounds = np.cumsum([0] + [len(TokenIndex(texts[n]).tokens) for n in names])
    by_name = {d.name: d for d in report.documents}
    for k, name in enumerate(names):
        lo, hi = bounds[k], bounds[k + 1]
        values = []
        for a, b in combinations(report.annotators, 2):
            x, y = rows[a][lo:hi], rows[b][lo:hi]
            if len(set(x) | set(y)) == 1:
                values.append(1.0)  # one label on every token: kappa is 0/0, counted 1.0
            else:
                values.append(cohen_kappa_score(x, y))
        diffs.append(abs(by_name[name].kappa - sum(values) / len(values)))
    return max(diffs)


def test_every_figure_matches_the_references(db: Database, tmp_path: Path) -> None:
    texts = build(db, tmp_path)
    report = agreement_report(db, 1)
    assert report.annotators == ANNOTATORS
    assert report.document_count == len(texts) - 1  # doc-003: zaid never touched it
    assert "doc-005" in {d.name for d in report.documents}  # omar's status counts
    assert len(report.pairs) == 6
    assert check(report, db, texts) < TOLERANCE


@pytest.mark.parametrize("annotators", [("omar", "salma"), ("huda", "salma", "zaid")])
def test_subsets_of_annotators_and_labels(
    db: Database, tmp_path: Path, annotators: tuple[str, ...]
) -> None:
    texts = build(db, tmp_path, seed=11)
    report = agreement_report(db, 1, annotators, labels=["PERSON", "QUOTE", "GPE"])
    assert report.annotators == annotators
    assert report.labels == ("PERSON", "GPE", "QUOTE")  # schema order
    assert check(report, db, texts) < TOLERANCE


def test_alpha_with_missing_values_and_fleiss_match_the_references() -> None:
    rng = np.random.default_rng(3)
    worst = 0.0
    for raters in (2, 3, 5):
        truth = rng.integers(0, 6, 3000)
        rows = [np.where(rng.random(3000) < 0.35, rng.integers(0, 6, 3000), truth)
                for _ in range(raters)]
        gaps = [np.where(rng.random(3000) < 0.25, MISSING, r) for r in rows]
        data = np.array(gaps, dtype=float)
        data[data == MISSING] = np.nan
        ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        worst = max(worst, abs(krippendorff_alpha(gaps) - ref))
        table = aggregate_raters(np.array(rows).T)[0]
        worst = max(worst, abs(fleiss_kappa(rows) - sm_fleiss_kappa(table)))
    assert worst < TOLERANCE


def test_undefined_figures_are_none(db: Database, tmp_path: Path) -> None:
    """Nobody marked anything: every token is O, chance agreement is perfect."""
    ensure_project(db)
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "نص بلا وسوم"}, ensure_ascii=False) + "\n")
    import_paths(db, [path])
    for who in ANNOTATORS[:3]:
        set_status(db, 1, who, Status.DONE)
    report = agreement_report(db, 1)
    assert report.document_count == 1 and report.token_count == 3
    assert report.pairs[0].cohen_kappa is None and report.pairs[0].observed == 1.0
    assert report.fleiss_kappa is None and report.krippendorff_alpha is None
    assert report.pairs[0].exact.micro.f1 is None and report.pairs[0].exact.macro_f1 is None
    assert report.documents[0].kappa == 1.0 and report.documents[0].f1_overlap == 1.0
