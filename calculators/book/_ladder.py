"""The maturity ladder as files: ``schedule.csv`` and ``schedule.xlsx`` with a chart, written
into an ``--out`` folder by the same all-or-nothing transaction as a claim's reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from .._i18n import _, language
from .._money import fen_to_yuan
from ..reports.folder import WrittenOutputs, write_outputs
from ..reports.formats import file_name
from ..reports.xlsx_file import FIXED_CREATED

__all__ = ["LADDER_NAMES", "write_ladder"]

LADDER_NAMES = (file_name("csv", "schedule"), file_name("xlsx", "schedule"))
"""The files ``relend book schedule --out`` writes beside ``summary.json``."""

_HEADERS = {
    "month": ("月份", "month"),
    "principal_due_fen": ("应还本金（分）", "principal due (fen)"),
    "interest_due_fen": ("应付利息（分）", "interest due (fen)"),
    "total_due_fen": ("合计（分）", "total due (fen)"),
    "principal_due_yuan": ("应还本金（元）", "principal due (yuan)"),
    "interest_due_yuan": ("应付利息（元）", "interest due (yuan)"),
}


def _workbook(ladder: pd.DataFrame, summary: dict[str, Any], path: Path) -> None:
    """The ladder on one sheet (yuan as numbers beside the integer fen, Chinese and
    English headers) and a column chart of principal and interest due by month."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    book.set_properties({"created": FIXED_CREATED})
    bold = book.add_format({"bold": True})
    yuan = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet("到期分布 ladder")
    columns = list(_HEADERS)
    for k, name in enumerate(columns):
        zh, en = _HEADERS[name]
        sheet.write(0, k, zh, bold)
        sheet.write(1, k, en, bold)
    for r, row in enumerate(ladder.itertuples(index=False), start=2):
        sheet.write_string(r, 0, row.month)
        for k, name in enumerate(columns[1:4], start=1):
            sheet.write_number(r, k, int(getattr(row, name)))
        sheet.write_number(r, 4, int(row.principal_due_fen) / 100, yuan)
        sheet.write_number(r, 5, int(row.interest_due_fen) / 100, yuan)
    last = len(ladder) + 1
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 5, 18)
    sheet.freeze_panes(2, 1)
    if len(ladder):
        chart = book.add_chart({"type": "column", "subtype": "stacked"})
        for k, colour in ((4, "#8c1c13"), (5, "#e0a030")):
            chart.add_series(
                {
                    "name": ["到期分布 ladder", 0, k],
                    "categories": ["到期分布 ladder", 2, 0, last, 0],
                    "values": ["到期分布 ladder", 2, k, last, k],
                    "fill": {"color": colour},
                }
            )
        chart.set_title({"name": _("Principal and interest due by month (yuan)")})
        chart.set_y_axis({"num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(2, 7, chart, {"x_scale": 1.6, "y_scale": 1.4})
    info = book.add_worksheet("汇总 summary")
    for r, (key, value) in enumerate(summary.items()):
        info.write_string(r, 0, key)
        info.write_string(r, 1, str(value))
    book.close()


def write_ladder(
    ladder: pd.DataFrame, start: dt.date, end: dt.date, book: str, out: str | Path
) -> WrittenOutputs:
    """Write ``summary.json``, ``schedule.csv`` and ``schedule.xlsx`` into ``out``."""
    rows = ladder.copy()
    rows["principal_due_yuan"] = [fen_to_yuan(int(v)) for v in rows["principal_due_fen"]]
    rows["interest_due_yuan"] = [fen_to_yuan(int(v)) for v in rows["interest_due_fen"]]
    total = int(rows["total_due_fen"].sum()) if len(rows) else 0
    summary: dict[str, Any] = {
        "tool": "book schedule",
        "book": book,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "months": len(rows),
        "principal_due_fen": int(rows["principal_due_fen"].sum()) if len(rows) else 0,
        "interest_due_fen": int(rows["interest_due_fen"].sum()) if len(rows) else 0,
        "total_due_fen": total,
        "total_due_yuan": fen_to_yuan(total),
        "language": language(),
    }
    return write_outputs(
        summary,
        rows,
        out,
        csv_name="schedule.csv",
        xlsx_name="schedule.xlsx",
        rows_sheet="到期分布 ladder",
        workbook_writer=lambda path: _workbook(ladder, summary, path),
    )
