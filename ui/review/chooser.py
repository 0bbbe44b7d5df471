"""Choosing two or more annotators to compare (review mode, the agreement report)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.store.projects import GOLD


class AnnotatorChooser(QDialog):
    """A checklist of annotators; OK needs two or more. Gold starts unchecked."""

    def __init__(self, annotators: Sequence[str], title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.list = QListWidget(self)
        for name in annotators:
            item = QListWidgetItem(name, self.list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if name == GOLD
                               else Qt.CheckState.Checked)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Compare these annotators (two or more):", self))
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self._check()

    def chosen(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _check(self, *_args: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(len(self.chosen()) >= 2)


def choose_annotators(parent: QWidget, annotators: Sequence[str], title: str
                      ) -> list[str] | None:
    """Ask which annotators to compare; None when cancelled. Tests monkeypatch this."""
    dialog = AnnotatorChooser(annotators, title, parent)
    try:
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
