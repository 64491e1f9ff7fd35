"""Loans already in another recorded claim: the ``already_claimed`` exclusion.

A claim run against a book (``claim(..., book=...)``, ``relend claim --book``) leaves out
every loan that a claim in force of another program, period or lender already holds
(a revision does not count against the claim it supersedes). A loan is the same loan
when its loan id and borrower id match after the normalisation the ledger reader
applies (ids stripped; borrower ids NFKC, without spaces, upper case).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._i18n import _
from ..columnar.text import TextColumn
from .validate import LoanColumns

__all__ = ["ALREADY_CLAIMED", "ClaimedElsewhere"]

ALREADY_CLAIMED = "already_claimed"

_LARGE = pa.large_string()
_SEPARATOR = pa.scalar("\x1f", _LARGE)


def _keys(loan_ids: pa.Array, borrower_ids: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(loan_ids.cast(_LARGE), borrower_ids.cast(_LARGE), _SEPARATOR)


@dataclass(frozen=True)
class ClaimedElsewhere:
    """The loans of the claims in force elsewhere in a book, keyed for lookups.

    Attributes
    ----------
    book : str
        Where the book is (for the summary).
    keys : pyarrow.Array of large_string
        ``loan_id`` U+001F ``borrower_id`` of each loan, once (its first claim).
    claims : pyarrow.Array of large_string
        For each key, the claim that holds it: ``tech 2022Q2 ICBC, claim 3``.
    """

    book: str
    keys: pa.Array = field(repr=False)
    claims: pa.Array = field(repr=False)

    @classmethod
    def of(cls, book: str, loans: pd.DataFrame) -> ClaimedElsewhere:
        """From ``Book.claimed_elsewhere``'s frame (``loan_id``, ``borrower_id``,
        ``claim_id``, ``program``, ``period``, ``lender``), earliest claim first."""
        keys = _keys(
            pa.array(loans["loan_id"].astype(str), _LARGE),
            pa.array(loans["borrower_id"].astype(str), _LARGE),
        )
        first = ~pd.Series(keys.to_pandas()).duplicated().to_numpy()
        where = pa.array(np.flatnonzero(first))
        names = pc.binary_join_element_wise(
            pa.array(loans["program"].astype(str), _LARGE),
            pa.array(loans["period"].astype(str), _LARGE),
            pa.array(loans["lender"].astype(str), _LARGE),
            pa.scalar(" ", _LARGE),
        )
        claims = pc.binary_join_element_wise(
            names,
            pa.array(loans["claim_id"].astype(str), _LARGE),
            # TRANSLATORS: a detail: tech 2022Q2 ICBC, claim 3
            pa.scalar(_(", claim "), _LARGE),
        )
        return cls(book, pc.take(keys, where), pc.take(claims, where))

    def __len__(self) -> int:
        return len(self.keys)

    def row_keys(self, cols: LoanColumns, rows: np.ndarray | None = None) -> pa.Array:
        loan_ids = cols.loan_id.array
        borrowers = TextColumn.of(cols.frame["borrower_id"]).filled().normalized().array
        if rows is not None:
            at = pa.array(rows)
            loan_ids, borrowers = pc.take(loan_ids, at), pc.take(borrowers, at)
        return _keys(loan_ids, borrowers)

    def mask(self, cols: LoanColumns) -> np.ndarray:
        """Per row: whether another claim in force holds the loan."""
        if not len(self.keys):
            return np.zeros(len(cols.principal_fen), dtype=bool)
        found = pc.is_in(self.row_keys(cols), value_set=self.keys)
        return found.to_numpy(zero_copy_only=False).astype(bool)

    def detail(self, cols: LoanColumns, rows: np.ndarray) -> pa.Array:
        """``already claimed: tech 2022Q2 ICBC, claim 3`` for each row."""
        at = pc.index_in(self.row_keys(cols, rows), value_set=self.keys)
        return pc.binary_join_element_wise(
            # TRANSLATORS: a detail, followed by the claim: tech 2022Q2 ICBC, claim 3
            pa.scalar(_("already claimed: "), _LARGE),
            pc.take(self.claims, at),
            pa.scalar("", _LARGE),
        )
