"""The main window on real databases (SQLite, PostgreSQL), driven with keys through qtbot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QWidget

from annotator.db.engine import Database
from annotator.store.documents import get_document, list_documents
from annotator.store.projects import ensure_project
from annotator.store.spans import add_span
from tests.conftest import Backend
from ui.documents.model import NAME_COLUMN, SPANS_COLUMN, STATUS_COLUMN
from ui.main_window import MainWindow

Opener = Callable[..., MainWindow]
Screenshot = Callable[[QWidget, str], Path]
Colours = Callable[[QImage], int]


def shown_names(window: MainWindow) -> list[str]:
    proxy = window.document_list.proxy
    return [proxy.index(r, NAME_COLUMN).data() for r in range(proxy.rowCount())]


def shown_name(window: MainWindow) -> str:
    document_id = window.current_document_id()
    assert document_id is not None
    return get_document(window.db, document_id).name


def test_window_lists_the_sample_and_shows_the_first_article(
    sample_db: Database, open_window: Opener, screenshot: Screenshot, distinct_colours: Colours
) -> None:
    project_id = ensure_project(sample_db)
    second = list_documents(sample_db, project_id)[1]
    add_span(sample_db, second.id, "tester", "LOCATION", 0, 9)
    add_span(sample_db, second.id, "tester", "ORGANIZATION", 12, 20)
    rows = list_documents(sample_db, project_id, "tester")
    assert len(rows) == 40

    window = open_window(sample_db)

    proxy = window.document_list.proxy
    assert proxy.rowCount() == 40
    listed = [
        (
            proxy.index(r, NAME_COLUMN).data(),
            proxy.index(r, STATUS_COLUMN).data(),
            proxy.index(r, SPANS_COLUMN).data(),
        )
        for r in range(40)
    ]
    assert listed == [
        (row.name, "in progress" if row.span_count else "new", row.span_count) for row in rows
    ]
    assert listed[1][1:] == ("in progress", 2)

    first = get_document(sample_db, rows[0].id)
    assert window.current_document_id() == first.id
    view = window.article.view
    assert view.document().toRawText().replace("\u2029", "\n") == first.text
    assert view.text() == first.text
    assert view.document().defaultTextOption().textDirection() == Qt.LayoutDirection.RightToLeft
    assert window.article.title.text() == first.name

    assert window.windowTitle() == f"annotator \u2014 {sample_db.location}"
    assert window.count_status.text() == "40 documents"
    assert window.location_status.text() == sample_db.location
    assert window.document_status.text() == f"{first.name} \u2014 {len(first.text):,} characters"

    path = screenshot(window, "main_window_sample")
    image = QImage(str(path))
    assert not image.isNull() and image.width() == window.width()
    view_area = QRect(view.mapTo(window, view.rect().topLeft()), view.size())
    assert distinct_colours(image.copy(view_area)) > 10  # text drawn, not a blank pane


def test_filter_narrows_the_list(sample_db: Database, open_window: Opener, qtbot: QtBot) -> None:
    window = open_window(sample_db)
    filter_edit = window.document_list.filter_edit

    qtbot.keyClick(window.article.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert filter_edit.hasFocus()
    qtbot.keyClicks(filter_edit, "FANE-01")

    expected = [f"newsfane-{n:03d}" for n in range(10, 20)]
    assert shown_names(window) == expected
    assert window.count_status.text() == "10 of 40 documents"

    # The first document was filtered away: Enter opens the first match.
    qtbot.keyClick(filter_edit, Qt.Key.Key_Return)
    assert shown_name(window) == "newsfane-010"
    assert window.document_list.table.hasFocus()

    filter_edit.clear()
    assert len(shown_names(window)) == 40
    assert window.count_status.text() == "40 documents"
    assert shown_name(window) == "newsfane-010"  # clearing keeps the open document


def test_next_and_previous_document_keys(
    sample_db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window = open_window(sample_db)
    alt, ctrl = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
    view = window.article.view

    qtbot.keyClick(view, Qt.Key.Key_Down, alt)
    assert shown_name(window) == "newsfane-002"
    assert view.text() == get_document(sample_db, window.current_document_id() or 0).text
    qtbot.keyClick(window.document_list.table, Qt.Key.Key_PageDown, ctrl)
    assert shown_name(window) == "newsfane-003"
    qtbot.keyClick(window.document_list.filter_edit, Qt.Key.Key_Up, alt)
    assert shown_name(window) == "newsfane-002"
    qtbot.keyClick(view, Qt.Key.Key_PageUp, ctrl)
    qtbot.keyClick(view, Qt.Key.Key_Up, alt)  # already the first: stays
    assert shown_name(window) == "newsfane-001"

    window.document_list.select_row(39)
    qtbot.keyClick(view, Qt.Key.Key_Down, alt)  # already the last: stays
    assert shown_name(window) == "newsfane-040"
    assert window.document_status.text().startswith("newsfane-040 \u2014 ")


def test_empty_database_shows_how_to_add_documents(
    empty_db: Database,
    backend: Backend,
    open_window: Opener,
    qtbot: QtBot,
    screenshot: Screenshot,
    distinct_colours: Colours,
) -> None:
    window = open_window(empty_db)

    assert window.document_list.proxy.rowCount() == 0
    assert window.article.is_empty_state()
    assert window.article.empty_state.isVisible()
    rendered = QTextDocument()
    rendered.setHtml(window.article.empty_state.text())
    message = rendered.toPlainText()  # what the label shows: "&" in a URL is not "&amp;"
    assert "import PATH" in message and "--sample" in message
    assert empty_db.location in message
    # A server URL is not repeated in the command (its password would be hidden).
    db_arg = f'"{empty_db.location}"' if backend.is_sqlite else "URL"
    assert f"annotator --db {db_arg} import PATH" in message
    assert window.count_status.text() == "0 documents"
    assert window.document_status.text() == ""

    qtbot.keyClick(window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # no crash
    assert window.current_document_id() is None
    path = screenshot(window, "main_window_empty")
    assert distinct_colours(QImage(str(path))) > 10


def test_zoom_keys_change_the_reading_size(
    sample_db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window = open_window(sample_db)
    view = window.article.view
    base = view.font().pointSizeF()
    ctrl = Qt.KeyboardModifier.ControlModifier

    qtbot.keyClick(view, Qt.Key.Key_Plus, ctrl)
    qtbot.keyClick(view, Qt.Key.Key_Equal, ctrl)
    assert view.zoom == 120
    assert view.font().pointSizeF() > base
    assert window.zoom_status.text() == "120%"
    qtbot.keyClick(view, Qt.Key.Key_Minus, ctrl)
    assert view.zoom == 110
    qtbot.keyClick(view, Qt.Key.Key_0, ctrl)
    assert view.zoom == 100
    assert view.font().pointSizeF() == base
    assert view.text() == get_document(sample_db, window.current_document_id() or 0).text


def test_window_remembers_its_layout(sample_db: Database, open_window: Opener) -> None:
    window = open_window(sample_db)
    window.splitter.setSizes([500, 700])
    window.article.view.zoom_in()
    window.close()

    again = open_window(sample_db)
    assert again.splitter.sizes()[0] == window.splitter.sizes()[0]
    assert again.article.view.zoom == 110
    assert again.size() == window.size()


def test_reloading_shows_new_span_counts_and_sorts_by_them(
    sample_db: Database, open_window: Opener
) -> None:
    window = open_window(sample_db)
    rows = list_documents(sample_db, window.project_id)
    add_span(sample_db, rows[5].id, "tester", "PERSON", 0, 5)

    model = window.document_list.model
    assert model.update_row(list_documents(sample_db, window.project_id)[5])
    assert model.index(5, SPANS_COLUMN).data() == 1

    window.set_annotator("nobody")
    assert model.index(5, SPANS_COLUMN).data() == 0
    window.set_annotator("tester")
    assert model.index(5, SPANS_COLUMN).data() == 1
    assert model.index(5, STATUS_COLUMN).data() == "in progress"

    window.document_list.table.sortByColumn(SPANS_COLUMN, Qt.SortOrder.DescendingOrder)
    assert shown_names(window)[0] == rows[5].name
