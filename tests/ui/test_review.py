"""Review mode with real widgets and keys on a real database (SQLite, PostgreSQL): span
classes, the queue in the core's order, and A / X / undo writing gold spans with provenance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from annotator.db.engine import Database
from annotator.review import agreement_report
from annotator.store.gold import gold_spans
from annotator.store.projects import ensure_project
from tests.conftest import Backend
from ui.io.background import Task
from ui.review.classes import AGREED, CONFLICT, SINGLE
from ui.review.pane import ReviewPane

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Task, "synchronous", True)


def open_doc(pane: ReviewPane, document_id: int) -> None:
    pane.queue.setCurrentRow(pane.queue_ids().index(document_id))
    assert pane.document_id == document_id


def tab_to(qtbot: QtBot, pane: ReviewPane, span_id: int) -> None:
    """Tab through the differences until ``span_id`` is selected, as a user would."""
    for _ in range(len(pane.view.difference_ids)):
        qtbot.keyClick(pane.view, Qt.Key.Key_Tab)
        if pane.view.selected_span == span_id:
            return
    raise AssertionError(f"Tab never reached span {span_id}")


def test_spans_are_classified_for_two_annotators(review: tuple) -> None:
    _window, pane, ids = review
    open_doc(pane, 1)
    assert pane.classes == {
        ids[(1, "huda", "LOCATION", "فرانكفورت")]: AGREED,
        ids[(1, "omar", "LOCATION", "فرانكفورت")]: AGREED,
        ids[(1, "huda", "GPE", "المانيا")]: CONFLICT,
        ids[(1, "omar", "LOCATION", "المانيا")]: CONFLICT,
        ids[(1, "huda", "ORGANIZATION", "اتحاد صناعة السيارات")]: SINGLE,
    }
    # Tab visits the differences only, in text order
    assert set(pane.view.difference_ids) == {
        ids[(1, "huda", "GPE", "المانيا")], ids[(1, "omar", "LOCATION", "المانيا")],
        ids[(1, "huda", "ORGANIZATION", "اتحاد صناعة السيارات")]}
    open_doc(pane, 2)
    assert pane.classes[ids[(2, "omar", "ORGANIZATION", "موتورولا")]] == SINGLE
    assert pane.classes[ids[(2, "huda", "ORGANIZATION", "نوكيا")]] == AGREED


def test_queue_follows_the_core_ranking_and_n_p_step(qtbot: QtBot, review: tuple,
                                                     sample_db: Database) -> None:
    window, pane, _ids = review
    core = agreement_report(sample_db, ensure_project(sample_db), ["huda", "omar"])
    assert pane.queue_ids() == [d.document_id for d in core.documents]
    assert pane.document_id == core.documents[0].document_id  # the worst opens first
    qtbot.keyClick(pane.view, Qt.Key.Key_N)
    assert pane.document_id == core.documents[1].document_id
    qtbot.keyClick(pane.view, Qt.Key.Key_P)
    assert pane.document_id == core.documents[0].document_id
    qtbot.keyClick(pane.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert pane.document_id == core.documents[1].document_id


def test_a_accepts_into_gold_with_provenance_and_undo_removes_it(
        qtbot: QtBot, review: tuple, sample_db: Database) -> None:
    _window, pane, ids = review
    open_doc(pane, 1)
    source = ids[(1, "huda", "ORGANIZATION", "اتحاد صناعة السيارات")]
    tab_to(qtbot, pane, source)
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    [gold] = gold_spans(sample_db, 1)
    assert (gold.label, gold.source_span_id, gold.source_annotator, gold.adjudicated_by) == (
        "ORGANIZATION", source, "huda", "tester")
    assert gold.adjudicated_at and datetime.now(UTC) - gold.adjudicated_at < timedelta(minutes=1)
    assert gold.id in pane.gold and gold.id in pane.view.painter.index.by_id  # shown
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)
    assert gold_spans(sample_db, 1) == []
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [(g.id, g.source_span_id) for g in gold_spans(sample_db, 1)] == [(gold.id, source)]


def test_the_adjudication_time_is_shown_in_utc_whatever_the_server_time_zone(
        qtbot: QtBot, review: tuple, sample_db: Database, backend: Backend) -> None:
    _window, pane, ids = review
    if not backend.is_sqlite:  # a server in Baghdad: it hands times back at +03:00
        with sample_db.engine.connect() as conn:
            conn.exec_driver_sql(f"ALTER DATABASE \"{sample_db.url.database}\" "
                                 "SET TIME ZONE 'Asia/Baghdad'")
            conn.commit()
        sample_db.engine.dispose()  # new connections take the setting
        with sample_db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW TIME ZONE").scalar() == "Asia/Baghdad"
    open_doc(pane, 1)
    source = ids[(1, "huda", "ORGANIZATION", "اتحاد صناعة السيارات")]
    tab_to(qtbot, pane, source)
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    [gold] = gold_spans(sample_db, 1)
    assert gold.adjudicated_at is not None and gold.adjudicated_at.utcoffset() == timedelta(0)

    pane.view.select_span(gold.id)
    when = gold.adjudicated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert f"adjudicated by tester at {when}" in pane.details.text()


def test_x_rejects_and_undo_restores(qtbot: QtBot, review: tuple,
                                     sample_db: Database) -> None:
    _window, pane, ids = review
    open_doc(pane, 1)
    omar = ids[(1, "omar", "LOCATION", "المانيا")]
    tab_to(qtbot, pane, omar)
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    assert [g.source_annotator for g in gold_spans(sample_db, 1)] == ["omar"]
    qtbot.keyClick(pane.view, Qt.Key.Key_X)  # the annotator's span: its gold copy goes
    assert gold_spans(sample_db, 1) == []
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)
    assert [g.source_span_id for g in gold_spans(sample_db, 1)] == [omar]


def test_leaving_review_mode_returns_to_tagging(review: tuple) -> None:
    window, _pane, _ids = review
    window.leave_review_action.trigger()
    assert window.review_pane is None and window.stack.currentWidget() is window.splitter
    assert not window.leave_review_action.isEnabled()


def test_screenshot_of_review_mode(qtbot: QtBot, review: tuple,
                                   screenshot: Callable[..., Path],
                                   distinct_colours: Callable) -> None:
    window, pane, ids = review
    open_doc(pane, 1)
    tab_to(qtbot, pane, ids[(1, "huda", "ORGANIZATION", "اتحاد صناعة السيارات")])
    qtbot.keyClick(pane.view, Qt.Key.Key_A)
    tab_to(qtbot, pane, ids[(1, "huda", "GPE", "المانيا")])
    path = screenshot(window, "review-mode")
    from PySide6.QtGui import QImage

    assert distinct_colours(QImage(str(path))) > 30


def test_take_a_side_then_edit_gold_by_keyboard(qtbot: QtBot, review: tuple,
                                                sample_db: Database) -> None:
    _window, pane, ids = review
    open_doc(pane, 1)
    tab_to(qtbot, pane, ids[(1, "huda", "GPE", "المانيا")])
    qtbot.keyClick(pane.view, Qt.Key.Key_A, SHIFT)  # all of huda's spans here
    gold = gold_spans(sample_db, 1)
    assert sorted(g.label for g in gold) == ["GPE", "LOCATION", "ORGANIZATION"]
    assert {g.source_annotator for g in gold} == {"huda"}
    gpe = next(g for g in gold if g.label == "GPE")
    pane.view.select_span(gpe.id)
    qtbot.keyClick(pane.view, Qt.Key.Key_3)  # LOCATION's hotkey relabels the gold span
    edited = next(g for g in gold_spans(sample_db, 1) if g.id == gpe.id)
    assert (edited.label, edited.source_annotator, edited.adjudicated_by) == (
        "LOCATION", "huda", "tester")
    # Alt+Right moves the end edge back one token (right to left text)
    pane.view.select_span(gpe.id)
    before = (edited.start, edited.end)
    text = pane.view.text()
    qtbot.keyClick(pane.view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    moved = next(g for g in gold_spans(sample_db, 1) if g.id == gpe.id)
    assert moved.start == before[0] and moved.end > before[1]
    assert text[moved.start:moved.end].startswith("المانيا ")
    for _ in range(3):
        qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)
    assert gold_spans(sample_db, 1) == []
    # no label key reached the tagging annotator while reviewing
    from annotator.store.documents import document_spans

    assert document_spans(sample_db, 1, "tester") == []


def test_document_actions_wait_while_reviewing(review: tuple) -> None:
    window, _pane, _ids = review
    assert not any(a.isEnabled() for a in window.menus.document_menu.actions())
    window.leave_review_action.trigger()
    assert all(a.isEnabled() for a in window.menus.document_menu.actions()
               if not a.isSeparator())


def test_a_label_key_over_selected_text_draws_a_gold_span(qtbot: QtBot, review: tuple,
                                                          sample_db: Database) -> None:
    _window, pane, _ids = review
    open_doc(pane, 1)
    text = pane.view.text()
    start = text.index("امس الاول")
    pane.view.select_range(start, start + len("امس الاول"))
    qtbot.keyClick(pane.view, Qt.Key.Key_6)  # DATE
    [gold] = gold_spans(sample_db, 1)
    assert (gold.label, text[gold.start:gold.end], gold.source_span_id,
            gold.adjudicated_by) == ("DATE", "امس الاول", None, "tester")
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL)
    assert gold_spans(sample_db, 1) == []
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [g.id for g in gold_spans(sample_db, 1)] == [gold.id]
