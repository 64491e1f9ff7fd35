"""The policy table: effective-dated rows, every figure with its source.

Reviewed like code. Each figure is a :class:`Figure` carrying its value and where it
comes from: a line range of the policy compilation in ``shared/sources``
(``seed 714-788``) or a notice and clause. A figure no source states is marked
``assumption=True`` and says why it was chosen.

Notes
-----
The tech-innovation notice names its 21 lenders only by group and count (CDB, policy
banks, state-owned commercial banks, PSBC, joint-stock commercial banks, "等 21 家",
seed 748-751). The 21 codes below are the members of those groups: an inference,
marked as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Generic, Literal, TypeVar

from calendars import Month, Quarter

from ._errors import PolicyNotFoundError

T = TypeVar("T")
Program = Literal["tech", "transport"]
PROGRAMS: tuple[Program, ...] = ("tech", "transport")


@dataclass(frozen=True)
class Figure(Generic[T]):
    """A policy figure and its source.

    Attributes
    ----------
    value : T
    source : str
        ``seed A-B`` (lines of the policy compilation) or a notice and clause.
    assumption : bool
        True where no source states the figure; ``source`` then says why.
    """

    value: T
    source: str
    assumption: bool = False


@dataclass(frozen=True)
class RateStep:
    """A relending rate in force for drawdowns on or after ``effective``."""

    effective: dt.date
    rate: Decimal
    source: str


@dataclass(frozen=True)
class PolicyRow:
    """One effective-dated row of the policy table.

    Attributes
    ----------
    program : {"tech", "transport"}
    version : str
        Stable id of the row, e.g. ``tech-2022``.
    title : str
        The notice's title.
    first_disbursement, last_disbursement : Figure of date (last may be None)
        Loans disbursed in this window are covered.
    ratio : Figure of Fraction
        Share of eligible principal lent as relending.
    min_term_months : Figure of int
        Minimum loan term in calendar months (0: none).
    rates : Figure of tuple of RateStep
        Relending rate by drawdown date.
    term_years, max_extensions : Figure of int
    cadence : Figure of {"quarterly", "monthly"}
    lenders : Figure of tuple of str
        Eligible lender codes.
    borrower_rule : Figure of str
    day_count : Figure of str
        Interest day count of the relending.
    """

    program: Program
    version: str
    title: str
    first_disbursement: Figure[dt.date]
    last_disbursement: Figure[dt.date | None]
    ratio: Figure[Fraction]
    min_term_months: Figure[int]
    rates: Figure[tuple[RateStep, ...]]
    term_years: Figure[int]
    max_extensions: Figure[int]
    cadence: Figure[str]
    lenders: Figure[tuple[str, ...]]
    borrower_rule: Figure[str]
    day_count: Figure[str]

    def covers(self, day: dt.date) -> bool:
        """Whether a loan disbursed on ``day`` falls in this row's window."""
        last = self.last_disbursement.value
        return self.first_disbursement.value <= day and (last is None or day <= last)

    def rate_on(self, drawdown: dt.date) -> RateStep:
        """The rate step in force for a drawdown on ``drawdown``."""
        steps = [s for s in self.rates.value if s.effective <= drawdown]
        return steps[-1] if steps else self.rates.value[0]

    def sources(self) -> dict[str, dict[str, object]]:
        """Every figure's source, for reports: ``{field: {source, assumption}}``."""
        figures = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if isinstance(getattr(self, name), Figure)
        }
        return {
            name: {"source": f.source, "assumption": f.assumption} for name, f in figures.items()
        }


_SEED_RATE_CUT = "shared/sources README, facts from outside the seed (PBoC rate cuts)"
_TECH_LENDERS = (
    "CDB", "EXIM", "ADBC", "ICBC", "ABC", "BOC", "CCB", "BOCOM", "PSBC", "CITIC", "CEB",
    "HXB", "CMBC", "CMB", "CIB", "CGB", "PAB", "SPDB", "EGB", "CZB", "CBHB",
)  # fmt: skip
_DAY_COUNT_NOTE = (
    "no notice states the day count; ACT/360, the convention of PBoC lending and of "
    "the CNY money market, is assumed"
)

TECH_2022 = PolicyRow(
    program="tech",
    version="tech-2022",
    title="中国人民银行 科技部 工业和信息化部关于设立科技创新再贷款的通知",
    first_disbursement=Figure(dt.date(2022, 4, 1), "seed 765-767 (自 2022 年 4 月 1 日起)"),
    last_disbursement=Figure(
        None,
        "seed 714-788 sets no end; succeeded on 2024-04-07 by 科技创新和技术改造再贷款 "
        "(shared/sources README)",
    ),
    ratio=Figure(Fraction(3, 5), "seed 763-767 (贷款本金的 60%)"),
    min_term_months=Figure(6, "seed 765 (期限 6 个月及以上)"),
    rates=Figure(
        (
            RateStep(dt.date(2022, 4, 1), Decimal("0.0175"), "seed 758 (利率 1.75%)"),
            RateStep(dt.date(2025, 5, 7), Decimal("0.015"), _SEED_RATE_CUT),
            RateStep(dt.date(2026, 1, 19), Decimal("0.0125"), _SEED_RATE_CUT),
        ),
        "seed 758; later cuts per the shared/sources README",
    ),
    term_years=Figure(1, "seed 758 (期 1 年)"),
    max_extensions=Figure(2, "seed 758-759 (可展期两次，每次展期 1 年，展期利率不变)"),
    cadence=Figure("quarterly", "seed 761-771 (按季度发放; 于次季度第一个月 10 日前申请)"),
    lenders=Figure(
        _TECH_LENDERS,
        "seed 748-751 names groups and the count (21 家); the 21 members are inferred "
        "from those groups",
        assumption=True,
    ),
    borrower_rule=Figure(
        "technology enterprise on the list pushed by MOST/MIIT", "seed 728-746 (支持范围)"
    ),
    day_count=Figure("ACT/360", _DAY_COUNT_NOTE, assumption=True),
)

TRANSPORT_2022 = PolicyRow(
    program="transport",
    version="transport-2022",
    title="中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知",
    first_disbursement=Figure(dt.date(2022, 5, 1), "seed 847-849 (自 2022 年 5 月 1 日起)"),
    last_disbursement=Figure(dt.date(2022, 12, 31), "seed 841-843 (政策执行至 2022 年末)"),
    ratio=Figure(Fraction(1), "seed 855-857 (按贷款本金等额提供)"),
    min_term_months=Figure(0, "seed 790-878 sets no minimum term"),
    rates=Figure(
        (RateStep(dt.date(2022, 5, 1), Decimal("0.0175"), "seed 839 (利率 1.75%)"),),
        "seed 839",
    ),
    term_years=Figure(1, "seed 839 (期限 1 年)"),
    max_extensions=Figure(1, "seed 839-841 (可展期 1 次，展期期限 1 年，展期利率不变)"),
    cadence=Figure("quarterly", "seed 851-853 (于次季度第一个月 10 日前申请)"),
    lenders=Figure(
        ("ADBC", "ICBC", "ABC", "BOC", "CCB", "BOCOM", "PSBC"), "seed 830-834 (共 7 家)"
    ),
    borrower_rule=Figure(
        "road freight operators and small logistics/express firms (seed 804-812), not on "
        "the 信用中国 serious-dishonesty list",
        "seed 804-820",
    ),
    day_count=Figure("ACT/360", _DAY_COUNT_NOTE, assumption=True),
)

POLICY_TABLE: tuple[PolicyRow, ...] = (TECH_2022, TRANSPORT_2022)


def _check_program(program: str) -> None:
    if program not in PROGRAMS:
        raise PolicyNotFoundError("program", program, f"one of {', '.join(PROGRAMS)}")


def _window(row: PolicyRow) -> str:
    first = row.first_disbursement.value.isoformat()
    last = row.last_disbursement.value
    return (
        f"{row.version}: {first} to {last.isoformat()}" if last else f"{row.version}: from {first}"
    )


def policy_for(program: str, day: dt.date) -> PolicyRow:
    """The policy row covering loans of ``program`` disbursed on ``day``.

    Raises
    ------
    PolicyNotFoundError
        If no row covers that date; the message gives the windows that exist.
    """
    _check_program(program)
    rows = [r for r in POLICY_TABLE if r.program == program]
    for row in rows:
        if row.covers(day):
            return row
    windows = "; ".join(_window(r) for r in rows)
    raise PolicyNotFoundError("date", day.isoformat(), f"a date in a {program} window ({windows})")


def policy_for_period(program: str, period: Quarter | Month) -> PolicyRow:
    """The policy row whose loan window overlaps ``period`` and whose cadence fits it.

    Raises
    ------
    PolicyNotFoundError
        If no row overlaps the period.
    """
    _check_program(program)
    rows = [r for r in POLICY_TABLE if r.program == program]
    for row in rows:
        last = row.last_disbursement.value
        if row.first_disbursement.value <= period.end and (last is None or period.start <= last):
            return row
    windows = "; ".join(_window(r) for r in rows)
    raise PolicyNotFoundError(
        "quarter", str(period), f"a period overlapping a {program} window ({windows})"
    )
