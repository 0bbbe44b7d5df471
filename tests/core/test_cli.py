"""The command line, run as a real process on a real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_DIR, Backend

SEED = next(SEED_DIR.glob("*.txt"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def dbfile(backend: Backend) -> str:
    """Where ``--db`` points: a SQLite file, or a PostgreSQL URL."""
    return backend.new_url("cli")


def test_import_reports_and_exit_status(dbfile: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfd")
    ok = run("--db", dbfile, "import", str(SEED_DIR))
    assert ok.returncode == 0, ok.stderr
    assert "1 imported, 0 duplicates, 0 skipped, 0 failed" in ok.stdout
    dup = run("--db", dbfile, "import", str(SEED))
    assert dup.returncode == 0 and "duplicate:" in dup.stderr and "1 duplicates" in dup.stdout
    failed = run("--db", dbfile, "import", str(bad), str(SEED))
    assert failed.returncode == 1
    assert f"FAILED: {bad}, line 1: not valid utf-8" in failed.stderr


def test_database_from_environment_variable(backend: Backend) -> None:
    location = backend.new_url("env")
    out = run("import", str(SEED_DIR), env={"ANNOTATOR_DB": location})
    assert out.returncode == 0 and location in out.stdout, out.stderr
    stats = json.loads(run("stats", "--json", env={"ANNOTATOR_DB": location}).stdout)
    assert stats["documents"] == 1


def test_stats_and_json(dbfile: str, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    start = text.index("جون كيري")
    line = {"id": "k", "text": text, "annotator": "salma",
            "spans": [{"start": start, "end": start + 8, "label": "PERSON"}]}
    (tmp_path / "k.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n")
    assert run("--db", dbfile, "import", str(tmp_path / "k.jsonl")).returncode == 0
    table = run("--db", dbfile, "stats")
    assert "documents: 1" in table.stdout and "salma" in table.stdout and "PERSON" in table.stdout
    data = json.loads(run("--db", dbfile, "stats", "--json").stdout)
    assert data["documents"] == 1 and data["spans"] == {"salma": {"PERSON": 1}}
    assert data["status"] == {}


def test_show_logical_keeps_text_and_visual_reshapes(dbfile: str) -> None:
    run("--db", dbfile, "import", str(SEED_DIR))
    logical = run("--db", dbfile, "show", SEED.stem, "--logical", "--width", "2000")
    assert logical.returncode == 0
    body = logical.stdout.split("\n", 1)[1]
    assert body.rstrip("\n") == SEED.read_text(encoding="utf-8").rstrip("\n")
    visual = run("--db", dbfile, "show", "1", "--visual", "--width", "60")
    shown = visual.stdout.splitlines()[1:]
    assert any("\ufe70" <= ch <= "\ufeff" for ch in visual.stdout)  # presentation forms
    assert all(len(x) <= 60 for x in shown)
    # a title read right to left: its first word is printed last on the line
    title = next(x for x in shown if x.strip())
    assert title.rstrip().endswith("ﻯﻮﺘﺤﻤﻟﺍ")  # المحتوى, shaped


def test_show_marks_spans(dbfile: str, tmp_path: Path) -> None:
    text = "قال جون كيري اليوم"
    line = {"id": "s", "text": text, "annotator": "salma",
            "spans": [{"start": 4, "end": 12, "label": "PERSON"}]}
    (tmp_path / "s.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n")
    run("--db", dbfile, "import", str(tmp_path / "s.jsonl"))
    out = run("--db", dbfile, "show", "s", "--logical").stdout.splitlines()
    assert out[1] == "قال [جون كيري]1 اليوم"
    assert "PERSON" in out[3] and "4-12" in out[3] and "جون كيري" in out[3]


def test_unknown_document_and_bad_database(dbfile: str, tmp_path: Path) -> None:
    assert run("--db", dbfile, "show", "nope").returncode == 1
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database " * 200)
    out = run("--db", str(junk), "stats")
    assert out.returncode == 2 and "cannot open database" in out.stderr
    assert "Traceback" not in out.stderr


def test_export_writes_native_jsonl(dbfile: str, tmp_path: Path) -> None:
    run("--db", dbfile, "import", str(SEED_DIR))
    out = tmp_path / "out.jsonl"
    res = run("--db", dbfile, "export", "--format", "jsonl", "-o", str(out))
    assert res.returncode == 0 and "1 documents" in res.stdout
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert line["text"] == SEED.read_text(encoding="utf-8")
    assert set(line) == {"id", "text", "sha256", "annotator", "status", "spans", "relations",
                         "meta"}
