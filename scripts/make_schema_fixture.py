"""Write tests/data/schema-<head>.sqlite3: a small database at the newest schema revision.

Run after adding a migration; the tests open every such file with the current code.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from annotator.db import migrations
from annotator.db.engine import open_database
from annotator.io.importer import import_paths

TEXT = "قال الوزير إن المحادثات مستمرة"
RECORD = {
    "id": "released",
    "text": TEXT,
    "annotator": "salma",
    "spans": [{"start": 4, "end": 10, "label": "PERSON"},
              {"start": 0, "end": 30, "label": "QUOTE"}],
    "relations": [{"from": 1, "to": 0, "type": "SPEAKER"}],
}


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "tests/data"
    target = out / f"schema-{migrations.head_revision()}.sqlite3"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "released.jsonl"
        src.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
        db = open_database(target)
        report = import_paths(db, [src])
        assert report.ok, report.failed
        db.close()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    conn.execute("VACUUM")
    conn.close()
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
