"""Duplicate loan ids across a whole ledger, found without comparing every pair of strings.

Notes
-----
A loan id that occurs more than once makes every row that carries it
``duplicate_loan_id`` (the reason order is in :mod:`calculators._reasons`).
Ids are compared after stripping surrounding whitespace; an empty id is
``invalid_loan_id`` instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._bytes import MAX_HASHED_WIDTH
from ._parallel import in_threads
from ._text import TextColumn


def duplicated_ids(loan_ids: pd.Series | TextColumn, blocks: int = 1) -> np.ndarray:
    """Rows whose (stripped, non-empty) loan id occurs more than once.

    Notes
    -----
    ASCII ids (the usual case) are stripped and hashed to 64 bits ``blocks`` parts at
    a time, on a thread per core; the hashes are sorted in two halves (by their top
    bit, so equal hashes share a half) to find the repeated ones, every row's hash is
    looked up in a hash table of only those (no second sort of the whole ledger's
    hashes), and only rows whose hash repeats are compared as strings. Other columns
    are counted in one Arrow hash pass over the strings.
    """
    parts = in_threads(_stripped_ids, TextColumn.parts(loan_ids, blocks))
    empty = np.concatenate([np.zeros(0, dtype=bool), *(p.lengths == 0 for p in parts)])
    width = max((p.hash_width() or MAX_HASHED_WIDTH + 1 for p in parts), default=0)
    if width > MAX_HASHED_WIDTH:
        return _count_duplicates(TextColumn.joined(parts)) & ~empty

    def hash_part(part: TextColumn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hashes = part.hashes(width)
        top = hashes >= np.uint64(1 << 63)
        return hashes, hashes[~top], hashes[top]

    hashed = in_threads(hash_part, parts)
    halves = [np.concatenate([np.zeros(0, np.uint64), *(h[k] for h in hashed)]) for k in (1, 2)]
    repeated = np.concatenate([np.zeros(0, np.uint64), *in_threads(_repeated_values, halves)])
    duplicate = np.zeros(len(loan_ids), dtype=bool)
    if len(repeated):
        # a hash table of the few repeated hashes, probed by every row: np.isin would
        # sort all the rows' hashes again
        table = pa.array(repeated)

        def look_up(part: tuple[np.ndarray, ...]) -> np.ndarray:
            found = pc.is_in(pa.array(part[0]), value_set=table)
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)

        found = np.concatenate(in_threads(look_up, hashed))
        candidates = np.flatnonzero(found & ~empty)
        duplicate[candidates] = _count_duplicates(_taken(parts, candidates))
    return duplicate


def _taken(parts: list[TextColumn], rows: np.ndarray) -> TextColumn:
    """The rows at the sorted positions ``rows`` of the parts joined, taken part by part
    (the whole column is never copied)."""
    ends = np.cumsum([len(part) for part in parts])
    cuts = np.searchsorted(rows, ends)
    starts = np.concatenate([[0], ends[:-1]])
    pieces = np.split(rows, cuts[:-1])
    return TextColumn.joined(
        [part.take(piece - start) for part, piece, start in zip(parts, pieces, starts, strict=True)]
    )


def _stripped_ids(part: TextColumn) -> TextColumn:
    return part.filled().stripped()


def _count_duplicates(ids: TextColumn) -> np.ndarray:
    """Rows whose string occurs more than once (one Arrow hash pass)."""
    encoded = pc.dictionary_encode(ids.array)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return np.bincount(codes, minlength=len(encoded.dictionary))[codes] > 1


def _repeated_values(values: np.ndarray) -> np.ndarray:
    """The values that occur more than once (sorted in place: ``values`` is a scratch copy)."""
    values.sort()
    return np.unique(values[1:][values[1:] == values[:-1]])
