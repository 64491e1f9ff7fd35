"""Equipment-renewal relending (设备更新改造专项再贷款): the monthly claim on a hand-worked
golden ledger, the loan-rate column, the audit, the facility and bad input.

Every expected figure is worked out by hand in ``tests/golden/equipment_2022-10_boc
.expected.md`` (never computed by calling relend).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from decimal import Decimal
from typing import ClassVar

import pandas as pd
import pytest

from calculators.cli import main
from calculators.engine.rules import parse_loan_rate
from calculators.programs import equipment
from tests.paths import EXAMPLES, GOLDEN

from .goldens import GoldenClaim, assert_rows_match, read_golden

LEDGER = GOLDEN / "equipment_2022-10_boc.csv"
LIST = GOLDEN / "equipment_2022-10_boc.eligible.txt"
EXAMPLE = EXAMPLES / "equipment_ledger.csv"

# equipment_2022-10_boc.expected.md: 100% of 1,418,333,484 fen (Q01, Q02, Q03, Q14, Q16)
ENTITLEMENT = 1_418_333_484


def _golden() -> pd.DataFrame:
    return read_golden(LEDGER)


def _assert_rows(loans: pd.DataFrame) -> None:
    assert_rows_match(loans, _golden())


class TestEquipmentGolden(GoldenClaim):
    """The option is named ``--quarter``; a month such as 2022-10 is the period of this
    tool."""

    program = "equipment"
    ledger = LEDGER
    period = "2022-10"
    lender = "BOC"
    lender_typed = "中国银行"
    lists: ClassVar = {"eligible_borrowers": LIST}
    status = 3  # four invalid rates
    eligible_principal_fen = entitlement_fen = ENTITLEMENT
    entitlement_yuan = "14,183,334.84"
    loans_total = 16
    loans = (5, 7, 4)
    reasons: ClassVar = {
        "loan_rate_above_cap": 3,
        "invalid_loan_rate": 4,
        "borrower_not_eligible": 1,
    }
    policy = "equipment-2022"
    # the 10th of the next month (assumed): 2022-11-10, a Thursday
    deadline = "2022-11-10"
    details: ClassVar = {
        "Q04": "loan_rate='3.21'",
        "Q06": "loan_rate=''",
        "Q07": "loan_rate='0.032'",
        "Q13": "loan_rate='abc'",
        "Q01": "",
    }


def test_text_output_names_the_invalid_rates_and_assumed_figures(capsys) -> None:
    argv = ["claim", "equipment", str(LEDGER), "--quarter", "2022-10", "--lender", "BOC",
            "--eligible-borrowers", str(LIST)]  # fmt: skip
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert "equipment relending claim  BOC" in out
    assert "2022-10" in out
    assert "invalid_loan_rate" in out and "loan_rate='3,2'" in out
    assumed = next(line for line in out.splitlines() if "assumed figures" in line)
    # the 21 lenders (inferred from the groups) and the day count; the two extensions are
    # stated by the PBoC's text (equipment2022text), no longer assumed
    for name in ("lenders", "day_count"):
        assert name in assumed
    assert "max_extensions" not in assumed


def test_the_assumed_monthly_deadline_is_named_in_the_output(capsys) -> None:
    argv = ["claim", "equipment", str(LEDGER), "--quarter", "2022-10", "--lender", "BOC",
            "--eligible-borrowers", str(LIST)]  # fmt: skip
    main(argv)
    assumed = next(line for line in capsys.readouterr().out.splitlines() if "assumed" in line)
    assert "deadline_rule" in assumed


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("3.2", Decimal("0.032")),
        ("3.20", Decimal("0.032")),
        ("3.2%", Decimal("0.032")),
        (" 3.20 % ", Decimal("0.032")),
        ("３．２０％", Decimal("0.032")),
        ("3.2001", Decimal("0.032001")),
        ("1", Decimal("0.01")),
        ("0.5%", Decimal("0.005")),
        ("99.99", Decimal("0.9999")),
    ],
)
def test_accepted_rates(text: str, rate: Decimal) -> None:
    assert parse_loan_rate(text) == rate


@pytest.mark.parametrize(
    "text", ["", "0.032", "0.99", "0", "0%", "100", "-3.2", "+3.2", "3,2", "3.2e0", "3.", ".5",
             "3.2%%", "abc", "3.2 5", "1,000"],
)  # fmt: skip
def test_refused_rates(text: str) -> None:
    assert parse_loan_rate(text) is None


def test_rates_are_compared_exactly_at_the_cap() -> None:
    frame = _golden().head(1).drop(columns=["expected_reason", "expected_policy_version",
                                            "expected_entitlement_fen", "why"])  # fmt: skip
    frame = pd.concat([frame] * 4, ignore_index=True)
    frame["loan_id"] = ["A", "B", "C", "D"]
    frame["loan_rate"] = ["3.2000000000", "3.2000000001", "3.19999999999", "3.20%"]
    reasons = [str(r) for r in equipment.claim(frame, "2022-10", "BOC", LIST).loans["reason"]]
    assert reasons == ["eligible", "loan_rate_above_cap", "eligible", "eligible"]


def test_a_ledger_without_loan_rate_is_refused(tmp_path, capsys) -> None:
    ledger = tmp_path / "ledger.csv"
    _golden().drop(columns=["loan_rate"]).to_csv(ledger, index=False)
    argv = ["claim", "equipment", str(ledger), "--quarter", "2022-10", "--lender", "BOC",
            "--eligible-borrowers", str(LIST)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    # the column is required by the program, and its accepted headers are named
    assert "a loan_rate column" in err and "执行利率" in err


def test_the_rate_column_may_have_a_chinese_header() -> None:
    frame = _golden().rename(columns={"loan_rate": "执行利率"})
    loans = equipment.claim(frame, "2022-10", "BOC", LIST).loans
    _assert_rows(loans)
    detail = dict(zip(loans["loan_id"], loans["detail"], strict=True))
    assert detail["Q04"] == "loan_rate='3.21'"


# -- bad input ----------------------------------------------------------------------


def test_a_lender_relend_does_not_know_is_refused(capsys) -> None:
    argv = ["claim", "equipment", str(LEDGER), "--quarter", "2022-10", "--lender", "北京银行",
            "--eligible-borrowers", str(LIST)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "北京银行" in err and "eligible for equipment" in err and "CBHB" in err


def test_a_month_outside_every_version_is_refused(capsys) -> None:
    argv = ["claim", "equipment", str(LEDGER), "--quarter", "2023-02", "--lender", "BOC",
            "--eligible-borrowers", str(LIST)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "2023-02" in err and "equipment-2022: 2022-09-01 to 2022-12-31" in err


def test_a_quarter_for_this_monthly_tool_is_refused(capsys) -> None:
    argv = ["claim", "equipment", str(LEDGER), "--quarter", "2022Q4", "--lender", "BOC",
            "--eligible-borrowers", str(LIST)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "2022Q4" in err and "monthly" in err and "2022-10" in err


def test_the_list_is_required(capsys) -> None:
    argv = ["claim", "equipment", str(LEDGER), "--quarter", "2022-10", "--lender", "BOC"]
    assert main(argv) == 2
    assert "--eligible-borrowers" in capsys.readouterr().err


def test_a_policy_file_for_the_rate_rule_is_used(tmp_path) -> None:
    # a user file lowering the cap to 3%: a loan eligible at a rate above 3.00% and at
    # most 3.20% under the package's cap is now loan_rate_above_cap, the others unchanged
    policy = tmp_path / "cap.toml"
    policy.write_text(
        'schema = 1\n[program]\nid = "equipment"\n[notices.mine]\nissuer = "a branch"\n'
        'title = "a branch notice"\n[[versions]]\nid = "equipment-2022"\n'
        'loan_rate_cap = { value = "0.03", source = { notice = "mine", clause = "1" } }\n',
        encoding="utf-8",
    )
    shipped = equipment.claim(LEDGER, "2022-10", "BOC", LIST)
    mine = equipment.claim(LEDGER, "2022-10", "BOC", LIST, policy=policy)
    was = shipped.loans["reason"].astype(str)
    now = mine.loans["reason"].astype(str)
    rate = [unicodedata.normalize("NFKC", r).rstrip("%") for r in _golden()["loan_rate"]]
    # eligible rows have readable rates (Q01 3.2, Q02 3.20%, Q14 ３．１５％ are above 3%)
    above_3 = [w == "eligible" and Decimal(r) > 3 for w, r in zip(was, rate, strict=True)]
    assert any(above_3), "the golden has an eligible loan between 3% and 3.2%"
    for moved, before, after in zip(above_3, was, now, strict=True):
        assert after == ("loan_rate_above_cap" if moved else before)


# -- audit ---------------------------------------------------------------------------


def test_audit_finds_the_overclaims(tmp_path, capsys) -> None:
    # Q01, Q03, Q14, Q16 claimed as recomputed; Q02 1 fen too much (3,333,333.34); Q04
    # (rate above the cap) claimed 500,000.00. Submitted 1,000,000,000 + 333,333,334 + 101
    # + 25,000,050 + 60,000,000 + 50,000,000 = 1,468,333,485 fen; recomputed 1,418,333,484;
    # overclaimed 1 + 50,000,000 = 50,000,001.
    submitted = tmp_path / "submitted.csv"
    submitted.write_text(
        'loan_id,claimed\nQ01,"10,000,000.00"\nQ02,"3,333,333.34"\nQ03,1.01\n'
        'Q14,"250,000.50"\nQ16,"600,000.00"\nQ04,"500,000.00"\n',
        encoding="utf-8",
    )
    argv = ["audit", "equipment", str(LEDGER), "--submitted", str(submitted), "--quarter",
            "2022-10", "--lender", "BOC", "--eligible-borrowers", str(LIST), "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert s["submitted_fen"] == 1_468_333_485
    assert s["recomputed_fen"] == ENTITLEMENT
    assert (s["overclaimed_fen"], s["underclaimed_fen"]) == (50_000_001, 0)
    assert s["net_difference_fen"] == 50_000_001
    assert s["classes"]["overclaimed"] == 2


# -- facility ------------------------------------------------------------------------

# equipment_2022-10_boc.expected.md: 100,000,000 fen on 2022-11-10 at 1.75%, two extensions,
# ACT/360: 1,774,306 + 1,784,028 + 1,769,444 = 5,327,778 fen
PERIODS = [
    ("2022-11-10", "2023-11-10", 365, 1_774_306),
    ("2023-11-10", "2024-11-11", 367, 1_784_028),
    ("2024-11-11", "2025-11-10", 364, 1_769_444),
]


def test_facility_cli(capsys) -> None:
    argv = ["facility", "equipment", "--amount", "1,000,000.00", "--drawdown", "2022-11-10",
            "--extensions", "2", "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["policy"], s["rate"], s["max_extensions"]) == ("equipment-2022", "0.0175", 2)
    got = [(p["start"], p["end"], p["days"], p["interest_fen"]) for p in s["periods"]]
    assert got == PERIODS
    assert (s["interest_fen"], s["maturity"]) == (5_327_778, "2025-11-10")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--drawdown", "2022-11-10", "--extensions", "3"], ["3", "at most 2"]),
        (["--drawdown", "2023-04-01"], ["2023-04-01", "2022-09-01 to 2023-03-31"]),
        (["--drawdown", "2022-08-31"], ["2022-08-31", "equipment"]),
    ],
)
def test_facility_bad_input(capsys, argv: list[str], words: list[str]) -> None:
    assert main(["facility", "equipment", "--amount", "1,000,000.00", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err


def test_facility_last_drawdown_is_accepted() -> None:
    from calculators.tools import facility

    s = facility.schedule("equipment", 100, dt.date(2023, 3, 31))
    assert s.policy.version == "equipment-2022"


# -- the example ledger ----------------------------------------------------------------


def test_example_ledger(capsys) -> None:
    eligible = EXAMPLE.with_name("equipment_eligible.csv")
    argv = ["claim", "equipment", str(EXAMPLE), "--quarter", "2022-12", "--lender", "ICBC",
            "--eligible-borrowers", str(eligible), "--json"]  # fmt: skip
    assert main(argv) == 3
    s = json.loads(capsys.readouterr().out)
    # examples/equipment_ledger.csv: eligible
    # 2,000,000.00 + 1,500,000.00 = 3,500,000.00 yuan; one rate above the cap, one
    # unreadable rate, one borrower not on the list
    assert s["entitlement_fen"] == 350_000_000
    assert s["reasons"]["loan_rate_above_cap"] == 1
    assert s["reasons"]["invalid_loan_rate"] == 1
    assert s["reasons"]["borrower_not_eligible"] == 1
