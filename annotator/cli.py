"""The command line: ``annotator [--db PATH_OR_URL] [--project NAME] COMMAND ...``.

Each command lives in a module of :mod:`annotator.commands` with a ``register(sub)``
that adds its parser; this module only holds the global options and runs the command.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from annotator import __version__
from annotator.db.engine import ENV_VAR, DatabaseError
from annotator.store.projects import DEFAULT_PROJECT

# The modules of annotator.commands, in the order their commands are listed in --help.
COMMANDS = ("corpus", "inspect", "agreement", "backup")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="annotator",
        description="Label Arabic news text: import, export, statistics, viewing.",
    )
    p.add_argument("--version", action="version", version=f"annotator {__version__}")
    p.add_argument(
        "--db",
        help=f"SQLite file or SQLAlchemy URL (default: ${ENV_VAR}, else a file in the user "
        "data directory)",
    )
    p.add_argument("--project", default=DEFAULT_PROJECT, help="project name (default: %(default)s)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"annotator.commands.{name}").register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DatabaseError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

