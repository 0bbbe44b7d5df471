"""``annotator-gui``: parse the arguments, open the database, show the main window."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator import __version__
from annotator.db.engine import ENV_VAR, Database, DatabaseError, open_database
from annotator.io.sample import open_sample_database
from annotator.store.projects import DEFAULT_PROJECT, list_annotators, open_project
from ui.common.annotator_prompt import MAX_NAME, ask_annotator_name, load_annotator, save_annotator
from ui.common.fonts import load_bundled_fonts
from ui.common.settings import APPLICATION, ORGANIZATION
from ui.main_window import MainWindow, default_annotator

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The window cannot start; the message is for the user."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="annotator-gui", description="Read and label Arabic news text."
    )
    p.add_argument("--version", action="version", version=f"annotator {__version__}")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        help=f"SQLite file or SQLAlchemy URL (default: ${ENV_VAR}, else a file in the user "
        "data directory)",
    )
    where.add_argument(
        "--sample",
        action="store_true",
        help="open the bundled sample corpus (its own database, created on first use)",
    )
    p.add_argument("--project", default=DEFAULT_PROJECT, help="project name (default: %(default)s)")
    p.add_argument("--annotator", help="who is annotating (default: the name given last time)")
    return p


def open_from_args(args: argparse.Namespace) -> tuple[Database, int]:
    """The database and project the arguments name; StartupError when they cannot open."""
    try:
        db = open_sample_database() if args.sample else open_database(args.db)
    except DatabaseError as exc:
        raise StartupError(str(exc)) from exc
    if db.backup:
        log.warning("migrated the database; backup of the old one: %s", db.backup)
    try:
        return db, open_project(db, args.project)
    except DatabaseError as exc:
        db.close()
        raise StartupError(str(exc)) from exc


def choose_annotator(given: str | None, db: Database) -> str:
    """Who is annotating: ``--annotator``, else the remembered name, else ask (first
    start); the answer is remembered for next time."""
    name = given or load_annotator()
    if not name:
        name = ask_annotator_name(None, None, list_annotators(db)) or default_annotator()
    save_annotator(name)
    return name


def application() -> QApplication:
    """The running QApplication, created (with our names) if there is none yet."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window until it closes; the exit status (2 when the database won't open)."""
    args = build_parser().parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="annotator: %(message)s")
    app = application()
    load_bundled_fonts()  # only now: registering fonts before the QApplication crashes
    try:
        if args.annotator and len(args.annotator.strip()) > MAX_NAME:  # the column's limit
            raise StartupError(f"an annotator name has at most {MAX_NAME} characters")
        db, project_id = open_from_args(args)
    except StartupError as exc:
        log.error("%s", exc)  # for whoever started us from a terminal
        QMessageBox.critical(None, "annotator \u2014 cannot start", str(exc))
        return 2
    try:
        annotator = choose_annotator(args.annotator, db)
        window = MainWindow(db, project_id, args.project, annotator)
        # Gone with its close, so nothing of it outlives the database it was shown on.
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return app.exec()
    finally:
        db.close()
