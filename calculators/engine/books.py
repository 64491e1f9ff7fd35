"""How the engine opens a book it is given by its path or URL.

The book (:mod:`calculators.book`) stands above the engine: it records claims the engine
made. A claim given ``book="relend-book.sqlite"`` asks for the loans other claims hold,
so the engine needs to open one without importing the layer above; the package wires
the book's opener in here (:func:`use_opener`), and the engine calls :func:`open_book`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

Opener = Callable[[str | Path], AbstractContextManager[Any]]

_opener: list[Opener] = []


def use_opener(opener: Opener) -> None:
    """Open books given by path or URL with ``opener`` (``calculators.book.Book``)."""
    _opener[:] = [opener]


def open_book(location: str | Path) -> AbstractContextManager[Any]:
    """The book at ``location``, opened by the registered opener, as a context manager."""
    if not _opener:
        raise RuntimeError("no book opener registered: import calculators first")
    return _opener[0](location)
