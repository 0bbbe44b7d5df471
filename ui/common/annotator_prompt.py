"""Who is annotating: the prompt for an annotator name, and where the name is kept.

Every span is stored under the name of the annotator who made it, and an annotator
changes only their own spans; so the window asks once and remembers the answer in the
user's settings.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.common.settings import app_settings

SETTINGS_KEY = "annotator/name"
MAX_NAME = 128  # the database's limit (annotator.name)


class AnnotatorDialog(QDialog):
    """Asks for an annotator name: an editable list of the names already in the
    database, OK only while the (trimmed) name is not empty."""

    def __init__(self, current: str | None, known: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotator")
        intro = QLabel(
            "<b>Who is annotating?</b><br>Every span you mark is saved under your "
            "annotator name, so that your work can be compared with other annotators' and "
            "nobody changes anyone else's spans. Use the same name each time.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.combo = QComboBox(self)
        edit = QLineEdit(self.combo)
        self.combo.setLineEdit(edit)  # editable; before the completer, which it replaces
        edit.setMaxLength(MAX_NAME)
        edit.setPlaceholderText("Your name or initials")
        edit.setClearButtonEnabled(True)
        # Typing adds nothing to the list, and suggestions pop up instead of completing
        # in place, so what is typed ("Sam") is what is saved, not a longer known name.
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(sorted(set(known), key=str.casefold))
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.combo.setCompleter(completer)
        self.combo.setCurrentText(current or "")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.combo.currentTextChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.combo)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update_ok()
        edit.selectAll()
        self.combo.setFocus()

    def name(self) -> str:
        """The name as typed, without surrounding blanks."""
        return self.combo.currentText().strip()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.name()))


def ask_annotator_name(parent: QWidget | None, current: str | None,
                       known: list[str]) -> str | None:
    """Ask who is annotating; the trimmed name, or None when the user cancels."""
    dialog = AnnotatorDialog(current, known, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.name() if accepted and dialog.name() else None


def load_annotator() -> str | None:
    """The annotator name saved in the user's settings, if any."""
    value = app_settings().value(SETTINGS_KEY)
    name = value.strip() if isinstance(value, str) else ""
    return name or None


def save_annotator(name: str) -> None:
    """Remember ``name`` (trimmed) as the annotator for the next start."""
    settings = app_settings()
    settings.setValue(SETTINGS_KEY, name.strip())
    settings.sync()
