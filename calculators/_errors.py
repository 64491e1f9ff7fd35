"""Errors raised by :mod:`calculators`.

Every error a user can cause renders as one line naming the parameter, the value and
what would have been accepted; the command line prints that line and exits with 2.

Exception hierarchy::

    RelendInputError (ValueError)
    ├── LedgerFileError        unreadable, undecodable or empty file; missing column
    ├── MoneyError             an amount that is not exact to the fen, or not positive
    ├── LenderError            an unknown lender, or one not eligible for the tool
    ├── PolicyNotFoundError    no policy version covers that program and date or period
    │   └── PolicyUnknownError a figure no source gives (supply it with a policy file)
    ├── PolicyFileError        a policy file that is malformed, unsourced or contradictory
    ├── ExtensionLimitError    more facility extensions than the tool allows
    ├── BookError              a book that cannot be opened, or a change it refuses
    └── ParameterError         any other argument outside what is accepted
        └── OutputError        an output folder or file that cannot be written
            ├── NotRelendsFileError  a file under an output name relend did not write
            └── OutputIsInputError   an input of the run under an output name

Errors of :mod:`calendars` (``calendars.CalendarError``) pass through unchanged.
Problems with single ledger rows are never raised: the row is marked ``invalid``
with a reason code and the rest of the ledger is computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._i18n import Label, _, language

PARAMETER_LABELS: Mapping[str, Label] = MappingProxyType(
    {
        "lender": Label("金融机构", "lender"),
        "program": Label("工具", "program"),
        "quarter": Label("申报期", "period"),
        "month": Label("申报月份", "month"),
        "date": Label("日期", "date"),
        "drawdown": Label("发放日", "drawdown"),
        "extensions": Label("展期次数", "extensions"),
        "amount": Label("金额", "amount"),
        "ledger": Label("贷款台账", "ledger"),
        "columns": Label("表头", "columns"),
        "sheet": Label("工作表", "sheet"),
        "tolerance_fen": Label("容差（分）", "tolerance (fen)"),
        "calendar": Label("日历", "calendar"),
        "year": Label("年份", "year"),
    }
)
"""Arguments an error line names, besides the ledger's columns."""

_FIELD_NAMES: dict[str, str] = {}
"""A ledger column's first Chinese header by its key, filled by the column table
(:mod:`calculators.readers.columns`) as columns are declared."""


def name_fields(names: Mapping[str, str]) -> None:
    """Give the Chinese headers (key -> header) an error line shows beside a column's key."""
    _FIELD_NAMES.update(names)


class RelendInputError(ValueError):
    """Base class of the errors a user's input can cause.

    Parameters
    ----------
    parameter : str
        The argument, column or field that was wrong.
    value : Any
        What it was given.
    accepted : str
        What would have been accepted, in words.
    """

    def __init__(self, parameter: str, value: Any, accepted: str) -> None:
        self.parameter = parameter
        self.value = value
        self.accepted = accepted
        super().__init__(
            _("{parameter}={value} is not accepted: {accepted}").format(
                parameter=_named(parameter), value=repr(value), accepted=accepted
            )
        )


def _named(parameter: str) -> str:
    """A field by its Chinese header beside its key in Chinese (``贷款金额 principal``),
    else the key: a ledger column, or a summary field relend labels."""
    if language() != "zh":
        return parameter
    found = PARAMETER_LABELS.get(parameter)
    if found:
        return f"{found.zh} {parameter}"
    header = _FIELD_NAMES.get(parameter)
    return f"{header} {parameter}" if header else parameter


class LedgerFileError(RelendInputError):
    """A ledger or list file that cannot be used at all."""


class MoneyError(RelendInputError):
    """An amount that is not exact to the fen or outside the accepted range."""


class LenderError(RelendInputError):
    """An unknown lender, or a lender not eligible for the tool."""


class PolicyNotFoundError(RelendInputError):
    """No policy row covers the program at that date or period."""


class PolicyFileError(RelendInputError):
    """A policy file that cannot be used: malformed, a figure without a source, a ratio
    outside (0, 1], or versions whose windows overlap."""


class PolicyUnknownError(PolicyNotFoundError):
    """A figure that no source gives: relend refuses to guess it."""


class ExtensionLimitError(RelendInputError):
    """More extensions than the policy row allows."""


class BookError(RelendInputError):
    """A book that cannot be opened (newer schema, not a book), a folder that is not as
    relend wrote it, or a change the book refuses (a drawdown above what is left)."""


class ParameterError(RelendInputError):
    """Any other argument outside what is accepted."""


class OutputError(ParameterError):
    """An output folder or file that cannot be written.

    Parameters
    ----------
    path : Path
        The folder or the file (under its final name) that could not be written.
    reason : str
        Why, in the operating system's words (``No space left on device``).
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("out", str(path), _("a folder relend can create and write"))
        self.path = path
        self.reason = reason
        self.message = _(
            "cannot write {path}: {reason} (--out needs a folder relend can write)"
        ).format(path=path, reason=reason)

    def __str__(self) -> str:
        return self.message


class NotRelendsFileError(OutputError):
    """A file in the output folder, under one of relend's output names, that relend did
    not write (or that changed since it did): relend neither replaces nor removes it.

    Parameters
    ----------
    paths : sequence of Path
        The files, in the folder.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        names = ", ".join(str(p) for p in paths)
        super().__init__(paths[0], _("not written by relend"))
        self.paths = tuple(paths)
        self.message = _(
            "{files}: not written by an earlier relend run into this folder, or changed "
            "since, so relend neither replaces nor removes it; choose another --out folder "
            "or move the file"
        ).format(files=names)


class OutputIsInputError(OutputError):
    """An output file of the run that is also one of its inputs (the ledger, a list).

    Parameters
    ----------
    path : Path
        The output file, in the folder.
    given : str
        The input as the run was given it.
    """

    def __init__(self, path: Path, given: str) -> None:
        super().__init__(path, _("it is an input of this run"))
        self.given = given
        self.message = _(
            "{path} is an input of this run ({given}) under the name of a relend output, "
            "which a run into this folder replaces or removes; choose another --out folder "
            "or move the input"
        ).format(path=path, given=given)
