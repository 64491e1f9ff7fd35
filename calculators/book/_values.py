"""The frozen values a book's operations return, each with the dict ``--json`` prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from .._money import fen_to_yuan

__all__ = [
    "AlreadyClaimed",
    "Changes",
    "ClawbackEntry",
    "Difference",
    "DrawdownEntry",
    "ExtensionEntry",
    "QuotaEntry",
    "Recorded",
    "RepaymentEntry",
    "Verification",
]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Value:
    def as_dict(self) -> dict[str, Any]:
        """The value as ``--json`` prints it: dates ISO, rates as decimal strings, amounts
        as integer fen with their yuan text beside them."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():  # type: ignore[call-overload]
            out[key] = _plain(value)
            if key.endswith("_fen") and isinstance(value, int):
                out[key.removesuffix("_fen") + "_yuan"] = fen_to_yuan(value)
        return out


@dataclass(frozen=True)
class AlreadyClaimed(_Value):
    """A loan of a claim that another recorded claim (not its own revision) holds too."""

    loan_id: str
    borrower_id: str
    claim_id: int
    program: str
    period: str
    lender: str


@dataclass(frozen=True)
class Changes(_Value):
    """What a revision changed against the claim it supersedes."""

    entitlement_before_fen: int
    entitlement_after_fen: int
    loans_added: int
    loans_removed: int
    loans_changed: int


@dataclass(frozen=True)
class Recorded(_Value):
    """A claim in the book: what ``relend book record`` prints."""

    claim_id: int
    program: str
    period: str
    lender: str
    entitlement_fen: int
    loans_claimed: int
    revision_of: int | None
    already_claimed: tuple[AlreadyClaimed, ...]
    changes: Changes | None
    over_quota_fen: int | None
    already_recorded: bool

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["already_claimed"] = [a.as_dict() for a in self.already_claimed]
        out["changes"] = self.changes.as_dict() if self.changes else None
        return out


@dataclass(frozen=True)
class DrawdownEntry(_Value):
    """Relending received against a claim."""

    drawdown_id: int
    claim_id: int
    drawdown_date: dt.date
    amount_fen: int
    rate: Decimal
    policy_version: str
    maturity_date: dt.date


@dataclass(frozen=True)
class ExtensionEntry(_Value):
    """An extension of a drawdown: one more year at the same rate."""

    extension_id: int
    drawdown_id: int
    number: int
    maturity_date: dt.date
    rate: Decimal


@dataclass(frozen=True)
class RepaymentEntry(_Value):
    """Relending paid back."""

    repayment_id: int
    drawdown_id: int
    repayment_date: dt.date
    amount_fen: int
    outstanding_fen: int


@dataclass(frozen=True)
class ClawbackEntry(_Value):
    """Relending an audit found claimed beyond the rules, to be returned."""

    clawback_id: int
    claim_id: int
    amount_fen: int
    already_recorded: bool


@dataclass(frozen=True)
class QuotaEntry(_Value):
    """A program's quota for a lender, from a date."""

    quota_id: int
    program: str
    lender: str
    amount_fen: int
    from_date: dt.date


@dataclass(frozen=True)
class Difference(_Value):
    """One thing ``verify`` found that is not as the book recorded it."""

    kind: str
    where: str
    detail: str


@dataclass(frozen=True)
class Verification(_Value):
    """What ``relend book verify`` checked and found."""

    rows_checked: int
    files_checked: int
    journal_entries: int
    journal_head: str
    differences: tuple[Difference, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["differences"] = [d.as_dict() for d in self.differences]
        out["ok"] = self.ok
        return out
