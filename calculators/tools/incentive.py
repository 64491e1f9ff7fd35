"""Inclusive small/micro loan support tool (普惠小微贷款支持工具): incentive and swap.

For a local legal-person institution, the incentive for a quarter is the quarter's
ratio times the increase in its quarter-end balance of inclusive small/micro loans,
when positive, rounded half up once. The PBoC pays it through a one-year
interest-rate swap on the increase: the PBoC pays a fixed rate and receives the
statutory reserve interest rate (1.62%), so the net it pays is (fixed - 1.62%) x
notional x year fraction.

Notes
-----
中国人民银行乌鲁木齐中心支行办公室转发关于加大普惠小微贷款支持工具支持力度的通知
(seed 881-911; the PBoC Urumqi branch forwarding the notice that doubles the tool):

- 一, seed 891-897: from 2022Q2 to the end of June 2023 the ratio is 2% of the
  increase in the balance of inclusive small/micro loans of local legal-person
  institutions (was 1%); 2022Q1 stays at 1% (2022 年第一季度的激励资金不再增加).
- 二, seed 899-905: paid through an interest-rate swap; the fixed rate the PBoC pays
  rises from 2.62% to 3.62% (the seed prints 提商 for 提高), the floating rate it
  receives is the statutory reserve rate (法定存款准备金利率).
- 三, seed 907-911: otherwise 银发〔2021〕344号 applies.

Hence fixed - floating equals the ratio in both rows. With the default
conventions (trade date = the quarter's application deadline, one annual period on
30/360 with unadjusted accrual dates, payment rolled forward on ``prc``) the year
fraction is exactly 1 and the net equals the incentive to the fen.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from calendars import BusinessCalendar, Quarter, deadline_for, get_calendar

from .._errors import (
    LedgerFileError,
    MoneyError,
    ParameterError,
    PolicyNotFoundError,
    PolicyUnknownError,
)
from .._i18n import _, language
from .._money import (
    MAX_FEN,
    ROUND_HALF_UP_NOTE,
    decimal_text,
    fen_to_yuan,
    round_half_up,
    yuan_to_fen,
)
from .._version import relend_version
from ..policy.model import Figure, PolicyVersion, why_unknown
from ..policy.table import PolicyTable, policy_table
from .daycount import check_day_count, year_fraction

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IncentiveResult",
    "IncentiveRow",
    "SwapFlow",
    "incentive",
    "incentive_series",
    "incentive_table",
    "reserve_rate_on",
]

LOCAL_LEGAL_PERSON = ("local_legal_person", "local", "地方法人", "地方法人金融机构")
_NOTICE = "中国人民银行乌鲁木齐中心支行办公室转发关于加大普惠小微贷款支持工具支持力度的通知"


@dataclass(frozen=True)
class IncentiveRow:
    """One version of the tool: quarters ``first`` to ``last``, the ratio and the swap's
    fixed rate (either may be unknown: see :func:`row_for`)."""

    version: str
    first: Quarter
    last: Quarter
    ratio: Figure[Fraction]
    fixed_rate: Figure[Decimal]
    origin: str = "package"

    @classmethod
    def of(cls, version: PolicyVersion) -> IncentiveRow:
        """A version of ``microloan.toml`` (or a user policy file) as a row."""
        figures = version.figures
        return cls(
            version.version,
            figures["first_quarter"].value,
            figures["last_quarter"].value,
            figures["ratio"],
            figures["fixed_rate"],
            version.origin,
        )


def incentive_table(policy: PolicyTable | str | Path | None = None) -> tuple[IncentiveRow, ...]:
    """The tool's versions: ``calculators/policies/microloan.toml`` with any user file."""
    return tuple(IncentiveRow.of(v) for v in policy_table(policy).program("microloan").versions)


# statutory reserve interest rate (法定存款准备金利率), effective-dated
RESERVE_RATES: tuple[tuple[dt.date, Figure[Decimal]], ...] = (
    (
        dt.date(2008, 11, 27),
        Figure(
            Decimal("0.0162"),
            f"{_NOTICE}, 二 (the 2022 policy compilation, lines 903-905: 法定存款准备金利率) "
            "names the "
            "statutory reserve rate; 1.62% since 2008-11-27 (a fact from outside the "
            "compilation)",
        ),
    ),
)


def _figure_name(name: str) -> str:
    """A policy figure by its Chinese name beside its key in Chinese (激励比例 ratio)."""
    from ..engine.labels import FIGURE_LABELS, label

    if language() == "zh" and name in FIGURE_LABELS:
        return f"{label(FIGURE_LABELS, name, 'zh')} {name}"
    return name


def reserve_rate_on(day: dt.date) -> Figure[Decimal]:
    """The statutory reserve interest rate in force on ``day``."""
    in_force = [rate for since, rate in RESERVE_RATES if since <= day]
    if not in_force:
        raise PolicyNotFoundError(
            "date",
            day.isoformat(),
            _("a date on or after {first}").format(first=RESERVE_RATES[0][0]),
        )
    return in_force[-1]


def row_for(quarter: Quarter, policy: PolicyTable | str | Path | None = None) -> IncentiveRow:
    """The version covering ``quarter``.

    Raises
    ------
    PolicyNotFoundError
        If no version covers the quarter.
    PolicyUnknownError
        If the version's ratio or fixed rate is given by no source (2023Q3-2024Q4):
        relend does not guess it; a policy file may supply it.
    """
    table = incentive_table(policy)
    for row in table:
        if row.first <= quarter <= row.last:
            for name, figure in (("ratio", row.ratio), ("fixed_rate", row.fixed_rate)):
                if figure.unknown:
                    raise PolicyUnknownError(
                        "quarter",
                        str(quarter),
                        _("a quarter whose {name} a source gives ({version}: {why})").format(
                            name=_figure_name(name),
                            version=row.version,
                            why=why_unknown(figure.why),
                        ),
                    )
            return row
    covered = ", ".join(f"{r.first}-{r.last}" for r in table)
    raise PolicyNotFoundError(
        "quarter",
        str(quarter),
        _("a quarter the incentive covers ({quarters})").format(quarters=covered),
    )


@dataclass(frozen=True)
class SwapFlow:
    """One leg's cash flow."""

    leg: str
    payer: str
    accrual_start: dt.date
    accrual_end: dt.date
    payment_date: dt.date
    rate: Decimal
    year_fraction: Fraction
    amount_fen: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "leg": self.leg,
            "payer": self.payer,
            "accrual_start": self.accrual_start.isoformat(),
            "accrual_end": self.accrual_end.isoformat(),
            "payment_date": self.payment_date.isoformat(),
            "rate": decimal_text(self.rate),
            "year_fraction": str(self.year_fraction),
            "amount_fen": self.amount_fen,
        }


@dataclass(frozen=True)
class IncentiveResult:
    """A quarter's incentive and, for an increase, its swap."""

    quarter: Quarter
    row: IncentiveRow
    previous_balance_fen: int
    current_balance_fen: int
    incentive_fen: int
    flows: tuple[SwapFlow, ...]
    net_fen: int
    day_count: str
    calendar_status: str
    policy_source: dict[str, Any] = field(default_factory=dict)

    @property
    def increment_fen(self) -> int:
        return self.current_balance_fen - self.previous_balance_fen

    def summary(self) -> dict[str, Any]:
        """The dict ``relend incentive --json`` prints."""
        swap = None
        if self.flows:
            fixed, floating = self.flows
            swap = {
                "notional_fen": self.increment_fen,
                "fixed_rate": decimal_text(fixed.rate),
                "floating_rate": decimal_text(floating.rate),
                "start": fixed.accrual_start.isoformat(),
                "end": fixed.accrual_end.isoformat(),
                "payment_date": fixed.payment_date.isoformat(),
                "day_count": self.day_count,
                "fixed_leg_fen": fixed.amount_fen,
                "floating_leg_fen": floating.amount_fen,
                "net_fen": self.net_fen,
                "net_payer": "PBoC",
                "net_rounding": _(
                    "net = ROUND_HALF_UP((fixed − floating) × notional × year fraction); "
                    "each leg is rounded on its own for display"
                ),
                "flows": [f.as_dict() for f in self.flows],
            }
        return {
            "quarter": str(self.quarter),
            "ratio": decimal_text(self.row.ratio.value),
            "ratio_source": self.row.ratio.source_text(),
            "policy_version": self.row.version,
            "policy_origin": self.row.origin,
            "policy_source": self.policy_source,
            "previous_balance_fen": self.previous_balance_fen,
            "current_balance_fen": self.current_balance_fen,
            "increment_fen": self.increment_fen,
            "incentive_fen": self.incentive_fen,
            "incentive_yuan": fen_to_yuan(self.incentive_fen),
            "rounding": _(ROUND_HALF_UP_NOTE),
            "calendar_status": self.calendar_status,
            "swap": swap,
        }


def _check_balance(name: str, fen: int) -> int:
    if isinstance(fen, bool) or not isinstance(fen, int) or not 0 <= fen <= MAX_FEN:
        raise MoneyError(
            name, fen, _("a balance as a whole number of fen from 0 to {most}").format(most=MAX_FEN)
        )
    return fen


def incentive(
    quarter: str | Quarter,
    previous_balance_fen: int,
    current_balance_fen: int,
    *,
    institution: str = "local_legal_person",
    trade_date: dt.date | None = None,
    day_count: str = "30/360",
    calendar: BusinessCalendar | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> IncentiveResult:
    """The incentive for ``quarter`` and the swap that pays it.

    Parameters
    ----------
    quarter : str or Quarter
        2022Q1 to 2024Q4 (2023Q3 on only with a policy file giving the ratio).
    previous_balance_fen, current_balance_fen : int
        Quarter-end balances of inclusive small/micro loans, previous and this quarter.
    institution : str
        Only local legal-person institutions (地方法人金融机构) are eligible.
    trade_date : datetime.date, optional
        Swap start: a day after the quarter's last day (the notional is the increase
        in the quarter-end balance, known only once the quarter has ended); default the
        quarter's application deadline.
    day_count : str, default "30/360"
    calendar : BusinessCalendar, optional
        For the payment date; default ``prc``.
    policy : PolicyTable or path, optional
        A user policy file applied for this call (e.g. the ratio of a quarter no
        shipped source gives).

    Raises
    ------
    ParameterError
        For an institution that is not a local legal person, or a ``trade_date`` on
        or before the quarter's last day.
    """
    if str(institution).strip().lower() not in LOCAL_LEGAL_PERSON:
        raise ParameterError(
            "institution", institution, _("a local legal-person institution (地方法人金融机构)")
        )
    period = Quarter.parse(quarter)
    if trade_date is not None and trade_date <= period.end:
        raise ParameterError(
            "trade_date",
            trade_date.isoformat(),
            _("a date after {end}, the last day of {quarter}: the swap's notional is the "
              "increase in the quarter-end balance, known only once the quarter has ended "
              "(by default the swap starts on the application deadline)").format(
                end=period.end.isoformat(), quarter=period
            ),
        )  # fmt: skip
    table = policy_table(policy)
    row = row_for(period, table)
    source = table.source(relend_version())
    previous = _check_balance("previous_balance", previous_balance_fen)
    current = _check_balance("current_balance", current_balance_fen)
    convention = check_day_count(day_count)
    cal = calendar or get_calendar("prc")
    increase = current - previous
    amount = round_half_up(row.ratio.value * max(increase, 0))
    if increase <= 0:
        return IncentiveResult(
            period, row, previous, current, 0, (), 0, convention, "published", source
        )
    start = trade_date or deadline_for(period, cal).date
    end = start + relativedelta(years=1)
    payment = cal.roll(end)
    fraction = year_fraction(start, end, convention)
    fixed_rate, floating = row.fixed_rate.value, reserve_rate_on(start).value
    legs = (("fixed", "PBoC", fixed_rate), ("floating", "institution", floating))
    flows = tuple(
        SwapFlow(
            leg, payer, start, end, payment, rate, fraction,
            round_half_up(Fraction(rate) * increase * fraction),
        )
        for leg, payer, rate in legs
    )  # fmt: skip
    net = round_half_up((Fraction(fixed_rate) - Fraction(floating)) * increase * fraction)
    status = cal.worst_status(start, payment)
    return IncentiveResult(
        period, row, previous, current, amount, flows, net, convention, status, source
    )


def incentive_series(balances: pd.DataFrame | str | Path, **options: Any) -> list[IncentiveResult]:
    """One :class:`IncentiveResult` per quarter of a balance series.

    ``balances`` has columns ``quarter`` (季度) and ``balance`` (余额, yuan), one row per
    consecutive quarter-end; the first row is the base.
    """
    frame = _read_balances(balances)
    quarters = [Quarter.parse(q) for q in frame["quarter"]]
    fen = [
        yuan_to_fen(str(b), f"balance {q}") for q, b in zip(quarters, frame["balance"], strict=True)
    ]
    for q, b, f in zip(quarters, frame["balance"], fen, strict=True):
        if not 0 <= f <= MAX_FEN:  # refused here, to echo the balance as the file has it
            raise MoneyError(
                f"balance {q}",
                str(b),
                _("a balance of 0 yuan or more, at most {most} yuan").format(
                    most=fen_to_yuan(MAX_FEN)
                ),
            )
    for (before, after), typed in zip(
        itertools.pairwise(quarters), frame["quarter"].iloc[1:], strict=True
    ):
        if after != before.next():
            raise ParameterError(
                "quarter",
                str(typed),  # as the file has it (2022-Q3), not as relend writes it
                _("consecutive quarters: {next} follows {before}").format(
                    next=before.next(), before=before
                ),
            )
    return [
        incentive(q, prev, cur, **options)
        for q, prev, cur in zip(quarters[1:], fen, fen[1:], strict=False)
    ]


BALANCE_COLUMNS = ("quarter", "balance")


def _read_balances(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    import pandas as pd

    from ..readers.columns import canonical_columns
    from ..readers.csv_file import read_bytes, read_csv_text

    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        frame = read_csv_text(read_bytes(source, "balances"), str(source), "balances")
    frame = canonical_columns(frame, BALANCE_COLUMNS, among=BALANCE_COLUMNS)
    if len(frame) < 2:
        raise LedgerFileError("rows", len(frame), _("at least two quarter-end balances"))
    return frame
