"""Reference lists of borrower ids (an eligible-enterprise list, a dishonesty list):
read from a file (a CSV with a borrower-id column, one id per line, or an Excel
workbook) or an iterable, every id checked.

A claim given a reference list as a path or an iterable reads it, checks every id and
builds its lookup table each time. :class:`BorrowerList` does that once: the same
value can then be given to every claim, audit and partitioned claim of a session (the
quarters of a year, the lenders of a branch), with results identical to giving the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._errors import LedgerFileError, ParameterError
from .._i18n import _
from ..columnar.ids import IdColumn, IdSet
from ..columnar.text import TEXT, TextColumn
from . import encoding as _encoding
from .columns import _ALIAS_TO_CANONICAL, _normal_header, canonical_columns
from .csv_file import decode_bytes, read_bytes, read_csv_text, sniff_delimiter
from .xlsx_file import _cells_as_text, is_workbook, read_workbook


def read_id_list(
    source: str | Path | Iterable[str],
    what: str,
    *,
    allow_empty: bool = True,
    encoding: str | None = None,
) -> IdSet:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an
    iterable: :func:`read_ids` without the file's digest."""
    return read_ids(source, what, allow_empty=allow_empty, encoding=encoding)[0]


def read_ids(
    source: str | Path | Iterable[str],
    what: str,
    *,
    allow_empty: bool = True,
    encoding: str | None = None,
) -> tuple[IdSet, str | None]:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an
    iterable, and the file's SHA-256 (None for an iterable).

    Parameters
    ----------
    source : path or iterable of str
    what : str
        The list's name for messages (``eligible-borrowers``, ``dishonest``).
    allow_empty : bool, default True
        Whether a list without a single id is accepted.
    encoding : str, optional
        A CSV list's encoding (a Python codec name) when it is not UTF-8, UTF-16 or
        GB18030, which are found without it.

    Raises
    ------
    LedgerFileError
        If the file cannot be read, holds an id with a wrong check character (the
        message names the file, the line, header and blank lines counted, and the id;
        for an iterable the item's position from 1), or holds no id and ``allow_empty``
        is False.
    """
    digest: str | None = None
    if isinstance(source, str | Path) and is_workbook(source):
        data = read_bytes(source, what)
        given, place = _workbook_ids(data, source, what)
        origin: str | None = str(source)
        digest = hashlib.sha256(data).hexdigest()
    elif isinstance(source, str | Path):
        data = read_bytes(source, what)
        digest = hashlib.sha256(data).hexdigest()
        text = decode_bytes(data, str(source), what, encoding)
        first = _first_filled_line(text)
        header = _header_id_column(first) if first is not None else None
        if header is not None:
            frame = read_csv_text(data, str(source), what, encoding=encoding)
            given = TextColumn.of(frame[frame.columns[header]])

            def place(k: int) -> str:
                return _("{path}, line {line}").format(path=source, line=_csv_record_line(text, k))
        else:
            lines = _LINE_END.split(text)  # file lines as an editor counts them
            filled = [i for i, line in enumerate(lines) if line.strip()]
            given = TextColumn.of([lines[i].strip() for i in filled])

            def place(k: int) -> str:
                return _("{path}, line {line}").format(path=source, line=filled[k] + 1)

        origin = str(source)
    else:
        given = _text_column(source)
        origin = None

        def place(k: int) -> str:
            return _("item {number} of the {what} list").format(number=k + 1, what=what)

    ids = given.normalized()
    if not len(ids) and not allow_empty:
        raise empty_list_error(what, origin)
    column = IdColumn.of(ids)
    if not column.ok.all():
        if not column.ok.any():
            _refuse_names(ids, given, what, origin, place)
        k = int(np.flatnonzero(~column.ok)[0])
        raise LedgerFileError(
            what,
            given[k],  # as written, before stripping and upper-casing
            _(
                "18-character unified social credit codes or resident ids with valid check "
                "characters ({place})"
            ).format(place=place(k)),
        )
    return IdSet.of(column, ids), digest


_ID_SHAPED = r"^[0-9A-Z]{18}$"
_HAN = r"\p{Han}"


def _refuse_names(
    ids: TextColumn, given: TextColumn, what: str, origin: str | None, place: Any
) -> None:
    """Refuse a list of names (a column of company names, no id at all) as such.

    Called when not one item is a valid id: when none even has an id's shape (18
    letters and digits) and some hold Chinese characters, the list is names, and the
    message says that ids are needed rather than naming a check character.
    """
    if pc.any(pc.match_substring_regex(ids.array, _ID_SHAPED)).as_py():
        return  # ids with wrong check characters: the caller names the first
    named = np.flatnonzero(pc.match_substring_regex(given.array, _HAN).to_numpy(
        zero_copy_only=False))  # fmt: skip
    if not len(named):
        return
    k = int(named[1] if len(named) > 1 else named[0])  # past a header, when there is one
    raise LedgerFileError(
        what,
        origin or given[k],
        _(
            "a list of borrower ids: 18-character unified social credit codes or resident "
            "ids, one per line or in a column headed 统一社会信用代码 or 证件号码; this list "
            "holds names such as {name} ({place}) and not one id"
        ).format(name=repr(given[k]), place=place(k)),
    )


def empty_list_error(what: str, origin: str | None) -> LedgerFileError:
    """The error for a list without a single id where one is required (``origin``: the
    file, None for an iterable)."""
    return LedgerFileError(
        what, origin or [], _("a list with at least one borrower id; it has none")
    )


def _workbook_ids(data: bytes, source: str | Path, what: str) -> tuple[TextColumn, Any]:
    """The ids of a list workbook's first sheet (its bytes ``data``): the column headed
    as a borrower id (title rows above it skipped), else the first column, one id per
    filled cell."""
    try:
        table = read_workbook(data, str(source), None, ("borrower_id",), what)
        ids = canonical_columns(table.frame, ("borrower_id",), among=("borrower_id",))
        cells, lines = ids["borrower_id"], table.lines
    except LedgerFileError as exc:
        if exc.parameter != "sheet":  # not the missing header: the file itself
            raise
        raw = pd.read_excel(  # the sheet read_workbook chose (the first visible one)
            io.BytesIO(data), engine="calamine", sheet_name=exc.value, header=None, dtype=object
        )
        first = pd.Series(_cells_as_text(raw[raw.columns[0]]) if len(raw.columns) else [])
        filled = np.flatnonzero((first.astype(str).str.strip() != "").to_numpy())
        cells, lines = first.iloc[filled].astype(TEXT), filled + 1
    filled_cells = TextColumn.of(cells).filled()

    def place(k: int) -> str:
        return f"{source}, row {int(lines[k])}"

    return filled_cells, place


def _csv_record_line(text: str, k: int) -> int:
    """The file line (from 1, header included) on which data record ``k`` (from 0) of a
    CSV starts, blank lines skipped as Arrow's reader skips them. Only read on an error."""
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    before, seen = 0, -1  # the header is record -1
    try:
        for record in reader:
            if record:
                if seen == k:
                    return before + 1
                seen += 1
            before = reader.line_num
    except csv.Error:  # a cell past the csv module's size limit: count on whole arrays
        return int(_encoding.record_lines(text.encode(), np.array([k + 2]))[0])
    return before


def _text_column(values: Iterable[str]) -> TextColumn:
    """An iterable of ids as text (directly when every item is a str or None)."""
    items = values if isinstance(values, np.ndarray | list) else list(values)
    try:
        return TextColumn.of(pa.array(items, type=pa.large_string()))
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return TextColumn.of(pd.Series(list(items), dtype=TEXT))


_LINE_END = re.compile(r"\r\n|\r|\n")


def _first_filled_line(text: str) -> str | None:
    """The first line of ``text`` that is not blank (lines end as an editor counts
    them), found without splitting the rest; None when every line is blank."""
    start = 0
    for end in _LINE_END.finditer(text):
        if text[start : end.start()].strip():
            return text[start : end.start()]
        start = end.end()
    return text[start:] if text[start:].strip() else None


def _header_id_column(line: str) -> int | None:
    cells = [_normal_header(c) for c in line.split(sniff_delimiter(line))]
    for i, cell in enumerate(cells):
        if _ALIAS_TO_CANONICAL.get(cell) == "borrower_id":
            return i
    return None


@dataclass(frozen=True, eq=False, init=False)
class BorrowerList:
    """Borrower ids (an eligible-enterprise list, a dishonesty list), checked once.

    Parameters
    ----------
    source : path, iterable of str, numpy array or pandas Series
        A list file as a claim reads it (a CSV with a borrower-id column, one id per
        line, or an Excel workbook), or the ids themselves.
    what : str, default ``"borrowers"``
        The list's name in messages (``eligible-borrowers``).
    encoding : str, optional
        A CSV list's encoding (a Python codec name such as ``big5``) when it is not
        UTF-8, UTF-16 or GB18030, which are found without it.

    Attributes
    ----------
    source : str or None
        The file the ids were read from; None for ids given directly.
    sha256 : str or None
        The SHA-256 of that file as read; None for ids given directly.
    ids : IdSet
        The distinct ids with their lookup table, as a claim uses them.

    Raises
    ------
    LedgerFileError
        As a claim given the file raises: an unreadable file, or an id with a wrong
        check character (the message names the file and line, or the item's position,
        and the id).

    Notes
    -----
    A list without a single id is accepted here (a dishonesty list may be empty: the
    claim warns), and refused by a claim whose program requires the list, with the error
    the file gives (an empty eligible list would make every loan ineligible, silently).
    The eligible-enterprise list of the tech relending is pushed by MOST and MIIT
    (tech notice 一, seed 740-746); a program's summary counts the list's ids
    (``lists``), as for a file.
    """

    source: str | None
    sha256: str | None
    ids: IdSet = field(repr=False)

    def __init__(
        self,
        source: str | Path | Iterable[str] | BorrowerList,
        *,
        what: str = "borrowers",
        encoding: str | None = None,
    ) -> None:
        if isinstance(source, BorrowerList):
            ids, origin, digest = source.ids, source.source, source.sha256
        else:
            ids, digest = read_ids(source, what, encoding=encoding)
            origin = str(source) if isinstance(source, str | Path) else None
        object.__setattr__(self, "source", origin)
        object.__setattr__(self, "sha256", digest)
        object.__setattr__(self, "ids", ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, value: object) -> bool:
        return value in self.ids

    def __repr__(self) -> str:
        count = f"{len(self)} id" + ("" if len(self) == 1 else "s")
        if self.source is None:
            return f"<BorrowerList: {count} from an iterable>"
        return f"<BorrowerList: {count} from {Path(self.source).name} (sha256 {self.sha256})>"


IdList: TypeAlias = str | Path | Iterable[str] | BorrowerList


def id_list(source: IdList | None, what: str, *, required: bool) -> BorrowerList | None:
    """Read a reference list, or refuse a missing one the program requires.

    A list the program requires must hold at least one id (an empty eligible list would
    make every loan ineligible, silently); an optional one may be empty. A
    :class:`BorrowerList` was read and checked when it was made: its ids are used as they
    are.
    """
    if source is None:
        if required:
            raise ParameterError(
                what, None, _("the {what} list: a file or an iterable of ids").format(what=what)
            )
        return None
    listed = source if isinstance(source, BorrowerList) else BorrowerList(source, what=what)
    if required and not len(listed):
        raise empty_list_error(what, listed.source)
    return listed
