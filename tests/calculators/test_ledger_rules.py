"""Ledgers read as a clerk means them: the visible sheet of a workbook, total rows told
from loans, amount headers naming their unit (元, 万元), full-width lender codes, a list
of names instead of ids, and a workbook locked with a password.

Every expected figure is worked out by hand in the comments beside it (tech: 60% of the
eligible principal, rounded half up once), never by calling relend.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from calculators._ledger import read_ledger
from calculators.cli import main

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
