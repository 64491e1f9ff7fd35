"""The vectorized id check gives stdnum's answers (stdnum is the oracle here), but for
the region of a resident id, judged by the rule relend applies (a code not abolished
before the birth year; stdnum wants it in use in the birth year), from a hand table."""

from __future__ import annotations

import re
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


def _stdnum_placed(region: str, year: int) -> bool:
    """stdnum's database lookup of a region, judged by relend's rule: one of its names
    not ended before ``year``."""
    from stdnum import numdb

    found = numdb.get("cn/loc").info(region)
    counties = {k: v for _, props in found for k, v in props.items()}.get("county")
    for county in (counties or "").split(",") if counties else ():
        if not county.startswith("["):
            return True
        end = county[1:].split("]")[0].split("-")[1]
        if not end or int(end) >= year:
            return True
    return False


# the years a division code's names begin or end in cn/loc.dat, each side of them
YEARS = [1900, 1982, 1983, 1984, 1985, 1986, 1987, 1991, 1992, 1997, 1998, 2000, 2009, 2010,
         2011, 2015, 2016, 2020, 2024, 2025, 2099]  # fmt: skip


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
def test_every_region_stdnum_knows_is_placed_as_its_lookup_says(kernel_rows) -> None:
    """Every division code of stdnum's data file, and codes it lacks, born in years on
    each side of the changes: an id is valid exactly when stdnum's own lookup of its
    region finds a name not ended before the birth year (relend reads the file in one
    pass instead of asking stdnum a region at a time)."""
    from calculators.columnar import ids as _ids

    _ids._regions.cache_clear()
    from stdnum import numdb

    database = numdb.get("cn/loc")
    codes = []
    for _, low, high, _, children in database.prefixes:
        for province in range(int(low), int(high) + 1):
            for _, child_low, child_high, _, _ in children:
                codes += [
                    f"{province:02d}{k:04d}" for k in range(int(child_low), int(child_high) + 1)
                ]
    assert len(codes) > 6_000
    codes += ["119999", "990000", "000000", "110000", "820000"]
    values = [_with_check(f"{code}{year}0101001", "ric") for code in codes for year in YEARS]
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        got = valid_id_mask(np.array(values, dtype=object))
    # (a few of them are unified social credit codes as well, by their check character)
    want = [_stdnum_placed(value[:6], int(value[6:10])) or uscc.is_valid(value) for value in values]
    assert sum(want) > 100_000 and len(want) - sum(want) > 5_000  # both answers are tested
    assert list(got) == want


def test_a_data_file_of_another_shape_is_read_through_stdnum(monkeypatch) -> None:
    """A line the one-pass reader does not know makes it ask stdnum's database instead,
    with the same answers."""
    from calculators.columnar import ids as _ids

    fast = _ids._regions.__wrapped__()
    monkeypatch.setattr(_ids, "_REGION_LINE", re.compile(r"^()()()(.+)$", re.MULTILINE))
    slow = _ids._regions.__wrapped__()
    assert all((a == b).all() for a, b in zip(fast, slow, strict=True))
    assert fast[0][0] == 110000 and fast[1][list(fast[0]).index(110103)] == 2010


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
