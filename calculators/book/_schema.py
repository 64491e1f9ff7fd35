"""The book's tables, its schema version and the migrations between versions.

Every table is written by inserts only: a revision, a repayment, an extension or a
clawback is a new row, never an update of an old one, and nothing is deleted. Each row
carries ``row_sha256``, the digest of its own content (:func:`row_digest`), and each
transaction adds one row to ``journal`` naming the rows it wrote with their digests and
chained to the journal row before it, so that a row changed, removed or added by hand
is found by :meth:`calculators.book.Book.verify`.

The schema version is a row of ``book_meta``; a book written by a newer release (a
higher version) is refused, and a book of an older version is brought up to this one by
the migrations in :data:`MIGRATIONS`, each in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

__all__ = [
    "APPEND_ONLY",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "canonical",
    "chain_digest",
    "metadata",
    "row_digest",
]

SCHEMA_VERSION = 1
"""The version of the tables this release writes."""

metadata = sa.MetaData()


def _recorded() -> list[sa.Column[Any]]:
    return [
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("row_sha256", sa.String(64), nullable=False),
    ]


book_meta = sa.Table(
    "book_meta",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("written_by", sa.String(100), nullable=False),
    *_recorded(),
)

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("program", sa.String(50), nullable=False),
    sa.Column("period", sa.String(20), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("lender", sa.String(50), nullable=False),
    sa.Column("policy_versions", sa.Text, nullable=False),  # JSON list of version ids
    sa.Column("loans_claimed", sa.BigInteger, nullable=False),
    sa.Column("eligible_principal_fen", sa.BigInteger, nullable=False),
    sa.Column("entitlement_fen", sa.BigInteger, nullable=False),
    sa.Column("deadline", sa.Date, nullable=True),
    sa.Column("folder", sa.Text, nullable=False),
    sa.Column("summary_sha256", sa.String(64), nullable=False),
    sa.Column("loans_sha256", sa.String(64), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("relend_version", sa.String(50), nullable=False),
    sa.Column("revision_of", sa.Integer, sa.ForeignKey("claims.id"), nullable=True),
    *_recorded(),
    sa.UniqueConstraint("summary_sha256", name="uq_claims_summary"),
)
sa.Index("ix_claims_key", claims.c.program, claims.c.period, claims.c.lender)

claim_files = sa.Table(
    "claim_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    *_recorded(),
)

claim_loans = sa.Table(
    "claim_loans",
    metadata,
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("loan_id", sa.Text, nullable=False),
    sa.Column("borrower_id", sa.String(18), nullable=False),
    sa.Column("principal_fen", sa.BigInteger, nullable=False),
    sa.Column("disbursement_date", sa.Date, nullable=False),
    sa.Column("entitlement_fen", sa.BigInteger, nullable=False),
    sa.Column("policy_version", sa.String(50), nullable=False),
)
sa.Index("ix_claim_loans_loan", claim_loans.c.loan_id, claim_loans.c.borrower_id)
sa.Index(
    "ix_claim_loans_same",
    claim_loans.c.borrower_id,
    claim_loans.c.principal_fen,
    claim_loans.c.disbursement_date,
)

drawdowns = sa.Table(
    "drawdowns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
    sa.Column("drawdown_date", sa.Date, nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("rate", sa.String(20), nullable=False),
    sa.Column("policy_version", sa.String(50), nullable=False),
    sa.Column("maturity_date", sa.Date, nullable=False),
    *_recorded(),
)

extensions = sa.Table(
    "extensions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("drawdown_id", sa.Integer, sa.ForeignKey("drawdowns.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("maturity_date", sa.Date, nullable=False),
    *_recorded(),
    sa.UniqueConstraint("drawdown_id", "number", name="uq_extensions_number"),
)

repayments = sa.Table(
    "repayments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("drawdown_id", sa.Integer, sa.ForeignKey("drawdowns.id"), nullable=False),
    sa.Column("repayment_date", sa.Date, nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    *_recorded(),
)

clawbacks = sa.Table(
    "clawbacks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("folder", sa.Text, nullable=False),
    sa.Column("summary_sha256", sa.String(64), nullable=False),
    *_recorded(),
    sa.UniqueConstraint("summary_sha256", name="uq_clawbacks_summary"),
)

quotas = sa.Table(
    "quotas",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("program", sa.String(50), nullable=False),
    sa.Column("lender", sa.String(50), nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("from_date", sa.Date, nullable=False),
    *_recorded(),
)

journal = sa.Table(
    "journal",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("entries", sa.Text, nullable=False),  # JSON [[table, id, row_sha256], ...]
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("previous_sha256", sa.String(64), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)

APPEND_ONLY = tuple(metadata.tables)
"""Every table: none is ever updated or deleted from (triggers refuse it)."""

DIGESTED = (
    "book_meta",
    "claims",
    "claim_files",
    "drawdowns",
    "extensions",
    "repayments",
    "clawbacks",
    "quotas",
)
"""The tables whose rows carry ``row_sha256`` (``claim_loans`` is digested per claim, in
``claims.loans_sha256``; ``journal`` is the chain itself)."""


def canonical(value: Any) -> Any:
    """A value as the digests see it: dates as ISO text, everything else as JSON has it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def row_digest(table: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of a row's content: the table's name and every column but ``id`` and
    ``row_sha256``, in name order, as canonical JSON."""
    content = {k: canonical(v) for k, v in row.items() if k not in ("id", "row_sha256")}
    text = json.dumps([table, sorted(content.items())], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def chain_digest(previous: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of a journal row, chained to the journal row before it."""
    content = [row["seq"], row["action"], row["entries"], row["recorded_at"], row["recorded_by"]]
    text = json.dumps([previous, content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _append_only_sqlite(connection: sa.Connection) -> None:
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'relend book: {table} is append-only'); END"
            )


def _append_only_postgresql(connection: sa.Connection) -> None:
    connection.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION relend_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'relend book: %% is append-only', TG_TABLE_NAME; END; "
        "$$ LANGUAGE plpgsql"
    )
    for table in APPEND_ONLY:
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION relend_append_only()"
        )


def _version_1(connection: sa.Connection) -> None:
    """Every table of the first release, with the triggers that keep them append-only."""
    metadata.create_all(connection)
    if connection.dialect.name == "postgresql":
        _append_only_postgresql(connection)
    else:
        _append_only_sqlite(connection)


MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_version_1,)
"""``MIGRATIONS[k]`` brings a book from schema version ``k`` to ``k + 1``."""

assert len(MIGRATIONS) == SCHEMA_VERSION
