"""Exclusion rules that more than one program applies, each written once.

A program lists its rules in its :class:`calculators.engine.program.Program`; the rules
here are made for it by a factory (the list a rule reads, the column and the codes its
values are read as) or shared as they are (a loan's own rate and its cap).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from .._i18n import Label
from ..policy.model import PolicyRow
from ..policy.table import own_figure
from .program import ExclusionRule, LedgerColumn, OwnFigure, Rule, RuleInput

if TYPE_CHECKING:
    import pandas as pd

# the rules read columns (pandas, pyarrow) when they run: registering the programs that
# use them, for the command line's choices, stays light

__all__ = [
    "INVALID_LOAN_RATE",
    "LOAN_RATE",
    "LOAN_RATE_ABOVE_CAP",
    "LOAN_RATE_CAP",
    "RATE_COLUMN",
    "code_not_in_the_version",
    "loan_rate_above_cap",
    "loan_rate_unreadable",
    "not_on_the_list",
    "parse_loan_rate",
    "rate_cap",
    "value_codes",
]


def not_on_the_list(name: str) -> Rule:
    """The rule "borrower not on the list": rows whose borrower is not on the program's
    required reference list ``name`` (``eligible_borrowers``, ``designated_purchasers``).

    Notes
    -----
    Only the rows no earlier reason decided are looked up.
    """

    def rule(given: RuleInput) -> np.ndarray:
        listed = given.lists[name]
        assert listed is not None  # a required list
        return ~given.columns.borrower_in(listed, given.open_rows)

    rule.__doc__ = f"Borrowers not on the list {name}."
    return rule


def value_codes(values: pd.Series, code_of: Callable[[str], str]) -> np.ndarray:
    """Each row's code by ``code_of`` of its value ("" where it has none), looked up once
    per distinct value (a column of categories or fields has few) and spread over the
    rows."""
    import pyarrow.compute as pc

    from ..columnar.text import TextColumn

    encoded = pc.dictionary_encode(TextColumn.of(values).filled().array)
    codes = np.array([code_of(v) for v in encoded.dictionary.to_pylist()], dtype=object)
    return codes[encoded.indices.to_numpy(zero_copy_only=False)]


def code_not_in_the_version(column: str, codes: Callable[[pd.Series], np.ndarray]) -> Rule:
    """The rule "code not in the version's list": rows whose ``column``, read as a code by
    ``codes`` ("" where the value is not recognized), is not among the ``categories`` of
    the policy version covering the loan (a row no version covers is excluded too).

    Parameters
    ----------
    column : str
        The program's own ledger column (``borrower_category``, ``carbon_field``).
    codes : callable of pandas.Series to numpy.ndarray of str
        Each value's code, looked up once per distinct value.
    """

    def rule(given: RuleInput) -> np.ndarray:
        found = codes(given.columns.frame[column])
        supported = np.zeros(len(found), dtype=bool)
        for k, row in enumerate(given.versions):
            mine = given.version == k
            if mine.any():
                supported[mine] = np.isin(found[mine], list(row.categories.value))
        return ~supported

    rule.__doc__ = f"Rows whose {column} is not one the version covering the loan supports."
    return rule


RATE_COLUMN = "loan_rate"
"""The ledger column of a loan's own annual rate (贷款利率, 执行利率, 贷款年利率)."""
_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*")


def parse_loan_rate(text: str) -> Decimal | None:
    """A loan rate as written in the ledger, as an exact annual fraction (``"3.2"`` ->
    ``Decimal("0.032")``), or None when it is not an accepted form.

    Notes
    -----
    The annual rate in percent, ``3.2``, ``3.20`` or ``3.2%`` (read after Unicode NFKC:
    a full-width ``％`` and digits too; spaces around it ignored). Without ``%`` a value
    below 1 is ambiguous (``0.032``: 3.2% as a fraction, or 0.032%) and refused; with it
    any value above 0 and below 100. No sign, no thousands separator, no exponent.
    """
    found = _RATE.fullmatch(unicodedata.normalize("NFKC", text))
    if found is None:
        return None
    percent = Decimal(found[1])
    if not found[2] and percent < 1:
        return None  # ambiguous: a fraction, or a rate below 1%
    if not 0 < percent < 100:
        return None
    return percent / 100


def _rates(given: RuleInput) -> tuple[np.ndarray, list[Decimal | None]]:
    """Per row, the index of its rate among the distinct values, and those values read.

    Notes
    -----
    A ledger has few distinct rates: each is read once (exactly, with ``Decimal``) and
    the rows take theirs by index, so no Python runs per row.
    """
    from ..columnar.text import TextColumn

    text = TextColumn.of(given.columns.frame[RATE_COLUMN]).filled().array
    encoded = text.dictionary_encode()
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    values = [parse_loan_rate(v) for v in encoded.dictionary.to_pylist()]
    return indices, values


def loan_rate_unreadable(given: RuleInput) -> np.ndarray:
    """Rows whose ``loan_rate`` is missing or not an accepted form (``invalid_loan_rate``)."""
    indices, values = _rates(given)
    bad = np.array([v is None for v in values], dtype=bool)
    return bad[indices] if len(values) else np.zeros(len(indices), dtype=bool)


def rate_cap(row: PolicyRow) -> Decimal:
    """The highest loan rate of an eligible loan under ``row``'s version (its figure
    ``loan_rate_cap``, 0.032)."""
    cap = own_figure(row, "loan_rate_cap").value
    assert isinstance(cap, Decimal)
    return cap


def loan_rate_above_cap(given: RuleInput) -> np.ndarray:
    """Rows whose rate is above the cap of the version covering the loan, compared exactly
    (``loan_rate_above_cap``)."""
    indices, values = _rates(given)
    above = np.zeros(len(indices), dtype=bool)
    for k, row in enumerate(given.versions):
        mine = (given.version == k) & given.open_rows
        if mine.any():
            cap = rate_cap(row)
            over = np.array([v is not None and v > cap for v in values], dtype=bool)
            above[mine] = over[indices[mine]]
    return above


LOAN_RATE = LedgerColumn(
    RATE_COLUMN, ("贷款利率", "执行利率", "贷款年利率"), Label("贷款利率", "loan rate")
)
"""A loan's own annual rate (``3.2``, ``3.2%``, ``0.032``), for the programs that cap it."""

LOAN_RATE_CAP = OwnFigure("loan_rate_cap", "rate", Label("贷款利率上限", "loan rate cap"))
"""The highest own rate of an eligible loan, a figure of each policy version."""

INVALID_LOAN_RATE = ExclusionRule(
    "invalid_loan_rate", loan_rate_unreadable, invalid=True, column=RATE_COLUMN,
    label=Label("贷款利率无效", "loan rate invalid"),
)  # fmt: skip
"""A loan's own rate missing or unreadable: the row is invalid."""

LOAN_RATE_ABOVE_CAP = ExclusionRule(
    "loan_rate_above_cap", loan_rate_above_cap, column=RATE_COLUMN,
    label=Label("贷款利率高于上限", "loan rate above the cap"),
)  # fmt: skip
"""A loan's own rate above the cap of the version covering it: the row is excluded."""
