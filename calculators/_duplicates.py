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
import pyarrow.compute as pc

from ._bytes import MAX_HASHED_WIDTH
from ._parallel import in_threads
from ._text import TextColumn


def duplicated_ids(loan_ids: pd.Series | TextColumn, blocks: int = 1) -> np.ndarray:
    """Rows whose (stripped, non-empty) loan id occurs more than once.

    Notes
    -----
    ASCII ids (the usual case) are stripped and hashed ``blocks`` parts at a time, on a
    thread per core, and each row is keyed by its hash's top 32 bits. The keys are
    sorted, in two halves by their top bit on a thread each, to find the repeated ones;
    every row's key is then tried against a bitmap of the repeated keys (one byte read
    per row: no second sort, no hash table of the whole ledger), and only the rows whose
    key repeats are compared as strings, so a key shared by two different ids (a few
    thousand rows in 10 million) costs a string comparison, never a wrong answer. Other
    columns are counted in one Arrow hash pass over the strings.
    """
    parts = in_threads(_stripped_ids, TextColumn.parts(loan_ids, blocks))
    empty = np.concatenate([np.zeros(0, dtype=bool), *(p.lengths == 0 for p in parts)])
    width = max((p.hash_width() or MAX_HASHED_WIDTH + 1 for p in parts), default=0)
    if width > MAX_HASHED_WIDTH:
        return _count_duplicates(TextColumn.joined(parts)) & ~empty

    def key_part(part: TextColumn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        keys = (part.hashes(width) >> np.uint64(32)).astype(np.uint32)
        top = keys >= np.uint32(1 << 31)
        return keys, keys[~top], keys[top]

    keyed = in_threads(key_part, parts)
    keys = [k[0] for k in keyed]
    # two halves by the top bit (equal keys share a half), sorted on a thread each
    halves = [np.concatenate([np.zeros(0, np.uint32), *(k[h] for k in keyed)]) for h in (1, 2)]
    del keyed
    repeated = np.concatenate(in_threads(_repeated_values, halves))
    duplicate = np.zeros(len(loan_ids), dtype=bool)
    if len(repeated):
        bitmap = np.zeros(_BITMAP_SIZE, dtype=bool)
        bitmap[repeated & np.uint32(_BITMAP_SIZE - 1)] = True

        def look_up(part_keys: np.ndarray) -> np.ndarray:
            maybe = np.flatnonzero(bitmap[part_keys & np.uint32(_BITMAP_SIZE - 1)])
            at = np.minimum(np.searchsorted(repeated, part_keys[maybe]), len(repeated) - 1)
            return maybe[repeated[at] == part_keys[maybe]]

        starts = np.cumsum([0, *(len(k) for k in keys[:-1])])
        found = [rows + at for rows, at in zip(in_threads(look_up, keys), starts, strict=True)]
        candidates = np.concatenate([np.zeros(0, np.int64), *found])
        candidates = candidates[~empty[candidates]]
        duplicate[candidates] = _count_duplicates(_taken(parts, candidates))
    return duplicate


_BITMAP_SIZE = 1 << 22
"""Entries of the bitmap of repeated keys: 4 MiB, so that in 10 million rows a few
hundred thousand distinct repeated keys still leave most rows' entries unset."""


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
    """The values that occur more than once, sorted (``values`` is sorted in place: a
    scratch copy)."""
    values.sort()
    return np.unique(values[1:][values[1:] == values[:-1]])
