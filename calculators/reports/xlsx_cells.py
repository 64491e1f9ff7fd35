"""The cells of a workbook's rows sheets: each output column typed (text, integers, fen
with their yuan beside them, dates, labels beside codes), a block of rows rendered by
Arrow's string kernels as the sheet XML XlsxWriter writes, and the columns' widths."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

from ..columnar.bytes import contiguous, data, lengths, masked, offsets, used
from ..columnar.dates import parse_dates
from ..columnar.money import parse_yuan_column
from ..columnar.text import TextColumn
from ..engine.labels import LABELLED_COLUMNS, Label
from .base import _join
from .labels import _LABEL_HEADERS, _chinese, _english

EXCEL_EXACT_INT = 10**15
"""Excel keeps 15 significant digits: a whole number of fen from 10**15 up (10 trillion
yuan), and the yuan amount of such a number of fen, are written as text so that no
digit is lost."""
EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel serial day (1900 date system)
EXCEL_FIRST_SAFE_SERIAL = 61  # 1900-03-01: earlier serials meet Excel's 29 Feb 1900
EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31
_DATE_COLUMNS = ("disbursement_date", "maturity_date")
_YUAN_TEXT_COLUMNS = ("principal", "loan_balance", "npl_balance")
_CONTROL = "[\\x00-\\x08\\x0b-\\x1f]"  # escaped by Excel as _xHHHH_ (tab, LF kept)


@dataclass(frozen=True)
class _Cells:
    """One block of one output column: numbers where present, else text, else blank."""

    number: pa.Array | None  # the value as the XML's number text, null where not a number
    text: pa.Array | None  # text, null where blank or written as a number


@dataclass(frozen=True)
class _Column:
    """An output column of a rows sheet: its headers, cell style and how to fill it."""

    zh: str
    en: str
    style: str  # "text", "int", "fen", "yuan", "date"
    cells: Callable[[pd.DataFrame], _Cells]
    sample: bool = True  # whether its widths come from its values
    coded: object = None  # a categorical input column its cells depend on alone


def _text_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    def cells(block: pd.DataFrame) -> _Cells:
        return _Cells(None, TextColumn.of(block[name]).array)

    return cells


def _int_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    def cells(block: pd.DataFrame) -> _Cells:
        values = block[name]
        present = values.notna().to_numpy(dtype=bool)
        ints = values.to_numpy(dtype=np.int64, na_value=0)
        wide = np.abs(ints) >= EXCEL_EXACT_INT
        text = pa.array(ints).cast(pa.large_string())
        return _Cells(_where(text, present & ~wide), _where(text, present & wide))

    return cells


def _yuan_of_fen_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    def cells(block: pd.DataFrame) -> _Cells:
        values = block[name]
        present = values.notna().to_numpy(dtype=bool)
        fen = values.to_numpy(dtype=np.int64, na_value=0)
        text = _yuan_text(fen)
        wide = np.abs(fen) >= EXCEL_EXACT_INT
        return _Cells(_where(text, present & ~wide), _where(text, present & wide))

    return cells


def _yuan_text(fen: np.ndarray) -> pa.Array:
    """Integer fen as exact decimal yuan text (``-1234.05``), by integer division."""
    magnitude = np.abs(fen)
    whole = pa.array(magnitude // 100).cast(pa.large_string())
    cents = pc.utf8_lpad(pa.array(magnitude % 100).cast(pa.large_string()), 2, "0")
    sign = pc.if_else(pa.array(fen < 0), "-", "")
    return _join(sign, whole, ".", cents, "")


def _yuan_given_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    """Yuan as the input wrote them: a number where readable, the text as given else."""

    def cells(block: pd.DataFrame) -> _Cells:
        given = TextColumn.of(block[name]).array
        fen, ok = parse_yuan_column(block[name])
        number = ok & (np.abs(fen) < EXCEL_EXACT_INT)
        return _Cells(_where(_yuan_text(fen), number), _where(given, ~number))

    return cells


def _date_cells(name: object, finest: pd.Series | None = None) -> Callable[[pd.DataFrame], _Cells]:
    """Dates as Excel serial days where readable, the value as given else.

    A datetime column's unreadable values (a time of day, a date before 1900-03-01) are
    written as pandas writes the whole column (``astype(str)``), whatever the block:
    pandas shows times, and to what fraction of a second, as the finest value needs, so
    the column's finest value (``finest``, :func:`_finest`) is written with them.
    """

    def cells(block: pd.DataFrame) -> _Cells:
        days, ok = parse_dates(block[name])
        serial = days + EXCEL_EPOCH_DAYS
        ok = ok & (serial >= EXCEL_FIRST_SAFE_SERIAL) & (serial <= EXCEL_LAST_SERIAL)
        values = block[name]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):  # a time of day, say
            shown = np.full(len(values), None, dtype=object)
            where = np.flatnonzero(~ok & values.notna().to_numpy(dtype=bool))
            if len(where):
                given = values.iloc[where]
                text = pd.concat([given, finest]) if finest is not None else given
                shown[where] = text.astype(str).to_numpy(dtype=object)[: len(where)]
            values = pd.Series(shown, index=values.index, dtype=object)
        given = TextColumn.of(values).array
        return _Cells(_where(pa.array(serial).cast(pa.large_string()), ok), _where(given, ~ok))

    return cells


def _label_cells(name: object, table: Mapping[str, Label]) -> Callable[[pd.DataFrame], _Cells]:
    codes = pa.array(list(table), type=pa.large_string())
    words = pa.array([table[c].zh for c in table], type=pa.large_string())

    def cells(block: pd.DataFrame) -> _Cells:
        given = TextColumn.of(block[name]).array
        found = pc.index_in(given, value_set=codes)
        return _Cells(None, pc.coalesce(pc.take(words, found), given))

    return cells


def _where(values: pa.Array, keep: np.ndarray) -> pa.Array:
    """``values`` (as ``large_string``) with the rows not in ``keep`` null."""
    return masked(values, keep)


def _whole(values: pd.Series) -> bool:
    """A float column of whole numbers below 2**53 (fen a join turned into floats)."""
    if not pd.api.types.is_float_dtype(values.dtype):
        return False
    present = values.dropna().to_numpy(dtype=np.float64)
    return bool(np.all((np.mod(present, 1) == 0) & (np.abs(present) < 2.0**53)))


def _finest(values: pd.Series) -> pd.Series | None:
    """The value of a datetime column whose text needs the most of the time of day
    (none, seconds, milli-, micro-, nanoseconds), as a one-row Series; None when every
    value is a midnight."""
    present = values.dropna()
    since = (present - present.dt.normalize()).to_numpy(dtype="timedelta64[ns]")
    ns = since.astype(np.int64)
    need = (ns != 0).astype(np.int8) + (ns % 10**9 != 0) + (ns % 10**6 != 0) + (ns % 1000 != 0)
    if not len(need) or need.max() == 0:
        return None
    return present.iloc[[int(np.argmax(need))]]


def _columns(rows: pd.DataFrame) -> list[_Column]:
    """The output columns of a rows sheet: the input's, typed; yuan beside fen; labels
    beside codes."""
    out = []
    for name, values in rows.items():
        en = _english(name)
        zh = _chinese(en)
        dtype = values.dtype
        if en in _DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(dtype):
            finest = _finest(values) if pd.api.types.is_datetime64_any_dtype(dtype) else None
            out.append(_Column(zh, en, "date", _date_cells(name, finest), sample=False))
        elif pd.api.types.is_bool_dtype(dtype):
            out.append(_Column(zh, en, "text", _text_cells(name)))
        elif pd.api.types.is_integer_dtype(dtype) or (en.endswith("_fen") and _whole(values)):
            fen = en.endswith("_fen")
            out.append(_Column(zh, en, "fen" if fen else "int", _int_cells(name)))
            if fen:
                yuan_zh = zh.replace("（分）", "（元）") if "（分）" in zh else f"{zh}（元）"
                out.append(
                    _Column(yuan_zh, en[: -len("_fen")] + "_yuan", "yuan",
                            _yuan_of_fen_cells(name))
                )  # fmt: skip
        elif en in _YUAN_TEXT_COLUMNS:
            out.append(_Column(zh, en, "yuan", _yuan_given_cells(name)))
        else:
            # a categorical column's cells are rendered once per category
            coded = name if isinstance(dtype, pd.CategoricalDtype) else None
            out.append(_Column(zh, en, "text", _text_cells(name), coded=coded))
            if en in LABELLED_COLUMNS:
                out.append(
                    _Column(_LABEL_HEADERS[en], f"{en}_zh", "text",
                            _label_cells(name, LABELLED_COLUMNS[en]), coded=coded)
                )  # fmt: skip
    return out


_EDGE_SPACE = np.isin(np.arange(256), [9, 10, 12, 13, 32])  # RE2's \s: tab, LF, FF, CR, space
_CONTROL_BYTES = np.isin(np.arange(256), [*range(0, 9), *range(11, 32)])  # as _CONTROL


def _escaped(text: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Text as XML character data the way Excel and XlsxWriter write it, and whether
    each row needs ``xml:space="preserve"`` (None: no row does).

    Notes
    -----
    One count of the column's bytes says which escapes can apply; most columns (ids,
    amounts, codes) need none, and no kernel runs over them. A value begins or ends
    with white space (``^\\s|\\s$`` in RE2's terms) when its first or last byte is one.
    """
    text = contiguous(text)
    if not len(text):
        return text, None
    if int(lengths(text).max()) > 32_767 and (pc.max(pc.utf8_length(text)).as_py() or 0) > 32_767:
        text = contiguous(pc.utf8_slice_codeunits(text, 0, 32_767))  # Excel's limit for a cell
    raw = used(text)
    counts = np.bincount(raw, minlength=256)
    if counts[ord("_")] and bool(np.any((raw[:-1] == ord("_")) & (raw[1:] == ord("x")))):
        # Excel's own escapes, written literally, are escaped
        text = pc.replace_substring_regex(text, "(_x[0-9a-fA-F]{4}_)", "_x005F\\1")
    if counts[_CONTROL_BYTES].any():
        control = pc.match_substring_regex(text, _CONTROL)
        if pc.any(control).as_py():  # rare: escaped one value at a time
            values = text.to_pylist()
            for k in np.flatnonzero(control.to_numpy(zero_copy_only=False)):
                values[k] = re.sub(_CONTROL, lambda m: f"_x{ord(m.group()):04X}_", values[k])
            text = pa.array(values, type=pa.large_string())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if counts[ord(char)]:
            text = pc.replace_substring(text, char, entity)
    text = contiguous(text)
    ends, body = offsets(text), data(text)
    filled = np.flatnonzero(ends[1:] > ends[:-1])
    edge = np.zeros(len(text), dtype=bool)
    edge[filled] = _EDGE_SPACE[body[ends[filled]]] | _EDGE_SPACE[body[ends[filled + 1] - 1]]
    return text, (pa.array(edge) if edge.any() else None)


def _tails(found: _Cells, style: int) -> pa.Array | None:
    """Each cell's XML after its reference (``"`` and on), null where the cell is blank;
    None when every cell is."""
    attr = f' s="{style}"' if style else ""
    tails = []
    if found.number is not None and found.number.null_count < len(found.number):
        tails.append(_join(f'"{attr}><v>', found.number, "</v></c>", ""))
    if found.text is not None:
        text = contiguous(found.text)
        text = masked(text, lengths(text) > 0)  # an empty text is a blank cell
        if text.null_count < len(text):
            text, preserve = _escaped(text)
            open_t: Any = "<t>"
            if preserve is not None:
                open_t = pc.if_else(preserve, '<t xml:space="preserve">', "<t>")
            tails.append(_join(f'"{attr} t="inlineStr"><is>', open_t, text, "</t></is></c>", ""))
    if not tails:
        return None
    return tails[0] if len(tails) == 1 else pc.coalesce(*tails)


def _column_tails(column: _Column, block: pd.DataFrame, style: int) -> pa.Array | None:
    """:func:`_tails` of a column; a categorical column's rendered once per category."""
    if column.coded is None:
        return _tails(column.cells(block), style)
    values = block[column.coded]
    dtype = values.dtype
    categories = pd.Categorical.from_codes(np.arange(len(dtype.categories)), dtype=dtype)
    once = _tails(column.cells(pd.DataFrame({column.coded: categories})), style)
    codes = values.cat.codes.to_numpy()
    if once is None or not len(codes):
        return None
    return pc.take(once, pa.array(codes, mask=codes < 0))


def _xml_rows(columns: list[_Column], block: pd.DataFrame, first_row: int,
              styles: Mapping[str, int]) -> pa.Array:  # fmt: skip
    """The ``<row>`` elements of one block, as XlsxWriter writes them."""
    numbers = pa.array(np.arange(first_row + 1, first_row + 1 + len(block))).cast(pa.large_string())
    parts: list[Any] = ['<row r="', numbers, '">']
    for k, column in enumerate(columns):
        tail = _column_tails(column, block, styles[column.style])
        if tail is None:
            continue
        ref = f'<c r="{xl_col_to_name(k)}'
        if tail.null_count:  # blank cells are left out, reference and all
            parts.append(_join(ref, numbers, tail, ""))
        else:
            parts += [ref, numbers, tail]
    parts.append("</row>")
    typed = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*typed, pa.scalar("", pa.large_string()),
                                       null_handling="replace")  # fmt: skip


def _width(text: pa.Array) -> int:
    """Display width of the widest value: characters, CJK counted twice."""
    if not len(text) or text.null_count == len(text):
        return 0
    chars = pc.utf8_length(text)
    wide = pc.divide(pc.subtract(pc.binary_length(text), chars), 2)
    return int(pc.max(pc.add(chars, wide)).as_py() or 0)


def _widths(columns: list[_Column], sample: pd.DataFrame) -> list[float]:
    out = []
    for column in columns:
        header = max(_width(pa.array([column.zh])), _width(pa.array([column.en])))
        values = 10 if column.style == "date" else 0
        if column.sample and len(sample):
            found = column.cells(sample)
            for part in (found.number, found.text):
                if part is not None:
                    values = max(values, _width(part) + (4 if column.style == "yuan" else 0))
        out.append(float(min(max(header, values, 6) + 2, 60)))
    return out


def _yuan_number(fen: int) -> float:
    """The double nearest to ``fen / 100`` yuan (exact decimal, then one conversion)."""
    return float(Decimal(fen).scaleb(-2))
