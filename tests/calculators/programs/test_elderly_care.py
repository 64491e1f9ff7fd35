"""Inclusive elderly-care relending (普惠养老专项再贷款): the quarterly claim on a
hand-worked golden ledger, the borrower's province, the audit, the facility and bad input.

Every expected figure is worked out by hand in ``tests/golden/elderly_care_2022Q3_icbc
.expected.md`` (never computed by calling relend).
"""

from __future__ import annotations

import json
from typing import ClassVar

import pandas as pd
import pytest

from calculators import policies_for_period
from calculators.cli import main
from calculators.columnar.ids import province_codes
from calculators.programs import elderly_care
from calendars import Quarter
from tests.paths import EXAMPLES, GOLDEN

from .goldens import GoldenClaim, read_golden

LEDGER = GOLDEN / "elderly_care_2022Q3_icbc.csv"
EXAMPLE = EXAMPLES / "elderly_care_ledger.csv"

# elderly_care_2022Q3_icbc.expected.md: 100% of 458,456,784 fen (E01, E02, E03, E11, E13)
ENTITLEMENT = 458_456_784


def _golden() -> pd.DataFrame:
    return read_golden(LEDGER)


class TestElderlyCareGolden(GoldenClaim):
    program = "elderly_care"
    ledger = LEDGER
    period = "2022Q3"
    lender = "ICBC"
    lender_typed = "工商银行"
    status = 3  # E09 is invalid
    eligible_principal_fen = entitlement_fen = ENTITLEMENT
    entitlement_yuan = "4,584,567.84"
    loans_total = 14
    loans = (5, 8, 1)
    reasons: ClassVar = {"province_not_in_pilot": 4}
    policy = "elderly_care-2022"
    deadline = "2022-10-10"
    ratio = "1"
    # a borrower outside the pilot: the detail names the id
    details: ClassVar = {
        "E04": "borrower_id='9111010858227345UD'",
        "E12": "borrower_id='440121196001010013'",
        "E01": "",
    }


def test_text_output_names_the_assumed_figures(capsys) -> None:
    assert main(["claim", "elderly_care", str(LEDGER), "--quarter", "2022Q3", "--lender",
                 "ICBC"]) == 3  # fmt: skip
    out = capsys.readouterr().out
    assert "province_not_in_pilot" in out
    assumed = next(line for line in out.splitlines() if "assumed figures" in line)
    for name in ("last_disbursement", "rates", "day_count"):
        assert name in assumed


def test_loans_outside_the_five_after_the_widening_are_warned(capsys) -> None:
    """The pilot was widened after 2022-09-01 to provinces no source names: of the four
    rows outside the five (E04 2022-07-20, E05 2022-08-01, E12 2022-07-11, E10 2022-09-30)
    only E10 is from that day, so the warning counts 1 loan. A warning on every row
    outside the five (4), or none, fails."""
    assert main(["claim", "elderly_care", str(LEDGER), "--quarter", "2022Q3", "--lender",
                 "ICBC", "--json"]) == 3  # fmt: skip
    warned = [w for w in json.loads(capsys.readouterr().out)["warnings"]
              if w["code"] == "pilot_list_unknown"]  # fmt: skip
    assert len(warned) == 1
    assert "disbursed from 2022-09-01: 1." in warned[0]["message"]
    assert "--policy" in warned[0]["message"]


def test_no_widening_warning_when_every_loan_is_inside_the_five(tmp_path, capsys) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "loan_id,borrower_id,principal,disbursement_date,maturity_date\n"
        "A,9133010677690123XR,100.00,2025-07-01,2026-07-01\n",
        encoding="utf-8",
    )
    assert main(["claim", "elderly_care", str(ledger), "--quarter", "2025Q3", "--lender",
                 "ICBC", "--json"]) == 0  # fmt: skip
    codes = [w["code"] for w in json.loads(capsys.readouterr().out)["warnings"]]
    assert "pilot_list_unknown" not in codes


@pytest.mark.parametrize(
    ("borrower", "province"),
    [
        ("9133010677690123XR", 33),  # credit code: characters 3-4
        ("1311000040000293T3", 11),  # begins 13 (河北 if read at 1-2): registered in 北京
        ("410121196001010018", 41),  # resident id: characters 1-2
        ("440121196001010013", 44),
        ("５２３６０１００５０１１２３４５Ｋ４", 36),  # full width, read after NFKC
        (" 9132050074313568y9 ", 32),  # spaces and lower case
        ("91330106", -1),  # not 18 characters
    ],
)
def test_province_codes(borrower: str, province: int) -> None:
    assert list(province_codes(pd.Series([borrower]))) == [province]


def test_the_pilot_provinces_come_from_the_policy_file() -> None:
    row = policies_for_period("elderly_care", Quarter.parse("2022Q3"))[0]
    assert sorted(elderly_care.pilot_provinces(row)) == ["13", "32", "33", "36", "41"]


# -- bad input ----------------------------------------------------------------------


def test_a_lender_not_in_the_pilot_is_refused(capsys) -> None:
    argv = ["claim", "elderly_care", str(LEDGER), "--quarter", "2022Q3", "--lender", "邮储银行"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "邮储银行" in err and "(PSBC) is not eligible for elderly_care" in err
    assert "CDB, EXIM, ICBC, ABC, BOC, CCB, BOCOM" in err


def test_a_quarter_before_the_pilot_is_refused(capsys) -> None:
    argv = ["claim", "elderly_care", str(LEDGER), "--quarter", "2022Q1", "--lender", "ICBC"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "2022Q1" in err and "elderly_care-2022: from 2022-04-01" in err


def test_a_month_for_this_quarterly_tool_is_refused(capsys) -> None:
    argv = ["claim", "elderly_care", str(LEDGER), "--quarter", "2022-07", "--lender", "ICBC"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "2022-07" in err and "quarterly" in err and "2022Q3" in err


def test_a_policy_file_for_the_province_rule_is_used(tmp_path) -> None:
    # a user file giving the pilot as 广东 (44) alone: every loan the package's pilot
    # made eligible is now province_not_in_pilot, and only a borrower registered in 44
    # (excluded under the package's pilot) may become eligible
    policy = tmp_path / "provinces.toml"
    policy.write_text(
        'schema = 1\n[program]\nid = "elderly_care"\n[notices.mine]\nissuer = "a branch"\n'
        'title = "a branch notice"\n[[versions]]\nid = "elderly_care-2022"\n'
        'provinces = { value = ["44"], source = { notice = "mine", clause = "1" } }\n',
        encoding="utf-8",
    )
    shipped = elderly_care.claim(LEDGER, "2022Q3", "ICBC")
    mine = elderly_care.claim(LEDGER, "2022Q3", "ICBC", policy=policy)
    was = shipped.loans["reason"].astype(str)
    now = mine.loans["reason"].astype(str)
    assert (was == "eligible").any()
    assert (now[was == "eligible"] == "province_not_in_pilot").all()
    gained = (now == "eligible") & (was != "eligible")
    assert (was[gained] == "province_not_in_pilot").all()
    ids = mine.loans["borrower_id"].astype(str)
    assert all(i[2:4] == "44" or i[:2] == "44" for i in ids[gained])
    assert mine.summary()["policy_source"]["files"][0]["path"] == str(policy)


# -- audit ---------------------------------------------------------------------------


def test_audit_finds_a_claim_for_a_borrower_outside_the_pilot(tmp_path, capsys) -> None:
    # the five eligible loans claimed as recomputed, and E04 (北京) claimed 700,000.00:
    # submitted 458,456,784 + 70,000,000 = 528,456,784 fen, overclaimed 70,000,000
    submitted = tmp_path / "submitted.csv"
    submitted.write_text(
        '借据号,申报金额\nE01,"1,000,000.00"\nE02,"2,345,678.91"\nE03,"50,000.05"\n'
        'E11,"888,888.88"\nE13,"300,000.00"\nE04,"700,000.00"\n',
        encoding="utf-8",
    )
    argv = ["audit", "elderly_care", str(LEDGER), "--submitted", str(submitted),
            "--quarter", "2022Q3", "--lender", "ICBC", "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert (s["submitted_fen"], s["recomputed_fen"]) == (528_456_784, ENTITLEMENT)
    assert (s["overclaimed_fen"], s["underclaimed_fen"]) == (70_000_000, 0)
    assert s["classes"]["overclaimed"] == 1


# -- facility ------------------------------------------------------------------------


def test_facility_cli(capsys) -> None:
    # elderly_care_2022Q3_icbc.expected.md: 458,456,784 fen on 2022-10-10, 365 days at
    # 1.75% ACT/360 = 8,134,424.19 -> 8,134,424 fen
    argv = ["facility", "elderly_care", "--amount", "4,584,567.84", "--drawdown",
            "2022-10-10", "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["policy"], s["rate"], s["max_extensions"]) == ("elderly_care-2022", "0.0175", 2)
    assert [(p["start"], p["end"], p["days"]) for p in s["periods"]] == [
        ("2022-10-10", "2023-10-10", 365)
    ]
    assert s["interest_fen"] == 8_134_424


# 600,000.00 yuan = 60,000,000 fen, one year, ACT/360, the rate of the drawdown date (the
# class cuts, an inferred membership):
#   2025-05-06 -> 2026-05-06 (Wed), 365 days at 1.75%: 1,050,000 x 365/360 = 1,064,583.33
#       -> 1,064,583 (the day before the cut)
#   2025-07-15 -> 2026-07-15 (Wed), 365 days at 1.5%: 900,000 x 365/360 = 912,500
#   2026-03-16 -> 2027-03-16 (Tue), 365 days at 1.25%: 750,000 x 365/360 = 760,416.67
#       -> 760,417
@pytest.mark.parametrize(
    ("drawdown", "rate", "end", "fen"),
    [
        ("2025-05-06", "0.0175", "2026-05-06", 1_064_583),
        ("2025-07-15", "0.015", "2026-07-15", 912_500),
        ("2026-03-16", "0.0125", "2027-03-16", 760_417),
    ],
)
def test_facility_takes_the_class_rate_cuts(capsys, drawdown, rate, end, fen) -> None:
    argv = ["facility", "elderly_care", "--amount", "600,000.00", "--drawdown", drawdown,
            "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["policy"], s["rate"], s["maturity"]) == ("elderly_care-2022", rate, end)
    assert (s["periods"][0]["days"], s["interest_fen"]) == (365, fen)


def test_facility_third_extension_is_refused(capsys) -> None:
    argv = ["facility", "elderly_care", "--amount", "100.00", "--drawdown", "2022-10-10",
            "--extensions", "3"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "3" in err and "at most 2 for elderly_care" in err


# -- the example ledger ----------------------------------------------------------------


def test_example_ledger(capsys) -> None:
    argv = ["claim", "elderly_care", str(EXAMPLE), "--quarter", "2022Q2", "--lender", "CCB",
            "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    # examples/elderly_care_ledger.csv: eligible 3,000,000.00 (浙江) + 1,200,000.00 (江苏)
    # + 800,000.50 (河南) = 5,000,000.50 yuan; 广东 and 上海 outside the pilot
    assert s["entitlement_fen"] == 500_000_050
    assert s["reasons"]["province_not_in_pilot"] == 2
    assert s["deadline"] == "2022-07-11"  # 2022-07-10 is a Sunday


def test_a_user_policy_file_may_change_the_pilot_provinces(tmp_path) -> None:
    # the shipped pilot is 浙江 33, 江苏 32, 河南 41, 河北 13, 江西 36; a user file that
    # supersedes the provinces figure of elderly-care-2022 alone is read for that call
    from calculators import PolicyTable

    text = (
        'schema = 1\n[program]\nid = "elderly_care"\n'
        '[notices.branch]\nissuer = "某分行"\ntitle = "试点范围调整"\n'
        "[[versions]]\n"
        f'id = "{PolicyTable.package().program("elderly_care").versions[0].version}"\n'
        '[versions.provinces]\nvalue = ["11"]\nsource = { notice = "branch", clause = "一" }\n'
    )
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    row = PolicyTable.package().with_file(path).rows("elderly_care")[0]
    assert row.figure("provinces").value == ("11",)
    assert row.origin.startswith("sha256:")
    assert "provinces" in row.sources()
