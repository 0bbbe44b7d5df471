"""Scale: 100,000 articles and 2,000,000 spans of two annotators, on SQLite and PostgreSQL.

    python benchmarks/bench_scale.py [--articles 100000] [--spans 2000000] [--chars 5000]
        [--seed 0] [--workdir /tmp/scale] [--backends sqlite postgresql] [--pg URL]
        [--repeat 3] [--steps import list window export agreement] [--json OUT]

The corpus (``scale_corpus.py``: native JSONL shards of 1,000 articles, one line per
article and annotator) is written once into the work folder and kept. PostgreSQL is a
throwaway cluster started in the work folder (``tests/pg_cluster.py``), or the server of
``--pg URL`` (a database URL; the script creates and drops its own databases there).

For each database, every figure against a baseline measured in the same run, each run in
a fresh process (``python bench_scale.py --child ...``):

- import: ``import_paths`` of the shards into a new database, against the raw driver
  storing the same rows (``sqlite3`` ``executemany`` / psycopg ``COPY``), one transaction a
  shard, after the same JSON decoding and SHA-256; both databases are checked equal
  (documents, spans and statuses per annotator). One run each: it is minutes at scale.
- list: a real ``MainWindow`` (offscreen, 1280 x 800) opened on the database until
  painted (the list query, the list shown, the first document open), then the name and
  status filters of its document list, each until painted; against the driver running
  the list query with the same filters in SQL (same row counts, checked).
- open a document: 20 documents spread over the corpus selected in the window's list,
  until painted; against the driver reading the text and the annotator's spans, and
  against a ``QTextDocument`` laying out the same text without spans.
- window memory: the peak RSS (``VmHWM``) of the window process after all of the above,
  against a bare ``QApplication`` + ``QMainWindow`` shown. Target: under 400 MB.
- export: ``export`` (native JSONL) against the driver's SELECTs streamed and
  ``json.dumps`` of the same lines (the bytes are checked equal).
- agreement: ``annotator.agreement`` ``load`` + ``compute`` against a pure-Python
  baseline streamed document by document (``bench_agreement.py``'s, which holds every
  text and token in memory, would need about 15 GB here); the figures are checked equal.

It asserts nothing about time. Results go to ``--json`` (default
``benchmarks/results/scale-<articles>x<chars>.json``); benchmarks/README.md has the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads

import scale_corpus  # noqa: E402
import sqlalchemy  # noqa: E402
from bench_agreement import _kappa, _overlap_matches, _scores, compare  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from tests import pg_cluster  # noqa: E402

OURS, BASE = "ours", "baseline"
WHO = "ann1"  # the annotator the window shows
NAME_QUERY = "article-0012"  # 100 names of 100,000 (article-001200 ... 001299)
OPEN_SAMPLE = 20  # documents opened in the window, spread over the corpus
STEPS = ("import", "list", "window", "export", "agreement")
LIST_SQL = """SELECT d.id, d.name, d.length, coalesce(st.status, 'new'), coalesce(n.n, 0)
FROM document d LEFT JOIN (SELECT s.document_id, count(*) AS n FROM span s
  WHERE s.annotator_id = ? GROUP BY s.document_id) n ON n.document_id = d.id
LEFT JOIN document_status st ON st.document_id = d.id AND st.annotator_id = ?
WHERE d.project_id = ?{where} ORDER BY d.id"""


# -- databases ---------------------------------------------------------------------------


def _is_pg(location: str) -> bool:
    return location.startswith("postgresql")


def raw_connect(location: str) -> Any:
    """A plain driver connection: ``sqlite3`` for a file, psycopg for a URL."""
    if not _is_pg(location):
        return sqlite3.connect(location, isolation_level=None)
    import psycopg

    url = make_url(location)
    return psycopg.connect(
        host=url.query.get("host") or url.host, port=url.query.get("port") or url.port,
        user=url.username, password=url.password, dbname=url.database, autocommit=True)


def sql(location: str, text: str) -> str:
    return text.replace("?", "%s") if _is_pg(location) else text


def new_location(backend: str, name: str, workdir: Path, server: str | None) -> str:
    """An empty database: a new SQLite file, or a new database on the server."""
    if backend == "sqlite":
        path = workdir / f"{name}.sqlite3"
        drop_location(str(path), None)
        return str(path)
    assert server is not None
    with raw_connect(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_location(location: str, server: str | None) -> None:
    if not _is_pg(location):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(location + suffix).unlink(missing_ok=True)
        return
    assert server is not None
    with raw_connect(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {make_url(location).database}")


def database_size_mib(location: str) -> float:
    if not _is_pg(location):
        return sum(Path(location + s).stat().st_size for s in ("", "-wal")
                   if Path(location + s).exists()) / 2**20
    with raw_connect(location) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20


def contents(location: str) -> dict[str, Any]:
    """What an import stored, to check two imports against each other."""
    with raw_connect(location) as conn:
        one = lambda q: conn.execute(q).fetchall()  # noqa: E731
        return {
            "documents": one("SELECT count(*), count(DISTINCT sha256), "
                             "CAST(sum(length) AS BIGINT) FROM document")[0],
            "spans": sorted(one("SELECT a.name, l.name, count(*), CAST(sum(s.start) AS BIGINT), "
                                'CAST(sum(s."end") AS BIGINT) FROM span s JOIN annotator a ON '
                                "a.id = s.annotator_id JOIN label l ON l.id = s.label_id "
                                "GROUP BY a.name, l.name")),
            "statuses": sorted(one("SELECT a.name, ds.status, count(*) FROM document_status "
                                   "ds JOIN annotator a ON a.id = ds.annotator_id "
                                   "GROUP BY a.name, ds.status")),
        }


def _memory_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc (not ``ru_maxrss``, which
    a child inherits from its parent across fork and exec)."""
    with open("/proc/self/status") as fh:
        line = next(line for line in fh if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _usage() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": _memory_mib("VmHWM"), "ru_maxrss_mib": usage.ru_maxrss / 1024}


# -- import ------------------------------------------------------------------------------


def import_ours(location: str, corpus: str) -> dict[str, Any]:
    from annotator.db.engine import open_database
    from annotator.importer import import_paths

    db = open_database(location)
    start = time.perf_counter()
    report = import_paths(db, [corpus])
    seconds = time.perf_counter() - start
    db.close()
    if report.failed or report.skipped:
        raise RuntimeError(f"import_paths: {report.summary()} {report.failed[:3]}")
    return {"seconds": seconds, "documents": len(report.imported), "spans": report.spans}


def _shard_rows(path: Path, project_id: int, ann: dict[str, int], labels: dict[str, int],
                known: dict[str, int], next_id: list[int], now: str
                ) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The rows a shard adds: documents (with ids given here), spans, statuses."""
    docs, spans, statuses = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        text = rec["text"]
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        doc_id = known.get(sha)
        if doc_id is None:
            doc_id = known[sha] = next_id[0]
            next_id[0] += 1
            docs.append((doc_id, project_id, rec["id"], text, len(text), sha, str(path), "{}",
                         now))
        who = ann[rec["annotator"]]
        spans.extend((doc_id, len(text), who, labels[sp["label"]], sp["start"], sp["end"],
                      "imported", now, now) for sp in rec["spans"])
        statuses.append((doc_id, who, rec["status"], now))
    return docs, spans, statuses


DOC_COLUMNS = "id, project_id, name, text, length, sha256, source_path, meta, imported_at"
SPAN_COLUMNS = ('document_id, document_length, annotator_id, label_id, start, "end", origin, '
                "created_at, updated_at")
STATUS_COLUMNS = "document_id, annotator_id, status, updated_at"


def import_baseline(location: str, corpus: str) -> dict[str, Any]:
    """The driver storing the same rows: schema, project and annotators made first by
    ``open_database`` (not timed), then per shard: read, ``json.loads``, SHA-256, insert."""
    from annotator.db.engine import open_database
    from annotator.projects import ensure_annotator, ensure_project

    db = open_database(location)
    project_id = ensure_project(db)
    ann = {name: ensure_annotator(db, name) for name in scale_corpus.ANNOTATORS}
    db.close()
    conn = raw_connect(location)
    labels = dict(conn.execute(sql(location, "SELECT name, id FROM label WHERE project_id = ?"),
                               (project_id,)).fetchall())
    pg = _is_pg(location)
    if not pg:
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
    known: dict[str, int] = {}
    next_id = [1]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    start = time.perf_counter()
    n_spans = 0
    for path in sorted(Path(corpus).glob("*.jsonl")):
        docs, spans, statuses = _shard_rows(path, project_id, ann, labels, known, next_id, now)
        n_spans += len(spans)
        if pg:
            with conn.transaction(), conn.cursor() as cur:
                for table, columns, rows in (("document", DOC_COLUMNS, docs),
                                             ("span", SPAN_COLUMNS, spans),
                                             ("document_status", STATUS_COLUMNS, statuses)):
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
        else:
            conn.execute("BEGIN IMMEDIATE")
            for table, columns, rows in (("document", DOC_COLUMNS, docs),
                                         ("span", SPAN_COLUMNS, spans),
                                         ("document_status", STATUS_COLUMNS, statuses)):
                marks = ", ".join("?" * len(columns.split(",")))
                conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            conn.execute("COMMIT")
    if pg:  # ids were given; the sequence follows, as after an import of ours
        conn.execute("SELECT setval(pg_get_serial_sequence('document', 'id'), %s)",
                     (next_id[0] - 1,))
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "documents": len(known), "spans": n_spans}


# -- the window: list, filters, opening documents, memory ------------------------------


def _sample_ids(location: str) -> list[int]:
    with raw_connect(location) as conn:
        ids = [i for (i,) in conn.execute("SELECT id FROM document ORDER BY id").fetchall()]
    step = max(1, len(ids) // OPEN_SAMPLE)
    return ids[step // 2 :: step][:OPEN_SAMPLE]


def _settings_in(folder: Path) -> None:
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))


def window_ours(location: str, workdir: str) -> dict[str, Any]:
    """The real window: open until painted, filter, open documents; its peak RSS."""
    from bench_document_list import PaintWatch

    from PySide6.QtWidgets import QApplication

    from annotator.db.engine import open_database
    from annotator.documents import list_documents
    from annotator.projects import ensure_project
    from ui.fonts import load_bundled_fonts
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    _settings_in(Path(workdir) / "settings")
    load_bundled_fonts()
    out: dict[str, Any] = {"rss_start_mib": _memory_mib("VmRSS")}
    sample = _sample_ids(location)
    db = open_database(location)
    project_id = ensure_project(db)
    out["rss_db_open_mib"] = _memory_mib("VmRSS")
    holder: list[Any] = []
    start = time.perf_counter()
    window = MainWindow(db, project_id, annotator=WHO)
    window.resize(1280, 800)
    holder.append(window)
    table = window.document_list.table
    watch = PaintWatch(table.viewport())
    watch.time(window.show)
    out["open_window"] = time.perf_counter() - start  # built, list read and shown, painted
    out["rss_window_mib"] = _memory_mib("VmRSS")
    docs = window.document_list
    shown = [docs.proxy.rowCount()]
    from annotator.db.models import Status

    steps = {"name": lambda: docs.filter_edit.setText(NAME_QUERY),
             "name+status": lambda: docs.set_status_filter(Status.DONE),
             "status": docs.filter_edit.clear,
             "clear": lambda: docs.set_status_filter(None)}
    for name, step in steps.items():
        out[f"filter_{name}"] = watch.time(step)
        shown.append(docs.proxy.rowCount())
    out["rows_shown"] = shown
    view = window.article.view
    opens = []
    for doc_id in sample:
        t0 = time.perf_counter()
        if not docs.select_document(doc_id):
            raise RuntimeError(f"document {doc_id} is not in the list")
        view.viewport().repaint()
        app.processEvents()
        opens.append(time.perf_counter() - t0)
        if window.current_document_id() != doc_id:
            raise RuntimeError(f"document {doc_id} did not open")
    out["open_document_each"] = opens
    out["open_document"] = statistics.median(opens)
    out["spans_shown_last"] = len(view.painter.index)
    out["rss_end_mib"] = _memory_mib("VmRSS")
    out["peak_rss_mib"] = _memory_mib("VmHWM")
    out["ru_maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()  # after the peak is read: the list query on its own
    rows = list_documents(db, project_id, WHO)
    out["list_query"] = time.perf_counter() - start
    out["list_rows"] = len(rows)
    window.close()
    db.close()
    return out


def window_baseline(location: str, workdir: str) -> dict[str, Any]:
    """A bare QMainWindow's RSS first; then the driver's list, filter and open queries,
    and a QTextDocument laying out each sample text."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication([])
    out: dict[str, Any] = {"rss_start_mib": _memory_mib("VmRSS")}
    bare = QMainWindow()
    bare.resize(1280, 800)
    bare.show()
    for _ in range(5):
        app.processEvents()
    out["peak_rss_mib"] = _memory_mib("VmHWM")  # the bare window: Qt's own share
    out["rss_window_mib"] = _memory_mib("VmRSS")
    sample = _sample_ids(location)
    conn = raw_connect(location)
    q = lambda text, *args: conn.execute(sql(location, text), args).fetchall()  # noqa: E731
    project_id, ann_id = q("SELECT id FROM project")[0][0], q(
        "SELECT id FROM annotator WHERE name = ?", WHO)[0][0]
    like = "d.name LIKE ?" if not _is_pg(location) else "d.name ILIKE ?"

    def listed(where: str = "", *args: object) -> int:
        return len(q(LIST_SQL.format(where=where), ann_id, ann_id, project_id, *args))

    start = time.perf_counter()
    out["list_rows"] = listed()
    out["list_query"] = time.perf_counter() - start
    pattern = f"%{NAME_QUERY}%"
    filters = {"name": (f" AND {like}", pattern),
               "name+status": (f" AND {like} AND st.status = ?", pattern, "done"),
               "status": (" AND st.status = ?", "done"), "clear": ("",)}
    shown = [out["list_rows"]]
    for name, (where, *args) in filters.items():
        start = time.perf_counter()
        shown.append(listed(where, *args))
        out[f"filter_{name}"] = time.perf_counter() - start
    out["rows_shown"] = shown
    opens, layouts = [], []
    for doc_id in sample:
        t0 = time.perf_counter()
        ((text,),) = q("SELECT text FROM document WHERE id = ?", doc_id)
        q('SELECT s.id, s.start, s."end", l.name FROM span s JOIN label l ON l.id = s.label_id'
          ' WHERE s.document_id = ? AND s.annotator_id = ? ORDER BY s.start, s."end" DESC, s.id',
          doc_id, ann_id)
        opens.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        document = QTextDocument()
        document.setPlainText(text)
        document.setTextWidth(700)
        document.size()  # lays out the whole text
        layouts.append(time.perf_counter() - t0)
    out["open_document_each"], out["layout_each"] = opens, layouts
    out["open_document"], out["layout"] = statistics.median(opens), statistics.median(layouts)
    conn.close()
    bare.close()
    return out


# -- export ------------------------------------------------------------------------------


def export_ours(location: str, out: str) -> dict[str, Any]:
    from annotator.db.engine import open_database
    from annotator.export import export
    from annotator.projects import ensure_project

    db = open_database(location)
    project_id = ensure_project(db)
    start = time.perf_counter()
    report = export(db, project_id, out)
    seconds = time.perf_counter() - start
    db.close()
    return {"seconds": seconds, "lines": report.lines, "spans": report.spans,
            "documents": report.documents}


@contextmanager
def _stream(conn: Any, location: str, name: str, query: str) -> Iterator[Iterator[tuple]]:
    """Rows of a query, streamed: a server-side cursor on PostgreSQL."""
    if _is_pg(location):
        with conn.transaction(), conn.cursor(name=name) as cur:
            cur.itersize = 5000
            cur.execute(query)
            yield iter(cur)
    else:
        yield iter(conn.cursor().execute(query))


def export_baseline(location: str, out: str) -> dict[str, Any]:
    """Three SELECTs (documents, spans with names, statuses) streamed in document order,
    merged, one ``json.dumps`` a line: the lines our export writes, none of its work."""
    conn = raw_connect(location)
    pg = _is_pg(location)
    start = time.perf_counter()
    lines = spans_out = 0
    with _stream(conn, location, "docs", "SELECT id, name, text, sha256, meta FROM document "
                 "ORDER BY id") as docs, \
            _stream(conn, location, "spans", 'SELECT s.document_id, a.name, l.name, s.start, '
                    's."end" FROM span s JOIN annotator a ON a.id = s.annotator_id JOIN label l '
                    'ON l.id = s.label_id ORDER BY s.document_id, a.name, s.start, s."end", '
                    "s.id") as spans, \
            _stream(conn, location, "statuses", "SELECT ds.document_id, a.name, ds.status FROM "
                    "document_status ds JOIN annotator a ON a.id = ds.annotator_id ORDER BY "
                    "ds.document_id, a.name") as statuses, \
            open(out, "w", encoding="utf-8", newline="\n") as fh:
        span = next(spans, None)
        status = next(statuses, None)
        for doc_id, name, text, sha, meta in docs:
            by_ann: dict[str, list[dict[str, Any]]] = {}
            st: dict[str, str] = {}
            while status is not None and status[0] == doc_id:
                st[status[1]] = status[2]
                by_ann.setdefault(status[1], [])
                status = next(statuses, None)
            while span is not None and span[0] == doc_id:
                _, ann, label, s, e = span
                by_ann.setdefault(ann, []).append(
                    {"start": s, "end": e, "label": label, "text": text[s:e]})
                span = next(spans, None)
            for ann in sorted(by_ann):
                items = by_ann[ann]
                fh.write(json.dumps(
                    {"id": name, "text": text, "sha256": sha, "annotator": ann,
                     "status": st.get(ann, "new"), "spans": items, "relations": [],
                     "meta": meta if pg else json.loads(meta)}, ensure_ascii=False))
                fh.write("\n")
                lines += 1
                spans_out += len(items)
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "lines": lines, "spans": spans_out}


# -- agreement ---------------------------------------------------------------------------


def agreement_ours(location: str, out: str) -> dict[str, Any]:
    start = time.perf_counter()
    from annotator.agreement.data import load  # numpy's import is counted
    from annotator.agreement.report import compute
    from annotator.db.engine import open_database
    from annotator.projects import ensure_project

    db = open_database(location)
    data = load(db, ensure_project(db))
    loaded = time.perf_counter()
    report = compute(data)
    end = time.perf_counter()
    db.close()
    Path(out).write_text(json.dumps(report.as_dict(), ensure_ascii=False))
    return {"seconds": end - start, "read_and_tokens": loaded - start, "figures": end - loaded}


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
        from annotator.tokens import TokenIndex

        toks = TokenIndex(text).tokens
        self.items += len(toks)
        who, n = self.who, len(self.who)
        starts, ends = [s for s, _ in toks], [e for _, e in toks]
        codes = {}
        for a in who:
            best: list[tuple[int, int] | None] = [None] * len(toks)
            for start, end, label in spans[a]:
                key = (end - start, self.rank[label])
                for k in range(bisect_right(ends, start), bisect_left(starts, end)):
                    if best[k] is None or key < best[k]:
                        best[k] = key
            codes[a] = [0 if b is None else b[1] + 1 for b in best]
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
            by_label: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
            for side, a in enumerate(p):
                for start, end, label in spans[a]:
                    by_label[label][side].append((start, end))
            matched = {"exact": 0, "overlap": 0}
            for label, (ra, rb) in by_label.items():
                ca, cb = Counter(ra), Counter(rb)
                found = {"exact": sum(min(c, cb[r]) for r, c in ca.items()),
                         "overlap": _overlap_matches(ra, rb)}
                for rule in found:
                    cell = self.counts[(p, rule)][label]
                    cell[0] += found[rule]
                    cell[1] += len(ra)
                    cell[2] += len(rb)
                    matched[rule] += found[rule]
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

CHILDREN: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "import-ours": import_ours, "import-baseline": import_baseline,
    "window-ours": window_ours, "window-baseline": window_baseline,
    "export-ours": export_ours, "export-baseline": export_baseline,
    "agreement-ours": agreement_ours, "agreement-baseline": agreement_baseline,
}


def child(name: str, location: str, arg: str, out: str) -> None:
    result = CHILDREN[name](location, arg)
    result = {**_usage(), "loadavg": os.getloadavg()[0], **result}  # a child's own peak stays
    Path(out).write_text(json.dumps(result, ensure_ascii=False))


def run_child(name: str, location: str, arg: str, workdir: Path) -> dict[str, Any]:
    """One measurement in a fresh process, after ``os.sync()``."""
    os.sync()
    out = workdir / "child.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])}
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", name, location, arg, str(out)],
                   check=True, env=env)
    result = json.loads(out.read_text())
    result["wall_seconds"] = time.perf_counter() - started
    print(f"  {name}: " + json.dumps({k: v for k, v in result.items()
                                      if not isinstance(v, list)}), flush=True)
    return result


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def measure_backend(backend: str, corpus: Path, workdir: Path, server: str | None,
                    steps: list[str], repeat: int, export_repeat: int,
                    res: dict[str, Any], save: Callable[[], None], prefix: str = "scale") -> None:
    """Each step's figures into ``res``, saved after each step."""
    ours = new_location(backend, f"{prefix}_ours", workdir, server) if "import" in steps else (
        str(workdir / f"{prefix}_ours.sqlite3") if backend == "sqlite"
        else make_url(server).set(database=f"{prefix}_ours").render_as_string(False))
    if "import" in steps:
        base = new_location(backend, f"{prefix}_baseline", workdir, server)
        b = run_child("import-baseline", base, str(corpus), workdir)
        base_size, base_contents = database_size_mib(base), contents(base)
        drop_location(base, server)  # disk: one scale database at a time
        o = run_child("import-ours", ours, str(corpus), workdir)
        same = contents(ours) == base_contents
        if not same:
            print(f"  import: the databases differ!\n  {contents(ours)}\n  {base_contents}")
        res["import"] = {OURS: o, BASE: b, "same_contents": same, "contents": base_contents,
                         "size_mib": {OURS: database_size_mib(ours), BASE: base_size},
                         "ratio_time": _ratio(o["seconds"], b["seconds"])}
        save()
    if "list" in steps or "window" in steps:
        runs: dict[str, list[dict[str, Any]]] = {OURS: [], BASE: []}
        for i in range(repeat):
            for method in (OURS, BASE) if i % 2 == 0 else (BASE, OURS):
                runs[method].append(run_child(f"window-{method}", ours, str(workdir), workdir))
        shown = {m: [r["rows_shown"] for r in rs] for m, rs in runs.items()}
        med = {m: {k: statistics.median(r[k] for r in rs) for k, v in rs[0].items()
                   if isinstance(v, float)} for m, rs in runs.items()}
        res["window"] = {"runs": runs, "medians": med, "rows_shown": shown,
                         "same_rows": len({json.dumps(s) for ss in shown.values() for s in ss})
                         == 1}
        save()
    if "export" in steps:
        runs = {OURS: [], BASE: []}
        files = {m: workdir / f"export-{m}.jsonl" for m in runs}
        digests: dict[str, str] = {}
        for i in range(export_repeat):
            for method in (OURS, BASE) if i % 2 == 0 else (BASE, OURS):
                runs[method].append(run_child(f"export-{method}", ours, str(files[method]),
                                              workdir))
                with files[method].open("rb") as fh:
                    digests[method] = hashlib.file_digest(fh, "sha256").hexdigest()
                runs[method][-1]["mib"] = files[method].stat().st_size / 2**20
                files[method].unlink()
        best = {m: min(r["seconds"] for r in rs) for m, rs in runs.items()}
        res["export"] = {"runs": runs, "best": best, "same_bytes": len(set(digests.values())) == 1,
                         "ratio_time": _ratio(best[OURS], best[BASE])}
        save()
    if "agreement" in steps:
        files = {m: workdir / f"agreement-{m}.json" for m in (OURS, BASE)}
        o = run_child("agreement-ours", ours, str(files[OURS]), workdir)
        b = run_child("agreement-baseline", ours, str(files[BASE]), workdir)
        figures = {m: json.loads(f.read_text()) for m, f in files.items()}
        try:
            worst: float | str = compare(figures[OURS], figures[BASE])
        except AssertionError as exc:
            worst = f"differ: {exc}"
        res["agreement"] = {OURS: o, BASE: b, "max_abs_difference": worst,
                            "ratio_time": _ratio(o["seconds"], b["seconds"]),
                            "figures": {k: figures[OURS][k] for k in
                                        ("document_count", "token_count", "krippendorff_alpha")}
                            | {"cohen_kappa": figures[OURS]["pairs"][0]["cohen_kappa"],
                               "f1_exact": figures[OURS]["pairs"][0]["exact"]["micro"]["f1"],
                               "f1_overlap": figures[OURS]["pairs"][0]["overlap"]["micro"]["f1"]}}
    res["database_mib"] = database_size_mib(ours)
    save()


def environment(server: str | None) -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    env: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
        "cpu": cpu, "mem_total_mib": int(mem) // 1024, "platform": platform.platform(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__, "loadavg": os.getloadavg(),
        "code": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                               capture_output=True, text=True).stdout.strip(),
    }
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        env |= {"pyside6": PySide6.__version__, "qt": qVersion()}
    except ImportError:
        pass
    if server:
        with raw_connect(server) as conn:
            env["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            env["postgresql_settings"] = dict(conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', "
                "'synchronous_commit', 'shared_buffers', 'full_page_writes')").fetchall())
    return env


# -- the table for benchmarks/README.md ---------------------------------------------------


def _single_run(what: str, step: dict[str, Any]) -> list[tuple[str, float, float, str]]:
    """Wall time, CPU and peak RSS of a step run once each way."""
    return [(what + suffix, step[OURS][key], step[BASE][key], unit) for suffix, key, unit in
            (("", "seconds", "s"), (", CPU of the process", "cpu_seconds", "s"),
             (", peak RSS", "peak_rss_mib", "MiB"))]


def _cells(res: dict[str, Any]) -> list[tuple[str, float | None, float | None, str]]:
    """(what, ours, baseline, unit) rows of one backend's results."""
    rows: list[tuple[str, float | None, float | None, str]] = []
    if "import" in res:
        rows += _single_run("import", res["import"])
    if "window" in res:
        o, b = res["window"]["medians"][OURS], res["window"]["medians"][BASE]
        rows += [("window opened (list read, shown, first document) / raw list query",
                  o["open_window"], b["list_query"], "s"),
                 ("list query alone (`list_documents`) / raw list query", o["list_query"],
                  b["list_query"], "s")]
        for step, what in (("name", "name filter"), ("name+status", "+ status done"),
                           ("status", "name cleared, status only"), ("clear", "all cleared")):
            rows.append((f"filter: {what}, until painted / raw SQL", o[f"filter_{step}"],
                         b[f"filter_{step}"], "s"))
        rows += [("open a document, until painted (median of 20) / raw text + spans query",
                  o["open_document"], b["open_document"], "s"),
                 ("open a document / QTextDocument layout of its text", o["open_document"],
                  b["layout"], "s"),
                 ("window peak RSS (VmHWM) / bare QMainWindow", o["peak_rss_mib"],
                  b["peak_rss_mib"], "MiB")]
    if "export" in res:
        runs = res["export"]["runs"]
        cpu = {m: min(r["cpu_seconds"] for r in runs[m]) for m in (OURS, BASE)}
        rows += [("export, best", res["export"]["best"][OURS], res["export"]["best"][BASE], "s"),
                 ("export, CPU of the process (best)", cpu[OURS], cpu[BASE], "s"),
                 ("export, peak RSS", max(r["peak_rss_mib"] for r in runs[OURS]),
                  max(r["peak_rss_mib"] for r in runs[BASE]), "MiB")]
    if "agreement" in res:
        rows += _single_run("agreement", res["agreement"])
    return rows


def _num(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if unit == "MiB":
        return f"{x:,.0f}"
    if x < 0.001:
        return f"{x * 1000:.2f} ms"
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}" if x >= 0.1 else f"{x * 1000:.1f} ms"


def markdown(results: dict[str, Any]) -> str:
    backends = list(results["backends"])
    head = "| measure | unit | " + " | ".join(
        f"{b} ours | {b} baseline | ratio" for b in backends) + " |"
    lines = [head, "| --- | --- |" + " ---: | ---: | ---: |" * len(backends)]
    per = {b: {what: (o, bl, unit) for what, o, bl, unit in _cells(results["backends"][b])}
           for b in backends}
    order = [what for what, *_ in _cells(results["backends"][backends[0]])]
    for what in order:
        unit = per[backends[0]][what][2]
        cells = []
        for b in backends:
            o, bl, _u = per[b].get(what, (None, None, unit))
            ratio = f"{o / bl:.2f}" if o is not None and bl else "-"
            cells += [_num(o, unit), _num(bl, unit), ratio]
        shown_unit = "s" if unit == "s" else unit
        lines.append(f"| {what} | {shown_unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=2_000_000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scale"))
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--pg", help="a PostgreSQL URL to use instead of a throwaway cluster")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the window steps")
    parser.add_argument("--export-repeat", type=int, default=2, help="runs of each export")
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--prefix", default="scale", help="names of the databases made")
    parser.add_argument("--table", type=Path, help="print the markdown table of a results file")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.table:
        print(markdown(json.loads(args.table.read_text())))
        return
    if args.child:
        child(*args.child)
        return
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{args.articles}x{args.chars}-{args.spans}-seed{args.seed}"
    if not (corpus / "done").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        written = scale_corpus.write(corpus, args.articles, args.spans, args.chars, args.seed)
        (corpus / "done").write_text(json.dumps(written.__dict__))
        print(f"corpus: {written} (not counted)", flush=True)
    written = json.loads((corpus / "done").read_text())
    server, cluster = args.pg, None
    if "postgresql" in args.backends and server is None:
        cluster = work / "pg"
        server = pg_cluster.start(cluster)
    results: dict[str, Any] = {"environment": environment(server), "corpus": written,
                               "articles": args.articles, "spans": args.spans,
                               "chars": args.chars, "seed": args.seed, "backends": {}}
    out = args.json or HERE / "results" / f"scale-{args.articles}x{args.chars}.json"

    def save() -> None:
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")

    try:
        for backend in args.backends:
            print(f"{backend}:", flush=True)
            started = time.perf_counter()
            res = results["backends"][backend] = {}
            measure_backend(backend, corpus, work, server if backend == "postgresql" else None,
                            args.steps, args.repeat, args.export_repeat, res, save,
                            args.prefix)
            res["wall_seconds"] = time.perf_counter() - started
            save()
    finally:
        if cluster is not None:
            pg_cluster.stop(cluster)
    results["environment"]["loadavg_end"] = os.getloadavg()
    save()
    print(f"results -> {out}")


if __name__ == "__main__":
    main()
