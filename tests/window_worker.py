"""The real window, offscreen, tagging with Qt events until it is killed or has tagged
COUNT spans; for tests/ui/test_window_crash.py.

    python tests/window_worker.py DB ANNOTATOR SEED [COUNT [UNTIL]]

It starts the window the way ``annotator-gui --db DB --annotator ANNOTATOR`` does
(``ui.app.main``), then drives it only with events a user makes: mouse drags and clicks
on the article, Shift+arrows, label keys, Tab, Delete, Alt+Left, Ctrl+Z, Alt+Down, and
Ctrl+Q at the end. The test sets QT_QPA_PLATFORM=offscreen and its own XDG_* folders.

Every line on stdout is one JSON object, flushed:

- ``{"ready": true}`` once the window is shown and active;
- ``{"try": OP, ...}`` just before the key that should change the database: ``add``
  (doc, label, start, end), ``change`` (id: relabel, move an edge) or ``delete`` (id);
- ``{"saved": "put" | "delete", "id", "doc", ...}`` for each span that changed in the
  window's span list after the window reported a change saved (``document_changed``):
  these are committed;
- ``{"message": TEXT}`` for every status bar message (a refused change says "Not saved"),
  ``{"dialog": TEXT}`` for a modal dialog (closed at once), ``{"unsaved": ...}`` when a
  key that should have changed the database did not, ``{"done": N}`` before Ctrl+Q, and
  ``{"stuck": N}`` (exit status 3) when N such keys in a row saved nothing.

With COUNT the window quits (Ctrl+Q, exit status 0) after COUNT spans were added, and
with UNTIL (a path) not before that file exists: a test makes it outlast another process.
"""

from __future__ import annotations

import faulthandler
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from annotator.store.documents import document_spans, list_documents  # noqa: E402
from tests.ui.test_tagging import click, drag, point_at, reveal  # noqa: E402
from ui.app import application, main  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.tagging.commands import AddSpan  # noqa: E402

Key = Qt.Key
NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
# What a step does, and how often: adds dominate, as when annotating.
STEPS = {"drag": 40, "keys": 15, "relabel": 12, "resize": 8, "delete": 10, "undo": 8,
         "next": 4}
Spans = dict[int, tuple[int, str, int, int]]  # id -> (document, label, start, end)


def say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Driver:
    """Tags in ``window`` with events, one step per turn of the event loop."""

    def __init__(self, window: MainWindow, rng: random.Random, count: int | None,
                 until: Path | None = None) -> None:
        self.window = window
        self.view = window.article.view
        self.tagging = window.tagging
        self.rng = rng
        self.count = count
        self.until = until
        self.added = 0
        self.saves = 0
        self.failed = 0  # keys in a row that saved nothing
        self.keys = {lb.hotkey: lb.name for lb in self.tagging.schema.labels if lb.hotkey}
        # What the span lists showed, per document, so that each save reports its change.
        self.shown: dict[int, Spans] = {}
        db, annotator = window.db, window.annotator
        for row in list_documents(db, window.project_id, annotator):
            self.shown[row.id] = self._spans(row.id, document_spans(db, row.id, annotator))
        self.tagging.document_changed.connect(self._saved)
        window.statusBar().messageChanged.connect(lambda text: text and say(message=text))

    @staticmethod
    def _spans(doc: int, spans: list[Any]) -> Spans:
        return {s.id: (doc, s.label, s.start, s.end) for s in spans}

    # -- what the window reports -------------------------------------------------------

    def _saved(self, doc: int) -> None:
        """The window says a change to ``doc`` is saved: report what its span list shows."""
        self.saves += 1
        assert self.tagging.document_id == doc, "the changed document is the open one"
        model = self.window.side_panel.spans.model
        now = self._spans(doc, [model.span_at(row) for row in range(model.rowCount())])
        before = self.shown.get(doc, {})
        text = self.view.text()
        for sid in sorted(before.keys() - now.keys()):
            say(saved="delete", id=sid, doc=doc)
        for sid, (_, label, start, end) in sorted(now.items()):
            if before.get(sid) != now[sid]:
                self.added += sid not in before
                say(saved="put", id=sid, doc=doc, label=label, start=start, end=end,
                    text=text[start:end])
        self.shown[doc] = now

    # -- steps -------------------------------------------------------------------------

    def start(self) -> None:
        self.window.activateWindow()
        if not self.window.isActiveWindow():  # offscreen activation is asynchronous
            QTimer.singleShot(10, self.start)
            return
        say(ready=True)
        self.watchdog = QTimer(self.window, interval=100, timeout=self._watch)
        self.watchdog.start()
        QTimer.singleShot(0, self.step)

    def _watch(self) -> None:
        """Report and close any dialog; runs in a dialog's own event loop too."""
        modal = QApplication.activeModalWidget()
        if modal is not None:
            say(dialog=modal.text() if isinstance(modal, QMessageBox) else modal.windowTitle())
            modal.close()

    def step(self) -> None:
        if (self.count is not None and self.added >= self.count
                and (self.until is None or self.until.exists())):
            say(done=self.added)
            QTest.keyClick(self.window, Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
            return
        if self.failed > 20:  # the window stopped saving: give up rather than hang
            say(stuck=self.failed)
            QApplication.exit(3)
            return
        if not self.window.isActiveWindow():  # after a dialog: the user clicks it again
            self.window.activateWindow()
        self.view.setFocus(Qt.FocusReason.MouseFocusReason)
        kind = self.rng.choices(list(STEPS), list(STEPS.values()))[0]
        getattr(self, f"_{kind}")()
        QTimer.singleShot(0, self.step)

    def _press(self, intent: dict[str, Any], key: Key,
               mods: Qt.KeyboardModifier = NO) -> None:
        """Press a key that should save a change, reporting the intent first."""
        say(**{"try": intent.pop("op"), **intent})
        saves = self.saves
        QTest.keyClick(self.view, key, mods)
        if self.saves == saves:
            say(unsaved=intent)
            self.failed += 1
        else:
            self.failed = 0

    def _label_key(self, other_than: str | None = None) -> tuple[Key, str]:
        hotkey = self.rng.choice([k for k, name in self.keys.items() if name != other_than])
        return Key(ord(hotkey)), self.keys[hotkey]

    def _tag_selection(self) -> None:
        start, end = self.view.selection()
        if end > start:
            key, label = self._label_key()
            self._press({"op": "add", "doc": self.tagging.document_id, "label": label,
                         "start": start, "end": end}, key)

    def _drag(self) -> None:
        """Drag over one to four words (it snaps to them), then a label key."""
        tokens = self.view.tokens.tokens
        i = self.rng.randrange(len(tokens))
        j = min(len(tokens) - 1, i + self.rng.randrange(4))
        a, b = tokens[i][0], tokens[j][1] - 1
        reveal(self.view, a)
        drag(self.view, point_at(self.view, a), point_at(self.view, b))
        self._tag_selection()

    def _keys(self) -> None:
        """Click into the text, Shift+Left a few letters (forward in Arabic), a label key."""
        reveal(self.view, at := self.rng.randrange(len(self.view.text())))
        click(self.view, point_at(self.view, at))
        if self.view.selected_span is not None:  # the click landed on a span
            QTest.keyClick(self.view, Key.Key_Escape)
        for _ in range(self.rng.randint(2, 15)):
            QTest.keyClick(self.view, Key.Key_Left, SHIFT)
        self._tag_selection()

    def _tab_to_span(self) -> tuple[int, str] | None:
        for _ in range(self.rng.randint(1, 3)):
            QTest.keyClick(self.view, Key.Key_Tab)
        sid = self.view.selected_span
        span = next((s for s in self.tagging.spans if s.id == sid), None)
        return None if span is None else (span.id, span.label)

    def _relabel(self) -> None:
        if (span := self._tab_to_span()) is not None:
            key, _ = self._label_key(other_than=span[1])
            self._press({"op": "change", "id": span[0]}, key)

    def _resize(self) -> None:
        if (span := self._tab_to_span()) is not None:
            alt = Qt.KeyboardModifier.AltModifier
            mods = alt | SHIFT if self.rng.random() < 0.5 else alt
            key = Key.Key_Left if self.rng.random() < 0.7 else Key.Key_Right
            say(**{"try": "change", "id": span[0]})  # an edge at the text's end stays
            QTest.keyClick(self.view, key, mods)

    def _delete(self) -> None:
        if (span := self._tab_to_span()) is not None:
            self._press({"op": "delete", "id": span[0]}, Key.Key_Delete)

    def _undo(self) -> None:
        """Ctrl+Z, when the last command tagged a span in the open document."""
        stack = self.tagging.undo_stack
        last = stack.command(stack.index() - 1) if stack.index() > 0 else None
        if (isinstance(last, AddSpan) and last.span is not None
                and last.document_id == self.tagging.document_id):
            self._press({"op": "delete", "id": last.span.id}, Key.Key_Z,
                        Qt.KeyboardModifier.ControlModifier)

    def _next(self) -> None:
        QTest.keyClick(self.view, Key.Key_Down, Qt.KeyboardModifier.AltModifier)


DRIVERS: list[Driver] = []  # kept alive while the window runs


def attach(rng: random.Random, count: int | None, until: Path | None = None) -> None:
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows:
        QTimer.singleShot(10, lambda: attach(rng, count, until))
        return
    DRIVERS.append(Driver(windows[0], rng, count, until))
    DRIVERS[-1].start()


if __name__ == "__main__":
    faulthandler.enable()  # a crash of the window shows where it happened
    db_path, annotator, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    stop = Path(sys.argv[5]) if len(sys.argv) > 5 else None
    application()
    QTimer.singleShot(0, lambda: attach(random.Random(seed), limit, stop))
    status = main(["--db", db_path, "--annotator", annotator])
    DRIVERS.clear()  # nothing of ours holds the window past its end, as in annotator-gui
    sys.exit(status)
