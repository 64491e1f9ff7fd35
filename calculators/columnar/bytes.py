"""Byte-level views of Arrow string columns: the fast paths of ledger parsing.

Ledger columns are mostly fixed-width ASCII (``2022-04-01``, 18-character ids, loan
numbers of one format). Such a column's data buffer is viewed as an ``(n, width)``
``uint8`` matrix without copying, and dates, ids and amounts are read from its columns
with numpy. Rows that do not fit a fast path are always handed to the general parser,
so a fast path can only make a result quicker, never different (the tests hold both
paths to the same answers).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# two ASCII digits read as one little-endian uint16 -> their value 0..99, else -1
DIGIT_PAIR = np.full(1 << 16, -1, dtype=np.int16)
for _a in range(10):
    for _b in range(10):
        DIGIT_PAIR[(48 + _a) | ((48 + _b) << 8)] = 10 * _a + _b
del _a, _b


def contiguous(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One Arrow string array (``large_string``). A slice of one is kept as it is: its
    offsets index the shared data buffer (see :func:`offsets`), so the rows of a block
    of a ledger are never copied to be read."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return values


def offsets(values: pa.Array) -> np.ndarray:
    """The int64 offsets of a ``large_string`` array (``len + 1`` entries, a view): where
    each row starts and ends in the data buffer, the array's own offset applied."""
    buffer = values.buffers()[1]
    if buffer is None:
        return np.zeros(len(values) + 1, dtype=np.int64)
    return np.frombuffer(buffer, dtype=np.int64)[values.offset : values.offset + len(values) + 1]


def masked(values: pa.Array, keep: np.ndarray) -> pa.Array:
    """``values`` with the rows not in ``keep`` made null, sharing its buffers."""
    values = contiguous(values)
    if values.null_count:
        keep = keep & pc.is_valid(values).to_numpy(zero_copy_only=False)
    validity = pa.py_buffer(np.packbits(keep, bitorder="little"))
    _, ends, text = values.buffers()
    ends = ends.slice(8 * values.offset, 8 * (len(values) + 1))  # int64 offsets, from row 0
    return pa.Array.from_buffers(values.type, len(values), [validity, ends, text])


def used(values: pa.Array) -> np.ndarray:
    """The bytes the rows of a ``large_string`` array actually use (a view)."""
    ends = offsets(values)
    return data(values)[ends[0] : ends[-1]]


def lengths(values: pa.Array) -> np.ndarray:
    """The byte length of each row of a ``large_string`` array."""
    return np.diff(offsets(values))


def data(values: pa.Array) -> np.ndarray:
    """The whole data buffer of a ``large_string`` array (its rows are at :func:`offsets`)."""
    buffer = values.buffers()[2]
    return np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)


def fixed_width(values: pa.Array, width: int) -> np.ndarray | None:
    """The ``(n, width)`` byte matrix of a column whose every row is ``width`` bytes.

    None when a row is null or has another length. The matrix is a view of the
    array's buffer: read-only, valid while ``values`` lives.
    """
    if values.null_count or width <= 0:
        return None
    raw = used(values)
    if len(raw) != width * len(values) or not (lengths(values) == width).all():
        return None
    return raw.reshape(len(values), width)


def rows_of_width(values: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``width`` bytes and their byte matrix (a view of the buffer when every
    row has that width, else a copy)."""
    whole = fixed_width(values, width)
    if whole is not None:
        return np.arange(len(values)), whole
    length = pc.fill_null(pc.binary_length(values), -1).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(length == width)
    picked = contiguous(pc.take(values, pa.array(rows, type=pa.int64())))
    raw = data(picked)[offsets(picked)[0] :][: width * len(rows)]
    return rows, raw.reshape(len(rows), width)


def pair(matrix: np.ndarray, column: int) -> np.ndarray:
    """The two-digit number at ``column`` of each row (-1 where not two ASCII digits)."""
    return np.take(DIGIT_PAIR, matrix[:, column : column + 2].view("<u2")[:, 0])


def may_need_trimming(values: pa.Array) -> bool:
    """Whether any byte is whitespace or non-ASCII (else stripping changes nothing)."""
    raw = used(values)
    return bool(len(raw)) and bool(raw.min() <= 32 or raw.max() >= 0x80)


def may_need_normalizing(values: pa.Array) -> bool:
    """Whether any byte may be whitespace, lower case or non-ASCII (else strip and upper
    change nothing): any byte up to the space, or from the backquote up."""
    raw = used(values)
    return bool(len(raw)) and bool(raw.min() <= ord(" ") or raw.max() >= ord("`"))


def pack_words(matrix: np.ndarray) -> list[np.ndarray]:
    """Each row's bytes as little-endian uint64 words, the last one zero-padded: one
    array per word (views of ``matrix`` where a whole word fits)."""
    width = matrix.shape[1]
    words = []
    for start in range(0, width, 8):
        chunk = matrix[:, start : start + 8]
        if chunk.shape[1] == 8 and chunk.strides[1] == 1:
            words.append(chunk.view("<u8")[:, 0])
        else:
            words.append(_short_word(chunk))
    return words


def _short_word(chunk: np.ndarray) -> np.ndarray:
    """The bytes of each row of an ``(n, k)`` matrix, ``k < 8`` (or not contiguous), as a
    zero-padded little-endian uint64: read 4, 2 and 1 bytes at a time, not copied into a
    padded matrix first."""
    n, size = chunk.shape
    if not size:
        return np.zeros(n, dtype=np.uint64)
    word = None
    at = 0
    for step, dtype in ((4, "<u4"), (2, "<u2"), (1, "u1")):
        while size - at >= step:
            piece = chunk[:, at : at + step]
            if piece.strides[1] != 1:  # read as one integer, the bytes must be side by side
                piece = np.ascontiguousarray(piece)
            # read in place, into the word itself at first: a copy of the bytes and a
            # zeroed word to combine into took half again as long
            value = piece.view(dtype)[:, 0].astype(np.uint64)
            if word is None:
                word = value
            else:
                value <<= np.uint64(8 * at)
                word |= value
            at += step
    assert word is not None
    return word


# odd 64-bit multipliers (from splitmix64 and xxhash)
_MULTIPLIERS = tuple(
    np.uint64(m)
    for m in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xC2B2AE3D27D4EB4F,
              0x165667B19E3779F9, 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD)
)  # fmt: skip


def mix(words: list[np.ndarray]) -> np.ndarray:
    """A 64-bit hash of each row of ``words`` (equal rows, equal hashes; equal hashes
    are not taken as proof of equality)."""
    h = words[0] * _MULTIPLIERS[0]
    for j in range(1, len(words)):
        h ^= words[j] * _MULTIPLIERS[j % len(_MULTIPLIERS)]
    h ^= h >> np.uint64(31)
    return h


MAX_HASHED_WIDTH = 64


def hash_width(values: pa.Array) -> int | None:
    """The width :func:`row_hashes` pads to: the longest row, or None when a row is
    non-ASCII or longer than :data:`MAX_HASHED_WIDTH` bytes."""
    raw = used(values)
    if len(raw) and raw.max() >= 0x80:
        return None
    width = int(lengths(values).max()) if len(values) else 0
    return width if width <= MAX_HASHED_WIDTH else None


def row_hashes(values: pa.Array, width: int) -> np.ndarray:
    """A 64-bit hash of each ASCII row, right-padded with spaces to ``width`` bytes (a
    missing row hashed as an empty one).

    Equal rows always get equal hashes (the converse is not assumed: callers confirm
    equal hashes on the strings). Every part of a column must use the same ``width``.

    Notes
    -----
    A column of one width is hashed from its buffer; otherwise Arrow pads the rows to
    ``width`` in one pass (cheaper than taking the full-width rows out and padding the
    others apart).
    """
    if width == 0:
        return np.zeros(len(values), dtype=np.uint64)
    matrix = fixed_width(values, width)
    if matrix is None:
        padded = pc.ascii_rpad(pc.fill_null(values, ""), width, " ")
        matrix = fixed_width(contiguous(padded), width)
        assert matrix is not None, "ASCII rows padded to one width"
    return mix(pack_words(matrix))
