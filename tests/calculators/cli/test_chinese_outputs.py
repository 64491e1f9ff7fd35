"""What relend prints and writes with ``--lang zh``, for each command of the README: written
Chinese (programs and calendars by name, Chinese punctuation, 元 after every amount,
rates as percentages, no maintainers' words), and workbooks whose labels are all filled.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from calculators._errors import ParameterError
from calculators._i18n import using_language
from calculators.cli import main
from calculators.policy.model import Citation, Notice
from calculators.policy.table import PolicyTable
from calculators.policy.words import for_users
from tests.paths import EXAMPLES
from tests.test_chinese_text import CJK, WIDE

COMMANDS = {
    "deadline": ["deadline", "2022Q2"],
    "deadline_sse": ["deadline", "2026Q3", "--calendar", "sse"],
    "claim_tech": ["claim", "tech", "tech_ledger.csv", "--quarter", "2022Q2", "--lender",
                   "工商银行", "--eligible-borrowers", "tech_eligible.csv"],
    "claim_transport": ["claim", "transport", "transport_ledger_gb18030.csv", "--quarter",
                        "2022Q3", "--lender", "ABC", "--dishonest", "dishonest.txt"],
    "audit": ["audit", "tech", "tech_ledger.csv", "--submitted", "tech_submitted.csv",
              "--quarter", "2022Q2", "--lender", "ICBC", "--eligible-borrowers",
              "tech_eligible.csv", "--tolerance-fen", "1"],
    "claim_carbon": ["claim", "carbon", "carbon_ledger.csv", "--quarter", "2024Q3", "--lender",
                     "BOC"],
    "claim_housing": ["claim", "housing", "housing_ledger.csv", "--quarter", "2025Q1",
                      "--lender", "CDB", "--designated-purchasers", "housing_designated.txt"],
    "claim_elderly_care": ["claim", "elderly_care", "elderly_care_ledger.csv", "--quarter",
                           "2022Q2", "--lender", "CCB"],
    "claim_equipment": ["claim", "equipment", "equipment_ledger.csv", "--period", "2022-12",
                        "--lender", "ICBC", "--eligible-borrowers", "equipment_eligible.csv"],
    "claim_coal": ["claim", "coal", "coal_ledger.csv", "--period", "2022-05", "--lender",
                   "国家开发银行"],
    "policy_show": ["policy", "show", "equipment"],
    "policy_show_coal": ["policy", "show", "coal"],
    "policy_show_carbon": ["policy", "show", "carbon"],
    "policy_list": ["policy", "list"],
    "facility": ["facility", "tech", "--amount", "600,000.00", "--drawdown", "2022-07-15",
                 "--extensions", "2"],
    "incentive": ["incentive", "--quarter", "2022Q2", "--previous-balance", "100,000,000.00",
                  "--current-balance", "123,456,789.01"],
    "incentive_file": ["incentive", "microloan_balances.csv"],
    "npl": ["npl", "npl.csv", "--extra-industry", "批发"],
    "demo": ["demo"],
    "lender_refused": ["claim", "coal", "coal_ledger.csv", "--period", "2022-05", "--lender",
                       "中信银行"],
}  # fmt: skip
# what relend printed in Chinese before (each a failure of this file's checks)
FORBIDDEN = (
    "tech 再贷款", "carbon 再贷款", "prc 日历", "sse 日历", "seed", "later-notices",
    "可信度评级", "accommodation", "catering", "day_count, ", "（十七）条", " x ", "0.0175",
    "（（", "））",
)  # fmt: skip
_ASCII_BESIDE_CJK = re.compile(rf"[{CJK}{WIDE}][,:;()]|[,:;()][{CJK}{WIDE}]")
# an amount of yuan as relend prints it; a value quoted from the input is left out
_AMOUNT = re.compile(r"(?<![\d.,'=])-?\d{1,3}(?:,\d{3})*\.\d{2}(?![\d%'])")


def _argv(words: list[str], tmp_path: Path) -> list[str]:
    out = [str(EXAMPLES / w) if (EXAMPLES / w).is_file() else w for w in words]
    if words[0] == "demo":
        out += ["--out", str(tmp_path / "demo")]
    return [*out, "--lang", "zh"]


@pytest.mark.parametrize("words", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_readme_command_speaks_written_chinese(words, tmp_path, capsys) -> None:
    status = main(_argv(words, tmp_path))
    out, err = capsys.readouterr()
    text = out + err
    assert status in (0, 2, 3, 4) and "Traceback" not in text
    assert [word for word in FORBIDDEN if word in text] == []
    assert _ASCII_BESIDE_CJK.findall(text) == []
    for line in text.splitlines():
        for found in _AMOUNT.finditer(line):
            after = line[found.end() :].lstrip()
            assert after.startswith(("元", "分")), f"{found.group()} without 元: {line}"
    if words[0] in ("claim", "demo") and status != 2:
        assert "再贷款申请" in text or "支持工具申请" in text
        assert "中国内地工作日历" in text and "%" in text


def test_the_chinese_names_and_percentages(capsys) -> None:
    argv = _argv(COMMANDS["claim_tech"], Path())
    assert main([*argv, "--quiet"]) == 3
    out = capsys.readouterr().out
    assert out.startswith("科技创新再贷款申请  ICBC 中国工商银行  2022Q2")
    assert "可申请再贷款（本金 × 60%，只在最后四舍五入一次）：350,649,386.32 元" in out
    assert "申请截止日：2022-07-11（中国内地工作日历，已公布）" in out
    assert "日计数惯例 day_count、贷款发放截止日 last_disbursement" in out
    assert "币种 currency 'USD'：1 行" in out
    assert main(_argv(COMMANDS["audit"], Path())) == 4
    out = capsys.readouterr().out
    assert "多报 29,096,071.04 元，少报 0.00 元，应收回再贷款 29,096,071.04 元" in out
    assert main(_argv(COMMANDS["facility"], Path())) == 0
    assert "利率 1.75%（ACT/360，系假设）" in capsys.readouterr().out
    assert main(_argv(COMMANDS["npl"], Path())) == 0
    out = capsys.readouterr().out
    assert "喀什分行     住宿" in out and "第二十七条；政策汇编第 248-252 行" in out
    assert main(_argv(COMMANDS["deadline_sse"], Path())) == 0
    assert "上海证券交易所交易日历" in capsys.readouterr().out
    assert main(_argv(COMMANDS["lender_refused"], Path())) == 2
    err = capsys.readouterr().err
    assert "不是煤炭清洁高效利用专项再贷款的发放对象" in err and "ICBC 中国工商银行" in err


def test_english_keeps_codes_and_shows_percentages_and_times(capsys) -> None:
    argv = _argv(COMMANDS["claim_tech"], Path())[:-2]
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert out.startswith("tech relending claim  ICBC")
    assert "entitlement (60% × principal, rounded half up once)" in out
    assert "PRC working-day calendar" in out and "seed" not in out
    assert main(_argv(COMMANDS["facility"], Path())[:-2]) == 0
    assert "at 1.75% (ACT/360, assumed)" in capsys.readouterr().out


def test_a_field_is_named_by_its_chinese_header(tmp_path, capsys) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("loan_id,borrower_id,disbursement_date,maturity_date\n", encoding="utf-8")
    argv = ["claim", "coal", str(ledger), "--period", "2022-05", "--lender", "CDB"]
    assert main([*argv, "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "贷款金额、发放金额" in err and err.count("\n") == 1
    assert "错误：表头 columns=" in err
    with using_language("zh"):
        assert str(ParameterError("principal", "x", "y")) == "贷款金额 principal='x' 不符合要求：y"
        assert str(ParameterError("lender", "x", "y")).startswith("金融机构 lender='x'")
    assert str(ParameterError("principal", "x", "y")) == "principal='x' is not accepted: y"


def test_a_library_message_is_not_the_message(tmp_path, capsys) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("loan_id,principal\nA,1,2\n", encoding="utf-8")
    argv = ["claim", "coal", str(ledger), "--period", "2022-05", "--lender", "CDB"]
    assert main([*argv, "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "第 2 行有 3 个字段，而表头有 2 个" in err  # Arrow: "Expected 2 columns, got 3"
    assert "Expected" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["claim", "audit", "npl"])
def test_workbooks_labels_values_and_headers_all_filled(command, tmp_path, capsys) -> None:
    words = {"claim": COMMANDS["claim_tech"], "audit": COMMANDS["audit"], "npl": COMMANDS["npl"]}
    assert main([*_argv(words[command], tmp_path), "--out", str(tmp_path)]) in (0, 3, 4)
    capsys.readouterr()
    book = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))
    summary = list(book["summary 汇总"].iter_rows(min_row=2, values_only=True))
    keyed = [row for row in summary if row[1]]
    assert keyed and all(row[0] and row[4] for row in keyed), [r for r in keyed if not r[0]]
    assert not [row[0] for row in keyed if _ASCII_BESIDE_CJK.search(row[0])]
    labels = {row[1]: row[0] for row in keyed}
    assert labels.get("version", "软件版本") == "软件版本"
    rows = book[book.sheetnames[1]]
    chinese_headers = [cell.value for cell in rows[1]]
    assert all(re.search(f"[{CJK}]", str(h)) for h in chinese_headers), chinese_headers
    assert not [h for h in chinese_headers if _ASCII_BESIDE_CJK.search(str(h))]
    english_headers = [cell.value for cell in rows[2]]
    assert not [h for h in english_headers if re.search(f"[{CJK}]", str(h))]
    sources = list(book["sources 依据"].iter_rows(min_row=3, values_only=True))
    if command != "npl":
        assert sources and all(row[1] for row in sources)  # every figure's value
        values = {row[0]: row[1] for row in sources}
        assert values["ratio"] == "60%" and values["rates"].startswith("1.75%（自 2022-04-01 起）")
    assert not [row for row in sources if "seed" in str(row) or "later-notices" in str(row)]


def test_a_line_range_of_the_compilation_is_cited_by_its_title() -> None:
    notice = Notice("tech2022", "中国人民银行", "关于设立科技创新再贷款的通知")
    citation = Citation(notice, "三", (765, 767), "贷款本金的 60%")
    assert citation.english() == (
        "关于设立科技创新再贷款的通知, clause 三 (the 2022 policy compilation of the Kashgar "
        "positive and negative lists, lines 765-767: “贷款本金的 60%”)"
    )
    with using_language("zh"):
        assert citation.text() == (
            "关于设立科技创新再贷款的通知，条款：三；政策汇编第 765-767 行：“贷款本金的 60%”"
        )
        one = Citation(notice, "三", (767, 767), "自 2022 年 4 月 1 日起").text()
        assert one.endswith("政策汇编第 767 行：“自 2022 年 4 月 1 日起”")


@pytest.mark.parametrize(
    ("english", "chinese", "expected_en", "expected_zh"),
    [
        (
            "reprinted in the seed, lines 714-789",
            "全文载于政策汇编 seed 第 714-789 行",
            "reprinted in the 2022 policy compilation, lines 714-789",
            "全文载于政策汇编第 714-789 行",
        ),
        (
            "a.cn/x.html (graded C in later-notices.md); b.cn",
            "a.cn/x.html（later-notices.md 中评级为 C）；b.cn",
            "a.cn/x.html; b.cn",
            "a.cn/x.html；b.cn",
        ),
        (
            "1 year + 2 x 1 year, graded U (unconfirmed)",
            "1 年 + 2 次各 1 年展期，评级 U（未经证实）",
            "1 year + 2 × 1 year (unconfirmed)",
            "1 年 + 2 次各 1 年展期（未经证实）",
        ),
        (
            "known only from a secondary report (grade S); no text",
            "仅见于二手报道（评级 S）；无",
            "known only from a secondary report; no text",
            "仅见于二手报道；无",
        ),
    ],
)
def test_maintainers_words_of_the_data_are_left_out(english, chinese, expected_en, expected_zh):
    assert for_users(english) == expected_en
    with using_language("zh"):
        assert for_users(chinese) == expected_zh


def test_no_grade_or_maintainers_file_in_policy_show(capsys) -> None:
    for program in PolicyTable.package().programs:
        for lang in ("zh", "en"):
            assert main(["policy", "show", program, "--lang", lang]) == 0
            out = capsys.readouterr().out
            assert "later-notices" not in out and "seed" not in out, program
            assert not re.search(r"\bgraded?\b|评级|\([CSU]\)|（[CSU]）", out), program
            assert main(["policy", "show", program, "--lang", lang, "--json"]) == 0
            out = capsys.readouterr().out
            assert '"grade"' not in out and "later-notices" not in out, program
