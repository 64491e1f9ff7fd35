"""Which text encoding a CSV file is in, decided once and never guessed in silence.

A CSV is read as UTF-8 (a BOM skipped), UTF-16 (by its BOM, or without one when its
NUL bytes say so), or GB18030 (which covers GBK and GB2312 bank exports), else in the
encoding the user names (``--encoding NAME``, ``encoding=``). GB18030 decodes almost
any byte string, so "it decodes" is no evidence: a file that is not UTF-8 is read as
GB18030 only when all of it decodes strictly *and* the charset-normalizer detector
finds the GB18030 reading of a sample clean (its mess ratio at most
:data:`GB18030_MESS_LIMIT`; Big5 and Shift-JIS text read as GB18030 gives rare and
misplaced characters, a ratio of 0.2 to 0.7). A file whose first lines are UTF-8 text
and whose later lines are not is refused as mixed. A refusal names the likely
encoding (the detector's best guess), the first line that does not decode, and for
the files the command line reads in a named encoding (:data:`FORCEABLE`)
``--encoding NAME``, for others saving them again as UTF-8.

Costs stay small on large files: the detector reads a sample of at most
:data:`SAMPLE_BYTES`; a UTF-8 file is validated by Arrow as it is parsed.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

import numpy as np
import pyarrow as pa

from .._errors import LedgerFileError
from .._i18n import _

SAMPLE_BYTES = 1 << 20
"""How much of a file the detector reads."""
GB18030_MESS_LIMIT = 0.1
"""The largest mess ratio (charset-normalizer) of a GB18030 reading still accepted."""
_CHUNK = 1 << 24
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def normal_encoding(name: str | None) -> str | None:
    """The Python codec name of a user's ``--encoding`` (``Big5`` -> ``big5``), None
    for None.

    Raises
    ------
    LedgerFileError
        For a name that is not a text encoding Python knows.
    """
    if name is None:
        return None
    try:
        found = codecs.lookup(str(name).strip()).name
        "a,b\n".encode(found)  # a bytes-to-bytes codec (base64, rot13) is refused here
    except (LookupError, ValueError):
        raise LedgerFileError(
            "encoding",
            name,
            _("a text encoding Python knows, such as utf-8, gb18030, gbk, big5, shift_jis, utf-16"),
        ) from None
    return found


def ascii_compatible(encoding: str) -> bool:
    """Whether ASCII text, line ends included, is the same bytes in ``encoding``
    (then lines and delimiters can be found in the raw bytes)."""
    try:
        return 'a,b;\t"\r\n'.encode(encoding) == b'a,b;\t"\r\n'
    except (LookupError, UnicodeError):
        return False


def first_undecodable(data: Any, encoding: str) -> int | None:
    """The offset of the first byte of ``data`` that does not decode strictly in
    ``encoding``, or None when all of it does (read 16 MiB at a time)."""
    view = memoryview(data)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    done = 0
    try:
        for start in range(0, len(view), _CHUNK):
            part = view[start : start + _CHUNK]
            decoder.decode(part)
            done = start + len(part)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return max(0, min(done + exc.start, len(view) - 1)) if len(view) else 0
    return None


def line_of(data: Any, offset: int) -> int:
    """The line (from 1, as an editor counts) holding byte ``offset`` of ``data``;
    CR-only line ends are counted when the file has no LF before ``offset``."""
    view = memoryview(data)[:offset].tobytes()
    lines = view.count(b"\n")
    if not lines:
        lines = view.count(b"\r")
    return lines + 1


def record_lines(data: Any, records: np.ndarray, quote: int = 0x22) -> np.ndarray:
    """The line (from 1) on which each CSV record of ``records`` (from 1, blank lines
    skipped as Arrow skips them) starts in ``data`` (UTF-8 or another ASCII-compatible
    encoding), counting lines as an editor does: blank lines and the lines of
    multi-line quoted cells included.

    Notes
    -----
    On whole arrays: a line end is a record's end when an even number of quote
    characters comes before it (RFC 4180 quoting, doubled quotes inside). Used on the
    error path, to name the line of a record Arrow refused.
    """
    arr = np.frombuffer(memoryview(data), dtype=np.uint8)
    ends = np.flatnonzero(arr == 0x0A)
    if not len(ends):
        ends = np.flatnonzero(arr == 0x0D)
    quotes = np.flatnonzero(arr == quote)
    closing = ends[np.searchsorted(quotes, ends) % 2 == 0]
    starts = np.concatenate(([0], closing + 1))
    starts = starts[starts < len(arr)]
    filled = starts[~np.isin(arr[starts], (0x0A, 0x0D))] if len(starts) else starts
    wanted = np.clip(np.asarray(records, dtype=np.int64) - 1, 0, max(len(filled) - 1, 0))
    if not len(filled):
        return np.ones(len(wanted), dtype=np.int64)
    return np.searchsorted(ends, filled[wanted]) + 1


def _guess(sample: bytes) -> str | None:
    """charset-normalizer's best guess for ``sample``, None when it has none."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return None if best is None else str(best.encoding)


def _gb18030_clean(sample: bytes) -> bool:
    """Whether the GB18030 reading of ``sample`` has a mess ratio of at most
    :data:`GB18030_MESS_LIMIT` by charset-normalizer's measure."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["gb18030"], threshold=1.0).best()
    return best is not None and best.chaos <= GB18030_MESS_LIMIT


def cut(sample: bytes) -> bytes:
    """``sample`` without its last, perhaps cut, line (when it has more than one)."""
    at = max(sample.rfind(b"\n"), sample.rfind(b"\r"))
    return sample[: at + 1] if at > 0 else sample


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf_16_le`` or ``utf_16_be`` when the detector reads a head with NUL bytes as
    UTF-16, else None."""
    if b"\x00" not in head[:4096]:
        return None
    guess = _guess(head[: 1 << 16])
    return guess if guess in ("utf_16_le", "utf_16_be") else None


def choose(data: Any, path: str, what: str, forced: str | None) -> tuple[str, int]:
    """The encoding of a whole CSV held in ``data`` and the BOM bytes to skip.

    Returns ``("utf-8" | "utf-16" | "utf-16-le" | "utf-16-be" | "gb18030" | forced,
    bom_length)``.

    Raises
    ------
    LedgerFileError
        When the file is not UTF-8, UTF-16 or GB18030 with confidence, or does not
        decode in the forced encoding: the message names the likely encoding, the
        first line that does not decode, and ``--encoding NAME``.
    """
    view = memoryview(data)
    head = view[:4].tobytes()
    if forced is not None:
        skip = _bom_of(head, forced)
        bad = first_undecodable(view[skip:], forced)
        if bad is not None:
            raise not_decodable(path, what, view, skip + bad, forced)
        return forced, skip
    if head[:2] in UTF16_BOMS:
        bad = first_undecodable(view, "utf-16")
        if bad is not None:
            raise not_decodable(path, what, view, bad, "utf-16")
        return "utf-16", 0
    skip = len(UTF8_BOM) if head[:3] == UTF8_BOM else 0
    sample = view[skip : skip + SAMPLE_BYTES].tobytes()
    if not skip:
        wide = _utf16_without_bom(sample)
        if wide is not None:
            bad = first_undecodable(view, wide)
            if bad is not None:
                raise not_decodable(path, what, view, bad, wide)
            return wide.replace("_", "-"), 0
    if is_utf8(view[skip:]):
        return "utf-8", skip
    bad = first_undecodable(view[skip:], "utf-8")
    if bad is None:  # pragma: no cover (Arrow and Python agree on what UTF-8 is)
        return "utf-8", skip
    if skip:  # a UTF-8 BOM, then bytes that are not UTF-8
        raise not_decodable(path, what, view, skip + bad, "utf-8")
    return _not_utf8(view, bad, path, what), skip


def is_utf8(data: Any) -> bool:
    """Whether ``data`` is valid UTF-8, checked by Arrow in C++ without a copy."""
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    ends = pa.py_buffer(np.array([0, buffer.size], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, ends, buffer])
    try:
        whole.cast(pa.large_string())
        return True
    except pa.ArrowInvalid:
        return False


def _not_utf8(view: memoryview, bad: int, path: str, what: str) -> str:
    """GB18030 for a file (no BOM) that is not UTF-8 from byte ``bad`` on, when it
    reads as GB18030 with confidence; else the refusal."""
    before_bad = view[:bad].tobytes()
    line_start = max(before_bad.rfind(b"\n"), before_bad.rfind(b"\r")) + 1
    before = before_bad[:line_start].decode("utf-8", "replace")
    rest = cut(view[line_start : line_start + SAMPLE_BYTES].tobytes())
    if len(_CJK.findall(before)) >= 2:  # UTF-8 text, then lines that are not
        raise mixed(path, what, view, bad, _guess(rest))
    broken = first_undecodable(view, "gb18030")
    sample = rest if broken is None else cut(rest[: max(0, broken - line_start)])
    if sample.strip() and _gb18030_clean(sample):
        if broken is None:
            return "gb18030"
        raise not_decodable(path, what, view, broken, "GB18030")
    raise unsure(path, what, view, bad, _guess(rest))


def _bom_of(head: bytes, encoding: str) -> int:
    """The BOM bytes to skip for a forced encoding (a UTF-8 BOM for UTF-8 only; the
    UTF-16 and UTF-32 codecs read their own BOM)."""
    return len(UTF8_BOM) if encoding == "utf-8" and head[:3] == UTF8_BOM else 0


_NAMES = {
    "big5": "Big5", "big5hkscs": "Big5-HKSCS", "cp950": "Big5 (cp950)",
    "cp932": "Shift-JIS (cp932)", "shift_jis": "Shift-JIS", "euc_jp": "EUC-JP",
    "cp949": "EUC-KR (cp949)", "euc_kr": "EUC-KR", "gb18030": "GB18030", "gb2312": "GB2312",
    "gbk": "GBK", "utf_8": "UTF-8", "utf_16_le": "UTF-16LE", "utf_16_be": "UTF-16BE",
}  # fmt: skip


def _likely(guess: str | None) -> str:
    """The detector's guess as people write it (``big5`` -> Big5)."""
    if guess is None:
        return _("an encoding not recognized")
    return _NAMES.get(guess, guess)


FORCEABLE = ("ledger", "npl")
"""The files the command line can read in a named encoding (``--encoding NAME``)."""


def mixed(path: str, what: str, view: Any, bad: int, guess: str | None) -> LedgerFileError:
    """The refusal of a file whose lines before ``bad``'s are UTF-8 and whose line at
    ``bad`` is not."""
    if what in FORCEABLE:
        accepted = _(
            "a file in one encoding: save it again as UTF-8, or read it in one with --encoding NAME"
        )
    else:
        accepted = _("a file in one encoding: save it again as UTF-8")
    return LedgerFileError(
        what,
        path,
        _(
            "line {line} does not decode as UTF-8 while the lines before it do (from there "
            "it looks like {guess}): {accepted}"
        ).format(line=line_of(view, bad), guess=_likely(guess), accepted=accepted),
    )


def unsure(path: str, what: str, view: Any, bad: int, guess: str | None) -> LedgerFileError:
    """The refusal of a file that is neither UTF-8 nor GB18030 with confidence."""
    if what in FORCEABLE:
        accepted = _(
            "a CSV in UTF-8, UTF-16 or GB18030, or its encoding named with --encoding NAME"
        ) + (_hint(f" --encoding {guess}") if guess else "")
    else:
        accepted = _("a CSV in UTF-8, UTF-16 or GB18030: save it again as UTF-8")
    return LedgerFileError(
        what,
        path,
        _(
            "line {line} does not decode as UTF-8 and the file does not read as GB18030 "
            "with confidence (it looks like {guess}): {accepted}"
        ).format(line=line_of(view, bad), guess=_likely(guess), accepted=accepted),
    )


def _hint(hint: str) -> str:
    # TRANSLATORS: follows "--encoding NAME" with an example, e.g. " (here --encoding big5)"
    return _(" (here{option})").format(option=hint)


def not_decodable(path: str, what: str, view: Any, bad: int, encoding: str) -> LedgerFileError:
    """The refusal of a file that does not decode in ``encoding`` at byte ``bad``."""
    if what in FORCEABLE:
        accepted = _("a file in that encoding, or another named with --encoding NAME")
    else:
        accepted = _("a file in that encoding throughout: save it again as UTF-8")
    return LedgerFileError(
        what,
        path,
        _("line {line} does not decode as {encoding}: {accepted}").format(
            line=line_of(view, bad), encoding=encoding, accepted=accepted
        ),
    )
