"""Duplicate loan ids across a whole ledger, found without comparing every pair of strings.

Notes
-----
A loan id that occurs more than once makes every row that carries it
``duplicate_loan_id`` (the reason order is in :mod:`calculators.engine.codes`).
Ids are compared after stripping surrounding whitespace; an empty id is
``invalid_loan_id`` instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .bytes import MAX_HASHED_WIDTH
from .compiled import kernels_for
from .parallel import in_threads
from .text import TextColumn


def duplicated_ids(loan_ids: pd.Series | TextColumn, blocks: int = 1) -> np.ndarray:
    """Rows whose (stripped, non-empty) loan id occurs more than once.

    Notes
    -----
    Ids are stripped and keyed ``blocks`` parts at a time, on a thread per core: 32 bits
    of a hash of each row (see :func:`_keys`). The keys are sorted once (4 bytes a row:
    about 60 ms for 10 million) to find the repeated ones; every row's key is then
    tried against a bitmap of the repeated keys (one byte read per row: no second sort,
    no hash table of the whole ledger), and only the rows whose key repeats are compared
    as strings, so a key shared by two different ids (a few thousand rows in 10
    million) costs a string comparison, never a wrong answer. Columns the numpy path
    cannot hash are counted in one Arrow hash pass over the strings.
    """
    parts = in_threads(_stripped_ids, TextColumn.parts(loan_ids, blocks))
    empty = np.concatenate([np.zeros(0, dtype=bool), *(p.lengths == 0 for p in parts)])
    keys = _keys(parts, len(loan_ids))
    if keys is None:
        return _count_duplicates(TextColumn.joined(parts)) & ~empty

    repeated = _repeated_values(np.concatenate([np.zeros(0, np.uint32), *keys]))
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


def _keys(parts: list[TextColumn], rows: int) -> list[np.ndarray] | None:
    """Each part's 32-bit row keys (equal rows, equal keys), computed on a thread per
    part: by the compiled kernel for a large column, else the top bits of
    :meth:`TextColumn.hashes`; None when the numpy path cannot hash the rows (a row not
    ASCII or longer than :data:`calculators.columnar.bytes.MAX_HASHED_WIDTH`)."""
    kernels = kernels_for(rows)
    if kernels is not None:

        def compiled(part: TextColumn) -> np.ndarray:
            keys = np.empty(len(part), dtype=np.uint32)
            kernels.text_keys(part.offsets, part.data, keys)
            return keys

        return in_threads(compiled, parts)
    width = max((p.hash_width() or MAX_HASHED_WIDTH + 1 for p in parts), default=0)
    if width > MAX_HASHED_WIDTH:
        return None
    return in_threads(lambda p: (p.hashes(width) >> np.uint64(32)).astype(np.uint32), parts)


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
