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
    import pyarrow as pa

    from ._text import TextColumn

# The column parsers import pandas and pyarrow when first called: amounts typed on the
# command line (relend facility, incentive) and the policy table need neither.

ROUND_HALF_UP_NOTE = N_("one rounding, ROUND_HALF_UP to the fen, on the final amount")
ROUNDING_RULE = N_(
    "one rounding, ROUND_HALF_UP to the fen, on the total; per-loan amounts are the "
    "largest-remainder split of that total (each loan gets ratio × principal rounded "
    "down, and the remaining fen go one each to the largest remainders, earlier rows "
    "first on ties), so they add up to the total exactly"
)

# yuan: digits with optional thousands separators, at most two decimals
_YUAN_PATTERN = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?"
_YUAN_RE = re.compile(rf"^{_YUAN_PATTERN}$")
_FEN_PATTERN = r"[+-]?\d+"
# 万元 (10,000 yuan): as yuan, with at most six decimals (one fen is 0.000001 万元)
_WAN_PATTERN = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,6})?"
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


def parse_yuan_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of yuan strings into fen, vectorized.

    Returns
    -------
    fen : numpy.ndarray of int64
        The amount in fen; 0 where invalid.
    ok : numpy.ndarray of bool
        Whether each value was a well-formed amount with at most two decimals.

    Notes
    -----
    Plain amounts with two decimals (``12345.67``, the usual export) are read from the
    column's bytes, two digits at a time. Every other row is validated against the
    pattern; the valid strings, commas removed, are cast to ``decimal128(20, 2)``
    (exact) and scaled by 100 to integer fen.
    """
    from ._text import TextColumn

    text = TextColumn.of(values).nfkc().stripped()  # full-width digits read as ASCII
    fen, ok = _plain_yuan(text)
    rest = np.flatnonzero(~ok)
    if len(rest):
        fen[rest], ok[rest] = _general_yuan(text.take(rest).array)
    return fen, ok


def _plain_yuan(text: TextColumn) -> tuple[np.ndarray, np.ndarray]:
    """Fen of the rows shaped ``\\d{1,16}\\.\\d{2}``; other rows are not ok (fen 0).

    Notes
    -----
    The rows of 4 to 19 bytes are left-padded with ``0`` by Arrow to one width (which
    leaves an amount's value as it was) and read as a byte matrix, two digits at a
    time, without slicing or casting each row's text.
    """
    import pyarrow.compute as pc

    from ._bytes import contiguous, fixed_width, pair

    sizes = text.lengths
    ok = (sizes >= 4) & (sizes <= 19)
    if not ok.any():
        return np.zeros(len(text), dtype=np.int64), ok
    width = int(sizes.max(where=ok, initial=0))
    width += (width - 3) % 2  # an even number of digits before the point
    candidates = pc.fill_null(text.masked(ok).array, "")
    matrix = fixed_width(contiguous(pc.ascii_lpad(candidates, width, "0")), width)
    assert matrix is not None, "rows of at most the width padded to it"
    cents = pair(matrix, width - 2)
    ok &= (matrix[:, width - 3] == ord(".")) & (cents >= 0)
    whole = np.zeros(len(text), dtype=np.int64)
    for column in range(0, width - 3, 2):
        digits = pair(matrix, column)
        ok &= digits >= 0
        whole *= 100
        whole += digits
    whole *= 100
    whole += cents
    return np.where(ok, whole, 0), ok


def _general_yuan(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Fen and validity of any rows, by the accepted pattern and an exact decimal cast."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.replace_substring(text, "，", ",")
    ok = pc.fill_null(pc.match_substring_regex(text, f"^{_YUAN_PATTERN}$"), False)
    plain = pc.replace_substring(text, ",", "")
    # at most 16 integer digits: below 10^18 fen, so the cast to int64 cannot overflow
    small = pc.match_substring_regex(plain, r"^[+-]?\d{1,16}(?:\.\d{1,2})?$")
    ok = pc.fill_null(pc.and_(ok, small), False)
    plain = pc.if_else(ok, plain, "0")
    exact = pc.cast(plain, pa.decimal128(20, 2))
    fen = pc.cast(pc.multiply(exact, pa.scalar(Decimal(100), pa.decimal128(3, 0))), pa.int64())
    ok_np = ok.to_numpy(zero_copy_only=False)
    return np.where(ok_np, fen.to_numpy(zero_copy_only=False), 0).astype(np.int64), ok_np


def parse_wan_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of amounts in 万元 (10,000 yuan) into fen, exactly, vectorized.

    Returns
    -------
    fen : numpy.ndarray of int64
        The amount in fen (x 1,000,000); 0 where invalid.
    ok : numpy.ndarray of bool
        Whether each value was a well-formed amount with at most six decimals (a whole
        number of fen: ``12.345678`` 万元 is 123,456.78 yuan; ``1.2345678`` is refused).

    Notes
    -----
    Full-width digits are read after NFKC and thousands separators must group by three,
    as for yuan. The valid strings, commas removed, are cast to ``decimal128(24, 6)``
    (exact) and scaled by 10**6 to integer fen: no float is involved.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from ._text import TextColumn

    text = TextColumn.of(values).nfkc().stripped().filled().array
    text = pc.replace_substring(text, "，", ",")
    ok = pc.fill_null(pc.match_substring_regex(text, f"^{_WAN_PATTERN}$"), False)
    plain = pc.replace_substring(text, ",", "")
    # at most 11 integer digits: below 10^17 fen (MAX_FEN), so int64 cannot overflow
    small = pc.match_substring_regex(plain, r"^[+-]?\d{1,11}(?:\.\d{1,6})?$")
    ok = pc.fill_null(pc.and_(ok, small), False)
    plain = pc.if_else(ok, plain, "0")
    exact = pc.cast(plain, pa.decimal128(24, 6))
    scale = pa.scalar(Decimal(FEN_PER_WAN), pa.decimal128(7, 0))
    fen = pc.cast(pc.multiply(exact, scale), pa.int64())
    ok_np = ok.to_numpy(zero_copy_only=False)
    return np.where(ok_np, fen.to_numpy(zero_copy_only=False), 0).astype(np.int64), ok_np


def parse_fen_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of integer fen (strings or integers), vectorized.

    Floats are accepted only when every value is a whole number of fen.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from ._text import TextColumn

    if pd.api.types.is_integer_dtype(values.dtype):
        ok = values.notna().to_numpy(dtype=bool)
        return values.fillna(0).to_numpy(dtype=np.int64), ok
    if pd.api.types.is_float_dtype(values.dtype):
        # a float column from the API: accepted only where each value is a whole number
        # of fen below 2**53 (exactly representable); the int64 result is exact
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isfinite(arr) & (np.abs(arr) < 2**53) & (arr == np.round(arr))
        return np.where(ok, arr, 0).astype(np.int64), ok
    text = TextColumn.of(values).nfkc().stripped()  # full-width digits read as ASCII
    ok = pc.fill_null(pc.match_substring_regex(text.array, rf"^{_FEN_PATTERN}$"), False)
    ok = ok.to_numpy(zero_copy_only=False) & (text.lengths <= 18)
    if (text.data == ord("+")).any():  # Arrow's integer parser takes no plus sign
        text = TextColumn.of(pc.replace_substring_regex(text.array, r"^\+", ""))
    # at most 18 characters: below 10^18, so the cast to int64 cannot overflow
    fen = pc.fill_null(pc.cast(text.masked(ok).array, pa.int64()), 0)
    return fen.to_numpy(zero_copy_only=False), ok


def parse_principal(values: pd.Series, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """Principal in fen and validity (well-formed and strictly positive), vectorized.

    Parameters
    ----------
    values : pandas.Series
        Yuan strings (``unit="yuan"``), 万元 strings (``unit="wan"``) or integer fen
        (``unit="fen"``). A float yuan column is accepted only where every value is
        exact to the fen; a number column in 万元 is read through its text.
    unit : {"yuan", "wan", "fen"}
    """
    import pandas as pd

    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    if unit == "fen":
        fen, ok = parse_fen_column(values)
    elif unit == "wan":
        fen, ok = parse_wan_column(values)
    elif pd.api.types.is_float_dtype(values.dtype):
        fen, ok = _exact_float_yuan(values)
    elif pd.api.types.is_integer_dtype(values.dtype):
        ok = values.notna().to_numpy(dtype=bool)
        fen = values.fillna(0).to_numpy(dtype=np.int64) * 100
    else:
        fen, ok = parse_yuan_column(values)
    ok = ok & ((fen > 0) & (fen <= MAX_FEN))
    return np.where(ok, fen, 0), ok


def _exact_float_yuan(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yuan floats to fen, only where the float is the nearest double to a fen amount.

    Floats appear here only to refuse inexact input: the candidate fen amount is the
    rounded ``x * 100``, kept only when dividing it by 100 gives back exactly ``x``
    (so ``0.1`` is 10 fen, ``0.005`` is refused). The result is integer fen.
    """
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(arr) & (np.abs(arr) < 1e13)
    fen = np.round(np.where(finite, arr, 0) * 100)
    ok = finite & (fen / 100 == np.where(finite, arr, 0))
    return np.where(ok, fen, 0).astype(np.int64), ok


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
