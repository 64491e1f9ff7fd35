"""Audit of a submitted claim against the golden ledger (hand-worked)."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from calculators.cli import main
from calculators.programs import tech as tech_relending
from calculators.tools import audit
from tests.calculators.programs.test_tech_golden import ELIGIBLE, GOLDEN, LEDGER

SUBMITTED = GOLDEN / "tech_2022Q2_icbc.submitted.csv"


def test_each_class_by_hand() -> None:
    # recomputed per loan: T01 60,000,000; T02 20,000; T03 1; T14 740,740; T15 420
    result = audit.audit("tech", LEDGER, SUBMITTED, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE)
    by_id = result.loans.set_index("loan_id")
    assert by_id.loc["T01", "class"] == "match"
    assert by_id.loc["T02", "class"] == "underclaimed"  # 19,999 claimed: floor, not split
    assert by_id.loc["T02", "difference_fen"] == -1
    assert by_id.loc["T03", "class"] == "not_claimed"
    assert by_id.loc["T04", "class"] == "overclaimed"
    assert by_id.loc["T04", "reason"] == "before_policy_start"
    assert by_id.loc["X99", "class"] == "not_in_ledger"
    invalid = result.loans[result.loans["class"] == "invalid"]
    # T06 was claimed with an amount that cannot be read ('abc'): its ledger row cannot
    # be compared (invalid, not a match at 0), and the submitted row is invalid too
    assert list(invalid["loan_id"]) == ["T06", "T06"]
    assert list(invalid["reason"]) == ["borrower_not_eligible", "invalid_claimed_amount"]
    assert list(invalid["detail"]) == [
        "its submitted amount could not be read (see its invalid row)",
        "申报金额='abc'",  # the column as headed in the file
    ]
    assert list(invalid["submitted_line"].astype(object)) == [pd.NA, 8]
    s = result.summary()
    # claimed: 60,000,000 + 19,999 + 30,000,000 + 740,740 + 420 + 100,000 = 90,861,159
    assert s["submitted_fen"] == 90_861_159
    assert s["recomputed_fen"] == 60_761_161
    assert s["overclaimed_fen"] == 30_100_000  # T04 30,000,000 + X99 100,000
    assert s["underclaimed_fen"] == 2  # T02 1 + T03 1
    assert s["net_difference_fen"] == 30_099_998
    assert s["clawback_fen"] == 30_100_000
    # one row per ledger row (19) and per submitted row not sharing one (X99, T06 'abc'):
    # 21 rows; matches are T01, T05, T07-T13 (T11's two ledger rows each), T14-T17 and
    # the ledger row without an id: 15; T06's two rows are invalid
    assert s["classes"] == {
        "overclaimed": 1, "duplicate_claim": 0, "not_in_ledger": 1, "underclaimed": 1,
        "not_claimed": 1, "invalid": 2, "match": 15,
    }  # fmt: skip
    assert len(result.loans) == 21
    # differences first
    assert list(result.loans["class"][:4]) == [
        "overclaimed", "not_in_ledger", "underclaimed", "not_claimed",
    ]  # fmt: skip


def test_tolerance_absorbs_one_fen_rounding() -> None:
    result = audit.audit(
        "tech", LEDGER, SUBMITTED, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE, tolerance_fen=1
    )
    by_id = result.loans.set_index("loan_id")
    assert by_id.loc["T02", "class"] == "match"
    assert by_id.loc["T03", "class"] == "match"
    s = result.summary()
    # T02 and T03 are each 1 fen short: within the tolerance, so not underclaimed
    assert s["underclaimed_fen"] == 0
    assert s["within_tolerance_fen"] == -2
    assert s["overclaimed_fen"] == s["clawback_fen"] == 30_100_000  # T04 and X99, unchanged
    assert s["net_difference_fen"] == 30_099_998  # 30,100,000 - 2: totals stay exact


def _own_submission() -> pd.DataFrame:
    loans = tech_relending.claim(LEDGER, "2022Q2", "ICBC", ELIGIBLE).loans
    valid = loans[(loans["status"] != "invalid") & (loans["loan_id"].str.strip() != "")]
    return pd.DataFrame({"loan_id": valid["loan_id"], "claimed_fen": valid["entitlement_fen"]})


def test_auditing_a_claim_against_itself_finds_nothing() -> None:
    result = audit.audit(
        "tech", LEDGER, _own_submission(), "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE
    )
    assert result.differences == 0
    s = result.summary()
    assert s["overclaimed_fen"] == s["underclaimed_fen"] == s["net_difference_fen"] == 0


@given(st.sampled_from(["T01", "T02", "T03", "T04", "T14", "T15"]), st.integers(-(10**6), 10**6))
def test_shifting_one_claim_by_k_moves_over_or_under_by_k(loan_id, k) -> None:
    sub = _own_submission()
    base = int(sub.loc[sub["loan_id"] == loan_id, "claimed_fen"].iloc[0])
    if base + k < 0:
        k = -base
    sub.loc[sub["loan_id"] == loan_id, "claimed_fen"] = base + k
    s = audit.audit("tech", LEDGER, sub, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE).summary()
    assert s["overclaimed_fen"] == max(k, 0)
    assert s["underclaimed_fen"] == max(-k, 0)
    assert s["net_difference_fen"] == k


def test_cli_audit_exit_4_and_outputs(tmp_path, capsys) -> None:
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE), encoding="utf-8")
    out = tmp_path / "audit"
    argv = ["audit", "tech", str(LEDGER), "--submitted", str(SUBMITTED), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(eligible), "--out", str(out),
            "--json"]  # fmt: skip
    assert main(argv) == 4
    payload = json.loads(capsys.readouterr().out)
    assert payload["overclaimed_fen"] == 30_100_000
    rows = pd.read_csv(out / "audit.csv", encoding="utf-8-sig", dtype=str)
    assert rows["class"].iloc[0] == "overclaimed"
    assert (out / "audit.xlsx").exists()


def test_chinese_headers_in_ledger_and_submission(tmp_path) -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False).rename(
        columns={"loan_id": "借据号", "borrower_id": "统一社会信用代码", "principal": "贷款金额"}
    )
    path = tmp_path / "台账.csv"
    frame.to_csv(path, index=False, encoding="gb18030")
    result = audit.audit("tech", path, SUBMITTED, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE)
    assert result.summary()["overclaimed_fen"] == 30_100_000
    from calculators.tools import facility

    back = facility.clawback(result.claim, ["T02", "T03"])
    assert back.returned_fen == 20_001
