"""The rows CSV's faster paths give the file a plain per-cell writer gives: categorical
columns rendered once per word, integer columns written as cast, quotes and the formula
guard applied to the rows that need them only, blocks rendered ahead of the one written,
and the digest taken as the bytes are written."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calculators.columnar.parallel import in_thread_pipeline
from calculators.reports import csv_file
from calculators.reports.csv_file import _PLAIN_NUMBER, write_csv

_WIDE_SIGNS = "＝＋－＠"
_NUMBER = re.compile(_PLAIN_NUMBER.removeprefix("^").removesuffix("$"))


def _inert(cell: str) -> str:
    signed = cell[:1] in tuple("=+-@\t\r\x00" + _WIDE_SIGNS)
    return "'" + cell if signed and not _NUMBER.fullmatch(cell) else cell


def _quoted(cell: str, single: bool) -> str:
    if any(c in cell for c in ',"\n\r') or (single and cell == ""):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _plain(frame: pd.DataFrame) -> bytes:
    """The file cell by cell in Python: pandas' text of each cell, the formula guard,
    the csv module's minimal quoting (a carriage return quoted too)."""
    single = len(frame.columns) == 1
    out = io.StringIO()
    out.write(",".join(_quoted(_inert(str(c)), single) for c in frame.columns) + "\n")
    for row in frame.itertuples(index=False):
        cells = ["" if pd.isna(v) else str(v) for v in row]
        out.write(",".join(_quoted(_inert(c), single) for c in cells) + "\n")
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


_WORDS = ["eligible", "=SUM(1)", "-x", "-1.00", "a,b", 'say "hi"', "＝1", "", "line\nend", "\rx"]


def _frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(_WORDS), rows)
    text = [_WORDS[k] if rng.random() < 0.3 else f"L{k:06d}" for k in pick]
    amounts = pd.array(rng.integers(-500, 10**12, rows), dtype="Int64")
    amounts[rng.random(rows) < 0.1] = pd.NA
    codes = pd.Categorical.from_codes(
        np.where(rng.random(rows) < 0.1, -1, rng.integers(0, len(_WORDS), rows)),
        categories=pd.Index([w for w in _WORDS if w] + ["spare"], dtype="str")[: len(_WORDS)],
    )
    return pd.DataFrame(
        {
            "loan_id": pd.array(text, dtype="str"),
            "principal_fen": amounts,
            "entitlement_fen": rng.integers(-3, 10**9, rows),
            "reason": codes,
            "detail": pd.array([w if k % 3 else "" for k, w in enumerate(text)], dtype="str"),
        }
    )


@pytest.mark.parametrize("block_rows", [1, 7, 1 << 17])
def test_write_csv_matches_a_plain_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_rows: int
) -> None:
    monkeypatch.setattr(csv_file, "CSV_BLOCK_ROWS", block_rows)
    frame = _frame(300, seed=block_rows)
    path = tmp_path / "rows.csv"
    digest = write_csv(frame, path)
    data = path.read_bytes()
    assert data == _plain(frame)
    assert digest == hashlib.sha256(data).hexdigest()
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert len(rows) == len(frame) + 1


@pytest.mark.parametrize("column", ["loan_id", "principal_fen", "reason", "detail"])
def test_one_column_files_quote_empty_cells(tmp_path: Path, column: str) -> None:
    frame = _frame(50, seed=3)[[column]]
    path = tmp_path / "one.csv"
    write_csv(frame, path)
    assert path.read_bytes() == _plain(frame)


def test_pipeline_keeps_order_and_stops_early() -> None:
    seen: list[int] = []

    def work(item: int) -> int:
        seen.append(item)
        return item * item

    assert list(in_thread_pipeline(work, list(range(50)))) == [k * k for k in range(50)]
    assert list(in_thread_pipeline(work, [3])) == [9]
    assert list(in_thread_pipeline(work, [])) == []
    seen.clear()
    results = in_thread_pipeline(work, list(range(1000)))
    assert next(results) == 0
    results.close()
    assert len(seen) < 1000
