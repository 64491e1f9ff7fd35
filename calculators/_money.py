"""Exact money: integer fen, exact ratios, one half-up rounding.

Money is held as integer fen (分) everywhere: Python ``int`` for totals and numpy
``int64`` for columns. Ratios and rates are :class:`fractions.Fraction` or
:class:`decimal.Decimal`; nothing in a money path is a float.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ._errors import MoneyError
from ._i18n import N_, _

if TYPE_CHECKING:
    import pandas as pd

# The column parsers (pandas, pyarrow) are in calculators.columnar.money: amounts typed
# on the command line (relend facility, incentive) and the policy table need neither.

ROUND_HALF_UP_NOTE = N_("one rounding, ROUND_HALF_UP to the fen, on the final amount")
ROUNDING_RULE = N_(
    "one rounding, ROUND_HALF_UP to the fen, on the total; per-loan amounts are the "
    "largest-remainder split of that total (each loan gets ratio × principal rounded "
    "down, and the remaining fen go one each to the largest remainders, earlier rows "
    "first on ties), so they add up to the total exactly"
)

# yuan: digits with optional thousands separators, at most two decimals
YUAN_PATTERN = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?"
_YUAN_RE = re.compile(rf"^{YUAN_PATTERN}$")
FEN_PATTERN = r"[+-]?\d+"
# 万元 (10,000 yuan): as yuan, with at most six decimals (one fen is 0.000001 万元)
WAN_PATTERN = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,6})?"
FEN_PER_WAN = 1_000_000
MAX_FEN = 10**17  # 1 quadrillion yuan: far above any ledger, far below int64's limit


def round_half_up(value: Fraction | Decimal | int) -> int:
    """Round an exact amount of fen to the nearest fen, halves away from zero.

    Examples
    --------
    >>> round_half_up(Fraction(5, 2)), round_half_up(Fraction(-5, 2))
    (3, -3)
    """
    q = Fraction(value)
    sign = -1 if q < 0 else 1
    q = abs(q)
    floor, rest = divmod(q.numerator, q.denominator)
    return sign * (floor + (1 if 2 * rest >= q.denominator else 0))


def yuan_to_fen(text: str | int | Decimal, parameter: str = "amount") -> int:
    """Parse one amount in yuan exactly into fen.

    Accepts ``"1,234,567.89"``, ``"1234567.8"``, ``1234567`` or ``Decimal("12.34")``;
    thousands separators must group by three; at most two decimals.

    Raises
    ------
    MoneyError
        If the amount is not exact to the fen or not a number.
    """
    if isinstance(text, (bool, float)):
        raise MoneyError(parameter, text, _("yuan as a string or Decimal, at most 2 decimals"))
    if isinstance(text, int):
        return text * 100
    if isinstance(text, Decimal):
        fen = text * 100
        if fen != fen.to_integral_value():
            raise MoneyError(parameter, str(text), _("yuan with at most 2 decimals"))
        return int(fen)
    cleaned = str(text).strip().replace("，", ",")
    if not _YUAN_RE.match(cleaned):
        raise MoneyError(
            parameter, text, _("yuan with at most 2 decimals, e.g. 1,234,567.89 or 1234567.89")
        )
    return int(Decimal(cleaned.replace(",", "")) * 100)


def fen_to_yuan(fen: int) -> str:
    """Format integer fen as a yuan string with two decimals, e.g. ``"1,234.50"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def exact_sum(fen: np.ndarray | pd.Series) -> int:
    """The exact sum of a column of integer fen, as a Python int, whatever its length.

    Notes
    -----
    An int64 sum could wrap past 2**63 on a large enough ledger. When every value is
    within ``2**63 / len`` of zero no partial sum can, and the plain sum is exact (two
    passes, no temporaries); otherwise each value is split into its high and low 32
    bits; both partial sums stay far inside int64 for any column shorter than 2**31
    rows of amounts below 2**62, and are recombined exactly.
    """
    values = np.asarray(fen, dtype=np.int64)
    if not len(values):
        return 0
    bound = np.iinfo(np.int64).max // len(values)
    if -bound <= values.min() and values.max() <= bound:  # no partial sum can wrap
        return int(values.sum(dtype=np.int64))
    if len(values) >= 2**31:
        return sum(exact_sum(values[i : i + 2**30]) for i in range(0, len(values), 2**30))
    high = int((values >> 32).sum(dtype=np.int64))
    low = int((values & 0xFFFFFFFF).sum(dtype=np.int64))
    return (high << 32) + low


def apply_ratio(total_fen: int, ratio: Fraction) -> int:
    """``round_half_up(ratio x total_fen)``: the one rounding of a claim."""
    return round_half_up(ratio * total_fen)


def split_floors(principal_fen: np.ndarray, ratio: Fraction) -> tuple[np.ndarray, np.ndarray]:
    """``floor(ratio x principal)`` per loan and the remainder, in units of 1/denominator fen."""
    p = np.asarray(principal_fen, dtype=np.int64)
    return np.divmod(p * np.int64(ratio.numerator), np.int64(ratio.denominator))


def leftover_threshold(remainder_counts: np.ndarray, leftover: int) -> tuple[int, int]:
    """Where the leftover fen stop, given how many loans have each remainder.

    Returns ``(r, take)``: every loan with a remainder above ``r`` gets one more fen, and
    so do the first ``take`` loans (in row order) whose remainder is exactly ``r``.

    Notes
    -----
    ``r`` is the highest remainder (1 or more) at which the loans with that remainder or
    a higher one are at least ``leftover``, found by one search of their running count
    rather than by a loop over the remainders (a ratio of 6 decimal places has 10**6).
    """
    k = int(leftover)
    counts = np.asarray(remainder_counts, dtype=np.int64)
    at_or_above = np.cumsum(counts[:0:-1])  # loans with remainder >= r, r from the top
    i = int(np.searchsorted(at_or_above, k, side="left"))
    if i == len(at_or_above):
        if k:
            raise AssertionError("more leftover fen than loans with a remainder")
        return 0, 0
    r = len(counts) - 1 - i
    return r, k - (int(at_or_above[i]) - int(counts[r]))


def largest_remainder_split(principal_fen: np.ndarray, ratio: Fraction) -> np.ndarray:
    """Split ``round_half_up(ratio x sum(principal))`` over the loans, exactly.

    Each loan gets ``floor(ratio x principal)``; the fen left over (fewer than the
    number of loans) go one each to the loans with the largest remainders, earlier
    rows first among equal remainders. The result sums to the rounded total. Loans
    with principal 0 get 0.

    Parameters
    ----------
    principal_fen : numpy.ndarray of int64
        Non-negative principals.
    ratio : Fraction
        Between 0 and 1 with a small denominator (e.g. 3/5).
    """
    floors, remainders = split_floors(principal_fen, ratio)
    return split_remainders(floors, remainders, ratio, exact_sum(principal_fen))


def split_remainders(
    floors: np.ndarray, remainders: np.ndarray, ratio: Fraction, principal_total: int
) -> np.ndarray:
    """The largest-remainder split (see :func:`largest_remainder_split`) from the floors
    and remainders of :func:`split_floors` and the exact total principal."""
    total = apply_ratio(principal_total, ratio)
    counts = np.bincount(remainders, minlength=ratio.denominator)
    r, take = leftover_threshold(counts, total - exact_sum(floors))
    return floors + bonus_fen(remainders, r, take)


def bonus_fen(remainders: np.ndarray, r: int, take: int) -> np.ndarray:
    """1 for loans past the threshold of :func:`leftover_threshold`, else 0."""
    bonus = (remainders > r).astype(np.int64)
    if take:
        bonus[np.flatnonzero(remainders == r)[:take]] = 1
    return bonus


@dataclass(frozen=True)
class Shares:
    """The ratios of a program's versions as whole numerators over one denominator.

    A claim whose loans fall under versions with different ratios is still rounded once:
    each loan's exact share is ``principal x numerator[version] / denominator``, split
    into a whole-fen floor and a remainder in units of ``1/denominator`` fen, and the
    entitlement is ``round_half_up`` of the exact sum of those shares.

    Attributes
    ----------
    numerators : numpy.ndarray of int64
        One per version, in the program's version order.
    denominator : int
        The least common multiple of the ratios' denominators.
    """

    numerators: np.ndarray
    denominator: int

    @classmethod
    def of(cls, ratios: Sequence[Fraction]) -> Shares:
        """The shares of ``ratios`` (each between 0 and 1) over their common denominator."""
        denominator = math.lcm(*(r.denominator for r in ratios))
        numerators = [r.numerator * (denominator // r.denominator) for r in ratios]
        return cls(np.array(numerators, dtype=np.int64), denominator)

    def split(
        self, principal_fen: np.ndarray, version: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``floor(ratio x principal)`` per loan and the remainder (in 1/denominator fen),
        each loan under the ratio of its version (rows of principal 0 give 0).

        Notes
        -----
        ``divmod(p x n, d)`` when ``p x n`` fits in int64 (every ledger's amounts: they
        are below ``2**63 / n``). Otherwise ``p = q x d + r`` with ``r < d``, so
        ``p x n / d = q x n + r x n / d``: every product stays far inside int64
        (``q x n <= p`` as ``n <= d``, ``r x n < d**2``) whatever the principal.
        """
        principal = np.asarray(principal_fen, dtype=np.int64)
        d = np.int64(self.denominator)
        if len(self.numerators) == 1:  # one version: no gather
            n: np.ndarray | np.int64 = self.numerators[0]
        else:
            n = self.numerators[np.clip(version, 0, None)]
        bound = np.iinfo(np.int64).max // max(int(self.numerators.max()), 1)
        if not len(principal) or (-bound <= principal.min() and principal.max() <= bound):
            return np.divmod(principal * n, d)  # p x n cannot overflow: one division
        q, r = np.divmod(principal, d)
        extra, remainders = np.divmod(r * n, d)
        return q * n + extra, remainders

    def total(self, floors_total: int, remainder_counts: np.ndarray) -> int:
        """The entitlement: ``round_half_up`` of the exact sum of every loan's share,
        from the sum of the floors and how many loans have each remainder."""
        counts = np.asarray(remainder_counts, dtype=np.int64)
        present = np.flatnonzero(counts)
        if int(counts.sum()) < np.iinfo(np.int64).max // max(self.denominator, 1):
            # each product r x count < denominator x loans: inside int64
            remainders = exact_sum(present * counts[present])
        else:  # pragma: no cover - beyond 9 x 10**12 loans at the largest denominator
            remainders = sum(int(r) * int(counts[r]) for r in present)
        return round_half_up(Fraction(floors_total * self.denominator + remainders,
                                      self.denominator))  # fmt: skip


def decimal_text(value: Fraction | Decimal) -> str:
    """An exact ratio or rate as a plain decimal string (``3/5`` -> ``"0.6"``)."""
    q = Fraction(value)
    text = format(Decimal(q.numerator) / Decimal(q.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_text(value: object) -> str:
    """A ratio or rate written as a decimal string, as a percentage for text output
    (``"0.0175"`` -> ``"1.75%"``, ``"0.6"`` -> ``"60%"``); any other text as it is."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number * 100, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"
