"""Ledgers read as a clerk means them: the visible sheet of a workbook, total rows told
from loans, amount headers naming their unit (元, 万元), full-width lender codes, a list
of names instead of ids, and a workbook locked with a password.

Every expected figure is worked out by hand in the comments beside it (tech: 60% of the
eligible principal, rounded half up once), never by calling relend.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import LedgerFileError
from calculators._i18n import using_language
from calculators.cli import main
from calculators.columnar import money as _money
from calculators.columnar.text import TEXT
from calculators.programs import tech as tech_relending
from calculators.readers.ledger import _without_totals, read_ledger
from calculators.readers.lists import read_id_list
from tests.language import english_prose

ID_A, ID_B, ID_C = "911101085011945813", "915101005446414621", "91420100102630063R"
HEADER = ["借据号", "统一社会信用代码", "贷款金额", "币种", "发放日期", "到期日期"]


@pytest.fixture
def eligible(tmp_path: Path) -> Path:
    path = tmp_path / "eligible.txt"
    path.write_text(f"{ID_A}\n{ID_B}\n{ID_C}\n", encoding="utf-8")
    return path


def _claim(ledger: Path, eligible: Path, *extra: str) -> list[str]:
    return ["claim", "tech", str(ledger), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", str(eligible), *extra]  # fmt: skip


def _json_run(argv: list[str], capsys: Any) -> tuple[int, dict[str, Any], str]:
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def _one_line_refusal(argv: list[str], capsys: Any) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


# -- hidden sheets -----------------------------------------------------------------------

# the visible ledger: one loan of 1,000.00 yuan -> 0.6 x 100,000 fen = 60,000 fen
VISIBLE_ROWS = [["L1", ID_A, "1,000.00", "CNY", "2022-04-01", "2022-12-01"]]
# an old ledger kept on a hidden sheet: 1,000.00 + 5,000.00 -> 360,000 fen if it were read
HIDDEN_ROWS = [
    ["L1", ID_A, "1,000.00", "CNY", "2022-04-01", "2022-12-01"],
    ["L2", ID_B, "5,000.00", "CNY", "2022-04-01", "2022-12-01"],
]


def _hidden_first_xlsx(path: Path, how: str = "hidden") -> Path:
    book = xlsxwriter.Workbook(str(path))
    old = book.add_worksheet("旧台账")
    new = book.add_worksheet("台账")
    for sheet, rows in ((old, HIDDEN_ROWS), (new, VISIBLE_ROWS)):
        sheet.write_row(0, 0, HEADER)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
    new.activate()
    old.very_hidden() if how == "very_hidden" else old.hide()
    book.close()
    return path


def test_a_hidden_first_sheet_is_not_read_by_default(tmp_path, eligible, capsys) -> None:
    path = _hidden_first_xlsx(tmp_path / "ledger.xlsx")
    code, summary, err = _json_run(_claim(path, eligible), capsys)
    assert code == 0
    assert summary["entitlement_fen"] == 60_000  # the visible sheet's one loan
    assert summary["loans_total"] == 1
    fmt = summary["input_format"]
    assert fmt["sheet"] == "台账"
    assert fmt["sheets"] == ["旧台账", "台账"] and fmt["hidden_sheets"] == ["旧台账"]
    assert "read sheet '台账', sheet 2 of 2" in err and "hidden, not read: 旧台账" in err
    assert summary["warnings"] == []


def test_a_very_hidden_sheet_made_by_openpyxl_is_skipped_too(tmp_path, eligible) -> None:
    book = openpyxl.Workbook()
    old = book.active
    old.title = "旧台账"
    for row in [HEADER, *HIDDEN_ROWS]:
        old.append(row)
    new = book.create_sheet("台账")
    for row in [HEADER, *VISIBLE_ROWS]:
        new.append(row)
    old.sheet_state = "veryHidden"
    book.active = 1
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    read = read_ledger(path)
    assert read.input_format["sheet"] == "台账" and len(read.frame) == 1
    assert read.notes == ()


def test_naming_a_hidden_sheet_reads_it_with_a_warning(tmp_path, eligible, capsys) -> None:
    path = _hidden_first_xlsx(tmp_path / "ledger.xlsx", "very_hidden")
    code, summary, err = _json_run(_claim(path, eligible, "--sheet", "旧台账"), capsys)
    assert code == 0
    assert summary["entitlement_fen"] == 360_000  # 0.6 x 600,000 fen: what was asked for
    (warning,) = summary["warnings"]
    assert warning["code"] == "hidden_sheet_read"
    assert "'旧台账'" in warning["message"] and "very hidden" in warning["message"]
    assert "relend: warning: sheet '旧台账'" in err
    # by position too: --sheet 1 is the hidden first sheet, and says so
    code, summary, _err = _json_run(_claim(path, eligible, "--sheet", "1"), capsys)
    assert [w["code"] for w in summary["warnings"]] == ["hidden_sheet_read"]


def test_an_audit_of_a_hidden_sheet_warns_too(tmp_path, eligible, capsys) -> None:
    path = _hidden_first_xlsx(tmp_path / "ledger.xlsx")
    submitted = tmp_path / "submitted.csv"
    submitted.write_text("loan_id,claimed\nL1,600.00\nL2,3000.00\n", encoding="utf-8")
    argv = [
        "audit",
        "tech",
        str(path),
        "--sheet",
        "旧台账",
        "--submitted",
        str(submitted),
        "--quarter",
        "2022Q2",
        "--lender",
        "ICBC",
        "--eligible-borrowers",
        str(eligible),
    ]
    code, summary, err = _json_run(argv, capsys)  # fmt: skip
    # the hidden sheet's two loans: 600.00 and 3,000.00 recomputed, as submitted
    assert (code, summary["recomputed_fen"], summary["differences"]) == (0, 360_000, 0)
    assert "relend: warning: sheet '旧台账'" in err and "read sheet '旧台账', sheet 1 of 2" in err


def test_the_hidden_sheet_warning_in_chinese(tmp_path) -> None:
    path = _hidden_first_xlsx(tmp_path / "ledger.xlsx")
    with using_language("zh"):
        (note,) = read_ledger(path, sheet="旧台账").notes
    assert "隐藏" in note["message"] and english_prose(note["message"]) == []


def test_a_missing_sheet_lists_the_hidden_ones_as_hidden(tmp_path, eligible, capsys) -> None:
    path = _hidden_first_xlsx(tmp_path / "ledger.xlsx")
    err = _one_line_refusal(_claim(path, eligible, "--sheet", "汇总"), capsys)
    assert "its sheets: 旧台账 (hidden), 台账" in err


def _chart_first_xlsx(path: Path, *, hide_data: bool) -> Path:
    """A chart sheet, shown on opening, before the ledger's worksheet."""
    book = xlsxwriter.Workbook(str(path))
    charts = book.add_chartsheet("图表")
    data = book.add_worksheet("台账")
    data.write_row(0, 0, HEADER)
    data.write_row(1, 0, VISIBLE_ROWS[0])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=台账!$C$2:$C$2"})
    charts.set_chart(chart)
    charts.activate()
    if hide_data:
        data.hide()
    book.close()
    return path


def test_a_chart_sheet_is_not_a_ledger(tmp_path, eligible, capsys) -> None:
    shown = _chart_first_xlsx(tmp_path / "ledger.xlsx", hide_data=False)
    assert read_ledger(shown).input_format["sheet"] == "台账"
    hidden = _chart_first_xlsx(tmp_path / "hidden.xlsx", hide_data=True)
    err = _one_line_refusal(_claim(hidden, eligible), capsys)
    assert "a workbook with a visible worksheet, or --sheet" in err
    assert "its sheets: 图表, 台账 (hidden)" in err


def test_xls_with_a_hidden_first_sheet(tmp_path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    old, new = book.add_sheet("旧台账"), book.add_sheet("台账")
    for sheet, rows in ((old, HIDDEN_ROWS), (new, VISIBLE_ROWS)):
        for i, row in enumerate([HEADER, *rows]):
            for j, cell in enumerate(row):
                sheet.write(i, j, cell)
    old.visibility = 1  # hidden
    old.set_selected(False)
    new.set_selected(True)
    book.active_sheet = 1
    path = tmp_path / "ledger.xls"
    book.save(str(path))
    result = tech_relending.claim(path, "2022Q2", "ICBC", [ID_A, ID_B])
    assert result.entitlement_fen == 60_000
    assert result.summary()["input_format"]["sheet"] == "台账"


def test_an_eligible_list_workbook_is_read_from_its_visible_sheet(tmp_path) -> None:
    path = tmp_path / "eligible.xlsx"
    book = xlsxwriter.Workbook(str(path))
    old = book.add_worksheet("旧名单")
    old.write_column(0, 0, [ID_C])  # no header: the fallback path reads the first column
    new = book.add_worksheet("名单")
    new.write_column(0, 0, [ID_A, ID_B])
    new.activate()
    old.hide()
    book.close()
    assert sorted(read_id_list(path, "eligible-borrowers")) == sorted([ID_A, ID_B])


# -- total rows --------------------------------------------------------------------------

TOTALS_HEADER = ["借款人名称", *HEADER]
TOTALS_ROWS = [
    # loans whose name or id begins with a total's word: kept
    ["总计划通信科技有限公司", "L001", ID_A, "1,000,000.00", "CNY", "2022-04-01", "2022-12-01"],
    ["某某科技有限公司", "总计-2022-0002", ID_B, "500,000.00", "CNY", "2022-05-01", "2023-05-01"],
    ["某某材料有限公司", "L003", ID_C, "333.33", "CNY", "2022-06-30", "2022-12-31"],
    # an id written 合计 but naming a borrower: a loan, whatever its id says
    ["某某材料有限公司", "合计", ID_C, "200.00", "CNY", "2022-06-01", "2022-12-31"],
    # real total rows: the word alone or with a colon or a remark, no borrower id
    ["小计（元）", "", "", "1,500,533.33", "", "", ""],
    ["", "合计：", "", "1,500,533.33", "", "", ""],
    ["总计", "", "", "1,500,533.33", "", "", ""],
]
# four loans, all eligible: 1,000,000.00 + 500,000.00 + 333.33 + 200.00 = 1,500,533.33
# yuan = 150,053,333 fen; 0.6 x 150,053,333 = 90,031,999.8 -> 90,032,000 fen
TOTALS_ENTITLEMENT = 90_032_000


def _totals_csv(path: Path) -> Path:
    lines = [",".join(TOTALS_HEADER)]
    lines += [",".join(f'"{c}"' if "," in c else c for c in row) for row in TOTALS_ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _totals_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, TOTALS_HEADER)
    for i, row in enumerate(TOTALS_ROWS, start=1):
        sheet.write_row(i, 0, row)
    book.close()
    return path


@pytest.mark.parametrize("make", [_totals_csv, _totals_xlsx], ids=["csv", "xlsx"])
def test_loans_named_like_totals_are_kept_and_totals_left_out(
    tmp_path, eligible, capsys, make
) -> None:
    suffix = ".csv" if make is _totals_csv else ".xlsx"
    path = make(tmp_path / f"ledger{suffix}")
    code, summary, _err = _json_run(_claim(path, eligible), capsys)
    assert code == 0
    assert summary["loans_total"] == 4 and summary["loans_eligible"] == 4
    assert summary["eligible_principal_fen"] == 150_053_333
    assert summary["entitlement_fen"] == TOTALS_ENTITLEMENT
    (note,) = [w for w in summary["warnings"] if w["code"] == "total_rows_ignored"]
    assert note["message"].startswith("3 total row(s)")
    assert note["message"].endswith("6, 7, 8")  # header on line/row 1, loans on 2-5


@pytest.mark.parametrize(
    ("label", "total"),
    [
        ("合计", True), ("合 计", True), ("\u3000合计\u3000", True), ("合计:", True),
        ("合计：", True), ("小计（元）", True), ("小计(万元)", True), ("总计（3笔）：", True),
        ("总计-2022-0002", False), ("总计划通信科技有限公司", False), ("合计2", False),
        ("小计（元）A", False), ("合计行", False),
    ],
)  # fmt: skip
def test_which_labels_make_a_total_row(tmp_path, label, total) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        ",".join(HEADER) + f"\nL1,{ID_A},100.00,CNY,2022-04-01,2022-12-01\n{label},,100.00,,,\n",
        encoding="utf-8",
    )
    assert len(read_ledger(path).frame) == (1 if total else 2)


_SPACE = st.sampled_from(["", " ", "\u3000"])


@settings(max_examples=200, deadline=None)
@given(
    word=st.sampled_from(["合计", "小计", "总计", "合 计"]),
    colon=st.sampled_from(["", ":", "："]),
    remark=st.sampled_from(["", "（元）", "(万元)", "（3笔）", "()"]),
    tail=st.text(alphabet="-_0123456789ABCXYZ通信科技有限公司行数", min_size=1, max_size=8),
    before=_SPACE,
    after=_SPACE,
)
def test_a_total_label_is_the_word_with_punctuation_only(
    word: str, colon: str, remark: str, tail: str, before: str, after: str
) -> None:
    label = before + word + remark + colon + after
    longer = before + word + tail + remark + colon  # more than punctuation after the word
    frame = pd.DataFrame(
        {"借据号": [label, longer, label], "统一社会信用代码": ["", "", ID_A]}, dtype=TEXT
    )
    _kept, _notes, at = _without_totals(frame, None, "ledger.csv, line")
    # the label alone, no borrower: a total; the longer id, or a borrower named: loans
    assert at.tolist() == [1, 2]


# -- headers naming their unit -----------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["贷款金额（元）", "贷款金额(元)", "发放金额（人民币元）", "贷款金额 (单位：元)"]
)
def test_a_principal_header_in_yuan(tmp_path, eligible, capsys, header) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        f"借据号,统一社会信用代码,{header},发放日期,到期日期\n"
        f'Y1,{ID_A},"1,234,567.89",2022-04-01,2022-12-01\n'
        f"Y2,{ID_B},0.01,2022-04-01,2022-12-01\n",
        encoding="utf-8",
    )
    code, summary, _err = _json_run(_claim(path, eligible), capsys)
    assert code == 0
    # 123,456,789 + 1 fen = 123,456,790; 0.6 x that = 74,074,074 fen exactly
    assert summary["entitlement_fen"] == 74_074_074
    assert (summary["principal_column"], summary["principal_unit"]) == (header, "元")


WAN_HEADER = "借据号,统一社会信用代码,{header},发放日期,到期日期\n"
WAN_ROWS = (
    f"W1,{ID_A},100.5,2022-04-01,2022-12-01\n"  # 1,005,000.00 yuan
    f'W2,{ID_B},"1,234.567891",2022-05-01,2023-05-01\n'  # 12,345,678.91 yuan
    f"W3,{ID_B},1.2345678,2022-05-01,2023-05-01\n"  # 7 decimals: part of a fen, refused
)
# eligible: 1,005,000.00 + 12,345,678.91 = 13,350,678.91 yuan = 1,335,067,891 fen;
# 0.6 x 1,335,067,891 = 801,040,734.6 -> 801,040,735 fen
WAN_ENTITLEMENT = 801_040_735


@pytest.mark.parametrize("header", ["贷款金额（万元）", "贷款金额(万元)", "发放金额（人民币万元）"])
def test_a_principal_header_in_wan_yuan_is_read_exactly(tmp_path, eligible, capsys, header) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(WAN_HEADER.format(header=header) + WAN_ROWS, encoding="utf-8")
    code, summary, _err = _json_run(_claim(path, eligible), capsys)
    assert code == 3  # W3 is invalid
    assert summary["eligible_principal_fen"] == 1_335_067_891
    assert summary["entitlement_fen"] == WAN_ENTITLEMENT
    assert (summary["principal_column"], summary["principal_unit"]) == (header, "万元")
    (row,) = summary["invalid_rows"]
    assert (row["line"], row["loan_id"], row["reason"]) == (4, "W3", "invalid_principal")
    assert "'1.2345678'" in row["detail"] and "6 decimals" in row["detail"]


def test_wan_yuan_in_the_text_output_both_languages(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(WAN_HEADER.format(header="贷款金额（万元）") + WAN_ROWS, encoding="utf-8")
    assert main(_claim(path, eligible)) == 3
    out = capsys.readouterr().out
    assert "principal read in 万元 from column 贷款金额（万元）" in out
    assert "8,010,407.35 yuan" in out
    assert main([*_claim(path, eligible), "--lang", "zh"]) == 3
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "万元" in x and "贷款金额（万元）" in x)
    assert "本金按万元读取" in line and english_prose(line) == []


def test_wan_yuan_number_cells_of_a_workbook(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["借据号", "统一社会信用代码", "贷款金额(万元)", "发放日期", "到期日期"])
    sheet.write_row(1, 0, ["W1", ID_A])
    sheet.write_number(1, 2, 100.5)  # 1,005,000.00 yuan
    sheet.write_row(1, 3, ["2022-04-01", "2022-12-01"])
    sheet.write_row(2, 0, ["W2", ID_B])
    sheet.write_number(2, 2, 0.0333)  # 333.00 yuan
    sheet.write_row(2, 3, ["2022-04-01", "2022-12-01"])
    book.close()
    code, summary, _err = _json_run(_claim(path, eligible), capsys)
    assert code == 0
    # 100,500,000 + 33,300 fen = 100,533,300; 0.6 x that = 60,319,980 fen
    assert summary["entitlement_fen"] == 60_319_980
    assert summary["principal_unit"] == "万元"


def test_the_claim_workbook_keeps_wan_yuan_as_given_and_labels_the_unit(
    tmp_path, eligible, capsys
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(WAN_HEADER.format(header="贷款金额（万元）") + WAN_ROWS, encoding="utf-8")
    assert main([*_claim(path, eligible), "--out", str(tmp_path / "out")]) == 3
    capsys.readouterr()
    book = openpyxl.load_workbook(tmp_path / "out" / "claim.xlsx")
    zh, en, first = list(book["loans 贷款"].iter_rows(max_row=3, values_only=True))
    at = en.index("principal_wan")
    # the 万元 cell as written, never shown as if it were yuan; the fen and yuan beside
    assert (zh[at], first[at]) == ("贷款金额（万元）", "100.5")
    assert first[en.index("principal_fen")] == 100_500_000
    labels = {row[1]: row[0] for row in book["summary 汇总"].iter_rows(values_only=True)}
    assert labels["principal_unit"] == "本金单位"


def test_a_principal_in_yuan_and_in_wan_yuan_is_refused(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        f"借据号,统一社会信用代码,贷款金额（元）,贷款金额（万元）,发放日期,到期日期\n"
        f"W1,{ID_A},1005000.00,100.5,2022-04-01,2022-12-01\n",
        encoding="utf-8",
    )
    err = _one_line_refusal(_claim(path, eligible), capsys)
    assert "贷款金额（万元）" in err and "one column for principal" in err


@settings(max_examples=200, deadline=None)
@given(
    fen=st.integers(min_value=1, max_value=10**16),
    trim=st.booleans(),
    grouped=st.booleans(),
    seventh=st.integers(min_value=1, max_value=9),
)
def test_wan_yuan_text_reads_back_to_its_fen(
    fen: int, trim: bool, grouped: bool, seventh: int
) -> None:
    whole, part = divmod(fen, 1_000_000)  # one 万元 is 1,000,000 fen
    decimals = f"{part:06d}".rstrip("0") if trim else f"{part:06d}"
    integer = f"{whole:,}" if grouped else str(whole)
    text = integer + (f".{decimals}" if decimals else "")
    finer = f"{integer}.{part:06d}{seventh}"  # a seventh decimal: part of a fen
    got, ok = _money.parse_wan_column([text, finer])
    assert ok.tolist() == [True, False]
    assert int(got[0]) == fen


# -- lenders -----------------------------------------------------------------------------


@pytest.mark.parametrize("lender", ["ＩＣＢＣ", "ｉｃｂｃ", " Icbc "])
def test_a_full_width_lender_code(tmp_path, eligible, capsys, lender) -> None:
    path = _totals_csv(tmp_path / "ledger.csv")
    argv = _claim(path, eligible)
    argv[argv.index("ICBC")] = lender
    code, summary, _err = _json_run(argv, capsys)
    assert (code, summary["lender"], summary["entitlement_fen"]) == (0, "ICBC", TOTALS_ENTITLEMENT)


def test_an_unknown_lender_lists_the_chinese_names(tmp_path, eligible, capsys) -> None:
    path = _totals_csv(tmp_path / "ledger.csv")
    argv = _claim(path, eligible)
    argv[argv.index("ICBC")] = "某某银行"
    err = _one_line_refusal(argv, capsys)
    assert "CDB 国家开发银行" in err and "ICBC 中国工商银行" in err and "CBHB 渤海银行" in err


# -- a list of names, not ids ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("names.csv", "企业名称\n北京某某科技有限公司\n上海某某材料有限公司\n"),
        ("names.txt", "北京某某科技有限公司\n上海某某材料有限公司\n"),
        ("names2.csv", "序号,企业名称\n1,北京某某科技有限公司\n"),
    ],
)
def test_a_list_of_names_says_it_needs_ids(tmp_path, capsys, name, text) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    ledger = _totals_csv(tmp_path / "ledger.csv")
    err = _one_line_refusal(_claim(ledger, path), capsys)
    assert f"eligible-borrowers='{path}'" in err
    assert "holds names such as" in err and "某某" in err and "not one id" in err
    assert "unified social credit codes or resident ids" in err
    assert main([*_claim(ledger, path), "--lang", "zh"]) == 2
    err = capsys.readouterr().err.strip()
    assert "只有名称" in err and str(path) in err and english_prose(err) == [], err


def test_a_names_workbook_says_it_needs_ids(tmp_path) -> None:
    path = tmp_path / "names.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_column(0, 0, ["企业名称", "北京某某科技有限公司"])
    book.close()
    with pytest.raises(LedgerFileError, match="holds names such as '北京某某科技有限公司'"):
        read_id_list(path, "eligible-borrowers")


def test_ids_with_a_wrong_check_character_are_still_named_as_such(tmp_path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("企业名称\n911101085011945810\n", encoding="utf-8")  # check char 3, not 0
    with pytest.raises(LedgerFileError, match="valid check characters") as caught:
        read_id_list(path, "eligible-borrowers")
    assert "names" not in str(caught.value)


# -- password-protected workbooks --------------------------------------------------------


def _encrypted(tmp_path: Path, name: str) -> Path:
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = _hidden_first_xlsx(tmp_path / "plain.xlsx")
    out = io.BytesIO()
    with open(plain, "rb") as handle:
        msoffcrypto.OOXMLFile(handle).encrypt("密码123", out)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # a compound file, as Excel saves
    return path


@pytest.mark.parametrize("name", ["ledger.xlsx", "ledger"])  # by suffix, and by magic alone
def test_an_encrypted_ledger_is_one_line(tmp_path, eligible, capsys, name) -> None:
    path = _encrypted(tmp_path, name)
    err = _one_line_refusal(_claim(path, eligible), capsys)
    assert f"ledger='{path}'" in err and "encrypted (password-protected)" in err
    assert "Cannot detect" not in err
    assert main([*_claim(path, eligible), "--lang", "zh"]) == 2
    err = capsys.readouterr().err.strip()
    assert "已加密" in err and english_prose(err) == [], err


def test_an_encrypted_eligible_list_is_one_line(tmp_path, eligible, capsys) -> None:
    path = _encrypted(tmp_path, "eligible.xlsx")
    ledger = _totals_csv(tmp_path / "ledger.csv")
    err = _one_line_refusal(_claim(ledger, path), capsys)
    assert f"eligible-borrowers='{path}'" in err and "encrypted (password-protected)" in err


def test_calamines_password_error_is_the_same_refusal(tmp_path, monkeypatch) -> None:
    """An .xls whose records are encrypted: calamine says PasswordError."""
    import python_calamine

    def refuse(_source: Any) -> None:
        raise python_calamine.PasswordError("password protected")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    path = _hidden_first_xlsx(tmp_path / "ledger.xls")
    with pytest.raises(LedgerFileError, match="encrypted \\(password-protected\\)"):
        read_ledger(path)


def test_without_olefile_the_stream_names_still_tell(tmp_path, monkeypatch) -> None:
    path = _encrypted(tmp_path, "ledger.xlsx")
    monkeypatch.setitem(sys.modules, "olefile", None)  # its import fails
    with pytest.raises(LedgerFileError, match="encrypted \\(password-protected\\)"):
        read_ledger(path)


def test_a_broken_compound_file_is_still_unreadable_not_encrypted(tmp_path) -> None:
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LedgerFileError, match="a readable Excel workbook") as caught:
        read_ledger(path)
    assert "password" not in str(caught.value)
