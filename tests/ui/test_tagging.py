"""Tagging with real mouse and keyboard events; the database is checked after each step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from annotator.db.engine import Database, open_database
from annotator.db.models import Status
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans, list_documents
from annotator.store.projects import ensure_project
from annotator.store.spans import document_relations
from tests.conftest import SEED_DIR, Backend
from ui.main_window import MainWindow
from ui.tagging.view import TaggingView

Opener = Callable[..., MainWindow]
NO = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


def point_at(view: TaggingView, index: int) -> QPoint:
    """A viewport point inside the character at Python offset ``index``."""
    cursor = QTextCursor(view.document())
    q = view.umap.to_qt(index)
    cursor.setPosition(q)
    if not view.viewport().rect().contains(view.cursorRect(cursor).center()):
        reveal(view, index)  # scroll it into view first, as a user would
    here = view.cursorRect(cursor)
    cursor.setPosition(q + 1)
    there = view.cursorRect(cursor)
    if here.center().y() == there.center().y():  # same line: between the two edges
        return QPoint((here.center().x() + there.center().x()) // 2, here.center().y())
    return QPoint(here.center().x() - 3, here.center().y())


def reveal(view: TaggingView, index: int) -> None:
    """Scroll so that the character at ``index`` is in the middle of the view."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.umap.to_qt(index))
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + view.cursorRect(cursor).center().y() - view.viewport().height() // 2)


def mouse(view: TaggingView, kind: QEvent.Type, at: QPoint,
          buttons: Qt.MouseButton = LEFT, mods: Qt.KeyboardModifier = NO) -> None:
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else LEFT
    event = QMouseEvent(kind, QPointF(at), QPointF(view.viewport().mapToGlobal(at)),
                        button, buttons, mods)
    QApplication.sendEvent(view.viewport(), event)


def drag(view: TaggingView, a: QPoint, b: QPoint, mods: Qt.KeyboardModifier = NO) -> None:
    """Press at ``a``, move to ``b`` in steps with the button held, release."""
    mouse(view, QEvent.Type.MouseButtonPress, a, mods=mods)
    for k in range(1, 7):
        mouse(view, QEvent.Type.MouseMove, a + (b - a) * k / 6, mods=mods)
    mouse(view, QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton, mods)


def click(view: TaggingView, at: QPoint) -> None:
    mouse(view, QEvent.Type.MouseButtonPress, at)
    mouse(view, QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.NoButton)


def spans(db: Database, doc: int = 1) -> list[tuple[str, str]]:
    text = list_text(db, doc)
    return [(s.label, text[s.start : s.end]) for s in document_spans(db, doc, "tester")]


def list_text(db: Database, doc: int) -> str:
    from annotator.store.documents import get_document

    return get_document(db, doc).text


def key(qtbot: QtBot, view: TaggingView, k: Qt.Key, mods: Qt.KeyboardModifier = NO) -> None:
    qtbot.keyClick(view, k, mods)


def open_on(db: Database, open_window: Opener, *paths: Path) -> tuple[MainWindow, TaggingView]:
    import_paths(db, list(paths))
    window = open_window(db)
    view = window.article.view
    view.setFocus()
    return window, view


def three_articles(folder: Path) -> list[Path]:
    for n in range(3):
        (folder / f"{n}.txt").write_text(f"خبر رقم {n}", encoding="utf-8")
    return sorted(folder.glob("*.txt"))


def tag_lavrov_quote(qtbot: QtBot, view: TaggingView) -> tuple[int, int]:
    """Tag the seed article's quote of Lavrov (QUOTE, key 9); return its offsets."""
    text = view.text()
    q0 = text.index('"لافروف أعلن')
    q1 = text.index('المحادثات".') + len('المحادثات"')
    view.select_range(q0, q1)
    key(qtbot, view, Qt.Key.Key_9)
    return q0, q1


@pytest.fixture
def db(empty_db: Database) -> Database:
    return empty_db


def test_mouse_drag_and_hotkey_store_the_exact_arabic_words(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    start = text.index("جون كيري")
    end = start + len("جون كيري")
    reveal(view, start)
    # From inside the first word to inside the second: snaps to both whole words.
    drag(view, point_at(view, start + 1), point_at(view, end - 2))
    assert text[slice(*view.selection())] == "جون كيري"
    assert "جون كيري" in window.selection_status.text()
    key(qtbot, view, Qt.Key.Key_1)  # PERSON
    assert spans(db) == [("PERSON", "جون كيري")]
    (span,) = document_spans(db, 1, "tester")
    assert (span.start, span.end, span.origin) == (start, end, "manual")


def test_alt_drag_selects_exact_characters(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    word = text.index("وأضافت")  # the clitic و + أضافت
    reveal(view, word)
    drag(view, point_at(view, word + 1), point_at(view, word + 5), Qt.KeyboardModifier.AltModifier)
    assert text[slice(*view.selection())] == "أضافت"
    key(qtbot, view, Qt.Key.Key_5)
    assert spans(db) == [("EVENT", "أضافت")]


def test_keyboard_selection_and_hotkey(db: Database, open_window: Opener, qtbot: QtBot) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    start = text.index("سيرجي لافروف")
    click(view, point_at(view, start))  # caret before سيرجي
    cursor = view.textCursor()
    assert view.umap.from_qt(cursor.position()) in (start, start + 1)
    cursor.setPosition(view.umap.to_qt(start))
    view.setTextCursor(cursor)
    for _ in range(len("سيرجي لافروف")):
        # Left is forward in a right-to-left paragraph.
        key(qtbot, view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert text[slice(*view.selection())] == "سيرجي لافروف"
    key(qtbot, view, Qt.Key.Key_1)
    assert spans(db) == [("PERSON", "سيرجي لافروف")]


def test_offsets_stay_exact_after_an_emoji_and_in_a_crlf_file(
    db: Database, open_window: Opener, qtbot: QtBot, tmp_path: Path
) -> None:
    (tmp_path / "emoji.txt").write_text(
        "قال 😀 الرئيس 👍🏽 عبد الفتاح السيسي اليوم", encoding="utf-8"
    )
    (tmp_path / "crlf.txt").write_bytes(
        "سطر أول\r\nقالت الوزيرة هيلاري كلينتون إن\r\nالاتفاق قريب\r\n".encode()
    )
    window, view = open_on(db, open_window, tmp_path / "emoji.txt", tmp_path / "crlf.txt")
    text = view.text()
    start = text.index("عبد")
    end = text.index("السيسي") + len("السيسي")
    reveal(view, start)
    drag(view, point_at(view, start), point_at(view, end - 1))
    key(qtbot, view, Qt.Key.Key_1)
    (span,) = document_spans(db, 1, "tester")
    assert (span.start, span.end) == (start, end)
    assert text[span.start : span.end] == "عبد الفتاح السيسي"
    assert view.umap.to_qt(start) == start + 3  # two emoji before it, 3 extra UTF-16 units

    window.next_document()
    text = view.text()
    assert "\r" not in text and text.count("\n") == 3
    start = text.index("هيلاري")
    reveal(view, start)
    drag(view, point_at(view, start + 2), point_at(view, start + 10))
    key(qtbot, view, Qt.Key.Key_1)
    assert spans(db, 2) == [("PERSON", "هيلاري كلينتون")]


def test_nested_spans_click_cycles_relabel_resize_delete_undo_redo(
    db: Database, open_window: Opener, qtbot: QtBot, screenshot: Callable[..., Path],
    distinct_colours: Callable[..., int],
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    q0, q1 = tag_lavrov_quote(qtbot, view)
    p = text.index("لافروف أعلن")
    reveal(view, p)
    drag(view, point_at(view, p + 1), point_at(view, p + 3))
    key(qtbot, view, Qt.Key.Key_1)  # PERSON inside the quote
    assert sorted(spans(db)) == [("PERSON", "لافروف"), ("QUOTE", text[q0:q1])]
    person, quote = sorted(document_spans(db, 1, "tester"), key=lambda s: s.end - s.start)
    view.select_span(None)
    shot = screenshot(window, "tagging_nested")  # for people to look at
    from PySide6.QtGui import QImage

    assert distinct_colours(QImage(str(shot))) > 20

    # Clicking the stack selects the innermost span, clicking again the next one.
    view.select_span(None)
    click(view, point_at(view, p + 2))
    assert view.selected_span == person.id
    click(view, point_at(view, p + 2))
    assert view.selected_span == quote.id
    click(view, point_at(view, p + 2))
    assert view.selected_span == person.id

    key(qtbot, view, Qt.Key.Key_2)  # relabel PERSON -> ORGANIZATION
    assert ("ORGANIZATION", "لافروف") in spans(db)
    key(qtbot, view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # end edge + 1 token
    assert ("ORGANIZATION", "لافروف أعلن") in spans(db)
    key(qtbot, view, Qt.Key.Key_Delete)
    assert spans(db) == [("QUOTE", text[q0:q1])]

    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo delete
    assert ("ORGANIZATION", "لافروف أعلن") in spans(db)
    assert person.id in {s.id for s in document_spans(db, 1)}  # back under its old id
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo resize
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo relabel
    assert ("PERSON", "لافروف") in spans(db)
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    for _ in range(3):
        key(qtbot, view, Qt.Key.Key_Z, redo)
    assert spans(db) == [("QUOTE", text[q0:q1])]


def test_dragging_an_edge_moves_it(db: Database, open_window: Opener, qtbot: QtBot) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    s = text.index("وزير الخارجية الأمريكي")
    view.select_range(s, s + len("وزير"))
    key(qtbot, view, Qt.Key.Key_2)
    (span,) = document_spans(db, 1, "tester")
    view.select_span(span.id)
    # Grab the end edge (the left side of وزير) and drag it over الخارجية.
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.umap.to_qt(span.end))
    grab = view.cursorRect(cursor).center()
    target = point_at(view, text.index("الخارجية") + 5)
    drag(view, grab, target)
    assert spans(db) == [("ORGANIZATION", "وزير الخارجية")]


def test_relations_by_keyboard_and_by_mouse(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    tag_lavrov_quote(qtbot, view)
    quote = view.selected_span  # a new span stays selected
    lavrov = text.index("لافروف أعلن")
    view.select_range(lavrov, lavrov + 6)
    key(qtbot, view, Qt.Key.Key_1)
    person = view.selected_span
    kerry = text.index("جون كيري")
    view.select_range(kerry, kerry + 8)
    key(qtbot, view, Qt.Key.Key_1)
    kerry_id = view.selected_span

    # Keyboard: select the quote, S (SPEAKER), Tab to the partner, Enter.
    view.select_span(quote)
    key(qtbot, view, Qt.Key.Key_S)
    assert view.linking and view.painter.candidates == {person, kerry_id}
    seen = []
    for _ in range(3):  # Tab goes through the candidates only
        key(qtbot, view, Qt.Key.Key_Tab)
        seen.append(view.selected_span)
        if view.selected_span == person:
            break
    assert set(seen) <= {person, kerry_id} and view.selected_span == person
    key(qtbot, view, Qt.Key.Key_Return)
    rels = document_relations(db, 1, "tester")
    assert [(r.from_span_id, r.to_span_id, r.type) for r in rels] == [(quote, person, "SPEAKER")]
    assert not view.linking

    # Mouse: S again, then click Kerry.
    view.select_span(quote)
    key(qtbot, view, Qt.Key.Key_S)
    view.scroll_to_span(kerry_id)
    click(view, point_at(view, kerry + 2))
    assert {(r.to_span_id, r.type) for r in document_relations(db, 1)} == {
        (person, "SPEAKER"), (kerry_id, "SPEAKER")
    }
    # Hovering the quote outlines its partners.
    view.select_span(quote)
    assert view.painter.partners == {person, kerry_id}
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(document_relations(db, 1)) == 1


def test_mark_done_goes_to_the_next_unfinished(
    db: Database, open_window: Opener, qtbot: QtBot, tmp_path: Path
) -> None:
    window, view = open_on(db, open_window, *three_articles(tmp_path))
    assert window.current_document_id() == 1
    key(qtbot, view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.current_document_id() == 2
    rows = list_documents(db, ensure_project(db), "tester")
    assert [r.status for r in rows] == [Status.DONE, Status.NEW, Status.NEW]
    assert window.progress_status.text() == "1 of 3 done"
    assert window.document_list.model.document_at(0).status == Status.DONE


def test_a_span_across_paragraphs_and_nothing_lost_on_close(
    db: Database, open_window: Opener, qtbot: QtBot, tmp_path: Path
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    text = view.text()
    start = text.index("أهم أخبار مصر")  # site boilerplate at the bottom, three paragraphs
    view.select_range(start, len(text.rstrip()))
    key(qtbot, view, Qt.Key.Key_0)  # BOILERPLATE
    (span,) = document_spans(db, 1, "tester")
    assert text[span.start : span.end] == "أهم أخبار مصر\n\nComments\n\nعاجل"
    view.scroll_to_span(span.id)
    rects = view.painter.span_rects(span.id)
    assert len({round(r.top()) for r in rects}) == 3  # painted on each paragraph's line
    window.close()

    again = open_database(db.url.render_as_string(hide_password=False))
    assert [(s.label, s.start, s.end) for s in document_spans(again, 1, "tester")] == [
        ("BOILERPLATE", span.start, span.end)
    ]
    again.close()


def test_mark_done_works_while_a_filter_hides_the_open_document(
    db: Database, open_window: Opener, qtbot: QtBot, tmp_path: Path
) -> None:
    window, view = open_on(db, open_window, *three_articles(tmp_path))
    window.document_list.filter_edit.setText("zzz")  # hides every row
    assert window.document_list.proxy.rowCount() == 0
    assert window.current_document_id() == 1
    view.setFocus()
    key(qtbot, view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    statuses = [r.status for r in list_documents(db, ensure_project(db), "tester")]
    assert statuses == [Status.DONE, Status.NEW, Status.NEW]
    assert window.current_document_id() == 2


def test_a_database_that_refuses_writes_gets_a_clear_message(
    db: Database, open_window: Opener, qtbot: QtBot, backend: Backend
) -> None:
    from sqlalchemy import event

    window, view = open_on(db, open_window, SEED_DIR)
    # From now on the database itself refuses every write: SQLite says "attempt to write a
    # readonly database", PostgreSQL "cannot execute INSERT in a read-only transaction".
    refuse = ("PRAGMA query_only = 1" if backend.is_sqlite
              else "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    def read_only(conn: Any, _record: object) -> None:
        cursor = conn.cursor()
        cursor.execute(refuse)
        cursor.close()
        conn.commit()

    event.listen(db.engine, "connect", read_only)
    db.engine.dispose()
    text = view.text()
    start = text.index("جون كيري")
    view.select_range(start, start + 8)
    key(qtbot, view, Qt.Key.Key_1)
    assert "Not saved" in window.statusBar().currentMessage()
    assert ("readonly" if backend.is_sqlite else "read-only") in window.statusBar().currentMessage()
    # Kept, shown and tried again (tests/ui/test_save_retry.py): saved once it can be.
    assert window.tagging.pending.count() == 1 and document_spans(db, 1, "tester") == []
    event.remove(db.engine, "connect", read_only)
    db.engine.dispose()
    qtbot.waitUntil(lambda: window.tagging.pending.count() == 0, timeout=15_000)
    assert [(s.start, s.end) for s in document_spans(db, 1, "tester")] == [(start, start + 8)]
