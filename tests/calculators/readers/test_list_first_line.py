"""A list file's first filled line, found without splitting the whole file, is the line
splitting it would give."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from calculators.readers.lists import _first_filled_line


def _by_splitting(text: str) -> str | None:
    lines = re.split(r"\r\n|\r|\n", text)
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return lines[filled[0]] if filled else None


_PIECES = ["", " ", "\t", "\u3000", "a", " id ", "统一社会信用代码", "\r", "\n", "\r\n", "x,y"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_first_filled_line_is_the_split_one(text: str) -> None:
    assert _first_filled_line(text) == _by_splitting(text)
