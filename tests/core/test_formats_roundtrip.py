"""import(export(x)) == x for each format, on SQLite and PostgreSQL, with Arabic that holds an
emoji, tatweel, harakat and a clitic, two annotators, overlapping spans and relations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.db.engine import Database, open_database
from annotator.io.export import export
from annotator.io.formats import WriteOptions
from annotator.io.importer import import_paths
from annotator.store.schema import DEFAULT_SCHEMA
from tests.conftest import Backend
from tests.core.formats_corpus import build, snapshot

LABELS = tuple(DEFAULT_SCHEMA.label_names)


def options() -> WriteOptions:
    return WriteOptions(labels=LABELS)


@pytest.fixture
def source(db: Database, tmp_path: Path) -> Database:
    build(db, tmp_path)
    return db


@pytest.fixture
def again(backend: Backend) -> Iterator[Database]:
    """A second, empty database on the same backend, to import the export into."""
    fresh = open_database(backend.new_url("again"))
    yield fresh
    fresh.close()


@pytest.mark.parametrize(
    ("fmt", "out"),
    [("jsonl", "x.jsonl"), ("spacy", "x.spacy"), ("prodigy", "x.jsonl"),
     ("labelstudio", "x.json"), ("doccano-rel", "x.jsonl")],
)
def test_formats_that_carry_everything_give_it_back(
    source: Database, again: Database, tmp_path: Path, fmt: str, out: str
) -> None:
    report = export(source, 1, tmp_path / out, format=fmt, options=options())
    assert report.documents == 3 and report.lines == 4 and not report.cancelled
    imported = import_paths(again, report.files, format=fmt)
    assert imported.ok, imported.failed
    assert snapshot(again) == snapshot(source)
    assert {s for *_, s in imported.duplicates} <= {"d1"}  # the second annotator's line
    if fmt in ("jsonl", "spacy"):  # the formats that carry each annotator's status
        assert snapshot(again, status=True) == snapshot(source, status=True)


def test_doccano_label_shape_gives_all_but_relations_back(
    source: Database, again: Database, tmp_path: Path
) -> None:
    opts = options()
    report = export(source, 1, tmp_path / "x.jsonl", format="doccano", options=opts)
    assert any("2 relations left out" in w for w in opts.warnings)
    assert import_paths(again, report.files, format="doccano").ok
    without_relations = [(*row[:4], [], *row[5:]) for row in snapshot(source)]
    assert snapshot(again) == without_relations


def test_brat_gives_back_all_but_metadata(
    source: Database, again: Database, tmp_path: Path
) -> None:
    report = export(source, 1, tmp_path / "brat", format="brat", options=options())
    root = report.files[0]
    assert sorted(p.name for p in root.iterdir()) == ["_nobody", "annotation.conf", "omar",
                                                      "salma"]
    ann = (root / "salma" / "d1.ann").read_text(encoding="utf-8")
    assert "\tCLAIM " in ann and "R1\tSPEAKER Arg1:T2 Arg2:T1" in ann
    for who in ("salma", "omar", "_nobody"):  # nobody's documents need no annotator
        got = import_paths(again, [root / who], format="brat",
                           annotator=None if who == "_nobody" else who)
        assert got.ok, got.failed
    assert snapshot(again, meta=False) == snapshot(source, meta=False)


def test_hf_gives_back_text_names_and_the_spans_bio_can_hold(
    source: Database, again: Database, tmp_path: Path
) -> None:
    opts = options()
    first = export(source, 1, tmp_path / "x.jsonl", format="hf", options=opts)
    assert (tmp_path / "x.labels.json").is_file()
    assert import_paths(again, first.files, format="hf").ok
    before = {(r[0], r[2]): set(r[3]) for r in snapshot(source)}
    after = {(r[0], r[2]): set(r[3]) for r in snapshot(again)}
    assert {r[1] for r in snapshot(again)} == {r[1] for r in snapshot(source)}  # texts exact
    assert before.keys() == after.keys()
    for key, spans in before.items():
        assert after[key] <= spans
        for start, end, label in spans - after[key]:  # each span lost was reported
            assert any(f"{label} [{start}, {end})" in w and "overlaps" in w
                       for w in opts.warnings)
    second = export(again, 1, tmp_path / "y.jsonl", format="hf", options=options())
    assert second.files[0].read_text(encoding="utf-8") == first.files[0].read_text(
        encoding="utf-8")


def test_conll_gives_back_tokens_and_tags(
    source: Database, again: Database, tmp_path: Path
) -> None:
    from annotator.io.export import ExportFilter

    where = ExportFilter(annotators=("salma",))
    first = export(source, 1, tmp_path / "x.conll", format="conll", where=where,
                   options=options())
    assert import_paths(again, first.files, format="conll", annotator="salma").ok
    second = export(again, 1, tmp_path / "y.conll", format="conll", options=options())
    assert second.files[0].read_text(encoding="utf-8") == first.files[0].read_text(
        encoding="utf-8")
    conll = first.files[0].read_text(encoding="utf-8")
    assert "و\tO\nمـــصر\tB-GPE\n" not in conll  # longest wins: the CLAIM holds that line
    assert "«\tB-QUOTE\nالانتخابات\tI-QUOTE\n" in conll
    assert "😀\tO\n" in conll and "👍🏽\tI-CLAIM\n" in conll
