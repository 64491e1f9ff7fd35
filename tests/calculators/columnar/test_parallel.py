"""``in_threads``: the results in order, the calling thread working too, every item run
and the first failure in order raised."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest

from calculators.columnar import parallel as _parallel
from calculators.columnar.parallel import in_threads


@pytest.mark.parametrize("cores", [1, 2, 4])
def test_results_in_order_with_the_caller_among_the_threads(cores) -> None:
    seen: set[int] = set()

    def work(k: int) -> int:
        seen.add(threading.get_ident())
        time.sleep(0.002 * (k % 3))  # items finish out of order
        return k * k

    with mock.patch.object(_parallel, "_cores", return_value=cores):
        assert in_threads(work, list(range(40))) == [k * k for k in range(40)]
    assert threading.get_ident() in seen  # the caller took items, not only waited
    assert len(seen) <= cores


def test_every_item_runs_and_the_first_failure_in_order_is_raised() -> None:
    ran: list[int] = []

    def work(k: int) -> int:
        if k == 5:
            time.sleep(0.05)  # fails last in time, first in order
            raise ValueError("item 5")
        ran.append(k)
        if k == 7:
            raise KeyError("item 7")
        return k

    with (
        mock.patch.object(_parallel, "_cores", return_value=2),
        pytest.raises(ValueError, match="item 5"),
    ):
        in_threads(work, list(range(12)))
    assert sorted(ran) == [k for k in range(12) if k != 5]
    assert in_threads(work, []) == [] and in_threads(work, [3]) == [3]
