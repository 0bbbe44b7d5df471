"""View ▸ Refresh (F5) on SQLite and PostgreSQL: work another laptop saved (a second
``Database`` on the same location, its own engine and connections) shows only after F5,
in review mode (layers, classes, queue order, statuses) and in tagging mode (spans, the
list row), and the open document, the selection and the scroll position stay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from annotator.db.engine import Database, open_database
from annotator.db.models import Status
from annotator.review import agreement_report
from annotator.store.documents import get_document
from annotator.store.gold import delete_gold_span, gold_spans
from annotator.store.projects import ensure_project
from annotator.store.spans import add_span, set_status
from tests.ui.test_review_data import where
from ui.io.background import Task
from ui.main_window import MainWindow
from ui.review.classes import CONFLICT
from ui.review.pane import DONE_MARK, ReviewPane
from ui.review.refresh import AUTO_REFRESH_SECONDS

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Task, "synchronous", True)


@pytest.fixture
def laptop(sample_db: Database) -> Iterator[Database]:
    """The same database opened again, as another annotator's laptop would."""
    other = open_database(sample_db.url.render_as_string(hide_password=False))
    yield other
    other.close()


def shown(pane: ReviewPane) -> set[int]:
    return set(pane.view.painter.index.by_id)


def queue_text(pane: ReviewPane, document_id: int) -> tuple[str, str]:
    item = pane.queue.item(pane.queue_ids().index(document_id))
    return item.text(), item.toolTip()


def test_f5_shows_what_two_annotators_saved_elsewhere(
        qtbot: QtBot, review: tuple, laptop: Database, screenshot: Callable[..., Path],
        distinct_colours: Callable) -> None:
    window, pane, ids = review
    agreed = pane.queue_ids()[-1]  # document 3: both made the same span, so it is last
    assert agreed == 3
    pane.queue.setCurrentRow(pane.queue.count() - 1)
    kept = ids[(3, "huda", "LOCATION", pane.view.text().split()[0])]
    pane.view.select_span(kept)
    order = pane.queue_ids()
    before = shown(pane)
    assert DONE_MARK not in queue_text(pane, 3)[0]
    screenshot(window, "review-refresh-before")

    # Elsewhere: huda and omar label a word differently, huda adds a second span,
    # and both mark the document done.
    words = [w for w in pane.view.text().split() if len(w) > 3]
    a, b = where(laptop, 3, words[3]), where(laptop, 3, words[6])
    conflict = {add_span(laptop, 3, "huda", "PERSON", *a).id,
                add_span(laptop, 3, "omar", "ORGANIZATION", *a).id}
    new = conflict | {add_span(laptop, 3, "huda", "DATE", *b).id}
    set_status(laptop, 3, "huda", Status.DONE)
    set_status(laptop, 3, "omar", Status.DONE)

    qtbot.wait(50)  # nothing polls: the view still shows what it read
    assert shown(pane) == before and pane.queue_ids() == order
    assert "huda: in progress, 1 span" in queue_text(pane, 3)[1]

    qtbot.keyClick(pane.view, Qt.Key.Key_F5)

    assert shown(pane) == before | new
    assert {pane.classes[i] for i in conflict} == {CONFLICT}
    assert set(pane.view.difference_ids) == new  # Tab visits them
    assert pane.document_id == 3 and pane.view.selected_span == kept
    # The document disagrees now: it moves up the queue (the core's ranking) and stays
    # the open one.
    core = agreement_report(laptop, ensure_project(laptop), ["huda", "omar"])
    assert pane.queue_ids() == [d.document_id for d in core.documents] != order
    assert pane.queue_ids().index(3) < order.index(3)
    assert pane.queue.currentRow() == pane.queue_ids().index(3)
    text, tip = queue_text(pane, 3)
    assert text.endswith(f" {DONE_MARK * 2}")
    assert tip == "huda: done, 3 spans\nomar: done, 2 spans"
    assert window.statusBar().currentMessage() == (
        "Refreshed: 3 new spans from 2 annotators, 2 statuses changed, queue reordered")
    path = screenshot(window, "review-refresh-after")
    assert distinct_colours(QImage(str(path))) > 30

    qtbot.keyClick(pane.view, Qt.Key.Key_F5)  # again: nothing came in
    assert window.statusBar().currentMessage() == "Refreshed: nothing new"


def test_an_undo_the_others_made_impossible_fails_cleanly(
        qtbot: QtBot, review: tuple, sample_db: Database, laptop: Database) -> None:
    window, pane, ids = review
    pane.queue.setCurrentRow(pane.queue_ids().index(1))
    source = ids[(1, "huda", "ORGANIZATION", "اتحاد صناعة السيارات")]
    pane.view.select_span(source)
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    [gold] = gold_spans(sample_db, 1)
    # Another adjudicator removes that gold span on their laptop; F5 shows it gone.
    delete_gold_span(laptop, gold.id)
    qtbot.keyClick(pane.view, Qt.Key.Key_F5)
    assert gold.id not in shown(pane) and pane.gold == {}

    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)

    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot undo \u201cAccept ORGANIZATION into gold\u201d: ")
    assert f"no span {gold.id}" in message and "no longer in the undo history" in message
    assert pane.undo_stack.count() == 0 and not pane.undo_stack.canRedo()
    assert gold_spans(sample_db, 1) == [] and source in shown(pane)
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert gold_spans(sample_db, 1) == []  # nothing to redo, nothing written


def test_an_undo_the_refresh_left_possible_still_works(
        qtbot: QtBot, review: tuple, sample_db: Database, laptop: Database) -> None:
    _window, pane, ids = review
    pane.queue.setCurrentRow(pane.queue_ids().index(1))
    pane.view.select_span(ids[(1, "omar", "LOCATION", "المانيا")])
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    assert len(gold_spans(sample_db, 1)) == 1
    add_span(laptop, 1, "omar", "DATE", *where(laptop, 1, "امس الاول"))
    qtbot.keyClick(pane.view, Qt.Key.Key_F5)
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)
    assert gold_spans(sample_db, 1) == []
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert len(gold_spans(sample_db, 1)) == 1


def test_f5_in_tagging_mode_keeps_the_document_and_the_scroll(
        qtbot: QtBot, sample_db: Database, laptop: Database,
        open_window: Callable[..., MainWindow]) -> None:
    window = open_window(sample_db)
    listed = window.document_list
    long = max(listed.rows(), key=lambda row: row.length).id
    window.open_document(long)
    view = window.article.view
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    text = view.text()
    word = next(w for w in text.split()[40:] if len(w) > 3)
    # The same annotator on another laptop tags a word and marks the document done.
    span = add_span(laptop, long, "tester", "PERSON", *where(laptop, long, word))
    set_status(laptop, long, "tester", Status.DONE)
    row = next(r for r in listed.rows() if r.id == long)
    assert (row.status, row.span_count) == (Status.NEW, 0)
    assert span.id not in view.painter.index.by_id

    qtbot.keyClick(view, Qt.Key.Key_F5)

    assert span.id in view.painter.index.by_id
    assert [s.id for s in window.tagging.spans] == [span.id]
    row = next(r for r in listed.rows() if r.id == long)
    assert (row.status, row.span_count) == (Status.DONE, 1)
    assert window.current_document_id() == long == listed.current_document_id()
    assert bar.value() == bar.maximum() // 2
    assert window.statusBar().currentMessage() == (
        "Refreshed: 1 new span from tester, 1 status changed")
    assert window.progress_status.text().startswith("1 of ")


def test_regaining_the_focus_refreshes_at_most_every_30_seconds(
        sample_db: Database, laptop: Database, open_window: Callable[..., MainWindow]) -> None:
    window = open_window(sample_db)
    current = window.current_document_id()
    assert current is not None
    word = window.article.view.text().split()[2]
    span = add_span(laptop, current, "tester", "PERSON", *where(laptop, current, word))

    def regain_focus() -> None:
        QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))

    regain_focus()  # just opened: too soon to read again
    assert span.id not in window.article.view.painter.index.by_id
    window.refreshed_at -= AUTO_REFRESH_SECONDS
    regain_focus()
    assert span.id in window.article.view.painter.index.by_id
    assert window.statusBar().currentMessage() == (
        "Refreshed: 1 new span from tester, 1 status changed")  # a span: in progress
    window.statusBar().clearMessage()
    window.refreshed_at -= AUTO_REFRESH_SECONDS
    regain_focus()  # nothing new: nothing to say
    assert window.statusBar().currentMessage() == ""


def test_f5_while_the_queue_is_being_ranked_ranks_once_more(
        qtbot: QtBot, review: tuple, laptop: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window, pane, _ids = review
    monkeypatch.setattr(Task, "synchronous", False)  # the ranking on a worker thread
    assert 4 not in pane.queue_ids()
    word = get_document(laptop, 4).text.split()[1]
    add_span(laptop, 4, "huda", "PERSON", *where(laptop, 4, word))
    with qtbot.waitSignal(pane.queue_ready, timeout=60_000):
        qtbot.keyClick(pane.view, Qt.Key.Key_F5)
        add_span(laptop, 4, "omar", "DATE", *where(laptop, 4, word))
        qtbot.keyClick(pane.view, Qt.Key.Key_F5)  # while the first one runs, or after
    qtbot.waitUntil(lambda: not pane.task.running, timeout=60_000)
    assert 4 in pane.queue_ids()  # both annotators touched it now
    assert window.statusBar().currentMessage().startswith("Refreshed: ")


def test_f5_brings_the_queue_once_both_annotators_have_work(
        qtbot: QtBot, sample_db: Database, laptop: Database,
        open_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(sample_db)
    monkeypatch.setattr("ui.main_window.choose_annotators", lambda *a: ["huda", "omar"])
    window.review_action.trigger()
    pane = window.review_pane
    assert pane is not None and pane.queue_ids() == [] and pane.queue_error
    word = get_document(laptop, 2).text.split()[1]
    for who in ("huda", "omar"):
        add_span(laptop, 2, who, "PERSON", *where(laptop, 2, word))
    qtbot.keyClick(pane.view, Qt.Key.Key_F5)
    assert pane.queue_ids() == [2] and pane.document_id == 2 and pane.queue_error is None
    assert window.statusBar().currentMessage() == "1 document to review, most disagreement first"


def test_taking_a_side_is_undone_whole_or_not_at_all(
        qtbot: QtBot, review: tuple, sample_db: Database, laptop: Database) -> None:
    window, pane, ids = review
    pane.queue.setCurrentRow(pane.queue_ids().index(1))
    pane.view.select_span(ids[(1, "huda", "GPE", "المانيا")])
    qtbot.keyClick(pane.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    taken = gold_spans(sample_db, 1)
    assert len(taken) == 3
    delete_gold_span(laptop, taken[0].id)  # another adjudicator removes one of them
    qtbot.keyClick(pane.view, Qt.Key.Key_F5)
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)
    assert "1 of its 3 gold spans were removed elsewhere" in (
        window.statusBar().currentMessage())
    assert gold_spans(sample_db, 1) == taken[1:]  # the other two stay
    assert set(pane.gold) == {g.id for g in taken[1:]}
    assert pane.undo_stack.count() == 0
