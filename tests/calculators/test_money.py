from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators import MoneyError, fen_to_yuan, largest_remainder_split, round_half_up, yuan_to_fen
from calculators.columnar.money import parse_principal
from tests.calculators import oracles


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1,234,567.89", 123456789), ("1234567.8", 123456780), ("7", 700), ("0.01", 1),
     (Decimal("12.34"), 1234), (5, 500)],
)  # fmt: skip
def test_yuan_to_fen(text, fen) -> None:
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["1.234", "1,23.00", "abc", "", "1.", 1.5, "1,2345.00"])
def test_bad_yuan(text) -> None:
    with pytest.raises(MoneyError):
        yuan_to_fen(text)


def test_round_half_up_goes_away_from_zero_on_halves() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (1, 3, 5, -1, -3)] == [1, 2, 3, -1, -2]
    assert round_half_up(Fraction(60761160_6, 10)) == 60761161
    assert round_half_up(Decimal("0.4999")) == 0


def test_fen_to_yuan() -> None:
    assert fen_to_yuan(60761161) == "607,611.61"
    assert fen_to_yuan(-5) == "-0.05"


def test_column_parsing_agrees_with_scalar_parsing() -> None:
    values = pd.Series(["1,234.50", "-3.00", "0", "1.239", "12,34", " 8 ", None])
    fen, ok = parse_principal(values, "yuan")
    assert list(ok) == [True, False, False, False, False, True, False]
    assert list(fen[ok]) == [123450, 800]


def test_float_yuan_accepted_only_when_exact_to_the_fen() -> None:
    fen, ok = parse_principal(pd.Series([0.1, 1234.56, 0.005, float("nan")]), "yuan")
    assert list(ok) == [True, True, False, False]
    assert list(fen[:2]) == [10, 123456]


@given(
    st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=50),
    st.sampled_from([Fraction(3, 5), Fraction(1), Fraction(1, 50), Fraction(1, 100)]),
)
def test_split_is_the_largest_remainder_split_written_by_hand(principals, ratio) -> None:
    parts = largest_remainder_split(np.array(principals, dtype=np.int64), ratio)
    assert list(parts) == oracles.largest_remainder_split(principals, ratio)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=30))
def test_split_of_small_equal_remainders_favours_earlier_rows(principals) -> None:
    # small principals at 1/100: many loans share each remainder, so ties decide
    parts = largest_remainder_split(np.array(principals, dtype=np.int64), Fraction(1, 100))
    assert list(parts) == oracles.largest_remainder_split(principals, Fraction(1, 100))


@given(st.lists(st.integers(min_value=0, max_value=10**17), max_size=300))
def test_exact_sum_never_wraps(values) -> None:
    from calculators._money import exact_sum

    assert exact_sum(np.array(values, dtype=np.int64)) == sum(values)


def test_a_claim_whose_total_passes_int64() -> None:
    # 200 loans of 10^17 fen: 2 x 10^19 fen, past int64's 9.2 x 10^18
    p = np.full(200, 10**17, dtype=np.int64)
    parts = largest_remainder_split(p, Fraction(3, 5))
    from calculators._money import exact_sum

    assert exact_sum(parts) == 12 * 10**18
    assert (parts == 6 * 10**16).all()


def test_huge_amounts_are_invalid_not_a_crash() -> None:
    values = pd.Series(["99999999999999999999", "9,999,999,999,999,999.99", "1000000000000000.00",
                        "999999999999999.99"])  # fmt: skip
    fen, ok = parse_principal(values, "yuan")
    # 10^15 yuan = 10^17 fen is the largest principal accepted
    assert list(ok) == [False, False, True, True]
    assert list(fen[ok]) == [10**17, 99999999999999999]


@given(st.lists(st.text("0123456789,.-+ ", max_size=28), max_size=20))
def test_yuan_column_agrees_with_the_scalar_parser(texts) -> None:
    fen, ok = parse_principal(pd.Series(texts, dtype=object), "yuan")
    for text, good, amount in zip(texts, ok, fen, strict=True):
        try:
            expected = yuan_to_fen(text)
        except MoneyError:
            expected = None
        if expected is not None and 0 < expected <= 10**17:
            assert good and amount == expected, text
        else:
            assert not good, text


@given(st.data(), st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=30))
def test_each_share_is_the_floor_and_remainder_of_the_exact_product(data, principals) -> None:
    """Each loan's share under its version's ratio: floor and remainder of the exact
    product, for amounts small enough to multiply in int64 and for the largest ones."""
    import math

    from calculators._money import Shares

    pool = [Fraction(3, 5), Fraction(1), Fraction(1, 50), Fraction(7, 9), Fraction(1, 3)]
    ratios = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
    versions = data.draw(st.lists(st.integers(0, len(ratios) - 1), min_size=len(principals),
                                  max_size=len(principals)))  # fmt: skip
    shares = Shares.of(ratios)
    floors, remainders = shares.split(
        np.array(principals, dtype=np.int64), np.array(versions, dtype=np.int8)
    )
    for p, v, floor, remainder in zip(principals, versions, floors, remainders, strict=True):
        exact = p * ratios[v]
        assert int(floor) == math.floor(exact)
        assert Fraction(int(remainder), shares.denominator) == exact - math.floor(exact)
