"""UI test setup: offscreen Qt, and every file the app writes kept under tmp_path."""

from __future__ import annotations

import os

# Before any Qt import: no display is needed, and the tests behave the same everywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from annotator.db.engine import Database, open_database  # noqa: E402
from annotator.io.sample import fill_with_sample  # noqa: E402
from annotator.store.projects import ensure_project  # noqa: E402
from ui.common.annotator_prompt import save_annotator  # noqa: E402
from ui.io.background import Task  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.review.pane import ReviewPane  # noqa: E402

from ..conftest import Backend  # noqa: E402
from .test_review_data import add_two_annotators  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"  # gitignored; for people to look at


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, the default database and the sample database all live in tmp_path."""
    home = tmp_path / "user"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("ANNOTATOR_DB", str(home / "default.sqlite3"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "settings"))
    save_annotator("tester")  # as if the first-start prompt had been answered
    return home


Templates = Callable[[str], str]


def _templates(owner: Backend) -> Iterator[Templates]:
    made: dict[str, str] = {}

    def template(kind: str) -> str:
        if kind not in made:
            location = owner.new_url(kind)
            db = open_database(location, daily_backup=False)
            if kind == "sample":
                fill_with_sample(db)
            db.close()
            made[kind] = location
        return made[kind]

    yield template
    owner.drop_all()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    yield from _templates(Backend("sqlite", tmp_path_factory.mktemp("templates"), None))


@pytest.fixture(scope="session")
def postgresql_templates(
    pg_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Templates]:
    yield from _templates(Backend("postgresql", tmp_path_factory.mktemp("templates"), pg_server))


def _copy_of(request: pytest.FixtureRequest, backend: Backend, kind: str) -> Database:
    """A new database copied from this session's ``kind`` template ("empty": migrated;
    "sample": and the sample corpus): a third of the time of migrating and filling a new
    PostgreSQL database each time, a tenth on SQLite."""
    template: Templates = request.getfixturevalue(f"{backend.name}_templates")
    return open_database(backend.new_url(kind, template(kind)))


@pytest.fixture
def sample_db(backend: Backend, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A real database (SQLite file or PostgreSQL) holding the bundled sample corpus."""
    db = _copy_of(request, backend, "sample")
    yield db
    db.close()


@pytest.fixture
def empty_db(backend: Backend, request: pytest.FixtureRequest) -> Iterator[Database]:
    db = _copy_of(request, backend, "empty")
    yield db
    db.close()


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[..., MainWindow]:
    """Open a MainWindow on a database, shown and exposed, closed after the test."""

    def opener(db: Database, project: str = "default", annotator: str = "tester") -> MainWindow:
        window = MainWindow(db, ensure_project(db, project), project, annotator)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    return opener


@pytest.fixture
def review(sample_db: Database, open_window: Callable[..., MainWindow],
           monkeypatch: pytest.MonkeyPatch) -> tuple[MainWindow, ReviewPane, dict]:
    """A window in review mode for huda and omar over the sample corpus
    (:func:`tests.ui.test_review_data.add_two_annotators`; returns their span ids).
    The queue is ranked synchronously."""
    monkeypatch.setattr(Task, "synchronous", True)
    ids = add_two_annotators(sample_db)
    window = open_window(sample_db)
    monkeypatch.setattr("ui.main_window.choose_annotators", lambda *a: ["huda", "omar"])
    window.review_action.trigger()
    pane = window.review_pane
    assert pane is not None and window.stack.currentWidget() is pane
    return window, pane, ids


def _distinct_colours(image: QImage, step: int = 3) -> int:
    """How many colours a (sub-sampled) image holds: 1 means blank."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


@pytest.fixture
def distinct_colours() -> Callable[[QImage], int]:
    """Counts the colours of an image (sub-sampled); 1 means blank."""
    return _distinct_colours


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[QWidget, str], Path]:
    """Save a widget as PNG to screenshots/ at the repo root and to tmp_path."""

    def save(widget: QWidget, name: str) -> Path:
        pixmap = widget.grab()
        SCREENSHOTS.mkdir(exist_ok=True)
        assert pixmap.save(str(SCREENSHOTS / f"{name}.png"))
        path = tmp_path / f"{name}.png"
        assert pixmap.save(str(path))
        return path

    return save
