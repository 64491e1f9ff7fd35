"""Reason codes: why a ledger row is eligible, excluded or invalid.

Codes are stable English identifiers, documented and never reused: a code that is
renamed keeps its old spelling as an alias (:data:`REASON_ALIASES`) so that stored
outputs stay readable. The table is append-only within a process: the common codes
come first, then each registered program's own codes as it registers
(:func:`add_reasons`), so a code's index never changes once given.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

import numpy as np

INVALID_REASONS = (
    "invalid_loan_id",
    "duplicate_loan_id",
    "invalid_borrower_id",
    "invalid_principal",
    "invalid_date",
    "maturity_not_after_disbursement",
)
"""A row that cannot be used: checked first, in this order."""

COMMON_EXCLUSIONS = (
    "non_cny",
    "before_policy_start",
    "after_policy_end",
    "outside_period",
    "term_under_minimum",
)
"""Exclusions every program shares, applied in this order before a program's own."""

BOOK_EXCLUSIONS = ("already_claimed",)
"""An exclusion applied last, when a claim is run against a book: the loan is in a claim
in force of another program, period or lender (see :mod:`calculators.engine.claimed`)."""

REASON_ALIASES: MappingProxyType[str, str] = MappingProxyType(
    {"term_under_6_months": "term_under_minimum"}
)
"""Old spellings of codes, as stored by earlier versions -> the code now written."""

ELIGIBLE = 0
_CODES: list[str] = ["eligible", *COMMON_EXCLUSIONS, *INVALID_REASONS, *BOOK_EXCLUSIONS]
_STATUS: list[int] = [
    0, *(1 for _ in COMMON_EXCLUSIONS), *(2 for _ in INVALID_REASONS),
    *(1 for _ in BOOK_EXCLUSIONS),
]  # fmt: skip
STATUSES = ("eligible", "excluded", "invalid")


def add_reasons(codes: Iterable[str], *, invalid: Iterable[str] = ()) -> None:
    """Append a program's codes not yet known (never renumbering a code); those in
    ``invalid`` mark a row invalid, the others excluded.

    Raises
    ------
    ValueError
        For an old spelling, or a code already known with the other status.
    """
    bad = set(invalid)
    for code in codes:
        if code in REASON_ALIASES:
            raise ValueError(f"{code!r} is an old spelling of {REASON_ALIASES[code]!r}")
        status = 2 if code in bad else 1
        if code not in _CODES:
            _CODES.append(code)
            _STATUS.append(status)
        elif _STATUS[_CODES.index(code)] != status:
            raise ValueError(f"{code!r} is already a code of the other status")


def reason_codes() -> tuple[str, ...]:
    """Every code known now, by index (the int8 codes of the engine index this)."""
    return tuple(_CODES)


def reason_index(code: str) -> int:
    """The index of ``code`` (an old spelling is read as its new code)."""
    return _CODES.index(REASON_ALIASES.get(code, code))


def status_of_reasons() -> np.ndarray:
    """Per code index: 0 eligible, 1 excluded, 2 invalid (int8)."""
    return np.array(_STATUS, dtype=np.int8)
