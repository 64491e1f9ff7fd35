"""Hypothesis properties of claims over generated ledgers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pandas as pd
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from calculators import RelendInputError
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from tests.calculators.oracles import largest_remainder_split

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
# the policy's and the quarters' first and last days, and month ends
BOUNDARY_DAYS = [dt.date(2022, 3, 31), dt.date(2022, 4, 1), dt.date(2022, 4, 30),
                 dt.date(2022, 5, 1), dt.date(2022, 5, 31), dt.date(2022, 6, 30),
                 dt.date(2022, 7, 1), dt.date(2022, 8, 31), dt.date(2022, 9, 30)]  # fmt: skip
row = st.fixed_dictionaries(
    {
        "borrower_id": st.sampled_from(VALID + BAD_IDS[:1]),
        "principal": principal,
        "currency": st.sampled_from(["CNY", "CNY", "人民币", "USD"]),
        "disbursed": st.one_of(
            st.dates(dt.date(2022, 3, 1), dt.date(2022, 10, 31)),
            st.sampled_from(BOUNDARY_DAYS),
        ),
        # around six months (181 to 184 days, as the months fall) and around zero
        "term_days": st.one_of(
            st.integers(min_value=-5, max_value=800),
            st.integers(min_value=180, max_value=185),
            st.integers(min_value=-1, max_value=1),
        ),
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
# rows a tech 2022Q2 claim takes but for the term, with small principals (1 to 30 fen):
# many loans share each remainder, so where the leftover fen stop decides between tied
# rows; terms around six months (181 to 184 days, as the months fall)
eligible_row = st.fixed_dictionaries(
    {
        "borrower_id": st.sampled_from(ELIGIBLE),
        "principal": st.integers(min_value=1, max_value=30).map(lambda f: f"0.{f:02d}"),
        "currency": st.just("CNY"),
        "disbursed": st.dates(dt.date(2022, 4, 1), dt.date(2022, 6, 30)),
        "term_days": st.one_of(
            st.integers(min_value=200, max_value=400), st.integers(min_value=180, max_value=185)
        ),
        "style": st.integers(min_value=0, max_value=3),
        "category": st.just("logistics_sme"),
    }
)


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


def _oracle_fen(text: str) -> int | None:
    """The principal in fen as the README states the rule, or None: yuan with at most
    two decimals (the generator only writes 2), thousands grouped by three, above 0."""
    if not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?", text):
        return None
    fen = int(Decimal(text.replace(",", "")) * 100)
    return fen if fen > 0 else None


INVALID = {"invalid_borrower_id", "invalid_principal", "maturity_not_after_disbursement"}


def _oracle_reason(r: dict, program: str) -> str:
    """The first reason that applies, written from the README and the notices, not from
    the code: tech 2022Q2 (from 2022-04-01, term at least 6 months, borrower listed),
    transport 2022Q3 (2022-05-01 to 2022-12-31, category, not dishonest)."""
    disbursed = r["disbursed"]
    matures = disbursed + dt.timedelta(days=r["term_days"])
    tech = program == "tech"
    start, end = (dt.date(2022, 4, 1), dt.date(2022, 6, 30)) if tech else (
        dt.date(2022, 7, 1), dt.date(2022, 9, 30))  # fmt: skip
    checks = [
        ("invalid_borrower_id", r["borrower_id"] not in VALID),
        ("invalid_principal", _oracle_fen(r["principal"]) is None),
        ("maturity_not_after_disbursement", matures <= disbursed),
        ("non_cny", r["currency"] not in ("CNY", "人民币")),
        ("before_policy_start", disbursed < (dt.date(2022, 4, 1) if tech else dt.date(2022, 5, 1))),
        ("outside_period", not start <= disbursed <= end),
    ]
    if tech:
        # six calendar months, clamped at month end (relativedelta does the clamping)
        checks.append(("term_under_minimum", matures < disbursed + relativedelta(months=6)))
        checks.append(("borrower_not_eligible", r["borrower_id"] not in ELIGIBLE))
    else:
        checks.append(("category_not_eligible", r["category"] not in CATEGORIES))
        checks.append(("borrower_dishonest", r["borrower_id"] == DISHONEST))
    return next((name for name, applies in checks if applies), "eligible")


CATEGORIES = ("logistics_sme", "道路普通货物运输企业")
DISHONEST = VALID[0]


@given(st.lists(st.one_of(row, eligible_row), max_size=40))
def test_every_row_reason_and_amount_match_a_hand_written_oracle(rows) -> None:
    ledger = _ledger(rows)
    for program, result, ratio in (
        ("tech", tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE), Fraction(3, 5)),
        ("transport", transport_relending.claim(ledger, "2022Q3", "ABC", [DISHONEST]), Fraction(1)),
    ):
        loans = result.loans
        reasons = [_oracle_reason(r, program) for r in rows]
        assert list(loans["loan_id"]) == list(ledger["loan_id"])
        assert list(loans["reason"].astype(str)) == reasons, program
        status = [
            "eligible" if x == "eligible" else "invalid" if x in INVALID else "excluded"
            for x in reasons
        ]
        assert list(loans["status"].astype(str)) == status, program
        principal = [_oracle_fen(r["principal"]) for r in rows]
        assert [None if pd.isna(x) else int(x) for x in loans["principal_fen"]] == principal
        eligible = [p if x == "eligible" else 0 for p, x in zip(principal, reasons, strict=True)]
        assert result.eligible_principal_fen == sum(eligible)
        split = largest_remainder_split([p or 0 for p in eligible], ratio)
        assert list(loans["entitlement_fen"]) == split, program
        assert result.entitlement_fen == sum(split)


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

    from calculators.engine import split as _split

    whole = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    with mock.patch.object(_split, "BLOCK_ROWS", block):
        blocked = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    pd.testing.assert_frame_equal(whole.loans, blocked.loans)
    assert whole.entitlement_fen == blocked.entitlement_fen


@given(ledgers, st.integers(min_value=1, max_value=7), st.data())
def test_block_size_changes_nothing_with_repeated_loan_ids(ledger, block, data) -> None:
    """Loan ids repeated within and across blocks (stripped alike, an empty one never a
    duplicate): the search over the whole ledger runs beside the blocks, and its answer
    must reach every block's codes."""
    from unittest import mock

    from calculators.engine import split as _split

    ids = st.sampled_from(["A", "B", " A", "B ", "", "C"])
    ledger = ledger.assign(
        loan_id=data.draw(st.lists(ids, min_size=len(ledger), max_size=len(ledger)))
    )
    whole = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    with mock.patch.object(_split, "BLOCK_ROWS", block):
        blocked = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    pd.testing.assert_frame_equal(whole.loans, blocked.loans)
    assert whole.entitlement_fen == blocked.entitlement_fen


def test_a_loan_id_repeated_in_another_block_is_a_duplicate_in_both() -> None:
    """By hand: seven rows in blocks of two; A (rows 1 and 3, one with a space) and B
    (rows 2 and 6) are each in two blocks; row 5's id is empty; C and D are alone."""
    from unittest import mock

    from calculators.engine import split as _split

    rows = [{"borrower_id": ELIGIBLE[0], "principal": "100.00", "currency": "CNY",
             "disbursed": dt.date(2022, 4, 15), "term_days": 365, "style": 0,
             "category": "logistics_sme"}] * 7  # fmt: skip
    ledger = _ledger(rows).assign(loan_id=["A", "B", " A", "C", "", "B", "D"])
    with mock.patch.object(_split, "BLOCK_ROWS", 2):
        blocked = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    assert list(blocked.loans["reason"]) == [
        "duplicate_loan_id", "duplicate_loan_id", "duplicate_loan_id", "eligible",
        "invalid_loan_id", "duplicate_loan_id", "eligible",
    ]  # fmt: skip
    assert blocked.entitlement_fen == 2 * 6_000  # 60% of C's and D's 10,000 fen
