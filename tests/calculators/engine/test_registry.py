"""The registry is the only place a program is defined: a toy program registered here,
with one rule and one policy file, is claimed and audited through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calculators import ExclusionRule, Program, RuleInput, register, registered
from calculators.cli import main
from calculators.engine.program import unregister

TOY_POLICY = """
schema = 1
[program]
id = "toy"
name_zh = "玩具再贷款"
name_en = "toy relending"
[notices.toy]
issuer = "relend tests"
title = "a toy notice"
date = "2030-01"
[[versions]]
id = "toy-2030"
title = "toy"
notice = "toy"
first_disbursement = { value = 2030-01-01, source = { notice = "toy", clause = "1" } }
last_disbursement = { value = 2030-12-31, source = { notice = "toy", clause = "1" } }
ratio = { value = "0.25", source = { notice = "toy", clause = "2" } }
min_term_months = { value = 0, source = { notice = "toy", clause = "2" } }
rates = { value = [{ from = 2030-01-01, rate = "0.01", source = { notice = "toy", clause = "3" } }], source = { notice = "toy", clause = "3" } }
term_years = { value = 1, source = { notice = "toy", clause = "3" } }
max_extensions = { value = 0, source = { notice = "toy", clause = "3" } }
cadence = { value = "quarterly", source = { notice = "toy", clause = "4" } }
lenders = { value = ["ICBC"], source = { notice = "toy", clause = "5" } }
borrower_rule = { value = "loans of at most 1,000.00 yuan", source = { notice = "toy", clause = "6" } }
day_count = { value = "ACT/360", source = { notice = "toy", clause = "3" } }
"""  # noqa: E501

BORROWER = "911101085011945813"


def _small_loans_only(given: RuleInput) -> np.ndarray:
    return given.columns.principal_fen > 100_000


@pytest.fixture
def toy(tmp_path: Path):
    policy = tmp_path / "toy.toml"
    policy.write_text(TOY_POLICY, encoding="utf-8")
    register(
        Program(
            id="toy",
            name_zh="玩具再贷款",
            name_en="toy relending",
            rules=(ExclusionRule("loan_too_large_for_toy", _small_loans_only),),
            policy_file=policy,
        )
    )
    yield
    unregister("toy")


def test_a_program_registered_in_a_test_is_claimed_through_the_cli(toy, tmp_path, capsys) -> None:
    ledger = tmp_path / "ledger.csv"
    pd.DataFrame(
        {
            "loan_id": ["Y1", "Y2", "Y3"],
            "borrower_id": [BORROWER] * 3,
            "principal": ["1,000.00", "1,000.01", "0.02"],
            "disbursement_date": ["2030-02-01", "2030-02-02", "2030-03-31"],
            "maturity_date": ["2030-08-01"] * 3,
        }
    ).to_csv(ledger, index=False)
    assert main(["claim", "toy", str(ledger), "--quarter", "2030Q1", "--lender", "ICBC",
                 "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    # eligible Y1 100,000 fen and Y3 2 fen: 25% of 100,002 = 25,000.5 -> 25,001 fen
    # (half up, once); Y2 is above the toy's cap
    assert out["entitlement_fen"] == 25_001
    assert out["reasons"]["loan_too_large_for_toy"] == 1
    assert out["policy"] == "toy-2030"
    assert out["policy_versions"][0]["entitlement_fen"] == 25_001
    assert main(["policy", "show", "toy", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["versions"][0]["figures"]["ratio"]["value"] == "0.25"


def test_the_toy_is_gone_after_unregistering() -> None:
    assert "toy" not in registered()
    assert set(registered()) >= {"tech", "transport"}


def _bad_toy_code(given: RuleInput) -> np.ndarray:
    return ~given.columns.frame["toy_code"].astype(str).str.fullmatch(r"\d+").to_numpy(bool)


@pytest.fixture
def toy_with_a_column(tmp_path: Path):
    policy = tmp_path / "toy.toml"
    policy.write_text(TOY_POLICY, encoding="utf-8")
    register(
        Program(
            id="toy",
            name_zh="玩具再贷款",
            name_en="toy relending",
            columns=("toy_code",),
            rules=(
                ExclusionRule("invalid_toy_code", _bad_toy_code, invalid=True, column="toy_code"),
            ),
            policy_file=policy,
        )
    )
    yield
    unregister("toy")


@pytest.mark.filterwarnings("ignore::calendars.ProvisionalCalendarWarning")  # 2030
def test_a_program_rule_can_find_invalid_rows_before_any_exclusion(toy_with_a_column) -> None:
    from calculators import claim

    ledger = pd.DataFrame(
        {
            "loan_id": ["Y1", "Y2", "Y3"],
            "borrower_id": [BORROWER] * 3,
            "principal": ["100.00"] * 3,
            # Y3 is outside 2030Q1 too: its bad code still makes it invalid, not excluded
            "disbursement_date": ["2030-02-01", "2030-02-02", "2030-05-01"],
            "maturity_date": ["2030-08-01"] * 3,
            "toy_code": ["12", "x1", "?"],
        }
    )
    res = claim("toy", ledger, "2030Q1", "ICBC")
    assert list(res.loans["status"].astype(str)) == ["eligible", "invalid", "invalid"]
    reasons = ["eligible", "invalid_toy_code", "invalid_toy_code"]
    assert list(res.loans["reason"].astype(str)) == reasons
    assert list(res.loans["detail"]) == ["", "toy_code='x1'", "toy_code='?'"]
    # 25% of 100.00 yuan
    assert res.entitlement_fen == 2_500
    assert res.summary()["reasons"]["invalid_toy_code"] == 2
    missing = ledger.drop(columns=["toy_code"])
    with pytest.raises(Exception, match="toy_code"):
        claim("toy", missing, "2030Q1", "ICBC")


@pytest.mark.parametrize("hook", ["warn", "summarize"])
def test_a_program_hook_must_say_how_its_parts_combine(hook) -> None:
    """A bare function would serve a claim in memory and fail a Dask ledger's: the
    program is refused when declared."""
    with pytest.raises(TypeError, match=f"toy: {hook} is a RowsHook"):
        Program(id="toy", name_zh="玩具再贷款", name_en="toy relending", **{hook: lambda rows: {}})
