"""The carbon emission reduction tool (carbon) and the affordable-housing relending
(housing), on hand-worked golden ledgers.

Every expected figure is worked out by hand in the ``*.expected.md`` beside each ledger
(never computed by calling relend):

- ``carbon_2024Q4_icbc``: 60% of 145,679,012 fen = 87,407,407.2 -> 87,407,407 fen; the
  field rule (``carbon_field``) by Chinese name, English code, case and spaces; a
  clean-energy kind that is not a field name, a blank field and a 2026 field excluded;
- ``housing_2024Q2_ccb``: 60% of 5,123,490,123 fen = 3,074,094,073.8 -> 3,074,094,074
  fen; a loan the day before 2024-05-17; a borrower not on the designated list;
- ``housing_2024Q3_ccb``: 60% of the loans disbursed to 2024-09-26 and 100% of those from
  2024-09-27, rounded once: 80,000,001.6 + 201,234,567 = 281,234,568.6 -> 281,234,569 fen.

Claims, the audit and the facility run through the CLI in-process.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from calculators import PolicyTable
from calculators.cli import main
from tests.paths import EXAMPLES, GOLDEN, POLICIES

from .goldens import GoldenClaim, assert_rows_match, read_golden

CARBON = GOLDEN / "carbon_2024Q4_icbc.csv"
CARBON_SUBMITTED = GOLDEN / "carbon_2024Q4_icbc.submitted.csv"
HOUSING = GOLDEN / "housing_2024Q2_ccb.csv"
HOUSING_LIST = GOLDEN / "housing_2024Q2_ccb.designated.txt"
HOUSING_Q3 = GOLDEN / "housing_2024Q3_ccb.csv"


def _golden(path: Path) -> pd.DataFrame:
    return read_golden(path)


def _cli_claim(tmp_path: Path, capsys, argv: list[str], status: int) -> tuple[dict, pd.DataFrame]:
    out = tmp_path / "out"
    assert main(["claim", *argv, "--json", "--out", str(out), "--no-xlsx"]) == status
    printed = json.loads(capsys.readouterr().out)
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return printed, loans


def _fail_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("relend: error: ")
    return err[0]


# -- carbon: claim ----------------------------------------------------------------------


class TestCarbonGolden(GoldenClaim):
    """The figures of ``carbon_2024Q4_icbc.expected.md``."""

    program = "carbon"
    ledger = CARBON
    period = "2024Q4"
    lender = "ICBC"
    lender_typed = "工商银行"
    status = 3  # C11 is invalid
    eligible_principal_fen = 145_679_012
    entitlement_fen = 87_407_407
    entitlement_yuan = "874,074.07"
    loans = (5, 5, 1)
    reasons: ClassVar = {"carbon_field_not_eligible": 3}
    policy = "carbon-2021"
    ratio = "0.6"
    deadline = "2025-01-10"
    details: ClassVar = {
        "C05": "carbon_field='风电'",
        "C06": "carbon_field=''",
        "C07": "carbon_field='节能改造'",
    }


@pytest.mark.parametrize("lender", ["上饶银行", "BOSC"])
def test_carbon_lender_outside_the_21_is_warned_not_refused(tmp_path, capsys, lender) -> None:
    """From 2022-09 local legal-person and foreign banks joined the carbon tool, not all
    named (lenders2023): a claim by 上饶银行 (named in no list of relend) or by 上海银行 is
    computed as any other (the golden's 87,407,407 fen) with the warning lender_not_named
    naming the notice. Refusing it, or computing it without a warning, fails."""
    argv = ["carbon", str(CARBON), "--quarter", "2024Q4", "--lender", lender]
    summary, loans = _cli_claim(tmp_path, capsys, argv, status=3)
    assert_rows_match(loans, _golden(CARBON))
    assert summary["entitlement_fen"] == 87_407_407
    warned = [w for w in summary["warnings"] if w["code"] == "lender_not_named"]
    assert len(warned) == 1 and "local legal-person and foreign banks" in warned[0]["message"]
    assert main(["claim", "carbon", str(CARBON), "--quarter", "2024Q4", "--lender", "ICBC",
                 "--json"]) == 3  # fmt: skip
    named = json.loads(capsys.readouterr().out)["warnings"]
    assert not [w for w in named if w["code"] == "lender_not_named"]


def test_carbon_field_column_is_required(tmp_path, capsys) -> None:
    ledger = tmp_path / "no_field.csv"
    _golden(CARBON).drop(columns=["carbon_field"]).to_csv(ledger, index=False)
    assert main(["claim", "carbon", str(ledger), "--quarter", "2024Q4", "--lender", "ICBC"]) == 2
    line = _fail_line(capsys)
    assert "carbon_field" in line and "碳减排领域" in line  # the column and its Chinese headers


def test_carbon_2025_version_is_flagged_as_assumed(tmp_path, capsys) -> None:
    # one clean-energy loan in 2025Q3: 0.6 x 1,000,000 fen = 600,000 fen under carbon-2025,
    # whose end date and ratio are assumptions (grade S)
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "loan_id,borrower_id,principal,disbursement_date,maturity_date,carbon_field\n"
        'K1,911101085011945813,"10,000.00",2025-08-01,2026-08-01,clean_energy\n',
        encoding="utf-8",
    )
    assert main(["claim", "carbon", str(ledger), "--quarter", "2025Q3", "--lender", "CMB",
                 "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert (out["policy"], out["entitlement_fen"]) == ("carbon-2025", 600_000)
    figures = out["sources_by_version"]["carbon-2025"]
    assert figures["last_disbursement"]["assumption"] is True
    assert figures["ratio"]["assumption"] is True


# -- carbon: audit ----------------------------------------------------------------------


def test_carbon_audit_cli(capsys) -> None:
    # submitted: C01 60,000,000, C02 15,000,000, C03 7,407,407, C04 2,000,000 match;
    # C05 300,000 fen for an excluded loan (overclaimed 300,000); C10 2,999,999 for
    # 3,000,000 (underclaimed 1). Net 87,407,406 + 300,000 - 87,407,407 = 299,999.
    argv = ["audit", "carbon", str(CARBON), "--submitted", str(CARBON_SUBMITTED),
            "--quarter", "2024Q4", "--lender", "ICBC", "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert s["recomputed_fen"] == 87_407_407
    assert s["submitted_fen"] == 87_707_406
    assert (s["overclaimed_fen"], s["underclaimed_fen"]) == (300_000, 1)
    assert s["net_difference_fen"] == 299_999
    assert s["clawback_fen"] == 300_000


# -- carbon: facility -------------------------------------------------------------------

# 600,000.00 yuan = 60,000,000 fen, no extension, ACT/360, rate of the drawdown date:
#   2024-07-10 -> 2025-07-10 (Thu), 365 days at 1.75%: 1,050,000 x 365/360 = 1,064,583.33
#       -> 1,064,583 (carbon-2021)
#   2025-05-06 -> 2026-05-06 (Wed), 365 days at 1.75%: 1,064,583 (the day before the cut)
#   2025-05-07 -> 2026-05-07 (Thu), 365 days at 1.5%: 900,000 x 365/360 = 912,500
#   2026-01-16 -> 2027-01-18 (the 16th is a Saturday), 367 days at 1.5%:
#       900,000 x 367/360 = 917,500
#   2026-01-19 -> 2027-01-19 (Tue), 365 days at 1.25%: 750,000 x 365/360 = 760,416.67
#       -> 760,417
CARBON_FACILITY = [
    ("2024-07-10", "carbon-2021", "0.0175", "2025-07-10", 365, 1_064_583),
    ("2025-05-06", "carbon-2025", "0.0175", "2026-05-06", 365, 1_064_583),
    ("2025-05-07", "carbon-2025", "0.015", "2026-05-07", 365, 912_500),
    ("2026-01-16", "carbon-2025", "0.015", "2027-01-18", 367, 917_500),
    ("2026-01-19", "carbon-2025", "0.0125", "2027-01-19", 365, 760_417),
]


@pytest.mark.parametrize(("drawdown", "version", "rate", "end", "days", "fen"), CARBON_FACILITY)
def test_carbon_facility_rate_of_the_drawdown_date(capsys, drawdown, version, rate, end, days,
                                                   fen) -> None:  # fmt: skip
    argv = ["facility", "carbon", "--amount", "600,000.00", "--drawdown", drawdown, "--json"]
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["policy"], s["rate"], s["maturity"]) == (version, rate, end)
    assert (s["periods"][0]["days"], s["interest_fen"]) == (days, fen)
    assert s["max_extensions"] == 2


def test_carbon_facility_third_extension_is_refused(capsys) -> None:
    argv = ["facility", "carbon", "--amount", "1.00", "--drawdown", "2024-07-10",
            "--extensions", "3"]  # fmt: skip
    assert main(argv) == 2
    assert "--extensions='3'" in _fail_line(capsys)  # as typed


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        # HSBC China in 2022Q2: not among the 21, and carbon's list opened only in 2022-09
        (
            ["claim", "carbon", str(CARBON), "--quarter", "2022Q2", "--lender", "汇丰银行"],
            ["汇丰银行", "ICBC"],
        ),
        # carbon starts 2021-11-08; carbon-2025 ends 2027-12-31 (an assumption)
        (
            ["claim", "carbon", str(CARBON), "--quarter", "2021Q3", "--lender", "ICBC"],
            ["2021Q3", "2021-11-08 to 2024-12-31", "2025-01-01 to 2027-12-31"],
        ),
        (
            ["claim", "carbon", str(CARBON), "--quarter", "2028Q1", "--lender", "ICBC"],
            ["2028Q1", "carbon"],
        ),
        # housing starts 2024-05-17
        (
            [
                "claim",
                "housing",
                str(HOUSING),
                "--quarter",
                "2024Q1",
                "--lender",
                "CCB",
                "--designated-purchasers",
                str(HOUSING_LIST),
            ],
            ["2024Q1", "2024-05-17 to 2024-09-26"],
        ),
        (
            [
                "claim",
                "housing",
                str(HOUSING),
                "--quarter",
                "2024Q2",
                "--lender",
                "渣打银行",
                "--designated-purchasers",
                str(HOUSING_LIST),
            ],
            ["渣打银行", "CCB"],
        ),
        (
            ["claim", "housing", str(HOUSING), "--quarter", "2024Q2", "--lender", "CCB"],
            ["--designated-purchasers"],
        ),
        (
            ["facility", "housing", "--amount", "1.00", "--drawdown", "2024-05-16"],
            ["2024-05-16", "2024-05-17"],
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words) -> None:
    assert main(argv) == 2
    line = _fail_line(capsys)
    for word in words:
        assert word in line, (word, line)


# -- housing ----------------------------------------------------------------------------


class TestHousing2024Q2Golden(GoldenClaim):
    """The figures of ``housing_2024Q2_ccb.expected.md``."""

    program = "housing"
    ledger = HOUSING
    period = "2024Q2"
    lender = "CCB"
    lender_typed = "建设银行"
    lists: ClassVar = {"designated_purchasers": HOUSING_LIST}
    status = 3  # H06 is invalid
    eligible_principal_fen = 5_123_490_123
    entitlement_fen = 3_074_094_074
    loans = (4, 3, 1)
    reasons: ClassVar = {"borrower_not_designated": 1}
    policy = "housing-2024"
    deadline = "2024-07-10"


class TestHousing2024Q3Golden(GoldenClaim):
    """housing_2024Q3_ccb.expected.md: G01, G02 and G07 (to 2024-09-26) at 60%, G03 and
    G04 (from 2024-09-27) at 100%, one rounding. A claim at 60% throughout (the old data)
    gives 200,740,743; at 100% throughout 334,567,903; rounding each version apart gives
    the same total here, but the per-loan leftover fen (G02 then G01) only with one
    denominator for both versions."""

    program = "housing"
    ledger = HOUSING_Q3
    period = "2024Q3"
    lender = "CCB"
    lender_typed = "CCB"
    lists: ClassVar = {"designated_purchasers": HOUSING_LIST}
    status = 0
    eligible_principal_fen = 334_567_903
    entitlement_fen = 281_234_569
    loans = (5, 2, 0)
    versions: ClassVar = {
        "housing-2024": (3, 133_333_336, 80_000_002),
        "housing-2024-09": (2, 201_234_567, 201_234_567),
    }
    deadline = "2024-10-10"

    def check_summary(self, summary: Mapping[str, Any]) -> None:
        super().check_summary(summary)
        # the split by disbursement date is an assumption, said in both versions' sources
        sources = summary["sources_by_version"]
        assert sources["housing-2024"]["last_disbursement"]["assumption"] is True
        assert sources["housing-2024-09"]["first_disbursement"]["assumption"] is True


def test_housing_split_date_is_a_policy_figure(tmp_path, capsys) -> None:
    # a policy file that gives 100% from the quarter's first day instead: every eligible
    # loan of the golden at 100%: 334,567,903 fen
    policy = tmp_path / "housing_q3.toml"
    policy.write_text(
        """schema = 1
[program]
id = "housing"
[[versions]]
id = "housing-2024"
[versions.last_disbursement]
value = 2024-06-30
source = { notice = "housing2024b", clause = "applied to every claim from 2024-09-27" }
[[versions]]
id = "housing-2024-09"
[versions.first_disbursement]
value = 2024-07-01
source = { notice = "housing2024b", clause = "applied to every claim from 2024-09-27" }
""",
        encoding="utf-8",
    )
    argv = ["claim", "housing", str(HOUSING_Q3), "--quarter", "2024Q3", "--lender", "CCB",
            "--designated-purchasers", str(HOUSING_LIST), "--policy", str(policy),
            "--json"]  # fmt: skip
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["entitlement_fen"] == 334_567_903


def test_housing_audit_cli(tmp_path, capsys) -> None:
    # H01 claimed 30,000,000.00 (3,000,000,000 fen, a match), H04 claimed 1.00 (not
    # designated: overclaimed 100), H03 not claimed (underclaimed 74,074,073; H07 and
    # H08 too: 1 and 20,000).
    submitted = tmp_path / "s.csv"
    submitted.write_text('loan_id,claimed\nH01,"30,000,000.00"\nH04,1.00\n', encoding="utf-8")
    argv = ["audit", "housing", str(HOUSING), "--submitted", str(submitted), "--quarter",
            "2024Q2", "--lender", "CCB", "--designated-purchasers", str(HOUSING_LIST),
            "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert s["recomputed_fen"] == 3_074_094_074
    assert (s["overclaimed_fen"], s["underclaimed_fen"]) == (100, 74_074_073 + 1 + 20_000)


# 600,000.00 yuan at 1.75% from 2024-07-10, four extensions (1,050,000 fen a 360-day year):
#   2024-07-10 -> 2025-07-10 365 days 1,064,583.33 -> 1,064,583
#   2025-07-10 -> 2026-07-10 365 days -> 1,064,583
#   2026-07-10 -> 2027-07-12 (the 10th is a Saturday) 367 days 1,070,416.67 -> 1,070,417
#   2027-07-12 -> 2028-07-10 (Mon) 364 days 1,061,666.67 -> 1,061,667
#   2028-07-10 -> 2029-07-10 (Tue) 365 days -> 1,064,583
#   total 3 x 1,064,583 + 1,070,417 + 1,061,667 = 5,325,833
def test_housing_facility_four_extensions(capsys) -> None:
    argv = ["facility", "housing", "--amount", "600,000.00", "--drawdown", "2024-07-10",
            "--extensions", "4", "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    got = [(p["start"], p["end"], p["days"], p["interest_fen"]) for p in s["periods"]]
    assert got == [
        ("2024-07-10", "2025-07-10", 365, 1_064_583),
        ("2025-07-10", "2026-07-10", 365, 1_064_583),
        ("2026-07-10", "2027-07-12", 367, 1_070_417),
        ("2027-07-12", "2028-07-10", 364, 1_061_667),
        ("2028-07-10", "2029-07-10", 365, 1_064_583),
    ]
    assert (s["rate"], s["interest_fen"]) == ("0.0175", 5_325_833)
    assert main([*argv[:-3], "--extensions", "5"]) == 2
    assert "at most 4" in _fail_line(capsys)


@pytest.mark.parametrize(("drawdown", "rate"), [("2025-05-07", "0.015"), ("2026-01-19", "0.0125")])
def test_housing_facility_rate_cuts(capsys, drawdown, rate) -> None:
    assert main(["facility", "housing", "--amount", "1.00", "--drawdown", drawdown,
                 "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["rate"] == rate


# -- policy data ------------------------------------------------------------------------


def test_carbon_published_aggregate_is_about_the_policy_ratio() -> None:
    """邹澜 (PBoC), press conference of 2023-08 (证券时报, m.fuzhuang.hzdx.com/cailiao/2023/
    0804/4918.html): at end-June 2023 the carbon tool's balance was 4530亿 and it
    supported more than 7500亿 of carbon-reduction loans. 4530 / 7500 = 0.604: within a
    point of the ratio of the version in force then. A test of the data, not the code."""
    row = next(r for r in PolicyTable.package().rows("carbon") if r.version == "carbon-2021")
    assert abs(Fraction(4530, 7500) - row.ratio.value) <= Fraction(1, 100)


def test_housing_quota_and_ratio_give_the_announced_lending() -> None:
    """The briefing of 2024-05-17: 3000亿 of relending at 60% of principal "可带动银行贷款
    5000亿元": 3000 / 0.6 = 5000."""
    row = PolicyTable.package().rows("housing")[0]
    assert Fraction(3000) / row.ratio.value == 5000


@pytest.mark.parametrize("name", ["carbon.toml", "housing.toml"])
def test_secondary_figures_are_assumptions(name: str) -> None:
    data = tomllib.loads((POLICIES / name).read_text(encoding="utf-8"))
    weak = {k for k, n in data["notices"].items() if n.get("grade") in ("S", "U")}
    for version in data["versions"]:
        for figure, raw in version.items():
            if isinstance(raw, dict) and raw["source"]["notice"] in weak:
                assert raw.get("assumption"), (version["id"], figure)


# -- examples ---------------------------------------------------------------------------


def test_the_examples_claim(capsys) -> None:
    # examples/carbon_ledger.csv: 0.6 x (12,000,000.00 + 3,500,000.50) yuan
    #   = 0.6 x 1,550,000,050 fen = 930,000,030 fen; 2 excluded by field
    argv = ["claim", "carbon", str(EXAMPLES / "carbon_ledger.csv"), "--quarter", "2024Q3",
            "--lender", "BOC", "--json"]  # fmt: skip
    assert main(argv) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert (out["entitlement_fen"], out["reasons"]["carbon_field_not_eligible"]) == (
        930_000_030, 2,
    )  # fmt: skip
    # examples/housing_ledger.csv: 1 x 250,000,000.00 yuan = 25,000,000,000 fen (2025:
    # housing-2024-09, 100%)
    argv = ["claim", "housing", str(EXAMPLES / "housing_ledger.csv"), "--quarter", "2025Q1",
            "--lender", "CDB", "--designated-purchasers",
            str(EXAMPLES / "housing_designated.txt"), "--json"]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["entitlement_fen"], out["reasons"]["borrower_not_designated"]) == (
        25_000_000_000, 1,
    )  # fmt: skip


def test_a_policy_file_can_add_the_2026_fields(tmp_path, capsys) -> None:
    # 节能改造 (added 2026-01-15) is not a field of the shipped carbon-2025: excluded. A
    # user policy file adding its code to carbon-2025's categories makes the loan
    # eligible: 0.6 x 2,000,000 fen = 1,200,000 fen.
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "loan_id,borrower_id,principal,disbursement_date,maturity_date,carbon_field\n"
        'R1,911101085011945813,"20,000.00",2026-02-02,2027-02-02,节能改造\n',
        encoding="utf-8",
    )
    argv = ["claim", "carbon", str(ledger), "--quarter", "2026Q1", "--lender", "ICBC", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["entitlement_fen"], out["reasons"]["carbon_field_not_eligible"]) == (0, 1)
    policy = tmp_path / "carbon2026.toml"
    policy.write_text(
        """schema = 1
[program]
id = "carbon"
[[versions]]
id = "carbon-2025"
[versions.categories]
value = ["clean_energy", "energy_saving_environmental", "carbon_reduction_technology",
         "energy_saving_retrofit"]
source = { notice = "expand2026", clause = "将节能改造...纳入碳减排支持工具支持领域" }
""",
        encoding="utf-8",
    )
    assert main([*argv, "--policy", str(policy)]) == 0
    assert json.loads(capsys.readouterr().out)["entitlement_fen"] == 1_200_000
