"""Time the writers of ``--out``: the workbook and the rows CSV, old against new.

Usage: ``python benchmarks/bench_workbook.py [ROWS ...]`` (default 1,000,000).

On the per-loan output of a tech claim over a synthetic ledger (``generate.py``), in
one process and on the same frame:

- workbook: the openpyxl writer relend used before (write-only mode, one ``append``
  per row; kept here, and only here, for the comparison) against
  ``calculators.reports.xlsx_file.write_workbook`` (XlsxWriter in constant-memory mode for the
  sheets around the rows; the rows rendered as sheet XML by Arrow's string kernels and
  deflated on a thread per core, then spliced into the package);
- CSV: pandas' ``to_csv(index=False, encoding="utf-8-sig")``, which relend used
  before, against ``calculators.reports.csv_file.write_csv``, and, for reference,
  ``pyarrow.csv.write_csv`` with ``quoting_style="needed"`` (which quotes every text
  cell, so it is not the same file). The old and the new CSV are compared byte for
  byte.

Each writer runs once per size (the old workbook writer takes minutes at 1M rows);
the figures go to ``benchmarks/README.md``.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from generate import ledger
from openpyxl import Workbook

from calculators.programs import tech as tech_relending
from calculators.reports.csv_file import write_csv
from calculators.reports.labels import CHINESE_HEADERS, SUMMARY_LABELS, _english
from calculators.reports.xlsx_file import EXCEL_MAX_ROWS, write_workbook

# -- the openpyxl writer relend used before (calculators/reports/folder.py up to this change) --


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _python_columns(frame: pd.DataFrame) -> list[list[Any]]:
    out = []
    for _, column in frame.items():
        values = column.astype(object)
        out.append(values.where(column.notna(), None).tolist())
    return out


def old_write_workbook(
    summary: Mapping[str, Any], rows: pd.DataFrame, path: Path, rows_sheet: str
) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("summary 汇总")
    sheet.append(["项目", "key", "value"])
    for key, value in summary.items():
        sheet.append([SUMMARY_LABELS.get(key, ""), key, _cell(value)])
    headers_en = [_english(c) for c in rows.columns]
    headers_zh = [CHINESE_HEADERS.get(h, h) for h in headers_en]
    for part, start in enumerate(range(0, max(len(rows), 1), EXCEL_MAX_ROWS)):
        name = rows_sheet if part == 0 else f"{rows_sheet} {part + 1}"
        sheet = book.create_sheet(name)
        sheet.append(headers_zh)
        sheet.append(headers_en)
        block = _python_columns(rows.iloc[start : start + EXCEL_MAX_ROWS])
        for record in zip(*block, strict=True):
            sheet.append(record)
    book.save(path)


# -- timing -----------------------------------------------------------------------------


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def arrow_write_csv(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with open(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        pacsv.write_csv(table, handle, pacsv.WriteOptions(quoting_style="needed"))


def run(rows: int, folder: Path) -> None:
    frame, eligible = ledger(rows)
    result = tech_relending.claim(frame, "2022Q2", "ICBC", eligible)
    loans, summary = result.loans, result.summary()
    print(f"{rows:,} rows, {len(loans.columns)} columns of per-loan output", flush=True)

    old_csv, new_csv, arrow_csv = folder / "old.csv", folder / "new.csv", folder / "arrow.csv"
    t_pandas = timed(lambda: loans.to_csv(old_csv, index=False, encoding="utf-8-sig"))
    t_new_csv = timed(lambda: write_csv(loans, new_csv))
    t_arrow = timed(lambda: arrow_write_csv(loans, arrow_csv))
    same = filecmp.cmp(old_csv, new_csv, shallow=False)
    print(
        f"  CSV   pandas to_csv {t_pandas:7.2f} s | relend write_csv {t_new_csv:6.2f} s "
        f"({t_pandas / t_new_csv:4.1f}x faster) | pyarrow write_csv {t_arrow:6.2f} s "
        f"(not the same file) | relend's file byte-identical to pandas': {same}",
        flush=True,
    )
    for name in (old_csv, new_csv, arrow_csv):
        name.unlink()

    old_book, new_book = folder / "old.xlsx", folder / "new.xlsx"
    t_new = timed(lambda: write_workbook(summary, loans, new_book, "loans 贷款"))
    print(f"  xlsx  relend (XlsxWriter, Arrow, threads) {t_new:7.2f} s", flush=True)
    t_old = timed(lambda: old_write_workbook(summary, loans, old_book, "loans 贷款"))
    print(
        f"  xlsx  openpyxl (before) {t_old:7.2f} s | relend {t_new:6.2f} s "
        f"({t_old / t_new:4.1f}x faster); sizes {old_book.stat().st_size / 2**20:.0f} MiB "
        f"and {new_book.stat().st_size / 2**20:.0f} MiB",
        flush=True,
    )
    for name in (old_book, new_book):
        with contextlib.suppress(OSError):
            name.unlink()


def main() -> None:
    sizes = [int(a.replace("_", "")) for a in sys.argv[1:]] or [1_000_000]
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            run(rows, Path(folder))


if __name__ == "__main__":
    main()
