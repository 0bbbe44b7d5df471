"""The span list over spans stored in a real database (SQLite, PostgreSQL): exact Arabic
text (offsets are Python str indices, an emoji is one index and two UTF-16 units),
relations, activation by click and Enter, selection without a signal, and 2,000 spans."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QWidget

from annotator.db.engine import Database
from annotator.io.importer import import_paths
from annotator.store.documents import SpanValue, document_spans, get_document, list_documents
from annotator.store.projects import ensure_project, load_schema
from annotator.store.schema import DEFAULT_SCHEMA
from annotator.store.spans import add_relation, add_span, document_relations
from ui.tagging.span_list import (
    LABEL_COLUMN,
    OFFSETS_COLUMN,
    RELATION_COLUMN,
    SPAN_ID_ROLE,
    TEXT_COLUMN,
    SpanList,
)

TEXT = (
    "قال 👍🏽 وزير الخارجية جون كيري إن \"المحادثات مثمرة\nوستستمر غدا\" في جنيف. "
    "OSCE: قالت المنظمة"
)


def store(db: Database, tmp_path: Path) -> tuple[int, dict[str, int]]:
    """The document holding TEXT, with five spans and a SPEAKER relation, all by sara."""
    corpus = tmp_path / "doc.jsonl"
    corpus.write_text(json.dumps({"id": "kerry", "text": TEXT}, ensure_ascii=False) + "\n")
    assert import_paths(db, [corpus]).ok
    doc = list_documents(db, ensure_project(db))[0].id
    assert get_document(db, doc).text == TEXT

    def span(label: str, piece: str) -> int:
        start = TEXT.index(piece)
        return add_span(db, doc, "sara", label, start, start + len(piece)).id

    ids = {
        "quote": span("QUOTE", "\"المحادثات مثمرة\nوستستمر غدا\""),
        "kerry": span("PERSON", "جون كيري"),
        "emoji": span("EVENT", "👍🏽"),
        "minister": span("PERSON", "وزير الخارجية"),
        "osce": span("ORGANIZATION", "OSCE: قالت المنظمة"),
    }
    add_relation(db, ids["quote"], ids["kerry"], "SPEAKER", "sara")
    return doc, ids


def open_list(qtbot: QtBot, db: Database, doc: int) -> SpanList:
    spans = SpanList()
    qtbot.addWidget(spans)
    spans.set_spans(TEXT, document_spans(db, doc), document_relations(db, doc),
                    load_schema(db, ensure_project(db)))
    spans.resize(720, 320)
    spans.show()
    qtbot.waitExposed(spans)
    return spans


def cell(spans: SpanList, row: int, column: int) -> str:
    return spans.model.index(row, column).data()


def test_rows_show_the_exact_text_by_start(
    qtbot: QtBot, empty_db: Database, tmp_path: Path,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    doc, ids = store(empty_db, tmp_path)
    spans = open_list(qtbot, empty_db, doc)

    stored = document_spans(empty_db, doc)
    by_start = sorted(stored, key=lambda s: s.start)
    assert [spans.model.index(r, 0).data(SPAN_ID_ROLE) for r in range(5)] == [
        s.id for s in by_start]
    for row, span in enumerate(by_start):
        assert cell(spans, row, TEXT_COLUMN) == TEXT[span.start:span.end].replace("\n", " ⏎ ")
        assert cell(spans, row, LABEL_COLUMN) == span.label
        assert cell(spans, row, OFFSETS_COLUMN) == f"{span.start}\u2013{span.end}"
    # Python indices: the emoji (2 code points) is 2 characters, not 4 UTF-16 units.
    emoji = spans.model.row_of(ids["emoji"])
    assert emoji is not None and cell(spans, emoji, TEXT_COLUMN) == "👍🏽"
    assert cell(spans, emoji, OFFSETS_COLUMN) == "4\u20136"
    assert cell(spans, spans.model.row_of(ids["kerry"]) or 0, TEXT_COLUMN) == "جون كيري"
    quote = spans.model.row_of(ids["quote"]) or 0
    assert cell(spans, quote, TEXT_COLUMN) == "\"المحادثات مثمرة ⏎ وستستمر غدا\""
    # The relation, on both of its spans; the Arabic end kept whole (bidi isolate).
    assert cell(spans, quote, RELATION_COLUMN) == "SPEAKER \u2192 \u2068جون كيري\u2069"
    assert cell(spans, spans.model.row_of(ids["kerry"]) or 0, RELATION_COLUMN).startswith(
        "SPEAKER \u2190 \u2068\"المحادثات")
    assert cell(spans, 0, RELATION_COLUMN) == ""
    icon = spans.model.index(quote, LABEL_COLUMN).data(Qt.ItemDataRole.DecorationRole)
    assert not icon.isNull()
    assert spans.header.text() == "5 spans"

    spans.select_span(ids["quote"])
    screenshot(spans, "span_list")


def test_click_and_enter_activate_and_select_span_is_silent(
    qtbot: QtBot, empty_db: Database, tmp_path: Path
) -> None:
    doc, ids = store(empty_db, tmp_path)
    spans = open_list(qtbot, empty_db, doc)
    table = spans.table

    row = spans.model.row_of(ids["kerry"]) or 0
    where = table.visualRect(spans.model.index(row, TEXT_COLUMN)).center()
    with qtbot.waitSignal(spans.span_activated, timeout=1000) as clicked:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert clicked.args == [ids["kerry"]]
    assert spans.current_span_id() == ids["kerry"]

    with qtbot.assertNotEmitted(spans.span_activated):
        assert spans.select_span(ids["osce"])
        assert not spans.select_span(999_999)  # not listed: nothing selected
    assert spans.current_span_id() is None
    with qtbot.assertNotEmitted(spans.span_activated):
        assert spans.select_span(ids["osce"])
    assert spans.current_span_id() == ids["osce"]

    table.setFocus()
    with qtbot.waitSignal(spans.span_activated, timeout=1000) as entered:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert entered.args == [ids["osce"]]
    # Typed keys are hotkeys: without the table passing them on, "p" would jump to the
    # first PERSON row (the table's type-ahead search).
    with qtbot.assertNotEmitted(spans.span_activated):
        qtbot.keyClicks(table, "p4")
    assert spans.current_span_id() == ids["osce"]

    # Refreshing (after an edit elsewhere) keeps the selected span selected.
    spans.set_spans(TEXT, document_spans(empty_db, doc), [], load_schema(empty_db, 1))
    assert spans.current_span_id() == ids["osce"]
    assert cell(spans, spans.model.row_of(ids["quote"]) or 0, RELATION_COLUMN) == ""
    assert spans.select_span(None) and spans.current_span_id() is None
    spans.set_spans("", [], [], load_schema(empty_db, 1))
    assert spans.header.text().startswith("No spans")


def test_two_thousand_spans_without_per_row_work(qtbot: QtBot) -> None:
    schema = DEFAULT_SCHEMA  # spans made here, not read back: no database (run once)
    text = TEXT * 40
    many = [SpanValue(i, (i * 7) % (len(text) - 20), (i * 7) % (len(text) - 20) + 12,
                      schema.labels[i % 10].name, "sara", "manual") for i in range(1, 2001)]
    spans = SpanList()
    qtbot.addWidget(spans)
    spans.resize(720, 400)
    spans.show()
    qtbot.waitExposed(spans)

    # Speed is benchmarks' business; here: rows of a fixed height, so that showing the
    # list asks the model only for the rows on screen, not for all 2,000.
    asked: set[int] = set()
    data = spans.model.data
    spans.model.data = lambda index, role=Qt.ItemDataRole.DisplayRole: (  # type: ignore[method-assign]
        asked.add(index.row()), data(index, role))[1]
    spans.set_spans(text, many, [], schema)
    spans.grab()
    assert 0 < len(asked) < 100, f"the model was asked for {len(asked)} rows"
    spans.model.data = data  # type: ignore[method-assign]
    assert spans.model.rowCount() == 2000 and spans.header.text() == "2,000 spans"
    starts = [spans.model.span_at(r).start for r in range(2000)]
    assert starts == sorted(starts)
    assert spans.table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert spans.select_span(1234)
    assert spans.current_span_id() == 1234
