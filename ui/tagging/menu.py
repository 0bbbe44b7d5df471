"""The Edit, Labels and Document menus, with their window-wide keys.

Label and relation keys come from the project's schema and are rebuilt when it changes.
Keys work wherever the focus is, except in text fields, which keep their typing keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator.db.models import Status
from annotator.store.schema import Schema
from ui.tagging.controller import TaggingController


class TaggingMenus:
    """Builds the tagging menus on ``window`` and keeps the label keys in step."""

    def __init__(
        self,
        window: QMainWindow,
        tagging: TaggingController,
        *,
        mark_done_and_next: Callable[[], object],
        next_unfinished: Callable[[], object],
        edit_schema: Callable[[], object],
        switch_annotator: Callable[[], object],
    ) -> None:
        self.window = window
        self.tagging = tagging
        bar = window.menuBar()
        stack = tagging.undo_stack

        self.edit_menu = QMenu("&Edit", window)
        undo = stack.createUndoAction(window, "&Undo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo = stack.createRedoAction(window, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (undo, redo):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            window.addAction(action)
            self.edit_menu.addAction(action)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.action("&Delete Span", ["Delete"], tagging.delete_selected))
        self.labels_menu = QMenu("&Labels", window)
        self.document_menu = QMenu("&Document", window)
        done = self.action("Mark &Done, Open Next Unfinished", ["Ctrl+Return", "Ctrl+Enter"],
                           mark_done_and_next)
        self.document_menu.addAction(done)
        self.document_menu.addAction(
            self.action("Mark &In Progress", [],
                        lambda: tagging.set_status(Status.IN_PROGRESS))
        )
        self.document_menu.addAction(
            self.action("Open Next &Unfinished", ["Ctrl+Shift+Return"], next_unfinished)
        )
        self.document_menu.addSeparator()
        self.document_menu.addAction(
            self.action("Switch &Annotator\u2026", ["Ctrl+Shift+A"], switch_annotator)
        )
        self.edit_schema = self.action("Edit Label &Schema\u2026", ["Ctrl+Shift+L"], edit_schema)
        actions = bar.actions()
        before = actions[1] if len(actions) > 1 else None  # after File
        for menu in (self.edit_menu, self.labels_menu, self.document_menu):
            if before is not None:
                bar.insertMenu(before, menu)
            else:
                bar.addMenu(menu)
        self._label_actions: list[QAction] = []
        self.set_schema(tagging.schema)

    def action(self, text: str, keys: Sequence[str], slot: Callable[[], object]) -> QAction:
        act = QAction(text, self.window)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        self.window.addAction(act)
        return act

    def set_schema(self, schema: Schema) -> None:
        """One action per label and relation type, on its hotkey."""
        for act in self._label_actions:
            self.window.removeAction(act)
            act.deleteLater()
        self.labels_menu.clear()
        self._label_actions = []
        for label in schema.labels:
            act = self.action(
                f"{label.name}  \u2014  {label.display_name}",
                [label.hotkey] if label.hotkey else [],
                lambda _checked=False, name=label.name: self.tagging.apply_label(name),
            )
            self.labels_menu.addAction(act)
            self._label_actions.append(act)
        self.labels_menu.addSeparator()
        self.labels_menu.addAction(self.edit_schema)
        self.labels_menu.addSeparator()
        for rel in schema.relation_types:
            act = self.action(
                f"Link {rel.name} ({'/'.join(rel.from_labels)} \u2192 "
                f"{'/'.join(rel.to_labels)})\u2026",
                [rel.hotkey] if rel.hotkey else [],
                lambda _checked=False, name=rel.name: self.tagging.begin_link(name),
            )
            self.labels_menu.addAction(act)
            self._label_actions.append(act)
        self.labels_menu.addSeparator()
        self.labels_menu.addAction(self.edit_schema)
