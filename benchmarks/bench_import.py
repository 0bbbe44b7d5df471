"""Import speed: a folder of generated .txt articles into a fresh SQLite database.

    python benchmarks/bench_import.py [--docs 20000] [--chars 5000] [--repeat 5]
                                      [--workdir DIR] [--json OUT]

The corpus (``corpus.py``: distinct NewsFANE articles, one .txt file each) is generated
first; that time is reported but not counted. Then the two methods below run ``--repeat``
times each, alternating which goes first, each run in a fresh process (so one run's
memory does not carry into the next and each has its own peak RSS) on a fresh database
file in the work folder, after an ``os.sync()`` so that no run pays for the previous
run's disk writes. The corpus stays in the page cache: both read warm files.

- ``sqlite3 baseline``: plain ``sqlite3``. List and sort the folder, read each file,
  decode it strictly as UTF-8 (BOM stripped), take its SHA-256 (the duplicate key every
  import needs) and ``executemany`` one INSERT per text in a single transaction, rows
  streamed from a generator. The table is our own ``document`` table, in a database made
  by ``open_database`` (not timed) with the project row in place, and the connection has
  the engine's pragmas (WAL, synchronous=NORMAL, foreign_keys=ON) and takes the write
  lock with ``BEGIN IMMEDIATE``. Same schema, indexes and durability, so the ratio
  measures our Python code, not the storage design. The run also clocks the time spent
  inside the generator (listing, reading, decoding, hashing); the rest is SQLite's
  "pure insert".
- ``annotator import_paths``: ``import_paths(db, [folder])`` on a database from
  ``open_database(path)``; opening and migrating the new file is timed apart, not counted.

Each run checks its result (every article stored once, nothing failed). Reported: best
and median seconds, documents per second of the best run, the ratio ours / baseline in
documents per second (higher is better; the target is at least 0.5), CPU seconds of the
run's process, and its peak RSS (``resource.getrusage``). A measurement, not a test: it
asserts nothing about time.
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
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import corpus
import sqlalchemy

from annotator.db.engine import open_database
from annotator.io.importer import import_paths
from annotator.store.projects import DEFAULT_PROJECT, ensure_project

BASELINE = "sqlite3 baseline"
OURS = "annotator import_paths"
INSERT_SQL = (
    "INSERT INTO document (project_id, name, text, length, sha256, source_path, meta,"
    " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)

Row = tuple[int, str, str, int, str, str, str, str]


def _rss_mib() -> float:
    """Resident set size now (Linux /proc), in MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Reader:
    """The baseline's rows, streamed; ``seconds`` is the time spent making them."""

    def __init__(self, folder: Path, project_id: int) -> None:
        self.folder = folder
        self.project_id = project_id
        self.seconds = 0.0

    def rows(self) -> Iterator[Row]:
        clock = time.perf_counter
        start = clock()
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        for path in sorted(self.folder.glob("*.txt")):
            text = path.read_bytes().decode("utf-8-sig")
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            row = (self.project_id, path.stem, text, len(text), sha, str(path), "{}", now)
            self.seconds += clock() - start
            yield row
            start = clock()
        self.seconds += clock() - start


def _baseline(db_path: Path, folder: Path) -> dict[str, float]:
    db = open_database(db_path)
    project_id = ensure_project(db, DEFAULT_PROJECT)
    db.close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    reader = _Reader(folder, project_id)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(INSERT_SQL, reader.rows())
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "read_seconds": reader.seconds}


def _ours(db_path: Path, folder: Path, expected: int) -> dict[str, float]:
    start = time.perf_counter()
    db = open_database(db_path)
    opened = time.perf_counter()
    report = import_paths(db, [folder])
    seconds = time.perf_counter() - opened
    db.close()
    if not report.ok or len(report.imported) != expected:
        raise RuntimeError(f"import_paths did not import everything: {report.summary()}")
    return {"seconds": seconds, "open_seconds": opened - start}


def measure(method: str, folder: Path, db_path: Path, expected: int) -> dict[str, object]:
    """One run of ``method`` (meant for a fresh process); its figures as a dict."""
    rss_start, cpu_start = _rss_mib(), _cpu_seconds()
    if method == OURS:
        figures = _ours(db_path, folder, expected)
    else:
        figures = _baseline(db_path, folder)
    cpu = _cpu_seconds() - cpu_start
    with closing(sqlite3.connect(db_path)) as conn:
        stored = conn.execute("SELECT count(DISTINCT sha256) FROM document").fetchone()[0]
    if stored != expected:
        raise RuntimeError(f"{method}: {stored} distinct documents stored, expected {expected}")
    return {
        "method": method,
        **figures,
        "cpu_seconds": cpu,  # the whole run, database set-up included
        "rss_start_mib": rss_start,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_fresh_process(fn: Callable[..., dict[str, object]], *args: object) -> dict[str, object]:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _best(runs: list[dict[str, object]], key: str) -> float:
    return min(float(r[key]) for r in runs)  # type: ignore[arg-type]


def _summary(runs: list[dict[str, object]], docs: int) -> dict[str, object]:
    seconds = [float(r["seconds"]) for r in runs]  # type: ignore[arg-type]
    return {
        "best_seconds": min(seconds),
        "median_seconds": statistics.median(seconds),
        "docs_per_second": docs / min(seconds),
        "median_docs_per_second": docs / statistics.median(seconds),
        "cpu_seconds": _best(runs, "cpu_seconds"),
        "peak_rss_mib": max(float(r["peak_rss_mib"]) for r in runs),  # type: ignore[arg-type]
        "runs": runs,
    }


def _environment() -> dict[str, object]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def _report(results: dict[str, dict[str, object]], args: argparse.Namespace) -> float:
    """Print the table; return the ratio ours / baseline."""
    base = float(results[BASELINE]["docs_per_second"])  # type: ignore[arg-type]
    print(f"\n{args.docs:,} docs of ~{args.chars:,} chars; best of {args.repeat} runs each")
    print(
        f"{'method':<24}{'best s':>8}{'median s':>10}{'docs/s':>9}{'ratio':>7}"
        f"{'cpu s':>8}{'peak RSS MiB':>14}"
    )
    for method, r in results.items():
        print(
            f"{method:<24}{r['best_seconds']:>8.2f}{r['median_seconds']:>10.2f}"
            f"{r['docs_per_second']:>9,.0f}{float(r['docs_per_second']) / base:>7.2f}"  # type: ignore[arg-type]
            f"{r['cpu_seconds']:>8.2f}{r['peak_rss_mib']:>14.0f}"
        )
    ratio = float(results[OURS]["docs_per_second"]) / base  # type: ignore[arg-type]
    fastest = min(results[BASELINE]["runs"], key=lambda r: r["seconds"])  # type: ignore
    read, total = fastest["read_seconds"], fastest["seconds"]
    print(f"\nratio = docs/s / baseline docs/s. ours / baseline = {ratio:.2f} (target >= 0.5)")
    print(
        f"baseline's best run: listing+reading+decoding+hashing {read:.2f} s, the rest"
        f" (SQLite insert and commit) {total - read:.2f} s"
    )
    opening = _best(results[OURS]["runs"], "open_seconds")  # type: ignore[arg-type]
    print(f"opening a new database (not counted): {opening:.2f} s")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each method")
    parser.add_argument("--workdir", type=Path, help="kept afterwards (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder = workdir / f"corpus-{args.docs}x{args.chars}-seed{args.seed}"
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    articles = corpus.iter_articles(args.docs, args.chars, seed=args.seed)
    size = corpus.write_txt_folder(folder, articles)
    generated = time.perf_counter() - start
    print(
        f"corpus: {args.docs:,} articles, {size / 2**20:,.0f} MiB of UTF-8 in {folder}, "
        f"generated in {generated:.1f} s (not counted)"
    )

    runs: dict[str, list[dict[str, object]]] = {BASELINE: [], OURS: []}
    db_path = workdir / "bench.sqlite3"
    try:
        for round_no in range(args.repeat):
            order = [BASELINE, OURS] if round_no % 2 == 0 else [OURS, BASELINE]
            for method in order:
                _remove_database(db_path)
                os.sync()
                run = _in_fresh_process(measure, method, folder, db_path, args.docs)
                runs[method].append(run)
                print(f"  round {round_no + 1}: {method:<24}{run['seconds']:6.2f} s", flush=True)
    finally:
        _remove_database(db_path)
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    results = {m: _summary(r, args.docs) for m, r in runs.items()}
    ratio = _report(results, args)
    env = _environment()
    print(
        f"Python {env['python']}, SQLite {env['sqlite']}, SQLAlchemy {env['sqlalchemy']}, "
        f"{env['cpus']} CPUs, {env['date']}"
    )
    if args.json:
        record = {
            "environment": env,
            "corpus": {
                "docs": args.docs,
                "chars": args.chars,
                "seed": args.seed,
                "bytes": size,
                "generate_seconds": generated,
            },
            "ratio_ours_to_baseline": ratio,
            "results": results,
        }
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
