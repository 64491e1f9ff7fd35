"""Text columns: one type holding a column of text, with the operations the engine needs.

Every text column the engine reads (loan ids, borrower ids, amounts, dates, currency,
categories, details) goes through :class:`TextColumn`: one contiguous Arrow
``large_string`` array, built once, whose bytes the fast kernels of
:mod:`calculators.columnar.bytes` read without copying.

Notes
-----
One missing-value convention: text held by pandas uses :data:`TEXT`, pandas' default
string dtype ``"str"`` (``pd.StringDtype("pyarrow", na_value=np.nan)``), for ledgers read
from CSV or Excel files and for every text column relend builds. It is what
``pd.read_csv(path, dtype=str)`` and ``pd.Series(["..."])`` give, so a ledger read from a
file and the same ledger given as a DataFrame are the same frame (same dtypes, same
per-loan output). A missing cell is ``NaN`` and compares unequal to everything; relend
never relies on that: every column is read through :class:`TextColumn`, whose
:meth:`~TextColumn.filled` makes missing cells ``""`` before any comparison. Files never
give a missing cell (an empty CSV cell is ``""``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .bytes import (
    contiguous,
    data,
    fixed_width,
    hash_width,
    lengths,
    masked,
    may_need_normalizing,
    may_need_trimming,
    offsets,
    row_hashes,
    rows_of_width,
    used,
)
from .parallel import in_threads

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str"

DISTINCT_SAMPLE_ROWS = 4096
"""Rows :meth:`TextColumn.few_distinct` samples."""
DISTINCT_SAMPLE_SHARE = 4
"""At most one distinct value in this many sampled rows: worth working on the distinct values."""

TextLike: TypeAlias = pd.Series | pd.Index | pa.Array | pa.ChunkedArray | Iterable[str | None]


@dataclass(frozen=True)
class TextColumn:
    """A column of text as one contiguous Arrow ``large_string`` array (nulls kept).

    Build one with :meth:`of`; every operation returns a new column or a numpy view.

    Attributes
    ----------
    array : pyarrow.Array
        ``large_string``, one chunk (a slice of a larger array shares its buffers): its
        offsets and data buffer are what the byte kernels read.

    Notes
    -----
    The byte views (:attr:`offsets`, :attr:`data`, :meth:`fixed_width`) are read-only
    and valid while the column lives.
    """

    array: pa.Array

    @classmethod
    def of(cls, values: TextColumn | TextLike) -> TextColumn:
        """A column from a pandas Series, an Arrow array or any iterable of str / None.

        A pandas column already held as Arrow text is not converted; any other pandas
        column is cast to :data:`TEXT` first (numbers as their text).
        """
        if isinstance(values, TextColumn):
            return values
        if isinstance(values, pd.Series | pd.Index):
            dtype = values.dtype
            is_arrow = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
            values = pa.array(values.array if is_arrow else values.astype(TEXT).array)
        elif not isinstance(values, pa.Array | pa.ChunkedArray):
            values = pa.array(list(values), type=pa.large_string())
        return cls(contiguous(values))

    @classmethod
    def parts(cls, values: TextColumn | pd.Series, count: int) -> list[TextColumn]:
        """A column in consecutive parts, for work on a thread per part: the column's own
        chunks when it has at least ``count`` (a CSV read by Arrow has one per block: no
        copy), else ``count`` slices of (about) equal length, sharing the column's
        buffers."""
        if isinstance(values, TextColumn):
            if count <= 1:
                return [values]
            chunks = pa.chunked_array([values.array])
        else:
            array = pa.array(values.astype(TEXT))
            chunks = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
        if count > 1 and chunks.num_chunks >= count:
            return in_threads(lambda part: cls(contiguous(part)), chunks.chunks)
        size = -(-len(chunks) // max(count, 1)) or 1
        slices = [chunks.slice(s, size) for s in range(0, len(chunks), size)]
        return in_threads(lambda part: cls(contiguous(part)), slices)

    @classmethod
    def joined(cls, parts: list[TextColumn]) -> TextColumn:
        """The parts, one after the other, as one column."""
        return cls(contiguous(pa.concat_arrays([p.array for p in parts])))

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, row: int) -> str | None:
        return self.array[row].as_py()

    @property
    def offsets(self) -> np.ndarray:
        """The int64 offsets of the rows (``len + 1`` entries, a view)."""
        return offsets(self.array)

    @property
    def lengths(self) -> np.ndarray:
        """The byte length of each row (0 for a missing one)."""
        return lengths(self.array)

    @property
    def data(self) -> np.ndarray:
        """The data buffer as ``uint8`` (a view; may extend past the last row's end)."""
        return data(self.array)

    @property
    def used(self) -> np.ndarray:
        """The bytes the rows use, first row's start to last row's end (a view)."""
        return used(self.array)

    @property
    def missing(self) -> np.ndarray:
        """Which rows are null."""
        return pc.is_null(self.array).to_numpy(zero_copy_only=False)

    def filled(self, value: str = "") -> TextColumn:
        """Missing rows as ``value``."""
        if not self.array.null_count:
            return self
        return TextColumn(contiguous(pc.fill_null(self.array, value)))

    def stripped(self) -> TextColumn:
        """Surrounding whitespace removed (nulls kept); the Arrow kernel runs only when
        some byte could be whitespace."""
        if not may_need_trimming(self.array):
            return self
        return TextColumn(contiguous(pc.utf8_trim_whitespace(self.array)))

    def nfkc(self) -> TextColumn:
        """Unicode NFKC applied to the rows holding non-ASCII bytes.

        Full-width digits, letters and punctuation (``２０２２－０７－０１``, ``１，０００．００``,
        ``ＣＮＹ``) become their ASCII forms; Chinese characters are unchanged.

        Notes
        -----
        An all-ASCII column (the usual export) is returned as it is after one pass over
        its bytes; otherwise only the non-ASCII rows are normalized, by Arrow.
        """
        raw = self.used
        if not len(raw) or raw.max() < 0x80:
            return self
        text = self.array
        other = pc.invert(pc.fill_null(pc.string_is_ascii(text), True))
        rows = pc.indices_nonzero(other)
        fixed = pc.utf8_normalize(pc.take(text, rows), "NFKC")
        return TextColumn(contiguous(pc.replace_with_mask(text, other, fixed)))

    def normalized(self) -> TextColumn:
        """After NFKC (full-width characters as ASCII), stripped of surrounding
        whitespace and in upper case, missing rows as ``""`` (ids, currency codes)."""
        column = self.nfkc().filled()
        if not may_need_normalizing(column.array):
            return column
        return TextColumn(contiguous(pc.utf8_upper(pc.utf8_trim_whitespace(column.array))))

    def few_distinct(self) -> tuple[TextColumn, np.ndarray] | None:
        """The distinct rows (a missing one kept as missing) and each row's position
        among them, when the column repeats a few values (dates: a quarter's days); None
        when a sample of its first rows is mostly distinct, so that work done once per
        distinct value would not pay for the hash pass.

        Notes
        -----
        The sample is the first :data:`DISTINCT_SAMPLE_ROWS` rows; the column qualifies
        when they hold at most one distinct value in :data:`DISTINCT_SAMPLE_SHARE`. Either
        way the caller's answer is the same (it is computed on the distinct values, then
        spread over the rows), only sooner.
        """
        sample = self.array.slice(0, DISTINCT_SAMPLE_ROWS)
        if len(self) < 2 * DISTINCT_SAMPLE_ROWS or (
            pc.count_distinct(sample, mode="all").as_py() * DISTINCT_SAMPLE_SHARE > len(sample)
        ):
            return None
        return self.distinct()

    def distinct(self) -> tuple[TextColumn, np.ndarray]:
        """The distinct rows (a missing one kept as missing) and each row's position
        among them, in one hash pass."""
        encoded = pc.dictionary_encode(self.array, null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        return TextColumn(contiguous(encoded.dictionary)), codes

    def normalized_in(self, allowed: Iterable[str]) -> np.ndarray:
        """Per row: whether the row, :meth:`normalized`, is one of ``allowed`` (given
        normalized: upper case, no surrounding whitespace).

        Notes
        -----
        Meant for columns of a few distinct values (currency codes). A row written as
        one of ``allowed`` is in (normalizing it changes nothing); the other rows are
        dictionary-encoded in one hash pass and only their distinct values are
        normalized and looked up, instead of rewriting every row (a column of 人民币 and
        ``cny`` beside ``CNY`` would send every row through Unicode normalization).
        """
        wanted = pa.array(list(allowed), type=pa.large_string())
        found = pc.fill_null(pc.is_in(self.array, value_set=wanted), False)
        inside = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
        rest = np.flatnonzero(~inside)
        if len(rest):
            values, at = self.take(rest).distinct()
            found = pc.is_in(values.normalized().array, value_set=wanted)
            inside[rest] = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)[at]
        return inside

    def fixed_width(self, width: int) -> np.ndarray | None:
        """The ``(n, width)`` byte matrix when every row is ``width`` bytes, else None."""
        return fixed_width(self.array, width)

    def rows_of_width(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of ``width`` bytes and their ``(rows, width)`` byte matrix."""
        return rows_of_width(self.array, width)

    def masked(self, keep: np.ndarray) -> TextColumn:
        """The rows not in ``keep`` made null, sharing this column's buffers."""
        return TextColumn(masked(self.array, keep))

    def take(self, rows: np.ndarray) -> TextColumn:
        """The rows at the positions ``rows``."""
        return TextColumn(contiguous(pc.take(self.array, pa.array(rows, type=pa.int64()))))

    def hash_width(self) -> int | None:
        """The width :meth:`hashes` pads to: the longest row, or None when a row is
        non-ASCII or too long to hash."""
        return hash_width(self.array)

    def hashes(self, width: int) -> np.ndarray:
        """A 64-bit hash of each ASCII row right-padded to ``width`` bytes (equal rows,
        equal hashes; every part of a column must use the same ``width``)."""
        return row_hashes(self.array, width)

    def series(self, index: pd.Index | None = None, name: Hashable = None) -> pd.Series:
        """The column as a pandas Series of :data:`TEXT` (no copy)."""
        array = pd.arrays.ArrowStringArray(pa.chunked_array([self.array]), dtype=TEXT)
        return pd.Series(array, index=index, name=name, copy=False)
