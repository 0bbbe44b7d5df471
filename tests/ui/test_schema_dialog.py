"""The label schema dialog on a real database (SQLite, PostgreSQL): every edit typed into
the table and checked against what the database holds afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QInputDialog,
    QLineEdit,
    QWidget,
)

from annotator.db.engine import Database, open_database
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans, list_documents
from annotator.store.projects import ensure_project, load_schema
from annotator.store.spans import add_relation, add_span, document_relations
from ui.schema.dialog import ARABIC, COLOUR, KEY, KIND, NAME, LabelSchemaDialog

TEXT = "قال وزير الخارجية جون كيري إن \"المحادثات مثمرة\" في جنيف."


@pytest.fixture
def tagged(empty_db: Database, tmp_path: Path) -> int:
    """A document with two PERSON spans, a QUOTE and a SPEAKER relation; its id."""
    corpus = tmp_path / "doc.jsonl"
    corpus.write_text(json.dumps({"id": "kerry", "text": TEXT}, ensure_ascii=False) + "\n")
    assert import_paths(empty_db, [corpus]).ok
    doc = list_documents(empty_db, ensure_project(empty_db))[0].id

    def span(label: str, piece: str) -> int:
        start = TEXT.index(piece)
        return add_span(empty_db, doc, "sara", label, start, start + len(piece)).id

    kerry = span("PERSON", "جون كيري")
    span("PERSON", "وزير الخارجية")
    add_relation(empty_db, span("QUOTE", "\"المحادثات مثمرة\""), kerry, "SPEAKER", "sara")
    return doc


@pytest.fixture
def dialog(qtbot: QtBot, empty_db: Database, tagged: int) -> LabelSchemaDialog:
    opened = LabelSchemaDialog(empty_db, ensure_project(empty_db))
    qtbot.addWidget(opened)
    with qtbot.waitActive(opened):  # cell editors take the focus only in an active window
        opened.show()
        opened.activateWindow()
    return opened


def edit_cell(qtbot: QtBot, dialog: LabelSchemaDialog, label: str, column: int,
              text: str) -> None:
    """Double-click a cell, replace what its editor holds with ``text``, press Enter."""
    row = dialog.model.row_of(label)
    assert row is not None
    table = dialog.table
    where = table.visualRect(dialog.model.index(row, column)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    for char in text:
        if char.isascii():
            qtbot.keyClicks(editor, char)
        else:  # QTest types Latin-1 only; an Arabic layout sends key events like these
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(editor, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                         Qt.KeyboardModifier.NoModifier, char))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on the next turn of the event loop, as it does for a user.
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)


def cell(dialog: LabelSchemaDialog, label: str, column: int) -> str:
    return dialog.model.index(dialog.model.row_of(label) or 0, column).data()


def select(qtbot: QtBot, dialog: LabelSchemaDialog, label: str) -> None:
    index = dialog.model.index(dialog.model.row_of(label) or 0, NAME)
    where = dialog.table.visualRect(index).center()
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_add_then_name_a_label(qtbot: QtBot, dialog: LabelSchemaDialog,
                               empty_db: Database) -> None:
    with qtbot.waitSignal(dialog.schema_changed, timeout=1000):
        qtbot.mouseClick(dialog.buttons["Add label"], Qt.MouseButton.LeftButton)
    added = load_schema(empty_db, dialog.project_id).labels[-1]
    assert (added.name, added.kind, added.hotkey) == ("NEW_LABEL_1", "entity", "A")
    assert added.color not in {lb.color for lb in dialog.schema.labels[:-1]}

    editor = QApplication.focusWidget()  # the new label's name is being edited
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "STATEMENT")
    with qtbot.waitSignal(dialog.schema_changed, timeout=1000):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    edit_cell(qtbot, dialog, "STATEMENT", ARABIC, "تصريح")
    schema = load_schema(empty_db, dialog.project_id)
    assert schema.label("STATEMENT").display_name == "تصريح"
    assert schema.label("STATEMENT").id == added.id


def test_an_arabic_name_longer_than_the_column_is_refused_on_every_database(
    qtbot: QtBot, dialog: LabelSchemaDialog, empty_db: Database
) -> None:
    # The column holds 128 characters: SQLite would keep more, PostgreSQL raises.
    edit_cell(qtbot, dialog, "PERSON", ARABIC, "ش" * 129)
    assert dialog.message.text() == "Not saved: An Arabic name has at most 128 characters."
    assert load_schema(empty_db, dialog.project_id).label("PERSON").display_name == "شخص"
    assert cell(dialog, "PERSON", ARABIC) == "شخص"

    edit_cell(qtbot, dialog, "PERSON", ARABIC, "ش" * 128)
    assert load_schema(empty_db, dialog.project_id).label("PERSON").display_name == "ش" * 128
    assert dialog.message.text() == "Saved PERSON."


def test_rename_keeps_spans_and_relation_types_follow(
    qtbot: QtBot, dialog: LabelSchemaDialog, empty_db: Database, tagged: int
) -> None:
    before = load_schema(empty_db, dialog.project_id).label("PERSON")
    spans_before = {s.id for s in document_spans(empty_db, tagged) if s.label == "PERSON"}

    edit_cell(qtbot, dialog, "PERSON", NAME, "PEOPLE")

    schema = load_schema(empty_db, dialog.project_id)
    assert schema.label("PEOPLE").id == before.id
    assert "PERSON" not in schema.label_names
    speaker = next(r for r in schema.relation_types if r.name == "SPEAKER")
    assert speaker.to_labels == ("PEOPLE", "ORGANIZATION")
    assert {s.id for s in document_spans(empty_db, tagged) if s.label == "PEOPLE"} == spans_before
    assert cell(dialog, "PEOPLE", NAME) == "PEOPLE"
    assert dialog.message.text() == "Saved PEOPLE."


def test_recolour_and_a_refused_colour(qtbot: QtBot, dialog: LabelSchemaDialog,
                                       empty_db: Database,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    edit_cell(qtbot, dialog, "LOCATION", COLOUR, "#12ab9f")
    assert load_schema(empty_db, dialog.project_id).label("LOCATION").color == "#12AB9F"

    monkeypatch.setattr(dialog, "_pick_colour", lambda current: "#654321")
    select(qtbot, dialog, "DATE")
    qtbot.mouseClick(dialog.buttons["Colour\u2026"], Qt.MouseButton.LeftButton)
    assert load_schema(empty_db, dialog.project_id).label("DATE").color == "#654321"

    with qtbot.assertNotEmitted(dialog.schema_changed):
        assert not dialog.set_colour("DATE", "blue")
    assert load_schema(empty_db, dialog.project_id).label("DATE").color == "#654321"
    assert cell(dialog, "DATE", COLOUR) == "#654321"  # the table shows the database
    assert "#RRGGBB" in dialog.message.text()


def test_kind_from_the_drop_down(qtbot: QtBot, dialog: LabelSchemaDialog,
                                 empty_db: Database) -> None:
    row = dialog.model.row_of("LOCATION") or 0
    where = dialog.table.visualRect(dialog.model.index(row, KIND)).center()
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    combo = QApplication.focusWidget()
    assert isinstance(combo, QComboBox) and combo.currentText() == "entity"
    with qtbot.waitSignal(dialog.schema_changed, timeout=1000):
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # entity -> claim, saved at once
    assert load_schema(empty_db, dialog.project_id).label("LOCATION").kind == "claim"
    assert cell(dialog, "LOCATION", KIND) == "claim"


def test_rekey_rejects_duplicates_with_a_clear_message(
    qtbot: QtBot, dialog: LabelSchemaDialog, empty_db: Database,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    edit_cell(qtbot, dialog, "LOCATION", KEY, "x")
    assert load_schema(empty_db, dialog.project_id).label("LOCATION").hotkey == "X"

    with qtbot.assertNotEmitted(dialog.schema_changed):
        edit_cell(qtbot, dialog, "LOCATION", KEY, "1")
    assert dialog.message.text() == "Not saved: Hotkey 1 is already PERSON's."
    assert load_schema(empty_db, dialog.project_id).label("LOCATION").hotkey == "X"
    assert cell(dialog, "LOCATION", KEY) == "X"

    edit_cell(qtbot, dialog, "LOCATION", KEY, "s")  # the SPEAKER relation's key
    assert "relation SPEAKER" in dialog.message.text()
    edit_cell(qtbot, dialog, "LOCATION", KEY, "12")
    assert "one key" in dialog.message.text()
    edit_cell(qtbot, dialog, "LOCATION", NAME, "DATE")
    assert dialog.message.text() == "Not saved: There is already a label DATE."
    assert load_schema(empty_db, dialog.project_id).label("LOCATION").hotkey == "X"
    screenshot(dialog, "schema_dialog")


def test_delete_an_unused_label_asks_nothing(qtbot: QtBot, dialog: LabelSchemaDialog,
                                            empty_db: Database,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialog, "_ask_in_use", lambda *a: pytest.fail("asked about EVENT"))
    select(qtbot, dialog, "EVENT")
    with qtbot.waitSignal(dialog.schema_changed, timeout=1000):
        qtbot.mouseClick(dialog.buttons["Delete\u2026"], Qt.MouseButton.LeftButton)
    assert "EVENT" not in load_schema(empty_db, dialog.project_id).label_names
    assert dialog.model.row_of("EVENT") is None


def test_delete_in_use_moves_the_spans(qtbot: QtBot, dialog: LabelSchemaDialog,
                                       empty_db: Database, tagged: int,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, int, list[str]]] = []

    def ask(name: str, used: int, others: list[str]) -> tuple[str, str | None]:
        asked.append((name, used, others))
        return "move", "ORGANIZATION"

    monkeypatch.setattr(dialog, "_ask_in_use", ask)
    before = {s.id for s in document_spans(empty_db, tagged) if s.label == "PERSON"}
    others = [n for n in dialog.schema.label_names if n != "PERSON"]
    select(qtbot, dialog, "PERSON")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)

    assert asked == [("PERSON", 2, others)]
    assert "PERSON" not in load_schema(empty_db, dialog.project_id).label_names
    moved = {s.id for s in document_spans(empty_db, tagged) if s.label == "ORGANIZATION"}
    assert moved == before
    assert len(document_relations(empty_db, tagged)) == 1  # the relation stays


def test_delete_in_use_with_its_spans(qtbot: QtBot, dialog: LabelSchemaDialog,
                                      empty_db: Database, tagged: int,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialog, "_ask_in_use", lambda *a: ("delete", None))
    assert dialog.delete_label("PERSON")
    assert [s.label for s in document_spans(empty_db, tagged)] == ["QUOTE"]
    assert document_relations(empty_db, tagged) == []
    assert "PERSON" not in load_schema(empty_db, dialog.project_id).label_names


def test_delete_in_use_cancelled_changes_nothing(qtbot: QtBot, dialog: LabelSchemaDialog,
                                                 empty_db: Database, tagged: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialog, "_ask_in_use", lambda *a: ("cancel", None))
    spans = document_spans(empty_db, tagged)
    with qtbot.assertNotEmitted(dialog.schema_changed):
        assert not dialog.delete_label("QUOTE")
    assert document_spans(empty_db, tagged) == spans
    assert "QUOTE" in load_schema(empty_db, dialog.project_id).label_names
    assert dialog.message.text() == "Kept QUOTE and its spans."


@pytest.mark.parametrize(("pick", "expected"), [(1, ("move", "LOCATION")),
                                                (-1, ("delete", None)), (None, ("cancel", None))])
def test_the_in_use_prompt(qtbot: QtBot, tmp_path: Path, pick: int | None,
                           expected: tuple[str, str | None]) -> None:
    """The prompt alone, which reads nothing: on a SQLite file, not once per backend."""
    db = open_database(tmp_path / "prompt.sqlite3")
    dialog = LabelSchemaDialog(db, ensure_project(db))
    qtbot.addWidget(dialog)
    others = ["ORGANIZATION", "LOCATION"]
    seen: list[str] = []

    def answer() -> None:
        prompt = QApplication.activeModalWidget()
        assert isinstance(prompt, QInputDialog)
        seen.extend(prompt.comboBoxItems())
        if pick is None:
            prompt.reject()
        else:
            prompt.setTextValue(seen[pick])
            prompt.accept()

    QTimer.singleShot(0, answer)
    assert dialog._ask_in_use("PERSON", 2, others) == expected
    assert seen == ["Move them to ORGANIZATION", "Move them to LOCATION",
                    "Delete the 2 spans (and their relations) with PERSON"]
    db.close()
