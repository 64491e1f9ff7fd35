"""Workbooks to hand over and the rows CSV, read back independently.

Workbooks are read with openpyxl; the expected figures are worked out by hand in
``tests/golden/tech_2022Q2_icbc.expected.md`` (claim) and in the docstrings below
(audit, NPL), never by the writer. The CSV is compared with bytes written by hand and
with pandas' own ``to_csv``, which relend used before.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import warnings
import zipfile
from pathlib import Path
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import _progress
from calculators.cli import main
from calculators.cli import options as cli_options
from calculators.engine.codes import (
    BOOK_EXCLUSIONS,
    COMMON_EXCLUSIONS,
    INVALID_REASONS,
    REASON_ALIASES,
    reason_codes,
)
from calculators.engine.labels import AUDIT_CLASS_LABELS, REASON_LABELS, STATUS_LABELS
from calculators.engine.program import registered
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from calculators.reports import csv_file, xlsx_file
from calculators.tools import npl as npl_tolerance
from calculators.tools.audit import AUDIT_CLASSES
from calculators.tools.npl import NPL_REASONS
from tests.paths import GOLDEN, ROOT

TECH = GOLDEN / "tech_2022Q2_icbc.csv"
_COMMON = frozenset({"eligible", *COMMON_EXCLUSIONS, *INVALID_REASONS, *BOOK_EXCLUSIONS})
ELIGIBLE_IDS = ["911101085011945813", "915101005446414621", "91420100102630063R"]


@pytest.fixture
def eligible(tmp_path) -> str:
    path = tmp_path / "eligible.txt"
    path.write_text("\n".join(ELIGIBLE_IDS) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def claim_out(tmp_path, eligible, capsys) -> Path:
    out = tmp_path / "report"
    argv = ["claim", "tech", str(TECH), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", str(out)]  # fmt: skip
    assert main(argv) == 3
    capsys.readouterr()
    return out


def _table(sheet) -> tuple[list[str], list[str], list[list]]:
    """Chinese headers, English headers and the cells (openpyxl Cell objects) below."""
    rows = list(sheet.iter_rows())
    zh = [c.value for c in rows[0]]
    en = [c.value for c in rows[1]]
    return zh, en, [list(r) for r in rows[2:]]


def _ledger_ids() -> list[str]:
    frame = pd.read_csv(TECH, dtype=str, keep_default_na=False, encoding="utf-8")
    return list(frame["loan_id"])


# -- the claim workbook ----------------------------------------------------------------


def test_claim_workbook_sheets_headers_and_frozen_panes(claim_out) -> None:
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    assert book.sheetnames == ["summary 汇总", "loans 贷款", "invalid 无效", "sources 依据",
                               "codes 代码"]  # fmt: skip
    loans = book["loans 贷款"]
    assert loans.freeze_panes == "B3"  # both header rows and the loan id stay in view
    zh, en, _ = _table(loans)
    assert zh[:2] == ["借据号", "统一社会信用代码"] and en[:2] == ["loan_id", "borrower_id"]
    assert en[en.index("principal_fen") + 1] == "principal_yuan"
    assert zh[en.index("principal_yuan")] == "本金（元）"
    assert en[en.index("status") + 1] == "status_zh" and en[en.index("reason") + 1] == "reason_zh"
    assert loans.column_dimensions["A"].width >= 6
    assert book["summary 汇总"].freeze_panes == "A2"


def test_every_ledger_row_once_in_order_then_the_totals(claim_out) -> None:
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, _, cells = _table(book["loans 贷款"])
    ids = [row[0].value or "" for row in cells]
    assert ids[:-1] == _ledger_ids()  # 19 rows, T11 twice, the row without an id last
    assert ids[-1].startswith("合计")


def test_amounts_are_numbers_formatted_from_the_fen(claim_out) -> None:
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, en, cells = _table(book["loans 贷款"])
    by_id = {row[0].value: row for row in cells}
    col = {name: en.index(name) for name in en}
    # T02: 333.33 yuan = 33,333 fen; 0.6 x 33,333 = 19,999.8, floor + 1 leftover = 20,000
    t02 = by_id["T02"]
    assert t02[col["principal_fen"]].value == 33_333
    assert t02[col["principal_fen"]].number_format == "0"
    assert t02[col["principal_yuan"]].value == pytest.approx(333.33, abs=0)
    assert t02[col["principal_yuan"]].number_format == "#,##0.00"
    assert t02[col["entitlement_fen"]].value == 20_000
    assert t02[col["entitlement_yuan"]].value == 200
    # the principal as the bank wrote it: a number where it reads, the text where not
    assert by_id["T01"][col["principal"]].value == 1_000_000
    assert by_id["T01"][col["principal"]].number_format == "#,##0.00"
    assert by_id["T14"][col["principal"]].value == pytest.approx(12_345.67, abs=0)
    assert by_id["T09"][col["principal"]].value == "100.005"  # three decimals: invalid
    assert by_id["T09"][col["principal_fen"]].value is None
    assert by_id["T09"][col["principal_yuan"]].value is None


def test_dates_are_date_cells_and_unreadable_ones_stay_as_given(claim_out) -> None:
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, en, cells = _table(book["loans 贷款"])
    by_id = {row[0].value: row for row in cells}
    d, m = en.index("disbursement_date"), en.index("maturity_date")
    assert by_id["T01"][d].value == dt.datetime(2022, 4, 1)
    assert by_id["T01"][d].number_format == "yyyy-mm-dd"
    assert by_id["T14"][d].value == dt.datetime(2022, 5, 20)  # written 2022/05/20
    assert by_id["T14"][m].value == dt.datetime(2022, 11, 20)  # written 20221120
    assert by_id["T15"][d].value == dt.datetime(2022, 5, 21)  # written 2022年5月21日
    assert by_id["T16"][d].value == "2022-02-30"  # no 30 February: as given
    assert by_id["T17"][d].value is None  # empty in the ledger


def test_totals_row_equals_summary_json(claim_out) -> None:
    """expected.md: eligible principal 101,268,601 fen = 1,012,686.01 yuan; entitlement
    round_half_up(3/5 x 101,268,601) = 60,761,161 fen = 607,611.61 yuan."""
    summary = json.loads((claim_out / "summary.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, en, cells = _table(book["loans 贷款"])
    total = {name: cells[-1][k] for k, name in enumerate(en)}
    assert total["principal_fen"].value == 101_268_601 == summary["eligible_principal_fen"]
    assert total["entitlement_fen"].value == 60_761_161 == summary["entitlement_fen"]
    assert total["principal_yuan"].value == pytest.approx(1_012_686.01, abs=0)
    assert total["entitlement_yuan"].value == pytest.approx(607_611.61, abs=0)
    assert total["entitlement_yuan"].number_format == "#,##0.00"


def test_chinese_labels_beside_the_codes(claim_out) -> None:
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, en, cells = _table(book["loans 贷款"])
    by_id = {row[0].value: row for row in cells}
    s, r = en.index("status"), en.index("reason")
    assert [c.value for c in by_id["T01"][s : s + 2]] == ["eligible", "符合条件"]
    assert [c.value for c in by_id["T04"][r : r + 2]] == ["before_policy_start",
                                                           "发放日早于政策起始日"]  # fmt: skip
    assert [c.value for c in by_id["T11"][r : r + 2]] == ["duplicate_loan_id", "借据号重复"]
    assert [c.value for c in by_id["T06"][s : s + 2]] == ["excluded", "不符合条件"]


def test_invalid_sheet_has_exactly_the_invalid_rows(claim_out) -> None:
    """expected.md: 9 invalid rows, T08 T09 T10 T11 T11 T12 T16 T17 and the row without an id."""
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, en, cells = _table(book["invalid 无效"])
    assert [row[0].value or "" for row in cells] == ["T08", "T09", "T10", "T11", "T11", "T12",
                                                     "T16", "T17", ""]  # fmt: skip
    assert {row[en.index("status")].value for row in cells} == {"invalid"}
    loans = pd.read_csv(claim_out / "loans.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")  # fmt: skip
    if "detail" in loans.columns:  # every invalid row says what was wrong
        details = [row[en.index("detail")].value for row in cells]
        assert details == list(loans.loc[loans["status"] == "invalid", "detail"])


def test_invalid_sheet_carries_a_detail_column_when_the_rows_have_one(tmp_path) -> None:
    loans = tech_relending.claim(str(TECH), "2022Q2", "ICBC", ELIGIBLE_IDS).loans
    if "detail" not in loans.columns:  # rows of a claim without details: add some
        words = np.where(loans["status"].astype(str) == "invalid", "what was wrong", "")
        loans = loans.assign(detail=pd.array(words, dtype="str"))
    path = tmp_path / "claim.xlsx"
    xlsx_file.write_workbook({}, loans, path, "loans")
    zh, en, cells = _table(openpyxl.load_workbook(path)["invalid 无效"])
    assert zh[en.index("detail")] == "说明"
    expected = loans.loc[loans["status"].astype(str) == "invalid", "detail"]
    assert [row[en.index("detail")].value for row in cells] == list(expected)
    assert len(cells) == 9


def test_sources_sheet_lists_every_figure_in_the_notices_words(claim_out) -> None:
    summary = json.loads((claim_out / "summary.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    _, en, cells = _table(book["sources 依据"])
    assert en == ["figure", "value", "source", "assumption", "why", "version"]
    shown = {row[0].value: row for row in cells}
    assert set(shown) == set(summary["sources"])
    for figure, entry in summary["sources"].items():
        assert shown[figure][2].value == entry["source"]
        assert shown[figure][3].value == ("是 yes" if entry["assumption"] else "否 no")
        assert (shown[figure][4].value or None) == entry.get("why")
    assert "关于设立科技创新再贷款的通知" in shown["ratio"][2].value
    assert "贷款本金的 60%" in shown["ratio"][2].value
    assert shown["ratio"][1].value == "60%"  # every figure's value, as a person reads it
    assert shown["rates"][1].value.startswith("1.75% from 2022-04-01, 1.5% from 2025-05-07")
    assert all(row[1].value for row in cells)
    assert {row[5].value for row in cells} == {"tech-2022"}


def test_sources_of_both_versions_when_a_quarter_spans_two(tmp_path) -> None:
    # 2024Q2: tech-2022 until 2024-04-06, tech-2024 from 2024-04-07 (its successor)
    frame = pd.DataFrame({
        "loan_id": ["A", "B"], "borrower_id": [ELIGIBLE_IDS[0]] * 2,
        "principal": ["100.00", "200.00"], "disbursement_date": ["2024-04-01", "2024-05-01"],
        "maturity_date": ["2025-04-01", "2025-05-01"],
    })  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a provisional calendar year is beside the point
        summary = tech_relending.claim(frame, "2024Q2", "ICBC", ELIGIBLE_IDS[:1]).summary()
    path = tmp_path / "claim.xlsx"
    xlsx_file.write_workbook(summary, pd.DataFrame(), path, "loans")
    _, _, cells = _table(openpyxl.load_workbook(path)["sources 依据"])
    shown = {(row[5].value, row[0].value): row[2].value for row in cells}
    expected = {(version, figure): entry["source"]
                for version, sources in summary["sources_by_version"].items()
                for figure, entry in sources.items()}  # fmt: skip
    assert {v for v, _ in expected} == {"tech-2022", "tech-2024"}
    assert shown == expected


def test_summary_sheet_amounts_and_dates_are_typed(claim_out) -> None:
    book = openpyxl.load_workbook(claim_out / "claim.xlsx")
    rows = {r[1].value: r for r in book["summary 汇总"].iter_rows(min_row=2) if r[1].value}
    assert rows["entitlement_fen"][2].value == 60_761_161
    assert rows["entitlement_fen"][3].value == pytest.approx(607_611.61, abs=0)
    assert rows["entitlement_fen"][3].number_format == "#,##0.00"
    assert rows["entitlement_yuan"][2].value == pytest.approx(607_611.61, abs=0)
    assert rows["deadline"][2].value == dt.datetime(2022, 7, 11)  # 10 July 2022 a Sunday
    assert rows["reasons.duplicate_loan_id"][2].value == 2
    assert rows["reasons.duplicate_loan_id"][0].value == "借据号重复（笔数）"


def test_rows_split_over_sheets_each_row_once(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    argv = ["claim", "tech", str(TECH), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", str(out)]  # fmt: skip
    with (
        mock.patch.object(cli_options, "EXCEL_MAX_ROWS", 8),
        mock.patch.object(xlsx_file, "EXCEL_MAX_ROWS", 8),
    ):
        assert main(argv) == 3
    capsys.readouterr()
    book = openpyxl.load_workbook(out / "claim.xlsx")
    parts = [n for n in book.sheetnames if n.startswith("loans")]
    assert parts == ["loans 贷款", "loans 贷款 2", "loans 贷款 3"]  # 8 + 8 + 3 rows
    ids = []
    for name in parts:
        _, _, cells = _table(book[name])
        ids += [row[0].value or "" for row in cells]
        assert book[name].freeze_panes == "B3"
    assert ids[-1].startswith("合计")  # the totals close the last sheet only
    assert ids[:-1] == _ledger_ids()


# -- audit and NPL workbooks -------------------------------------------------------------


def test_audit_workbook_totals_equal_the_summary(tmp_path, eligible, capsys) -> None:
    """Submitted (tech_2022Q2_icbc.submitted.csv), usable rows in fen: T01 60,000,000,
    T02 19,999, T04 30,000,000, T14 740,740, T15 420, X99 100,000: 90,861,159; T06 'abc'
    is an invalid row, left out. Recomputed: 60,761,161 (expected.md). Net difference
    90,861,159 - 60,761,161 = 30,099,998."""
    out = tmp_path / "audit"
    submitted = str(GOLDEN / "tech_2022Q2_icbc.submitted.csv")
    argv = ["audit", "tech", str(TECH), "--submitted", submitted, "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", eligible, "--out", str(out),
            "--quiet"]  # fmt: skip
    assert main(argv) == 4
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(out / "audit.xlsx")
    _, en, cells = _table(book["audit 核对"])
    total = {name: cells[-1][k].value for k, name in enumerate(en)}
    assert total["claimed_fen"] == 90_861_159 == summary["submitted_fen"]
    assert total["recomputed_fen"] == 60_761_161 == summary["recomputed_fen"]
    assert total["difference_fen"] == 30_099_998 == summary["net_difference_fen"]
    assert total["claimed_yuan"] == pytest.approx(908_611.59, abs=0)
    by_id = {row[0].value: row for row in cells}
    assert by_id["X99"][en.index("class") + 1].value == "台账中无此贷款"
    assert by_id["T04"][en.index("class") + 1].value == "多报"
    # T06 is claimed only with an amount that cannot be read ('abc'): its ledger row
    # and its submitted row are both invalid, and nothing else is
    _, _, invalid = _table(book["invalid 无效"])
    assert [row[0].value for row in invalid] == ["T06", "T06"]
    assert {row[en.index("reason")].value for row in invalid} == {
        "borrower_not_eligible", "invalid_claimed_amount"}  # fmt: skip
    assert len(invalid) == summary["classes"]["invalid"]
    sources = {row[0].value for row in book["sources 依据"].iter_rows(min_row=3)}
    assert sources == set(summary["claim"]["sources"])


def test_npl_workbook_totals_and_labels(tmp_path, capsys) -> None:
    out = tmp_path / "npl"
    assert main(["npl", str(GOLDEN / "npl_boundaries.csv"), "--out", str(out), "--quiet"]) == 3
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(out / "npl.xlsx")
    _, en, cells = _table(book["npl 不良"])
    frame = pd.read_csv(GOLDEN / "npl_boundaries.csv", dtype=str, keep_default_na=False)
    assert [row[0].value for row in cells[:-1]] == list(frame["unit"])
    total = {name: cells[-1][k].value for k, name in enumerate(en)}
    assert total["loan_balance_fen"] == sum(i["loan_balance_fen"] for i in summary["by_industry"])
    assert total["npl_balance_fen"] == sum(i["npl_balance_fen"] for i in summary["by_industry"])
    first = cells[0]  # 喀什分行 住宿: 3.50% against 0.50 + 3.00, within
    assert first[en.index("loan_balance")].value == 10_000_000
    assert first[en.index("loan_balance")].number_format == "#,##0.00"
    assert [c.value for c in first[en.index("status") : en.index("status") + 2]] == [
        "within", "在容忍度内"]  # fmt: skip
    invalid = [row[0].value for row in _table(book["invalid 无效"])[2]]
    assert len(invalid) == summary["invalid"] > 0


# -- cells Excel must read back as written ------------------------------------------------


def test_text_cells_read_back_as_xlsxwriter_writes_them(tmp_path) -> None:
    # A formula-looking id stays text; markup, control characters, Excel's own _xHHHH_
    # escapes and edge spaces survive: compared with XlsxWriter's own write_string in
    # the same constant-memory mode (openpyxl shows the _xHHHH_ escapes as written;
    # Excel turns _x005F_ back into _).
    odd = ["=1+1", "<a&b>", " lead", "trail ", "tab\there", "ctl\x01x", "_x0041_", "中文,\"q\"",
           "line\nfeed", "+86"]  # fmt: skip
    frame = pd.DataFrame({"loan_id": pd.array(odd, dtype="str"),
                          "principal_fen": pd.array([1] * len(odd), dtype="Int64")})  # fmt: skip
    path = tmp_path / "odd.xlsx"
    xlsx_file.write_workbook({}, frame, path, "rows")
    reference = tmp_path / "reference.xlsx"
    book = xlsxwriter.Workbook(
        str(reference), {"strings_to_formulas": False, "constant_memory": True}
    )
    sheet = book.add_worksheet()
    for k, text in enumerate(odd):
        sheet.write_string(k, 0, text)
    book.close()
    sheet = openpyxl.load_workbook(path)["rows"]
    ours = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)]
    theirs = [r[0] for r in openpyxl.load_workbook(reference).active.iter_rows(values_only=True)]
    assert ours == theirs  # and no totals row: these rows are of no known kind
    assert ours[0] == "=1+1" and ours[1] == "<a&b>" and ours[2] == " lead"


def test_rendered_rows_are_the_xml_xlsxwriter_writes(tmp_path) -> None:
    # The rows are rendered by Arrow, not by XlsxWriter's own cell writer: the sheet XML
    # of text and integer cells must be what XlsxWriter itself writes for them.
    frame = pd.DataFrame({"loan_id": pd.array(["A<1", " b", "c&d", None], dtype="str"),
                          "n": pd.array([1, None, -3, 10**14], dtype="Int64")})  # fmt: skip
    ours = tmp_path / "ours.xlsx"
    xlsx_file.write_workbook({}, frame, ours, "rows")
    theirs = tmp_path / "theirs.xlsx"
    book = xlsxwriter.Workbook(str(theirs), {"constant_memory": True})
    whole = book.add_format({"num_format": "0"})
    sheet = book.add_worksheet()
    for row, (text, number) in enumerate(zip(frame["loan_id"], frame["n"], strict=True), 2):
        if isinstance(text, str):
            sheet.write_string(row, 0, text)
        if not pd.isna(number):
            sheet.write_number(row, 1, int(number), whole)
    book.close()

    def rows(path: Path, member: str) -> str:
        xml = zipfile.ZipFile(path).read(member).decode("utf-8")
        return xml[xml.index('<row r="3">') : xml.index("</sheetData>")]

    assert rows(ours, "xl/worksheets/sheet2.xml") == rows(theirs, "xl/worksheets/sheet1.xml")


def test_fen_beyond_excel_digits_are_text(tmp_path) -> None:
    # 10**15 + 1 fen has 16 digits: Excel would keep 15. 1,234,567,890,123.45 yuan
    # = 123,456,789,012,345 fen has 15: a number.
    frame = pd.DataFrame({
        "loan_id": ["A", "B"],
        "principal_fen": pd.array([10**15 + 1, 123_456_789_012_345], dtype="Int64"),
    })  # fmt: skip
    path = tmp_path / "big.xlsx"
    xlsx_file.write_workbook({}, frame, path, "rows")
    rows = list(openpyxl.load_workbook(path)["rows"].iter_rows(min_row=3, values_only=True))
    assert rows[0][1:3] == ("1000000000000001", "10000000000000.01")
    assert rows[1][1] == 123_456_789_012_345
    assert f"{rows[1][2]:,.2f}" == "1,234,567,890,123.45"


def test_typed_dates_of_a_notebook_ledger_are_date_cells(tmp_path) -> None:
    frame = pd.read_csv(TECH, dtype=str, keep_default_na=False).iloc[:3]  # T01-T03, ISO
    for name in ("disbursement_date", "maturity_date"):
        frame[name] = pd.to_datetime(frame[name])
    loans = tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE_IDS).loans
    path = tmp_path / "typed.xlsx"
    xlsx_file.write_workbook({}, loans, path, "rows")
    rows = list(openpyxl.load_workbook(path)["rows"].iter_rows(min_row=3, values_only=True))
    assert [r[4:6] for r in rows[:3]] == [
        (dt.datetime(2022, 4, 1), dt.datetime(2022, 10, 1)),
        (dt.datetime(2022, 6, 30), dt.datetime(2022, 12, 30)),
        (dt.datetime(2022, 5, 15), dt.datetime(2022, 11, 15)),
    ]
    csv = tmp_path / "typed.csv"
    csv_file.write_csv(loans, csv)
    line = b'\nT01,911101085011945813,"1,000,000.00",CNY,2022-04-01,2022-10-01,'
    assert line in csv.read_bytes()


def test_every_code_has_a_chinese_and_english_label() -> None:
    """Every reason code the registry knows once every program has registered (the
    common codes and each program's own), the old spellings still read, and the NPL
    check's codes."""
    from calculators.tools.audit import read_submission  # noqa: F401  (the module's codes)

    # the codes of the programs registered now: a toy program another test registered
    # and removed leaves its codes in reason_codes(), without a label
    codes = [c for c in reason_codes() if c in _COMMON or any(c in p.reasons for p in
             registered().values())]  # fmt: skip
    codes += [*REASON_ALIASES, *NPL_REASONS]
    # every program's own codes are among them (imported above with calculators)
    assert {"borrower_not_eligible", "category_not_eligible", "loan_rate_above_cap",
            "province_not_in_pilot", "carbon_field_not_eligible"} <= set(codes)  # fmt: skip
    for code in codes:
        assert code in REASON_LABELS, code
        assert REASON_LABELS[code].zh and REASON_LABELS[code].en, code
    for code in ("eligible", "excluded", "invalid", "within", "breach"):
        assert STATUS_LABELS[code].zh, code
    for code in AUDIT_CLASSES:
        assert AUDIT_CLASS_LABELS[code].zh, code


# -- the rows CSV ---------------------------------------------------------------------------

# Written by hand: BOM, header, quotes only around a comma, a quote (doubled) or a line
# feed; an empty Int64 and an empty text cell are empty; booleans True/False.
EXPECTED_CSV = (
    "\ufeffloan_id,note,principal_fen,status,flag,day\n"
    'L1,"a,b",100,eligible,True,2022-05-01\n'
    'L2,"say ""hi""",,excluded,False,\n'
    'L3,"two\nlines",-5,invalid,,2022-12-31\n'
    "L4,中文 text,0,eligible,True,2023-01-01\n"
    "L5,,7,excluded,False,2023-01-02\n"
).encode("utf-8")


def _tiny_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": pd.array(["L1", "L2", "L3", "L4", "L5"], dtype="str"),
            "note": pd.array(["a,b", 'say "hi"', "two\nlines", "中文 text", ""], dtype="str"),
            "principal_fen": pd.array([100, None, -5, 0, 7], dtype="Int64"),
            "status": pd.Categorical(["eligible", "excluded", "invalid", "eligible", "excluded"]),
            "flag": pd.array([True, False, None, True, False], dtype="boolean"),
            "day": pd.to_datetime(["2022-05-01", None, "2022-12-31", "2023-01-01", "2023-01-02"]),
        }
    )


def test_csv_bytes_as_written_by_hand(tmp_path) -> None:
    path = tmp_path / "rows.csv"
    csv_file.write_csv(_tiny_frame(), path)
    assert path.read_bytes() == EXPECTED_CSV


def test_csv_bytes_as_pandas_wrote_them(tmp_path) -> None:
    path = tmp_path / "rows.csv"
    frame = _tiny_frame()
    csv_file.write_csv(frame, path)
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False, encoding="utf-8-sig", lineterminator="\n")
    assert path.read_bytes() == buffer.getvalue()


# cells made of the bytes that decide quoting (comma, double quote, line feed), plain and
# Chinese text, and empty cells; a carriage return, quoted by relend and not by pandas
# on Python 3.11, is in test_csv_injection.py
_cells = st.text(alphabet=[",", '"', "\n", "a", " ", "中"], max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=6), st.integers(1, 2))
def test_csv_quoting_is_pandas_for_any_cells(tmp_path_factory, cells, columns) -> None:
    # one column makes an empty cell "" (else its row would be an empty line)
    frame = pd.DataFrame(
        {f"c{j}": pd.array(cells[j:] + cells[:j], dtype="str") for j in range(columns)}
    )
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    csv_file.write_csv(frame, path)
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False, encoding="utf-8-sig", lineterminator="\n")
    assert path.read_bytes() == buffer.getvalue()


@functools.cache
def _outputs() -> dict[str, pd.DataFrame]:  # computed once for the parametrized tests
    ids = ELIGIBLE_IDS
    frames = {
        "tech golden": tech_relending.claim(str(TECH), "2022Q2", "ICBC", ids).loans,
        "tech example": tech_relending.claim(str(ROOT / "examples" / "tech_ledger.csv"),
                                             "2022Q2", "ICBC",
                                             str(ROOT / "examples" / "tech_eligible.csv")).loans,
        "transport golden": transport_relending.claim(
            str(GOLDEN / "transport_2022Q3_abc.csv"), "2022Q3", "ABC", None).loans,
        "transport example": transport_relending.claim(
            str(ROOT / "examples" / "transport_ledger_gb18030.csv"), "2022Q3", "ABC",
            str(ROOT / "examples" / "dishonest.txt")).loans,
    }  # fmt: skip
    for name, quarter, lender in (("tech_2024Q2_boc", "2024Q2", "BOC"),
                                  ("tech_2025Q3_ccb", "2025Q3", "CCB")):  # fmt: skip
        frames[name] = tech_relending.claim(
            str(GOLDEN / f"{name}.csv"), quarter, lender, str(GOLDEN / f"{name}.eligible.txt")
        ).loans
    dishonest = str(GOLDEN / "transport_2023Q1_abc.dishonest.txt")
    for name, quarter in (("transport_2022Q4_abc", "2022Q4"), ("transport_2023Q1_abc", "2023-02")):
        frames[name] = transport_relending.claim(
            str(GOLDEN / f"{name}.csv"), quarter, "ABC", dishonest
        ).loans
    frame, digest = npl_tolerance.read_npl_file(GOLDEN / "npl_boundaries.csv")
    frames["npl golden"] = npl_tolerance.check(frame, digest).rows
    return frames


@pytest.mark.parametrize("name", ["tech golden", "tech example", "transport golden",
                                  "transport example", "npl golden", "tech_2024Q2_boc",
                                  "tech_2025Q3_ccb", "transport_2022Q4_abc",
                                  "transport_2023Q1_abc"])  # fmt: skip
def test_csv_of_golden_and_example_outputs_is_pandas_byte_for_byte(tmp_path, name) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = _outputs()[name]
    path = tmp_path / "rows.csv"
    csv_file.write_csv(frame, path)
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False, encoding="utf-8-sig", lineterminator="\n")
    assert path.read_bytes() == buffer.getvalue()


def test_csv_of_a_block_boundary(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(csv_file, "CSV_BLOCK_ROWS", 2)
    path = tmp_path / "rows.csv"
    csv_file.write_csv(_tiny_frame(), path)
    assert path.read_bytes() == EXPECTED_CSV


# -- progress ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("quiet", "tty", "shown"), [(False, True, True), (True, True, False),
                                                     (False, False, False)])  # fmt: skip
def test_progress_only_on_a_terminal_without_quiet(
    tmp_path, eligible, capsys, monkeypatch, quiet, tty, shown
) -> None:
    seen = {}
    real = cli_options.write_outputs

    def spy(*args, **kwargs):
        seen["progress"] = kwargs.get("progress")
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_options, "write_outputs", spy)
    monkeypatch.setattr(cli_options.sys.stderr, "isatty", lambda: tty, raising=False)
    out = str(tmp_path / "o")
    argv = ["claim", "tech", str(TECH), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", out, "--no-xlsx"]  # fmt: skip
    assert main(argv + (["--quiet"] if quiet else [])) == 3
    capsys.readouterr()
    assert seen["progress"] is shown


def test_a_shown_progress_bar_counts_the_rows(tmp_path, monkeypatch) -> None:
    # the bar itself waits two seconds before it shows; here it is drawn at once
    screen = io.StringIO()
    real = _progress.tqdm

    def drawn_at_once(*args, **kwargs):
        return real(*args, **{**kwargs, "file": screen, "delay": 0, "mininterval": 0})

    monkeypatch.setattr(_progress, "tqdm", drawn_at_once)
    csv_file.write_csv(_tiny_frame(), tmp_path / "rows.csv", progress=True)
    assert "writing rows.csv" in screen.getvalue() and "100%" in screen.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(_progress, "tqdm", lambda *a, **k: real(*a, **{**k, "file": quiet}))
    csv_file.write_csv(_tiny_frame(), tmp_path / "rows.csv", progress=False)
    assert quiet.getvalue() == ""
