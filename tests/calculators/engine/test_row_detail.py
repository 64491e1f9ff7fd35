"""Reference lists, unambiguous ledgers and a detail for every invalid row.

Every expected value here is worked out by hand in the comments beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import RelendInputError
from calculators.cli import main
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from tests.calculators.engine.test_claim_properties import ELIGIBLE, VALID, ledgers
from tests.paths import GOLDEN

LEDGER = str(GOLDEN / "tech_2022Q2_icbc.csv")
A, B, C = ELIGIBLE  # valid unified social credit codes
BAD_CHECK = "915101005446414620"  # B with a wrong check character (should end in 1)
HEADER = "loan_id,borrower_id,principal,currency,disbursement_date,maturity_date"
COLUMN_NAMES = (
    "loan_id", "borrower_id", "principal", "principal_fen", "currency",
    "disbursement_date", "maturity_date", "borrower_category",
)  # fmt: skip


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _eligible_file(tmp_path: Path) -> str:
    return _write(tmp_path, "eligible.txt", "\n".join(ELIGIBLE) + "\n")


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def _tech(tmp_path: Path, ledger: str, *extra: str, quarter: str = "2022Q3") -> list[str]:
    return ["claim", "tech", ledger, "--quarter", quarter, "--lender", "ICBC",
            "--eligible-borrowers", _eligible_file(tmp_path), *extra]  # fmt: skip


# -- 5. reference lists -----------------------------------------------------------------

TRANSPORT = (
    "loan_id,borrower_id,principal,disbursement_date,maturity_date,borrower_category\n"
    f"R1,{A},1000.00,2022-07-01,2023-07-01,logistics_sme\n"
)


def test_transport_without_dishonest_list_says_so_everywhere(tmp_path, capsys) -> None:
    ledger = _write(tmp_path, "t.csv", TRANSPORT)
    argv = ["claim", "transport", ledger, "--quarter", "2022Q3", "--lender", "ABC"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "not screened" in captured.out
    err = [line for line in captured.err.splitlines() if "serious-dishonesty" in line]
    assert len(err) == 1 and "not screened" in err[0]
    assert main([*argv, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["screening"] == {"dishonest": "not_screened"}
    assert "dishonest_list_not_given" in [w["code"] for w in summary["warnings"]]
    assert summary["lists"] == {"dishonest": None}  # kept as it was


def test_transport_with_dishonest_list_is_screened(tmp_path, capsys) -> None:
    ledger = _write(tmp_path, "t.csv", TRANSPORT)
    listed = _write(tmp_path, "dishonest.txt", f"{C}\n")
    argv = ["claim", "transport", ledger, "--quarter", "2022Q3", "--lender", "ABC",
            "--dishonest", listed, "--json"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["screening"] == {"dishonest": "screened"}
    assert summary["warnings"] == []
    assert "not screened" not in captured.err


@pytest.mark.parametrize("content", ["", "统一社会信用代码\n", "borrower_id\n\n", "\n\n"])
def test_an_empty_eligible_list_is_exit_2(tmp_path, content, capsys) -> None:
    empty = _write(tmp_path, "empty_list.csv", content)
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", empty]  # fmt: skip
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert "empty_list.csv" in line and "at least one" in line


def test_an_empty_eligible_iterable_is_refused() -> None:
    with pytest.raises(RelendInputError, match="at least one"):
        tech_relending.claim(pd.read_csv(LEDGER, dtype=str), "2022Q2", "ICBC", [])


@pytest.mark.parametrize(
    "content",
    [
        f"统一社会信用代码\n{A}\n{B}\n{BAD_CHECK}\n{C}\n",  # header, then the bad id on line 4
        f"{A}\n\n{B}\n{BAD_CHECK}\n",  # a blank line 2 still counts as a line
        f"{A}\r\n{B}\r {C}\r{BAD_CHECK}\r",  # Windows and old Mac line ends
        f"name,borrower_id\nx,{A}\ny,{B}\nz,{BAD_CHECK}\n",  # id in the second column
    ],
)
def test_a_bad_id_in_a_list_names_file_line_and_id(tmp_path, content, capsys) -> None:
    listed = _write(tmp_path, "my_list.csv", content)
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", listed]  # fmt: skip
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert "my_list.csv" in line and "line 4" in line and BAD_CHECK in line


def test_a_bad_id_in_an_iterable_names_its_position() -> None:
    with pytest.raises(RelendInputError, match=r"item 2") as caught:
        tech_relending.claim(pd.read_csv(LEDGER, dtype=str), "2022Q2", "ICBC", [A, BAD_CHECK])
    assert BAD_CHECK in str(caught.value)


# -- 6. no ambiguous ledgers ------------------------------------------------------------

BOTH = "loan_id,borrower_id,principal,principal_fen,disbursement_date,maturity_date\n"


def test_both_principal_columns_agreeing_are_used(tmp_path, capsys) -> None:
    # P1: 1,000.00 yuan = 100000 fen in both; P2: 0.05 yuan = 5 fen in both
    # eligible 100005 fen; 0.6 x 100005 = 60003.0 fen
    ledger = _write(tmp_path, "both.csv", BOTH
                    + f'P1,{A},"1,000.00",100000,2022-07-01,2023-07-01\n'
                    + f"P2,{B},0.05,5,2022-07-01,2023-07-01\n")  # fmt: skip
    assert main(_tech(tmp_path, ledger, "--json")) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["eligible_principal_fen"] == 100_005
    assert summary["entitlement_fen"] == 60_003


def test_both_principal_columns_disagreeing_is_exit_2(tmp_path, capsys) -> None:
    # today principal_fen silently wins: 999 fen (9.99 yuan) instead of 1,000.00 yuan
    ledger = _write(tmp_path, "both.csv", BOTH
                    + f"P1,{A},5.00,500,2022-07-01,2023-07-01\n"
                    + f"P2,{B},1000.00,999,2022-07-01,2023-07-01\n"
                    + f"P3,{C},1.00,1,2022-07-01,2023-07-01\n")  # fmt: skip
    assert main(_tech(tmp_path, ledger)) == 2
    line = _one_error_line(capsys)
    # P2 is the first disagreeing row: data row 2, file line 3
    assert "line 3" in line and "P2" in line and "1000.00" in line and "999" in line


def test_a_row_with_one_principal_column_unreadable_is_invalid(tmp_path, capsys) -> None:
    # rule: with both columns, a row needs both readable (and equal) to count
    ledger = _write(tmp_path, "both.csv", BOTH
                    + f"P1,{A},1000.00,,2022-07-01,2023-07-01\n"
                    + f"P2,{B},,100,2022-07-01,2023-07-01\n"
                    + f"P3,{C},1.00,100,2022-07-01,2023-07-01\n")  # fmt: skip
    out = tmp_path / "out"
    assert main(_tech(tmp_path, ledger, "--out", str(out), "--json")) == 3
    summary = json.loads(capsys.readouterr().out)
    assert summary["eligible_principal_fen"] == 100  # P3 only
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False)
    assert list(loans["reason"]) == ["invalid_principal", "invalid_principal", "eligible"]
    assert loans["detail"][0] == "principal='1000.00', principal_fen=''"
    assert loans["detail"][1] == "principal='', principal_fen='100'"
    assert loans["detail"][2] == ""


def test_a_header_only_ledger_warns_and_claims_zero(tmp_path, capsys) -> None:
    ledger = _write(tmp_path, "header_only.csv", HEADER + "\n")
    assert main(_tech(tmp_path, ledger, "--json")) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["entitlement_fen"] == 0 and summary["loans_total"] == 0
    assert "ledger_has_no_rows" in [w["code"] for w in summary["warnings"]]
    warned = [line for line in captured.err.splitlines() if "no rows" in line]
    assert len(warned) == 1 and warned[0].startswith("relend: warning:")


# -- 7. every invalid row says what was wrong -------------------------------------------

# the golden ledger's rows (tests/golden/tech_2022Q2_icbc.csv) and the detail each gets
GOLDEN_DETAIL = [
    "", "", "", "", "", "",  # T01-T03 eligible, T04-T06 ordinary exclusions
    "currency='USD'",  # T07 non_cny: a currency outside the CNY aliases
    "principal='-100.00'",  # T08
    "principal='100.005'",  # T09
    f"borrower_id='{BAD_CHECK}'",  # T10
    "loan_id='T11'", "loan_id='T11'",  # both rows of the duplicate
    "maturity_date='2022-05-01' (not after disbursement_date='2022-05-10')",  # T12
    "", "", "",  # T13 term_under_6_months, T14 and T15 eligible
    "disbursement_date='2022-02-30'",  # T16
    "borrower_id=''",  # T17
    "loan_id=''",  # no loan id
]  # fmt: skip


def test_loans_csv_and_workbook_carry_the_detail(tmp_path, capsys) -> None:
    out = tmp_path / "report"
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", _eligible_file(tmp_path), "--out", str(out)]  # fmt: skip
    assert main(argv) == 3
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(loans["detail"]) == GOLDEN_DETAIL
    rows = list(openpyxl.load_workbook(out / "claim.xlsx", read_only=True)["loans 贷款"].values)
    at = rows[1].index("detail")
    assert rows[0][at] == "说明"
    assert [r[at] or "" for r in rows[2:-1]] == GOLDEN_DETAIL  # the totals row last


def test_text_output_lists_invalid_rows_with_line_numbers(tmp_path, capsys) -> None:
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", _eligible_file(tmp_path)]  # fmt: skip
    assert main(argv) == 3
    out = capsys.readouterr().out
    # T08 is data row 8: line 9 of the file (the header is line 1)
    t08 = [line for line in out.splitlines() if "T08" in line]
    assert len(t08) == 1
    assert "line 9" in t08[0] and "invalid_principal" in t08[0] and "principal='-100.00'" in t08[0]
    assert "more" not in out  # 9 invalid rows: all shown


def test_text_output_shows_ten_invalid_rows_and_counts_the_rest(tmp_path, capsys) -> None:
    rows = "".join(f"X{i:02d},{A},-1.00,CNY,2022-07-01,2023-07-01\n" for i in range(13))
    ledger = _write(tmp_path, "bad.csv", HEADER + "\n" + rows)
    assert main(_tech(tmp_path, ledger)) == 3
    out = capsys.readouterr().out
    assert "X09" in out and "line 11" in out  # the 10th row shown: data row 10, line 11
    assert "X10" not in out
    assert "3 more" in out  # 13 invalid, 10 shown


def test_summary_lists_the_first_invalid_rows(tmp_path) -> None:
    summary = tech_relending.claim(LEDGER, "2022Q2", "ICBC", ELIGIBLE).summary()
    first = summary["invalid_rows"][0]
    assert first == {"line": 9, "loan_id": "T08", "reason": "invalid_principal",
                     "detail": "principal='-100.00'"}  # fmt: skip
    assert len(summary["invalid_rows"]) == 9


def test_dotted_and_full_width_dates_parse_as_iso(tmp_path, capsys) -> None:
    # 1,000.00 yuan on 2022-07-01 for a year: 100000 fen eligible, 0.6 x 100000 = 60000
    iso = f"D1,{A},1000.00,CNY,2022-07-01,2023-07-01\n"
    for variant in (
        iso,
        f"D1,{A},1000.00,CNY,2022.07.01,2023.7.1\n",
        f"D1,{A},1000.00,CNY,２０２２－０７－０１,２０２３年７月１日\n",
        f"D1,{A},１，０００．００,ＣＮＹ,2022/07/01,2023-07-01\n",
        f"D1,{A.replace('9', '９')},1000.00,人民币,2022-07-01,2023-07-01\n",
    ):
        ledger = _write(tmp_path, "dates.csv", HEADER + "\n" + variant)
        assert main(_tech(tmp_path, ledger, "--json")) == 0, variant
        summary = json.loads(capsys.readouterr().out)
        assert (summary["loans_eligible"], summary["entitlement_fen"]) == (1, 60_000), variant


def test_an_excel_serial_date_says_to_export_dates_as_text(tmp_path, capsys) -> None:
    ledger = _write(
        tmp_path, "serial.csv", HEADER + "\n" + f"S1,{A},1000.00,CNY,44743,2023-07-01\n"
    )
    out = tmp_path / "out"
    assert main(_tech(tmp_path, ledger, "--out", str(out))) == 3
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False)
    assert loans["reason"][0] == "invalid_date"
    assert loans["detail"][0] == (
        "disbursement_date='44743' (an Excel serial number: export dates as text, e.g. 2022-07-01)"
    )


def test_a_date_that_is_just_bad_gets_no_excel_hint() -> None:
    ledger = pd.DataFrame(
        {"loan_id": ["E1", "E2"], "borrower_id": [A, A], "principal": ["1.00", "1.00"],
         "disbursement_date": ["12345", "2022-07-01"],  # 5 digits but below 20000
         "maturity_date": ["2023-07-01", "abc"]}
    )  # fmt: skip
    loans = tech_relending.claim(ledger, "2022Q3", "ICBC", ELIGIBLE).loans
    assert list(loans["detail"]) == ["disbursement_date='12345'", "maturity_date='abc'"]


def test_a_category_outside_the_list_gets_a_detail() -> None:
    ledger = pd.DataFrame(
        {"loan_id": ["K1", "K2"], "borrower_id": [A, B], "principal": ["1.00", "1.00"],
         "disbursement_date": ["2022-07-01"] * 2, "maturity_date": ["2023-07-01"] * 2,
         "borrower_category": ["logistics_sme", "bakery"]}
    )  # fmt: skip
    loans = transport_relending.claim(ledger, "2022Q3", "ABC", [C]).loans
    assert list(loans["reason"].astype(str)) == ["eligible", "category_not_eligible"]
    assert list(loans["detail"]) == ["", "borrower_category='bakery'"]


@settings(max_examples=30)
@given(ledgers)
def test_every_invalid_row_has_a_detail_naming_a_column(ledger) -> None:
    for result in (
        tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE),
        transport_relending.claim(ledger, "2022Q3", "ABC", [VALID[0]]),
    ):
        loans = result.loans
        assert len(loans) == len(ledger)
        detail = loans["detail"].astype(str)
        status = loans["status"].astype(str)
        for text in detail[status == "invalid"]:
            assert any(text.startswith(f"{name}=") for name in COLUMN_NAMES), text
        assert (detail[status == "eligible"] == "").all()
        plain = ~loans["reason"].astype(str).isin(["non_cny", "category_not_eligible"])
        assert (detail[(status == "excluded") & plain] == "").all()


def test_an_empty_dishonest_list_is_a_warning_not_an_error(tmp_path, capsys) -> None:
    ledger = _write(tmp_path, "t.csv", TRANSPORT)
    listed = _write(tmp_path, "dishonest.txt", "")
    argv = ["claim", "transport", ledger, "--quarter", "2022Q3", "--lender", "ABC",
            "--dishonest", listed, "--json"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["screening"] == {"dishonest": "screened"}
    assert [w["code"] for w in summary["warnings"]] == ["dishonest_list_empty"]
    assert "holds no ids" in captured.err


def test_partitioned_claims_give_the_same_details_and_line_numbers() -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    ddf = dd.from_pandas(frame, chunksize=4, sort=False)
    partitioned = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE)
    assert list(partitioned.loans.compute()["detail"]) == GOLDEN_DETAIL
    in_memory = tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE).summary()
    assert partitioned.summary()["invalid_rows"] == in_memory["invalid_rows"]
    # principal_fen beside principal: T01-T07 agree (1,000,000.00 yuan = 100000000 fen,
    # ...), T08 and T09 have one unreadable amount (-10000 fen, 100.005 yuan), T10 says
    # 999 fen against 100,000.00 yuan: data row 10, line 11, in the third partition
    fen = ["100000000", "33333", "1", "50000000", "50000000", "20000000", "10000000",
           "-10000", "1", "999"]  # fmt: skip
    both = frame.assign(principal_fen=fen + ["10000000"] * 9)
    with pytest.raises(RelendInputError, match="line 11"):
        tech_relending.claim_partitioned(
            dd.from_pandas(both, chunksize=4, sort=False), "2022Q2", "ICBC", ELIGIBLE
        )
    with pytest.raises(RelendInputError, match="line 11"):
        tech_relending.claim(both, "2022Q2", "ICBC", ELIGIBLE)


@given(st.integers(0, 30), st.integers(1, 8), st.data())
def test_detail_column_puts_each_detail_on_its_row(rows, block_rows, data) -> None:
    """The detail column built from offsets, block by block, holds each detail on its
    own row and an empty text on every other row (first, last and neighbouring rows,
    and rows on either side of a block boundary, included)."""
    from unittest import mock

    import numpy as np
    import pyarrow as pa

    from calculators.engine import details as _details

    where = sorted(data.draw(st.sets(st.integers(0, max(rows - 1, 0)), max_size=rows)))
    texts = data.draw(st.lists(st.text(max_size=4), min_size=len(where), max_size=len(where)))
    given_texts = pa.array(texts, pa.large_string())
    with mock.patch.object(_details, "BLOCK_ROWS", block_rows):
        column = _details.detail_column(rows, np.array(where, dtype=np.int64), given_texts)
    expected = [""] * rows
    for at, text in zip(where, texts, strict=True):
        expected[at] = text
    assert list(column) == expected
