"""Hypothesis properties of claims over generated ledgers."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from calculators import RelendInputError, round_half_up, tech_relending, transport_relending

VALID = ["911101085011945813", "915101005446414621", "91420100102630063R", "913205002859570946"]
ELIGIBLE = VALID[:3]
COLUMNS = (
    "loan_id",
    "borrower_id",
    "principal",
    "currency",
    "disbursement_date",
    "maturity_date",
    "borrower_category",
)
BAD_IDS = ["915101005446414620", "", "12345", "91110108501194581X"]


def _date(day: dt.date, style: int) -> str:
    return [day.isoformat(), day.strftime("%Y/%m/%d"), day.strftime("%Y%m%d"),
            f"{day.year}年{day.month}月{day.day}日"][style]  # fmt: skip


principal = st.one_of(
    st.integers(min_value=1, max_value=10**11).map(lambda f: f"{f // 100:,}.{f % 100:02d}"),
    st.integers(min_value=1, max_value=10**9).map(str),
    st.sampled_from(["-1.00", "0", "1.234", "abc", ""]),
)
row = st.fixed_dictionaries(
    {
        "borrower_id": st.sampled_from(VALID + BAD_IDS[:1]),
        "principal": principal,
        "currency": st.sampled_from(["CNY", "CNY", "人民币", "USD"]),
        "disbursed": st.dates(dt.date(2022, 3, 1), dt.date(2022, 10, 31)),
        "term_days": st.integers(min_value=-5, max_value=800),
        "style": st.integers(min_value=0, max_value=3),
        "category": st.sampled_from(["logistics_sme", "道路普通货物运输企业", "other", ""]),
    }
)


def _ledger(rows: list[dict], prefix: str = "L") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": [f"{prefix}{i}" for i in range(len(rows))],
            "borrower_id": [r["borrower_id"] for r in rows],
            "principal": [r["principal"] for r in rows],
            "currency": [r["currency"] for r in rows],
            "disbursement_date": [_date(r["disbursed"], r["style"]) for r in rows],
            "maturity_date": [
                _date(r["disbursed"] + dt.timedelta(days=r["term_days"]), r["style"]) for r in rows
            ],
            "borrower_category": [r["category"] for r in rows],
        },
        dtype=str,
    )


ledgers = st.lists(row, min_size=0, max_size=40).map(_ledger)


@given(ledgers, st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(ledger, rnd) -> None:
    order = list(range(len(ledger)))
    rnd.shuffle(order)
    shuffled = ledger.iloc[order].reset_index(drop=True)
    a = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    b = tech_relending.claim(shuffled, "2022Q2", "ICBC", ELIGIBLE)
    assert a.entitlement_fen == b.entitlement_fen
    assert a.eligible_principal_fen == b.eligible_principal_fen
    by_id_a = a.loans.set_index("loan_id")["reason"].astype(str)
    by_id_b = b.loans.set_index("loan_id")["reason"].astype(str)
    assert by_id_a.sort_index().equals(by_id_b.sort_index())


@given(st.lists(row, max_size=25), st.lists(row, max_size=25))
def test_eligible_principal_is_additive_over_disjoint_ledgers(rows_a, rows_b) -> None:
    a, b = _ledger(rows_a, "A"), _ledger(rows_b, "B")
    both = pd.concat([a, b], ignore_index=True)
    total = tech_relending.claim(both, "2022Q2", "ICBC", ELIGIBLE).eligible_principal_fen
    parts = sum(
        tech_relending.claim(x, "2022Q2", "ICBC", ELIGIBLE).eligible_principal_fen for x in (a, b)
    )
    assert total == parts


@given(ledgers)
def test_entitlement_bounds_split_and_row_count(ledger) -> None:
    result = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    loans = result.loans
    assert len(loans) == len(ledger)
    assert list(loans["loan_id"]) == list(ledger["loan_id"])
    assert int(loans["entitlement_fen"].sum()) == result.entitlement_fen
    valid_principal = int(loans["principal_fen"].sum(skipna=True))
    assert 0 <= result.entitlement_fen <= round_half_up(Fraction(3, 5) * valid_principal)
    assert result.entitlement_fen == round_half_up(Fraction(3, 5) * result.eligible_principal_fen)
    assert set(loans["status"].astype(str)) <= {"eligible", "excluded", "invalid"}
    assert (loans.loc[loans["status"] != "eligible", "entitlement_fen"] == 0).all()


@given(
    st.lists(
        st.fixed_dictionaries({c: st.text(max_size=12) for c in COLUMNS}),
        max_size=15,
    )
)
def test_fuzzed_ledgers_never_raise_and_keep_every_row(rows) -> None:
    ledger = pd.DataFrame(
        rows,
        columns=list(COLUMNS),
        dtype=str,
    )
    for run in (
        lambda: tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE),
        lambda: transport_relending.claim(ledger, "2022Q3", "ABC", [VALID[0]]),
    ):
        try:
            result = run()
        except RelendInputError:
            continue
        assert len(result.loans) == len(ledger)
        assert result.loans["reason"].notna().all()


@given(ledgers, st.integers(min_value=1, max_value=7))
def test_block_size_changes_nothing(ledger, block) -> None:
    from unittest import mock

    from calculators import _claim

    whole = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    with mock.patch.object(_claim, "BLOCK_ROWS", block):
        blocked = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    pd.testing.assert_frame_equal(whole.loans, blocked.loans)
    assert whole.entitlement_fen == blocked.entitlement_fen
