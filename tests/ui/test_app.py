"""``ui.app.main``: the arguments, the sample database, and errors shown as a dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator.db.engine import open_database
from annotator.io.sample import fill_with_sample, sample_database_path
from tests.conftest import Backend
from ui import app as app_module
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def no_automatic_quit(qapp: QApplication) -> Iterator[None]:
    """Closing main()'s window must not post a Quit event: pytest-qt's app never runs
    exec(), so a stray Quit would end every later test's wait loops at once."""
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(True)


def close_main_window_soon(seen: dict[str, object]) -> None:
    """Once the event loop runs, note what the window shows, close it and stop the loop."""

    def close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows:  # not shown yet
            QTimer.singleShot(20, close)
            return
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["documents"] = window.document_list.proxy.rowCount()
        seen["text"] = window.article.view.text()
        seen["status"] = window.location_status.text()
        window.close()
        QApplication.exit(0)

    QTimer.singleShot(0, close)


def test_sample_switch_creates_and_opens_the_sample_database(
    isolated_user_dirs: Path, qapp: QApplication
) -> None:
    path = sample_database_path()
    assert path.is_relative_to(isolated_user_dirs) and not path.exists()
    seen: dict[str, object] = {}
    close_main_window_soon(seen)

    assert app_module.main(["--sample"]) == 0

    assert path.exists()
    assert seen["title"] == f"annotator \u2014 {path}"
    assert seen["documents"] == 40
    assert str(seen["text"]).startswith("فرانكفورت")
    assert list((isolated_user_dirs / "settings").rglob("annotator.ini"))  # state saved


def test_db_argument_and_environment_choose_the_database(
    tmp_path: Path, isolated_user_dirs: Path, qapp: QApplication
) -> None:
    """SQLite only: about the default file and file paths given as ``--db``."""
    seen: dict[str, object] = {}
    close_main_window_soon(seen)
    assert app_module.main([]) == 0  # ANNOTATOR_DB, set by conftest
    assert seen["title"] == f"annotator \u2014 {isolated_user_dirs / 'default.sqlite3'}"
    assert seen["documents"] == 0

    close_main_window_soon(seen)
    assert app_module.main(["--db", str(tmp_path / "other.sqlite3")]) == 0
    assert seen["title"] == f"annotator \u2014 {tmp_path / 'other.sqlite3'}"


def test_db_url_opens_a_database_on_either_backend(backend: Backend, qapp: QApplication) -> None:
    url = backend.new_url("app")
    password = None
    if not backend.is_sqlite:  # a server URL with a password, which the window never shows
        server = make_url(url)
        password = server.password or "s3cret"  # a trust or peer server ignores it
        url = server.set(password=password).render_as_string(hide_password=False)
    db = open_database(url)
    fill_with_sample(db)
    location = db.location
    db.close()
    seen: dict[str, object] = {}
    close_main_window_soon(seen)

    assert app_module.main(["--db", url]) == 0

    assert seen["title"] == f"annotator \u2014 {location}"
    assert seen["documents"] == 40
    assert str(seen["text"]).startswith("فرانكفورت")
    if password is not None:
        assert ":***@" in location and password not in str(seen["title"])
        assert password not in str(seen["status"])


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of critical message boxes, which are recorded instead of shown."""
    shown: list[str] = []

    def critical(parent: QWidget | None, title: str, text: str, *args: object) -> int:
        shown.append(text)
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    return shown


def test_a_file_that_is_not_a_database_is_reported_in_a_dialog(
    tmp_path: Path, qapp: QApplication, dialogs: list[str]
) -> None:
    """SQLite only: a file of the wrong kind."""
    bad = tmp_path / "notes.sqlite3"
    bad.write_bytes(b"these are my notes, not a database\n" * 100)

    assert app_module.main(["--db", str(bad)]) == 2

    assert len(dialogs) == 1
    assert str(bad) in dialogs[0] and "cannot open database" in dialogs[0]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_a_server_that_cannot_be_reached_is_reported_without_its_password(
    qapp: QApplication, dialogs: list[str]
) -> None:
    url = "postgresql+psycopg://annotator:s3cret@127.0.0.1:1/news"  # nothing listens on 1

    assert app_module.main(["--db", url]) == 2

    assert len(dialogs) == 1
    assert dialogs[0].startswith(
        "cannot open database postgresql+psycopg://annotator:***@127.0.0.1:1/news: "
    )
    assert "s3cret" not in dialogs[0]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_an_unknown_project_is_reported_in_a_dialog(
    backend: Backend, qapp: QApplication, dialogs: list[str]
) -> None:
    url = backend.new_url("x")
    assert app_module.main(["--db", url, "--project", "nope"]) == 2
    db = open_database(url)  # main() made it; the message names it as Database does
    assert dialogs == [f"there is no project 'nope' in {db.location}"]
    db.close()


def test_an_annotator_name_too_long_to_store_is_reported_in_a_dialog(
    qapp: QApplication, dialogs: list[str]
) -> None:
    # Before, the window opened and every span failed (PostgreSQL) or kept the name (SQLite).
    assert app_module.main(["--sample", "--annotator", "م" * 129]) == 2
    assert dialogs == ["an annotator name has at most 128 characters"]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_first_start_asks_for_the_annotator_and_remembers(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.common.annotator_prompt import load_annotator
    from ui.common.settings import app_settings

    settings = app_settings()
    settings.remove("annotator/name")
    settings.sync()
    asked: list[str | None] = []

    def ask(parent: QWidget | None, current: str | None, known: list[str]) -> str:
        asked.append(current)
        return "سلمى"

    monkeypatch.setattr(app_module, "ask_annotator_name", ask)
    seen: dict[str, object] = {}
    close_main_window_soon(seen)
    assert app_module.main(["--sample"]) == 0
    assert asked == [None]
    assert load_annotator() == "سلمى"
    close_main_window_soon(seen)
    assert app_module.main(["--sample"]) == 0
    assert asked == [None]  # remembered: not asked again
    close_main_window_soon(seen)
    assert app_module.main(["--sample", "--annotator", "omar"]) == 0
    assert load_annotator() == "omar"
