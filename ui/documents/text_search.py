"""Searching article texts off the GUI thread, a pause after the last keystroke.

A text search takes seconds at 100,000 documents (benchmarks/README.md): run on the GUI
thread, it would freeze the window on every keystroke. ``TextSearcher`` waits for a
pause in typing, runs the search on one worker thread, and reports only the answer to
the newest request; answers to older queries are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

TextSearch = Callable[[str], set[int]]  # query -> ids of documents whose text holds it
DELAY_MS = 250


class TextSearcher(QObject):
    """Debounced text searches on a worker thread, newest request wins.

    The search function is called on the worker thread, so it must open its own
    database session (``annotator.search.corpus.search_documents`` does).
    """

    started = Signal(str)  # query
    finished = Signal(str, object)  # query, set of document ids (None: the search failed)
    _answered = Signal(int, str, object)  # generation, query, set of ids or None

    def __init__(self, search: TextSearch | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.search = search
        self._query = ""
        self._generation = 0  # bumped by each request: earlier answers go stale
        self._executor: ThreadPoolExecutor | None = None
        self._timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._timer.timeout.connect(self._start)
        self._answered.connect(self._on_answered)

    def request(self, query: str) -> None:
        """Search for ``query`` after the pause; "" cancels what is pending."""
        self._generation += 1
        self._query = query
        if query and self.search is not None:
            self._timer.start()
        else:
            self._timer.stop()

    def flush(self) -> None:
        """Start a pending search now rather than after the pause (Enter pressed)."""
        if self._timer.isActive():
            self._timer.stop()
            self._start()

    def _start(self) -> None:
        search = self.search
        if not self._query or search is None:
            return
        if self._executor is None:
            # One worker: searches queue in order and never compete for the disk.
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="text-search")
            executor = self._executor
            self.destroyed.connect(lambda: executor.shutdown(wait=False, cancel_futures=True))
        self.started.emit(self._query)
        self._executor.submit(self._run, search, self._generation, self._query)

    def _run(self, search: TextSearch, generation: int, query: str) -> None:
        """On the worker thread; the answer goes back through a queued signal."""
        if generation != self._generation:
            return  # superseded while it waited
        try:
            found: set[int] | None = search(query)
        except Exception:  # noqa: BLE001 - a failed search must not end the worker
            log.exception("searching document texts for %r failed", query)
            found = None
        try:
            self._answered.emit(generation, query, found)
        except RuntimeError:
            pass  # the searcher was deleted meanwhile

    def _on_answered(self, generation: int, query: str, found: set[int] | None) -> None:
        if generation == self._generation:
            self.finished.emit(query, found)
