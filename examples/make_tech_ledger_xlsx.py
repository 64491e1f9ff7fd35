"""Write ``tech_ledger.xlsx``: the rows of ``tech_ledger.csv`` as a bank's Excel export.

The workbook is laid out as exports from core banking systems often are: a notes sheet
first, then the ledger on its own sheet (贷款台账) under a title row and an empty row,
amounts as number cells (a cell that is not an exact amount kept as typed), dates as
date cells, ids as text (an 18-digit number would lose digits), and a 合计 row below
the data. ``relend claim tech examples/tech_ledger.xlsx --sheet 贷款台账 ...`` gives the
claim of the CSV. Rerun with ``python examples/make_tech_ledger_xlsx.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
EXACT_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$")


def main() -> None:
    with (HERE / "tech_ledger.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    book = xlsxwriter.Workbook(HERE / "tech_ledger.xlsx")
    book.set_properties({"created": dt.datetime(2022, 7, 1)})  # the same bytes each run
    notes = book.add_worksheet("说明")
    notes.write(0, 0, "科技创新再贷款 2022年第二季度 贷款台账（示例，数据为虚构）")
    sheet = book.add_worksheet("贷款台账")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write(0, 0, "中国工商银行 科技创新再贷款台账（2022年第二季度）", bold)
    sheet.write_row(2, 0, header, bold)
    total = Decimal(0)
    for i, row in enumerate(rows, start=3):
        for j, cell in enumerate(row):
            name = header[j]
            if name == "贷款金额" and EXACT_AMOUNT.match(cell):
                amount = Decimal(cell.replace(",", ""))
                total += amount
                sheet.write_number(i, j, float(amount), money)
            elif name in ("发放日期", "到期日期"):
                sheet.write_datetime(i, j, dt.datetime.fromisoformat(cell), day)
            else:
                sheet.write_string(i, j, cell)
    last = 3 + len(rows)
    sheet.write_string(last, 0, "合计")
    sheet.write_number(last, header.index("贷款金额"), float(total), money)
    sheet.freeze_panes(3, 0)
    book.close()


if __name__ == "__main__":
    main()
