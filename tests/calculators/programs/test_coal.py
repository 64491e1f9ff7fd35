"""Clean and efficient coal-use relending (煤炭清洁高效利用专项再贷款): the monthly claim on a
hand-worked golden ledger, the audit, the facility, bad input and a sanity check of the
policy data against a published aggregate.

Every expected figure is worked out by hand in ``tests/golden/coal_2022-06_ccb
.expected.md`` (never computed by calling relend).
"""

from __future__ import annotations

import json
import tomllib
from fractions import Fraction

import pandas as pd
import pytest

from calculators.cli import main
from calculators.programs import coal
from tests.paths import GOLDEN, ROOT

from .goldens import GoldenClaim, read_golden

LEDGER = GOLDEN / "coal_2022-06_ccb.csv"
EXAMPLE = ROOT / "examples" / "coal_ledger.csv"
POLICY = ROOT / "calculators" / "policies" / "coal.toml"

# coal_2022-06_ccb.expected.md: 100% of 8,277,901,233 fen (C01, C02, C07)
ENTITLEMENT = 8_277_901_233


def _golden() -> pd.DataFrame:
    return read_golden(LEDGER)


class TestCoalGolden(GoldenClaim):
    program = "coal"
    ledger = LEDGER
    period = "2022-06"
    lender = "CCB"
    lender_typed = "建设银行"
    status = 3  # C05, C06 are invalid
    eligible_principal_fen = entitlement_fen = ENTITLEMENT
    entitlement_yuan = "82,779,012.33"
    loans_total = 8
    loans = (3, 3, 2)
    policy = "coal-2021"
    # the 10th of the next month (assumed): 2022-07-10 is a Sunday
    deadline = "2022-07-11"


def test_text_output_names_the_unconfirmed_figures_as_assumed(capsys) -> None:
    assert main(["claim", "coal", str(LEDGER), "--quarter", "2022-06", "--lender", "CCB"]) == 3
    out = capsys.readouterr().out
    assert "apply by: 2022-07-11" in out
    assumed = next(line for line in out.splitlines() if "assumed figures" in line)
    # the term and extensions are in no source; the first loan date is the month's 1st;
    # the seven lenders are named by the reports of coal2023
    for name in ("max_extensions", "term_years", "first_disbursement"):
        assert name in assumed
    assert "ratio" not in assumed and "lenders" not in assumed


def test_the_assumed_monthly_deadline_is_named_in_the_output(capsys) -> None:
    main(["claim", "coal", str(LEDGER), "--quarter", "2022-06", "--lender", "CCB"])
    assumed = next(line for line in capsys.readouterr().out.splitlines() if "assumed" in line)
    assert "deadline_rule" in assumed


def test_a_month_s_first_and_last_days() -> None:
    # 2023-12 is the last month (to end-2023); 2021-11 the first (from 2021-11-01, assumed)
    frame = _golden().iloc[[0]].drop(columns=["expected_reason", "expected_policy_version",
                                               "expected_entitlement_fen", "why"])  # fmt: skip
    frame = pd.concat([frame] * 3, ignore_index=True)
    frame["loan_id"] = ["A", "B", "C"]
    frame["disbursement_date"] = ["2023-12-31", "2024-01-01", "2023-11-30"]
    frame["maturity_date"] = ["2024-12-31", "2025-01-01", "2024-11-30"]
    reasons = [str(r) for r in coal.claim(frame, "2023-12", "CCB").loans["reason"]]
    assert reasons == ["eligible", "after_policy_end", "outside_period"]
    frame["disbursement_date"] = ["2021-11-01", "2021-10-31", "2021-12-01"]
    reasons = [str(r) for r in coal.claim(frame, "2021-11", "CCB").loans["reason"]]
    assert reasons == ["eligible", "before_policy_start", "outside_period"]


# -- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(("lender", "code"), [("邮储银行", "PSBC"), ("中信银行", "CITIC")])
def test_a_lender_not_among_the_assumed_seven_is_refused(capsys, lender: str, code: str) -> None:
    argv = ["claim", "coal", str(LEDGER), "--quarter", "2022-06", "--lender", lender]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert lender in err and f"({code}) is not eligible for coal" in err
    assert "CDB, EXIM, ICBC, ABC, BOC, CCB, BOCOM" in err


@pytest.mark.parametrize("month", ["2024-01", "2021-10"])
def test_a_month_outside_every_version_is_refused(capsys, month: str) -> None:
    assert main(["claim", "coal", str(LEDGER), "--quarter", month, "--lender", "CCB"]) == 2
    err = capsys.readouterr().err
    assert month in err and "coal-2021: 2021-11-01 to 2023-12-31" in err


def test_a_quarter_for_this_monthly_tool_is_refused(capsys) -> None:
    assert main(["claim", "coal", str(LEDGER), "--quarter", "2022Q2", "--lender", "CCB"]) == 2
    err = capsys.readouterr().err
    assert "2022Q2" in err and "monthly" in err and "按月发放" in err


def test_a_policy_file_can_name_other_lenders(tmp_path) -> None:
    # the lenders are an assumption: a branch that knows them supplies them for one call
    policy = tmp_path / "lenders.toml"
    policy.write_text(
        'schema = 1\n[program]\nid = "coal"\n[notices.mine]\nissuer = "a branch"\n'
        'title = "a branch notice"\n[[versions]]\nid = "coal-2021"\n'
        'lenders = { value = ["PSBC"], source = { notice = "mine", clause = "1" } }\n',
        encoding="utf-8",
    )
    result = coal.claim(LEDGER, "2022-06", "PSBC", policy=policy)
    assert result.entitlement_fen == ENTITLEMENT
    assert result.summary()["policy_source"]["files"][0]["path"] == str(policy)


# -- the policy data against a published aggregate ------------------------------------


def test_published_aggregate_reproduces_the_ratio() -> None:
    """later-notices.md: carbon and coal relending of 1386亿 and 225亿 stand for 2535亿
    of loans: 1386 / 0.6 + 225 / r = 2310 + 225 / r = 2535 gives r = 1, the coal ratio."""
    data = tomllib.loads(POLICY.read_text(encoding="utf-8"))
    ratio = Fraction(data["versions"][0]["ratio"]["value"])
    assert Fraction(1386) / Fraction(3, 5) + Fraction(225) / ratio == 2535


def test_the_quota_raise_is_recorded() -> None:
    text = POLICY.read_text(encoding="utf-8")
    assert "2000亿" in text and "3000亿" in text


# -- audit ---------------------------------------------------------------------------


def test_audit_matches_and_overclaims(tmp_path, capsys) -> None:
    # C01, C02, C07 claimed as recomputed; C03 (2022-05) claimed 2,000,000.00: submitted
    # 8,277,901,233 + 200,000,000 = 8,477,901,233 fen, overclaimed 200,000,000
    submitted = tmp_path / "submitted.csv"
    submitted.write_text(
        "loan_id,claimed_fen\nC01,500000000\nC02,123456\nC07,7777777777\nC03,200000000\n",
        encoding="utf-8",
    )
    argv = ["audit", "coal", str(LEDGER), "--submitted", str(submitted), "--quarter",
            "2022-06", "--lender", "CCB", "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert (s["submitted_fen"], s["recomputed_fen"]) == (8_477_901_233, ENTITLEMENT)
    assert (s["overclaimed_fen"], s["underclaimed_fen"]) == (200_000_000, 0)
    assert s["classes"]["overclaimed"] == 1


# -- facility ------------------------------------------------------------------------

# coal_2022-06_ccb.expected.md: 8,277,901,233 fen drawn 2022-07-11, two extensions
PERIODS = [
    ("2022-07-11", "2023-07-11", 365, 146_875_261),
    ("2023-07-11", "2024-07-11", 366, 147_277_659),
    ("2024-07-11", "2025-07-11", 365, 146_875_261),
]


def test_facility_cli(capsys) -> None:
    argv = ["facility", "coal", "--amount", "82,779,012.33", "--drawdown", "2022-07-11",
            "--extensions", "2", "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["policy"], s["rate"]) == ("coal-2021", "0.0175")
    assert [(p["start"], p["end"], p["days"], p["interest_fen"]) for p in s["periods"]] == PERIODS
    assert s["interest_fen"] == 441_028_181


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--drawdown", "2024-04-01"], ["2024-04-01", "2021-11-01 to 2024-03-31"]),
        (["--drawdown", "2022-07-11", "--extensions", "3"], ["at most 2 for coal"]),
    ],
)
def test_facility_bad_input(capsys, argv: list[str], words: list[str]) -> None:
    assert main(["facility", "coal", "--amount", "100.00", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err


# -- the example ledger ----------------------------------------------------------------


def test_example_ledger(capsys) -> None:
    argv = ["claim", "coal", str(EXAMPLE), "--quarter", "2022-05", "--lender", "国家开发银行",
            "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    # examples/coal_ledger.csv: 120,000,000.00 + 35,000,000.00 = 155,000,000.00 yuan in
    # 2022-05; the 2022-06-01 loan is outside the month
    assert s["entitlement_fen"] == 15_500_000_000
    assert s["reasons"]["outside_period"] == 1
    assert s["deadline"] == "2022-06-10"
