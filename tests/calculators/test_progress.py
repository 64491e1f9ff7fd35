"""Progress bars for reading and classifying: on when asked, counting every row and byte."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import calculators
from calculators import BorrowerList, _progress
from calculators.cli import main
from calculators.engine import split as _split
from calculators.programs import tech as tech_relending
from calculators.readers import csv_file as _csv_file
from calculators.tools import audit
from tests.calculators.programs.test_tech_golden import ELIGIBLE, LEDGER
from tests.calculators.tools.test_audit import SUBMITTED


class Recorded:
    """Every bar made, with its settings and updates, in place of tqdm."""

    made: list[Recorded]

    def __init__(self, *, total, desc, disable, delay, file, **_):
        self.total, self.desc, self.disable, self.delay = total, desc, disable, delay
        self.updates: list[int] = []
        Recorded.made.append(self)

    def update(self, n):
        self.updates.append(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def bars(monkeypatch) -> list[Recorded]:
    Recorded.made = []
    monkeypatch.setattr(_progress, "tqdm", Recorded)
    # five blocks of 4 rows for the golden ledger's 19 rows; Arrow reads 512-byte blocks
    monkeypatch.setattr(_split, "BLOCK_ROWS", 4)
    monkeypatch.setattr(_csv_file, "_CSV_BLOCK_BYTES", 512)
    return Recorded.made


def _shown(bars: list[Recorded], words: str) -> list[Recorded]:
    return [b for b in bars if words in b.desc and not b.disable]


def test_progress_counts_every_byte_read_and_every_row_classified(bars) -> None:
    tech_relending.claim(LEDGER, "2022Q2", "ICBC", ELIGIBLE, progress=True)
    (reading,) = _shown(bars, "reading tech_2022Q2_icbc.csv")
    assert reading.total == LEDGER.stat().st_size  # the file's bytes
    assert sum(reading.updates) == reading.total
    assert len([n for n in reading.updates if n]) > 1  # advanced block by block
    (classifying,) = _shown(bars, "classifying rows")
    assert classifying.total == 19  # the golden ledger's rows
    assert sorted(classifying.updates) == [3, 4, 4, 4, 4]  # 19 rows in blocks of 4
    assert {b.delay for b in bars} == {2.0}  # nothing shown for a short run


def test_no_bar_shown_by_default(bars) -> None:
    tech_relending.claim(LEDGER, "2022Q2", "ICBC", ELIGIBLE)
    calculators.claim("tech", LEDGER, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE)
    assert not bars  # no tqdm made at all for a bar never drawn


def test_a_bar_not_drawn_still_records_its_progress(bars, tmp_path, monkeypatch) -> None:
    record = tmp_path / "progress"
    monkeypatch.setattr(_progress, "_RECORD_SECONDS", 0)
    monkeypatch.setenv(_progress.PROGRESS_FILE, str(record))
    with _progress.bar(10, _progress.classifying(), False) as bar:
        bar.update(4)
        bar.extend(2)
        bar.update(8)
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"step": "classifying", "done": 0, "total": 10},
                     {"step": "classifying", "done": 4, "total": 10},
                     {"step": "classifying", "done": 12, "total": 12}]  # fmt: skip
    assert not bars


def test_every_entry_point_passes_progress_on(bars) -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    listed = BorrowerList(ELIGIBLE)
    calculators.claim("tech", frame, "2022Q2", "ICBC", progress=True, eligible_borrowers=listed)
    audit.audit("tech", frame, SUBMITTED, "2022Q2", "ICBC", progress=True,
                eligible_borrowers=listed)  # fmt: skip
    # a DataFrame is not read: only classifying, once per claim
    assert [sum(b.updates) for b in _shown(bars, "classifying")] == [19, 19]
    assert not _shown(bars, "reading")


@pytest.mark.parametrize(("tty", "quiet", "shown"), [
    (True, False, True), (True, True, False), (False, False, False),
])  # fmt: skip
def test_cli_shows_bars_on_a_terminal_without_quiet(
    bars, tmp_path, monkeypatch, capsys, tty, quiet, shown
) -> None:
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE))
    monkeypatch.setattr("sys.stderr.isatty", lambda: tty, raising=False)
    argv = ["claim", "tech", str(LEDGER), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", str(eligible), "--json"]  # fmt: skip
    assert main(argv + (["--quiet"] if quiet else [])) == 3
    capsys.readouterr()
    # no workbook: the rows are classified block by block as the file is read, its bytes
    # counted by the reading's bar
    assert bool(_shown(bars, "reading")) is shown
    assert not _shown(bars, "classifying")
    Recorded.made.clear()
    out = ["--out", str(tmp_path / "out")]
    assert main(argv + out + (["--quiet"] if quiet else [])) == 3
    capsys.readouterr()
    assert bool(_shown(bars, "reading")) is shown
    assert bool(_shown(bars, "classifying")) is shown
    Recorded.made.clear()
    argv = ["audit", "tech", str(LEDGER), "--submitted", str(SUBMITTED), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(eligible), "--json"]  # fmt: skip
    main(argv + (["--quiet"] if quiet else []))
    capsys.readouterr()
    assert bool(_shown(bars, "classifying")) is shown


def test_results_identical_with_bars_drawn(monkeypatch, capsys, tmp_path) -> None:
    # drawn at once (no delay), with blocks of 4 rows and 512 bytes: the claim is the same
    monkeypatch.setattr(_progress, "DELAY_SECONDS", 0)
    monkeypatch.setattr(_split, "BLOCK_ROWS", 4)
    monkeypatch.setattr(_csv_file, "_CSV_BLOCK_BYTES", 512)
    gb = tmp_path / "ledger_gb18030.csv"
    gb.write_bytes(LEDGER.read_text(encoding="utf-8").encode("gb18030"))
    for ledger in (LEDGER, gb):
        shown = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE, progress=True)
        assert "relend: classifying rows" in capsys.readouterr().err
        plain = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
        assert capsys.readouterr().err == ""
        pd.testing.assert_frame_equal(shown.loans, plain.loans)
        assert shown.summary() == plain.summary()
        assert shown.entitlement_fen == 60_761_161  # the golden figure (test_tech_golden)


def test_counted_reader_reads_the_buffer_in_order() -> None:
    import pyarrow as pa

    counted: list[int] = []

    class Counter:
        def update(self, n):
            counted.append(n)

    reader = _progress.CountedReader(pa.py_buffer(b"abcdefg"), Counter())  # type: ignore[arg-type]
    assert bytes(reader.read(3)) == b"abc" and reader.tell() == 3
    assert bytes(reader.read(10)) == b"defg" and bytes(reader.read(1)) == b""
    assert counted == [3, 4, 0]
    reader.seek(1)
    assert bytes(reader.read()) == b"bcdefg"


def test_descriptions_are_marked_for_translation() -> None:
    source = Path(_progress.__file__).read_text(encoding="utf-8")
    for words in ('_("reading {file}")', '_("classifying rows")', '_("writing {file}")'):
        assert words in source


def test_writing_bars_name_the_files_and_count_every_row(bars, tmp_path, monkeypatch) -> None:
    # the golden ledger's 19 rows, of which 9 invalid (test_tech_golden): loans.csv
    # counts 19 rows, claim.xlsx 19 + the 9 invalid rows written again on their sheet;
    # the bars say the files' names, not the temporary ones they are written under
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE) + "\n")
    main(["claim", "tech", str(LEDGER), "--quarter", "2022Q2", "--lender", "ICBC",
          "--eligible-borrowers", str(eligible), "--out", str(tmp_path / "out")])  # fmt: skip
    (csv_bar,) = _shown(bars, "writing loans.csv")
    (xlsx_bar,) = _shown(bars, "writing claim.xlsx")
    assert csv_bar.desc == "relend: writing loans.csv"
    assert (csv_bar.total, sum(csv_bar.updates)) == (19, 19)
    assert (xlsx_bar.total, sum(xlsx_bar.updates)) == (28, 28)
    assert {b.delay for b in bars} == {2.0}
