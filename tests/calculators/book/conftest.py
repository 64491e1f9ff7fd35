"""Books to test on: an SQLite file always, and a real PostgreSQL server when Debian's
``postgresql`` is installed (the server is started in a temporary folder for the test
session and stopped after it)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_NO_POSTGRES = (
    "PostgreSQL is not installed (Debian's postgresql): the book's tests ran on SQLite only"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server's commands as ``postgres`` then."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[tuple[str, int]]:
    """A PostgreSQL server on a Unix socket in a temporary folder: (socket folder, port)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip(_NO_POSTGRES)
    bindir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="relend-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, port = base / "data", _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "relend",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-w",
                "-o",
                f"-k {base} -p {port} -c listen_addresses=''",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield str(base), port
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


_DATABASES = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def book_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty book: an SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        return str(tmp_path / "book.sqlite")
    folder, port = request.getfixturevalue("postgres_server")
    import psycopg

    name = f"book_{os.getpid()}_{next(_DATABASES)}"
    with psycopg.connect(
        host=folder, port=port, user="relend", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://relend@/{name}?host={folder}&port={port}"
