"""What every command shares: opening the database and a progress bar on a terminal."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from annotator.db.engine import Database, open_database


def progress_bar(label: str, stream=None) -> Callable[[int, int], None]:  # type: ignore[no-untyped-def]
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return lambda done, total: None
    started = time.monotonic()
    last = [0.0]

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and done < total:
            return
        last[0] = now
        frac = done / total if total else 1.0
        filled = int(30 * frac)
        rate = done / max(now - started, 1e-6)
        eta = (total - done) / rate if rate and done < total else 0
        stream.write(
            f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {frac:6.1%}  eta {eta:4.0f}s "
        )
        if done >= total:
            stream.write("\n")
        stream.flush()

    return update


def open_db(args: argparse.Namespace) -> Database:
    db = open_database(args.db)
    if db.backup:
        print(f"migrated the database; backup of the old one: {db.backup}", file=sys.stderr)
    return db
