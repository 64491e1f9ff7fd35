"""The rows as CSV: UTF-8 with a BOM so that Excel opens Chinese text correctly, the
file pandas' ``to_csv`` writes, with the cells a spreadsheet would take for a formula
made inert."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columnar.bytes import contiguous, data, offsets
from ..columnar.parallel import in_thread_pipeline
from .base import _bytes_of, _join, _progress

CSV_BLOCK_ROWS = 1 << 16
"""Rows rendered as one block of the file: a few are held at once (rendered ahead of the
one being written), each about 7 MiB of a claim's rows."""


def write_csv(frame: pd.DataFrame | RowBlocks, path: Path, progress: bool = False) -> str:
    """Write rows as UTF-8-with-BOM CSV, every row, no index, as pandas' ``to_csv`` does;
    return the file's SHA-256 (of the bytes as written).

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

    ``frame`` may also be :class:`RowBlocks`: rows made a block at a time (a claim
    whose ledger is read again as its rows are written), written as the frame of all
    of them would be.
    """
    digest = hashlib.sha256()
    with open(path, "wb") as handle, _progress(len(frame), path, progress) as bar:

        def put(chunk: bytes | memoryview) -> None:
            handle.write(chunk)
            digest.update(chunk)

        shape = frame if isinstance(frame, pd.DataFrame) else frame.meta
        put(b"\xef\xbb\xbf")
        header = pa.array([str(c) for c in shape.columns], type=pa.large_string())
        header = _csv_quoted(_csv_inert(header), single=len(shape.columns) == 1)
        put(",".join(header.to_pylist()).encode("utf-8") + b"\n")
        if not len(shape.columns):
            put(b"\n" * len(frame))
            return digest.hexdigest()
        single = len(shape.columns) == 1
        # a categorical column's cells are its words rendered once, taken per row
        words = {
            name: _rendered_words(column, single)
            for name, column in shape.items()
            if _has_text_categories(column)
        }

        def render(make: Callable[[], pd.DataFrame]) -> tuple[memoryview, int]:
            block = make()
            cells = [
                _csv_taken(column, *words[name]) if name in words else _csv_cell(column, single)
                for name, column in block.items()
            ]
            return _bytes_of(_join(_join(*cells, ","), "\n", "")), len(block)

        if isinstance(frame, pd.DataFrame):
            by_position = frame.iloc
            starts = range(0, len(frame), CSV_BLOCK_ROWS)
            blocks: Iterable[Callable[[], pd.DataFrame]] = [
                functools.partial(by_position.__getitem__, slice(s, s + CSV_BLOCK_ROWS))
                for s in starts
            ]
        else:
            blocks = frame.blocks()
        # blocks are rendered on a thread per core (Arrow's kernels release the GIL)
        # ahead of the one being written and hashed, and written in order
        for lines, rows in in_thread_pipeline(render, blocks):
            put(lines)
            bar.update(rows)
    return digest.hexdigest()


class RowBlocks(Protocol):
    """Rows made a block at a time, for :func:`write_csv`.

    Attributes
    ----------
    meta : pandas.DataFrame
        No rows, the rows' columns and dtypes (a categorical's categories included).
    """

    meta: pd.DataFrame

    def __len__(self) -> int: ...

    def blocks(self) -> Iterator[Callable[[], pd.DataFrame]]:
        """The rows in order, a block at a time, each a frame of ``meta``'s columns and
        dtypes made when called (on the thread that renders it)."""
        ...


def _has_text_categories(column: pd.Series) -> bool:
    """Whether a column is categorical with text categories (decoded by Arrow)."""
    dtype = column.dtype
    return isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(
        dtype.categories.dtype
    )


def _rendered_words(column: pd.Series, single: bool) -> tuple[pa.Array, str]:
    """A text categorical column's categories as their cells, and the cell of a missing
    value: what :func:`_csv_cell` gives each row, computed once per category (a cell's
    text depends on the cell alone)."""
    words = pa.array(column.dtype.categories.astype(str).tolist(), type=pa.large_string())
    empty = pa.array([""], type=pa.large_string())
    return (
        _csv_quoted(_csv_inert(words), single),
        _csv_quoted(_csv_inert(empty), single)[0].as_py(),
    )


def _csv_taken(column: pd.Series, words: pa.Array, missing: str) -> pa.Array:
    """The cells of a text categorical column: its rendered words taken by code."""
    codes = pa.array(column.cat.codes.to_numpy(), mask=column.isna().to_numpy())
    return pc.fill_null(pc.take(words, codes), missing)


def _csv_cell(column: pd.Series, single: bool) -> pa.Array:
    """A column's cells as ``to_csv`` writes them, made inert and quoted.

    An integer column's text (digits, a leading ``-``) is a plain number, never a
    formula, and holds none of the bytes that need quotes: it is written as it is
    (save the empty cell of a one-column file, quoted as ever).
    """
    text = _csv_text(column)
    if not single and pd.api.types.is_integer_dtype(column.dtype) and _is_integer_text(text):
        return text
    return _csv_quoted(_csv_inert(text), single=single)


def _is_integer_text(text: pa.Array) -> bool:
    """Whether cells are all empty or an optional ``-`` and digits (cheap: integer
    columns come from Arrow's cast, which writes exactly that; checked all the same)."""
    raw = _bytes_of(text)
    codes = np.frombuffer(raw, dtype=np.uint8)
    return not len(codes) or bool(((codes >= 48) & (codes <= 57) | (codes == 45)).all())


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
    rows = np.flatnonzero(filled)[risky]
    # only the rows that start with a sign are matched against a plain number
    numbers = pc.match_substring_regex(pc.take(text, pa.array(rows)), _PLAIN_NUMBER)
    need[rows[~pc.fill_null(numbers, False).to_numpy(zero_copy_only=False)]] = True
    if not need.any():
        return text
    return pc.if_else(pa.array(need), _join("'", text, ""), text)


def _csv_quoted(text: pa.Array, single: bool) -> pa.Array:
    """Quote the cells that need it, as the csv module does (quotes doubled).

    A row of one empty field is written ``""`` (else it would be an empty line).
    """
    # the csv module's QUOTE_MINIMAL with pandas' "\n" line ends, and a "\r" quoted as well
    # (a reader ends the row at a bare one). Most columns (ids, dates, codes) hold none of
    # the four bytes: one scan of the column's bytes says so, before any cell is looked at;
    # else only the rows holding one are quoted.
    text = contiguous(text)
    ends = offsets(text)
    raw = data(text)[ends[0] : ends[-1]]
    special = (raw == ord(",")) | (raw == ord('"')) | (raw == ord("\n")) | (raw == ord("\r"))
    if special.any():
        # the rows holding one of the bytes, found from where the bytes are
        at = np.flatnonzero(special) + ends[0]
        rows = np.unique(np.searchsorted(ends, at, side="right") - 1)
        mask = np.zeros(len(text), dtype=bool)
        mask[rows] = True
        if single:
            mask |= pc.equal(text, "").to_numpy(zero_copy_only=False)
            rows = np.flatnonzero(mask)
        some = pc.take(text, pa.array(rows))
        quoted = _join('"', pc.replace_substring(some, '"', '""'), '"', "")
        return pc.replace_with_mask(text, pa.array(mask), quoted)
    if not single:
        return text
    need = pc.equal(text, "")
    if not pc.any(need).as_py():
        return text
    return pc.if_else(need, pa.scalar('""', pa.large_string()), text)
