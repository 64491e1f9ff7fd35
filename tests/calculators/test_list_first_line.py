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


@given(st.lists(st.sampled_from(["", " ", "\t", "\u3000", "a", " id ", "统一社会信用代码",
                                 "\r", "\n", "\r\n", "x,y"]), max_size=12).map("".join))  # fmt: skip
def test_first_filled_line_is_the_split_one(text: str) -> None:
    assert _first_filled_line(text) == _by_splitting(text)
