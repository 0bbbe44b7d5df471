"""The real window under SIGKILL and beside other writers (issue 6), SQLite only.

These tests are about a SQLite file: what a kill leaves in it and how processes share
its lock. tests/window_worker.py starts the window as ``annotator-gui`` does, offscreen,
and tags with real mouse and key events, printing each change the window reports saved.

- Killed at random moments: every change reported saved is in the file, the one change
  in flight is there whole or not at all, ``PRAGMA integrity_check`` says ok, every span
  lies inside its text with the text the window showed, and the file opens in a window.
- Two windows on one file, and a window beside a CLI import: no "database is locked" and
  no "Not saved" reach the user, and the file holds exactly what both reported.

Run with ``-s`` to see the counts.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from annotator.db.backups import list_backups
from annotator.db.engine import open_database
from annotator.io.sample import fill_with_sample
from tests.core.test_crash import check_file, make_corpus, spawn
from ui.main_window import MainWindow

WORKER = Path(__file__).resolve().parents[1] / "window_worker.py"
KILLS = 8
SPANS_EACH = 150  # two windows at once
IMPORT_FILES = 1500

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

Spans = dict[int, tuple[int, str, int, int]]  # id -> (document, label, start, end)


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the bundled sample corpus, copied by each test."""
    path = tmp_path_factory.mktemp("sample") / "sample.sqlite3"
    db = open_database(path)
    fill_with_sample(db)
    db.close()
    return path


def copy_of(sample: Path, folder: Path) -> Path:
    path = folder / "shared.sqlite3"
    shutil.copyfile(sample, path)
    return path


@dataclass
class Run:
    """What one window process printed: its saved changes applied to ``spans``."""

    spans: Spans = field(default_factory=dict)
    pending: dict[str, Any] | None = None  # the change asked for but not reported saved
    saved: int = 0
    texts: list[tuple[int, int, int, str]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)

    def read(self, out: str) -> None:
        self.pending = None
        for line in out.splitlines(keepends=True):
            if not line.endswith("\n"):  # cut by the kill
                continue
            entry = json.loads(line)
            if "try" in entry:
                self.pending = entry
            elif "saved" in entry:
                self.pending = None
                self.saved += 1
                if entry["saved"] == "delete":
                    del self.spans[entry["id"]]
                else:
                    values = (entry["doc"], entry["label"], entry["start"], entry["end"])
                    self.spans[entry["id"]] = values
                    self.texts.append((entry["doc"], entry["start"], entry["end"],
                                       entry["text"]))
            elif "unsaved" in entry or "dialog" in entry or (
                "message" in entry and ("Not saved" in entry["message"]
                                        or "locked" in entry["message"])
            ):
                self.complaints.append(entry)

    def settle(self, stored: Spans) -> bool:
        """Check the file against what was reported; the change in flight at a kill may
        be there (whole) or not. Adopts it; True when it was there."""
        if stored == self.spans:
            return False
        p = self.pending or {}
        others = {k: v for k, v in stored.items() if self.spans.get(k) != v}
        gone = self.spans.keys() - stored.keys()
        if p.get("try") == "add" and not gone and len(others) == 1:
            ((sid, value),) = others.items()
            ok = sid not in self.spans and value == (p["doc"], p["label"], p["start"], p["end"])
        elif p.get("try") == "change" and not gone and len(others) == 1:
            ((sid, value),) = others.items()
            ok = sid == p["id"] and value[0] == self.spans[sid][0]
        elif p.get("try") == "delete":
            ok = not others and gone == {p["id"]}
        else:
            ok = False
        lost = len(set(self.spans.items()) - set(stored.items()))
        assert ok, f"the file differs from what the window reported ({lost} rows); {p}"
        self.spans = dict(stored)
        return True


def stored_spans(path: Path) -> dict[str, Spans]:
    """Every span in the file, by annotator, in id order."""
    found: dict[str, Spans] = {}
    with closing(sqlite3.connect(path)) as conn:
        for who, *values in conn.execute(
            "SELECT annotator.name, span.id, document_id, label.name, start, end FROM span "
            "JOIN label ON label.id = span.label_id "
            "JOIN annotator ON annotator.id = span.annotator_id ORDER BY span.id"
        ):
            found.setdefault(who, {})[values[0]] = tuple(values[1:])  # type: ignore[assignment]
    return found


def check_texts(path: Path, run: Run) -> int:
    """Every span the window reported saved covers, in the file, the text it showed."""
    with closing(sqlite3.connect(path)) as conn:
        texts = dict(conn.execute("SELECT id, text FROM document"))
    for doc, start, end, shown in run.texts:
        assert texts[doc][start:end] == shown
    return len(run.texts)


def window_worker(path: Path, annotator: str, seed: int, *until: object) -> subprocess.Popen[str]:
    """The window tagging until killed; with ``until`` (a count of spans, and a file) it
    quits after that many spans (once the file exists)."""
    return spawn(str(WORKER), str(path), annotator, str(seed), *map(str, until))


def finish(proc: subprocess.Popen[str], timeout: float = 120, head: str = "") -> tuple[str, str]:
    """The process's whole output once it ends. ``head``: what the test already read with
    readline(), which may have buffered more lines; those are read through the file
    objects then, since communicate() reads the pipe itself and would skip them."""
    if not head:
        out, err = proc.communicate(timeout=timeout)
    else:
        assert proc.stdout is not None and proc.stderr is not None
        with ThreadPoolExecutor(1) as reader:
            errors = reader.submit(proc.stderr.read)
            out = head + proc.stdout.read()
            err = errors.result(timeout=timeout)
        proc.wait(timeout=timeout)
    assert "Traceback" not in err and "locked" not in err, err
    return out, err


def test_window_killed_at_random_moments_loses_nothing(
    sample_file: Path, tmp_path: Path, open_window: Callable[..., MainWindow]
) -> None:
    path = copy_of(sample_file, tmp_path)
    rng = random.Random(20261125)
    run = Run()
    verified = in_flight = found = early = starting = 0
    for round_ in range(KILLS):
        proc = window_worker(path, "crash", round_)
        assert proc.stdout is not None
        ready = ""
        if round_ % 3 == 2:  # at a random time from launch: maybe while it starts
            time.sleep(rng.uniform(0.3, 2.0))  # the window is ready after about 1 s
            early += 1
        else:
            ready = proc.stdout.readline()
            assert ready == '{"ready": true}\n', proc.communicate()[1]
            time.sleep(rng.uniform(0.1, 1.5))
        proc.send_signal(signal.SIGKILL)
        out, _ = finish(proc, head=ready)
        assert proc.returncode == -signal.SIGKILL
        starting += '"ready"' not in out and round_ % 3 == 2
        run.read(out)
        assert run.complaints == []
        check_file(path)
        in_flight += run.pending is not None
        found += run.settle(stored_spans(path).get("crash", {}))
        verified += check_texts(path, run)
        run.texts.clear()

    backups = list_backups(path)
    for backup in backups:  # the daily one, taken on open, maybe killed: never half-written
        with closing(sqlite3.connect(backup.path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db = open_database(path)  # and it opens in a window, showing the spans reported
    window = open_window(db, annotator="crash")
    doc = window.tagging.document_id
    shown = {s.id: (doc, s.label, s.start, s.end) for s in window.tagging.spans}
    assert shown == {k: v for k, v in run.spans.items() if v[0] == doc}
    window.close()
    db.close()
    print(f"\nwindow crash: {KILLS} kills ({early} at a random time from launch, "
          f"{starting} of them before the window was ready), "
          f"{run.saved} changes reported saved, all present, {verified} span texts checked; "
          f"a change in flight at {in_flight} kills, found saved (whole) {found} times; "
          f"{len(run.spans)} spans at the end; {len(backups)} backups, integrity ok")
    assert run.saved > KILLS


def test_two_windows_on_one_file_lose_nothing(sample_file: Path, tmp_path: Path) -> None:
    path = copy_of(sample_file, tmp_path)
    procs = [window_worker(path, f"window{i}", i, SPANS_EACH) for i in range(2)]
    with ThreadPoolExecutor(len(procs)) as readers:  # both outputs read as they come
        outputs = list(readers.map(finish, procs))
    runs = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        runs.append(Run())
        runs[-1].read(out)
        assert runs[-1].complaints == []
        assert f'{{"done": {SPANS_EACH}}}' in out
    check_file(path)
    stored = stored_spans(path)
    assert stored == {f"window{i}": run.spans for i, run in enumerate(runs)}  # the union
    for run in runs:
        check_texts(path, run)
    owners = [who for _, who in sorted((sid, who) for who in stored for sid in stored[who])]
    turns = sum(a != b for a, b in zip(owners, owners[1:], strict=False))
    assert turns > 2, "the windows did not write at the same time"
    both = set.intersection(*({doc for doc, *_ in run.spans.values()} for run in runs))
    assert both, "the windows tagged no document in common"
    print(f"\ntwo windows: {[run.saved for run in runs]} changes reported saved, "
          f"{len(owners)} spans stored = the union of both, writers took turns {turns} "
          f"times, {len(both)} documents tagged by both; no lock error, nothing 'Not saved'")


def test_a_window_while_the_cli_imports(sample_file: Path, tmp_path: Path) -> None:
    path = copy_of(sample_file, tmp_path)
    with closing(sqlite3.connect(path)) as conn:
        (before,) = conn.execute("SELECT MAX(id) FROM document").fetchone()
    texts = make_corpus(tmp_path / "corpus", IMPORT_FILES)
    # The window starts tagging first and goes on until the import is over.
    imported = tmp_path / "imported"
    window = window_worker(path, "mona", 7, SPANS_EACH // 3, imported)
    assert window.stdout is not None
    ready = window.stdout.readline()
    assert ready == '{"ready": true}\n'
    importer = spawn("-m", "annotator", "--db", str(path), "import", str(tmp_path / "corpus"))
    with ThreadPoolExecutor(1) as reader:  # read the window's output as it comes
        window_output = reader.submit(finish, window, 120, ready)
        i_out, i_err = finish(importer)
        imported.touch()
        w_out, w_err = window_output.result(timeout=120)
    assert window.returncode == 0, w_err
    assert importer.returncode == 0, i_err
    assert f"{len(texts)} imported" in i_out
    run = Run()
    run.read(w_out)
    assert run.complaints == []
    check_file(path)
    assert stored_spans(path) == {"mona": run.spans}
    check_texts(path, run)
    with closing(sqlite3.connect(path)) as conn:
        first_span, last_span = conn.execute(
            "SELECT MIN(created_at), MAX(created_at) FROM span").fetchone()
        count, first_doc, last_doc = conn.execute(
            "SELECT COUNT(*), MIN(imported_at), MAX(imported_at) FROM document "
            "WHERE id > ?", (before,)).fetchone()
    assert count == len(texts)
    assert first_span < last_doc and first_doc < last_span, "they did not overlap"
    print(f"\nwindow + import: {run.saved} changes saved by the window while "
          f"{len(texts)} files were imported; no lock error, nothing lost")
