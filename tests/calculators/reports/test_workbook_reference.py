"""The workbook cell by cell against references written by the earlier writer.

``tests/golden/workbook_reference_*.xlsx`` were written by ``write_workbook`` as it was
before the rows were compressed on threads and spliced into the package (commit of this
file): XlsxWriter's own row stream, one block at a time. The writer of today must give
the person who opens the file the same workbook: every cell of the rows sheets (loans,
the invalid rows, the totals row) with the same value, type and number format, the same
sheets, frozen panes, filter and print titles, and the rows' sheet XML byte for byte
(the Chinese header row's words and the widths they give are left to the tests of the
labels). Each is also rewritten with blocks of a few rows, so that rows spread
over many blocks and threads come out once each and in order, in one valid deflate
stream whose CRC-32 and length the zip records.

To remake the references (only when the workbook is meant to change):
``python -m tests.calculators.reports.test_workbook_reference``.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from hypothesis import given
from hypothesis import strategies as st

from calculators.programs import tech as tech_relending
from calculators.reports import xlsx_file, xlsx_stream
from tests.paths import GOLDEN

ELIGIBLE_IDS = ["911101085011945813", "915101005446414621", "91420100102630063R"]


def _claim() -> tuple[dict, pd.DataFrame]:
    """The golden tech claim: eligible, excluded and invalid loans, yuan as given, dates."""
    ledger = pd.read_csv(GOLDEN / "tech_2022Q2_icbc.csv", dtype=str, keep_default_na=False)
    result = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE_IDS)
    return {**result.summary(), "version": "0"}, result.loans


def _cells() -> tuple[dict, pd.DataFrame]:
    """Every kind of cell the rows sheets hold, with the edge cases of each."""
    text = ["=1+1", "+86 10", "-5", "@SUM(A1)", "<a&b>", " lead", "trail ", "tab\there",
            "ctl\x01x", "_x0041_", "中文,\"q\"", "line\nfeed", "\u3000全角", "", None,
            "L001", "x" * 40]  # fmt: skip
    n = len(text)
    yuan = ["1,000.00", "abc", "-0.01", "99,999,999,999,999.99", "", "0.00", "12.5",
            "1,234,567,890,123.45", "1e3", None, "3", "-1,000.00", "7.00", "0.01",
            "10,000,000,000,000.00", "5,5", "8.88"]  # fmt: skip
    dates = ["2022-04-01", "2022/04/01", "1899-12-31", "1900-02-28", "1900-03-01",
             "9999-12-31", "2022-02-30", "", None, "20220401", "2022-4-1", "2022-06-30",
             "2022-12-31", "10000-01-01", "2022-04-01 ", "2022年4月1日", "2024-02-29"]  # fmt: skip
    fen = pd.array([0, None, 10**15, -(10**15) + 1, 10**15 - 1, -1, 1, 123_456_789_012_345,
                    None, 42, 100, -100, 5, 6, 7, 8, 9], dtype="Int64")  # fmt: skip
    status = pd.Categorical(
        ["eligible", "excluded", "invalid", "unknown_status", None, *["eligible"] * (n - 5)]
    )
    reason = pd.Categorical(
        ["eligible", "borrower_not_eligible", "invalid_principal", "made_up_reason", None,
         *["duplicate_loan_id"] * (n - 5)]
    )  # fmt: skip
    typed = pd.Series(pd.to_datetime(["2022-04-01", "2022-04-01 13:30", None, "1899-06-01",
                                      *["2023-01-15"] * (n - 4)], format="ISO8601"))  # fmt: skip
    frame = pd.DataFrame(
        {
            "loan_id": pd.array(text, dtype="str"),
            "principal": pd.array(yuan, dtype="str"),
            "disbursement_date": pd.array(dates, dtype="str"),
            "maturity_date": typed,
            "principal_fen": fen,
            "entitlement_fen": np.arange(n, dtype=np.int64) * 333 - 1000,
            "joined_fen": [1.0, np.nan, -2.0, 3.0, *[4.0] * (n - 4)],  # a join's floats
            "ratio": [0.5, np.nan, 1.25, -3.0, *[2.0] * (n - 4)],
            "count": pd.array(range(n), dtype="int32"),
            "flag": [True, False, True, False, *[True] * (n - 4)],
            "status": status,
            "reason": reason,
            "detail": pd.array(
                ["", "principal='abc'", None, "a&b<c>", *["x"] * (n - 4)], dtype="str"
            ),
        }
    )
    summary = {"tool": "tech", "entitlement_fen": 123, "deadline": "2022-07-11"}
    return summary, frame


CASES = {"claim": _claim, "cells": _cells}


def _reference(name: str) -> Path:
    return GOLDEN / f"workbook_reference_{name}.xlsx"


def _sheet_facts(sheet) -> dict:
    """What a person sees of a rows sheet besides the cells and the column widths (which
    follow the Chinese headers, whose words may change: :func:`_widths`)."""
    return {
        "freeze": sheet.freeze_panes,
        "filter": sheet.auto_filter.ref,
        "titles": sheet.print_title_rows,
        "landscape": sheet.page_setup.orientation,
        "dimensions": sheet.dimensions,
    }


def _widths(path: Path) -> dict[str, dict[str, float]]:
    book = openpyxl.load_workbook(path)
    return {
        name: {k: d.width for k, d in book[name].column_dimensions.items()}
        for name in _rows_sheets(book)
    }


def _cells_of(sheet) -> list[list[tuple]]:
    """Each cell's value, type, number format and boldness; of the Chinese header row
    (labels others may reword) all but the value."""
    return [
        [(c.value if k else None, c.data_type, c.number_format, bool(c.font.b)) for c in row]
        for k, row in enumerate(sheet.iter_rows())
    ]


def _rows_xml(path: Path) -> dict[str, bytes]:
    """The sheet XML of the rows sheets below their two header rows, as stored (the
    summary, sources and codes sheets are XlsxWriter's own, and their words may change)."""
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None  # every entry's CRC-32 and length
        found = {}
        for k, sheet in enumerate(names):
            xml = package.read(f"xl/worksheets/sheet{k + 1}.xml")
            if sheet in _rows_sheets_of(names) and b'<row r="3"' in xml:
                found[sheet] = xml[xml.index(b'<row r="3"') : xml.index(b"</sheetData>")]
        return found


def _rows_sheets(book) -> list[str]:
    return _rows_sheets_of(book.sheetnames)


def _rows_sheets_of(names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(("rows", "invalid"))]


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
@pytest.mark.parametrize("block_rows", [None, 3], ids=["default-blocks", "blocks-of-3"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_rows_sheets_are_the_reference_cell_by_cell(tmp_path, name, block_rows, deflate) -> None:
    summary, frame = CASES[name]()
    path = tmp_path / f"{name}.xlsx"
    module = pytest.importorskip("isal.isal_zlib") if deflate == "isal" else zlib
    with (
        mock.patch.object(xlsx_stream, "BLOCK_ROWS", block_rows or xlsx_stream.BLOCK_ROWS),
        mock.patch.object(xlsx_stream, "_deflate_module", lambda: module),
    ):
        xlsx_file.write_workbook(summary, frame, path, "rows 行")
    ours = openpyxl.load_workbook(path)
    theirs = openpyxl.load_workbook(_reference(name))
    assert ours.sheetnames == theirs.sheetnames
    assert _rows_sheets(ours) == ["rows 行", "invalid 无效"]
    for sheet in _rows_sheets(theirs):
        mine, ref = _cells_of(ours[sheet]), _cells_of(theirs[sheet])
        assert len(mine) == len(ref), sheet
        for k, (a, b) in enumerate(zip(mine, ref, strict=True)):
            assert a == b, (sheet, k + 1)
        assert _sheet_facts(ours[sheet]) == _sheet_facts(theirs[sheet]), sheet
    assert _rows_xml(path) == _rows_xml(_reference(name))
    if block_rows:  # the widths come from the first rows, whatever the blocks
        whole = tmp_path / "whole.xlsx"
        xlsx_file.write_workbook(summary, frame, whole, "rows 行")
        assert _widths(path) == _widths(whole)


def test_rows_in_zip64_entries_read_back_the_same(tmp_path) -> None:
    # a book XlsxWriter writes with ZIP64 (outputs that may pass 4 GiB) gets the rows'
    # entries with ZIP64 headers too: every reader must still find each cell
    summary, frame = _claim()
    path = tmp_path / "zip64.xlsx"
    splice = xlsx_stream._splice_rows
    with mock.patch.object(
        xlsx_file,
        "_splice_rows",
        lambda path, pending, zip64, bar: splice(path, pending, True, bar),
    ):
        xlsx_file.write_workbook(summary, frame, path, "rows 行")
    with zipfile.ZipFile(path) as package:
        offset = package.getinfo("xl/worksheets/sheet2.xml").header_offset
    local = path.read_bytes()[offset:]
    name, extra = struct.unpack("<HH", local[26:30])
    assert extra >= 20  # room for the sizes, 8 bytes each
    assert local[30 + name : 30 + name + 2] == b"\x01\x00"  # the ZIP64 extra field
    assert _rows_xml(path) == _rows_xml(_reference("claim"))
    ours, theirs = openpyxl.load_workbook(path), openpyxl.load_workbook(_reference("claim"))
    assert _cells_of(ours["rows 行"]) == _cells_of(theirs["rows 行"])
    calamine = python_calamine.CalamineWorkbook.from_path(str(path))
    assert len(calamine.get_sheet_by_name("rows 行").to_python()) == len(frame) + 3


@given(st.binary(max_size=300), st.binary(max_size=300), st.binary(max_size=300))
def test_crc32_of_blocks_combined_is_the_crc32_of_the_whole(a, b, c) -> None:
    # the sheet's CRC-32 in the zip is combined from its blocks' (zlib's own crc32 is
    # the oracle)
    whole = xlsx_stream._crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b))
    whole = xlsx_stream._crc32_combine(whole, zlib.crc32(c), len(c))
    assert whole == zlib.crc32(a + b + c)


def test_the_references_hold_every_kind_of_cell() -> None:
    # what the comparison stands on: numbers, text, dates, fen as text past 15 digits,
    # a formula-looking id kept as text, the totals row
    book = openpyxl.load_workbook(_reference("cells"))
    cells = [c for row in _cells_of(book["rows 行"])[2:] for c in row]
    kinds = {(type(v).__name__, t, f) for v, t, f, _ in cells if v is not None}
    assert ("str", "s", "General") in kinds
    assert ("int", "n", "0") in kinds and ("float", "n", "#,##0.00") in kinds
    assert ("datetime", "d", "yyyy-mm-dd") in kinds
    values = {v for v, *_ in cells}
    assert {"=1+1", "+86 10", "-5", "@SUM(A1)", "1000000000000000"} <= values
    assert dt.datetime(2022, 4, 1) in values
    claim = openpyxl.load_workbook(_reference("claim"))
    assert str(_cells_of(claim["rows 行"])[-1][0][0]).startswith("合计")


def main() -> None:
    for name, case in CASES.items():
        summary, frame = case()
        xlsx_file.write_workbook(summary, frame, _reference(name), "rows 行")


if __name__ == "__main__":
    main()
