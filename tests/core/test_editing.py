"""Span, relation, status and label-schema changes, as the window makes them."""

from __future__ import annotations

import pytest

from annotator.db.engine import Database
from annotator.db.models import LabelKind, Status
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans, list_documents, next_unfinished
from annotator.store.gold import GOLD, GoldError, accept_span, edit_gold_span, gold_spans
from annotator.store.labels import LabelError, LabelInUse, add_label, delete_label, update_label
from annotator.store.projects import ensure_project, load_schema
from annotator.store.schema import LabelSpec
from annotator.store.spans import (
    SpanError,
    add_relation,
    add_span,
    delete_relation,
    delete_span,
    document_relations,
    relabel_span,
    resize_span,
    restore_span,
    set_status,
)

TEXT = "قال الوزير محمد: «الانتخابات في موعدها» أمس."


@pytest.fixture
def doc(db: Database, tmp_path) -> int:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text("خبر ثان", encoding="utf-8")
    (tmp_path / "c.txt").write_text("خبر ثالث", encoding="utf-8")
    import_paths(db, [tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"])
    return 1


def at(word: str) -> tuple[int, int]:
    i = TEXT.index(word)
    return i, i + len(word)


def test_delete_then_restore_keeps_ids_and_relations(db: Database, doc: int) -> None:
    quote = add_span(db, doc, "salma", "QUOTE", *at("«الانتخابات في موعدها»"))
    person = add_span(db, doc, "salma", "PERSON", *at("محمد"))
    rel = add_relation(db, quote.id, person.id, "SPEAKER", "salma")
    gone = delete_span(db, person.id, "salma")
    assert gone.relations == (rel,)
    assert document_relations(db, doc) == []
    assert [s.id for s in document_spans(db, doc)] == [quote.id]
    restored = restore_span(db, gone)
    assert restored == person
    assert document_relations(db, doc) == [rel]
    newer = add_span(db, doc, "salma", "DATE", *at("أمس"))
    assert newer.id > person.id  # ids are not reused


def test_relabel_and_resize_return_the_old_state(db: Database, doc: int) -> None:
    span = add_span(db, doc, "salma", "PERSON", *at("الوزير محمد"))
    assert relabel_span(db, span.id, "ORGANIZATION", "salma") == span
    before = resize_span(db, span.id, *at("محمد"), "salma")
    assert before.label == "ORGANIZATION" and (before.start, before.end) == at("الوزير محمد")
    (now,) = document_spans(db, doc)
    assert (now.label, TEXT[now.start : now.end]) == ("ORGANIZATION", "محمد")
    with pytest.raises(SpanError, match="outside the text"):
        resize_span(db, span.id, 5, len(TEXT) + 1, "salma")


def test_only_the_owner_changes_a_span(db: Database, doc: int) -> None:
    """Enforced in the core: omar cannot touch salma's spans or relations, nor gold's;
    gold is changed by an adjudicator through annotator.store.gold."""
    span = add_span(db, doc, "salma", "PERSON", *at("محمد"))
    quote = add_span(db, doc, "salma", "QUOTE", *at("«الانتخابات في موعدها»"))
    rel = add_relation(db, quote.id, span.id, "SPEAKER", "salma")
    mine = add_span(db, doc, "omar", "QUOTE", *at("«الانتخابات في موعدها»"))
    gold = accept_span(db, span.id, "huda")
    before = document_spans(db, doc), document_relations(db, doc)
    for target, owner in ((span.id, "salma"), (gold.id, GOLD)):
        for change in (
            lambda t=target: delete_span(db, t, "omar"),
            lambda t=target: relabel_span(db, t, "DATE", "omar"),
            lambda t=target: resize_span(db, t, 0, 3, "omar"),
            lambda t=target: add_relation(db, mine.id, t, "SPEAKER", "omar"),
        ):
            with pytest.raises(SpanError, match=f"belongs to {owner}; omar cannot"):
                change()
    with pytest.raises(SpanError, match="belongs to salma"):
        delete_relation(db, rel.id, "omar")
    assert (document_spans(db, doc), document_relations(db, doc)) == before
    with pytest.raises(GoldError, match="not a gold span"):
        edit_gold_span(db, span.id, "huda", label="DATE")
    edit_gold_span(db, gold.id, "zaid", label="ORGANIZATION")
    (edited,) = gold_spans(db, doc)
    assert (edited.label, edited.adjudicated_by) == ("ORGANIZATION", "zaid")
    assert [s for s in document_spans(db, doc) if s.id == span.id] == [span]


def test_relations_follow_the_schema(db: Database, doc: int) -> None:
    quote = add_span(db, doc, "salma", "QUOTE", *at("«الانتخابات في موعدها»"))
    person = add_span(db, doc, "salma", "PERSON", *at("محمد"))
    date = add_span(db, doc, "salma", "DATE", *at("أمس"))
    with pytest.raises(SpanError, match="SPEAKER goes from QUOTE"):
        add_relation(db, quote.id, date.id, "SPEAKER", "salma")
    with pytest.raises(SpanError, match="SPEAKER goes from QUOTE"):
        add_relation(db, person.id, quote.id, "SPEAKER", "salma")
    rel = add_relation(db, quote.id, person.id, "SPEAKER", "salma")
    assert add_relation(db, quote.id, person.id, "SPEAKER", "salma") == rel  # no duplicate
    assert delete_relation(db, rel.id, "salma") == rel
    assert document_relations(db, doc) == []


def test_status_and_next_unfinished(db: Database, doc: int) -> None:
    project = ensure_project(db)
    assert next_unfinished(db, project, "salma", after_id=1) == 2
    assert set_status(db, 2, "salma", Status.DONE) == Status.NEW
    assert next_unfinished(db, project, "salma", after_id=1) == 3
    set_status(db, 3, "salma", Status.DONE)
    assert next_unfinished(db, project, "salma", after_id=1) == 1  # wraps around
    set_status(db, 1, "salma", Status.DONE)
    assert next_unfinished(db, project, "salma", after_id=1) is None
    rows = list_documents(db, project, "salma")
    assert [r.status for r in rows] == [Status.DONE] * 3
    assert [r.status for r in list_documents(db, project, "omar")] == [Status.NEW] * 3


def test_span_marks_document_in_progress_and_counts(db: Database, doc: int) -> None:
    project = ensure_project(db)
    add_span(db, doc, "salma", "PERSON", *at("محمد"))
    add_span(db, doc, "omar", "PERSON", *at("محمد"))
    add_span(db, doc, "omar", "DATE", *at("أمس"))
    salma = list_documents(db, project, "salma")[0]
    assert (salma.status, salma.span_count) == (Status.IN_PROGRESS, 1)
    assert list_documents(db, project, "omar")[0].span_count == 2
    assert list_documents(db, project)[0].span_count == 3


def test_label_schema_editing(db: Database, doc: int) -> None:
    project = ensure_project(db)
    person = load_schema(db, project).label("PERSON")
    span = add_span(db, doc, "salma", "PERSON", *at("محمد"))
    # rename, recolour and re-key: spans follow, relation types follow the name
    update_label(db, person.id, LabelSpec("PER", "شخص", LabelKind.ENTITY, "#112233", "p"))
    schema = load_schema(db, project)
    assert schema.label("PER").hotkey == "p" and schema.label("PER").color == "#112233"
    speaker = next(r for r in schema.relation_types if r.name == "SPEAKER")
    assert "PER" in speaker.to_labels and "PERSON" not in speaker.to_labels
    assert document_spans(db, doc)[0].label == "PER"
    with pytest.raises(LabelError, match="already"):
        update_label(db, person.id, LabelSpec("PER", "شخص", LabelKind.ENTITY, "#112233", "2"))
    with pytest.raises(LabelError, match="one key"):
        add_label(db, project, LabelSpec("NEW", "جديد", LabelKind.ENTITY, "#AA0000", "12"))
    with pytest.raises(LabelError, match="relation SPEAKER"):
        add_label(db, project, LabelSpec("NEW", "جديد", LabelKind.ENTITY, "#AA0000", "s"))
    with pytest.raises(LabelError, match="#RRGGBB"):
        add_label(db, project, LabelSpec("NEW", "جديد", LabelKind.ENTITY, "red", None))
    added = add_label(db, project, LabelSpec("WEAPON", "سلاح", LabelKind.ENTITY, "#aa0000", "w"))
    assert load_schema(db, project).labels[-1] == added
    # a label in use is not deleted silently
    with pytest.raises(LabelInUse) as err:
        delete_label(db, person.id)
    assert err.value.count == 1 and document_spans(db, doc) == [
        span.__class__(span.id, span.start, span.end, "PER", "salma", "manual")
    ]
    assert delete_label(db, person.id, move_to="WEAPON") == 1
    assert document_spans(db, doc)[0].label == "WEAPON"
    assert delete_label(db, added.id, delete_spans=True) == 1
    assert document_spans(db, doc) == []


def test_one_row_counts_like_the_list(db: Database, doc: int) -> None:
    from annotator.store.documents import document_row

    add_span(db, doc, "salma", "PERSON", *at("محمد"))
    add_span(db, doc, "omar", "DATE", *at("أمس"))
    project = ensure_project(db)
    for who in ("salma", "omar", None, "nobody"):
        assert document_row(db, doc, who) == list_documents(db, project, who)[0]
