"""The measurements of bench_scale.py: ours and the baseline for each step, each run in a
fresh process (``bench_scale.py --child NAME``, through ``CHILDREN``), and the helpers
they share (raw driver connections, new databases, memory readings)."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads

import scale_corpus  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


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
    from annotator.io.importer import import_paths

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
    from annotator.store.projects import ensure_annotator, ensure_project

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
    from annotator.store.documents import list_documents
    from annotator.store.projects import ensure_project
    from ui.common.fonts import load_bundled_fonts
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
    from annotator.io.export import export
    from annotator.store.projects import ensure_project

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
    from annotator.db.engine import open_database
    from annotator.review.data import load  # numpy's import is counted
    from annotator.review.report import compute
    from annotator.store.projects import ensure_project

    db = open_database(location)
    data = load(db, ensure_project(db))
    loaded = time.perf_counter()
    report = compute(data)
    end = time.perf_counter()
    db.close()
    Path(out).write_text(json.dumps(report.as_dict(), ensure_ascii=False))
    return {"seconds": end - start, "read_and_tokens": loaded - start, "figures": end - loaded}


def agreement_baseline(location: str, out: str) -> dict[str, Any]:
    from scale_agreement_baseline import agreement_baseline as run  # it imports this module

    return run(location, out)


CHILDREN: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "import-ours": import_ours, "import-baseline": import_baseline,
    "window-ours": window_ours, "window-baseline": window_baseline,
    "export-ours": export_ours, "export-baseline": export_baseline,
    "agreement-ours": agreement_ours, "agreement-baseline": agreement_baseline,
}


