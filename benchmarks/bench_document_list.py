"""The document list at 100,000 documents: open, filter, scroll, search texts, memory.

    python benchmarks/bench_document_list.py [--docs 100000] [--chars 5000] [--repeat 3]
                                             [--workdir DIR] [--json OUT]

A SQLite file of generated articles (``corpus.py``; real sizes, as the list must not read
texts) is built once in the work folder; an annotator has spans and statuses on a fifth
of them. Each method runs ``--repeat`` times, alternating, each in a fresh process:

- ``ours``: ``list_documents``, then ``DocumentList`` (our table model, filter proxy and
  view, 380 x 800 px, offscreen) filled, shown and painted; filters set through its
  widgets; every page scrolled to and painted; ``search_documents`` for three queries.
- ``baseline``: the same database and view, with what needs no Python per row: the same
  columns read with plain ``sqlite3`` in one SQL query; a ``QStandardItemModel`` (data in
  C++) under two chained ``QSortFilterProxyModel``s filtering in C++ (name by fixed string,
  status by regular expression); texts searched with ``instr`` (exact, no folding).

Each step is timed until the view has painted after it. Last, the list query again with
a covering index (a proposed migration). It asserts nothing about time, only that both
methods show the same rows; benchmarks/README.md explains the choices.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import corpus
import sqlalchemy
from sqlalchemy import insert, select

import PySide6
from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, qVersion
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QWidget

from annotator.db.engine import open_database
from annotator.db.models import Document, DocumentStatus, Label, Span, Status
from annotator.search.corpus import search_documents
from annotator.store.documents import list_documents
from annotator.store.projects import ensure_annotator, ensure_project
from annotator.text.canonical import text_sha256
from ui.documents.panel import DocumentList

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # read by each QApplication made
OURS, BASELINE = "ours", "baseline"
WHO = "bench"
NAME_QUERY = "article-0123"  # 100 names out of 100,000
QUERIES = {"arabic": "بغداد", "absent": "زززززز", "ascii": "2002"}
STEPS = ("list", "open", "name", "name+status", "status", "clear", "scroll")
COVERING_INDEX = "ix_bench_document_list"
LIST_SQL = """SELECT d.id, d.name, d.length, coalesce(st.status, 'new'), coalesce(n.n, 0)
FROM document d LEFT JOIN (SELECT s.document_id, count(*) AS n FROM span s JOIN annotator a
  ON a.id = s.annotator_id AND a.name = ? GROUP BY s.document_id) n ON n.document_id = d.id
LEFT JOIN (SELECT ds.document_id, ds.status FROM document_status ds JOIN annotator a
  ON a.id = ds.annotator_id AND a.name = ?) st ON st.document_id = d.id
WHERE d.project_id = ? ORDER BY d.id"""


def _memory_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MiB. Not ru_maxrss: a spawned
    child inherits the parent's RSS in it (a 500 MiB parent gave a fresh child 515)."""
    with open("/proc/self/status") as fh:
        line = next(line for line in fh if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def build_database(path: Path, docs: int, chars: int) -> dict[str, object]:
    """Articles with real texts; of document i (from 1), i % 10 == 0 has all its gold
    spans and is done, i % 10 == 1 has its first 10 spans and is in progress."""
    start, spans = time.perf_counter(), 0
    db = open_database(path)
    project_id, ann_id = ensure_project(db), ensure_annotator(db, WHO)
    with db.reading() as s:
        labels = dict(s.execute(select(Label.name, Label.id)).all())
    articles = corpus.iter_articles(docs, chars)  # seed 0
    for first in range(1, docs + 1, 5000):
        batch = [next(articles) for _ in range(min(5000, docs + 1 - first))]
        with db.sessions.begin() as s:
            ids = s.scalars(
                insert(Document).returning(Document.id, sort_by_parameter_order=True),
                [{"project_id": project_id, "name": a.name, "text": a.text, "meta": {},
                  "length": len(a.text), "sha256": text_sha256(a.text)} for a in batch],
            ).all()
            span_rows, status_rows = [], []
            for i, doc_id, article in zip(range(first, docs + 1), ids, batch, strict=False):
                if i % 10 in (0, 1):
                    span_rows += [
                        {"document_id": doc_id, "document_length": len(article.text),
                         "annotator_id": ann_id, "label_id": labels[sp.label],
                         "start": sp.start, "end": sp.end}
                        for sp in (article.spans if i % 10 == 0 else article.spans[:10])
                    ]
                    status = Status.DONE if i % 10 == 0 else Status.IN_PROGRESS
                    status_rows.append({"document_id": doc_id, "annotator_id": ann_id,
                                        "status": status})
            s.execute(insert(Span), span_rows)
            s.execute(insert(DocumentStatus), status_rows)
            spans += len(span_rows)
    db.close()
    return {"documents": docs, "spans": spans, "seconds": time.perf_counter() - start,
            "file_mib": path.stat().st_size / 2**20}


class PaintWatch(QObject):
    """Counts paint events of a widget, to time an action until the view has painted."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False

    def time(self, action: Callable[[], object]) -> float:
        before, start = self.paints, time.perf_counter()
        action()
        while self.paints == before:
            QApplication.processEvents()
            if time.perf_counter() - start > 60:
                raise RuntimeError("the view did not paint within a minute")
        return time.perf_counter() - start


def _stock_models(rows: list[tuple]) -> tuple[QStandardItemModel, QSortFilterProxyModel,
                                               QSortFilterProxyModel]:
    model = QStandardItemModel(len(rows), 3)
    for r, (_id, name, _length, status, spans) in enumerate(rows):
        model.setItem(r, 0, QStandardItem(name))
        model.setItem(r, 1, QStandardItem(str(status).replace("_", " ")))
        model.setItem(r, 2, QStandardItem(str(spans)))
    names = QSortFilterProxyModel()
    names.setSourceModel(model)
    names.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    statuses = QSortFilterProxyModel()
    statuses.setSourceModel(names)
    statuses.setFilterKeyColumn(1)
    return model, names, statuses


def measure(method: str, db_path: str, list_only: bool = False) -> dict[str, object]:
    """One run of ``method`` (meant for a fresh process): seconds per step, rows, RSS."""
    app = QApplication.instance() or QApplication([])
    db, conn = open_database(db_path), sqlite3.connect(db_path)
    project_id = ensure_project(db)
    out: dict[str, object] = {"method": method, "rss_before_mib": _memory_mib("VmRSS")}
    start = time.perf_counter()
    if method == OURS:
        rows: list = list_documents(db, project_id, WHO)
    else:
        rows = conn.execute(LIST_SQL, (WHO, WHO, project_id)).fetchall()
    out["list"], out["rss_listed_mib"] = time.perf_counter() - start, _memory_mib("VmRSS")
    if list_only:
        return out
    documents = DocumentList()
    documents.resize(380, 800)
    watch, shown = PaintWatch(documents.table.viewport()), documents.proxy
    if method == OURS:
        open_list: Callable[[], object] = lambda: (documents.set_rows(rows), documents.show())
        steps = [partial(documents.filter_edit.setText, NAME_QUERY),
                 partial(documents.set_status_filter, Status.DONE),
                 documents.filter_edit.clear, partial(documents.set_status_filter, None)]
        search = partial(search_documents, db, project_id)
    else:
        kept: list = []  # the stock models live as long as the view

        def open_list() -> None:
            kept.extend(_stock_models(rows))
            documents.table.setModel(kept[-1])
            documents.show()

        steps = [lambda: kept[1].setFilterFixedString(NAME_QUERY),
                 lambda: kept[2].setFilterRegularExpression("^done$"),
                 lambda: kept[1].setFilterFixedString(""),
                 lambda: kept[2].setFilterRegularExpression("")]
        sql = "SELECT id FROM document WHERE project_id = ? AND instr(text, ?) > 0"
        search = lambda q: {i for (i,) in conn.execute(sql, (project_id, q))}  # noqa: E731
    out["open"] = watch.time(open_list)
    shown = kept[-1] if method == BASELINE else shown
    counts = [shown.rowCount()]
    for name, step in zip(STEPS[2:6], steps, strict=True):
        out[name] = watch.time(step)
        counts.append(shown.rowCount())
    bar = documents.table.verticalScrollBar()  # page by page, top to bottom
    pages = list(range(bar.pageStep(), bar.maximum(), bar.pageStep())) + [bar.maximum()]
    out["scroll"] = sum(watch.time(partial(bar.setValue, value)) for value in pages)
    out["pages"], out["rows_shown"], out["rss_shown_mib"] = len(pages), counts, _memory_mib("VmRSS")
    for label, query in QUERIES.items():
        start = time.perf_counter()
        out[f"found_{label}"] = len(search(query))
        out[f"search_{label}"] = time.perf_counter() - start
    out["peak_rss_mib"] = _memory_mib("VmHWM")
    app.processEvents()
    return out


def _in_fresh_process(*args: object) -> dict[str, object]:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measure, *args).result()


def _set_covering_index(db_path: Path, on: bool) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"DROP INDEX IF EXISTS {COVERING_INDEX}")
        if on:  # the list's columns, so that SQLite never reads a row with its text
            columns = "project_id, id, name, length"
            conn.execute(f"CREATE INDEX {COVERING_INDEX} ON document ({columns})")


def _medians(runs: list[dict[str, object]]) -> dict[str, float]:
    return {k: statistics.median(float(r[k]) for r in runs)  # type: ignore[arg-type]
            for k, v in runs[0].items() if isinstance(v, float)}


def _print_table(results: dict[str, dict[str, float]], pages: int) -> None:
    ours, base = results[OURS], results[BASELINE]
    print(f"\n{'step (median s)':<26}{'ours':>9}{'baseline':>10}{'ratio':>8}")
    rows = [(s, s) for s in STEPS] + [(f"search {q}", f"search_{q}") for q in QUERIES]
    for label, key in rows:
        print(f"{label:<26}{ours[key]:>9.3f}{base[key]:>10.3f}{ours[key] / base[key]:>8.2f}")
    print(f"{'scroll, ms per page':<26}{ours['scroll'] / max(pages, 1) * 1e3:>9.2f}"
          f"{base['scroll'] / max(pages, 1) * 1e3:>10.2f}   ({pages:,} pages)")
    for key in ("rss_before_mib", "rss_listed_mib", "rss_shown_mib", "peak_rss_mib"):
        print(f"{key:<26}{ours[key]:>9.0f}{base[key]:>10.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each method")
    parser.add_argument("--workdir", type=Path, help="keeps the database for the next run")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-document-list-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / f"documents-{args.docs}x{args.chars}.sqlite3"
    built = json.loads(db_path.with_suffix(".json").read_text()) if db_path.exists() else None
    if built is None:
        built = build_database(db_path, args.docs, args.chars)
        db_path.with_suffix(".json").write_text(json.dumps(built))
        print(f"built {db_path} in {built['seconds']:.0f} s (not counted)")
    print(f"{built['documents']:,} documents, {built['spans']:,} spans, "
          f"{built['file_mib']:,.0f} MiB file")
    _set_covering_index(db_path, False)
    runs: dict[str, list[dict[str, object]]] = {OURS: [], BASELINE: []}
    for i in range(args.repeat):
        for method in (OURS, BASELINE) if i % 2 == 0 else (BASELINE, OURS):
            runs[method].append(_in_fresh_process(method, str(db_path)))
    # Both methods must show the same rows and find the same documents.
    seen = {tuple(r["rows_shown"]) + tuple(r[f"found_{q}"] for q in QUERIES)  # type: ignore
            for rs in runs.values() for r in rs}
    if len(seen) != 1:
        raise RuntimeError(f"the methods disagree on rows shown or found: {seen}")
    print(f"rows after open, {', '.join(STEPS[2:6])}; found {', '.join(QUERIES)}: {seen.pop()}")
    # The list query with a covering index (a proposed migration), measured the same way.
    _set_covering_index(db_path, True)
    try:
        indexed = {m: [_in_fresh_process(m, str(db_path), True) for _ in range(args.repeat)]
                   for m in (OURS, BASELINE)}
    finally:
        _set_covering_index(db_path, False)
    results = {m: _medians(r) for m, r in runs.items()}
    pages = int(runs[OURS][0]["pages"])  # type: ignore[arg-type]
    _print_table(results, pages)
    with_index = {m: _medians(r)["list"] for m, r in indexed.items()}
    print(f"list with a covering index: ours {with_index[OURS]:.3f} s, baseline "
          f"{with_index[BASELINE]:.3f} s")
    environment = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
        "python": platform.python_version(), "pyside6": PySide6.__version__, "qt": qVersion(),
        "sqlite": sqlite3.sqlite_version, "sqlalchemy": sqlalchemy.__version__,
        "platform": platform.platform(),
    }
    print(environment)
    if args.json:
        args.json.write_text(json.dumps(
            {"environment": environment, "database": built, "runs": runs,
             "medians": results, "list_with_covering_index": indexed},
            ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
