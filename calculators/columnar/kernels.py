"""Compiled kernels for the borrower-id work of large ledgers: the check characters of
every id and the eligible-list lookup, each in one pass over a column.

numpy does this work in many passes over whole columns (nine table reads per id for the
check characters; a bucket read, then record reads, for the lookup). numba compiles the
same rules into a loop over the column that reads each id's bytes once and releases the
GIL, so the blocks of a ledger run on a thread per core.

Notes
-----
This module imports numba; it is imported only for columns of at least
:data:`calculators.columnar.compiled.KERNEL_ROWS` rows, so small ledgers (and ``relend demo``)
never load it. The kernels are compiled on first use and cached on disk beside this
file (or in ``NUMBA_CACHE_DIR``). They give the numpy paths' answers, which stay as the
reference: the tests hold each kernel to its numpy path on generated ids and lists.
"""

from __future__ import annotations

import numba
import numpy as np

from .bytes import _MULTIPLIERS


@numba.njit(nogil=True, cache=True)
def check_ids(
    matrix: np.ndarray,
    digit_value: np.ndarray,
    code_value: np.ndarray,
    uscc_weights: np.ndarray,
    ric_value: np.ndarray,
    ric_weights: np.ndarray,
    uscc_ok: np.ndarray,
    ric_checksum_ok: np.ndarray,
) -> None:
    """Per row of an ``(n, 18)`` byte matrix: a valid unified social credit code
    (``uscc_ok``), or else a resident id whose check character is right
    (``ric_checksum_ok``: its birth date and region are still to be confirmed).

    Notes
    -----
    The rules of :func:`calculators.columnar.ids.valid_id_matrix`: GB 32100-2015 (8 digits,
    then 9 characters of the code alphabet, the mod-31 check character) and GB
    11643-1999 (17 digits, the ISO 7064 MOD 11-2 check character). The ``*_value``
    tables map a byte to its value, -1 when not allowed.
    """
    for i in range(matrix.shape[0]):
        row = matrix[i]
        head = _weighted_sum(row, 0, 8, digit_value, uscc_weights)
        tail = _weighted_sum(row, 8, 17, code_value, uscc_weights)
        check = code_value[row[17]]
        total = head + tail
        uscc_ok[i] = head >= 0 and tail >= 0 and check >= 0 and check == (31 - total % 31) % 31
        if uscc_ok[i]:
            ric_checksum_ok[i] = False
            continue
        total = _weighted_sum(row, 0, 17, digit_value, ric_weights)
        check = ric_value[row[17]]
        ric_checksum_ok[i] = total >= 0 and check >= 0 and check == (12 - total % 11) % 11


@numba.njit(nogil=True, cache=True, inline="always")
def _weighted_sum(
    row: np.ndarray, start: int, stop: int, values: np.ndarray, weights: np.ndarray
) -> int:
    """The sum of ``weights[j] * values[row[j]]`` over ``start <= j < stop``; -1 when a
    character is not allowed (its value is -1)."""
    total = 0
    allowed = True
    for j in range(start, stop):
        value = values[row[j]]
        allowed &= value >= 0
        total += weights[j] * value
    return total if allowed else -1


@numba.njit(nogil=True, cache=True)
def bucket_lookup(
    words0: np.ndarray,
    words1: np.ndarray,
    words2: np.ndarray,
    hashes: np.ndarray,
    rows: np.ndarray,
    wanted: np.ndarray,
    bits: int,
    starts: np.ndarray,
    records0: np.ndarray,
    records1: np.ndarray,
    records2: np.ndarray,
    found: np.ndarray,
) -> None:
    """For each id ``k`` (its three words and hash) at row ``rows[k]`` of the column, if
    that row is ``wanted``: whether a record of the id's bucket holds the same words,
    into ``found[rows[k]]`` (:meth:`calculators.columnar.ids.IdColumn.isin`; other rows are
    left as they are)."""
    shift = np.uint64(64 - bits)
    for k in range(rows.shape[0]):
        row = rows[k]
        if not wanted[row]:
            continue
        bucket = np.int64(hashes[k] >> shift)
        for at in range(starts[bucket], starts[bucket + 1]):
            if (
                records0[at] == words0[k]
                and records1[at] == words1[k]
                and records2[at] == words2[k]
            ):
                found[row] = True
                break


_KEY_MULTIPLIERS = _MULTIPLIERS[:3]  # the odd constants of calculators.columnar.bytes.mix


@numba.njit(nogil=True, cache=True)
def text_keys(offsets: np.ndarray, data: np.ndarray, keys: np.ndarray) -> None:
    """A 32-bit key of each row of a text column (its ``large_string`` offsets and
    bytes): equal rows, equal keys (the converse is not assumed: callers compare the
    rows whose keys repeat).

    Notes
    -----
    The row's length, then its bytes eight at a time (the last word zero-padded), are
    mixed by multiplication (splitmix64's constants); the key is the top 32 bits.
    """
    first, second, third = _KEY_MULTIPLIERS
    for i in range(keys.shape[0]):
        start, end = offsets[i], offsets[i + 1]
        h = np.uint64(end - start) * first
        at = start
        while at < end:
            word = np.uint64(0)
            for k in range(min(8, end - at)):
                word |= np.uint64(data[at + k]) << np.uint64(8 * k)
            h = (h ^ word) * second
            h ^= h >> np.uint64(29)
            at += 8
        h *= third
        h ^= h >> np.uint64(32)
        keys[i] = np.uint32(h >> np.uint64(32))


_NOT_A_TIME = np.iinfo(np.int64).min  # numpy's NaT, as int64


@numba.njit(nogil=True, cache=True)
def midnight_days(ticks: np.ndarray, per_day: int, days: np.ndarray, ok: np.ndarray) -> None:
    """Per ``datetime64`` value (its int64 ticks): the day number, when it is a midnight
    and not NaT (else day 0, not ok), in one pass
    (:func:`calculators.columnar.dates._midnight_days`; floor division, so days before 1970
    count down from -1)."""
    for i in range(ticks.shape[0]):
        tick = ticks[i]
        day = tick // per_day
        ok[i] = tick != _NOT_A_TIME and day * per_day == tick
        days[i] = day if ok[i] else 0
