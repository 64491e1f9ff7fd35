"""The audit keeps every submitted fen (hand-worked on the golden tech ledger).

Recomputed per loan (tests/golden/tech_2022Q2_icbc.expected.md): T01 60,000,000 fen;
T02 20,000; T03 1; T14 740,740; T15 420; every other loan 0. Total 60,761,161 fen.
The ledger has 19 rows (lines 2-20 of the file, the header being line 1).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.cli import main
from calculators.tools import audit
from tests.calculators.programs.test_tech_golden import ELIGIBLE, LEDGER

RECOMPUTED = {"T01": 60_000_000, "T02": 20_000, "T03": 1, "T14": 740_740, "T15": 420}
LEDGER_ROWS = 19


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _run(tmp_path: Path, submitted: str, *extra: str) -> tuple[int, dict, Path]:
    sub = _write(tmp_path / "submitted.csv", submitted)
    eligible = _write(tmp_path / "eligible.txt", "\n".join(ELIGIBLE))
    out = tmp_path / "audit"
    argv = ["audit", "tech", str(LEDGER), "--submitted", str(sub), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(eligible), "--out", str(out),
            "--json", *extra]  # fmt: skip
    status = main(argv)
    return status, json.loads((out / "summary.json").read_text(encoding="utf-8")), out


def _csv_rows(out: Path) -> list[dict[str, str]]:
    text = (out / "audit.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_loan_submitted_twice_counts_both_rows_and_claws_back_the_excess(
    tmp_path, capsys
) -> None:
    # T01 twice at 500,000.00 yuan = 50,000,000 fen each; T02 exactly its 20,000 fen.
    # submitted 50,000,000 x 2 + 20,000 = 100,020,000 fen
    # T01: claimed 100,000,000 - recomputed 60,000,000 = overclaim 40,000,000 (400,000.00)
    # underclaimed: T03 1 + T14 740,740 + T15 420 = 741,161 (not claimed at all)
    # net 100,020,000 - 60,761,161 = 39,258,839 = 40,000,000 - 741,161
    status, s, out = _run(
        tmp_path, '借据号,申报金额\nT01,"500,000.00"\nT02,200.00\nT01,"500,000.00"\n'
    )
    assert status == 4
    assert json.loads(capsys.readouterr().out)["submitted_fen"] == 100_020_000
    assert s["submitted_fen"] == 100_020_000
    assert s["overclaimed_fen"] == 40_000_000
    assert s["clawback_fen"] == 40_000_000
    assert s["clawback_yuan"] == "400,000.00"
    assert s["underclaimed_fen"] == 741_161
    assert s["net_difference_fen"] == 39_258_839
    assert s["classes"]["duplicate_claim"] == 2
    assert s["duplicate_claim_loans"] == 1
    t01 = [r for r in _csv_rows(out) if r["loan_id"] == "T01"]
    assert sorted(r["submitted_line"] for r in t01) == ["2", "4"]
    assert {r["class"] for r in t01} == {"duplicate_claim"}
    assert [r["claimed_fen"] for r in t01] == ["50000000", "50000000"]
    assert sorted(r["overclaimed_fen"] for r in t01) == ["", "40000000"]  # once per loan
    assert all("T01" in r["detail"] and "2" in r["detail"] for r in t01)


def test_a_difference_within_the_tolerance_is_a_match_and_never_clawed_back(tmp_path) -> None:
    # T01 +1 fen (600,000.01), T02 -1 fen (199.99), T03, T14, T15 exact; tolerance 1 fen:
    # every loan a match, nothing over, nothing under, net +1 - 1 = 0.
    # Exit 3: no difference, but the ledger has 9 invalid rows.
    status, s, out = _run(
        tmp_path,
        'loan_id,claimed\nT01,"600,000.01"\nT02,199.99\nT03,0.01\nT14,"7,407.40"\nT15,4.20\n',
        "--tolerance-fen", "1",
    )  # fmt: skip
    assert status == 3
    assert s["clawback_fen"] == 0
    assert s["overclaimed_fen"] == 0
    assert s["underclaimed_fen"] == 0
    assert s["differences"] == 0
    assert s["net_difference_fen"] == 0
    rows = {r["loan_id"]: r for r in _csv_rows(out)}
    assert rows["T01"]["class"] == "match"
    assert rows["T01"]["overclaimed_fen"] == "0"
    assert rows["T01"]["difference_fen"] == "1"


def test_tolerance_is_per_loan_and_a_larger_difference_is_clawed_back_whole(tmp_path) -> None:
    # T01 +2 fen with tolerance 1: overclaimed by the whole 2 fen, not 2 - 1
    status, s, _ = _run(tmp_path, "loan_id,claimed_fen\nT01,60000002\n", "--tolerance-fen", "1")
    assert status == 4
    assert s["overclaimed_fen"] == s["clawback_fen"] == 2


def test_largest_amount_round_trips_exactly(tmp_path, capsys) -> None:
    # 99,999,999,999,999.99 yuan = 9,999,999,999,999,999 fen (> 2**53 = 9,007,199,254,740,992)
    # overclaim on T01: 9,999,999,999,999,999 - 60,000,000 = 9,999,999,939,999,999
    big = 9_999_999_999_999_999
    status, s, out = _run(tmp_path, '借据号,申报金额\nT01,"99,999,999,999,999.99"\n')
    assert status == 4
    printed = capsys.readouterr().out
    assert '"submitted_fen": 9999999999999999,' in printed
    assert s["submitted_fen"] == big
    assert s["submitted_yuan"] == "99,999,999,999,999.99"
    assert s["clawback_fen"] == 9_999_999_939_999_999
    assert s["clawback_yuan"] == "99,999,999,399,999.99"
    t01 = next(r for r in _csv_rows(out) if r["loan_id"] == "T01")
    assert t01["claimed_fen"] == "9999999999999999"
    assert t01["difference_fen"] == "9999999939999999"
    assert t01["overclaimed_fen"] == "9999999939999999"
    book = openpyxl.load_workbook(out / "audit.xlsx", read_only=True)
    summary = {r[1]: r[2] for r in book["summary 汇总"].iter_rows(values_only=True)}
    assert str(summary["submitted_fen"]) == "9999999999999999"
    rows = list(book["audit 核对"].iter_rows(values_only=True))
    header = rows[1]
    t01_cells = dict(zip(header, next(r for r in rows[2:] if r[0] == "T01"), strict=True))
    assert str(t01_cells["claimed_fen"]) == "9999999999999999"
    assert str(t01_cells["overclaimed_fen"]) == "9999999939999999"


@pytest.mark.parametrize(
    "header", [" 借据 号 ,申报 金额", "Loan_ID,CLAIMED", "\ufeffLOAN_ID ,Claimed_Fen"]
)
def test_submission_headers_are_cleaned_like_the_ledger(tmp_path, header) -> None:
    amount = "60000000" if "fen" in header.lower() else '"600,000.00"'
    status, s, _ = _run(tmp_path, f"{header}\nT01,{amount}\n")
    assert status == 4  # T02, T03, T14, T15 not claimed
    assert s["submitted_fen"] == 60_000_000
    assert s["overclaimed_fen"] == 0


def test_two_amount_columns_are_refused(tmp_path, capsys) -> None:
    status = main(
        ["audit", "tech", str(LEDGER), "--submitted",
         str(_write(tmp_path / "s.csv", "loan_id,claimed,claimed_fen\nT01,1.00,100\n")),
         "--quarter", "2022Q2", "--lender", "ICBC", "--eligible-borrowers",
         str(_write(tmp_path / "e.txt", "\n".join(ELIGIBLE)))]
    )  # fmt: skip
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "claimed_fen" in err and "Traceback" not in err


def test_unreadable_rows_stay_with_the_offending_value(tmp_path) -> None:
    # line 2 T01 600,000.00 (match); line 3 T02 '12.345' (three decimals: unreadable);
    # line 4 no loan id, 100.00 (readable: 10,000 fen, but matched to no loan);
    # line 5 T14 'abc' (unreadable); line 6 T15 '-4.20' (negative: not accepted).
    # submitted = 60,000,000 + 10,000 = 60,010,000; the 3 unusable amounts cannot be summed.
    # T02, T14, T15 were claimed with amounts that cannot be read: their ledger rows are
    # invalid, not underclaims; T03 was not claimed at all: not_claimed, under 1 fen.
    status, s, out = _run(
        tmp_path,
        'loan_id,claimed\nT01,"600,000.00"\nT02,12.345\n,100.00\nT14,abc\nT15,-4.20\n',
    )
    assert status == 4
    assert s["submitted_fen"] == 60_010_000
    assert s["submitted_rows"] == 5
    assert s["invalid_claimed_fen"] == 10_000
    assert s["unreadable_claim_rows"] == 3
    assert [(u["submitted_line"], u["loan_id"], u["detail"]) for u in s["unreadable_claims"]] == [
        (3, "T02", "claimed='12.345'"),
        (5, "T14", "claimed='abc'"),
        (6, "T15", "claimed='-4.20'"),
    ]
    assert s["underclaimed_fen"] == 1
    assert s["overclaimed_fen"] == s["clawback_fen"] == 0
    invalid = [r for r in _csv_rows(out) if r["class"] == "invalid" and r["submitted_line"]]
    assert [(r["submitted_line"], r["detail"]) for r in invalid] == [
        ("3", "claimed='12.345'"),
        ("4", "loan_id=''"),
        ("5", "claimed='abc'"),
        ("6", "claimed='-4.20'"),
    ]
    assert [r["claimed_fen"] for r in invalid] == ["", "10000", "", ""]


_IDS = ["T01", "T02", "T03", "T04", "T11", "T14", "T15", "X99", ""]
_BAD = ["abc", "1.234", "-1.00", "", "1e5"]


@st.composite
def _submissions(draw) -> list[tuple[str, int | str]]:
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(_IDS),
                st.one_of(st.integers(0, 10**16), st.sampled_from(_BAD)),
            ),
            max_size=12,
        )
    )
    return rows


@settings(max_examples=25)
@given(_submissions(), st.one_of(st.integers(0, 3), st.integers(4, audit.MAX_TOLERANCE_FEN)))
def test_every_row_appears_and_every_readable_fen_is_counted(rows, tolerance) -> None:
    def yuan(fen: int) -> str:
        return f"{fen // 100}.{fen % 100:02d}"

    frame = pd.DataFrame(
        {
            "loan_id": [i for i, _ in rows],
            "claimed": [yuan(a) if isinstance(a, int) else a for _, a in rows],
        },
        dtype=str,
    )
    result = audit.audit(
        "tech", LEDGER, frame, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE,
        tolerance_fen=tolerance,
    )  # fmt: skip
    s = result.summary()
    readable = [(i, a) for i, a in rows if isinstance(a, int)]
    assert s["submitted_fen"] == sum(a for _, a in readable)
    # oracle: per loan, claimed in all (readable rows with an id) against recomputed
    claimed: dict[str, int] = {}
    for i, a in readable:
        if i:
            claimed[i] = claimed.get(i, 0) + a
    # a ledger loan claimed only with amounts that cannot be read is not compared
    unreadable_only = {i for i, a in rows if i and not isinstance(a, int)} - set(claimed)
    unverified = sum(RECOMPUTED.get(i, 0) for i in unreadable_only)
    over = under = 0
    for loan in (set(claimed) | set(RECOMPUTED)) - unreadable_only:
        d = claimed.get(loan, 0) - RECOMPUTED.get(loan, 0)
        # a loan named on more than one row is never within the tolerance
        allowed = 0 if sum(1 for j, _ in rows if j == loan) > 1 else tolerance
        over += d if d > allowed else 0
        under += -d if -d > allowed else 0
    assert s["overclaimed_fen"] == over
    assert s["underclaimed_fen"] == under
    assert s["clawback_fen"] == s["overclaimed_fen"] >= 0
    # every fen of the net difference is over, under, tolerated or on a row without an id
    assert s["net_difference_fen"] == (
        s["overclaimed_fen"] - s["underclaimed_fen"] + s["within_tolerance_fen"]
        + s["invalid_claimed_fen"] - s["unverified_recomputed_fen"]
    )  # fmt: skip
    assert s["unverified_recomputed_fen"] == unverified
    assert abs(s["within_tolerance_fen"]) <= tolerance * len(set(claimed) | set(RECOMPUTED))
    assert s["invalid_claimed_fen"] == sum(a for i, a in readable if not i)
    assert s["unreadable_claim_rows"] == len(rows) - len(readable)
    loans = result.loans
    lines = loans["submitted_line"].dropna().astype(int).tolist()
    assert sorted(lines) == list(range(2, len(rows) + 2))
    ledger_lines = loans["ledger_line"].dropna().astype(int).tolist()
    assert sorted(ledger_lines) == list(range(2, LEDGER_ROWS + 2))
    assert int(loans["overclaimed_fen"].sum()) == over
    assert int(loans["claimed_fen"].sum()) == s["submitted_fen"]
    duplicated = {i for i in claimed if sum(1 for j, _ in rows if j == i) > 1}
    flagged = set(loans.loc[loans["class"] == "duplicate_claim", "loan_id"])
    assert flagged == duplicated


def test_text_output_names_duplicates_and_unreadable_amounts(tmp_path, capsys) -> None:
    sub = _write(
        tmp_path / "s.csv", 'loan_id,claimed\nT01,"500,000.00"\nT01,"500,000.00"\nT02,12.345\n'
    )
    eligible = _write(tmp_path / "e.txt", "\n".join(ELIGIBLE))
    status = main(["audit", "tech", str(LEDGER), "--submitted", str(sub), "--quarter", "2022Q2",
                   "--lender", "ICBC", "--eligible-borrowers", str(eligible)])  # fmt: skip
    assert status == 4
    text = capsys.readouterr().out
    assert "submitted 1,000,000.00 yuan on 3 rows" in text
    assert "clawback 400,000.00 yuan" in text  # 1,000,000.00 - 600,000.00 on T01
    assert "loans claimed on more than one row: 1" in text
    assert "submitted amounts that could not be read (not in submitted): 1" in text
    assert "line 4  T02  claimed='12.345'" in text


def test_a_loan_claimed_past_int64_safety_is_refused_in_one_line(tmp_path, capsys) -> None:
    # 50 rows of 999,999,999,999,999.99 yuan (10**17 - 1 fen) on T01: about 5 x 10**18 fen,
    # past 2**62; refused as input rather than wrapped
    rows = "".join('T01,"999,999,999,999,999.99"\n' for _ in range(50))
    sub = _write(tmp_path / "s.csv", "loan_id,claimed\n" + rows)
    eligible = _write(tmp_path / "e.txt", "\n".join(ELIGIBLE))
    status = main(["audit", "tech", str(LEDGER), "--submitted", str(sub), "--quarter", "2022Q2",
                   "--lender", "ICBC", "--eligible-borrowers", str(eligible)])  # fmt: skip
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "T01" in err


def test_a_header_only_submission_leaves_every_ledger_row_not_claimed_or_matched(tmp_path) -> None:
    status, s, out = _run(tmp_path, "loan_id,claimed\n")
    assert status == 4
    assert s["submitted_fen"] == 0 and s["submitted_rows"] == 0
    assert s["underclaimed_fen"] == 60_761_161  # every eligible loan, nothing claimed
    assert len(_csv_rows(out)) == LEDGER_ROWS


@pytest.mark.parametrize("tolerance", ["-1", "1.5", "abc"])
def test_a_bad_tolerance_is_exit_2_in_one_line(tmp_path, capsys, tolerance) -> None:
    sub = _write(tmp_path / "s.csv", "loan_id,claimed\nT01,1.00\n")
    eligible = _write(tmp_path / "e.txt", "\n".join(ELIGIBLE))
    status = main(["audit", "tech", str(LEDGER), "--submitted", str(sub), "--quarter", "2022Q2",
                   "--lender", "ICBC", "--eligible-borrowers", str(eligible),
                   "--tolerance-fen", tolerance])  # fmt: skip
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and tolerance in err and "Traceback" not in err


def test_tolerated_differences_that_add_up_are_shown(tmp_path, capsys) -> None:
    # T01 recomputed 600,000.00 and T14 7,407.40 (expected.md); each claimed 1 fen more:
    # with a tolerance of 1 fen both are matches, clawback 0, but 2 fen were tolerated
    # above the recomputed amounts, more than one loan's tolerance: the summary and the
    # text say so. Net within the tolerance: +1 +1 and T03's unclaimed 1 fen = 1.
    sub = tmp_path / "sub.csv"
    sub.write_text('loan_id,claimed\nT01,"600,000.01"\nT14,"7,407.41"\n', encoding="utf-8")
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE), encoding="utf-8")
    args = ["audit", "tech", str(LEDGER), "--submitted", str(sub), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(eligible),
            "--tolerance-fen", "1"]  # fmt: skip
    main([*args, "--json"])
    s = json.loads(capsys.readouterr().out)
    assert s["clawback_fen"] == 0 and s["within_tolerance_fen"] == 1
    assert s["within_tolerance_over_fen"] == 2
    assert [w["code"] for w in s["warnings"]] == ["tolerated_differences_add_up"]
    main(args)
    assert "add up to 0.02 yuan" in capsys.readouterr().out
