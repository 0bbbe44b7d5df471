"""Crash safety: real processes killed with SIGKILL at random moments.

SQLite only: what is tested is the file itself after each kill (``PRAGMA integrity_check``,
``foreign_key_check``, the -wal); on PostgreSQL the killed process is only a client, and
the server rolls back its open transaction.

An annotating process (tests/crash_worker.py, through annotator.store.spans like the window)
and ``python -m annotator import`` are killed mid-work, again and again, on one file.
After every kill: each change the process reported committed is there, the file passes
``PRAGMA integrity_check``, and no span, relation or document is half-written.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from annotator.db.engine import open_database
from annotator.io.importer import import_paths
from annotator.text.canonical import canonical
from tests.core import dbcheck

WORKER = Path(__file__).resolve().parent.parent / "crash_worker.py"
ROOT = WORKER.parent.parent
KILLS = int(os.environ.get("ANNOTATOR_CRASH_KILLS", "60"))
IMPORT_KILLS = 10
ANNOTATOR = "crash"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def spawn(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, *args], stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def run_together(procs: list[subprocess.Popen[str]], timeout: float) -> list[str]:
    """Processes that print ``ready`` and then wait for a line on stdin: once all are
    ready, let them go at one moment; each must exit 0. Returns their outputs (stdout
    then stderr, for the caller's checks)."""
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [proc.communicate(timeout=timeout) for proc in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    return [out + err for out, err in results]


@dataclass
class Model:
    """What the worker reported committed: spans id -> (doc, label, start, end) and
    relations id -> (from, to)."""

    spans: dict[int, tuple[int, str, int, int]] = field(default_factory=dict)
    relations: dict[int, tuple[int, int]] = field(default_factory=dict)

    def apply(self, words: list[str]) -> None:
        op, *a = words
        if op == "add":
            self.spans[int(a[0])] = (int(a[1]), a[2], int(a[3]), int(a[4]))
        elif op == "relabel":
            doc, _, start, end = self.spans[int(a[0])]
            self.spans[int(a[0])] = (doc, a[1], start, end)
        elif op == "delete":
            sid = int(a[0])
            del self.spans[sid]
            self.relations = {r: ft for r, ft in self.relations.items() if sid not in ft}
        elif op == "relation":
            self.relations[int(a[0])] = (int(a[1]), int(a[2]))

    def copy(self) -> Model:
        return Model(dict(self.spans), dict(self.relations))


def stored(path: Path) -> Model:
    with closing(sqlite3.connect(path)) as conn:
        spans = {
            sid: (doc, label, start, end)
            for sid, doc, label, start, end in conn.execute(
                "SELECT span.id, document_id, label.name, start, end FROM span "
                "JOIN label ON label.id = span.label_id "
                "JOIN annotator ON annotator.id = span.annotator_id WHERE annotator.name = ?",
                (ANNOTATOR,),
            )
        }
        relations = {r: (a, b) for r, a, b in conn.execute(
            "SELECT id, from_span_id, to_span_id FROM relation")}
    return Model(spans, relations)


def check_file(path: Path) -> None:
    """The whole file is sound: integrity, keys, and every span inside its text."""
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    check_rows(path)


def check_rows(location: Path | str) -> None:
    """Every span inside its text, every relation between existing spans (any backend)."""
    bad = dbcheck.rows(
        location,
        'SELECT span.id FROM span LEFT JOIN document ON document.id = span.document_id '
        'WHERE document.id IS NULL OR NOT (0 <= start AND start < "end" '
        'AND "end" <= document.length AND span.document_length = document.length)',
    )
    assert bad == []
    dangling = dbcheck.rows(
        location,
        "SELECT relation.id FROM relation LEFT JOIN span a ON a.id = from_span_id "
        "LEFT JOIN span b ON b.id = to_span_id WHERE a.id IS NULL OR b.id IS NULL",
    )
    assert dangling == []


def settle(model: Model, pending: list[str] | None, db: Model) -> tuple[Model, int]:
    """Check the database against the reported changes; the one change in flight at the
    kill may or may not be there. Returns the model to go on with and rows lost."""
    candidates = [model]
    if pending is not None:
        op, *a = pending
        other = model.copy()
        if op == "add":
            new = set(db.spans) - set(model.spans)
            if len(new) == 1:
                (sid,) = new
                other.apply(["add", str(sid), *a])
        elif op == "relation":
            new = set(db.relations) - set(model.relations)
            if len(new) == 1:
                (rid,) = new
                other.apply(["relation", str(rid), *a])
        else:
            other.apply(pending)
        candidates.append(other)
    for m in candidates:
        if m.spans == db.spans and m.relations == db.relations:
            return m, 0
    missing = sorted(set(model.spans.items()) - set(db.spans.items()))
    missing += sorted(set(model.relations.items()) - set(db.relations.items()))
    extra = sorted(set(db.spans.items()) - set(model.spans.items()))
    extra += sorted(set(db.relations.items()) - set(model.relations.items()))
    raise AssertionError(f"database differs from the reported changes ({len(missing)} rows "
                         f"lost: {missing[:5]}; not reported: {extra[:5]}); in flight: {pending}")


def make_corpus(folder: Path, count: int, seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    words = ["قال", "الرئيس", "إن", "الحكومة", "ستعقد", "اجتماعا", "في", "القاهرة", "يوم",
             "الأحد", "لبحث", "الأوضاع", "الاقتصادية", "والسياسية", "مع", "الوفد"]
    folder.mkdir()
    texts = {}
    for i in range(count):
        body = "\r\n".join(
            " ".join(rng.choice(words) for _ in range(rng.randint(5, 25)))
            for _ in range(rng.randint(3, 40))
        )
        name = f"{i:05d}"
        (folder / f"{name}.txt").write_text(f"\ufeffخبر {i}\r\n{body}\r\n", encoding="utf-8")
        texts[name] = canonical((folder / f"{name}.txt").read_bytes()
                                .decode("utf-8-sig")).text
    return texts


def three_document_db(location: Path | str, docs: Path) -> None:
    """Fill the database at ``location`` with three short documents (written to the new
    folder ``docs``) to annotate."""
    docs.mkdir()
    for i in range(3):
        (docs / f"{i}.txt").write_text(f"خبر {i}: " + "قال الرئيس " * 30, encoding="utf-8")
    db = open_database(location)
    import_paths(db, [docs])
    db.close()


def test_annotating_process_killed_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    three_document_db(path, tmp_path / "docs")
    rng = random.Random(20261125)
    model = Model()
    confirmed = in_flight = before_ready = 0
    for round_ in range(KILLS):
        proc = spawn(str(WORKER), str(path), ANNOTATOR, str(round_))
        assert proc.stdout is not None and proc.stderr is not None
        head = ""
        if rng.random() < 0.1:  # now and then, while it is still starting up
            time.sleep(rng.uniform(0, 0.3))
            before_ready += 1
        else:
            head = proc.stdout.readline()
            assert head == "ready\n", proc.stderr.read()
            time.sleep(rng.uniform(0.01, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Read through the file objects: readline() may have buffered lines after "ready"
        # (a loaded machine reads late), which communicate(), reading the pipe itself,
        # would never return.
        out, err = head + proc.stdout.read(), proc.stderr.read()
        assert proc.returncode == -signal.SIGKILL, err
        lines = [ln.split() for ln in out.splitlines(keepends=True) if ln.endswith("\n")]
        pending = None
        for words in lines:
            if words[0] == "try":
                pending = words[1:]
            elif words[0] == "ok":
                model.apply(words[1:])
                confirmed += 1
                pending = None
            elif words[0] != "ready":
                raise AssertionError(f"unexpected output {words}")
        in_flight += pending is not None
        check_file(path)
        model, lost = settle(model, pending, stored(path))
        assert lost == 0
    print(f"\ncrash: {KILLS} kills ({before_ready} at a random time from launch), "
          f"{confirmed} changes "
          f"reported committed, all present; {in_flight} kills with a change in flight; "
          f"{len(model.spans)} spans, {len(model.relations)} relations at the end")
    assert confirmed > KILLS * 5


def test_import_killed_mid_way_stores_whole_documents_or_none(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    texts = make_corpus(folder, 6000)
    names = sorted(texts)
    # How long a whole import takes here, so that kills fall inside it.
    started = time.monotonic()
    proc = spawn("-m", "annotator", "--db", str(tmp_path / "timing.sqlite3"), "import",
                 str(folder))
    assert proc.wait(timeout=100) == 0
    whole = time.monotonic() - started
    rng = random.Random(11)
    stored_counts = []
    killed = 0
    for round_ in range(IMPORT_KILLS):  # a new file each time: kills all along the import
        path = tmp_path / f"import-{round_}.sqlite3"
        open_database(path).close()
        proc = spawn("-m", "annotator", "--db", str(path), "import", str(folder))
        time.sleep(rng.uniform(0.2, 1.0) * whole)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        killed += proc.returncode == -signal.SIGKILL
        check_file(path)
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("SELECT name, text, sha256, length FROM document").fetchall()
        for name, text, sha, length in rows:
            assert text == texts[name] and length == len(text)
            assert sha == canonical(text).sha256
        got = sorted(name for name, *_ in rows)
        # Batches of 500 in file order, each one transaction: a prefix of whole batches.
        assert got == names[: len(got)] and (len(got) % 500 == 0 or len(got) == len(names)), err
        stored_counts.append(len(got))
    proc = spawn("-m", "annotator", "--db", str(path), "import", str(folder))  # resumes
    _, err = proc.communicate(timeout=100)
    assert proc.returncode == 0, err
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM document").fetchone()[0] == len(names)
    check_file(path)
    print(f"\nimport of {len(names)} files ({whole:.1f} s whole): {killed} of "
          f"{IMPORT_KILLS} runs killed mid-way; documents stored after each: {stored_counts}")
    assert killed >= IMPORT_KILLS // 2
