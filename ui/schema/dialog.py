"""Editing a project's label schema: a table of labels over ``annotator.store.labels``.

Every edit is applied at once by a core function in its own transaction, and the table
then shows what the database holds, so a refused edit (a duplicate name or hotkey, a bad
colour) snaps back and its reason is shown under the table. A label in use is never
deleted without asking what happens to its spans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from itertools import count
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.db.engine import Database
from annotator.db.models import LabelKind
from annotator.store.labels import LabelError, add_label, delete_label, label_usage, update_label
from annotator.store.projects import load_schema
from annotator.store.schema import LabelSpec, Schema
from ui.common.fonts import arabic_font
from ui.common.swatches import ICON_SIZE, swatch_icon
from ui.common.tables import Index, RightToLeftDelegate, RowDelegate, RowsModel, setup_row_table

NAME, ARABIC, KIND, COLOUR, KEY = range(5)
HEADERS = ("Name", "Arabic name", "Kind", "Colour", "Key")
FIELDS = ("name", "display_name", "kind", "color", "hotkey")
# A new label takes a colour the default schema (Tableau 10) leaves free, and a free key.
NEW_COLOURS = ("#A0CBE8", "#FFBE7D", "#8CD17D", "#B6992D", "#499894", "#86BCB6",
               "#FABFD2", "#D37295", "#D4A6C8", "#79706E")
FREE_KEYS = "1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ"
InUseChoice = tuple[str, str | None]  # ("move", target) / ("delete", None) / ("cancel", None)


class LabelTableModel(RowsModel):
    """The labels as editable rows. An edit goes to ``apply(old, new)``, which saves it
    and reloads the rows from the database; the model itself never changes a label."""

    headers = HEADERS

    def __init__(self, apply: Callable[[LabelSpec, LabelSpec], bool], parent: Any = None) -> None:
        super().__init__(parent)
        self._apply = apply
        self._rows: list[LabelSpec] = []
        self.arabic_font: QFont | None = None  # set by the view, which knows its font

    def set_labels(self, labels: Sequence[LabelSpec]) -> None:
        # The same labels in the same order (any edit): refresh in place, so that the
        # editor being committed survives; added or deleted ones: reset.
        if [lb.id for lb in labels] == [lb.id for lb in self._rows]:
            self._rows = list(labels)
            if labels:
                self.dataChanged.emit(self.index(0, 0), self.index(len(labels) - 1, KEY))
            return
        self.beginResetModel()
        self._rows = list(labels)
        self.endResetModel()

    def label_at(self, row: int) -> LabelSpec:
        return self._rows[row]

    def row_of(self, name: str) -> int | None:
        return next((n for n, lb in enumerate(self._rows) if lb.name == name), None)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        label, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return str(getattr(label, FIELDS[column]) or "")
        if role == Qt.ItemDataRole.DecorationRole and column in (NAME, COLOUR):
            return swatch_icon(label.color)
        if role == Qt.ItemDataRole.FontRole and column == ARABIC:
            return self.arabic_font
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        old, text = self._rows[index.row()], str(value).strip()
        new_value: Any = text
        if index.column() == KIND:
            new_value = LabelKind(text)
        elif index.column() == KEY:
            new_value = text.upper() or None  # letters as the relation keys are: "S", "R"
        new = dataclasses.replace(old, **{FIELDS[index.column()]: new_value})
        return new != old and self._apply(old, new)


class KindDelegate(RowDelegate):
    """A drop-down of the label kinds, saved as soon as one is picked. (The combo box's
    user property is its current text, which Qt reads and writes for the cell.)"""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems([kind.value for kind in LabelKind])

        def commit(_row: int) -> None:
            self.commitData.emit(combo)
            self.closeEditor.emit(combo)

        combo.activated.connect(commit)
        return combo


class LabelSchemaDialog(QDialog):
    """Add, rename, recolour, re-key and delete the labels of one project.

    Each change is saved at once through ``annotator.store.labels`` and followed by
    ``schema_changed``; a refused change leaves the table as the database is and says why.
    """

    schema_changed = Signal()

    def __init__(self, db: Database, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.project_id = db, project_id
        self.setWindowTitle("Labels")
        self.model = LabelTableModel(self._update, self)
        self.model.arabic_font = arabic_font(self.font())
        self.table = QTableView(self)
        self.table.setModel(self.model)
        setup_row_table(self.table, self.model.arabic_font, editable=True)
        self.table.setIconSize(ICON_SIZE)
        self.table.setItemDelegateForColumn(ARABIC, RightToLeftDelegate(self.table))
        self.table.setItemDelegateForColumn(KIND, KindDelegate(self.table))
        header = self.table.horizontalHeader()
        for column, width in enumerate((160, 0, 110, 100, 50)):  # the Arabic name stretches
            header.resizeSection(column, width)
        header.setSectionResizeMode(ARABIC, QHeaderView.ResizeMode.Stretch)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)
        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for text, slot in (("Add label", self.add_label), ("Colour\u2026", self.choose_colour),
                           ("Delete\u2026", self.delete_selected)):
            button = self.buttons[text] = QPushButton(text)
            button.setAutoDefault(False)  # Enter belongs to the cell being edited
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        # What the last change did (or why it was refused); at first, how editing works.
        self.message = QLabel("Changes are saved at once. Double-click a cell, or select it "
                              "and type, to edit it. Spans keep their label when it is renamed.")
        self.message.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        for widget in (self.message, close):
            layout.addWidget(widget)
        self.resize(640, 500)
        self.reload()

    # -- what the user (or a test) does ------------------------------------------------

    def reload(self) -> Schema:
        """Show the labels as the database holds them."""
        self.schema = load_schema(self.db, self.project_id)
        self.model.set_labels(self.schema.labels)
        return self.schema

    def add_label(self) -> str | None:
        """Add a label with a free name, colour and key, and start editing its name;
        returns the name (None when it could not be added)."""
        names = set(self.schema.label_names)
        name = next(n for n in (f"NEW_LABEL_{i}" for i in count(1)) if n not in names)
        colours = {lb.color.upper() for lb in self.schema.labels}
        colour = next((c for c in NEW_COLOURS if c not in colours), NEW_COLOURS[0])
        keys = {(item.hotkey or "").upper()
                for items in (self.schema.labels, self.schema.relation_types) for item in items}
        key = next((k for k in FREE_KEYS if k not in keys), None)
        spec = LabelSpec(name, "", LabelKind.ENTITY, colour, key)
        if not self._apply(lambda: add_label(self.db, self.project_id, spec),
                           f"Added {name}: type its name, then its Arabic name."):
            return None
        index = self.model.index(self.model.row_of(name) or 0, NAME)
        self.table.setCurrentIndex(index)
        self.table.edit(index)
        return name

    def set_colour(self, name: str, colour: str) -> bool:
        row = self.model.row_of(name)
        return row is not None and self.model.setData(self.model.index(row, COLOUR), colour)

    def choose_colour(self) -> None:
        label = self._selected()
        if label is not None and (colour := self._pick_colour(label.color)) is not None:
            self.set_colour(label.name, colour)

    def delete_selected(self) -> bool:
        label = self._selected()
        return label is not None and self.delete_label(label.name)

    def delete_label(self, name: str) -> bool:
        """Delete a label; if spans use it, ask whether they move or go with it."""
        label_id = self.schema.label(name).id or 0
        used = label_usage(self.db, label_id)
        action, target = "delete", None
        if used:
            others = [n for n in self.schema.label_names if n != name]
            action, target = self._ask_in_use(name, used, others)
            if action == "cancel":
                self._show(f"Kept {name} and its spans.")
                return False
        done = (f"Deleted {name}; its {used:,} span(s) now have label {target}."
                if action == "move" else f"Deleted {name} and {used:,} span(s).")
        # Spans go only when the user said so: any that appeared since the count make
        # the core refuse (LabelInUse), which is shown, never silent.
        return self._apply(lambda: delete_label(self.db, label_id, move_to=target,
                                                delete_spans=used > 0 and action == "delete"),
                           done)

    # -- prompts (tests replace these) -------------------------------------------------

    def _ask_in_use(self, name: str, used: int, other_labels: list[str]) -> InUseChoice:
        spans = f"{used:,} span" + ("" if used == 1 else "s")
        choices = [f"Move them to {other}" for other in other_labels]
        choices.append(f"Delete the {spans} (and their relations) with {name}")
        choice, ok = QInputDialog.getItem(
            self, f"Delete label {name}", f"{spans}, by all annotators, have label {name}.\n"
            "What should happen to them?", choices, 0, False)
        if not ok:
            return "cancel", None
        n = choices.index(choice)
        return ("move", other_labels[n]) if n < len(other_labels) else ("delete", None)

    def _pick_colour(self, current: str) -> str | None:
        colour = QColorDialog.getColor(QColor(current), self, "Label colour")
        return colour.name().upper() if colour.isValid() else None

    # -- internals ---------------------------------------------------------------------

    def _update(self, old: LabelSpec, new: LabelSpec) -> bool:
        def change() -> None:
            # The core checks names, colours and duplicate label keys; a key is also one
            # key only, and not a relation type's.
            if new.hotkey and len(new.hotkey) != 1:
                raise LabelError(f"a hotkey is one key, not {new.hotkey!r}")
            for rtype in self.schema.relation_types:
                if new.hotkey and (rtype.hotkey or "").upper() == new.hotkey:
                    raise LabelError(f"hotkey {new.hotkey} is relation {rtype.name}'s")
            update_label(self.db, old.id or 0, new)

        return self._apply(change, f"Saved {new.name}.")

    def _apply(self, change: Callable[[], object], done: str) -> bool:
        try:
            change()
        except LabelError as exc:
            self.reload()
            reason = str(exc)
            self._show(f"Not saved: {reason[:1].upper()}{reason[1:]}.", error=True)
            return False
        self.reload()
        self._show(done)
        self.schema_changed.emit()
        return True

    def _show(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #B3261E; font-weight: bold;" if error else "")

    def _selected(self) -> LabelSpec | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.label_at(rows[0].row()) if rows else None
