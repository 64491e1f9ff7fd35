"""A claim whose ledger CSV is read block by block (the command line's, when it writes
no workbook) equals the claim of the ledger read whole: the summary entry for entry
(the file's digest, format and notes among them) and the per-loan CSV byte for byte,
whatever the blocks; a file that changes between two readings is refused."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators import LedgerFileError
from calculators.cli import main
from calculators.engine.streamed import StreamedClaim, stream_claim
from calculators.programs import elderly_care
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from calculators.readers import blocks as ledger_blocks
from calculators.readers.blocks import open_ledger
from calculators.reports.csv_file import write_csv
from tests.calculators.engine.test_claim_properties import ELIGIBLE, VALID, _ledger, row
from tests.calculators.engine.test_partitioned import FIRST_LOANS, WIDENED
from tests.calculators.programs.test_tech_golden import LEDGER
from tests.calculators.programs.test_version_goldens import TECH_2025Q3_LIST


def _streamed(module, path: Path, args: tuple, block_bytes: int) -> StreamedClaim:
    opened = open_ledger(path, block_bytes=block_bytes)
    assert opened is not None
    result = stream_claim(module.claim_spec(*args), opened)
    assert result is not None
    return result


def _csv_bytes(loans, folder: Path, name: str) -> bytes:
    path = folder / name
    write_csv(loans, path)
    return path.read_bytes()


def _same(module, path: Path, args: tuple, block_bytes: int) -> StreamedClaim:
    """The claim both ways on ``path``: equal summaries, equal per-loan CSV bytes."""
    whole = module.claim(path, *args)
    streamed = _streamed(module, path, args, block_bytes)
    a, b = whole.summary(), streamed.summary()
    assert list(a) == list(b)
    for key in a:
        assert a[key] == b[key], key
    assert streamed.entitlement_fen == whole.entitlement_fen
    assert len(streamed.loans) == len(whole.loans)
    folder = path.parent
    assert _csv_bytes(streamed.loans, folder, "b.csv") == _csv_bytes(whole.loans, folder, "a.csv")
    return streamed


# loan ids drawn from a few, spaces around some: repeated ids within a block and across
# blocks; empty ids; total rows (合计 with no borrower) among the loans
loan_id = st.sampled_from(["L1", "L2", " L2", "L3 ", "L4", "L5", "L6", "", "合计", "小计："])


@st.composite
def ledger_texts(draw) -> str:
    rows = draw(st.lists(row, min_size=1, max_size=40))
    frame = _ledger(rows)
    frame["loan_id"] = draw(st.lists(loan_id, min_size=len(frame), max_size=len(frame)))
    unique = draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame)))
    frame.loc[unique, "loan_id"] = [f"U{i}" for i in range(sum(unique))]
    totals = frame["loan_id"].isin(["合计", "小计："])
    frame.loc[totals, "borrower_id"] = ""
    return frame.to_csv(index=False, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))


@settings(max_examples=40, deadline=None)
@given(ledger_texts(), st.integers(min_value=30, max_value=600))
def test_any_blocks_give_the_whole_ledger_answer(text, block_bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        path.write_text(text, encoding="utf-8")
        opened = open_ledger(path, block_bytes=block_bytes)
        spec = tech_relending.claim_spec("2022Q2", "ICBC", ELIGIBLE)
        if stream_claim(spec, opened) is None:
            return  # no rows but totals: the ledger is read whole (tested below)
        _same(tech_relending, path, ("2022Q2", "ICBC", ELIGIBLE), block_bytes)
        _same(transport_relending, path, ("2022Q3", "ABC", [VALID[0]]), block_bytes)


@pytest.mark.parametrize("block_bytes", [40, 100, 250, 1 << 22])
def test_golden_ledger_in_blocks(tmp_path, block_bytes) -> None:
    """The tech golden (19 rows, two T11 rows: duplicates in different blocks of 40 and
    100 bytes): 60,761,161 fen, as worked by hand for the golden."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER.read_bytes())
    result = _same(tech_relending, path, ("2022Q2", "ICBC", ELIGIBLE), block_bytes)
    assert result.entitlement_fen == 60_761_161
    if block_bytes == 40:
        assert len(result.loans.ledger.block_rows) > 10


@pytest.mark.parametrize("block_bytes", [45, 60, 90, 200, 1 << 22])
def test_first_loans_in_blocks(tmp_path, block_bytes) -> None:
    """Worked by hand in test_partitioned.test_first_loans_across_partitions: 180,007
    fen; first loans G1, G5 and G8: 3 loans, 100,004 fen, entitlement 60,002 fen (the
    leftover fen at remainder 3/5 goes to G2, the first in ledger order, whatever the
    blocks); flags not read: G4 and G9."""
    path = tmp_path / "first.csv"
    path.write_text(FIRST_LOANS, encoding="utf-8")
    result = _same(tech_relending, path, ("2025Q2", "CCB", TECH_2025Q3_LIST), block_bytes)
    assert result.entitlement_fen == 180_007
    first = result.summary()["first_loans"]
    found = (first["loans"], first["principal_fen"], first["entitlement_fen"], first["unreadable"])
    assert found == (3, 100_004, 60_002, 2)


@pytest.mark.parametrize("block_bytes", [50, 120, 1 << 22])
def test_widened_pilot_in_blocks(tmp_path, block_bytes) -> None:
    """Three loans outside the pilot from the day it widened (see test_partitioned): one
    warning counting 3, whatever the blocks."""
    path = tmp_path / "widened.csv"
    WIDENED.to_csv(path, index=False)
    result = _same(elderly_care, path, ("2022Q3", "ICBC"), block_bytes)
    warned = [w for w in result.summary()["warnings"] if w["code"] == "pilot_list_unknown"]
    assert len(warned) == 1 and "disbursed from 2022-09-01: 3." in warned[0]["message"]


def test_total_rows_and_header_below_a_title(tmp_path) -> None:
    """A title line and a blank line above the header (line 3), total rows on lines 5
    and 7: the notes name them as the whole reading does, and the rows between are the
    ledger's."""
    lines = LEDGER.read_text(encoding="utf-8").splitlines()
    blank = "," * lines[0].count(",")
    body = [lines[1], "合计" + blank, lines[2], "小计（元）" + blank, *lines[3:]]
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(["贷款台账 2022Q2", "", lines[0], *body]) + "\n", encoding="utf-8")
    result = _same(tech_relending, path, ("2022Q2", "ICBC", ELIGIBLE), 60)
    codes = [note["code"] for note in result.summary()["warnings"]]
    assert codes.count("total_rows_ignored") == 1 and "lines_count_from_header" in codes
    assert len(result.loans) == len(lines) - 1


def _passes(monkeypatch) -> list[int]:
    """Count the readings of a ledger after the first."""
    read: list[int] = []
    pieces = ledger_blocks.LedgerBlocks.pieces

    def counted(self):
        read.append(1)
        return pieces(self)

    monkeypatch.setattr(ledger_blocks.LedgerBlocks, "pieces", counted)
    return read


def test_ledger_read_again_only_for_what_needs_it(tmp_path, monkeypatch) -> None:
    """Tech's first loans need the column 首贷: without it the ledger is read once, to be
    classified (the part of no rows taken), with it once more; writing the rows reads
    it again."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER.read_bytes())
    read = _passes(monkeypatch)
    result = _streamed(tech_relending, path, ("2022Q2", "ICBC", ELIGIBLE), 100)
    assert not read and "first_loans" not in result.summary()
    _csv_bytes(result.loans, tmp_path, "loans.csv")
    assert len(read) == 1
    first = tmp_path / "first.csv"
    first.write_text(FIRST_LOANS, encoding="utf-8")
    read.clear()
    _streamed(tech_relending, first, ("2025Q2", "CCB", TECH_2025Q3_LIST), 100)
    assert len(read) == 1


def test_a_ledger_changed_after_it_was_opened_is_refused(tmp_path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER.read_bytes())
    opened = open_ledger(path, block_bytes=100)
    assert opened is not None
    with path.open("a", encoding="utf-8") as handle:
        handle.write("T99,911101085011945813,1.00,CNY,2022-04-01,2023-04-01\n")
    spec = tech_relending.claim_spec("2022Q2", "ICBC", ELIGIBLE)
    with pytest.raises(LedgerFileError, match="does not change while relend reads it"):
        stream_claim(spec, opened)


def test_a_ledger_changed_before_its_rows_are_written_is_refused(tmp_path) -> None:
    """Same size, one id changed: the file's time says so."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER.read_bytes())
    result = _streamed(tech_relending, path, ("2022Q2", "ICBC", ELIGIBLE), 100)
    path.write_bytes(LEDGER.read_bytes().replace(b"T11,", b"T12,", 1))
    with pytest.raises(LedgerFileError, match="does not change while relend reads it"):
        _csv_bytes(result.loans, tmp_path, "loans.csv")


def _streams(path: Path) -> bool:
    opened = open_ledger(path)
    spec = tech_relending.claim_spec("2022Q2", "ICBC", ELIGIBLE)
    return opened is not None and stream_claim(spec, opened) is not None


HEADER = "loan_id,borrower_id,principal,disbursement_date,maturity_date\n"


@pytest.mark.parametrize(
    "content",
    [
        HEADER,  # the header alone
        HEADER + "合计,,1.00,,\n",  # total rows alone
        "borrower_id,principal,disbursement_date,maturity_date\nx,1.00,2022-04-01,2023-04-01\n",
        "loan_id,borrower_id,principal\nL1,x,1.00\n",  # no dates
        HEADER + "L1,x,1.00,2022-04-01,2023-04-01,extra\n",  # a row of six fields
    ],
)
def test_what_the_whole_reading_takes(tmp_path, content) -> None:
    """No rows, a column missing, a malformed row: read whole, which words the error."""
    path = tmp_path / "ledger.csv"
    path.write_text(content, encoding="utf-8")
    assert not _streams(path)


def test_other_encodings_workbooks_and_standard_input(tmp_path) -> None:
    text = LEDGER.read_text(encoding="utf-8").replace("T1,", "贷1,")
    gb = tmp_path / "gb.csv"
    gb.write_bytes(text.encode("gb18030"))
    assert open_ledger(gb) is None
    named = tmp_path / "ledger.xlsx"
    named.write_bytes(LEDGER.read_bytes())
    assert open_ledger(named) is None
    assert open_ledger("-") is None
    plain = tmp_path / "ledger.csv"
    plain.write_bytes(LEDGER.read_bytes())
    assert _streams(plain)


def test_the_command_writes_the_same_files_either_way(tmp_path, capsys) -> None:
    """``relend claim`` with the workbook reads the ledger whole; with ``--no-xlsx``
    block by block: the same loans.csv, byte for byte, and the same summary."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER.read_bytes())
    argv = ["claim", "tech", str(path), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", str(tmp_path / "list.txt"), "--json"]  # fmt: skip
    (tmp_path / "list.txt").write_text("\n".join(ELIGIBLE) + "\n", encoding="utf-8")
    assert main([*argv, "--out", str(tmp_path / "whole")]) == 3
    whole = json.loads(capsys.readouterr().out)
    assert main([*argv, "--out", str(tmp_path / "blocks"), "--no-xlsx"]) == 3
    streamed = json.loads(capsys.readouterr().out)
    loans = [tmp_path / folder / "loans.csv" for folder in ("whole", "blocks")]
    assert loans[0].read_bytes() == loans[1].read_bytes()
    assert whole.pop("files")[0] == streamed.pop("files")[0]  # loans.csv, same digest
    assert whole == streamed
    assert not os.path.exists(tmp_path / "blocks" / "claim.xlsx")


def test_loans_of_a_streamed_claim_as_a_frame_shape(tmp_path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(LEDGER.read_bytes())
    result = _streamed(tech_relending, path, ("2022Q2", "ICBC", ELIGIBLE), 100)
    whole = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE).loans
    made = pd.concat([make() for make in result.loans.blocks()], ignore_index=True)
    pd.testing.assert_frame_equal(made, whole)
    assert list(result.loans.columns) == list(whole.columns)
