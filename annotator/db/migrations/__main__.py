"""Developers add a schema revision: ``python -m annotator.db.migrations -m MSG``.

``--autogenerate`` compares the models with a database at the newest revision, by
default a fresh temporary SQLite file.
"""

import argparse
import tempfile
from pathlib import Path

from alembic import command

from annotator.db.engine import make_engine, resolve_url
from annotator.db.migrations import config, upgrade

parser = argparse.ArgumentParser(prog="python -m annotator.db.migrations")
parser.add_argument("-m", "--message", required=True)
parser.add_argument("--autogenerate", action="store_true")
args = parser.parse_args()
with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(resolve_url(Path(tmp) / "head.sqlite3"))
    upgrade(engine)
    command.revision(config(engine), message=args.message, autogenerate=args.autogenerate)
