"""The relending facility: maturity, extensions, interest and clawback.

A relending drawn on a date runs one year; each extension adds one more year at the
same rate, up to the program's limit (tech 2, transport 1). Period ends are the
drawdown's anniversaries rolled forward to a business day on the ``prc`` calendar;
each period accrues from the previous (rolled) end.

Notes
-----
Tech: 1.75%, 1 year, extendable twice by a year at the same rate (中国人民银行 科技部
工业和信息化部关于设立科技创新再贷款的通知, 二 (规模、利率和期限), seed 758-759).
Transport: 1.75%, 1 year, extendable once by a year at the same rate (中国人民银行
交通运输部关于设立交通物流专项再贷款有关事宜的通知, 二 (发放对象、规模、利率和期限), seed
839-841). The day count is not in any notice: ACT/360 is assumed (policy table,
``day_count``). Interest is rounded half up once per period, since each period's
interest is a separate payment; the total is the sum of the periods.

Clawback: "对不符合...要求的，人民银行将收回" (tech notice 三, seed 781-785; transport
notice 三, seed 861-865): the relending funded by a non-compliant loan is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from calendars import BusinessCalendar, Month, Quarter, get_calendar

from .._errors import ExtensionLimitError, MoneyError, ParameterError, PolicyNotFoundError
from .._i18n import _
from .._money import MAX_FEN, decimal_text, exact_sum, fen_to_yuan, round_half_up
from ..policy.model import PolicyRow
from ..policy.table import PolicyTable, policy_table, program_title
from .daycount import check_day_count, year_fraction

if TYPE_CHECKING:
    from ..engine.result import ClaimResult

__all__ = [
    "Clawback",
    "FacilityPeriod",
    "FacilitySchedule",
    "clawback",
    "last_drawdown",
    "last_schedulable_drawdown",
    "row_for_drawdown",
    "schedule",
]


@dataclass(frozen=True)
class FacilityPeriod:
    """One year of a relending: the original term (``number`` 0) or an extension."""

    number: int
    start: dt.date
    end: dt.date
    days: int
    year_fraction: Fraction
    interest_fen: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": "original" if self.number == 0 else f"extension {self.number}",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "year_fraction": str(self.year_fraction),
            "interest_fen": self.interest_fen,
            "interest_yuan": fen_to_yuan(self.interest_fen),
        }


@dataclass(frozen=True)
class FacilitySchedule:
    """A relending's dates and interest."""

    program: str
    policy: PolicyRow
    amount_fen: int
    rate: Decimal
    rate_source: str
    drawdown: dt.date
    extensions: int
    day_count: str
    periods: tuple[FacilityPeriod, ...]
    calendar_status: str

    @property
    def maturity(self) -> dt.date:
        """The final repayment date, after the extensions taken."""
        return self.periods[-1].end

    @property
    def interest_fen(self) -> int:
        """Total interest: the sum of the periods' rounded interest."""
        return sum(p.interest_fen for p in self.periods)

    def summary(self) -> dict[str, Any]:
        """The dict ``relend facility --json`` prints."""
        return {
            "tool": self.program,
            "policy": self.policy.version,
            "amount_fen": self.amount_fen,
            "amount_yuan": fen_to_yuan(self.amount_fen),
            "rate": decimal_text(self.rate),
            "rate_source": self.rate_source,
            "drawdown": self.drawdown.isoformat(),
            "maturity": self.maturity.isoformat(),
            "extensions": self.extensions,
            "max_extensions": self.policy.max_extensions.value,
            "day_count": self.day_count,
            "day_count_source": self.policy.day_count.source_text(),
            "day_count_assumption": self.policy.day_count.assumption,
            "interest_fen": self.interest_fen,
            "interest_yuan": fen_to_yuan(self.interest_fen),
            "rounding": _("ROUND_HALF_UP to the fen once per period; the total is their sum"),
            "calendar_status": self.calendar_status,
            "periods": [p.as_dict() for p in self.periods],
        }


DRAWDOWN_WINDOW_NOTE = (
    "no notice says how long after an application the PBoC lends; relend accepts a "
    "drawdown from a version's first loan date to the end of the quarter in which its "
    "last application falls due"
)


def last_drawdown(row: PolicyRow) -> dt.date | None:
    """The last drawdown date a version accepts (None: the version has no end).

    Notes
    -----
    An assumption (:data:`DRAWDOWN_WINDOW_NOTE`): the last claim period's application
    is due on the 10th of the first month of the next period (tech notice 三, seed
    769-771; transport notice 三, seed 851-853); drawdowns are accepted to the end of
    that quarter.
    """
    last = row.last_disbursement.value
    if last is None:
        return None
    period: Quarter | Month = (
        Month.containing(last) if row.cadence.value == "monthly" else Quarter.containing(last)
    )
    return Quarter.containing(period.next().start).end


def row_for_drawdown(
    program: str, drawdown: dt.date, policy: PolicyTable | None = None
) -> PolicyRow:
    """The version a drawdown on ``drawdown`` belongs to: the latest whose drawdown
    window holds it.

    Raises
    ------
    PolicyNotFoundError
        If no version's window holds the date; the message names the windows.
    """
    rows = policy_table(policy).rows(program)
    for row in reversed(rows):
        end = last_drawdown(row)
        if row.first_disbursement.value <= drawdown and (end is None or drawdown <= end):
            return row
    raise PolicyNotFoundError(
        "drawdown",
        drawdown.isoformat(),
        _("a date in a {program} drawdown window ({windows})").format(
            program=program_title(program), windows=_windows(rows)
        ),
    )


def _windows(rows: Iterable[PolicyRow], open_end: dt.date | None = None) -> str:
    """The versions' drawdown windows in words: ``tech-2022: 2022-04-01 to 2024-09-30``;
    with ``open_end`` no window runs past it (one without an end stops there), without
    it a window without an end is said to have none."""
    parts = []
    for row in rows:
        first, end = row.first_disbursement.value, last_drawdown(row)
        if open_end is not None:
            end = open_end if end is None else min(end, open_end)
        if end is None:
            parts.append(
                _("{version}: from {first}, no end date").format(version=row.version, first=first)
            )
        else:
            parts.append(
                _("{version}: {first} to {last}").format(version=row.version, first=first, last=end)
            )
    # TRANSLATORS: joins the drawdown windows of several versions
    return _("; ").join(parts)


def last_schedulable_drawdown(
    row: PolicyRow, extensions: int, calendar: BusinessCalendar
) -> dt.date:
    """The last drawdown whose repayment, after ``extensions`` extensions, ``calendar``
    can date.

    Parameters
    ----------
    row : PolicyRow
        The version: its term in years (``term_years``).
    extensions : int
        Extensions taken, each one more term.
    calendar : BusinessCalendar
        The calendar the period ends are rolled forward on (``following``).

    Notes
    -----
    A version without an end (``last_disbursement`` unknown, tech-2024) would accept
    any later drawdown; its repayment date, the anniversary rolled forward to a
    business day, can only be given while the calendar has a business day on or after
    it, so the window stops at the calendar's last business day less the years of the
    term and the extensions.
    """
    years = row.term_years.value * (extensions + 1)
    return calendar.last_business_day - relativedelta(years=years)


def schedule(
    program: str,
    amount_fen: int,
    drawdown: dt.date,
    extensions: int = 0,
    *,
    day_count: str | None = None,
    calendar: BusinessCalendar | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> FacilitySchedule:
    """The dates and interest of a relending drawn on ``drawdown``.

    Parameters
    ----------
    program : str
        A registered program (``tech``, ``transport``, ...).
    amount_fen : int
        The relending drawn, in fen (> 0).
    drawdown : datetime.date
    extensions : int, default 0
        Extensions taken (tech at most 2, transport at most 1).
    day_count : {"ACT/360", "ACT/365F", "30/360"}, optional
        Default: the policy row's (ACT/360, an assumption).
    calendar : BusinessCalendar, optional
        For rolling period ends; default ``prc``.
    policy : PolicyTable or path, optional
        A user policy file (or table) applied to the package's for this call.

    Raises
    ------
    ExtensionLimitError
        If ``extensions`` is above the program's limit.
    PolicyUnknownError
        If an extension is asked for and no source gives the program's number of them.
    """
    if (
        isinstance(amount_fen, bool)
        or not isinstance(amount_fen, int)
        or not (0 < amount_fen <= MAX_FEN)
    ):
        raise MoneyError(
            "amount",
            amount_fen,
            _("a whole number of fen from 1 to {most}").format(most=MAX_FEN),
        )
    row = row_for_drawdown(program, drawdown, policy_table(policy))
    limit = 0 if row.max_extensions.unknown else row.max_extensions.value
    if isinstance(extensions, bool) or not isinstance(extensions, int) or extensions < 0:
        raise ParameterError(
            "extensions", extensions, _("a whole number from 0 to {limit}").format(limit=limit)
        )
    if extensions and row.max_extensions.unknown:
        row.figure("max_extensions")  # raises, saying why no number is given
    if extensions > limit:
        raise ExtensionLimitError(
            "extensions",
            extensions,
            _("at most {limit} for {program} ({source})").format(
                limit=limit,
                program=program_title(program),
                source=row.max_extensions.source_text(),
            ),
        )
    convention = check_day_count(day_count or row.day_count.value)
    cal = calendar or get_calendar("prc")
    reach = last_schedulable_drawdown(row, extensions, cal)
    if drawdown > reach:
        # a window without an end, cut where the calendar can no longer date the repayment
        raise PolicyNotFoundError(
            "drawdown",
            drawdown.isoformat(),
            _("a date in a {program} drawdown window whose repayment, with {extensions} "
              "extensions, the calendar can date ({windows})").format(
                program=program, extensions=extensions,
                windows=_windows(policy_table(policy).rows(program), reach),
            ),
        )  # fmt: skip
    step = row.rate_on(drawdown)
    periods = []
    start = drawdown
    for number in range(extensions + 1):
        end = cal.roll(drawdown + relativedelta(years=row.term_years.value * (number + 1)))
        fraction = year_fraction(start, end, convention)
        interest = round_half_up(Fraction(step.rate) * amount_fen * fraction)
        periods.append(FacilityPeriod(number, start, end, (end - start).days, fraction, interest))
        start = end
    status = cal.worst_status(drawdown, periods[-1].end)
    return FacilitySchedule(
        program, row, amount_fen, step.rate, step.source_text(), drawdown, extensions, convention,
        tuple(periods), status,
    )  # fmt: skip


@dataclass(frozen=True)
class Clawback:
    """The relending to return for loans found non-compliant after a claim."""

    loan_ids: tuple[str, ...]
    returned_fen: int
    remaining_fen: int
    entitlement_fen: int

    def summary(self) -> dict[str, Any]:
        return {
            "loans": list(self.loan_ids),
            "clawback_fen": self.returned_fen,
            "clawback_yuan": fen_to_yuan(self.returned_fen),
            "remaining_fen": self.remaining_fen,
            "remaining_yuan": fen_to_yuan(self.remaining_fen),
        }


def clawback(result: ClaimResult, loan_ids: Iterable[str]) -> Clawback:
    """What a claim's relending must return when ``loan_ids`` prove non-compliant.

    Each loan returns the entitlement it was allotted in the claim's per-loan split
    (0 for a loan that was not eligible), so the returns of disjoint sets add up.

    Raises
    ------
    ParameterError
        If an id is not in the claim's ledger.
    """
    wanted = tuple(dict.fromkeys(str(i).strip() for i in loan_ids))
    ids = result.loan_ids
    known = set(ids.dropna())
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise ParameterError("loan_id", unknown[0], _("a loan id that is in the claim's ledger"))
    hit = ids.isin(wanted).to_numpy(dtype=bool)
    returned = exact_sum(result.loans["entitlement_fen"].to_numpy()[hit])
    return Clawback(wanted, returned, result.entitlement_fen - returned, result.entitlement_fen)
