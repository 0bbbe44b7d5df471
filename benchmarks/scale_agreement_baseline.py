"""The agreement baseline of bench_scale.py: every figure of the report in pure Python,
streamed one document at a time (bench_agreement.py's holds every token in memory)."""


from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads

from bench_agreement import _kappa, _scores, pair_matches, token_codes  # noqa: E402
from scale_steps import _stream, raw_connect  # noqa: E402


class _Figures:
    """The pure-Python baseline's running counts (bench_agreement.baseline, streamed)."""

    def __init__(self, who: list[str], labels: list[str]) -> None:
        self.who, self.labels = who, labels
        self.rank = {name: i for i, name in enumerate(labels)}
        self.pairs = list(combinations(who, 2))
        self.confusion: dict[tuple[str, str], Counter[tuple[int, int]]] = {
            p: Counter() for p in self.pairs}
        self.counts: dict[tuple[tuple[str, str], str], dict[str, list[int]]] = {
            (p, rule): defaultdict(lambda: [0, 0, 0]) for p in self.pairs
            for rule in ("exact", "overlap")}
        self.fleiss_sum = self.disagreement = 0.0
        self.totals: Counter[int] = Counter()
        self.items = 0
        self.per_doc: list[dict[str, Any]] = []

    def add(self, d: int, name: str, text: str,
            spans: dict[str, list[tuple[int, int, str]]]) -> None:
        from annotator.text.tokens import TokenIndex

        toks = TokenIndex(text).tokens
        self.items += len(toks)
        who, n = self.who, len(self.who)
        codes = token_codes(toks, {a: spans[a] for a in who}, self.rank)
        for k in range(len(toks)):
            given = Counter(codes[a][k] for a in who)
            squares = sum(c * c for c in given.values())
            self.fleiss_sum += (squares - n) / (n * (n - 1))
            self.disagreement += (n * n - squares) / (n - 1)
            self.totals.update(given)
        kappas: list[float] = []
        f1s: dict[str, list[float]] = {"exact": [], "overlap": []}
        for p in self.pairs:
            doc_pairs = Counter(zip(codes[p[0]], codes[p[1]], strict=True))
            self.confusion[p].update(doc_pairs)
            k = _kappa(doc_pairs)
            kappas.append(1.0 if k is None else k)
            matched = pair_matches(p, spans, self.counts)
            total = len(spans[p[0]]) + len(spans[p[1]])
            for rule in f1s:
                f1s[rule].append(2 * matched[rule] / total if total else 1.0)
        self.per_doc.append({"document_id": d, "name": name, "tokens": len(toks),
                             "kappa": sum(kappas) / len(kappas) if toks else None,
                             "f1_exact": sum(f1s["exact"]) / len(self.pairs),
                             "f1_overlap": sum(f1s["overlap"]) / len(self.pairs)})

    def result(self) -> dict[str, Any]:
        out_pairs = []
        for p in self.pairs:
            row: dict[str, Any] = {"reference": p[0], "other": p[1]}
            for rule in ("exact", "overlap"):
                cells = self.counts[(p, rule)]
                used = [lb for lb in self.labels if lb in cells and cells[lb][1] + cells[lb][2]]
                per_label = {lb: _scores(*cells[lb]) for lb in used}
                micro = _scores(*(sum(cells[lb][i] for lb in used) for i in range(3)))
                macro = {f"macro_{m}": (sum(s[m] or 0.0 for s in per_label.values()) / len(used)
                                        if used else None) for m in ("precision", "recall", "f1")}
                row[rule] = {"per_label": per_label, "micro": micro, **macro}
            n_tok = sum(self.confusion[p].values())
            row["cohen_kappa"] = _kappa(self.confusion[p])
            row["observed"] = (sum(c for (x, y), c in self.confusion[p].items() if x == y)
                               / n_tok if n_tok else None)
            out_pairs.append(row)
        n, items, totals = len(self.who), self.items, self.totals
        expected = sum((c / (items * n)) ** 2 for c in totals.values())
        values = items * n
        alpha_expected = (values * values - sum(c * c for c in totals.values())) / (values - 1)
        self.per_doc.sort(key=lambda r: (r["kappa"] is None, r["kappa"], r["f1_overlap"],
                                         r["f1_exact"], r["document_id"]))
        return {
            "annotators": self.who, "labels": self.labels, "document_count": len(self.per_doc),
            "token_count": items, "pairs": out_pairs,
            "fleiss_kappa": ((self.fleiss_sum / items - expected) / (1 - expected)
                             if n >= 3 and items and expected != 1 else None),
            "krippendorff_alpha": (1 - self.disagreement / alpha_expected
                                   if alpha_expected else None),
            "documents": self.per_doc,
        }


def agreement_baseline(location: str, out: str) -> dict[str, Any]:
    """Plain driver, rows into dicts, one document at a time: texts and spans streamed in
    document order, every figure of the report counted as bench_agreement's baseline does."""
    start = time.perf_counter()
    conn = raw_connect(location)
    q = lambda text: conn.execute(text).fetchall()  # noqa: E731
    labels = [n for (n,) in q("SELECT name FROM label WHERE project_id = 1 ORDER BY position, id")]
    people = dict(q("SELECT id, name FROM annotator"))
    statuses: dict[int, set[str]] = defaultdict(set)
    for doc, ann in q("SELECT document_id, annotator_id FROM document_status"):
        statuses[doc].add(people[ann])
    who = sorted({people[a] for (a,) in q("SELECT DISTINCT annotator_id FROM span")}
                 | {a for anns in statuses.values() for a in anns})
    figures = _Figures([a for a in who if a != "gold"], labels)
    with _stream(conn, location, "docs", "SELECT id, name, text FROM document ORDER BY id") \
            as docs, \
            _stream(conn, location, "spans", 'SELECT s.document_id, s.annotator_id, l.name, '
                    's.start, s."end" FROM span s JOIN label l ON l.id = s.label_id WHERE '
                    "l.project_id = 1 ORDER BY s.document_id") as spans:
        span = next(spans, None)
        for doc_id, name, text in docs:
            mine: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
            while span is not None and span[0] == doc_id:
                mine[people[span[1]]].append((span[3], span[4], span[2]))
                span = next(spans, None)
            touched = statuses.get(doc_id, set()) | set(mine)
            if set(figures.who) <= touched:
                figures.add(doc_id, name, text, mine)
    result = figures.result()
    seconds = time.perf_counter() - start
    conn.close()
    Path(out).write_text(json.dumps(result, ensure_ascii=False))
    return {"seconds": seconds}


# -- runs --------------------------------------------------------------------------------
