"""What a book shows: positions as of a date, the maturity ladder, loans two lenders
claimed, and its history (:mod:`calculators.book._integrity` checks what it holds)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from calendars import Month, Quarter, deadline_for, get_calendar, parse_period

from .._i18n import N_, _
from .._money import fen_to_yuan, round_half_up
from ..tools.daycount import year_fraction
from . import _schema as schema

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["BookView", "Views"]

EXTENSION_REQUEST_NOTE = N_(
    "no notice says by when an extension must be asked for; relend shows the last "
    "business day before the maturity"
)


@dataclass(frozen=True)
class BookView:
    """A book as of a date: what ``relend book show`` prints.

    Attributes
    ----------
    as_of : datetime.date
    claims : pandas.DataFrame
        The claims in force: ``claim_id``, ``program``, ``period``, ``lender``,
        ``entitlement_fen``, ``drawn_fen``, ``clawback_fen``, ``left_to_draw_fen``.
    drawdowns : pandas.DataFrame
        Every drawdown with ``outstanding_fen``, ``maturity_date`` (after extensions),
        ``extensions``, ``interest_accrued_fen`` as of the date.
    outstanding : pandas.DataFrame
        ``outstanding_fen`` and ``interest_accrued_fen`` by ``program`` and ``lender``.
    quotas : pandas.DataFrame
        Each quota in force: ``amount_fen``, ``used_fen``, ``left_fen``.
    due : pandas.DataFrame
        What falls due from the date on: ``date``, ``kind`` (``deadline``,
        ``maturity``, ``extension_request``), ``program``, ``lender``, ``what``,
        ``amount_fen``.
    """

    as_of: dt.date
    claims: pd.DataFrame = field(repr=False)
    drawdowns: pd.DataFrame = field(repr=False)
    outstanding: pd.DataFrame = field(repr=False)
    quotas: pd.DataFrame = field(repr=False)
    due: pd.DataFrame = field(repr=False)

    @property
    def outstanding_fen(self) -> int:
        return int(self.drawdowns["outstanding_fen"].sum()) if len(self.drawdowns) else 0

    @property
    def interest_accrued_fen(self) -> int:
        return int(self.drawdowns["interest_accrued_fen"].sum()) if len(self.drawdowns) else 0

    def as_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for row in frame.to_dict("records"):
                item: dict[str, Any] = {}
                for key, value in row.items():
                    if _missing(value):
                        value = None
                    elif isinstance(value, dt.date):
                        value = value.isoformat()
                    elif hasattr(value, "item"):
                        value = value.item()
                    item[key] = value
                    if key.endswith("_fen") and isinstance(value, int):
                        item[key.removesuffix("_fen") + "_yuan"] = fen_to_yuan(value)
                out.append(item)
            return out

        return {
            "as_of": self.as_of.isoformat(),
            "outstanding_fen": self.outstanding_fen,
            "outstanding_yuan": fen_to_yuan(self.outstanding_fen),
            "interest_accrued_fen": self.interest_accrued_fen,
            "interest_accrued_yuan": fen_to_yuan(self.interest_accrued_fen),
            "claims": records(self.claims),
            "drawdowns": records(self.drawdowns),
            "outstanding": records(self.outstanding),
            "quotas": records(self.quotas),
            "due": records(self.due),
            "notes": [_(EXTENSION_REQUEST_NOTE)],
        }


def _frame(c: sa.Connection, table: sa.Table) -> pd.DataFrame:
    rows = c.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
    return pd.DataFrame(rows, columns=[col.name for col in table.columns])


def _segments(
    start: dt.date, end: dt.date, amount: int, paid: Iterable[tuple[dt.date, int]]
) -> list[tuple[dt.date, dt.date, int]]:
    """``(from, to, principal)`` from ``start`` to ``end``: the principal outstanding on
    each stretch, falling on each repayment's date (a repayment on ``start`` or before
    it counts from ``start``)."""
    ordered = sorted(paid)
    principal = amount - sum(fen for day, fen in ordered if day <= start)
    out = []
    cursor = start
    for day, fen in ordered:
        if day <= start:
            continue
        if day >= end:
            break
        out.append((cursor, day, principal))
        cursor, principal = day, principal - fen
    out.append((cursor, end, principal))
    return [(a, b, p) for a, b, p in out if b > a and p > 0]


class Views:
    """The read side of :class:`calculators.book.Book`."""

    store: Store

    def _positions(self, c: sa.Connection, as_of: dt.date) -> dict[str, pd.DataFrame]:
        from ..tools.facility import schedule

        claims = _frame(c, schema.claims)
        superseded = set(claims["revision_of"].dropna().astype(int))
        current = claims[~claims["id"].isin(superseded)]
        draws = _frame(c, schema.drawdowns)
        exts = _frame(c, schema.extensions)
        paid = _frame(c, schema.repayments)
        claws = _frame(c, schema.clawbacks)
        program_of = dict(zip(claims["id"], claims["program"], strict=True))
        lender_of = dict(zip(claims["id"], claims["lender"], strict=True))
        key_of = {
            i: (p, q, lender)
            for i, p, q, lender in zip(
                claims["id"], claims["program"], claims["period"], claims["lender"], strict=True
            )
        }
        rows = []
        for d in draws.itertuples(index=False):
            taken = int((exts["drawdown_id"] == d.id).sum())
            mine = paid[paid["drawdown_id"] == d.id]
            repaid = [(r.repayment_date, int(r.amount_fen)) for r in mine.itertuples()]
            plan = schedule(program_of[d.claim_id], int(d.amount_fen), d.drawdown_date, taken)
            rate = Fraction(Decimal(d.rate))
            until = min(as_of, plan.maturity)
            accrued = sum(
                (
                    p * year_fraction(a, b, plan.day_count)
                    for a, b, p in _segments(d.drawdown_date, until, int(d.amount_fen), repaid)
                ),
                Fraction(0),
            )
            outstanding = int(d.amount_fen) - sum(f for day, f in repaid if day <= as_of)
            rows.append(
                {
                    "drawdown_id": int(d.id),
                    "claim_id": int(d.claim_id),
                    "program": program_of[d.claim_id],
                    "lender": lender_of[d.claim_id],
                    "drawdown_date": d.drawdown_date,
                    "amount_fen": int(d.amount_fen),
                    "rate": str(d.rate),
                    "extensions": taken,
                    "max_extensions": int(plan.policy.max_extensions.value),
                    "maturity_date": plan.maturity,
                    "outstanding_fen": outstanding,
                    "interest_accrued_fen": round_half_up(rate * accrued)
                    if as_of > d.drawdown_date
                    else 0,
                    "day_count": plan.day_count,
                }
            )
        drawdowns = pd.DataFrame(
            rows,
            columns=[
                "drawdown_id",
                "claim_id",
                "program",
                "lender",
                "drawdown_date",
                "amount_fen",
                "rate",
                "extensions",
                "max_extensions",
                "maturity_date",
                "outstanding_fen",
                "interest_accrued_fen",
                "day_count",
            ],
        )
        chain_drawn: dict[tuple[str, str, str], int] = {}
        for d in draws.itertuples(index=False):
            k = key_of[d.claim_id]
            chain_drawn[k] = chain_drawn.get(k, 0) + int(d.amount_fen)
        chain_clawed: dict[tuple[str, str, str], int] = {}
        for cb in claws.itertuples(index=False):
            k = key_of[cb.claim_id]
            chain_clawed[k] = chain_clawed.get(k, 0) + int(cb.amount_fen)
        claim_rows = []
        for cl in current.itertuples(index=False):
            k = (cl.program, cl.period, cl.lender)
            drawn, clawed = chain_drawn.get(k, 0), chain_clawed.get(k, 0)
            claim_rows.append(
                {
                    "claim_id": int(cl.id),
                    "program": cl.program,
                    "period": cl.period,
                    "lender": cl.lender,
                    "revision_of": None if pd.isna(cl.revision_of) else int(cl.revision_of),
                    "loans_claimed": int(cl.loans_claimed),
                    "entitlement_fen": int(cl.entitlement_fen),
                    "drawn_fen": drawn,
                    "clawback_fen": clawed,
                    "left_to_draw_fen": max(0, int(cl.entitlement_fen) - drawn - clawed),
                }
            )
        claims_view = pd.DataFrame(
            claim_rows,
            columns=[
                "claim_id",
                "program",
                "period",
                "lender",
                "revision_of",
                "loans_claimed",
                "entitlement_fen",
                "drawn_fen",
                "clawback_fen",
                "left_to_draw_fen",
            ],
        )
        return {"claims": claims_view, "drawdowns": drawdowns, "current": current}

    def show(self, as_of: dt.date | None = None) -> BookView:
        """The book as of ``as_of`` (default: today): claims in force, drawdowns with what
        is outstanding and the interest accrued, quotas used and left, and what falls
        due next (deadlines of periods not yet claimed, maturities, the last day to ask
        for an extension), each date rolled on the PRC calendar."""
        as_of = as_of or dt.date.today()
        with self.store.read() as c:
            found = self._positions(c, as_of)
            quota_rows = _frame(c, schema.quotas)
        drawdowns, claims_view = found["drawdowns"], found["claims"]
        live = drawdowns[drawdowns["drawdown_date"] <= as_of] if len(drawdowns) else drawdowns
        outstanding = (
            live.groupby(["program", "lender"], as_index=False)[
                ["outstanding_fen", "interest_accrued_fen"]
            ].sum()
            if len(live)
            else pd.DataFrame(
                columns=["program", "lender", "outstanding_fen", "interest_accrued_fen"]
            )
        )
        return BookView(
            as_of,
            claims_view,
            drawdowns,
            outstanding,
            self._quota_view(quota_rows, found["current"], as_of),
            self._due(found["current"], drawdowns, as_of),
        )

    @staticmethod
    def _quota_view(quota_rows: pd.DataFrame, current: pd.DataFrame, as_of: dt.date) -> Any:
        rows = []
        in_force = quota_rows[quota_rows["from_date"] <= as_of] if len(quota_rows) else quota_rows
        for (program, lender), group in in_force.groupby(["program", "lender"]):
            quota = group.sort_values(["from_date", "id"]).iloc[-1]
            mine = current[
                (current["program"] == program)
                & (current["lender"] == lender)
                & (current["period_start"] >= quota["from_date"])
            ]
            used = int(mine["entitlement_fen"].sum())
            rows.append(
                {
                    "program": program,
                    "lender": lender,
                    "from_date": quota["from_date"],
                    "amount_fen": int(quota["amount_fen"]),
                    "used_fen": used,
                    "left_fen": int(quota["amount_fen"]) - used,
                }
            )
        return pd.DataFrame(
            rows, columns=["program", "lender", "from_date", "amount_fen", "used_fen", "left_fen"]
        )

    @staticmethod
    def _due(current: pd.DataFrame, drawdowns: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
        from ..policy.table import policy_table

        cal = get_calendar("prc")
        rows: list[dict[str, Any]] = []
        for (program, lender), group in current.groupby(["program", "lender"]):
            periods = [parse_period(p) for p in group["period"]]
            last = max(periods, key=lambda p: p.start)
            versions = policy_table(None).rows(program)
            ends = [v.last_disbursement.value for v in versions]
            end = None if any(e is None for e in ends) else max(e for e in ends if e)
            nxt: Quarter | Month = last.next()
            claimed = {str(p) for p in periods}
            while end is None or nxt.start <= end:
                deadline = deadline_for(nxt, cal)
                if deadline.date >= as_of and str(nxt) not in claimed:
                    rows.append(
                        {
                            "date": deadline.date,
                            "kind": "deadline",
                            "program": program,
                            "lender": lender,
                            "what": str(nxt),
                            "amount_fen": None,
                        }
                    )
                    break
                nxt = nxt.next()
        for d in drawdowns.itertuples(index=False):
            if d.outstanding_fen <= 0 or d.maturity_date < as_of:
                continue
            rows.append(
                {
                    "date": d.maturity_date,
                    "kind": "maturity",
                    "program": d.program,
                    "lender": d.lender,
                    "what": f"drawdown {d.drawdown_id}",
                    "amount_fen": int(d.outstanding_fen),
                }
            )
            if d.extensions < d.max_extensions:
                ask = cal.roll(d.maturity_date - dt.timedelta(days=1), "preceding")
                if ask >= as_of:
                    rows.append(
                        {
                            "date": ask,
                            "kind": "extension_request",
                            "program": d.program,
                            "lender": d.lender,
                            "what": f"drawdown {d.drawdown_id}",
                            "amount_fen": None,
                        }
                    )
        due = pd.DataFrame(
            rows, columns=["date", "kind", "program", "lender", "what", "amount_fen"]
        )
        due["amount_fen"] = due["amount_fen"].astype("Int64")
        return due.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)

    def schedule(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """The maturity ladder from ``start`` to ``end`` by month: ``month``,
        ``principal_due_fen`` (outstanding principal at each drawdown's maturity after
        the extensions taken), ``interest_due_fen`` (each period's interest at its end,
        on the principal outstanding through it, rounded half up once per period) and
        ``total_due_fen``; months with nothing due are shown with zeros."""
        from ..tools.facility import schedule as facility_schedule

        if end < start:
            from .._errors import BookError

            raise BookError("to", end.isoformat(), _("a date on or after --from"))
        with self.store.read() as c:
            found = self._positions(c, end)
            paid = _frame(c, schema.repayments)
        due: dict[str, list[int]] = {}
        for d in found["drawdowns"].itertuples(index=False):
            repaid = [
                (r.repayment_date, int(r.amount_fen))
                for r in paid[paid["drawdown_id"] == d.drawdown_id].itertuples()
            ]
            plan = facility_schedule(d.program, d.amount_fen, d.drawdown_date, d.extensions)
            rate = Fraction(Decimal(d.rate))
            for period in plan.periods:
                interest = round_half_up(
                    rate
                    * sum(
                        (
                            p * year_fraction(a, b, plan.day_count)
                            for a, b, p in _segments(period.start, period.end, d.amount_fen, repaid)
                        ),
                        Fraction(0),
                    )
                )
                month = period.end.strftime("%Y-%m")
                due.setdefault(month, [0, 0])[1] += interest
            left = d.amount_fen - sum(f for day, f in repaid if day < plan.maturity)
            if left > 0:
                due.setdefault(plan.maturity.strftime("%Y-%m"), [0, 0])[0] += left
        months = pd.period_range(start, end, freq="M").strftime("%Y-%m")
        rows = [(m, *due.get(m, [0, 0])) for m in months]
        frame = pd.DataFrame(rows, columns=["month", "principal_due_fen", "interest_due_fen"])
        frame["total_due_fen"] = frame["principal_due_fen"] + frame["interest_due_fen"]
        return frame

    def check(self) -> pd.DataFrame:
        """Loans claimed by two lenders: the same borrower id, principal and disbursement
        date in claims in force of different lenders (loan ids are each bank's own)."""
        a, b = schema.claim_loans.alias("a"), schema.claim_loans.alias("b")
        ca, cb = schema.claims.alias("ca"), schema.claims.alias("cb")
        later = schema.claims.alias("later")

        def live(c: Any) -> Any:
            return ~sa.exists().where(later.c.revision_of == c.c.id)

        query = (
            sa.select(
                a.c.borrower_id,
                a.c.principal_fen,
                a.c.disbursement_date,
                ca.c.lender.label("lender"),
                a.c.loan_id,
                ca.c.id.label("claim_id"),
                ca.c.program,
                ca.c.period,
                cb.c.lender.label("other_lender"),
                b.c.loan_id.label("other_loan_id"),
                cb.c.id.label("other_claim_id"),
                cb.c.program.label("other_program"),
                cb.c.period.label("other_period"),
            )
            .select_from(a)
            .join(ca, ca.c.id == a.c.claim_id)
            .join(
                b,
                (b.c.borrower_id == a.c.borrower_id)
                & (b.c.principal_fen == a.c.principal_fen)
                & (b.c.disbursement_date == a.c.disbursement_date),
            )
            .join(cb, cb.c.id == b.c.claim_id)
            .where(ca.c.lender < cb.c.lender, live(ca), live(cb))
            .order_by(a.c.borrower_id, a.c.disbursement_date, ca.c.lender, cb.c.lender)
        )
        with self.store.read() as c:
            rows = c.execute(query).all()
        return pd.DataFrame(rows, columns=list(query.selected_columns.keys()))

    def history(self) -> pd.DataFrame:
        """Every change, in order: ``seq``, ``action``, ``recorded_at``, ``recorded_by``,
        ``rows`` (what it added, by table)."""
        with self.store.read() as c:
            journal = _frame(c, schema.journal)
        out = []
        for r in journal.itertuples(index=False):
            counts: dict[str, int] = {}
            for table, _id, _digest in json.loads(r.entries):
                counts[table] = counts.get(table, 0) + 1
            out.append(
                {
                    "seq": int(r.seq),
                    "action": r.action,
                    "recorded_at": r.recorded_at,
                    "recorded_by": r.recorded_by,
                    "rows": ", ".join(f"{t} {n}" for t, n in counts.items()),
                }
            )
        return pd.DataFrame(out, columns=["seq", "action", "recorded_at", "recorded_by", "rows"])


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
