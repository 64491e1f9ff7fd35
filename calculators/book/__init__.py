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

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(__name__ + "._"):
        _obj.__module__ = __name__
del _name, _obj
