"""Export speed: 100,000 documents holding 2,000,000 spans to native JSONL.

    python benchmarks/bench_export.py [--docs 100000] [--spans 20] [--chars 1500]
                                      [--repeat 3] [--workdir DIR] [--json OUT]

The database is built first and not timed: ``corpus.py`` articles (NewsFANE sentences)
of about ``--chars`` characters, each with exactly ``--spans`` spans of the annotator
"gold" (its gold entities, topped up with spans over its first words where it has too
few), written with plain ``sqlite3`` into a database made by ``open_database``.

Then each method runs ``--repeat`` times, alternating which goes first, each in a fresh
process after an ``os.sync()``:

- ``sqlite3+json baseline``: two plain ``sqlite3`` queries streamed side by side (the
  documents by id; their spans with annotator and label names, in the same order) merged
  in Python, and ``json.dumps`` of each document's line, written to a file. It writes
  the very bytes our export writes (checked), with none of its other work: no statuses,
  relations, filters, pages or sessions.
- ``annotator export``: ``export(db, project, out)`` (the native JSONL format), which the
  CLI's ``annotator export -o OUT`` runs.

Reported: best and median seconds, documents per second, the ratio ours / baseline
(higher is better; the target is at least 0.5), CPU seconds, peak RSS, and for ours the
RSS after the first 10% of the documents and at the end (flat memory: the export streams
pages; it never holds the corpus). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import corpus
from bench_import import _cpu_seconds, _environment, _in_fresh_process, _rss_mib

from annotator.db.engine import open_database
from annotator.io.export import export
from annotator.store.projects import DEFAULT_PROJECT, ensure_annotator, ensure_project
from annotator.text.canonical import text_sha256
from annotator.text.tokens import TokenIndex

BASELINE = "sqlite3+json baseline"
OURS = "annotator export"
NOW = "2026-01-01 00:00:00.000000"


def build(db_path: Path, docs: int, spans: int, chars: int, seed: int) -> int:
    """The benchmark database; returns the number of spans stored."""
    db = open_database(db_path)
    project = ensure_project(db, DEFAULT_PROJECT)
    gold = ensure_annotator(db, "gold")
    db.close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    labels = dict(conn.execute("SELECT name, id FROM label WHERE project_id = ?", (project,)))
    conn.execute("BEGIN IMMEDIATE")
    span_rows: list[tuple[Any, ...]] = []
    total = 0
    for doc_id, article in enumerate(corpus.iter_articles(docs, chars, seed=seed), start=1):
        text = article.text
        conn.execute(
            "INSERT INTO document (id, project_id, name, text, length, sha256, source_path, "
            "meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, NULL, '{}', ?)",
            (doc_id, project, article.name, text, len(text),
             text_sha256(text), NOW))
        picked = [(s.start, s.end, s.label) for s in article.spans[:spans]]
        for start, end in TokenIndex(text).tokens[: spans - len(picked)]:
            picked.append((start, end, "QUANTITY"))
        span_rows.extend((doc_id, len(text), gold, labels[lb], s, e, "imported", NOW, NOW)
                         for s, e, lb in picked)
        total += len(picked)
        if len(span_rows) >= 100_000:
            _insert_spans(conn, span_rows)
            span_rows = []
    _insert_spans(conn, span_rows)
    conn.execute("COMMIT")
    conn.close()
    return total




def _insert_spans(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(
        'INSERT INTO span (document_id, document_length, annotator_id, label_id, start, "end",'
        " origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _baseline(db_path: Path, out: Path) -> dict[str, float]:
    conn = sqlite3.connect(db_path)
    start = time.perf_counter()
    docs = conn.execute(
        "SELECT id, name, text, sha256, meta FROM document ORDER BY id")
    spans = conn.cursor().execute(
        'SELECT s.document_id, a.name, l.name, s.start, s."end" FROM span s'
        " JOIN annotator a ON a.id = s.annotator_id JOIN label l ON l.id = s.label_id"
        ' ORDER BY s.document_id, a.name, s.start, s."end", s.id')
    pending = next(spans, None)
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for doc_id, name, text, sha, meta in docs:
            by_ann: dict[str, list[dict[str, Any]]] = {}
            while pending is not None and pending[0] == doc_id:
                _, ann, label, s, e = pending
                by_ann.setdefault(ann, []).append(
                    {"start": s, "end": e, "label": label, "text": text[s:e]})
                pending = next(spans, None)
            for ann, items in by_ann.items():
                fh.write(json.dumps(
                    {"id": name, "text": text, "sha256": sha, "annotator": ann,
                     "status": "new", "spans": items, "relations": [],
                     "meta": json.loads(meta)}, ensure_ascii=False))
                fh.write("\n")
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds}


def _ours(db_path: Path, out: Path) -> dict[str, float]:
    db = open_database(db_path)
    rss: list[tuple[int, float]] = []
    start = time.perf_counter()
    report = export(db, 1, out, progress=lambda done, total: rss.append((done, _rss_mib())))
    seconds = time.perf_counter() - start
    db.close()
    total = rss[-1][1] if rss else 0
    tenth = next((r for d, r in rss if d >= report.documents / 10), total)
    return {"seconds": seconds, "rss_at_10pct_mib": tenth, "rss_at_end_mib": total,
            "spans": report.spans}


def _peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM). Not getrusage: its ru_maxrss survives exec, so a
    spawned worker would report the peak of the process that started it."""
    with open("/proc/self/status") as fh:
        line = next(x for x in fh if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def measure(method: str, db_path: Path, out: Path) -> dict[str, object]:
    cpu = _cpu_seconds()
    figures = _ours(db_path, out) if method == OURS else _baseline(db_path, out)
    return {"method": method, **figures, "cpu_seconds": _cpu_seconds() - cpu,
            "peak_rss_mib": _peak_rss_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=20, help="spans per document")
    parser.add_argument("--chars", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="kept afterwards (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-export-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    spans = build(db_path, args.docs, args.spans, args.chars, args.seed)
    print(f"database: {args.docs:,} documents, {spans:,} spans, "
          f"{db_path.stat().st_size / 2**20:,.0f} MiB, built in "
          f"{time.perf_counter() - start:.1f} s (not counted)", flush=True)
    runs: dict[str, list[dict[str, object]]] = {BASELINE: [], OURS: []}
    outs = {BASELINE: workdir / "baseline.jsonl", OURS: workdir / "ours.jsonl"}
    try:
        for round_no in range(args.repeat):
            order = [BASELINE, OURS] if round_no % 2 == 0 else [OURS, BASELINE]
            for method in order:
                os.sync()
                run = _in_fresh_process(measure, method, db_path, outs[method])
                runs[method].append(run)
                print(f"  round {round_no + 1}: {method:<24}{run['seconds']:7.2f} s", flush=True)
            if outs[BASELINE].read_bytes() != outs[OURS].read_bytes():
                raise RuntimeError("the baseline and the export wrote different files")
        size = outs[OURS].stat().st_size
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    report(runs, args, spans, size)


def report(runs: dict[str, list[dict[str, object]]], args: argparse.Namespace, spans: int,
           size: int) -> None:
    best = {m: min(float(r["seconds"]) for r in rs) for m, rs in runs.items()}  # type: ignore
    median = {m: statistics.median(float(r["seconds"]) for r in rs)  # type: ignore[arg-type]
              for m, rs in runs.items()}
    ratio = best[BASELINE] / best[OURS]
    print(f"\n{args.docs:,} documents, {spans:,} spans, {size / 2**20:,.0f} MiB of JSONL; "
          f"best of {args.repeat} runs each")
    print(f"{'method':<24}{'best s':>8}{'median s':>10}{'docs/s':>9}{'ratio':>7}{'cpu s':>8}"
          f"{'peak RSS MiB':>14}")
    for m, rs in runs.items():
        cpu = min(float(r["cpu_seconds"]) for r in rs)  # type: ignore[arg-type]
        peak = max(float(r["peak_rss_mib"]) for r in rs)  # type: ignore[arg-type]
        print(f"{m:<24}{best[m]:>8.2f}{median[m]:>10.2f}{args.docs / best[m]:>9,.0f}"
              f"{best[BASELINE] / best[m]:>7.2f}{cpu:>8.2f}{peak:>14.0f}")
    ours = min(runs[OURS], key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]
    print(f"\nours / baseline = {ratio:.2f} (target >= 0.5); medians: "
          f"{median[BASELINE] / median[OURS]:.2f}")
    print(f"our RSS after 10% of the documents {ours['rss_at_10pct_mib']:.0f} MiB, at the end "
          f"{ours['rss_at_end_mib']:.0f} MiB")
    env = _environment()
    print(f"Python {env['python']}, SQLite {env['sqlite']}, SQLAlchemy {env['sqlalchemy']}, "
          f"{env['cpus']} CPUs, {env['platform']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(
            {"environment": env, "docs": args.docs, "spans": spans, "jsonl_bytes": size,
             "ratio": ratio, "best_seconds": best, "median_seconds": median, "runs": runs},
            indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
