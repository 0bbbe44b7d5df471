"""Agreement speed: 10,000 documents x 3 annotators, ours against plain Python.

    python benchmarks/bench_agreement.py [--docs 10000] [--chars 5000] [--repeat 3]
                                         [--workdir DIR] [--json OUT]

The database (not timed; kept in ``--workdir`` for the next run) holds ``corpus.py``
articles. Annotator ``a`` has each article's gold entity spans plus three QUOTE or
CLAIM spans over a stretch of text around an entity (so spans nest); ``b`` and ``c``
have perturbed copies: each span dropped (8%), an edge shifted by 1 to 3 characters
(8%), relabelled (4%), and two spans of their own per document. All three marked
every document done.

Then each method runs ``--repeat`` times, alternating which goes first, each run in a
fresh process that opens the database and computes every figure of the report:

- ``annotator agreement``: ``agreement_report(db, project)``: reading (SQLAlchemy),
  tokens (vectorised), all figures with numpy.
- ``pure Python``: what a straightforward implementation does, on plain ``sqlite3``:
  rows into dicts; ``TokenIndex`` for the tokens; each span's tokens found by bisect,
  the innermost span kept per token in a list; confusion counts in ``Counter`` s; a loop
  over tokens for Fleiss' kappa and Krippendorff's alpha; per document and label,
  exact matches from ``Counter`` s and overlap matches by the same greedy rule.

Both runs write their figures (every pair, label, document) and the parent checks they
agree to 1e-9. Reported: best and median seconds, each run's phases (reading,
tokens, figures), CPU seconds and peak RSS (VmHWM), and the ratio ours / baseline
in seconds (lower is better). A measurement, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import corpus
import sqlalchemy
from sqlalchemy import insert, select

from annotator.db.engine import open_database
from annotator.db.models import DocumentStatus, Label, Span, Status
from annotator.io.importer import import_paths
from annotator.store.projects import DEFAULT_PROJECT, annotator_id, ensure_project
from annotator.text.tokens import TokenIndex

OURS, BASELINE = "annotator agreement", "pure Python"
ANNOTATORS = ("a", "b", "c")
ENTITY = ("PERSON", "ORGANIZATION", "LOCATION", "GPE")


# --- the database -------------------------------------------------------------------


def _spans_of(article: corpus.Article, rng: random.Random) -> list[tuple[int, int, str]]:
    """Annotator a: the gold entities, and three discourse spans around entities."""
    spans = [(s.start, s.end, s.label) for s in article.spans]
    text = article.text
    for s in rng.sample(article.spans, min(3, len(article.spans))):
        lo = text.rfind(" ", 0, max(0, s.start - rng.randint(20, 120))) + 1
        hi = text.find(" ", min(len(text), s.end + rng.randint(20, 120)))
        spans.append((lo, hi if hi > 0 else len(text), rng.choice(["QUOTE", "CLAIM"])))
    return spans


def _perturb(spans: list[tuple[int, int, str]], length: int,
             rng: random.Random) -> list[tuple[int, int, str]]:
    out = []
    for start, end, label in spans:
        r = rng.random()
        if r < 0.08:
            continue
        if r < 0.16:
            if rng.random() < 0.5:
                start = min(max(0, start + rng.choice([-3, -2, -1, 1, 2, 3])), end - 1)
            else:
                end = max(min(length, end + rng.choice([-3, -2, -1, 1, 2, 3])), start + 1)
        elif r < 0.20:
            label = rng.choice([x for x in ENTITY if x != label])
        out.append((start, end, label))
    for _ in range(2):
        start = rng.randrange(max(1, length - 10))
        out.append((start, start + rng.randint(2, 10), rng.choice(ENTITY)))
    return out


def build(path: Path, docs: int, chars: int, seed: int) -> None:
    """The benchmark database (module docstring); about a minute for 10,000 documents."""
    articles = corpus.articles(docs, chars, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "docs.jsonl"
        src.write_text("".join(json.dumps({"id": a.name, "text": a.text}, ensure_ascii=False)
                               + "\n" for a in articles), encoding="utf-8")
        db = open_database(path)
        assert import_paths(db, [src]).ok
    pid = ensure_project(db, DEFAULT_PROJECT)
    rng = random.Random(seed)
    with db.sessions.begin() as s:
        labels = dict(s.execute(select(Label.name, Label.id).where(Label.project_id == pid)).all())
        who = {name: annotator_id(s, name) for name in ANNOTATORS}
        for doc_id, article in enumerate(articles, start=1):
            base = _spans_of(article, rng)
            rows = []
            for name in ANNOTATORS:
                spans = base if name == "a" else _perturb(base, len(article.text), rng)
                rows += [{"document_id": doc_id, "document_length": len(article.text),
                          "annotator_id": who[name], "label_id": labels[lb], "start": st,
                          "end": en} for st, en, lb in spans]
            s.execute(insert(Span), rows)
            s.execute(insert(DocumentStatus), [
                {"document_id": doc_id, "annotator_id": who[n], "status": Status.DONE}
                for n in ANNOTATORS])
    db.close()


# --- the straightforward baseline -----------------------------------------------------


def _overlap_matches(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Maximum one-to-one overlap matching: repeatedly pair the range that ends first
    with the other side's unpaired overlapping range that ends first."""
    pending = sorted([(e, s, "a") for s, e in a] + [(e, s, "b") for s, e in b])
    matched = 0
    while pending:
        end, start, side = pending.pop(0)
        for k, (end2, start2, side2) in enumerate(pending):
            if side2 != side and start2 < end and start < end2:
                del pending[k]
                matched += 1
                break
    return matched


def _kappa(pairs: Counter[tuple[int, int]]) -> float | None:
    n = sum(pairs.values())
    if n == 0:
        return None
    left: Counter[int] = Counter()
    right: Counter[int] = Counter()
    for (x, y), count in pairs.items():
        left[x] += count
        right[y] += count
    observed = sum(c for (x, y), c in pairs.items() if x == y) / n
    expected = sum(left[k] * right[k] for k in left) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def _scores(matched: int, ref: int, other: int) -> dict[str, Any]:
    return {"matched": matched, "reference": ref, "other": other,
            "precision": matched / other if other else None,
            "recall": matched / ref if ref else None,
            "f1": 2 * matched / (ref + other) if ref + other else None}


def pair_matches(pair: tuple[str, str], spans: dict[str, list[tuple[int, int, str]]],
                 counts: dict) -> dict[str, int]:
    """One document's span matches of a pair, per rule; adds (matched, a's, b's) per
    label to ``counts[(pair, rule)][label]``."""
    by_label: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, a in enumerate(pair):
        for start, end, label in spans[a]:
            by_label[label][side].append((start, end))
    matched = {"exact": 0, "overlap": 0}
    for label, (ra, rb) in by_label.items():
        ca, cb = Counter(ra), Counter(rb)
        found = {"exact": sum(min(c, cb[r]) for r, c in ca.items()),
                 "overlap": _overlap_matches(ra, rb)}
        for rule in found:
            cell = counts[(pair, rule)][label]
            cell[0] += found[rule]
            cell[1] += len(ra)
            cell[2] += len(rb)
            matched[rule] += found[rule]
    return matched


def token_codes(toks: list[tuple[int, int]], spans: dict[str, list[tuple[int, int, str]]],
                rank: dict[str, int]) -> dict[str, list[int]]:
    """Each annotator's label code per token (0: none): the shortest span over the token
    wins, then the label's rank, as the app's token agreement does."""
    starts, ends = [s for s, _ in toks], [e for _, e in toks]
    codes = {}
    for a, given in spans.items():
        best: list[tuple[int, int] | None] = [None] * len(toks)
        for start, end, label in given:
            key = (end - start, rank[label])
            for k in range(bisect_right(ends, start), bisect_left(starts, end)):
                if best[k] is None or key < best[k]:
                    best[k] = key
        codes[a] = [0 if b is None else b[1] + 1 for b in best]
    return codes


def baseline(path: Path) -> tuple[dict[str, Any], dict[str, float]]:
    """Every figure of the report, the plain way; and the time of each phase."""
    clock = {"start": time.perf_counter()}
    conn = sqlite3.connect(path)
    labels = [n for (n,) in conn.execute("SELECT name FROM label WHERE project_id = 1 "
                                         "ORDER BY position, id")]
    rank = {name: i for i, name in enumerate(labels)}
    people = dict(conn.execute("SELECT id, name FROM annotator"))
    touched: dict[int, set[str]] = defaultdict(set)
    spans: dict[int, dict[str, list[tuple[int, int, str]]]] = defaultdict(lambda: defaultdict(list))
    for doc, ann, label, start, end in conn.execute(
        'SELECT s.document_id, s.annotator_id, l.name, s.start, s."end" FROM span s '
        "JOIN label l ON l.id = s.label_id WHERE l.project_id = 1"
    ):
        touched[doc].add(people[ann])
        spans[doc][people[ann]].append((start, end, label))
    for doc, ann in conn.execute("SELECT document_id, annotator_id FROM document_status"):
        touched[doc].add(people[ann])
    who = sorted({a for anns in touched.values() for a in anns} - {"gold"})
    docs = sorted(d for d, anns in touched.items() if set(who) <= anns)
    names = {}
    texts = {}
    for i in range(0, len(docs), 900):
        chunk = docs[i:i + 900]
        for did, name, text in conn.execute(
            f"SELECT id, name, text FROM document WHERE id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            names[did], texts[did] = name, text
    clock["read"] = time.perf_counter()
    tokens = {d: TokenIndex(texts[d]).tokens for d in docs}
    clock["tokens"] = time.perf_counter()

    pairs = list(combinations(who, 2))
    confusion: dict[tuple[str, str], Counter[tuple[int, int]]] = {p: Counter() for p in pairs}
    counts: dict[tuple[tuple[str, str], str], dict[str, list[int]]] = {
        (p, rule): defaultdict(lambda: [0, 0, 0])  # label -> [matched, a's, b's]
        for p in pairs for rule in ("exact", "overlap")
    }
    fleiss_sum, disagreement = 0.0, 0.0
    totals: Counter[int] = Counter()
    n = len(who)
    per_doc = []
    for d in docs:
        toks = tokens[d]
        codes = token_codes(toks, {a: spans[d][a] for a in who}, rank)
        for k in range(len(toks)):
            given = Counter(codes[a][k] for a in who)
            squares = sum(c * c for c in given.values())
            fleiss_sum += (squares - n) / (n * (n - 1))
            disagreement += (n * n - squares) / (n - 1)
            totals.update(given)
        kappas: list[float] = []
        f1s: dict[str, list[float]] = {"exact": [], "overlap": []}
        for p in pairs:
            x, y = codes[p[0]], codes[p[1]]
            doc_pairs = Counter(zip(x, y, strict=True))
            confusion[p].update(doc_pairs)
            k = _kappa(doc_pairs)
            kappas.append(1.0 if k is None else k)
            matched = pair_matches(p, spans[d], counts)
            total = len(spans[d][p[0]]) + len(spans[d][p[1]])
            for rule in f1s:
                f1s[rule].append(2 * matched[rule] / total if total else 1.0)
        per_doc.append({"document_id": d, "name": names[d], "tokens": len(toks),
                        "kappa": sum(kappas) / len(kappas) if toks else None,
                        "f1_exact": sum(f1s["exact"]) / len(pairs),
                        "f1_overlap": sum(f1s["overlap"]) / len(pairs)})

    out_pairs = []
    for p in pairs:
        row: dict[str, Any] = {"reference": p[0], "other": p[1]}
        for rule in ("exact", "overlap"):
            cells = counts[(p, rule)]
            used = [lb for lb in labels if lb in cells and cells[lb][1] + cells[lb][2]]
            per_label = {lb: _scores(*cells[lb]) for lb in used}
            micro = _scores(*(sum(cells[lb][i] for lb in used) for i in range(3)))
            macro = {f"macro_{m}": (sum(s[m] or 0.0 for s in per_label.values()) / len(used)
                                    if used else None) for m in ("precision", "recall", "f1")}
            row[rule] = {"per_label": per_label, "micro": micro, **macro}
        n_tok = sum(confusion[p].values())
        row["cohen_kappa"] = _kappa(confusion[p])
        row["observed"] = (sum(c for (x, y), c in confusion[p].items() if x == y) / n_tok
                           if n_tok else None)
        out_pairs.append(row)
    items = sum(len(tokens[d]) for d in docs)
    expected = sum((c / (items * n)) ** 2 for c in totals.values())
    values = items * n
    alpha_expected = (values * values - sum(c * c for c in totals.values())) / (values - 1)
    per_doc.sort(key=lambda r: (r["kappa"] is None, r["kappa"], r["f1_overlap"],
                                r["f1_exact"], r["document_id"]))
    figures = {
        "annotators": who, "labels": labels, "document_count": len(docs),
        "token_count": items, "pairs": out_pairs,
        "fleiss_kappa": ((fleiss_sum / items - expected) / (1 - expected)
                         if n >= 3 and items and expected != 1 else None),
        "krippendorff_alpha": 1 - disagreement / alpha_expected if alpha_expected else None,
        "documents": per_doc,
    }
    clock["figures"] = time.perf_counter()
    conn.close()
    return figures, clock


def ours(path: Path) -> tuple[dict[str, Any], dict[str, float]]:
    clock = {"start": time.perf_counter()}
    from annotator.review.data import load  # numpy's import is counted
    from annotator.review.report import compute

    db = open_database(path)
    data = load(db, 1)
    clock["read+tokens"] = time.perf_counter()
    report = compute(data)
    clock["figures"] = time.perf_counter()
    db.close()
    return report.as_dict(), clock


# --- runs and the comparison ------------------------------------------------------------


def _flat(value: Any, key: str = "") -> dict[str, Any]:
    """Nested figures as {"pairs/0/exact/micro/f1": 0.8, ...}; documents by id."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{key}/{k}"))
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict) and \
            "document_id" in value[0]:
        return _flat({str(d["document_id"]): d for d in value}, key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _flat(dict(enumerate(value)), key)
    return {key: value}


def compare(a: dict[str, Any], b: dict[str, Any], tolerance: float = 1e-9) -> float:
    """The largest difference between two sets of figures; raises if they do not match."""
    fa, fb = _flat(a), _flat(b)
    if fa.keys() != fb.keys():
        raise AssertionError(f"different figures: {sorted(fa.keys() ^ fb.keys())[:10]}")
    worst = 0.0
    for key, x in fa.items():
        y = fb[key]
        if isinstance(x, float) or isinstance(y, float):
            if (x is None) != (y is None) or abs(x - y) > tolerance:
                raise AssertionError(f"{key}: {x} != {y}")
            worst = max(worst, abs(x - y))
        elif x != y:
            raise AssertionError(f"{key}: {x!r} != {y!r}")
    # the ranking too: the same documents in the same order
    order_a = [d["document_id"] for d in a["documents"]]
    order_b = [d["document_id"] for d in b["documents"]]
    if order_a != order_b:
        raise AssertionError("the documents are ranked differently")
    return worst


def _peak_rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(method: str, path: Path, out: Path) -> None:
    cpu = time.process_time()
    figures, clock = (ours if method == OURS else baseline)(path)
    stamps = list(clock.items())
    phases = {name: t - stamps[i - 1][1] for i, (name, t) in enumerate(stamps) if i}
    run = {"method": method, "seconds": stamps[-1][1] - stamps[0][1], "phases": phases,
           "cpu_seconds": time.process_time() - cpu, "peak_rss_mib": _peak_rss_mib()}
    out.write_text(json.dumps({"run": run, "figures": figures}, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-agreement-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"agreement-{args.docs}x{args.chars}-seed{args.seed}.sqlite3"
    if not path.exists():
        started = time.perf_counter()
        build(path, args.docs, args.chars, args.seed)
        print(f"built {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with sqlite3.connect(path) as conn:
        spans = conn.execute("SELECT count(*) FROM span").fetchone()[0]
    runs: dict[str, list[dict[str, Any]]] = {OURS: [], BASELINE: []}
    figures: dict[str, Any] = {}
    for i in range(args.repeat):
        for method in ((OURS, BASELINE) if i % 2 == 0 else (BASELINE, OURS)):
            out = work / "run.json"
            subprocess.run([sys.executable, __file__, "--child", method, str(path), str(out)],
                           check=True)
            result = json.loads(out.read_text())
            runs[method].append(result["run"])
            figures[method] = result["figures"]
            print(json.dumps(result["run"]), file=sys.stderr)
    worst = compare(figures[OURS], figures[BASELINE])
    summary = {
        method: {"best_seconds": min(r["seconds"] for r in rs),
                 "median_seconds": statistics.median(r["seconds"] for r in rs), "runs": rs}
        for method, rs in runs.items()
    }
    result = {
        "environment": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "sqlalchemy": sqlalchemy.__version__, "numpy": __import__("numpy").__version__,
            "cpus": os.cpu_count(), "platform": platform.platform(),
        },
        "corpus": {"docs": args.docs, "chars": args.chars, "seed": args.seed, "spans": spans,
                   "tokens": figures[OURS]["token_count"]},
        "max_abs_difference": worst,
        "ratio_ours_to_baseline": summary[OURS]["best_seconds"]
        / summary[BASELINE]["best_seconds"],
        "ratio_on_medians": summary[OURS]["median_seconds"]
        / summary[BASELINE]["median_seconds"],
        "results": summary,
        "figures": {k: figures[OURS][k] for k in ("fleiss_kappa", "krippendorff_alpha")}
        | {f"cohen_kappa {p['reference']}-{p['other']}": p["cohen_kappa"]
           for p in figures[OURS]["pairs"]},
    }
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
