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

Errors of :mod:`calendars` (``calendars.CalendarError``) pass through unchanged.
Problems with single ledger rows are never raised: the row is marked ``invalid``
with a reason code and the rest of the ledger is computed.
"""

from __future__ import annotations

from typing import Any

from ._columns import COLUMN_ALIASES
from ._i18n import _, language


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
    from ._labels import PARAMETER_LABELS

    found = PARAMETER_LABELS.get(parameter)
    if found:
        return f"{found.zh} {parameter}"
    aliases = COLUMN_ALIASES.get(parameter)
    return f"{aliases[0]} {parameter}" if aliases else parameter


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
