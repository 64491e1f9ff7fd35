"""Ledgers as banks export them: Excel workbooks with title rows, data on another sheet,
numeric cells and a 合计 row; CSVs in UTF-16 or with tab and semicolon delimiters.

Every variant holds the rows of tests/golden/tech_2022Q2_icbc.csv and must give the
claim of that plain CSV (hand-worked in tech_2022Q2_icbc.expected.md: 19 rows,
entitlement 60,761,161 fen), row by row. The .xls case needs xlwt (a test dependency)
to write the old format.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from calculators import LedgerFileError
from calculators.cli import main
from calculators.engine.validate import load
from calculators.programs import tech as tech_relending
from calculators.readers.ledger import read_ledger
from calculators.readers.lists import read_id_list
from tests.paths import GOLDEN

LEDGER = GOLDEN / "tech_2022Q2_icbc.csv"
ELIGIBLE = ["911101085011945813", "915101005446414621", "91420100102630063R"]
COLUMNS = ["loan_id", "borrower_id", "principal", "currency", "disbursement_date", "maturity_date"]
CHINESE = ["借据号", "统一社会信用代码", "贷款金额", "币种", "发放日期", "到期日期"]


def _rows() -> list[list[str]]:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    return frame[COLUMNS].values.tolist()


def _expected() -> tuple[int, list[str]]:
    result = tech_relending.claim(LEDGER, "2022Q2", "ICBC", ELIGIBLE)
    return result.entitlement_fen, list(result.loans["reason"].astype(str))


def _workbook(path: Path, *, sheet: str = "台账", before: int = 2, total: bool = True) -> Path:
    """The golden rows on a second sheet, ``before`` title rows above a Chinese header,
    and a 合计 row (plus a blank row) below the data."""
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write(0, 0, "本表由核心系统导出")
    ws = book.add_worksheet(sheet)
    if before:
        ws.write(0, 0, "中国工商银行 科技创新再贷款 贷款台账（2022年二季度）")
    ws.write_row(before, 0, CHINESE)
    for i, row in enumerate(_rows(), start=before + 1):
        ws.write_row(i, 0, row)  # every cell as text, as the golden CSV has it
    if total:
        ws.write_row(before + 1 + len(_rows()) + 1, 0, ["合计", "", "1,234,567.00"])
    book.close()
    return path


def _numeric_workbook(path: Path) -> Path:
    """Amounts, dates and the 18-digit ids of the valid rows stored as numbers and dates,
    as an export that was not formatted as text gives them."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write_row(0, 0, COLUMNS)
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    # T01: 1,000,000.00 yuan, id all digits (lost digits as a number), dates as date cells
    ws.write_row(1, 0, ["T01"])
    ws.write_number(1, 1, 911101085011945813)
    ws.write_number(1, 2, 1000000)
    ws.write(1, 3, "CNY")
    ws.write_datetime(1, 4, dt.datetime(2022, 4, 1), date)
    ws.write_datetime(1, 5, dt.datetime(2022, 10, 1), date)
    # T02: 333.33 yuan as a number, text id, dates as date cells
    ws.write_row(2, 0, ["T02", "915101005446414621"])
    ws.write_number(2, 2, 333.33)
    ws.write(2, 3, "CNY")
    ws.write_datetime(2, 4, dt.datetime(2022, 6, 30), date)
    ws.write_datetime(2, 5, dt.datetime(2022, 12, 30), date)
    book.close()
    return path


def test_title_rows_sheet_two_and_total_row_give_the_plain_claim(tmp_path) -> None:
    entitlement, reasons = _expected()
    path = _workbook(tmp_path / "ledger.xlsx")
    for sheet in ("台账", "2"):
        result = tech_relending.claim(read_ledger(path, sheet=sheet), "2022Q2", "ICBC", ELIGIBLE)
        assert result.entitlement_fen == entitlement == 60_761_161
        assert list(result.loans["reason"].astype(str)) == reasons
        summary = result.summary()
        # 19 loans: the 合计 row is left out of the ledger and said so, with its row
        assert summary["loans_total"] == 19
        (note,) = [w for w in summary["warnings"] if w["code"] == "total_rows_ignored"]
        assert "24" in note["message"]  # title row, blank, header on 3, 19 rows, blank, 合计
        # invalid rows are named by line from the header; a note maps them to rows
        assert summary["invalid_rows"][0]["line"] == 9  # T08, the 8th row under the header
        (lines,) = [w for w in summary["warnings"] if w["code"] == "lines_count_from_header"]
        assert "line 2 is row 4" in lines["message"]
        assert summary["input_format"]["sheet"] == "台账"
        assert summary["input_format"]["header_row"] == 3


def test_cli_sheet_option_on_claim_and_audit(tmp_path, capsys) -> None:
    path = _workbook(tmp_path / "ledger.xlsx")
    eligible = tmp_path / "eligible.xlsx"
    book = xlsxwriter.Workbook(str(eligible))
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["名单"])
    ws.write_row(1, 0, ["统一社会信用代码", "企业名称"])
    for i, one in enumerate(ELIGIBLE, start=2):
        ws.write_row(i, 0, [one, "某公司"])
    book.close()
    argv = ["claim", "tech", str(path), "--sheet", "2", "--quarter", "2022Q2"]
    argv += ["--lender", "ICBC", "--eligible-borrowers", str(eligible), "--json"]
    main(argv)
    summary = json.loads(capsys.readouterr().out)
    assert summary["entitlement_fen"] == 60_761_161
    submitted = tmp_path / "submitted.csv"
    submitted.write_text((GOLDEN / "tech_2022Q2_icbc.submitted.csv").read_text("utf-8"), "utf-8")
    argv = ["audit", "tech", str(path), "--sheet", "台账", "--submitted", str(submitted)]
    argv += ["--quarter", "2022Q2", "--lender", "ICBC", "--eligible-borrowers", str(eligible)]
    main([*argv, "--json"])
    audited = json.loads(capsys.readouterr().out)
    main([*argv[:2], str(LEDGER), *argv[5:], "--json"])
    plain = json.loads(capsys.readouterr().out)
    assert audited["differences"] == plain["differences"]


@pytest.mark.parametrize(
    ("sheet", "fragment"),
    [("汇总", "说明, 台账"), ("3", "说明, 台账"), ("0", "from 1")],
)
def test_missing_sheet_is_one_line_exit_2(tmp_path, capsys, sheet, fragment) -> None:
    path = _workbook(tmp_path / "ledger.xlsx")
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE), encoding="utf-8")
    argv = ["claim", "tech", str(path), "--sheet", sheet, "--quarter", "2022Q2"]
    assert main([*argv, "--lender", "ICBC", "--eligible-borrowers", str(eligible)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"sheet={sheet!r}" in err and fragment in err


def test_bad_workbooks_name_the_rule(tmp_path) -> None:
    path = _workbook(tmp_path / "ledger.xlsx")
    with pytest.raises(LedgerFileError, match="说明, 台账"):
        read_ledger(path, sheet="汇总")
    with pytest.raises(LedgerFileError, match="header"):
        read_ledger(path)  # the first sheet has a title and no header
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(LedgerFileError) as caught:
        read_ledger(broken)
    assert "engine" not in str(caught.value)
    assert "workbook" in str(caught.value)
    with pytest.raises(LedgerFileError, match="sheet"):
        read_ledger(LEDGER, sheet="2")  # a CSV has no sheets


def test_numeric_id_cell_is_invalid_with_a_hint(tmp_path) -> None:
    path = _numeric_workbook(tmp_path / "numbers.xlsx")
    result = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE)
    loans = result.loans
    assert list(loans["reason"].astype(str)) == ["invalid_borrower_id", "eligible"]
    assert "text" in str(loans["detail"].iloc[0])
    # T02: 0.6 x 33333 fen = 19999.8 -> 20000 after the one rounding
    assert result.entitlement_fen == 20_000
    assert list(loans["principal_fen"].iloc[1:]) == [33_333]


@pytest.mark.parametrize("cell", ["9.11101085011946E+17", "911101085011945856"])
def test_csv_id_that_went_through_a_float_gets_the_hint(tmp_path, cell) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        ",".join(COLUMNS) + f"\nT01,{cell},100,CNY,2022-04-01,2022-10-01\n", encoding="utf-8"
    )
    loans = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE).loans
    assert str(loans["reason"].iloc[0]) == "invalid_borrower_id"
    assert "format the column as text" in str(loans["detail"].iloc[0])


def test_a_wrong_check_character_gets_no_excel_hint(tmp_path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        ",".join(COLUMNS) + "\nT01,915101005446414620,100,CNY,2022-04-01,2022-10-01\n",
        encoding="utf-8",
    )
    loans = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE).loans
    assert "text" not in str(loans["detail"].iloc[0])


def _csv_text(delimiter: str) -> str:
    lines = [delimiter.join(COLUMNS)]
    for row in _rows():
        lines.append(delimiter.join(f'"{c}"' if delimiter in c or "," in c else c for c in row))
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("delimiter", "encoding", "named"),
    [
        ("\t", "utf-16", ("utf-16", "\t")),
        (";", "utf-8", ("utf-8", ";")),
        ("\t", "utf-8-sig", ("utf-8", "\t")),
        (",", "utf-16-be", ("utf-16", ",")),
        (";", "gb18030", ("gb18030", ";")),
    ],
)
def test_csv_variants_give_the_plain_claim(tmp_path, delimiter, encoding, named) -> None:
    entitlement, reasons = _expected()
    path = tmp_path / "ledger.csv"
    text = _csv_text(delimiter)
    path.write_bytes(
        ("\ufeff" + text).encode(encoding) if encoding == "utf-16-be" else text.encode(encoding)
    )
    result = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == entitlement
    assert list(result.loans["reason"].astype(str)) == reasons
    fmt = result.summary()["input_format"]
    assert (fmt["encoding"], fmt["delimiter"]) == named


def test_csv_total_row_is_left_out_with_its_line(tmp_path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(_csv_text(",") + '合计,,"1,234.00",,,\n', encoding="utf-8")
    result = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == 60_761_161
    assert len(result.loans) == 19
    (note,) = [w for w in result.summary()["warnings"] if w["code"] == "total_rows_ignored"]
    assert note["message"].endswith("line 21")  # header line 1, 19 rows on lines 2-20


def test_load_takes_a_sheet(tmp_path) -> None:
    path = _workbook(tmp_path / "ledger.xlsx")
    frame, digest = load(path, sheet="台账")
    assert len(frame) == 19 and digest is not None
    assert list(frame.columns) == CHINESE


def test_plain_csv_names_its_format() -> None:
    fmt = tech_relending.claim(LEDGER, "2022Q2", "ICBC", ELIGIBLE).summary()["input_format"]
    assert (fmt["encoding"], fmt["delimiter"]) == ("utf-8", ",")


def test_a_plain_workbook_has_no_line_note(tmp_path) -> None:
    path = _workbook(tmp_path / "plain.xlsx", before=0, total=False)
    summary = tech_relending.claim(read_ledger(path, sheet=2), "2022Q2", "ICBC", ELIGIBLE).summary()
    assert summary["warnings"] == []
    assert summary["input_format"]["header_row"] == 1


def test_eligible_list_tab_separated_in_utf16(tmp_path) -> None:
    path = tmp_path / "eligible.txt"
    text = "统一社会信用代码\t企业名称\n" + "".join(f"{i}\t某公司\n" for i in ELIGIBLE)
    path.write_bytes(text.encode("utf-16"))
    assert len(read_id_list(path, "eligible-borrowers")) == 3


def test_xls_workbook_gives_the_plain_claim(tmp_path) -> None:
    xlwt = pytest.importorskip("xlwt")
    entitlement, reasons = _expected()
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "本表由核心系统导出")
    ws = book.add_sheet("台账")
    ws.write(0, 0, "中国工商银行 科技创新再贷款 贷款台账")
    for j, name in enumerate(CHINESE):
        ws.write(1, j, name)
    for i, row in enumerate(_rows(), start=2):
        for j, cell in enumerate(row):
            ws.write(i, j, cell)
    ws.write(21, 0, "合计")
    path = tmp_path / "ledger.xls"
    book.save(str(path))
    result = tech_relending.claim(read_ledger(path, sheet="台账"), "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == entitlement
    assert list(result.loans["reason"].astype(str)) == reasons
    assert [w["code"] for w in result.summary()["warnings"]] == [
        "total_rows_ignored", "lines_count_from_header",
    ]  # fmt: skip


def test_eligible_list_as_xlsx_without_header(tmp_path) -> None:
    path = tmp_path / "eligible.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    for i, one in enumerate(ELIGIBLE):
        ws.write(i, 0, one)
    book.close()
    assert len(read_id_list(path, "eligible-borrowers")) == 3
