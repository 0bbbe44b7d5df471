"""Export filters, the train/dev/test split, BIO choices and the CLI's format options."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.db.engine import Database, open_database
from annotator.io.export import ExportFilter, export, parse_split
from annotator.io.formats import WriteOptions
from annotator.io.importer import import_paths
from annotator.store.schema import DEFAULT_SCHEMA
from tests.conftest import NEWSFANE, Backend
from tests.core.formats_corpus import TEXT, build, lines

LABELS = tuple(DEFAULT_SCHEMA.label_names)


def rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_filters_by_annotator_label_and_done(db: Database, tmp_path: Path) -> None:
    build(db, tmp_path)
    out = tmp_path / "x.jsonl"
    export(db, 1, out, where=ExportFilter(annotators=("omar",)))
    assert [(r["id"], r["annotator"]) for r in rows(out)] == [("d1", "omar")]
    export(db, 1, out, where=ExportFilter(labels=("QUOTE", "PERSON")))
    salma = next(r for r in rows(out) if r["annotator"] == "salma")
    assert {s["label"] for s in salma["spans"]} == {"QUOTE", "PERSON"}
    assert [r["type"] for r in salma["relations"]] == ["SPEAKER"]  # SOURCE's CLAIM is out
    export(db, 1, out, where=ExportFilter(done_only=True))
    assert [(r["id"], r["annotator"], r["status"]) for r in rows(out)] == [
        ("d1", "salma", "done")]


@pytest.mark.parametrize("text", ["x", "80/20/0/0", "a/b", "0/0"])
def test_a_bad_split_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_split(text)


def test_split_is_by_document_and_reproducible_across_databases(
    backend: Backend, tmp_path: Path
) -> None:
    a = open_database(backend.new_url("a"))
    b = open_database(backend.new_url("b"))
    import_paths(a, [NEWSFANE], format="newsfane", annotator="gold", doc_sentences=10)
    import_paths(a, [NEWSFANE], format="newsfane", annotator="omar", doc_sentences=10)
    # b holds the same documents imported in another order (the corpus backwards)
    src = tmp_path / "a.jsonl"
    export(a, 1, src)
    (tmp_path / "rev.jsonl").write_text(
        "".join(reversed(src.read_text(encoding="utf-8").splitlines(keepends=True))),
        encoding="utf-8")
    assert import_paths(b, [tmp_path / "rev.jsonl"]).ok
    parts = {}
    for name, db in (("a", a), ("b", b)):
        report = export(db, 1, tmp_path / f"{name}.jsonl", split=(80, 10, 10), seed=7)
        assert report.parts == {"train": 381, "dev": 47, "test": 48}
        assert [f.name for f in report.files] == [f"{name}.{p}.jsonl" for p in
                                                  ("train", "dev", "test")]
        parts[name] = {p: sorted((r["id"], r["annotator"]) for r in rows(f))
                       for p, f in zip(("train", "dev", "test"), report.files, strict=True)}
    assert parts["a"] == parts["b"]
    ids = {p: {i for i, _ in v} for p, v in parts["a"].items()}
    assert not (ids["train"] & ids["dev"] or ids["train"] & ids["test"] or ids["dev"] & ids["test"])
    assert all(len(v) == 2 * len(ids[p]) for p, v in parts["a"].items())  # gold and omar
    other = export(a, 1, tmp_path / "c.jsonl", split=(80, 10, 10), seed=8)
    assert {r["id"] for r in rows(other.files[2])} != ids["test"]
    a.close()
    b.close()


def test_conll_overlap_and_misaligned_choices_are_reported(
    db: Database, tmp_path: Path
) -> None:
    build(db, tmp_path)
    salma = ExportFilter(annotators=("salma",))
    opts = WriteOptions(labels=LABELS, overlap="shortest", misaligned="skip")
    out = export(db, 1, tmp_path / "s.conll", format="conll", where=salma, options=opts)
    conll = out.files[0].read_text(encoding="utf-8")
    assert "الانتخابات\tB-EVENT\n" in conll and "«\tO\n" in conll  # the shorter wins
    assert any("QUOTE" in w and "overlaps" in w for w in opts.warnings)
    assert any("'مـــصر'" in w and "left out: an edge falls inside a token" in w
               for w in opts.warnings)
    assert "ومـــصر\tO\n" in conll  # skipped, not moved
    split = WriteOptions(labels=LABELS, overlap="label-order", priority=("GPE", "DATE"))
    out = export(db, 1, tmp_path / "p.conll", format="conll", where=salma, options=split)
    conll = out.files[0].read_text(encoding="utf-8")
    assert "و\tO\nمـــصر\tB-GPE\n" in conll and "مايو\tB-DATE\n" in conll
    assert any("token 'ومـــصر' split at" in w for w in split.warnings)


def test_a_cancelled_split_export_leaves_no_file(db: Database, tmp_path: Path) -> None:
    build(db, tmp_path)
    cancel = threading.Event()
    cancel.set()
    for fmt, out in (("conll", "x.conll"), ("brat", "brat")):
        report = export(db, 1, tmp_path / out, format=fmt, split=(50, 50), cancel=cancel)
        assert report.cancelled and report.files == []
    left = sorted(p.name for p in tmp_path.rglob("*") if p.name != "corpus.jsonl"
                  and not p.name.startswith("annotator.sqlite3"))
    assert left == ["brat"]  # the folder asked for, empty


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True,
                          text=True, env=dict(os.environ), check=False)


def test_cli_import_newsfane_and_export_gold_conll_split(backend: Backend, tmp_path: Path) -> None:
    db = backend.new_url("cli")
    imp = run("--db", db, "import", "--format", "newsfane", "--annotator", "gold",
              "--doc-sentences", "40", str(NEWSFANE))
    assert imp.returncode == 0, imp.stderr
    assert "119 imported, 11133 spans" in imp.stdout and "of class Book" in imp.stderr
    out = tmp_path / "gold.conll"
    exp = run("--db", db, "export", "--format", "conll", "--gold", "--split", "80/10/10",
              "--seed", "3", "-o", str(out))
    assert exp.returncode == 0, exp.stderr
    assert "119 documents (train 95, dev 12, test 12)" in exp.stdout
    assert all((tmp_path / f"gold.{p}.conll").is_file() for p in ("train", "dev", "test"))


def test_cli_prints_warnings_and_keeps_them_all(backend: Backend, tmp_path: Path) -> None:
    db = backend.new_url("cli")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines()),
                   encoding="utf-8")
    assert run("--db", db, "import", str(src)).returncode == 0
    out = tmp_path / "x.conll"
    exp = run("--db", db, "export", "--format", "conll", "--annotator", "salma",
              "--labels", "GPE,CLAIM", "-o", str(out))
    assert exp.returncode == 0, exp.stderr
    assert "warning: d1 (salma): GPE" in exp.stderr and "overlaps" in exp.stderr
    log = Path(f"{out}.warnings.txt").read_text(encoding="utf-8")
    assert log.count("\n") == 1  # بغداد is kept; مـــصر overlaps the CLAIM
    bad = run("--db", db, "export", "--format", "conll", "--labels", "NOPE", "-o", str(out))
    assert bad.returncode == 2 and "unknown label(s) NOPE" in bad.stderr
    assert TEXT  # the corpus text is the one imported


def test_brat_never_replaces_a_folder_that_is_not_a_brat_export(
    db: Database, tmp_path: Path
) -> None:
    build(db, tmp_path)
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not a brat export"):
        export(db, 1, mine, format="brat")
    assert (mine / "keep.txt").read_text(encoding="utf-8") == "mine"
    first = export(db, 1, tmp_path / "brat", format="brat")
    again = export(db, 1, tmp_path / "brat", format="brat")  # its own export: replaced
    assert first.files == again.files and (tmp_path / "brat" / "salma" / "d1.ann").is_file()
