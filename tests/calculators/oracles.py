"""Plain-Python statements of the money rules, written from the README, not the code."""

from __future__ import annotations

from fractions import Fraction


def largest_remainder_split(principals: list[int], ratio: Fraction) -> list[int]:
    """Largest remainder by hand, one loan at a time.

    The total is ``round_half_up(ratio x sum)``, computed in integers; each loan gets
    ``floor(ratio x p)``; the fen left over go one each to the largest remainders,
    earlier rows first on ties.
    """
    n, d = ratio.numerator, ratio.denominator
    total = (2 * n * sum(principals) + d) // (2 * d)  # half up, for non-negative amounts
    floors = [n * p // d for p in principals]
    order = sorted(range(len(principals)), key=lambda i: (-(n * principals[i] % d), i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors
