"""A block of a ledger is a slice of its columns: read through the shared buffers (an
Arrow array with an offset), never copied. Every text operation must answer on a slice
exactly as on a fresh copy of the same rows."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.columnar import compiled as _compiled
from calculators.columnar.bytes import masked
from calculators.columnar.compiled import KERNEL_ROWS
from calculators.columnar.dates import parse_dates
from calculators.columnar.duplicates import duplicated_ids
from calculators.columnar.ids import IdColumn
from calculators.columnar.money import parse_yuan_column
from calculators.columnar.text import TEXT, TextColumn
from calculators.reports.csv_file import _csv_inert, _csv_quoted
from calculators.reports.xlsx_cells import _escaped

# what ledgers hold: ids, dates, amounts, codes, with the dirt of real exports
cells = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "CNY",
            "cny",
            "人民币",
            "ＣＮＹ",
            " USD ",
            "2022-04-01",
            "2022/4/1",
            "２０２２－０７－０１",
            "2022-06-31",
            "1,000.00",
            "-5",
            "=1+1",
            "＋1",
            'a,"b"',
            "91110000100000000R",
            "11010519491231002X",
            "91110000100000000Q",
            "abc",
            "L-1",
            "L-1 ",
            "\tL-2",
            "x\ny",
        ]
    ),
    st.text(max_size=8),
)


def _slice_and_copy(values: list[str | None], start: int, stop: int) -> tuple[pa.Array, pa.Array]:
    whole = pa.array(values, type=pa.large_string())
    part = whole.slice(start, stop - start)
    copy = pa.array(values[start:stop], type=pa.large_string())
    return part, copy


@given(st.lists(cells, min_size=1, max_size=40), st.data())
def test_every_text_operation_answers_on_a_slice_as_on_a_copy(values, data) -> None:
    start = data.draw(st.integers(0, len(values)))
    stop = data.draw(st.integers(start, len(values)))
    part, copy = _slice_and_copy(values, start, stop)
    sliced, fresh = TextColumn.of(part), TextColumn.of(copy)
    assert sliced.array.offset == start  # not copied
    for a, b in ((sliced, fresh), (sliced.filled(), fresh.filled()),
                 (sliced.stripped(), fresh.stripped()), (sliced.nfkc(), fresh.nfkc()),
                 (sliced.normalized(), fresh.normalized())):  # fmt: skip
        assert a.array.to_pylist() == b.array.to_pylist()
        assert list(a.lengths) == list(b.lengths)
        assert list(a.missing) == list(b.missing)
        assert bytes(a.used) == bytes(b.used)
        for width in (1, 3, 10, 18):
            got, want = a.fixed_width(width), b.fixed_width(width)
            assert (got is None) == (want is None)
            if got is not None:
                assert got.tolist() == want.tolist()
            rows, matrix = a.rows_of_width(width)
            assert list(rows) == list(b.rows_of_width(width)[0])
            assert matrix.tolist() == b.rows_of_width(width)[1].tolist()
        assert a.hash_width() == b.hash_width()
        if a.hash_width() is not None:
            assert list(a.hashes(20)) == list(b.hashes(20))
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(copy), max_size=len(copy))),
                    dtype=bool)  # fmt: skip
    assert masked(part, keep).to_pylist() == masked(copy, keep).to_pylist()
    assert list(sliced.normalized_in(["CNY", "人民币"])) == list(
        fresh.normalized_in(["CNY", "人民币"])
    )
    distinct, at = sliced.distinct()
    assert [distinct[int(k)] for k in at] == copy.to_pylist()
    assert _csv_quoted(part, False).to_pylist() == _csv_quoted(copy, False).to_pylist()
    assert _csv_inert(part).to_pylist() == _csv_inert(copy).to_pylist()
    filled = TextColumn.of(part).filled().array
    assert (
        _escaped(filled)[0].to_pylist()
        == _escaped(TextColumn.of(copy).filled().array)[0].to_pylist()
    )


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(st.lists(cells, min_size=1, max_size=40), st.data())
def test_columns_read_from_a_slice_as_from_a_copy(kernel_rows, values, data) -> None:
    """Both paths: the compiled kernels read a slice's offsets into the shared buffer."""
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        _columns_agree(values, data)


def _columns_agree(values: list[str | None], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(values)))
    stop = data.draw(st.integers(start, len(values)))
    series = pd.Series(values, dtype=TEXT)
    part, copy = series.iloc[start:stop], pd.Series(values[start:stop], dtype=TEXT)
    for parse in (parse_dates, parse_yuan_column):
        got, want = parse(part), parse(copy)
        assert [list(x) for x in got] == [list(x) for x in want]
    ids = IdColumn.of(TextColumn.of(part).normalized())
    again = IdColumn.of(TextColumn.of(copy).normalized())
    assert list(ids.ok) == list(again.ok) and list(ids.rows) == list(again.rows)
    assert [list(w) for w in ids.words] == [list(w) for w in again.words]
    for blocks in (1, 2, 3):
        assert list(duplicated_ids(part, blocks)) == list(duplicated_ids(copy, blocks))
