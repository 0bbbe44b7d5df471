"""What the import and export dialog tests share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from ui.io.task_dialog import TaskDialog

Screenshot = Callable[[QWidget, str], Path]
LEFT = Qt.MouseButton.LeftButton
D = TypeVar("D", bound=TaskDialog)


def shown(dialog: D, qtbot: QtBot) -> D:
    """``dialog``, shown (not modal) and closed after the test."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def choose(combo: QComboBox, value: object) -> None:
    """Pick the item whose data is ``value``."""
    combo.setCurrentIndex(combo.findData(value))


def cancel_at_first_progress(dialog: TaskDialog, qtbot: QtBot) -> list[str]:
    """Press the dialog's Cancel when the first progress signal reaches this thread;
    returns the names of the threads it was pressed on.

    The worker waits inside that progress call until Cancel has been pressed (connected
    second, the wait starts after the signal is queued), so the run cannot end first."""
    pressed: list[str] = []

    def press(done: int, total: int) -> None:
        pressed.append(threading.current_thread().name)
        qtbot.mouseClick(dialog.cancel_button, LEFT)

    dialog.task_started.connect(lambda task: task.progress.connect(press))
    dialog.task_started.connect(lambda task: task.progress.connect(
        lambda done, total: task.cancel_event.wait(10), Qt.ConnectionType.DirectConnection))
    return pressed
