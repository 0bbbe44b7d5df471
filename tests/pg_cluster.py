"""A throwaway PostgreSQL cluster for the tests, from Debian's ``postgresql`` package.

``python -m tests.pg_cluster start DIR`` initialises a cluster in DIR, starts it on a
Unix socket in DIR (no TCP port is opened) and prints its SQLAlchemy URL;
``python -m tests.pg_cluster stop DIR`` stops it. ``.ci/run`` uses both around the test
command. When the tests run without ``ANNOTATOR_TEST_PG`` (a newcomer running pytest),
the session fixture in tests/conftest.py starts and stops a cluster the same way.

As root (containers, CI) the server runs as the ``postgres`` user, because PostgreSQL
refuses to run as root. Durability settings are off: a test cluster is thrown away.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

PORT = 5439  # only names the socket file: listen_addresses is empty
SERVER_USER = "postgres"


class ClusterError(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/N/bin`` holding initdb, or initdb on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name))
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ClusterError(
        "PostgreSQL is not installed: the tests need its server binaries (initdb, pg_ctl). "
        "Run scripts/setup.sh, or apt-get install postgresql, or set ANNOTATOR_TEST_PG to "
        "the URL of a server the tests may create databases on.")


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", SERVER_USER, "--", *cmd]


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ClusterError(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                           f"{proc.stdout}{proc.stderr}")
    return proc.stdout


def url_for(directory: Path, database: str = "postgres") -> str:
    """The SQLAlchemy URL of the cluster in ``directory`` (socket connection)."""
    return (f"postgresql+psycopg://{SERVER_USER}@/{database}"
            f"?host={directory / 'socket'}&port={PORT}")


def start(directory: Path) -> str:
    """Initialise and start a cluster in ``directory``; return its URL."""
    directory = directory.resolve()
    data, socket = directory / "data", directory / "socket"
    directory.mkdir(parents=True, exist_ok=True)
    socket.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, SERVER_USER)
        shutil.chown(socket, SERVER_USER)
    bin_dir = find_bin_dir()
    if not (data / "PG_VERSION").exists():
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", SERVER_USER, "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
    options = (f"-k {socket} -p {PORT} -c listen_addresses='' -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
               "-c shared_buffers=128MB")
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
          "-o", options, "-w", "-t", "60", "start"])
    return url_for(directory)


def stop(directory: Path) -> None:
    data = directory.resolve() / "data"
    if (data / "postmaster.pid").exists():
        _run([str(find_bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m tests.pg_cluster start|stop DIR", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            print(start(Path(argv[1])))
        else:
            stop(Path(argv[1]))
    except ClusterError as exc:
        print(f"pg_cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
