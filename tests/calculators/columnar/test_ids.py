"""The vectorized id check gives stdnum's answers (stdnum is the oracle here), but for
the region of a resident id, judged by the rule relend applies (a code not abolished
before the birth year; stdnum wants it in use in the birth year), from a hand table."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from calculators.columnar import compiled as _compiled
from calculators.columnar.compiled import KERNEL_ROWS
from calculators.columnar.ids import valid_id_mask

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# the last year each test region issued numbers (None: still in use), from stdnum's
# cn/loc.dat; 999999 is no region
LAST_YEAR = {"110101": None, "310104": None, "440305": None, "650102": None,
             "110103": 2010, "110110": 1986, "110111": None}  # fmt: skip


def _person(text: str) -> bool:
    if not text[:17].isdigit() or ric.calc_check_digit(text[:17] + "0") != text[17]:
        return False
    try:
        born = ric.get_birth_date(text)
    except Exception:
        return False
    region = text[:6]
    if region not in LAST_YEAR:
        # outside the table: stdnum's own answer (the region in use at birth) agrees
        # with relend's for the regions stdnum's test data draws on
        try:
            return bool(ric.is_valid(text))
        except KeyError:
            return False
    last = LAST_YEAR[region]
    return last is None or born.year <= last


def oracle(text: str) -> bool:
    if len(text) != 18 or text != text.strip().upper() or any(c in " -" for c in text):
        return False
    return _person(text) or uscc.is_valid(text)


def _with_check(base: str, kind: str) -> str:
    if kind == "uscc":
        return base + uscc.calc_check_digit(base)
    return base + ric.calc_check_digit(base + "0")


def _with_wrong_check(base: str) -> str:
    """A resident id of a real region and birth date whose check character is wrong."""
    right = ric.calc_check_digit(base + "0")
    return base + "0123456789X"[("0123456789X".index(right) + 1) % 11]


digits = st.text("0123456789", min_size=17, max_size=17)
uscc_bases = st.tuples(st.text("0123456789", min_size=8, max_size=8),
                       st.text(USCC_ALPHABET, min_size=9, max_size=9)).map("".join)  # fmt: skip
# 110103 until 2010, 110110 until 1986, 110111 from 1986 (stdnum's cn/loc.dat)
REGIONS = ["110101", "310104", "440305", "650102", "999999", "110103", "110110", "110111"]
people = st.tuples(
    st.sampled_from(REGIONS),
    st.dates().map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"),
    st.text("0123456789", min_size=3, max_size=3),
).map("".join)
ids = st.one_of(
    uscc_bases.map(lambda b: _with_check(b, "uscc")),
    people.map(lambda b: _with_check(b, "ric")),
    people.map(lambda b: _with_wrong_check(b)),
    uscc_bases.map(lambda b: b + "0"),
    digits.map(lambda b: b + "X"),
    st.text(USCC_ALPHABET + "IOSVZ", min_size=16, max_size=19),
    st.text(max_size=20),
)


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(st.lists(ids, max_size=30))
def test_vectorized_check_agrees_with_stdnum(kernel_rows, values) -> None:
    """Both paths (the compiled kernel, used from KERNEL_ROWS rows, and numpy) give
    stdnum's answers."""
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        got = valid_id_mask(np.array(values, dtype=object))
    assert list(got) == [oracle(v) for v in values]


def test_the_compiled_kernels_load() -> None:
    """numba is a dependency: the compiled path is there to be tested, not skipped."""
    assert _compiled.loaded_kernels() is not None


def test_known_ids() -> None:
    assert list(valid_id_mask(np.array(["91110000100000000R", "11010519491231002X",
                                        "91110000100000000Q", "", "x" * 18], dtype=object))) == [
        True, True, False, False, False,
    ]  # fmt: skip


def test_region_database_asked_once_per_region_and_year(monkeypatch) -> None:
    # a large ledger's blocks and its eligible list meet the same (region, birth year)
    # pairs again and again; stdnum's lookup is slow pure Python, so each pair is asked
    # once: two ids of 110101 born in 1949, one of 310104 born in 1990, twice over
    from calculators.columnar import ids as _ids

    ids = [_with_check(b, "ric") for b in ("11010119490101001", "11010119491231002",
                                           "31010419900615003")]  # fmt: skip
    asked: list[str] = []
    database = _ids.numdb.get("cn/loc")

    class Counting:
        def info(self, code: str):
            asked.append(code)
            return database.info(code)

    monkeypatch.setattr(_ids.numdb, "get", lambda name: Counting())
    _ids._placed.cache_clear()
    try:
        first = valid_id_mask(np.array(ids, dtype=object))
        again = valid_id_mask(np.array(ids[::-1], dtype=object))
    finally:
        _ids._placed.cache_clear()
    assert list(first) == list(again) == [True, True, True]
    assert sorted(asked) == ["110101", "310104"]


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
def test_a_letter_outside_the_alphabet_is_refused_whatever_the_check(kernel_rows) -> None:
    """I, O, S, V and Z are not in the code alphabet (GB 32100-2015): an id carrying one
    is invalid with every possible check character, never valued as something else."""
    bases = ["91110108501194581", "91510100544641462", "12100000400000001"]
    values = [
        base[:10] + letter + base[11:] + check
        for base in bases
        for letter in "IOSVZa-"
        for check in USCC_ALPHABET
    ]
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        got = valid_id_mask(np.array(values, dtype=object))
    assert not got.any()
    assert not any(oracle(v) for v in values)


@pytest.mark.parametrize("failure", [ImportError, RuntimeError])
def test_without_the_compiled_kernels_numpy_answers(failure) -> None:
    """numba missing (ImportError), or unable to keep compiled code anywhere (numba's
    RuntimeError when no cache folder is writable): the numpy paths answer instead."""
    import builtins

    real_import = builtins.__import__

    def refuse(name, globals=None, locals=None, fromlist=(), level=0):
        if "kernels" in (fromlist or ()) or name.endswith("kernels"):
            raise failure("no compiled kernels here")
        return real_import(name, globals, locals, fromlist, level)

    values = ["911101085011945813", "911101085011945814", "110101194901010011"]
    _compiled.loaded_kernels.cache_clear()
    try:
        with (
            mock.patch.object(builtins, "__import__", refuse),
            mock.patch.object(_compiled, "KERNEL_ROWS", 0),
        ):
            assert _compiled.kernels_for(len(values)) is None
            got = valid_id_mask(np.array(values, dtype=object))
    finally:
        _compiled.loaded_kernels.cache_clear()
    assert list(got) == [oracle(v) for v in values]
    assert _compiled.loaded_kernels() is not None
