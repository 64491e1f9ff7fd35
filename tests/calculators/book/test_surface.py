"""The book's public names, and the command line's start without its database layer."""

from __future__ import annotations

import subprocess
import sys

import calculators
import calculators.book


def test_every_exported_name_is_there() -> None:
    for name in calculators.book.__all__:
        found = getattr(calculators.book, name)
        if isinstance(found, type):
            assert found.__module__ == "calculators.book", name
    assert calculators.Book is calculators.book.Book
    assert "Book" in calculators.__all__


def test_the_command_line_starts_without_sqlalchemy() -> None:
    code = (
        "import sys; from calculators.cli import build_parser; build_parser(); "
        "print('sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
