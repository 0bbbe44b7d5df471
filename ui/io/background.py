"""Running a slow core function (import, export) off the GUI thread.

A :class:`Task` wraps a function ``work(progress, cancel)`` that reports with
``progress(done, total)`` and stops soon after ``cancel`` (a ``threading.Event``) is set;
the core's ``import_paths`` and ``export`` take exactly these two. The task runs it on a
worker thread and reports back through signals, which Qt delivers on the GUI thread.

Tests set ``Task.synchronous = True`` (Picard's ``FakeThreadPool``): ``start()`` then
runs the work at once on the calling thread, and every signal has been emitted when it
returns.

The database is safe to use from the worker: SQLAlchemy opens file SQLite databases
with ``check_same_thread=False`` and a pool, so each thread checks out a connection of
its own (``tests/ui/test_background.py`` runs the core on a worker thread to check).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Work = Callable[[Progress, threading.Event], object]
PROGRESS_INTERVAL = 0.05  # seconds between progress signals: the bar needs no more


def error_message(exc: BaseException) -> str:
    """What went wrong, in words for the user: no traceback for the errors a user can
    cause (a bad file, a full disk, a missing optional package)."""
    if isinstance(exc, ImportError):
        name = exc.name or "a"
        return f"this needs the {name} package (pip install {name})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, (ValueError, OSError, RuntimeError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class Task(QObject):
    """One run of ``work`` on a worker thread, with progress and cancel.

    ``progress(done, total)`` (Python ints: byte counts can pass 2**31) comes at most
    every 50 ms; then exactly one of ``finished(result)`` or ``failed(message)``. When
    either is emitted, :attr:`running` is already False.
    """

    progress = Signal(object, object)  # done, total
    finished = Signal(object)  # what work returned
    failed = Signal(str)  # error_message of what it raised

    synchronous: ClassVar[bool] = False  # tests: run on the calling thread

    _reported = Signal(bool, object)  # (ok, result or message), from the worker

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self.cancel_event = threading.Event()
        self.running = False
        self._last_progress = 0.0
        self._thread: threading.Thread | None = None
        self._reported.connect(self._on_reported)

    def start(self) -> None:
        """Run the work: on a worker thread, or at once when :attr:`synchronous`."""
        if self.running:
            raise RuntimeError("this task is running already")
        self.running = True
        if Task.synchronous:
            self._run()
            return
        self._thread = threading.Thread(target=self._run, name="annotator-task", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop; it ends with ``finished`` (a report that says so).

        Safe from any thread: it only sets the event the core checks."""
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker thread ends (True), e.g. before the app quits."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_INTERVAL and done < total:
            return
        self._last_progress = now
        self._emit(self.progress, done, total)

    def _run(self) -> None:
        try:
            result = self._work(self._progress, self.cancel_event)
        except Exception as exc:  # noqa: BLE001 - every error is reported, none is lost
            if not isinstance(exc, (ValueError, OSError, ImportError)):
                log.exception("a background task failed")
            self._emit(self._reported, False, error_message(exc))
            return
        self._emit(self._reported, True, result)

    @staticmethod
    def _emit(signal: object, *args: object) -> None:
        try:
            signal.emit(*args)  # type: ignore[attr-defined]
        except RuntimeError:  # the task was deleted meanwhile: nobody is listening
            pass

    def _on_reported(self, ok: bool, value: object) -> None:
        """On the GUI thread (queued), or inline when synchronous."""
        self.running = False
        if ok:
            self.finished.emit(value)
        else:
            self.failed.emit(str(value))
