"""The byte-level fast paths give the answers of plain-Python oracles and the general parsers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from calculators import RelendInputError
from calculators.columnar import bytes as _bytes
from calculators.columnar import compiled as _compiled
from calculators.columnar import duplicates as _duplicates
from calculators.columnar import ids as _ids
from calculators.columnar.compiled import KERNEL_ROWS
from calculators.columnar.dates import add_months, parse_dates
from calculators.columnar.ids import IdColumn, IdSet
from calculators.columnar.money import _general_yuan, _plain_yuan, parse_yuan_column
from calculators.columnar.text import TextColumn
from calculators.programs import tech as tech_relending
from calculators.readers.ledger import read_ledger

EPOCH = dt.date(1970, 1, 1)
CODE = "0123456789ABCDEFGHJKLMNPQRTUWXY"

loan_ids = st.one_of(
    st.sampled_from(["L1", "L2", " L1", "L1 ", "", "  ", "借据1", "L" * 70, "L" * 70 + " "]),
    st.text("AB12 -", max_size=6),
    st.text("ab借据\u3000", max_size=4),
)


def _oracle_duplicates(values: list[str | None]) -> list[bool]:
    stripped = [(v or "").strip(" \u3000") for v in values]
    counts = Counter(s for s in stripped if s)
    return [bool(s) and counts[s] > 1 for s in stripped]


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(st.lists(st.one_of(loan_ids, st.none()), max_size=40), st.integers(1, 4))
def test_duplicate_loan_ids_match_a_counter(kernel_rows, values, blocks) -> None:
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        got = _duplicates.duplicated_ids(pd.Series(values, dtype=object), blocks)
    assert list(got) == _oracle_duplicates(values)


@given(st.lists(loan_ids, max_size=30))
def test_duplicates_stay_exact_when_every_hash_collides(values) -> None:
    def collide(part: TextColumn, width: int) -> np.ndarray:
        return np.zeros(len(part), dtype=np.uint64)

    with mock.patch.object(TextColumn, "hashes", collide):
        got = _duplicates.duplicated_ids(pd.Series(values, dtype=object), 2)
    assert list(got) == _oracle_duplicates(values)


def test_row_hashes_equal_for_equal_rows_whatever_the_part() -> None:
    first = TextColumn.of(["L1", "L22", "L333"])
    second = TextColumn.of(["L333", "L1"])
    a, b = first.hashes(4), second.hashes(4)
    assert a[0] == b[1] and a[2] == b[0] and len(set(a)) == 3


@given(st.integers(1, 20), st.integers(0, 6), st.booleans(), st.data())
def test_packed_words_hold_every_byte_in_place(width, rows, strided, data) -> None:
    """Each row's bytes land in its words at their own places, zero-padded: two rows
    differing in any byte differ in a word (the short last word is read 4, 2 and 1
    bytes at a time, also from a matrix whose rows are not contiguous)."""
    raw = data.draw(st.binary(min_size=rows * width * 2, max_size=rows * width * 2))
    whole = np.frombuffer(raw, dtype=np.uint8).reshape(rows, 2 * width)
    matrix = whole[:, ::2] if strided else np.ascontiguousarray(whole[:, :width])
    words = _bytes.pack_words(matrix)
    padded = np.zeros((rows, 8 * len(words)), dtype=np.uint8)
    padded[:, :width] = matrix
    assert len(words) == -(-width // 8)
    for k, word in enumerate(words):
        assert word.tolist() == padded.view("<u8")[:, k].tolist()


def _uscc(base: str) -> str:
    return base + uscc.calc_check_digit(base)


def _near_misses(listed: list[str]) -> list[str]:
    """Valid ids with a listed id's first 16 characters (its first two words) and another
    17th, so that only the third word tells them apart."""
    return [_uscc(i[:16] + CODE[(CODE.index(i[16]) + 1) % len(CODE)]) for i in listed]


digits8 = st.text("0123456789", min_size=8, max_size=8)
usccs = st.tuples(digits8, st.text(CODE, min_size=9, max_size=9)).map(lambda t: _uscc("".join(t)))


@pytest.mark.parametrize("lookup_rows", [3, _ids._LOOKUP_ROWS], ids=["parts of 3", "whole"])
@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(st.lists(usccs, max_size=20), st.lists(usccs, max_size=20), st.data())
def test_id_set_lookups_match_a_python_set(lookup_rows, kernel_rows, listed, others, data) -> None:
    extra = ["bad", "", listed[0] if listed else "x"]
    probes = data.draw(st.permutations(listed + others + _near_misses(listed) + extra))
    where = np.array(data.draw(st.lists(st.booleans(), min_size=len(probes), max_size=len(probes))))
    ids = TextColumn.of(listed).normalized()
    known = IdSet.of(IdColumn.of(ids), ids)
    column = IdColumn.of(TextColumn.of(probes).normalized())
    expected = [p in set(listed) for p in probes]
    with (
        mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows),
        mock.patch.object(_ids, "_LOOKUP_ROWS", lookup_rows),
    ):
        assert list(column.isin(known)) == expected
        assert list(column.isin(known, where)) == list(np.array(expected, dtype=bool) & where)
    assert len(known) == len(set(listed)) and sorted(known) == sorted(set(listed))


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(st.lists(usccs, min_size=1, max_size=15), st.lists(usccs, max_size=15))
def test_id_sets_stay_exact_when_every_hash_collides(kernel_rows, listed, others) -> None:
    def collide(words: list[np.ndarray]) -> np.ndarray:
        return np.zeros(len(words[0]), dtype=np.uint64)

    with (
        mock.patch.object(_ids, "mix", collide),
        mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows),
    ):
        ids = TextColumn.of(listed).normalized()
        known = IdSet.of(IdColumn.of(ids), ids)
        probes = others + listed + _near_misses(listed)
        found = IdColumn.of(TextColumn.of(probes).normalized()).isin(known)
    assert list(found) == [p in set(listed) for p in probes]
    assert len(known) == len(set(listed))


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(st.lists(usccs, min_size=1, max_size=15), st.lists(usccs, max_size=15))
def test_id_sets_stay_exact_with_several_ids_to_a_bucket(kernel_rows, listed, others) -> None:
    """Four hashes in all: buckets of several ids, probes that match the first, a later
    or none of their bucket's records, and probes of empty buckets."""

    def few(words: list[np.ndarray]) -> np.ndarray:
        return (words[0] % np.uint64(4)) << np.uint64(62)

    with (
        mock.patch.object(_ids, "mix", few),
        mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows),
    ):
        ids = TextColumn.of(listed).normalized()
        known = IdSet.of(IdColumn.of(ids), ids)
        probes = others + listed[::-1] + _near_misses(listed)
        found = IdColumn.of(TextColumn.of(probes).normalized()).isin(known)
    assert list(found) == [p in set(listed) for p in probes]


def test_a_claim_screens_exactly_when_hashes_collide() -> None:
    ledger = pd.DataFrame(
        {
            "loan_id": ["A", "B"],
            "borrower_id": ["911101085011945813", "915101005446414621"],
            "principal": ["100.00", "200.00"],
            "disbursement_date": ["2022-04-01", "2022-04-01"],
            "maturity_date": ["2023-04-01", "2023-04-01"],
        }
    )
    with mock.patch.object(_ids, "mix", lambda words: np.zeros(len(words[0]), np.uint64)):
        result = tech_relending.claim(ledger, "2022Q2", "ICBC", ["911101085011945813"])
    assert list(result.loans["reason"]) == ["eligible", "borrower_not_eligible"]


amounts = st.one_of(
    st.tuples(st.text("0123456789", min_size=1, max_size=18), st.text("0123456789", max_size=3))
    .map(lambda t: f"{t[0]}.{t[1]}"),
    st.text("0123456789.-+, ", max_size=22),
    st.sampled_from(["１２.３４", "12.3４", ".50", "1.00", "0.00", "-1.00", " 7.10 ", "12,345.67",
                     "5元.00", "人民币5.00", "00012.30"]),
)  # fmt: skip


@given(st.lists(amounts, max_size=30))
def test_plain_amounts_read_from_bytes_agree_with_the_decimal_cast(texts) -> None:
    text = pa.array(texts, pa.large_string())
    fast, fast_ok = _plain_yuan(TextColumn.of(text))
    slow, slow_ok = _general_yuan(text)
    assert (fast_ok <= slow_ok).all()  # the fast path accepts a subset of the pattern
    # ... and every amount of the shape it is for, whatever the widths beside it
    plain = [bool(re.fullmatch(r"[0-9]{1,16}\.[0-9]{2}", t)) for t in texts]
    assert (fast_ok >= np.array(plain, dtype=bool)).all()
    assert (fast[fast_ok] == slow[fast_ok]).all()
    whole, ok = parse_yuan_column(pd.Series(texts, dtype=object))
    # full-width digits are read as ASCII (NFKC), then the pattern applies
    trimmed, trimmed_ok = _general_yuan(pc.utf8_trim_whitespace(pc.utf8_normalize(text, "NFKC")))
    assert list(ok) == list(trimmed_ok) and list(whole) == list(trimmed)


def test_amounts_at_the_width_limits() -> None:
    fen, ok = parse_yuan_column(pd.Series(["9999999999999999.99", "99999999999999999.99", "1.00"]))
    assert list(ok) == [True, False, True]
    assert list(fen) == [999999999999999999, 0, 100]


def test_dates_at_the_edges_of_the_tables() -> None:
    texts = ["0001-01-01", "1899-12-31", "1900-01-01", "2199-12-31", "2200-01-01", "9999-12-31"]
    days, ok = parse_dates(pd.Series(texts))
    expected = [(dt.date.fromisoformat(t) - EPOCH).days for t in texts]
    assert ok.all() and list(days) == expected
    assert list(parse_dates(pd.Series(["0000-01-01", "2023-02-29"]))[1]) == [False, False]


def test_add_months_past_the_tables() -> None:
    last = (dt.date(9999, 12, 31) - EPOCH).days
    start = (dt.date(9999, 8, 31) - EPOCH).days
    # 9999-08-31 + 6 months is 10000-02-29 (10000 is a leap year): Jan's 31 days + 29
    assert int(add_months(np.array([start]), 6)[0]) == last + 31 + 29
    early = (dt.date(1066, 10, 14) - EPOCH).days
    assert int(add_months(np.array([early]), 4)[0]) == (dt.date(1067, 2, 14) - EPOCH).days


texts = st.lists(st.one_of(st.none(), st.text("ab1 \u3000\tａＢ１借", max_size=6)), max_size=20)


@given(texts)
def test_a_text_column_strips_and_normalizes_as_python_does(values) -> None:
    """Oracles: str.strip for stripped; NFKC, then strip, then upper for normalized
    (``ａＢ１`` -> ``AB1``, the ideographic space U+3000 -> a space, then stripped)."""
    column = TextColumn.of(pd.Series(values, dtype=object))
    assert len(column) == len(values)
    assert list(column.missing) == [v is None for v in values]
    assert list(column.lengths) == [len((v or "").encode()) for v in values]
    stripped = column.stripped().array.to_pylist()
    assert stripped == [None if v is None else v.strip() for v in values]
    assert column.filled().array.to_pylist() == [v or "" for v in values]
    expected = [unicodedata.normalize("NFKC", v or "").strip().upper() for v in values]
    assert column.normalized().array.to_pylist() == expected
    # the same column built from an Arrow array or a list holds the same text
    for other in (TextColumn.of(pa.array(values, pa.string())), TextColumn.of(values)):
        assert other.array.equals(column.array)
    series = column.series()
    assert str(series.dtype) == "str"  # pandas' default string dtype, missing as NaN
    assert series.isna().tolist() == [v is None for v in values]
    keep = np.arange(len(values)) % 2 == 0
    dropped = [v is None or not k for v, k in zip(values, keep, strict=True)]
    assert column.masked(keep).missing.tolist() == dropped


def test_fixed_width_views_and_masks() -> None:
    text = TextColumn.of(["2022-04-01", "2022/4/1", None, "2022-04-30"])
    assert text.fixed_width(10) is None
    rows, matrix = text.rows_of_width(10)
    assert list(rows) == [0, 3] and matrix.tobytes() == b"2022-04-012022-04-30"
    whole = TextColumn.of(["ab", "cd"])
    assert whole.fixed_width(2).tobytes() == b"abcd"
    kept = text.masked(np.array([True, True, True, False]))
    assert kept.array.to_pylist() == ["2022-04-01", "2022/4/1", None, None]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_gb18030_body_under_an_ascii_header(tmp_path, bom) -> None:
    header = "loan_id,borrower_id,principal,currency,disbursement_date,maturity_date\n"
    body = "A,911101085011945813,100.00,人民币,2022-04-01,2023-04-01\n"
    path = tmp_path / "gb.csv"
    path.write_bytes(header.encode("ascii") + body.encode("gb18030"))
    assert read_ledger(path).frame["currency"].tolist() == ["人民币"]
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(bom + (header + body).encode("utf-8"))
    result = tech_relending.claim(utf8, "2022Q2", "ICBC", ["911101085011945813"])
    assert result.entitlement_fen == 6000


def test_an_empty_eligible_list_and_odd_items_are_refused() -> None:
    ledger = pd.DataFrame(
        {
            "loan_id": ["A"],
            "borrower_id": ["911101085011945813"],
            "principal": ["100.00"],
            "disbursement_date": ["2022-04-01"],
            "maturity_date": ["2023-04-01"],
        }
    )
    with pytest.raises(RelendInputError, match="at least one"):
        tech_relending.claim(ledger, "2022Q2", "ICBC", [])
    with pytest.raises(RelendInputError, match="123"):
        tech_relending.claim(ledger, "2022Q2", "ICBC", [123])


def test_a_frame_digest_follows_content_not_storage() -> None:
    from calculators.engine.validate import frame_digest

    frame = pd.DataFrame({"loan_id": ["A", None, "借据"], "principal": ["1.00", "2.00", ""]})
    same = pd.concat([frame.iloc[:1], frame.iloc[1:]]).astype(pd.StringDtype("pyarrow"))
    assert frame_digest(frame) == frame_digest(same)
    changed = frame.assign(principal=["1.00", "2.00", " "])
    renamed = frame.rename(columns={"principal": "贷款金额"})
    missing = frame.assign(loan_id=["A", "", "借据"])
    digests = {frame_digest(f) for f in (frame, changed, renamed, missing)}
    assert len(digests) == 4


@given(st.lists(st.one_of(st.text("0123456789+- .", max_size=21), st.none(),
                          st.integers(-(10**18), 10**18).map(str)), max_size=30))  # fmt: skip
def test_fen_text_column_agrees_with_python(texts) -> None:
    from calculators.columnar.money import parse_fen_column

    fen, ok = parse_fen_column(pd.Series(texts, dtype=object))
    for text, good, amount in zip(texts, ok, fen, strict=True):
        cleaned = (text or "").strip(" ")
        expected = re.fullmatch(r"[+-]?[0-9]+", cleaned) and len(cleaned) <= 18
        assert good == bool(expected), text
        if good:
            assert amount == int(cleaned)


date_texts = st.one_of(
    st.dates(dt.date(1890, 1, 1), dt.date(2250, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(
        ["2022-02-30", "2022/4/1", "20220401", " 2022-04-01 ", "２０２２－０４－０１", "",
         None, "2022年4月1日", "2022-04-01 00:00", "2022-04-01 12:00", "abc"]
    ),
)  # fmt: skip


@given(st.lists(date_texts, min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_dates_read_once_per_distinct_value_as_row_by_row(pool, seed) -> None:
    """A date column of a few repeated values is parsed on its distinct values and
    spread back over the rows: the same days and validity as parsing every row."""
    from calculators.columnar import dates as _dates

    rows = np.random.default_rng(seed).integers(0, len(pool), 9_000)
    series = pd.Series([pool[k] for k in rows], dtype=object)
    assert TextColumn.of(series).few_distinct() is not None  # the path under test
    days, ok = parse_dates(series)
    want_days, want_ok = _dates._text_days(TextColumn.of(series))
    np.testing.assert_array_equal(ok, want_ok)
    np.testing.assert_array_equal(days[ok], want_days[ok])


def test_a_mostly_distinct_column_is_not_encoded() -> None:
    days = pd.Series(pd.date_range("1990-01-01", periods=10_000).strftime("%Y-%m-%d"))
    assert TextColumn.of(days).few_distinct() is None
    assert TextColumn.of(days[:5_000].tolist() * 2).few_distinct() is None  # sample distinct
    assert TextColumn.of(days[:100].tolist() * 100).few_distinct() is not None


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["CNY", "RMB", "人民币", "156", "", "USD"]),
            st.text("cnyCNY rmb人民币１５６\u3000", max_size=4),
        ),
        max_size=30,
    )
)
def test_currency_lookup_matches_row_by_row_normalization(values) -> None:
    """Rows written as an alias are taken as they are and the others normalized once per
    distinct value: the same answer as normalizing each row (NFKC, trimmed, upper
    case; missing as empty)."""
    from calculators.readers.columns import CNY_ALIASES

    want = [unicodedata.normalize("NFKC", v or "").strip().upper() in CNY_ALIASES for v in values]
    column = TextColumn.of(pd.Series(values, dtype=object))
    assert list(column.normalized_in(CNY_ALIASES)) == want


def test_currency_read_once_per_distinct_value() -> None:
    from calculators.readers.columns import CNY_ALIASES

    # missing and empty are CNY (an export leaves the column empty); full-width letters,
    # case and surrounding spaces are normalized; 156 is CNY's ISO 4217 number
    values = ["CNY", " cny ", "人民币", "ＣＮＹ", "", None, "USD", "rmb", "156", "CNH", "usd"]
    want = [True, True, True, True, True, True, False, True, True, False, False]
    column = TextColumn.of(pd.Series(values * 3, dtype=object))
    assert list(column.normalized_in(CNY_ALIASES)) == want * 3
