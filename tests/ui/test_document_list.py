"""The document list's filters on real databases (SQLite, PostgreSQL), driven by qtbot."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.io.importer import import_paths
from annotator.search.corpus import search_documents
from annotator.store.documents import document_row, list_documents
from annotator.store.projects import ensure_project
from annotator.store.spans import set_status
from ui.documents.model import NAME_COLUMN
from ui.documents.panel import DocumentList

WHO = "salma"
Screenshot = Callable[[QWidget, str], Path]

# Names that say nothing about the texts, so a text match cannot pass for a name match.
NEWS = {
    "report-1": "وصل الوفد إلى بغداد صباح اليوم.",
    "report-2": "قال المتحدث إن الوفد سيزور بَغْدَادَ الأسبوع المقبل.",  # harakat
    "report-3": "أمطار غزيرة في البصرة.",
    "report-4": "اجتماع في بغـــداد.",  # tatweel
    "baghdad-notes": "ملاحظات عامة.",  # the name matches "baghdad", the text does not
}


def names(documents: DocumentList) -> list[str]:
    proxy = documents.proxy
    return [proxy.index(r, NAME_COLUMN).data() for r in range(proxy.rowCount())]


def name_of(documents: DocumentList, document_id: int | None) -> str | None:
    row = documents.model.row_of(document_id) if document_id is not None else None
    return None if row is None else documents.model.document_at(row).name


@pytest.fixture
def news_db(tmp_path: Path, empty_db: Database) -> Database:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in NEWS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    import_paths(empty_db, [folder])
    return empty_db


def open_list(qtbot: QtBot, db: Database, **kwargs: object) -> DocumentList:
    documents = DocumentList(**kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(documents)
    documents.resize(380, 520)
    documents.set_rows(list_documents(db, ensure_project(db), WHO))
    documents.show()
    qtbot.waitExposed(documents)
    return documents


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key; QTest.keyClicks only knows ASCII keys (it aborts)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def choose_status(qtbot: QtBot, documents: DocumentList, text: str) -> None:
    """Pick a status the way the keyboard does: Home, then Down until it shows."""
    combo = documents.status_combo
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentText() != text:
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def test_status_filter_narrows_and_combines_with_the_name_filter(
    sample_db: Database, qtbot: QtBot
) -> None:
    ids = {row.name: row.id for row in list_documents(sample_db, ensure_project(sample_db))}
    for n in (2, 11, 12, 25):
        set_status(sample_db, ids[f"newsfane-{n:03d}"], WHO, Status.IN_PROGRESS)
    for n in (3, 13):
        set_status(sample_db, ids[f"newsfane-{n:03d}"], WHO, Status.DONE)
    set_status(sample_db, ids["newsfane-004"], "someone-else", Status.DONE)
    documents = open_list(qtbot, sample_db)
    counts: list[tuple[int, int]] = []
    documents.counts_changed.connect(lambda shown, total: counts.append((shown, total)))

    choose_status(qtbot, documents, "In progress")
    expected = ["newsfane-002", "newsfane-011", "newsfane-012", "newsfane-025"]
    assert names(documents) == expected
    assert counts[-1] == (4, 40)
    choose_status(qtbot, documents, "Done")
    assert names(documents) == ["newsfane-003", "newsfane-013"]  # not someone else's done
    choose_status(qtbot, documents, "New")
    assert len(names(documents)) == 34 and "newsfane-004" in names(documents)

    qtbot.keyClicks(documents.filter_edit, "FANE-01")
    assert names(documents) == [f"newsfane-0{n}" for n in (10, 14, 15, 16, 17, 18, 19)]
    choose_status(qtbot, documents, "In progress")
    assert names(documents) == ["newsfane-011", "newsfane-012"]
    choose_status(qtbot, documents, "Any status")
    assert len(names(documents)) == 10
    assert counts[-1] == (10, 40)


def test_filters_never_open_another_document(sample_db: Database, qtbot: QtBot) -> None:
    documents = open_list(qtbot, sample_db)
    opened: list[int] = []
    documents.document_selected.connect(opened.append)
    documents.select_row(4)
    open_id = documents.current_document_id()
    assert name_of(documents, open_id) == "newsfane-005" and opened == [open_id]

    qtbot.keyClicks(documents.filter_edit, "newsfane-01")  # hides the open document
    assert documents.current_document_id() is None and opened == [open_id]
    assert documents.open_document_id() == open_id  # what the article still shows
    documents.filter_edit.clear()
    assert documents.current_document_id() == open_id and opened == [open_id]

    # Marking the open document done under "New" keeps it in view until the user moves.
    choose_status(qtbot, documents, "New")
    assert documents.current_document_id() == open_id
    set_status(sample_db, open_id or 0, WHO, Status.DONE)
    assert documents.update_row(document_row(sample_db, open_id or 0, WHO))
    assert "newsfane-005" in names(documents) and len(names(documents)) == 40
    assert documents.current_document_id() == open_id and opened == [open_id]
    qtbot.keyClick(documents.table, Qt.Key.Key_Down)
    assert name_of(documents, documents.current_document_id()) == "newsfane-006"
    assert "newsfane-005" not in names(documents) and len(names(documents)) == 39


def test_text_search_finds_arabic_words_with_or_without_marks(
    news_db: Database, qtbot: QtBot, screenshot: Screenshot
) -> None:
    project = ensure_project(news_db)
    ids = {row.name: row.id for row in list_documents(news_db, project)}
    set_status(news_db, ids["report-2"], WHO, Status.IN_PROGRESS)
    set_status(news_db, ids["report-4"], WHO, Status.DONE)
    documents = open_list(qtbot, news_db, text_search=partial(search_documents, news_db, project))
    assert documents.text_toggle.isVisible()
    qtbot.mouseClick(documents.text_toggle, Qt.MouseButton.LeftButton)
    assert documents.text_toggle.isChecked()

    with qtbot.waitSignal(documents.text_search_finished, timeout=5000) as finished:
        type_text(documents.filter_edit, "بغداد")
        assert names(documents) == []  # names only, until the search answers
    assert finished.args == ["بغداد", 3]
    assert names(documents) == ["report-1", "report-2", "report-4"]  # harakat, tatweel
    documents.select_row(1)
    screenshot(documents, "document_list")

    # A name match and text matches together; the query with harakat finds plain text.
    documents.filter_edit.clear()
    with qtbot.waitSignal(documents.text_search_finished, timeout=5000) as finished:
        type_text(documents.filter_edit, "البَصرة")
    assert finished.args == ["البَصرة", 1]
    assert names(documents) == ["report-3"]
    documents.filter_edit.clear()
    with qtbot.waitSignal(documents.text_search_finished, timeout=5000):
        qtbot.keyClicks(documents.filter_edit, "baghdad")
    assert names(documents) == ["baghdad-notes"]

    # One letter is not searched for; unticking "Text" goes back to names only.
    documents.filter_edit.clear()
    with qtbot.assertNotEmitted(documents.text_search_started, wait=400):
        type_text(documents.filter_edit, "ب")
    assert names(documents) == []  # no name holds it, and no text search ran
    type_text(documents.filter_edit, "غداد")
    with qtbot.waitSignal(documents.text_search_finished, timeout=5000):
        qtbot.keyClick(documents.filter_edit, Qt.Key.Key_Return)  # searches at once
    assert len(names(documents)) == 3
    qtbot.mouseClick(documents.text_toggle, Qt.MouseButton.LeftButton)
    assert names(documents) == []


def test_a_failed_text_search_leaves_the_name_matches(news_db: Database, qtbot: QtBot) -> None:
    def unreachable(query: str) -> set[int]:
        raise OSError("the database server went away")

    documents = open_list(qtbot, news_db, text_search=unreachable)
    documents.text_toggle.setChecked(True)
    with qtbot.waitSignal(documents.text_search_finished, timeout=5000) as finished:
        qtbot.keyClicks(documents.filter_edit, "report-3")
    assert finished.args == ["report-3", -1]
    assert names(documents) == ["report-3"]


def test_without_a_text_search_the_option_is_hidden(news_db: Database, qtbot: QtBot) -> None:
    documents = open_list(qtbot, news_db)
    assert not documents.text_toggle.isVisible()
    assert documents.filter_edit.placeholderText().startswith("Filter by name")
