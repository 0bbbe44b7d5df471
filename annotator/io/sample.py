"""The bundled sample corpus: Arabic newswire from NewsFANE Gold (CC BY-SA 3.0).

``resources/sample/`` holds the documents as native JSONL, with the corpus licence beside
them. The window's ``--sample`` switch opens a separate database filled from it, so
trying the app never touches a researcher's own data.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from annotator.db.engine import Database, default_data_dir, open_database
from annotator.io.importer import ImportReport, import_paths
from annotator.store.documents import list_documents
from annotator.store.projects import DEFAULT_PROJECT, ensure_project

SAMPLE_FILE = "newsfane_sample.jsonl"


def sample_path() -> Path:
    """The sample corpus file inside the installed package data."""
    return Path(str(resources.files("annotator_resources.sample") / SAMPLE_FILE))


def sample_database_path() -> Path:
    return default_data_dir() / "sample.sqlite3"


def fill_with_sample(db: Database, project: str = DEFAULT_PROJECT) -> ImportReport | None:
    """Import the sample corpus into ``project`` if it has no documents yet."""
    project_id = ensure_project(db, project)
    if list_documents(db, project_id):
        return None
    return import_paths(db, [sample_path()], project=project)


def open_sample_database(path: str | Path | None = None) -> Database:
    """Open (creating and filling on first use) the sample database."""
    db = open_database(path or sample_database_path())
    fill_with_sample(db)
    return db
