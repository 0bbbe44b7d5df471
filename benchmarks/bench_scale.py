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
- agreement: ``annotator.review`` ``load`` + ``compute`` against a pure-Python
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
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads

import scale_corpus  # noqa: E402
import sqlalchemy  # noqa: E402
from bench_agreement import compare  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from scale_steps import (  # noqa: E402
    BASE,
    CHILDREN,
    OURS,
    STEPS,
    _usage,
    contents,
    database_size_mib,
    drop_location,
    new_location,
    raw_connect,
)

from tests import pg_cluster  # noqa: E402


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
