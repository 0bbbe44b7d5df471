"""``annotator backup`` and ``restore``: consistent copies of a SQLite database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.db.engine import DatabaseError


def _sqlite_file(args: argparse.Namespace) -> Path:
    from annotator.db.engine import resolve_url, sqlite_path

    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is None:
        raise DatabaseError(f"{url.render_as_string(hide_password=True)} is not a SQLite "
                            "file; back up a server database with its own tools (pg_dump)")
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    from annotator.db.backups import BackupError, copy_database, take_backup

    path = _sqlite_file(args)
    if not path.is_file():
        print(f"annotator: no database file {path}", file=sys.stderr)
        return 1
    try:
        if args.to:
            target = Path(args.to)
            if target.exists():
                print(f"annotator: {target} exists; give a new file name", file=sys.stderr)
                return 1
            copy_database(path, target)
        else:
            target = take_backup(path, "manual")
    except BackupError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {path} -> {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from annotator.db import migrations
    from annotator.db.backups import BackupError, restore

    path = _sqlite_file(args)
    try:
        done = restore(Path(args.backup), path, force=args.force, known=migrations.is_known)
    except BackupError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 1
    if done.previous:
        print(f"the database as it was is kept in {done.previous}", file=sys.stderr)
    print(f"restored {args.backup} -> {path} (schema {done.revision})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bk = sub.add_parser("backup", help="copy the SQLite database (consistently, even while "
                        "in use) into the backups/ folder beside it, or to --to")
    bk.add_argument("--to", metavar="PATH", help="write the copy here instead (a new file)")
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="replace the database with a backup; the current "
                        "one is backed up first")
    rs.add_argument("backup", metavar="BACKUP", help="a backup file (see backups/ beside "
                    "the database)")
    rs.add_argument("--force", action="store_true",
                    help="restore even while another program has the database open")
    rs.set_defaults(func=cmd_restore)
