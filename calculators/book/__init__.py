"""The relending book: what was claimed, drawn, owed and due, across years.

A book is an SQLite file (the default, ``relend-book.sqlite``) or a PostgreSQL database
(``postgresql://...``, with ``pip install 'relend[postgres]'``), the same behaviour on
both. It holds recorded claims (read back from a claim's ``--out`` folder and checked
against the SHA-256 its ``summary.json`` lists), the drawdowns of relending against
them, extensions, repayments, audits' clawbacks and quotas. Nothing in it is ever
updated or deleted: a revision, a repayment or a reversal is a new row, each change one
transaction, and :meth:`Book.verify` finds a row or a file changed behind its back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._book import Book
    from ._schema import SCHEMA_VERSION
    from ._store import DEFAULT_BOOK
    from ._values import (
        AlreadyClaimed,
        Changes,
        ClawbackEntry,
        Difference,
        DrawdownEntry,
        ExtensionEntry,
        QuotaEntry,
        Recorded,
        RepaymentEntry,
        Verification,
    )
    from ._views import BookView

__all__ = [
    "DEFAULT_BOOK",
    "SCHEMA_VERSION",
    "AlreadyClaimed",
    "Book",
    "BookView",
    "Changes",
    "ClawbackEntry",
    "Difference",
    "DrawdownEntry",
    "ExtensionEntry",
    "QuotaEntry",
    "Recorded",
    "RepaymentEntry",
    "Verification",
]

# where each name lives: the command line imports this package's _commands without
# loading SQLAlchemy, which the names below need
_HOMES = {
    "Book": "_book",
    "BookView": "_views",
    "DEFAULT_BOOK": "_store",
    "SCHEMA_VERSION": "_schema",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    found = getattr(import_module(f".{_HOMES.get(name, '_values')}", __name__), name)
    if isinstance(found, type):
        found.__module__ = __name__
    globals()[name] = found
    return found


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
