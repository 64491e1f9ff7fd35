"""Money columns read exactly: yuan, 万元 and fen text (or numbers) to integer fen.

Each parser takes a whole column and gives the fen and a mask of the rows read; a row
that is not an exact amount is marked, never rounded (see :mod:`calculators._money`
for the scalar rules and the one rounding).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from .._money import FEN_PATTERN, FEN_PER_WAN, MAX_FEN, WAN_PATTERN, YUAN_PATTERN

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .text import TextColumn


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
    from .text import TextColumn

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

    from .bytes import contiguous, fixed_width, pair

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
    return whole * ok, ok  # 0 where not ok (numpy's where is slower)


def _general_yuan(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Fen and validity of any rows, by the accepted pattern and an exact decimal cast."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.replace_substring(text, "，", ",")
    ok = pc.fill_null(pc.match_substring_regex(text, f"^{YUAN_PATTERN}$"), False)
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

    from .text import TextColumn

    text = TextColumn.of(values).nfkc().stripped().filled().array
    text = pc.replace_substring(text, "，", ",")
    ok = pc.fill_null(pc.match_substring_regex(text, f"^{WAN_PATTERN}$"), False)
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

    from .text import TextColumn

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
    ok = pc.fill_null(pc.match_substring_regex(text.array, rf"^{FEN_PATTERN}$"), False)
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
    return fen * ok, ok  # 0 where not ok


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
