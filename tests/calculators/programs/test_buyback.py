"""The stock buyback and shareholding-increase relending (buyback), on a hand-worked
golden ledger.

``buyback_2025Q2_boc.expected.md`` works every figure out by hand (never by calling
relend): 100% of 1,512,345,729 fen; a loan above 2.25%, a resident-id shareholder, a kind
outside the tool, a term over the maximum before (1 year) and after (3 years)
2025-05-07; a lender outside the 21 refused.
"""

from __future__ import annotations

import json
from typing import ClassVar

import pytest

from calculators.cli import main
from calculators.programs import buyback
from tests.paths import EXAMPLES, GOLDEN

from .goldens import GoldenClaim, read_golden

LEDGER = GOLDEN / "buyback_2025Q2_boc.csv"


class TestBuybackGolden(GoldenClaim):
    program = "buyback"
    ledger = LEDGER
    period = "2025Q2"
    lender = "BOC"
    lender_typed = "中国银行"
    status = 3
    workbook = True
    eligible_principal_fen = 1_512_345_729
    entitlement_fen = 1_512_345_729
    loans = (4, 6, 1)
    reasons: ClassVar = {
        "term_above_maximum": 2,
        "borrower_is_individual": 1,
        "borrower_kind_not_eligible": 1,
        "loan_rate_above_cap": 1,
        "invalid_loan_rate": 1,
    }
    versions: ClassVar = {
        "buyback-2024": (2, 1_012_345_678, 1_012_345_678),
        "buyback-2025": (2, 500_000_051, 500_000_051),
    }
    deadline = "2025-07-10"
    ratio = "1"
    details: ClassVar = {
        "B07": "borrower_kind='个人'",
        "B06": "loan_rate='2.26'",
        "B05": "borrower_id='410121196001010018'",
        "B04": "maturity_date='2028-07-01'",
    }


@pytest.mark.parametrize("lender", ["北京银行", "上饶银行", "BOSC"])
def test_lender_outside_the_21_is_refused(capsys, lender) -> None:
    argv = ["claim", "buyback", str(LEDGER), "--quarter", "2025Q2", "--lender", lender]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and lender in err[0] and "ICBC" in err[0], err


@pytest.mark.parametrize(
    ("text", "code"),
    [("上市公司", "listed_company"), (" ＬＩＳＴＥＤ_company ", "listed_company"),
     ("持股5%以上股东", "major_shareholder"), ("持股５％以上的股东", "major_shareholder"),
     ("控股股东", "major_shareholder"), ("个人", None), ("", None), ("金融机构", None)],
)  # fmt: skip
def test_borrower_kinds(text, code) -> None:
    assert buyback.borrower_kind(text) == code


def test_missing_kind_column_is_one_line(tmp_path, capsys) -> None:
    ledger = tmp_path / "l.csv"
    read_golden(LEDGER).drop(columns=["borrower_kind"]).to_csv(ledger, index=False)
    assert main(["claim", "buyback", str(ledger), "--quarter", "2025Q2", "--lender", "BOC"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "borrower_kind" in err[0] and "借款人类别" in err[0], err


# 1,000,000.00 yuan = 100,000,000 fen, one year, ACT/360:
#   2024-11-11 -> 2025-11-11 (Tue), 365 days at 1.75%: 1,750,000 x 365/360 = 1,774,305.56
#       -> 1,774,306
#   2025-07-10 -> 2026-07-10 (Fri), 365 days at 1.5% (class cut, inferred):
#       1,500,000 x 365/360 = 1,520,833.33 -> 1,520,833
@pytest.mark.parametrize(
    ("drawdown", "rate", "fen"),
    [("2024-11-11", "0.0175", 1_774_306), ("2025-07-10", "0.015", 1_520_833)],
)
def test_facility_and_no_extension_without_a_number(capsys, drawdown, rate, fen) -> None:
    argv = ["facility", "buyback", "--amount", "1,000,000.00", "--drawdown", drawdown, "--json"]
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["rate"], s["interest_fen"], s["max_extensions"]) == (rate, fen, None)
    assert main([*argv[:-1], "--extensions", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "max_extensions" in err[0] and "可视情况展期" in err[0], err


def test_a_policy_file_can_give_the_extensions(tmp_path, capsys) -> None:
    policy = tmp_path / "ext.toml"
    policy.write_text(
        """schema = 1
[program]
id = "buyback"
[[versions]]
id = "buyback-2024"
[versions.max_extensions]
value = 2
source = { notice = "buyback2024", clause = "可视情况展期: two, as agreed with the PBoC branch" }
""",
        encoding="utf-8",
    )
    argv = ["facility", "buyback", "--amount", "1.00", "--drawdown", "2024-11-11",
            "--extensions", "2", "--policy", str(policy), "--json"]  # fmt: skip
    assert main(argv) == 0
    assert len(json.loads(capsys.readouterr().out)["periods"]) == 3


def test_the_example_claim(capsys) -> None:
    # examples/buyback_ledger.csv (header 借款人类别): 100% of 80,000,000.00 + 15,000,000.00
    # yuan = 9,500,000,000 fen; one loan at 2.5% above the cap
    argv = ["claim", "buyback", str(EXAMPLES / "buyback_ledger.csv"), "--quarter", "2025Q3",
            "--lender", "ICBC", "--json"]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["entitlement_fen"], out["reasons"]["loan_rate_above_cap"]) == (9_500_000_000, 1)


def test_the_shared_header_still_names_transport_s_category(tmp_path, capsys) -> None:
    """借款人类别 is borrower_category for transport and borrower_kind for buyback: a
    transport ledger headed so is claimed as before (the hand-worked golden's total)."""
    golden = read_golden(GOLDEN / "transport_2022Q3_abc.csv")
    total = sum(int(x) for x in golden["expected_entitlement_fen"])
    ledger = tmp_path / "t.csv"
    golden.rename(columns={"borrower_category": "借款人类别"}).to_csv(ledger, index=False)
    argv = ["claim", "transport", str(ledger), "--quarter", "2022Q3", "--lender", "ABC",
            "--json"]  # fmt: skip
    assert main(argv) in (0, 3)
    assert json.loads(capsys.readouterr().out)["entitlement_fen"] == total


def test_audit(tmp_path, capsys) -> None:
    # B01 claimed 10,000,000.00 (1,000,000,000 fen, a match); B02 claimed 1.00 for a loan
    # over the 1-year term (overclaimed 100); B03, B10, B11 not claimed (underclaimed
    # 500,000,050 + 1 + 12,345,678 = 512,345,729)
    submitted = tmp_path / "s.csv"
    submitted.write_text('loan_id,claimed\nB01,"10,000,000.00"\nB02,1.00\n', encoding="utf-8")
    argv = ["audit", "buyback", str(LEDGER), "--submitted", str(submitted), "--quarter",
            "2025Q2", "--lender", "BOC", "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert (s["recomputed_fen"], s["submitted_fen"]) == (1_512_345_729, 1_000_000_100)
    assert (s["overclaimed_fen"], s["underclaimed_fen"], s["clawback_fen"]) == (
        100, 512_345_729, 100,
    )  # fmt: skip
