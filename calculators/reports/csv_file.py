"""The rows as CSV: UTF-8 with a BOM so that Excel opens Chinese text correctly, the
file pandas' ``to_csv`` writes, with the cells a spreadsheet would take for a formula
made inert."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columnar.bytes import contiguous, data, offsets
from ..columnar.parallel import in_thread_batches
from .base import _bytes_of, _join, _progress

CSV_BLOCK_ROWS = 1 << 17


def write_csv(frame: pd.DataFrame, path: Path, progress: bool = False) -> None:
    """Write rows as UTF-8-with-BOM CSV, every row, no index, as pandas' ``to_csv`` does.

    Notes
    -----
    The cells are rendered by Arrow's compute kernels, a block of rows at a time, and
    the bytes written as they are (several times faster than ``to_csv``: see
    ``benchmarks/README.md``). The file is the one
    ``to_csv(index=False, encoding="utf-8-sig")`` writes where lines end in ``\n``
    (Linux, macOS; on Windows pandas ended them in ``\r\n``), byte for byte:
    a cell is quoted only when it holds a comma, a double quote or a line feed (quotes
    doubled), missing values are empty, ``Int64`` and categorical columns as their
    values, booleans ``True``/``False``, datetime columns of midnights ``YYYY-MM-DD``.
    Two differences, on purpose, both for text that came from outside the bank: a text
    cell a spreadsheet would take for a formula (``=HYPERLINK(...)``, ``+cmd|...``,
    ``@SUM(1)``, a leading tab or carriage return) is written with a ``'`` before it
    (:func:`_csv_inert`), header included, while plain numbers (``-1.00``, ``-5``) are
    written as they are; and a cell holding a carriage return is quoted too (Python
    3.11's csv module leaves it bare, and Excel and the csv module's reader end the
    row there).
    Arrow's own ``pyarrow.csv.write_csv`` cannot give that file: with
    ``quoting_style="needed"`` it quotes every text cell and the header, and with
    ``"none"`` it refuses a cell that holds a comma. Float and object columns of
    other values are rendered by Python's ``str``, as pandas does.
    """
    with open(path, "wb") as handle, _progress(len(frame), path, progress) as bar:
        handle.write(b"\xef\xbb\xbf")
        header = pa.array([str(c) for c in frame.columns], type=pa.large_string())
        header = _csv_quoted(_csv_inert(header), single=len(frame.columns) == 1)
        handle.write(",".join(header.to_pylist()).encode("utf-8") + b"\n")
        if not len(frame.columns):
            handle.write(b"\n" * len(frame))
            return

        def render(start: int) -> tuple[memoryview, int]:
            block = frame.iloc[start : start + CSV_BLOCK_ROWS]
            cells = [
                _csv_quoted(_csv_inert(_csv_text(column)), single=len(frame.columns) == 1)
                for _, column in block.items()
            ]
            return _bytes_of(_join(_join(*cells, ","), "\n", "")), len(block)

        # blocks are rendered a core's worth at a time (Arrow's kernels release the
        # GIL) and written in order
        for lines, rows in in_thread_batches(render, list(range(0, len(frame), CSV_BLOCK_ROWS))):
            handle.write(lines)
            bar.update(rows)


def _csv_text(column: pd.Series) -> pa.Array:
    """A column as the text ``to_csv`` writes for it: empty for missing values."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_string_dtype(dtype.categories.dtype):  # decoded by Arrow
            codes = pa.array(column.cat.codes.to_numpy(), mask=column.isna().to_numpy())
            words = pa.array(dtype.categories.astype(str).tolist(), type=pa.large_string())
            return pc.fill_null(pc.take(words, codes), "")
        return _csv_text(column.astype(dtype.categories.dtype))
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(column, type=pa.bool_(), from_pandas=True)
        words = pc.if_else(flags, "True", "False")
        return pc.fill_null(words.cast(pa.large_string()), "")
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowTypeError):
            values = pa.array(column, from_pandas=True)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
            if (
                pa.types.is_integer(values.type)
                or pa.types.is_string(values.type)
                or (pa.types.is_large_string(values.type))
            ):
                return pc.fill_null(values.cast(pa.large_string()), "")
    if pd.api.types.is_datetime64_dtype(dtype):
        stamps = pd.Series(column)
        if bool((stamps.dropna() == stamps.dropna().dt.normalize()).all()):
            days = pa.array(stamps, from_pandas=True)
            return pc.fill_null(pc.strftime(days, "%Y-%m-%d").cast(pa.large_string()), "")
    # anything else (floats, mixed objects): str() of each value, as pandas writes it
    text = column.astype(object).where(column.notna(), "").map(str)
    return pa.array(text.tolist(), type=pa.large_string())


_FORMULA_FIRST = frozenset(b"=+-@\t\r\x00")
"""First bytes that make a spreadsheet read a cell as a formula: OWASP's CSV Injection
list (``=``, ``+``, ``-``, ``@``, tab, carriage return) and the NUL of ASVS 5.0 (1.2.10)."""
_FULL_WIDTH_FORMULA = frozenset("＝＋－＠")
"""Full-width forms of the same signs (UTF-8 ``EF BC xx``): no guide lists them, but an
East Asian Excel may fold them to ASCII (as its input method does) and Chinese text
holds them; a ``'`` costs a name that starts with one nothing."""
_FULL_WIDTH_THIRD = frozenset(c.encode("utf-8")[2] for c in _FULL_WIDTH_FORMULA)
_PLAIN_NUMBER = r"^[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
"""A signed decimal number (``-1.00``, ``-1,234.5``, ``+5``, ``-2e3``): no formula in it."""


def _csv_inert(text: pa.Array) -> pa.Array:
    """Text cells that a spreadsheet would evaluate, with a ``'`` before them.

    Notes
    -----
    OWASP's rule for CSV Injection (Formula Injection): a cell that begins with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single quote, which
    Excel shows as text and does not evaluate; relend adds NUL (ASVS 5.0, 1.2.10) and the
    full-width ＝＋－＠. A cell that is a plain number (``-1.00``, ``-5``: relend's
    own numeric columns, amounts as a ledger writes them) holds no formula and is left
    as it is. The first byte of every cell is read from the column's buffer at once;
    only a column with such a cell is matched further.
    """
    text = contiguous(text)
    ends = offsets(text)
    starts, sizes = ends[:-1], np.diff(ends)
    raw = data(text)
    filled = sizes > 0
    if not filled.any():
        return text
    first = raw[starts[filled]]
    risky = np.isin(first, np.frombuffer(bytes(sorted(_FORMULA_FIRST)), dtype=np.uint8))
    wide = (first == 0xEF) & (sizes[filled] >= 3)
    if wide.any():
        at = starts[filled][wide]
        risky[wide] = (raw[at + 1] == 0xBC) & np.isin(raw[at + 2], list(_FULL_WIDTH_THIRD))
    if not risky.any():
        return text
    need = np.zeros(len(text), dtype=bool)
    need[np.flatnonzero(filled)[risky]] = True
    numbers = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
    need &= ~numbers.to_numpy(zero_copy_only=False)
    if not need.any():
        return text
    return pc.if_else(pa.array(need), _join("'", text, ""), text)


def _csv_quoted(text: pa.Array, single: bool) -> pa.Array:
    """Quote the cells that need it, as the csv module does (quotes doubled).

    A row of one empty field is written ``""`` (else it would be an empty line).
    """
    # the csv module's QUOTE_MINIMAL with pandas' "\n" line ends, and a "\r" quoted as well
    # (a reader ends the row at a bare one). Most columns (ids, dates, codes) hold none of
    # the four bytes: one scan of the column's bytes says so, before any cell is looked at.
    raw = np.frombuffer(_bytes_of(text), dtype=np.uint8)
    if np.isin(raw, np.frombuffer(b',"\n\r', dtype=np.uint8)).any():
        need = pc.match_substring_regex(text, '[,"\n\r]')
    elif single:
        need = pc.equal(text, "")
    else:
        return text
    if single:
        need = pc.or_(need, pc.equal(text, ""))
    if not pc.any(need).as_py():
        return text
    quoted = _join('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(need, quoted, text)
