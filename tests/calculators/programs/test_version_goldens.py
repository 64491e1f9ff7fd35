"""Claims across policy versions, on hand-worked golden ledgers.

Every expected figure is in the golden files, worked out by hand with the arithmetic in
the ``*.expected.md`` beside each ledger (never computed by calling relend):

- ``tech_2024Q2_boc``: one quarter, two versions (tech-2022 to 2024-04-06, tech-2024 from
  2024-04-07), one rounding for the claim and a remainder tie decided by row order;
- ``tech_2025Q3_ccb``: a tech-2024 claim and its relending drawn on the deadline at 1.5%,
  with two extensions;
- ``transport_2023Q1_abc`` and ``transport_2022Q4_abc``: the five borrower kinds added in
  2023 are eligible under transport-2023 (claimed month by month) and not under
  transport-2022;
- ``transport_2023-05_abc``: a month of 2023, its deadline rolled over a weekend, and the
  quarter refused naming its months.

Each claim is run through the Python API and through the CLI in-process (``--json`` and
``--out``, reading ``loans.csv`` back), and every row's reason, policy version and
entitlement is compared with the golden file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from calculators import REASON_ALIASES
from calculators.cli import main
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from calculators.tools import facility
from calendars import ProvisionalCalendarWarning
from tests.paths import GOLDEN

from .goldens import GoldenClaim

D = dt.date

TECH_2024Q2 = GOLDEN / "tech_2024Q2_boc.csv"
TECH_2024Q2_LIST = GOLDEN / "tech_2024Q2_boc.eligible.txt"
TECH_2025Q3 = GOLDEN / "tech_2025Q3_ccb.csv"
TECH_2025Q3_LIST = GOLDEN / "tech_2025Q3_ccb.eligible.txt"
TRANSPORT_2023Q1 = GOLDEN / "transport_2023Q1_abc.csv"
TRANSPORT_2022Q4 = GOLDEN / "transport_2022Q4_abc.csv"
DISHONEST = GOLDEN / "transport_2023Q1_abc.dishonest.txt"
TRANSPORT_2023_05 = GOLDEN / "transport_2023-05_abc.csv"


def _golden(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _assert_rows_match(loans: pd.DataFrame, golden: pd.DataFrame) -> None:
    """Every row, in ledger order: loan id, reason, policy version and entitlement."""
    assert len(loans) == len(golden)
    assert list(loans["loan_id"].astype(str)) == list(golden["loan_id"])
    got = pd.DataFrame(
        {
            "loan_id": golden["loan_id"],
            "reason": [REASON_ALIASES.get(str(r), str(r)) for r in loans["reason"]],
            "policy_version": loans["policy_version"].astype(object).fillna("").astype(str),
            "entitlement_fen": [int(x) for x in loans["entitlement_fen"]],
        }
    )
    want = pd.DataFrame(
        {
            "loan_id": golden["loan_id"],
            "reason": golden["expected_reason"],
            "policy_version": golden["expected_policy_version"],
            "entitlement_fen": [int(x) for x in golden["expected_entitlement_fen"]],
        }
    )
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)


def _cli_claim(
    tmp_path: Path, capsys, argv: list[str], status: int = 0
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run ``relend claim ... --json --out DIR``; the printed summary and loans.csv.
    ``status`` 3: done, with invalid rows."""
    out = tmp_path / "out"
    assert main(["claim", *argv, "--json", "--out", str(out), "--no-xlsx"]) == status
    printed = json.loads(capsys.readouterr().out)
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert written["entitlement_fen"] == printed["entitlement_fen"]
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return printed, loans


# -- tech 2024Q2: tech-2022 and tech-2024 in one quarter ------------------------------

# tech_2024Q2_boc.expected.md: eligible principal 229,512,347 fen; entitlement
# round_half_up(3/5 x 229,512,347 = 137,707,408.2) = 137,707,408 (rounding each version
# on its own would give 77,700,001 + 60,007,408 = 137,707,409).
TECH_2024Q2_VERSIONS = {
    "tech-2022": (3, 129_500_001, 77_700_000),
    "tech-2024": (4, 100_012_346, 60_007_408),
}


class TestTech2024Q2Golden(GoldenClaim):
    program = "tech"
    ledger = TECH_2024Q2
    period = "2024Q2"
    lender = "BOC"
    lender_typed = "中国银行"
    lists: ClassVar = {"eligible_borrowers": TECH_2024Q2_LIST}
    status = 3  # V12 is invalid
    eligible_principal_fen = 229_512_347
    entitlement_fen = 137_707_408
    entitlement_yuan = "1,377,074.08"
    loans_total = 13
    loans = (7, 5, 1)
    ratio = "0.6"
    deadline = "2024-07-10"
    versions = TECH_2024Q2_VERSIONS

    def check_summary(self, summary: Mapping[str, Any]) -> None:
        super().check_summary(summary)
        assert sum(v[2] for v in TECH_2024Q2_VERSIONS.values()) == summary["entitlement_fen"]
        assert set(summary["sources_by_version"]) == {"tech-2022", "tech-2024"}


def test_tech_2024q2_remainder_tie_goes_to_the_earlier_row() -> None:
    # V03 (row 3, tech-2024, disbursed 2024-04-07) and V09 (row 9, tech-2022, disbursed
    # 2024-04-03) both have remainder 3/5 and one fen is left for them after V04's 4/5:
    # the earlier row takes it, whatever the dates or versions. Reversing the two rows
    # gives the fen to V09.
    frame = _golden(TECH_2024Q2)
    loans = tech_relending.claim(frame, "2024Q2", "BOC", TECH_2024Q2_LIST).loans
    ent = dict(zip(loans["loan_id"], loans["entitlement_fen"], strict=True))
    assert (ent["V03"], ent["V09"], ent["V04"]) == (48_000_001, 60_000_000, 7_407_407)
    order = list(frame.index)
    order[2], order[8] = order[8], order[2]
    swapped = tech_relending.claim(frame.loc[order], "2024Q2", "BOC", TECH_2024Q2_LIST).loans
    ent = dict(zip(swapped["loan_id"], swapped["entitlement_fen"], strict=True))
    assert (ent["V03"], ent["V09"], ent["V04"]) == (48_000_000, 60_000_001, 7_407_407)


# -- tech 2025Q3 and its relending -----------------------------------------------------

# tech_2025Q3_ccb.expected.md: 3/5 x 100,004,000 = 60,002,400 fen, split 20,000,000 (S01),
# 20,000,000 (S02), 20,002,400 (S03); deadline 2025-10-10 (a Friday after the 1-8 October
# break of 国办发明电〔2024〕12号).


class TestTech2025Q3Golden(GoldenClaim):
    program = "tech"
    ledger = TECH_2025Q3
    period = "2025Q3"
    lender = "CCB"
    lender_typed = "CCB"
    lists: ClassVar = {"eligible_borrowers": TECH_2025Q3_LIST}
    status = 0
    eligible_principal_fen = 100_004_000
    entitlement_fen = 60_002_400
    loans_total = 5
    loans = (3, 2, 0)
    policy = "tech-2024"
    deadline = "2025-10-10"
    versions: ClassVar = {"tech-2024": (3, 100_004_000, 60_002_400)}


def test_tech_2025q3_deadline_cli(capsys) -> None:
    assert main(["deadline", "2025Q3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deadline"] == "2025-10-10"


# The relending of the 2025Q3 claim, 60,002,400 fen drawn on the deadline 2025-10-10 at
# 1.5% (the rate from 2025-05-07), ACT/360, 900,036 fen a 360-day year:
#   2025-10-10 -> 2026-10-10 (a working Saturday, 国办发明电〔2025〕7号): 365 days,
#       900,036 x 365 / 360 = 912,536.5 -> 912,537 (half up)
#   2026-10-10 -> 2027-10-11 (the 10th is a Sunday): 366 days, 915,036.6 -> 915,037
#   2027-10-11 -> 2028-10-10 (a Tuesday): 365 days, 912,536.5 -> 912,537
#   total 2,740,111 fen = 27,401.11 yuan
FACILITY_PERIODS = [
    (D(2025, 10, 10), D(2026, 10, 10), 365, Fraction(73, 72), 912_537),
    (D(2026, 10, 10), D(2027, 10, 11), 366, Fraction(61, 60), 915_037),
    (D(2027, 10, 11), D(2028, 10, 10), 365, Fraction(73, 72), 912_537),
]


def test_tech_2025q3_facility_at_1_5_percent_api() -> None:
    with pytest.warns(ProvisionalCalendarWarning):  # 2027 and 2028 are not published
        s = facility.schedule("tech", 60_002_400, D(2025, 10, 10), 2)
    got = [(p.start, p.end, p.days, p.year_fraction, p.interest_fen) for p in s.periods]
    assert got == FACILITY_PERIODS
    assert s.rate == Decimal("0.015")
    assert s.policy.version == "tech-2024"
    assert s.interest_fen == 2_740_111
    assert s.maturity == D(2028, 10, 10)
    assert s.calendar_status == "provisional"


def test_tech_2025q3_facility_at_1_5_percent_cli(capsys) -> None:
    argv = ["facility", "tech", "--amount", "600,024.00", "--drawdown", "2025-10-10",
            "--extensions", "2", "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["policy"], s["rate"], s["amount_fen"]) == ("tech-2024", "0.015", 60_002_400)
    assert (s["drawdown"], s["maturity"], s["extensions"]) == ("2025-10-10", "2028-10-10", 2)
    got = [(p["start"], p["end"], p["days"], p["interest_fen"]) for p in s["periods"]]
    assert got == [(a.isoformat(), b.isoformat(), d, i) for a, b, d, _, i in FACILITY_PERIODS]
    assert (s["interest_fen"], s["interest_yuan"]) == (2_740_111, "27,401.11")
    assert s["calendar_status"] == "provisional"


# -- transport 2023Q1 and 2022Q4: the kinds added in 2023 -----------------------------


# transport_2023Q1_abc.expected.md: 100% of 491,913,628 fen (Y01-Y06, Y10), claimed as the
# three months of 2023Q1: per month the eligible rows, entitlement and deadline.
TRANSPORT_2023Q1_MONTHS = {
    "2023-01": (("Y01", "Y02"), 173_456_789, "2023-02-10"),
    "2023-02": (("Y03", "Y04"), 275_000_051, "2023-03-10"),
    "2023-03": (("Y05", "Y06", "Y10"), 43_456_788, "2023-04-10"),
}


def _golden_for_month(month: str) -> pd.DataFrame:
    """The 2023Q1 golden as one month's claim sees it: rows of the quarter's other months
    are outside_period with nothing claimed (transport_2023Q1_abc.expected.md)."""
    golden = _golden(TRANSPORT_2023Q1).copy()
    other = golden["disbursement_date"].str.startswith("2023-0") & ~golden[
        "disbursement_date"
    ].str.startswith(month)
    other &= golden["expected_reason"] != "after_policy_end"
    golden.loc[other, "expected_reason"] = "outside_period"
    golden.loc[other, "expected_entitlement_fen"] = "0"
    return golden


@pytest.mark.parametrize("month", sorted(TRANSPORT_2023Q1_MONTHS))
def test_transport_2023_months_api(month) -> None:
    rows, fen, deadline = TRANSPORT_2023Q1_MONTHS[month]
    result = transport_relending.claim(TRANSPORT_2023Q1, month, "ABC", DISHONEST)
    _assert_rows_match(result.loans, _golden_for_month(month))
    summary = result.summary()
    assert (summary["loans_eligible"], summary["entitlement_fen"]) == (len(rows), fen)
    assert (summary["policy"], summary["deadline"]) == ("transport-2023", deadline)
    assert summary["screening"]["dishonest"] != "not_screened"


def test_transport_2023_months_add_up_to_the_quarter() -> None:
    assert sum(v[1] for v in TRANSPORT_2023Q1_MONTHS.values()) == 491_913_628


class TestTransport2023MayGolden(GoldenClaim):
    """transport_2023-05_abc.expected.md: 100,000,001 fen; due 2023-06-12 (the 10th is a
    Saturday). A quarterly deadline (2023-07-10) or a claim of M03/M04 fails it."""

    program = "transport"
    ledger = TRANSPORT_2023_05
    period = "2023-05"
    period_option = "--period"
    lender = "ABC"
    lender_typed = "ABC"
    status = 0
    eligible_principal_fen = 100_000_001
    entitlement_fen = 100_000_001
    loans_total = 5
    loans = (2, 3, 0)
    policy = "transport-2023"
    deadline = "2023-06-12"


@pytest.mark.parametrize(
    ("quarter", "months"),
    [("2023Q1", "2023-01, 2023-02, 2023-03"), ("2023Q2", "2023-04, 2023-05, 2023-06")],
)
def test_transport_2023_quarter_is_refused_naming_the_months(capsys, quarter, months) -> None:
    argv = ["claim", "transport", str(TRANSPORT_2023_05), "--quarter", quarter, "--lender",
            "ABC"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and months in err[0] and "32号" in err[0], err


# transport_2022Q4_abc.expected.md: 100% of 104,567,890 fen (Z06, Z08).
class TestTransport2022Q4Golden(GoldenClaim):
    program = "transport"
    ledger = TRANSPORT_2022Q4
    period = "2022Q4"
    lender = "ABC"
    lender_typed = "农业银行"
    lists: ClassVar = {"dishonest": DISHONEST}
    status = 0
    eligible_principal_fen = 104_567_890
    entitlement_fen = 104_567_890
    loans_total = 9
    loans = (2, 7, 0)
    policy = "transport-2022"
    deadline = "2023-01-10"
    versions: ClassVar = {"transport-2022": (2, 104_567_890, 104_567_890)}


def test_the_golden_files_add_up() -> None:
    """The golden columns agree with the totals written out in the expected.md files."""
    for path, total in [
        (TECH_2024Q2, 137_707_408),
        (TECH_2025Q3, 60_002_400),
        (TRANSPORT_2023Q1, 491_913_628),
        (TRANSPORT_2022Q4, 104_567_890),
        (TRANSPORT_2023_05, 100_000_001),
    ]:
        assert sum(int(x) for x in _golden(path)["expected_entitlement_fen"]) == total


def test_a_2023_kind_in_2022q4_is_not_reported_as_a_misspelling(capsys) -> None:
    # Z01-Z05 are category_not_eligible (transport_2022Q4_abc.expected.md) because
    # transport-2022 does not cover their kinds; the values are the 2023 notice's words.
    summary = transport_relending.claim(TRANSPORT_2022Q4, "2022Q4", "ABC", DISHONEST).summary()
    listed = summary["unrecognized"].get("borrower_category", {})
    assert "中小微物流仓储企业" not in listed
    argv = ["claim", "transport", str(TRANSPORT_2022Q4), "--quarter", "2022Q4",
            "--lender", "ABC", "--dishonest", str(DISHONEST)]  # fmt: skip
    assert main(argv) == 0
    assert "borrower_category '中小微物流仓储企业'" not in capsys.readouterr().out


# -- tech-2024: the first-loan sub-quota (2024-04-07 to 2025-05-06) -------------------

FIRST_LOANS = """借据号,统一社会信用代码,贷款金额,发放日期,到期日期,首贷
F1,911101085011945813,"1,000,000.00",2025-04-10,2026-04-10,是
F2,915101005446414621,333.33,2025-05-06,2025-11-06,Y
F3,911101085011945813,"500,000.00",2025-05-07,2026-05-07,是
F4,915101005446414621,"200,000.00",2025-04-20,2026-04-20,否
F5,911101085011945813,100.00,2025-04-21,2026-04-21,maybe
F6,913205002859570946,"400,000.00",2025-04-22,2026-04-22,是
"""


def test_first_loans_of_the_sub_quota_are_shown_apart(tmp_path, capsys) -> None:
    """Worked by hand: eligible F1-F5 (F6's borrower is not on the list), 0.6 x
    (100,000,000 + 33,333 + 50,000,000 + 20,000,000 + 10,000 = 170,043,333)
    = 102,025,999.8 -> 102,026,000; floors 60,000,000 + 19,999 + 30,000,000 + 12,000,000
    + 6,000 = 102,025,999, the one leftover fen to F2 (remainder 4/5): F2 20,000.
    First loans of the window: F1 and F2 (F3 is flagged but from 2025-05-07, when the
    sub-quotas merged; F4 says 否; F5's flag is unreadable; F6 is not eligible):
    principal 100,000,000 + 33,333 = 100,033,333, entitlement 60,000,000 + 20,000 =
    60,020,000."""
    ledger = tmp_path / "first.csv"
    ledger.write_text(FIRST_LOANS, encoding="utf-8")
    argv = ["tech", str(ledger), "--quarter", "2025Q2", "--lender", "CCB",
            "--eligible-borrowers", str(TECH_2025Q3_LIST)]  # fmt: skip
    summary, _loans = _cli_claim(tmp_path, capsys, argv)
    assert summary["entitlement_fen"] == 102_026_000
    first = summary["first_loans"]
    assert (first["loans"], first["principal_fen"], first["entitlement_fen"]) == (
        2, 100_033_333, 60_020_000,
    )  # fmt: skip
    assert (first["from"], first["to"], first["unreadable"]) == ("2024-04-07", "2025-05-06", 1)
    argv = ["claim", *argv]
    assert main(argv) == 0
    assert "first loans (首贷) from 2024-04-07 to 2025-05-06: 2 loans" in capsys.readouterr().out
    assert main([*argv, "--lang", "zh"]) == 0
    assert "2024-04-07 至 2025-05-06 的首贷：2 笔" in capsys.readouterr().out


def test_no_first_loan_column_no_first_loans_entry() -> None:
    result = tech_relending.claim(TECH_2025Q3, "2025Q3", "CCB", TECH_2025Q3_LIST)
    assert "first_loans" not in result.summary()
