"""Where a book lives: an SQLite file or a PostgreSQL server, opened the same way.

A book is a path (an SQLite file, made on first use) or a URL: ``postgresql://...``
(the extra ``relend[postgres]``) or ``sqlite:///...``. Writers take turns: SQLite in WAL
mode with a busy timeout, each write transaction begun ``IMMEDIATE``; PostgreSQL with a
transaction-scoped advisory lock. So two processes recording at once both land, one
after the other, and the journal's chain stays a single line.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .._errors import BookError
from .._i18n import _
from ..engine.result import relend_version
from . import _schema as schema

__all__ = ["DEFAULT_BOOK", "Store", "Writer", "book_location"]

DEFAULT_BOOK = "relend-book.sqlite"
"""The book's file in the current folder when neither ``--book`` nor ``RELEND_BOOK``
names one."""

_BUSY_MS = 60_000
_LOCK_KEY = 0x7265_6C65_6E64  # "relend": the advisory lock every writer takes


def book_location(given: str | os.PathLike[str] | None = None) -> str:
    """The book to open: ``given``, else ``$RELEND_BOOK``, else :data:`DEFAULT_BOOK`."""
    if given is not None and str(given) != "":
        return str(given)
    return os.environ.get("RELEND_BOOK") or DEFAULT_BOOK


def _url(location: str) -> sa.URL:
    if "://" not in location:
        path = Path(location).expanduser()
        if path.is_dir():
            raise BookError("book", location, _("a file for the book, not a folder"))
        return sa.URL.create("sqlite+pysqlite", database=str(path))
    try:
        url = sa.make_url(location)
    except sa.exc.ArgumentError:
        raise BookError(
            "book", location, _("a file path, sqlite:///PATH or postgresql://USER@HOST/DB")
        ) from None
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    raise BookError("book", location, _("a file path, sqlite:///PATH or postgresql://USER@HOST/DB"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Writer:
    """One write transaction: rows inserted through it are digested and journalled."""

    def __init__(self, connection: sa.Connection, action: str, by: str) -> None:
        self.connection = connection
        self.action = action
        self.by = by
        self.at = _now()
        self.entries: list[list[Any]] = []

    def insert(self, table: sa.Table, row: Mapping[str, Any]) -> int:
        """Insert one digested row; its ``id``."""
        full = {**row, "recorded_at": self.at, "recorded_by": self.by}
        full["row_sha256"] = schema.row_digest(table.name, full)
        key = self.connection.execute(sa.insert(table).values(full)).inserted_primary_key
        assert key is not None
        new_id = key[0]
        self.entries.append([table.name, int(new_id), full["row_sha256"]])
        return int(new_id)

    def insert_many(self, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows that are digested as a whole elsewhere (a claim's loans)."""
        if rows:
            self.connection.execute(sa.insert(table), list(rows))

    def close(self) -> int | None:
        """Append the journal row of this transaction; its ``seq`` (None: the transaction
        wrote nothing, and adds nothing to the journal)."""
        if not self.entries:
            return None
        last = self.connection.execute(
            sa.select(schema.journal.c.seq, schema.journal.c.sha256)
            .order_by(schema.journal.c.seq.desc())
            .limit(1)
        ).first()
        previous = last.sha256 if last else ""
        seq = (last.seq if last else 0) + 1
        row = {
            "seq": seq,
            "action": self.action,
            "entries": json.dumps(self.entries, separators=(",", ":")),
            "recorded_at": self.at,
            "recorded_by": self.by,
        }
        row["sha256"] = schema.chain_digest(previous, row)
        row["previous_sha256"] = previous
        self.connection.execute(sa.insert(schema.journal).values(row))
        return seq


class Store:
    """An open book: its engine, its schema checked and brought up to date."""

    def __init__(self, location: str | os.PathLike[str] | None = None) -> None:
        self.location = book_location(location)
        url = _url(self.location)
        self.dialect = url.get_backend_name()
        if self.dialect == "sqlite":
            self.engine = sa.create_engine(
                url, connect_args={"timeout": _BUSY_MS / 1000}, poolclass=sa.pool.NullPool
            )
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        else:
            try:
                self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
            except ImportError:
                raise BookError(
                    "book",
                    self.location,
                    _("a PostgreSQL book needs the extra: pip install 'relend[postgres]'"),
                ) from None
        try:
            self._migrate()
        except sa.exc.OperationalError as exc:
            raise BookError(
                "book",
                self.location,
                _("a book relend can open ({reason})").format(reason=_db_reason(exc)),
            ) from None
        except sa.exc.DatabaseError as exc:
            raise BookError(
                "book",
                self.location,
                _("a relend book (this is not one: {reason})").format(reason=_db_reason(exc)),
            ) from None

    def schema_version(self, connection: sa.Connection) -> int:
        if not sa.inspect(connection).has_table("book_meta"):
            return 0
        found = connection.execute(sa.select(sa.func.max(schema.book_meta.c.schema_version)))
        return int(found.scalar() or 0)

    def _migrate(self) -> None:
        with self.engine.connect() as connection:
            version = self.schema_version(connection)
            tables = sa.inspect(connection).get_table_names()
        if version > schema.SCHEMA_VERSION:
            raise BookError(
                "book",
                self.location,
                _(
                    "a book of schema version {known} or older; this one was written by a "
                    "newer relend (schema version {found}): upgrade relend to open it"
                ).format(known=schema.SCHEMA_VERSION, found=version),
            )
        if version == 0 and tables:
            raise BookError(
                "book",
                self.location,
                _("a relend book or a new file (this database holds other tables)"),
            )
        for target in range(version + 1, schema.SCHEMA_VERSION + 1):
            with self.write("migrate", "relend") as writer:
                if self.schema_version(writer.connection) >= target:
                    continue  # another process migrated first
                schema.MIGRATIONS[target - 1](writer.connection)
                writer.insert(
                    schema.book_meta,
                    {"schema_version": target, "written_by": f"relend {relend_version()}"},
                )

    @contextmanager
    def write(self, action: str, by: str | None = None) -> Iterator[Writer]:
        """A write transaction, the writers' lock held, its journal row added at the end."""
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            writer = Writer(connection, action, by or user())
            yield writer
            writer.close()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction (one consistent view of the book)."""
        with self.engine.connect() as connection:
            connection.info["read_only"] = True
            if self.dialect == "postgresql":
                connection.exec_driver_sql(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def user() -> str:
    """Who records: ``$RELEND_USER``, else the system's user name."""
    name = os.environ.get("RELEND_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _db_reason(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off: begin() below says BEGIN IMMEDIATE
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    # a writer takes the write lock at once, so that two writers queue on the busy
    # timeout instead of one failing when it upgrades a read lock
    connection.exec_driver_sql("BEGIN" if connection.info.get("read_only") else "BEGIN IMMEDIATE")
