"""The annotator prompt, typed into through qtbot, and the name kept in the settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from annotator.db.engine import Database
from annotator.store.projects import ensure_annotator, list_annotators
from ui.common.annotator_prompt import (
    SETTINGS_KEY,
    AnnotatorDialog,
    ask_annotator_name,
    load_annotator,
    save_annotator,
)
from ui.common.settings import app_settings


def answer_with(qtbot: QtBot, act: Callable[[AnnotatorDialog], None]) -> list[AnnotatorDialog]:
    """Act on the prompt once it is open (it is modal: ``exec`` blocks the test)."""
    seen: list[AnnotatorDialog] = []

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AnnotatorDialog)
        seen.append(dialog)
        try:
            act(dialog)
        finally:
            if dialog.isVisible():  # a failed check must not leave the test blocked
                dialog.reject()

    QTimer.singleShot(0, run)
    return seen


def test_a_typed_name_is_trimmed_returned_and_saved(
    qtbot: QtBot, empty_db: Database, screenshot: Callable[[QWidget, str], Path]
) -> None:
    for name in ("sara", "Omar"):
        ensure_annotator(empty_db, name)
    states: list[tuple[bool, list[str]]] = []

    def type_name(dialog: AnnotatorDialog) -> None:
        items = [dialog.combo.itemText(i) for i in range(dialog.combo.count())]
        states.append((dialog.ok_button.isEnabled(), items))
        qtbot.keyClicks(dialog.combo.lineEdit(), "   ")
        states.append((dialog.ok_button.isEnabled(), []))  # blanks are still empty
        qtbot.keyClicks(dialog.combo.lineEdit(), "Layla ")
        states.append((dialog.ok_button.isEnabled(), []))
        screenshot(dialog, "annotator_prompt")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    seen = answer_with(qtbot, type_name)
    assert ask_annotator_name(None, None, list_annotators(empty_db)) == "Layla"
    assert seen and states == [(False, ["Omar", "sara"]), (False, []), (True, [])]

    assert load_annotator() == "tester"  # conftest's; asking does not save by itself
    save_annotator("  Layla ")
    assert load_annotator() == "Layla"
    assert app_settings().value(SETTINGS_KEY) == "Layla"


def test_the_current_name_is_offered_and_cancel_returns_none(qtbot: QtBot) -> None:
    offered: list[tuple[str, bool]] = []

    def cancel(dialog: AnnotatorDialog) -> None:
        offered.append((dialog.name(), dialog.ok_button.isEnabled()))
        qtbot.keyClick(dialog.combo.lineEdit(), Qt.Key.Key_Escape)

    answer_with(qtbot, cancel)
    assert ask_annotator_name(None, "sara", ["sara"]) is None
    assert offered == [("sara", True)]

    def keep(dialog: AnnotatorDialog) -> None:
        qtbot.keyClick(dialog.combo.lineEdit(), Qt.Key.Key_Return)  # OK is the default

    answer_with(qtbot, keep)
    assert ask_annotator_name(None, "sara", []) == "sara"


def test_typing_a_prefix_of_a_known_name_keeps_what_was_typed(qtbot: QtBot) -> None:
    dialog = AnnotatorDialog(None, ["Samira"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.combo.lineEdit(), "Sam")
    assert dialog.name() == "Sam"  # suggested in a popup, not completed in place
