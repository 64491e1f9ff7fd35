"""Text from outside the bank cannot become a formula in relend's CSV files or workbooks.

OWASP's rule for CSV Injection: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading ``'``; relend adds NUL (ASVS 5.0, 1.2.10) and the
full-width ＝＋－＠. Plain numbers (``-1.00``, ``-5``) stay as they are. The expected
cells below are written by hand from that rule.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.cli import main
from calculators.reports import csv_file

# OWASP's examples and the brief's, one per first character that makes a formula
PAYLOADS = (
    '=HYPERLINK("http://x","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\x00=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1)",
    "-",
)
BORROWER = "911101085011945813"  # a valid unified social credit code


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _tech_ledger(folder: Path) -> Path:
    rows = [(f"{p}", BORROWER, p, "1,000.00") for p in PAYLOADS]
    rows += [("-5", BORROWER, "-1.00", "-1.00"), ("L-OK", BORROWER, "普通名称", "2,000.00")]
    frame = pd.DataFrame(rows, columns=["loan_id", "borrower_id", "borrower_name", "principal"])
    frame["currency"] = "CNY"
    frame["disbursement_date"] = "2022-05-01"
    frame["maturity_date"] = "2023-05-01"
    path = folder / "ledger.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(
            [frame.columns, *frame.to_numpy()]
        )
    return path


@pytest.fixture
def inputs(tmp_path) -> dict[str, Path]:
    ledger = _tech_ledger(tmp_path)
    eligible = tmp_path / "eligible.txt"
    eligible.write_text(BORROWER + "\n", encoding="utf-8")
    submitted = tmp_path / "submitted.csv"
    with open(submitted, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["loan_id", "claimed"])
        writer.writerows([(p, "600.00") for p in PAYLOADS] + [("-5", "-1.00")])
    return {"ledger": ledger, "eligible": eligible, "submitted": submitted}


def _texts_of(book_path: Path) -> set[str]:
    """Every cell value of every sheet, after checking that none is a formula."""
    found = set()
    for sheet in openpyxl.load_workbook(book_path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    found.add(cell.value)
    return found


def _stored(payload: str) -> str:
    """A text as a workbook stores it: control characters as Excel's _xHHHH_ escapes
    (which Excel reads back as the character, and openpyxl leaves as they are)."""
    return re.sub("[\x00\r]", lambda m: f"_x{ord(m.group()):04X}_", payload)


def _claim(inputs: dict[str, Path], out: Path) -> list[str]:
    return ["claim", "tech", str(inputs["ledger"]), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", str(inputs["eligible"]), "--out", str(out)]  # fmt: skip


def test_every_payload_in_loans_csv_is_text(tmp_path, inputs, capsys) -> None:
    out = tmp_path / "report"
    assert main(_claim(inputs, out)) == 3  # the -1.00 row is invalid_principal
    capsys.readouterr()
    rows = _read(out / "loans.csv")
    assert len(rows) == len(PAYLOADS) + 2
    for row, payload in zip(rows, PAYLOADS, strict=False):
        assert row["loan_id"] == "'" + payload, row
        assert row["borrower_name"] == "'" + payload, row
    plain = rows[len(PAYLOADS)]
    # numbers stay numbers: the loan id -5, the name and principal -1.00, the detail
    assert plain["loan_id"] == "-5" and plain["borrower_name"] == "-1.00"
    assert plain["principal"] == "-1.00" and plain["reason"] == "invalid_principal"
    assert plain["detail"] == "principal='-1.00'"
    assert rows[-1]["borrower_name"] == "普通名称" and rows[-1]["principal_fen"] == "200000"


def test_every_payload_in_audit_csv_is_text(tmp_path, inputs, capsys) -> None:
    out = tmp_path / "audit"
    argv = ["audit", "tech", str(inputs["ledger"]), "--submitted", str(inputs["submitted"]),
            "--quarter", "2022Q2", "--lender", "ICBC", "--eligible-borrowers",
            str(inputs["eligible"]), "--out", str(out)]  # fmt: skip
    assert main(argv) in (3, 4)
    capsys.readouterr()
    ids = [row["loan_id"] for row in _read(out / "audit.csv")]
    for payload in PAYLOADS:  # an audit compares loan ids without the spaces around them
        assert "'" + payload.strip() in ids, payload
        assert payload not in ids and payload.strip() not in ids, payload
    assert "-5" in ids  # a numeric id as it is
    texts = _texts_of(out / "audit.xlsx")
    assert {_stored(p.strip()) for p in PAYLOADS} <= texts


def test_every_payload_in_npl_csv_is_text(tmp_path, capsys) -> None:
    npl = tmp_path / "npl.csv"
    with open(npl, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["unit", "industry", "loan_balance", "npl_balance",
                         "baseline_tolerance_pct", "uplift_pct"])  # fmt: skip
        writer.writerows([(p, p, "100.00", "1.00", "2.00", "0") for p in PAYLOADS])
    out = tmp_path / "npl"
    assert main(["npl", str(npl), "--out", str(out)]) in (0, 3)
    capsys.readouterr()
    rows = _read(out / "npl.csv")
    assert len(rows) == len(PAYLOADS)
    for row, payload in zip(rows, PAYLOADS, strict=True):
        assert row["unit"] == "'" + payload and row["industry"] == "'" + payload, row
    assert {_stored(p) for p in PAYLOADS} <= _texts_of(out / "npl.xlsx")


def test_workbooks_hold_the_payloads_as_text(tmp_path, inputs, capsys) -> None:
    # the claim's workbook: loan ids and names on the loans sheet, as text cells (no
    # formula), exactly as given: XlsxWriter's strings_to_formulas is off
    out = tmp_path / "report"
    assert main(_claim(inputs, out)) == 3
    capsys.readouterr()
    book = openpyxl.load_workbook(out / "claim.xlsx")
    sheet = book["loans 贷款"]
    header = [c.value for c in sheet[2]]
    for column in ("loan_id", "borrower_name"):
        cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=3)]
        for cell, payload in zip(cells, PAYLOADS, strict=False):
            assert cell.data_type == "s" and isinstance(cell.value, str), (column, cell.value)
            assert cell.value == _stored(payload), (column, cell.value)
    _texts_of(out / "claim.xlsx")  # no formula on any sheet


# -- the writer itself ------------------------------------------------------------------------

# Written by hand: the payloads get a ', numbers and harmless text do not (a lone - is
# no number); a cell with a carriage return is quoted like one with a line feed.
EXPECTED = (
    "\ufeff'=h,n\n"
    "'=1+1,-1\n"
    "'+A1,+1\n"
    "'@x,-1.00\n"
    '\'-A1,"-1,234.50"\n'
    "'\t1,-2e3\n"
    '"\'\r1",.5\n'
    "'＝1,\n"
    "a=1,'-\n"
    "中,\n"
).encode("utf-8")


def test_csv_bytes_of_the_payloads_as_written_by_hand(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "=h": pd.array(["=1+1", "+A1", "@x", "-A1", "\t1", "\r1", "＝1", "a=1", "中"]),
            "n": pd.array(["-1", "+1", "-1.00", "-1,234.50", "-2e3", ".5", "", "-", None]),
        }
    )
    path = tmp_path / "rows.csv"
    csv_file.write_csv(frame, path)
    assert path.read_bytes() == EXPECTED


def test_integer_columns_are_numbers_not_text(tmp_path) -> None:
    frame = pd.DataFrame({"x_fen": pd.array([-5, 0, None], dtype="Int64"), "v": [-1, 2, 3]})
    path = tmp_path / "rows.csv"
    csv_file.write_csv(frame, path)
    assert path.read_bytes() == "\ufeffx_fen,v\n-5,-1\n0,2\n,3\n".encode()


_RISKY = "=+-@\t\r\x00＝＋－＠"
_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _by_hand(cell: str) -> str:
    """The rule as OWASP words it, one cell at a time."""
    if cell and cell[0] in _RISKY and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


_cells = st.text(alphabet=["=", "+", "-", "@", "\t", "\r", "＝", "－", "1", ".", ",", "e", '"',
                           "\n", "a", "中"], max_size=5)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=6), st.integers(1, 2))
def test_any_cells_read_back_as_the_rule_says(tmp_path_factory, cells, columns) -> None:
    # what a reader gets back is each cell, with a ' before it where the rule says;
    # every row is one row (a carriage return inside a cell is quoted)
    frame = pd.DataFrame(
        {f"c{j}": pd.array(cells[j:] + cells[:j], dtype="str") for j in range(columns)}
    )
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    csv_file.write_csv(frame, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        back = list(csv.reader(handle))
    assert back[0] == [f"c{j}" for j in range(columns)]
    assert back[1:] == [[_by_hand(v) for v in row] for row in frame.itertuples(index=False)]
