"""Borrower ids: check characters on whole columns, and exact lookups in reference lists.

Valid borrower ids are 18 ASCII characters: unified social credit codes (GB 32100-2015)
or resident identity numbers (GB 11643-1999). Both are checked on the bytes of a whole
column at once, by the same rules as python-stdnum (the tests hold them to stdnum's
answers), and held as three 64-bit words each, so that list lookups compare integers,
never Python strings.

Notes
-----
A lookup goes through a 64-bit hash of the words and then compares the words
themselves, so a hash collision can never make a match: the result is exact.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .bytes import mix, pack_words, pair
from .compiled import kernels_for
from .dates import days_from_ymd
from .text import TextColumn

ID_WIDTH = 18
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_BAD = -20_000  # far below any sum of the other eight pairs' weighted values


def _values(alphabet: str) -> dict[int, int]:
    return {ord(c): i for i, c in enumerate(alphabet)}


def _pair_table(first: dict[int, int], second: dict[int, int], w1: int, w2: int) -> np.ndarray:
    """Two bytes read as one little-endian uint16 -> ``w1 * value + w2 * value``, or _BAD."""
    table = np.full(1 << 16, _BAD, dtype=np.int16)
    for b1, v1 in first.items():
        for b2, v2 in second.items():
            table[b1 | (b2 << 8)] = w1 * v1 + w2 * v2
    return table


def _pair_tables(kinds: list[tuple[dict[int, int], dict[int, int]]], weights: tuple[int, ...]):
    padded = (*weights, 0)  # the 18th character carries no weight: it is the check
    return tuple(
        _pair_table(a, b, padded[2 * k], padded[2 * k + 1]) for k, (a, b) in enumerate(kinds)
    )


_DIGITS = _values("0123456789")
_CODE = _values(_USCC_ALPHABET)
_RIC_CHECK = _values("0123456789X")
# positions 0-7 are digits, 8-17 from the code alphabet (GB 32100-2015)
_USCC_TABLES = _pair_tables([(_DIGITS, _DIGITS)] * 4 + [(_CODE, _CODE)] * 5, _USCC_WEIGHTS)
# 17 digits and a check digit or X (GB 11643-1999)
_RIC_TABLES = _pair_tables([(_DIGITS, _DIGITS)] * 8 + [(_DIGITS, _RIC_CHECK)], _RIC_WEIGHTS)
_USCC_CHECK_VALUE = np.full(256, -1, dtype=np.int32)
_USCC_CHECK_VALUE[list(_CODE)] = list(_CODE.values())
_RIC_CHECK_VALUE = np.full(256, -1, dtype=np.int32)
_RIC_CHECK_VALUE[list(_RIC_CHECK)] = list(_RIC_CHECK.values())


_DIGIT_VALUE = np.full(256, -1, dtype=np.int32)
_DIGIT_VALUE[list(_DIGITS)] = list(_DIGITS.values())
_USCC_WEIGHT_ARRAY = np.array(_USCC_WEIGHTS, dtype=np.int64)
_RIC_WEIGHT_ARRAY = np.array(_RIC_WEIGHTS, dtype=np.int64)


def _weighted_sum(matrix: np.ndarray, tables: tuple[np.ndarray, ...]) -> np.ndarray:
    """Sum of the nine pair tables over each row: negative when a character is not allowed."""
    total = np.zeros(len(matrix), dtype=np.int32)
    for k, table in enumerate(tables):
        total += np.take(table, matrix[:, 2 * k : 2 * k + 2].view("<u2")[:, 0])
    return total


def credit_code_rows(matrix: np.ndarray) -> np.ndarray:
    """Which rows of an ``(n, 18)`` byte matrix pass the GB 32100-2015 credit-code check
    (the first 8 characters digits, the rest from the code alphabet, the mod-31 check
    character): an id that does is read as a unified social credit code, the others as
    resident identity numbers (the order :func:`valid_id_matrix` checks them in)."""
    total = _weighted_sum(matrix, _USCC_TABLES)
    return (total >= 0) & (_USCC_CHECK_VALUE[matrix[:, 17]] == (31 - total % 31) % 31)


def province_codes(ids: pd.Series | pa.Array) -> np.ndarray:
    """The 2-digit province code of each borrower id, -1 where there is none.

    Parameters
    ----------
    ids : pandas.Series or pyarrow.Array of str
        Borrower ids as given (normalized here: NFKC, stripped, upper case).

    Returns
    -------
    numpy.ndarray of int16
        Characters 3-4 of a unified social credit code (the registration authority's
        administrative division code, GB 32100-2015, characters 3-8), characters 1-2 of
        a resident identity number (the place of registration, GB 11643-1999,
        characters 1-6); -1 for an id that is not 18 characters or whose two characters
        are not digits.

    Notes
    -----
    A credit code is told from a resident id by :func:`credit_code_rows`, over whole
    columns; an id valid as both is read as a credit code, as :func:`valid_id_matrix`
    reads it.
    """
    values = TextColumn.of(ids).normalized()
    rows, matrix = values.rows_of_width(18)
    out = np.full(len(values), -1, dtype=np.int16)
    if not len(rows):
        return out
    uscc = credit_code_rows(matrix)
    first = np.where(uscc, matrix[:, 2], matrix[:, 0]).astype(np.int16) - ord("0")
    second = np.where(uscc, matrix[:, 3], matrix[:, 1]).astype(np.int16) - ord("0")
    digits = (first >= 0) & (first <= 9) & (second >= 0) & (second <= 9)
    out[rows] = np.where(digits, first * 10 + second, -1)
    return out


def valid_id_matrix(matrix: np.ndarray) -> np.ndarray:
    """Which rows of an ``(n, 18)`` byte matrix are valid USCCs or resident ids.

    Notes
    -----
    The rules of ``stdnum.cn.uscc.is_valid`` (the first 8 characters digits, the rest
    from the code alphabet, the GB 32100-2015 mod-31 check character) and of
    ``stdnum.cn.ric.is_valid`` (17 digits and the ISO 7064 MOD 11-2 check character).
    Weighted sums are read from tables two characters at a time. Ids that pass only the
    resident-id checksum must also have a real birth date and a region code python-
    stdnum knows that was not abolished before the birth year (see :func:`_regions`:
    stricter than stdnum's own rule, which refuses real holders of codes created after
    their birth).
    """
    kernels = kernels_for(len(matrix))
    if kernels is not None:
        ok, people = np.empty(len(matrix), dtype=bool), np.empty(len(matrix), dtype=bool)
        kernels.check_ids(
            matrix, _DIGIT_VALUE, _USCC_CHECK_VALUE, _USCC_WEIGHT_ARRAY, _RIC_CHECK_VALUE,
            _RIC_WEIGHT_ARRAY, ok, people,
        )  # fmt: skip
        candidates = np.flatnonzero(people)
        if len(candidates):
            ok[candidates] = _confirm_people(matrix[candidates])
        return ok
    total = _weighted_sum(matrix, _USCC_TABLES)
    check = _USCC_CHECK_VALUE[matrix[:, 17]]
    ok = (total >= 0) & (check == (31 - total % 31) % 31)
    others = np.flatnonzero(~ok)
    if len(others):
        rest = matrix[others]
        total = _weighted_sum(rest, _RIC_TABLES)
        people = (total >= 0) & (_RIC_CHECK_VALUE[rest[:, 17]] == (12 - total % 11) % 11)
        candidates = np.flatnonzero(people)
        if len(candidates):
            ok[others[candidates]] = _confirm_people(rest[candidates])
    return ok


def _confirm_people(matrix: np.ndarray) -> np.ndarray:
    """stdnum's birth-date and birth-place checks of checksum-valid resident ids.

    Notes
    -----
    The birth date (characters 7 to 14) is checked on the whole column, and the region
    (characters 1 to 6) against the birth year by one search of the table of
    :func:`_regions`.
    """
    region = pair(matrix, 0).astype(np.int64) * 10_000 + pair(matrix, 2) * 100 + pair(matrix, 4)
    year = pair(matrix, 6).astype(np.int64) * 100 + pair(matrix, 8)
    _, born = days_from_ymd(year, pair(matrix, 10), pair(matrix, 12))
    with _REGIONS_READ:  # the first block on each thread waits for one reading
        codes, last_year = _regions()
    at = np.minimum(np.searchsorted(codes, region), len(codes) - 1)
    return born & (codes[at] == region) & (last_year[at] >= year)


_REGION_LINE = re.compile(
    r'^(?:(\d\d) province="[^"]*"|  (\d{4}) county="([^"]*)")$|^(?!#)(.+)$', re.MULTILINE
)
"""A line of python-stdnum's ``cn/loc.dat``: a province (2 digits) or, under it, a
division (4 more digits) with its names, each ``[from-to]name`` when not always in use;
the last group catches a line of any other shape."""


_REGIONS_READ = threading.Lock()


@cache
def _regions() -> tuple[np.ndarray, np.ndarray]:
    """Every division code python-stdnum knows, sorted, and the last year in which a
    person born then could have been given it (9999 while in use).

    Notes
    -----
    A resident id carries the division code of the household registration where the
    number was assigned (GB 11643-1999 4.2.1), at birth or later: people born before
    the 1984-1999 first issue of numbers, or who moved before it, carry a code created
    after their birth (440305 南山区, from 1990, for a person born in 1965). stdnum's own
    check wants the code in use in the birth year and so refuses such real borrowers;
    relend asks only that the code was not abolished before the birth year (a person
    born in 2012 cannot carry 110103 崇文区, abolished in 2010).

    The table is read from stdnum's data file in one pass (its database reader and one
    lookup per region cost a process about 20 ms and 0.7 ms each); a file of another
    shape is read through ``stdnum.numdb`` instead. The tests hold both to stdnum's
    lookup for every code it knows.
    """
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    last: dict[int, int] = {}
    province = -1
    for start, division, names, other in _REGION_LINE.findall(text):
        if (
            other
            or (division and province < 0)
            or (division and names and province + int(division) in last)
        ):
            return _regions_from_numdb()
        if start:
            province = int(start) * 10_000
        elif names:
            last[province + int(division)] = _last_year(names)
    return _region_table(last)


def _regions_from_numdb() -> tuple[np.ndarray, np.ndarray]:
    """:func:`_regions` through stdnum's database reader and lookup (slower)."""
    from stdnum import numdb

    database = numdb.get("cn/loc")
    codes = set()
    for length, low, high, _, children in database.prefixes:
        for province in range(int(low), int(high) + 1):
            for child_length, child_low, child_high, _, _ in children:
                if length == 2 and child_length == 4:
                    codes |= {
                        province * 10_000 + k for k in range(int(child_low), int(child_high) + 1)
                    }
    last = {}
    for code in codes:
        props = {k: v for _, p in database.info(f"{code:06d}") for k, v in p.items()}
        if props.get("county"):
            last[code] = _last_year(props["county"])
    return _region_table(last)


def _last_year(counties: str) -> int:
    """The last year any of a division's names (``[from-to]name``, comma-separated) was
    in use: 9999 for one without an end."""
    if "[" not in counties:
        return 9999
    years = []
    for county in counties.split(","):
        end = county[1:].split("]")[0].split("-")[1] if county.startswith("[") else ""
        years.append(int(end) if end else 9999)
    return max(years)


def _region_table(last: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array(sorted(last), dtype=np.int64)
    return codes, np.array([last[int(c)] for c in codes], dtype=np.int64)


@dataclass(frozen=True)
class IdColumn:
    """A column of normalized ids: which are valid, and the valid ones as words.

    Attributes
    ----------
    rows : numpy.ndarray
        Positions of the 18-byte ids (the only ones that can be valid).
    words : list of numpy.ndarray
        Three uint64 arrays of ``len(rows)``: each such id's bytes.
    ok : numpy.ndarray
        Per input row: a valid USCC or resident id.
    """

    rows: np.ndarray
    words: list[np.ndarray]
    ok: np.ndarray

    @classmethod
    def of(cls, values: TextColumn) -> IdColumn:
        """Check and key a column of normalized ids (see :meth:`TextColumn.normalized`)."""
        rows, matrix = values.rows_of_width(ID_WIDTH)
        ok = np.zeros(len(values), dtype=bool)
        ok[rows] = valid_id_matrix(matrix)
        return cls(rows, pack_words(matrix), ok)

    def isin(self, ids: IdSet, where: np.ndarray | None = None) -> np.ndarray:
        """Per input row: whether its id is in ``ids`` (exact).

        Parameters
        ----------
        ids : IdSet
        where : numpy.ndarray of bool, optional
            Look up only these rows (the others come back False).
        """
        found = np.zeros(len(self.ok), dtype=bool)
        kernels = kernels_for(len(self.rows))
        if kernels is not None and len(ids):  # one pass: no taken copies of the words
            wanted = np.ones(len(self.ok), dtype=bool) if where is None else where
            kernels.bucket_lookup(
                *self.words, mix(self.words), self.rows, wanted, ids.bits, ids.starts,
                ids.records["w0"], ids.records["w1"], ids.records["w2"], found,
            )  # fmt: skip
            return found
        keep = None if where is None else np.flatnonzero(where[self.rows])
        count = len(self.rows) if keep is None else len(keep)
        for start in range(0, count, _LOOKUP_ROWS):
            part = slice(start, start + _LOOKUP_ROWS)
            at = part if keep is None else keep[part]  # positions once, then four takes
            rows, words = self.rows[at], [word[at] for word in self.words]
            found[rows] = ids.contains(words, mix(words))
        return found


_LOOKUP_ROWS = 1 << 15
"""Rows looked up at once: the lookup's temporaries (some 60 bytes a row) stay small
enough to be reused from one part to the next instead of mapped afresh."""


_RECORD = np.dtype([("w0", "<u8"), ("w1", "<u8"), ("w2", "<u8")])
"""An id's three words side by side, so that a lookup reads them in one place."""


@dataclass(frozen=True, eq=False)
class IdSet:
    """A reference list of distinct, valid borrower ids, for exact lookups of whole columns.

    Iterating gives the ids as str, in the list's order; ``len`` counts distinct ids.

    Attributes
    ----------
    ids : pyarrow.Array
        The distinct ids, in the list's order.
    records : numpy.ndarray
        Their words (:data:`_RECORD`), grouped by bucket: the top ``bits`` bits of
        their hash.
    starts : numpy.ndarray
        Where each bucket's records start (``2**bits + 1`` entries, the last the count).
    bits : int
        How many top bits of an id's hash name its bucket: about one bucket per id.

    Notes
    -----
    A bucket holds one id or two on average; a lookup reads its bucket's bounds, then
    compares the three words of the bucket's records with the row's (numpy: one record
    per round for the rows not yet matched; a large column: one compiled pass, see
    :mod:`calculators.columnar.kernels`). Words are compared, never only hashes, so a lookup is
    exact whatever the hashes.
    """

    ids: pa.Array
    records: np.ndarray = field(repr=False)
    starts: np.ndarray = field(repr=False)
    bits: int

    @classmethod
    def of(cls, column: IdColumn, text: TextColumn) -> IdSet:
        """The distinct ids of a column whose ids are all valid."""
        if not column.ok.all():
            raise ValueError("an IdSet holds valid ids only")
        words, hashes = column.words, mix(column.words)
        order = np.argsort(hashes)  # by hash, so by bucket
        ids = text.array
        ordered = hashes[order]
        if (ordered[1:] == ordered[:-1]).any():  # an id listed twice, or two sharing a hash
            first = _first_of_each(words, hashes)
            ids = pc.take(ids, pa.array(np.flatnonzero(first)))
            words, hashes = [word[first] for word in words], hashes[first]
            order = np.argsort(hashes)
        bits = max(int(len(hashes) - 1).bit_length(), 1)
        bucket = (hashes >> np.uint64(64 - bits)).astype(np.intp)
        records = np.empty(len(order), dtype=_RECORD)
        for name, word in zip(_RECORD.names or (), words, strict=True):
            records[name] = word[order]
        starts = np.zeros((1 << bits) + 1, dtype=np.int64)
        np.cumsum(np.bincount(bucket, minlength=1 << bits), out=starts[1:])
        return cls(ids, records, starts, bits)

    def contains(self, words: list[np.ndarray], hashes: np.ndarray) -> np.ndarray:
        """Which ids, given as their three words and hashes, are in the set."""
        if not len(self.ids):
            return np.zeros(len(hashes), dtype=bool)
        bucket = (hashes >> np.uint64(64 - self.bits)).astype(np.intp)
        at = np.take(self.starts, bucket)
        end = np.take(self.starts[1:], bucket)
        found = (at < end) & self._same(np.minimum(at, len(self.records) - 1), words)
        rows = np.flatnonzero(~found & (at + 1 < end))
        while len(rows):  # the rows whose bucket has another record to try
            at[rows] += 1
            same = self._same(at[rows], [word[rows] for word in words])
            found[rows[same]] = True
            rows = rows[~same & (at[rows] + 1 < end[rows])]
        return found

    def _same(self, positions: np.ndarray, words: list[np.ndarray]) -> np.ndarray:
        """Whether the records at ``positions`` hold ``words``, row by row."""
        record = np.take(self.records, positions)
        same = record["w0"] == words[0]
        for name, word in zip(("w1", "w2"), words[1:], strict=True):
            same &= record[name] == word
        return same

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids.to_pylist())

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        column = IdColumn.of(TextColumn.of([value]).normalized())
        return bool(column.ok[0] and column.isin(self)[0])


def _first_of_each(words: list[np.ndarray], hashes: np.ndarray) -> np.ndarray:
    """The first row of each distinct id (by its words)."""
    index = pd.Index(hashes)
    first = ~index.duplicated()
    repeat = np.flatnonzero(~first)
    same = pd.Index(hashes[first]).get_indexer(hashes[repeat])
    pairs = [(word[repeat], word[first][same]) for word in words]
    if all((mine == theirs).all() for mine, theirs in pairs):
        return first
    # two different ids with one 64-bit hash: compare the words themselves
    return ~pd.MultiIndex.from_arrays(words).duplicated()


def valid_id_mask(ids: pa.Array | np.ndarray | list[str]) -> np.ndarray:
    """Which ids (as given, not normalized) are valid USCCs or resident ids."""
    return IdColumn.of(TextColumn.of(ids).filled()).ok
