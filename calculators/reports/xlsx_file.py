"""Workbooks to hand over: a summary sheet (Chinese label, English key, value, yuan),
the rows under Chinese and English header rows with yuan amounts as numbers beside the
integer fen, dates as dates, Chinese labels beside the codes and a totals row equal to
the summary; the invalid rows again; the sources of the policy figures in the notices'
words; the codes and their labels. Money stays integer fen."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
import xlsxwriter.exceptions

from .._i18n import _, language
from .._money import exact_sum, fen_to_yuan, yuan_to_fen
from ..engine.labels import AUDIT_CLASS_LABELS, REASON_LABELS, STATUS_LABELS
from ..engine.result import percent_text
from ..policy.checks import shown_in_percent
from .base import _progress
from .labels import NOTES, _summary_label
from .xlsx_cells import EXCEL_EXACT_INT, _Column, _columns, _widths, _yuan_number
from .xlsx_stream import _MARKER, _PendingRows, _splice_rows

EXCEL_MAX_ROWS = 1_048_576 - 3
"""Rows of a rows sheet: Excel's 1,048,576 less two header rows and the totals row."""
WIDTH_SAMPLE_ROWS = 1 << 16
"""Rows whose values decide the column widths (the first ones)."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YUAN_TEXT = re.compile(r"^-?\d{1,3}(?:,\d{3})*\.\d{2}$")


def _sum_fen(values: pd.Series) -> int:
    return exact_sum(values.to_numpy(dtype=np.int64, na_value=0))


def totals(summary: Mapping[str, Any], rows: pd.DataFrame) -> tuple[str, dict[str, int]]:
    """The totals row of a rows sheet: its label and, per fen column, the exact sum over
    the rows the summary counts.

    Notes
    -----
    Claims: the eligible loans (``eligible_principal_fen``, ``entitlement_fen``).
    Audits: every row but invalid submitted ones (``submitted_fen``, ``recomputed_fen``
    and the differences). NPL checks: the valid rows (the sums of ``by_industry``).
    """
    if "class" in rows.columns:
        keep = rows["class"] != "invalid"  # on the codes of a categorical
        title = "合计(不含无效申报行) Total, invalid submitted rows left out"
        names: tuple[str, ...] = ("claimed_fen", "recomputed_fen", "difference_fen",
                                  "overclaimed_fen", "underclaimed_fen")  # fmt: skip
    elif "npl_balance_fen" in rows.columns:
        keep = rows["status"] != "invalid"
        title = "合计(有效行) Total of the valid rows"
        names = ("loan_balance_fen", "npl_balance_fen")
    elif "entitlement_fen" in rows.columns:
        keep = rows["status"] == "eligible"
        title = "合计(符合条件) Total of the eligible loans"
        names = ("principal_fen", "entitlement_fen")
    else:
        return "", {}
    kept = rows[keep.to_numpy(dtype=bool)]
    return title, {n: _sum_fen(kept[n]) for n in names if n in rows.columns}


FIXED_CREATED = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""The creation time every workbook relend writes records (see :func:`write_workbook`)."""


def write_workbook(
    summary: Mapping[str, Any],
    rows: pd.DataFrame,
    path: Path,
    rows_sheet: str,
    progress: bool = False,
) -> None:
    """Write a workbook to hand over: summary, rows (split over sheets past Excel's row
    limit), the invalid rows, the policy sources and the codes' labels.

    Parameters
    ----------
    summary : Mapping
        The summary of the run (as in ``summary.json``): the summary sheet, the totals
        row's kind and the sources sheet come from it.
    rows : pandas.DataFrame
        Every output row (per loan, per audited loan, per NPL unit), in order.
    path : Path
        The file to write.
    rows_sheet : str
        The name of the first sheet of rows (``loans 贷款``).
    progress : bool, default False
        Show a progress bar on stderr once the write has taken two seconds.

    Notes
    -----
    Amounts: each integer fen column is followed by its yuan, a number computed from
    the fen by integer division and written as its exact decimal text (Excel reads it
    to the nearest double, shown exactly by ``#,##0.00`` below 10^15 fen); fen of
    10^15 or more are written as text. Dates are date cells where relend could read
    them, the value as given else. Both header rows (Chinese, English) and the first
    column stay in view; the last row of the rows is the totals row (:func:`totals`).
    Excel holds 1,048,576 rows a sheet; longer outputs continue on sheets named
    ``<rows_sheet> 2``, ``3``, ... so that no row is left out.

    The workbook is written by XlsxWriter in constant-memory mode, each rows sheet with
    a marker where its rows go; then the rows are rendered as sheet XML by Arrow's
    string kernels and compressed, a block of 65,536 rows per thread, and the package is
    written again with them spliced in at the markers (:func:`_splice_rows`; see
    ``benchmarks/README.md``). That leans on a few of XlsxWriter's internals (the
    sheet's row file ``fh``, ``_write_single_row``, ``_check_dimensions``,
    ``previous_row``, a format's ``_get_xf_index``), hence the pin to XlsxWriter 3; a
    test checks that the rendered rows are the XML XlsxWriter itself writes for the
    same cells, another compares every cell with a workbook of the earlier writer.
    """
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,  # a cell such as "=1+1" stays text
            "strings_to_urls": False,
            # ZIP64 only where a sheet may pass 4 GiB (about 50 bytes of XML a cell):
            # some older readers warn about it
            "use_zip64": len(rows) * (len(rows.columns) + 4) * 64 > 3_500_000_000,
        },
    )
    # the same inputs give the same bytes (and SHA-256 in summary.json): the package's
    # creation time is fixed, as XlsxWriter fixes its entries' times
    book.set_properties({"created": FIXED_CREATED})
    try:
        styles, formats = _styles(book)
        _summary_sheet(book, formats, summary)
        columns = _columns(rows)
        widths = _widths(columns, rows.iloc[:WIDTH_SAMPLE_ROWS])
        label, sums = totals(summary, rows)
        per_sheet = EXCEL_MAX_ROWS
        pending: list[_PendingRows] = []
        with _progress(len(rows), path, progress) as bar:
            starts = range(0, max(len(rows), 1), per_sheet)
            for part, start in enumerate(starts):
                name = rows_sheet if part == 0 else f"{rows_sheet} {part + 1}"
                chunk = rows.iloc[start : start + per_sheet]
                last = part == len(starts) - 1
                _rows_sheet(book, name, columns, widths, chunk, styles, formats,
                            (label, sums) if last else None, bar, pending)  # fmt: skip
            _invalid_sheets(book, columns, widths, rows, styles, formats, bar, pending)
            _sources_sheet(book, formats, summary)
            _codes_sheet(book, formats)
            book.close()
            _splice_rows(path, pending, book.allow_zip64, bar)
    except xlsxwriter.exceptions.FileCreateError as exc:
        _abandon(book)
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, OSError):
            raise cause from None
        raise OSError(str(cause)) from None
    except BaseException:
        _abandon(book)
        raise


def _styles(book: Any) -> tuple[dict[str, int], dict[str, Any]]:
    formats = {
        "text": None,
        "int": book.add_format({"num_format": "0"}),
        "fen": book.add_format({"num_format": "0"}),
        "yuan": book.add_format({"num_format": "#,##0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1}
        ),
        "total": book.add_format({"bold": True, "top": 1}),
        "total_fen": book.add_format({"bold": True, "top": 1, "num_format": "0"}),
        "total_yuan": book.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    # the style numbers the rendered cells refer to (XlsxWriter numbers a format on use)
    styles = {k: (f._get_xf_index() if f is not None else 0) for k, f in formats.items()}
    return styles, formats


def _rows_sheet(
    book: Any,
    name: str,
    columns: list[_Column],
    widths: list[float],
    rows: pd.DataFrame,
    styles: Mapping[str, int],
    formats: Mapping[str, Any],
    total: tuple[str, dict[str, int]] | None,
    bar: Any,
    pending: list[_PendingRows],
) -> None:
    sheet = book.add_worksheet(name)
    for k, width in enumerate(widths):
        sheet.set_column(k, k, width, formats[columns[k].style])
    for header in (0, 1):  # constant-memory mode: row by row
        for k, column in enumerate(columns):
            sheet.write_string(header, k, (column.zh, column.en)[header], formats["header"])
    sheet.freeze_panes(2, 1)
    sheet.repeat_rows(0, 1)  # printed: both header rows on every page, landscape,
    sheet.set_landscape()  # as wide as one page
    sheet.fit_to_pages(1, 0)
    first = 2
    if len(rows):
        # the header rows go out first; then, in the sheet's row stream, a marker where
        # the rows will be spliced in once XlsxWriter has written the package
        sheet._write_single_row(first)
        job = _PendingRows(_MARKER % len(pending), columns, rows, first, styles)
        sheet.fh.write(job.marker.decode("ascii"))
        pending.append(job)
        last = first + len(rows) - 1
        sheet._check_dimensions(last, len(columns) - 1)
        sheet.previous_row = last
    end = first + len(rows)
    if columns:
        sheet.autofilter(1, 0, max(end - 1, 1), len(columns) - 1)
    if total is None or not total[0]:  # rows of no known kind have no totals
        return
    label, sums = total
    sheet.write_string(end, 0, label, formats["total"])
    for k, column in enumerate(columns):
        fen_name = column.en[: -len("_yuan")] + "_fen" if column.style == "yuan" else column.en
        if fen_name not in sums or column.style not in ("fen", "yuan"):
            continue
        fen = sums[fen_name]
        if abs(fen) >= EXCEL_EXACT_INT:
            text = str(fen) if column.style == "fen" else fen_to_yuan(fen)
            sheet.write_string(end, k, text, formats["total"])
        elif column.style == "fen":
            sheet.write_number(end, k, fen, formats["total_fen"])
        else:
            sheet.write_number(end, k, _yuan_number(fen), formats["total_yuan"])


def _invalid_mask(rows: pd.DataFrame) -> np.ndarray | None:
    for name in ("class", "status"):
        if name in rows.columns:
            return (rows[name] == "invalid").to_numpy(dtype=bool)  # no text copy
    return None


def _invalid_sheets(
    book: Any,
    columns: list[_Column],
    widths: list[float],
    rows: pd.DataFrame,
    styles: Mapping[str, int],
    formats: Mapping[str, Any],
    bar: Any,
    pending: list[_PendingRows],
) -> None:
    """The invalid rows again, with their reason and detail, on sheets of their own."""
    mask = _invalid_mask(rows)
    if mask is None:
        return
    invalid = rows[mask]
    bar.extend(len(invalid))
    for part, start in enumerate(range(0, max(len(invalid), 1), EXCEL_MAX_ROWS)):
        name = "invalid 无效" if part == 0 else f"invalid 无效 {part + 1}"
        chunk = invalid.iloc[start : start + EXCEL_MAX_ROWS]
        _rows_sheet(book, name, columns, widths, chunk, styles, formats, None, bar, pending)


def _flat(summary: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Summary entries one per line: nested objects as dotted keys (``reasons.eligible``);
    per-row lists and the sources, which have sheets of their own, left out."""
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if key in ("sources", "sources_by_version", "units", "files"):
            continue
        if isinstance(value, Mapping):
            yield from _flat(value, f"{name}.")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for k, item in enumerate(value):
                yield from _flat(item, f"{name}[{k + 1}].")
        elif isinstance(value, list):
            yield name, ", ".join(str(v) for v in value)
        else:
            yield name, value


def _summary_sheet(book: Any, formats: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    sheet = book.add_worksheet("summary 汇总")
    for k, (zh, en) in enumerate((("项目", "item"), ("键", "key"), ("值", "value"),
                                  ("金额（元）", "yuan"), ("项目（英文）", "item"))):  # fmt: skip
        sheet.write_string(0, k, f"{zh} {en}", formats["header"])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 40, formats["wrap"])
    sheet.set_column(3, 3, 20)
    sheet.set_column(4, 4, 30)
    sheet.freeze_panes(1, 0)
    row = 1
    for key, value in _flat(summary):
        sheet.write_string(row, 0, _summary_label(key))
        sheet.write_string(row, 1, key)
        _summary_value(sheet, row, key, value, formats)
        sheet.write_string(row, 4, _summary_label(key, "en"))
        row += 1
    row += 1
    sheet.write_string(row, 0, "说明 notes", formats["header"])
    for note in NOTES:
        row += 1
        sheet.write_string(row, 2, note, formats["wrap"])


def _summary_value(sheet: Any, row: int, key: str, value: Any, formats: Mapping[str, Any]) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, 2, value)
    elif isinstance(value, int):
        if abs(value) >= EXCEL_EXACT_INT:
            sheet.write_string(row, 2, str(value))
        else:
            sheet.write_number(row, 2, value, formats["fen" if key.endswith("_fen") else "int"])
        if key.endswith("_fen"):
            if abs(value) >= EXCEL_EXACT_INT:
                sheet.write_string(row, 3, fen_to_yuan(value))
            else:
                sheet.write_number(row, 3, _yuan_number(value), formats["yuan"])
    elif isinstance(value, str) and key.endswith("_yuan") and _YUAN_TEXT.match(value):
        fen = yuan_to_fen(value)
        if abs(fen) < EXCEL_EXACT_INT:
            sheet.write_number(row, 2, _yuan_number(fen), formats["yuan"])
        else:
            sheet.write_string(row, 2, value)
    elif isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            sheet.write_string(row, 2, value)
        else:
            sheet.write_datetime(row, 2, dt.datetime(day.year, day.month, day.day),
                                 formats["date"])  # fmt: skip
    else:
        sheet.write_string(row, 2, str(value), formats["wrap"])


def _claim_of(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    """The claim's summary: the summary itself, or an audit's ``claim``."""
    claim = summary.get("claim")
    return claim if isinstance(claim, Mapping) else summary


def _sources(summary: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """(policy version, its figures' sources, its figures' values) for every version the
    claim applied: ``sources_by_version``, else the one version's ``sources``."""
    claim = _claim_of(summary)
    values = {
        v.get("version"): v for v in claim.get("policy_versions", []) if isinstance(v, Mapping)
    }
    by_version = claim.get("sources_by_version")
    if isinstance(by_version, Mapping) and by_version:
        return [(str(v), s, values.get(v, {})) for v, s in by_version.items()]
    if isinstance(claim.get("sources"), Mapping):
        return [(str(claim.get("policy", "")), claim["sources"], claim)]
    return []


def _sources_sheet(book: Any, formats: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    """Each figure applied, its value where the summary gives it, and its source in the
    notice's words (title, clause, quoted text), or why it is an assumption; one block
    per policy version applied."""
    sheet = book.add_worksheet("sources 依据")
    heads = (("政策参数", "figure"), ("值", "value"), ("出处(通知名称、条款)", "source"),
             ("是否假设", "assumption"), ("假设理由", "why"), ("政策版本", "version"))  # fmt: skip
    for header in (0, 1):
        for k, words in enumerate(heads):
            sheet.write_string(header, k, words[header], formats["header"])
    for k, width in enumerate((20, 12, 80, 10, 60, 16)):
        sheet.set_column(k, k, width, formats["wrap"] if width >= 60 else None)
    sheet.freeze_panes(2, 1)
    row = 2
    for version, sources, values in _sources(summary):
        for figure, entry in sources.items():
            entry = entry if isinstance(entry, Mapping) else {"source": str(entry)}
            sheet.write_string(row, 0, str(figure))
            value = entry.get("value", values.get(figure))
            if value is not None:
                sheet.write_string(row, 1, _figure_value(str(figure), value))
            sheet.write_string(row, 2, str(entry.get("source", "")), formats["wrap"])
            sheet.write_string(row, 3, "是 yes" if entry.get("assumption") else "否 no")
            if entry.get("why"):
                sheet.write_string(row, 4, str(entry["why"]), formats["wrap"])
            sheet.write_string(row, 5, version)
            row += 1
    if isinstance(summary.get("source"), str):  # the NPL check cites its articles at once
        sheet.write_string(row, 0, "source")
        sheet.write_string(row, 2, summary["source"], formats["wrap"])
        sheet.write_string(row, 3, "否 no")
        row += 1
    for group, terms in (summary.get("relief_terms") or {}).items():
        for term, words in terms.items():
            sheet.write_string(row, 0, f"{group}.{term}")
            sheet.write_string(row, 2, str(words), formats["wrap"])
            sheet.write_string(row, 3, "否 no")
            row += 1


def _figure_value(figure: str, value: Any) -> str:
    """A policy figure's value as a person reads it: ratios and rates as percentages
    (60%, 1.75% from 2022-04-01), lists joined, in the run's language."""
    zh = language() == "zh"
    if isinstance(value, list):
        return ("、" if zh else ", ").join(_figure_value(figure, v) for v in value)
    if isinstance(value, Mapping) and "rate" in value:
        rate = percent_text(value["rate"])
        start = value.get("from", "")
        return f"{rate}（自 {start} 起）" if zh else f"{rate} from {start}"
    if shown_in_percent(figure) and isinstance(value, str):
        return percent_text(value)
    if figure == "cadence" and value in ("quarterly", "monthly"):
        return _("quarterly") if value == "quarterly" else _("monthly")
    return str(value)


def _codes_sheet(book: Any, formats: Mapping[str, Any]) -> None:
    """Every status, reason code and audit class with its Chinese and English label."""
    sheet = book.add_worksheet("codes 代码")
    for k, head in enumerate(("类别 kind", "代码 code", "中文", "English")):
        sheet.write_string(0, k, head, formats["header"])
    for k, width in enumerate((14, 34, 30, 40)):
        sheet.set_column(k, k, width)
    sheet.freeze_panes(1, 0)
    row = 1
    for kind, table in (("status", STATUS_LABELS), ("reason", REASON_LABELS),
                        ("class", AUDIT_CLASS_LABELS)):  # fmt: skip
        for code, words in table.items():
            for k, text in enumerate((kind, code, words.zh, words.en)):
                sheet.write_string(row, k, text)
            row += 1


def _abandon(book: Any) -> None:
    """Remove the scratch files of a workbook that will not be closed.

    In constant-memory mode each sheet streams its rows into a temporary file of
    XlsxWriter's own, removed only when the book is closed.
    """
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        with contextlib.suppress(Exception):
            if handle is not None:
                handle.close()
        name = getattr(sheet, "row_data_filename", None)
        if name:
            with contextlib.suppress(OSError):
                os.unlink(name)
