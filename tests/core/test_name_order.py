"""Names come out in one order on every database, whatever its collation: SQLite and a
C-locale PostgreSQL put capitals first, an en-US PostgreSQL does not."""

from __future__ import annotations

from pathlib import Path

from annotator.db.engine import Database
from annotator.io.importer import import_paths
from annotator.store.projects import ensure_project, list_annotators
from annotator.store.spans import add_span
from annotator.store.stats import format_table, project_stats

NAMES = ["amal", "Basma", "Huda", "zaid"]


def test_stats_list_annotators_in_name_order(db: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("قال الوزير محمد علي", encoding="utf-8")
    assert import_paths(db, [tmp_path / "a.txt"]).ok
    for who in ("zaid", "Huda", "amal", "Basma"):
        add_span(db, 1, who, "PERSON", 0, 3)
    assert list_annotators(db) == NAMES
    stats = project_stats(db, ensure_project(db, "default"))
    assert list(stats.spans) == NAMES
    table = format_table(stats, ["PERSON"])
    firsts = [words[0] for words in map(str.split, table.splitlines()) if words]
    assert [name for name in firsts if name in NAMES] == NAMES
