"""Backups of SQLite databases: automatic, rotating, and restorable.

Backups go to a ``backups/`` folder beside the database, named
``<stem>-<kind>-<UTC time>-<schema revision>.sqlite3``. Kinds:

- ``daily``: taken when a database is opened and no daily backup of today (UTC) exists;
  the newest :data:`KEEP` ``["daily"]`` are kept.
- ``migration``: taken before a migration changes the file.
- ``restore``: the database as it was, taken before :func:`restore` replaces it.
- ``manual``: ``annotator backup``; never deleted automatically.

Every copy goes through SQLite's backup API (a consistent snapshot, even while another
process writes) into a temporary file that is renamed into place when complete, so a
crash during a backup never leaves a half-written file that looks like a backup.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FOLDER = "backups"
KINDS = ("daily", "migration", "restore", "manual")
KEEP: dict[str, int | None] = {"daily": 7, "migration": 5, "restore": 5, "manual": None}
BUSY_TIMEOUT_S = 30.0
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<kind>[a-z]+)-(?P<stamp>\d{8}T\d{12}Z)-(?P<rev>[^.]+)\.")


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str
    taken: datetime
    revision: str


def backup_folder(db_path: Path) -> Path:
    return db_path.parent / FOLDER


def list_backups(db_path: Path, kind: str | None = None) -> list[Backup]:
    """The backups of ``db_path`` in its backups folder, oldest first."""
    folder = backup_folder(db_path)
    found: list[Backup] = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    for entry in entries:
        m = _NAME.match(entry.name)
        if not m or m["stem"] != db_path.stem or not entry.name.endswith(db_path.suffix):
            continue
        if kind is not None and m["kind"] != kind:
            continue
        taken = datetime.strptime(m["stamp"], _STAMP).replace(tzinfo=UTC)
        found.append(Backup(Path(entry.path), m["kind"], taken, m["rev"]))
    found.sort(key=lambda b: b.taken)
    return found


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def copy_database(source: Path, target: Path) -> str | None:
    """Copy ``source`` to ``target`` through the backup API; returns the schema revision.

    The copy is written to ``target``'s name plus ``.part`` and renamed when complete;
    it is a single self-contained file (rollback journal, not WAL).
    """
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(part)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            revision = _revision(dst)
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source}: {exc}") from exc
    finally:
        src.close()
    os.replace(part, target)
    return revision


def take_backup(db_path: Path, kind: str, revision: str | None = None) -> Path:
    """Back up ``db_path`` into its backups folder as ``kind``, then rotate that kind."""
    assert kind in KINDS, kind
    stamp = datetime.now(UTC).strftime(_STAMP)
    folder = backup_folder(db_path)
    target = folder / f"{db_path.stem}-{kind}-{stamp}-{revision or 'base'}{db_path.suffix}"
    got = copy_database(db_path, target)
    if revision is None and got is not None:
        named = target.with_name(target.name.replace("-base.", f"-{got}.", 1))
        os.replace(target, named)
        target = named
    rotate(db_path, kind)
    return target


def rotate(db_path: Path, kind: str) -> list[Path]:
    """Delete the oldest backups of ``kind`` beyond :data:`KEEP`; returns what went."""
    keep = KEEP[kind]
    if keep is None:
        return []
    old = list_backups(db_path, kind)[:-keep]
    for b in old:
        b.path.unlink(missing_ok=True)
    return [b.path for b in old]


def daily_backup_due(db_path: Path, now: datetime | None = None) -> bool:
    """True when no daily backup of ``db_path`` was taken today (UTC). Cheap: one
    directory listing, no database access."""
    today = (now or datetime.now(UTC)).date()
    daily = list_backups(db_path, "daily")
    return not daily or daily[-1].taken.date() != today


def daily_backup(db_path: Path, revision: str | None) -> Path | None:
    """Take today's daily backup if it is due; returns it, or None."""
    if not daily_backup_due(db_path):
        return None
    return take_backup(db_path, "daily", revision)


def check_backup(path: Path) -> str:
    """Check that ``path`` is a whole annotator database; returns its schema revision."""
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            revision = _revision(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc}); nothing was restored"
                          ) from exc
    if result != "ok":
        raise BackupError(f"{path} is damaged (integrity check: {result}); nothing was restored")
    if revision is None:
        raise BackupError(f"{path} is not an annotator database; nothing was restored")
    return revision


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0


@dataclass(frozen=True)
class Restored:
    target: Path
    previous: Path | None  # the backup of what the target held, if it existed
    revision: str


def restore(backup: Path, target: Path, *, force: bool = False,
            known: Callable[[str], bool] | None = None) -> Restored:
    """Replace the database at ``target`` with the contents of ``backup``.

    ``backup`` must be a whole annotator database and, given ``known`` (which says
    whether this version knows a schema revision), one this version can open. The
    current ``target`` is backed up first (kind ``restore``). Unless ``force``, a target
    another connection has open is refused: SQLite lets only the sole connection leave
    WAL mode, and we keep that connection to write the backup through it.
    """
    revision = check_backup(backup)
    if known is not None and not known(revision):
        raise BackupError(f"{backup} was written by a newer version of annotator (schema "
                          f"revision {revision}); nothing was restored")
    target.parent.mkdir(parents=True, exist_ok=True)
    dst = sqlite3.connect(target, isolation_level=None,
                          timeout=BUSY_TIMEOUT_S if force else 0)
    try:
        if not force:
            try:
                dst.execute("PRAGMA journal_mode = DELETE").fetchone()
            except sqlite3.OperationalError as exc:
                raise BackupError(
                    f"{target} is in use (is the annotator window open on it?); close it "
                    "and try again, or pass --force. Nothing was restored."
                ) from exc
        previous = take_backup(target, "restore") if _has_tables(dst) else None
        src = sqlite3.connect(f"{backup.as_uri()}?mode=ro", uri=True)
        try:
            src.backup(dst)
        finally:
            src.close()
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
    return Restored(target, previous, revision)
