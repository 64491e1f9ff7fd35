"""A borrower list read, validated and hashed once, for many claims.

A claim given a reference list as a path or an iterable reads it, checks every id and
builds its lookup table each time. :class:`BorrowerList` does that once: the same
value can then be given to every claim, audit and partitioned claim of a session (the
quarters of a year, the lenders of a branch), with results identical to giving the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..columnar.ids import IdSet
from .ledger import read_ids


@dataclass(frozen=True, eq=False, init=False)
class BorrowerList:
    """Borrower ids (an eligible-enterprise list, a dishonesty list), checked once.

    Parameters
    ----------
    source : path, iterable of str, numpy array or pandas Series
        A list file as a claim reads it (a CSV with a borrower-id column, one id per
        line, or an Excel workbook), or the ids themselves.
    what : str, default ``"borrowers"``
        The list's name in messages (``eligible-borrowers``).
    encoding : str, optional
        A CSV list's encoding (a Python codec name such as ``big5``) when it is not
        UTF-8, UTF-16 or GB18030, which are found without it.

    Attributes
    ----------
    source : str or None
        The file the ids were read from; None for ids given directly.
    sha256 : str or None
        The SHA-256 of that file as read; None for ids given directly.
    ids : IdSet
        The distinct ids with their lookup table, as a claim uses them.

    Raises
    ------
    LedgerFileError
        As a claim given the file raises: an unreadable file, or an id with a wrong
        check character (the message names the file and line, or the item's position,
        and the id).

    Notes
    -----
    A list without a single id is accepted here (a dishonesty list may be empty: the
    claim warns), and refused by a claim whose program requires the list, with the error
    the file gives (an empty eligible list would make every loan ineligible, silently).
    The eligible-enterprise list of the tech relending is pushed by MOST and MIIT
    (tech notice 一, seed 740-746); a program's summary counts the list's ids
    (``lists``), as for a file.
    """

    source: str | None
    sha256: str | None
    ids: IdSet = field(repr=False)

    def __init__(
        self,
        source: str | Path | Iterable[str] | BorrowerList,
        *,
        what: str = "borrowers",
        encoding: str | None = None,
    ) -> None:
        if isinstance(source, BorrowerList):
            ids, origin, digest = source.ids, source.source, source.sha256
        else:
            ids, digest = read_ids(source, what, encoding=encoding)
            origin = str(source) if isinstance(source, str | Path) else None
        object.__setattr__(self, "source", origin)
        object.__setattr__(self, "sha256", digest)
        object.__setattr__(self, "ids", ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, value: object) -> bool:
        return value in self.ids

    def __repr__(self) -> str:
        count = f"{len(self)} id" + ("" if len(self) == 1 else "s")
        if self.source is None:
            return f"<BorrowerList: {count} from an iterable>"
        return f"<BorrowerList: {count} from {Path(self.source).name} (sha256 {self.sha256})>"
