"""Adjudication into gold with provenance (SQLite and PostgreSQL), and the schema revision
that stores it (SQLite only: it upgrades the revision 0001 fixture file in tests/data)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from annotator.db import migrations
from annotator.db.engine import Database, open_database
from annotator.db.models import Status
from annotator.io.export import export_native
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans, list_documents
from annotator.store.gold import (
    GoldError,
    accept_annotator,
    accept_span,
    add_gold_span,
    delete_gold_span,
    edit_gold_span,
    gold_spans,
    reject_span,
    restore_gold_span,
)
from annotator.store.projects import GOLD
from annotator.store.spans import add_relation, add_span, delete_span, document_relations

TEXT = "قال الوزير محمد: «الانتخابات في موعدها» أمس."
DATA = Path(__file__).resolve().parents[1] / "data"


def at(word: str) -> tuple[int, int]:
    i = TEXT.index(word)
    return i, i + len(word)


@pytest.fixture
def doc(db: Database, tmp_path: Path) -> int:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    import_paths(db, [tmp_path / "a.txt"])
    return 1


def test_accept_copies_with_provenance_and_is_idempotent(db: Database, doc: int) -> None:
    omar = add_span(db, doc, "omar", "PERSON", *at("محمد"))
    salma = add_span(db, doc, "salma", "PERSON", *at("محمد"))
    gold = accept_span(db, omar.id, "huda")
    assert (gold.annotator, gold.label, gold.start, gold.end) == (GOLD, "PERSON", *at("محمد"))
    assert (gold.source_span_id, gold.source_annotator, gold.adjudicated_by) == (
        omar.id, "omar", "huda")
    assert gold.adjudicated_at is not None and gold.adjudicated_at.tzinfo is not None
    assert accept_span(db, omar.id, "huda") == gold
    assert accept_span(db, salma.id, "zaid") == gold  # identical: the first provenance stays
    assert gold_spans(db, doc) == [gold]
    assert document_spans(db, doc, "omar") == [omar]  # the source is untouched
    assert {r.name: r.status for r in list_documents(db, 1, GOLD)} == {"a": Status.IN_PROGRESS}


def test_relations_follow_once_both_ends_are_gold(db: Database, doc: int) -> None:
    quote = add_span(db, doc, "omar", "QUOTE", *at("«الانتخابات في موعدها»"))
    person = add_span(db, doc, "omar", "PERSON", *at("محمد"))
    add_relation(db, quote.id, person.id, "SPEAKER", "omar")
    gold_person = accept_span(db, person.id, "huda")
    assert document_relations(db, doc, GOLD) == []
    gold_quote = accept_span(db, quote.id, "huda")
    (rel,) = document_relations(db, doc, GOLD)
    assert (rel.from_span_id, rel.to_span_id, rel.type) == (gold_quote.id, gold_person.id,
                                                             "SPEAKER")


def test_accept_one_side_then_reject_one_span(db: Database, doc: int) -> None:
    spans = [add_span(db, doc, "omar", label, *at(words)) for label, words in
             (("PERSON", "محمد"), ("DATE", "أمس"), ("EVENT", "الانتخابات"))]
    add_span(db, doc, "salma", "PERSON", *at("الوزير محمد"))
    accepted = accept_annotator(db, doc, "omar", "huda")
    assert [g.source_span_id for g in accepted] == [s.id for s in spans]
    drawn = add_gold_span(db, doc, "DATE", *at("أمس"), "huda")  # identical, drawn
    assert drawn.source_span_id is None and drawn.adjudicated_by == "huda"
    (gone,) = reject_span(db, spans[1].id)
    assert gone.span.source_span_id == spans[1].id
    assert sorted(g.label for g in gold_spans(db, doc)) == ["DATE", "EVENT", "PERSON"]
    assert reject_span(db, spans[1].id) == []


def test_edit_delete_and_undo_keep_provenance(db: Database, doc: int) -> None:
    quote = add_span(db, doc, "omar", "QUOTE", *at("«الانتخابات في موعدها»"))
    person = add_span(db, doc, "omar", "PERSON", *at("محمد"))
    add_relation(db, quote.id, person.id, "SPEAKER", "omar")
    gold_person = accept_span(db, person.id, "huda")
    gold_quote = accept_span(db, quote.id, "huda")
    before = edit_gold_span(db, gold_person.id, "zaid", label="ORGANIZATION",
                            start=at("الوزير محمد")[0])
    assert before == gold_person
    (edited,) = [g for g in gold_spans(db, doc) if g.id == gold_person.id]
    assert (edited.label, TEXT[edited.start:edited.end]) == ("ORGANIZATION", "الوزير محمد")
    assert (edited.source_span_id, edited.source_annotator, edited.adjudicated_by) == (
        person.id, "omar", "zaid")
    assert restore_gold_span(db, before) == gold_person
    relations = document_relations(db, doc, GOLD)
    gone = delete_gold_span(db, gold_quote.id)
    assert gone.relations == tuple(relations) and document_relations(db, doc, GOLD) == []
    assert restore_gold_span(db, gone) == gold_quote
    assert document_relations(db, doc, GOLD) == relations
    with pytest.raises(GoldError, match="not a gold span"):
        edit_gold_span(db, person.id, "huda", label="DATE")
    with pytest.raises(GoldError, match="outside the text"):
        edit_gold_span(db, gold_person.id, "huda", end=len(TEXT) + 1)
    with pytest.raises(GoldError, match="a person"):
        accept_span(db, person.id, "gold")


def test_provenance_outlives_the_source_span(db: Database, doc: int) -> None:
    person = add_span(db, doc, "omar", "PERSON", *at("محمد"))
    gold = accept_span(db, person.id, "huda")
    delete_span(db, person.id, "omar")
    (kept,) = gold_spans(db, doc)
    assert (kept.source_span_id, kept.source_annotator) == (person.id, "omar")
    assert add_span(db, doc, "omar", "PERSON", *at("محمد")).id > gold.id  # never reused


def test_export_gold_writes_the_adjudicated_spans(
    db: Database, doc: int, tmp_path: Path
) -> None:
    accept_span(db, add_span(db, doc, "omar", "PERSON", *at("محمد")).id, "huda")
    add_span(db, doc, "salma", "DATE", *at("أمس"))
    export_native(db, 1, tmp_path / "gold.jsonl", annotators=[GOLD])
    (line,) = tmp_path.joinpath("gold.jsonl").read_text("utf-8").splitlines()
    record = json.loads(line)
    assert record["annotator"] == GOLD and [s["text"] for s in record["spans"]] == ["محمد"]


def test_revision_0002_keeps_relations_autoincrement_and_checks(tmp_path: Path) -> None:
    """On the 0001 fixture: nothing rebuilt, so nothing lost; and it goes down and up."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(DATA / "schema-0001.sqlite3", path)
    db = open_database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM relation").fetchone() == (1,)
        assert conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'span'").fetchone()
        assert conn.execute("SELECT source_span_id, source_annotator, adjudicated_by, "
                            "adjudicated_at FROM span").fetchall() == [(None,) * 4] * 2
    with pytest.raises(IntegrityError):  # "end" <= document_length still holds
        with db.engine.begin() as conn:
            conn.exec_driver_sql('UPDATE span SET "end" = 10000')
    spans = document_spans(db, 1)
    command.downgrade(migrations.config(db.engine), "0001")
    command.upgrade(migrations.config(db.engine), "head")
    assert document_spans(db, 1) == spans and len(document_relations(db, 1)) == 1
    gold = accept_span(db, spans[0].id, "huda")
    assert gold_spans(db, 1) == [gold]
    db.close()
