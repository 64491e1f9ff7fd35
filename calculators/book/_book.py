"""The book: claims, drawdowns, extensions, repayments, clawbacks and quotas over years.

Every operation is one transaction that adds rows and never changes one (see
:mod:`calculators.book._schema`). A loan is the same loan when its loan id and borrower
id match, after the normalisation the ledger reader applies.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from calendars import parse_period

from .._errors import BookError
from .._i18n import _
from .._money import fen_to_yuan
from ..engine.result import relend_version
from ..policy.lenders import LENDERS, Lender, find_lender
from . import _schema as schema
from ._folder import claimed_loans_digest, read_audit, read_claim
from ._integrity import Integrity
from ._store import Store
from ._values import (
    AlreadyClaimed,
    Changes,
    ClawbackEntry,
    DrawdownEntry,
    ExtensionEntry,
    QuotaEntry,
    Recorded,
    RepaymentEntry,
)
from ._views import Views

__all__ = ["Book"]

claims, claim_loans, claim_files = schema.claims, schema.claim_loans, schema.claim_files
drawdowns, extensions, repayments = schema.drawdowns, schema.extensions, schema.repayments
clawbacks, quotas = schema.clawbacks, schema.quotas


def _superseded() -> Any:
    """Claims that a later revision replaced."""
    later = claims.alias("later")
    return sa.exists().where(later.c.revision_of == claims.c.id)


def lender_code(text: str) -> str:
    """A lender's code from its code, Chinese name or short name (any program's lender)."""
    found: Lender = find_lender(text, tuple(x.code for x in LENDERS), _("any"))
    return found.code


class Book(Views, Integrity):
    """A book of relending claims and what followed them, in SQLite or PostgreSQL.

    Parameters
    ----------
    location : str or path, optional
        An SQLite file (made on first use), ``sqlite:///PATH`` or
        ``postgresql://USER@HOST/DB``; default ``$RELEND_BOOK``, else
        ``relend-book.sqlite`` in the current folder.

    Examples
    --------
    >>> book = Book("treasury.sqlite")                          # doctest: +SKIP
    >>> rec = book.record("report/")                           # doctest: +SKIP
    >>> book.drawdown(rec.claim_id, dt.date(2022, 7, 15), 600_000_00)  # doctest: +SKIP
    """

    def __init__(self, location: str | os.PathLike[str] | None = None) -> None:
        self.store = Store(location)

    def __repr__(self) -> str:
        return f"<Book {self.store.location}>"

    def close(self) -> None:
        self.store.dispose()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ claims

    def record(self, folder: str | Path, *, by: str | None = None) -> Recorded:
        """Book a claim's ``--out`` folder, after checking every file's SHA-256.

        Recording the same folder again changes nothing and returns the same claim. A
        claim of a program, period and lender already in the book is a revision: it
        supersedes the claim before it (``revision_of``), and ``changes`` says what
        changed.

        Raises
        ------
        BookError
            If a file of the folder is missing or changed since the run.
        """
        found = read_claim(folder)
        period = parse_period(found.period)
        with self.store.write("record", by) as writer:
            c = writer.connection
            existing = c.execute(
                sa.select(claims.c.id).where(claims.c.summary_sha256 == found.summary_sha256)
            ).scalar()
            if existing is not None:
                writer.entries.clear()
                return self._recorded(c, int(existing), already=True)
            previous = c.execute(
                sa.select(claims.c.id)
                .where(
                    claims.c.program == found.program,
                    claims.c.period == found.period,
                    claims.c.lender == found.lender,
                    ~_superseded(),
                )
                .order_by(claims.c.id.desc())
            ).scalar()
            loans = found.loans
            versions = sorted(set(loans["policy_version"])) or [str(found.summary.get("policy"))]
            deadline = found.summary.get("deadline")
            claim_id = writer.insert(
                claims,
                {
                    "program": found.program,
                    "period": found.period,
                    "period_start": period.start,
                    "period_end": period.end,
                    "lender": found.lender,
                    "policy_versions": json.dumps(versions),
                    "loans_claimed": len(loans),
                    "eligible_principal_fen": int(found.summary["eligible_principal_fen"]),
                    "entitlement_fen": int(found.summary["entitlement_fen"]),
                    "deadline": dt.date.fromisoformat(deadline) if deadline else None,
                    "folder": str(found.folder.resolve()),
                    "summary_sha256": found.summary_sha256,
                    "loans_sha256": claimed_loans_digest(loans),
                    "language": str(found.summary.get("language", "")),
                    "relend_version": str(found.summary.get("version", relend_version())),
                    "revision_of": previous,
                },
            )
            for name, digest in found.files:
                writer.insert(claim_files, {"claim_id": claim_id, "name": name, "sha256": digest})
            writer.insert_many(
                claim_loans,
                [
                    {
                        "claim_id": claim_id,
                        "position": k,
                        "loan_id": loan_id,
                        "borrower_id": borrower,
                        "principal_fen": int(principal),
                        "disbursement_date": pd.Timestamp(day).date(),
                        "entitlement_fen": int(entitled),
                        "policy_version": version,
                    }
                    for k, (loan_id, borrower, principal, day, entitled, version) in enumerate(
                        loans.itertuples(index=False, name=None)
                    )
                ],
            )
            return self._recorded(c, claim_id, already=False)

    def _recorded(self, c: sa.Connection, claim_id: int, *, already: bool) -> Recorded:
        row = c.execute(sa.select(claims).where(claims.c.id == claim_id)).one()
        changes = None
        if row.revision_of is not None:
            changes = self._changes(c, int(row.revision_of), claim_id)
        return Recorded(
            claim_id=claim_id,
            program=row.program,
            period=row.period,
            lender=row.lender,
            entitlement_fen=int(row.entitlement_fen),
            loans_claimed=int(row.loans_claimed),
            revision_of=row.revision_of,
            already_claimed=self._already_claimed(c, claim_id),
            changes=changes,
            over_quota_fen=self._over_quota(c, row),
            already_recorded=already,
        )

    def _already_claimed(self, c: sa.Connection, claim_id: int) -> tuple[AlreadyClaimed, ...]:
        """Loans of ``claim_id`` held by another current claim of another key."""
        mine = claims.alias("mine")
        new = claim_loans.alias("new")
        old = claim_loans.alias("old")
        rows = c.execute(
            sa.select(
                new.c.loan_id,
                new.c.borrower_id,
                claims.c.id,
                claims.c.program,
                claims.c.period,
                claims.c.lender,
            )
            .select_from(new)
            .join(mine, mine.c.id == new.c.claim_id)
            .join(old, (old.c.loan_id == new.c.loan_id) & (old.c.borrower_id == new.c.borrower_id))
            .join(claims, claims.c.id == old.c.claim_id)
            .where(
                new.c.claim_id == claim_id,
                old.c.claim_id != claim_id,
                ~_superseded(),
                ~(
                    (claims.c.program == mine.c.program)
                    & (claims.c.period == mine.c.period)
                    & (claims.c.lender == mine.c.lender)
                ),
            )
            .order_by(new.c.position, claims.c.id)
        )
        return tuple(AlreadyClaimed(r[0], r[1], int(r[2]), r[3], r[4], r[5]) for r in rows)

    def _changes(self, c: sa.Connection, before: int, after: int) -> Changes:
        def loans(claim_id: int) -> dict[tuple[str, str], tuple[int, int]]:
            rows = c.execute(
                sa.select(
                    claim_loans.c.loan_id,
                    claim_loans.c.borrower_id,
                    claim_loans.c.principal_fen,
                    claim_loans.c.entitlement_fen,
                ).where(claim_loans.c.claim_id == claim_id)
            )
            return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in rows}

        old, new = loans(before), loans(after)
        entitled = dict(
            c.execute(
                sa.select(claims.c.id, claims.c.entitlement_fen).where(
                    claims.c.id.in_([before, after])
                )
            ).all()
        )
        return Changes(
            entitlement_before_fen=int(entitled[before]),
            entitlement_after_fen=int(entitled[after]),
            loans_added=len(new.keys() - old.keys()),
            loans_removed=len(old.keys() - new.keys()),
            loans_changed=sum(1 for k in new.keys() & old.keys() if new[k] != old[k]),
        )

    def _over_quota(self, c: sa.Connection, claim: Any) -> int | None:
        """How far the current claims of the claim's program and lender since the quota's
        start pass the quota in force at the claim's period end (None: no quota)."""
        quota = c.execute(
            sa.select(quotas)
            .where(
                quotas.c.program == claim.program,
                quotas.c.lender == claim.lender,
                quotas.c.from_date <= claim.period_end,
            )
            .order_by(quotas.c.from_date.desc(), quotas.c.id.desc())
            .limit(1)
        ).first()
        if quota is None:
            return None
        used = c.execute(
            sa.select(sa.func.coalesce(sa.func.sum(claims.c.entitlement_fen), 0)).where(
                claims.c.program == claim.program,
                claims.c.lender == claim.lender,
                claims.c.period_start >= quota.from_date,
                claims.c.id <= claim.id,
                ~_superseded() | (claims.c.id == claim.id),
            )
        ).scalar()
        return max(0, int(used or 0) - int(quota.amount_fen))

    def claimed_elsewhere(self, program: str, period: str, lender: str) -> pd.DataFrame:
        """The loans of every current claim other than ``program``/``period``/``lender``'s:
        ``loan_id``, ``borrower_id``, ``claim_id``, ``program``, ``period``, ``lender``
        (what ``claim(..., book=...)`` excludes as ``already_claimed``)."""
        with self.store.read() as c:
            rows = c.execute(
                sa.select(
                    claim_loans.c.loan_id,
                    claim_loans.c.borrower_id,
                    claims.c.id,
                    claims.c.program,
                    claims.c.period,
                    claims.c.lender,
                )
                .join(claims, claims.c.id == claim_loans.c.claim_id)
                .where(
                    ~_superseded(),
                    ~(
                        (claims.c.program == program)
                        & (claims.c.period == period)
                        & (claims.c.lender == lender)
                    ),
                )
                .order_by(claims.c.id, claim_loans.c.position)
            ).all()
        return pd.DataFrame(
            rows, columns=["loan_id", "borrower_id", "claim_id", "program", "period", "lender"]
        )

    # --------------------------------------------------------------- drawdowns

    def _claim_row(self, c: sa.Connection, claim_id: int) -> Any:
        row = c.execute(sa.select(claims).where(claims.c.id == claim_id)).first()
        if row is None:
            raise BookError("claim", claim_id, _("the id of a claim recorded in this book"))
        later = c.execute(sa.select(claims.c.id).where(claims.c.revision_of == claim_id)).scalar()
        if later is not None:
            raise BookError(
                "claim",
                claim_id,
                _("a claim in force (claim {claim} was superseded by its revision {later})").format(
                    claim=claim_id, later=later
                ),
            )
        return row

    def _chain_totals(self, c: sa.Connection, claim: Any) -> tuple[int, int]:
        """Drawn and clawed back against every claim of the claim's key."""
        key = (
            (claims.c.program == claim.program)
            & (claims.c.period == claim.period)
            & (claims.c.lender == claim.lender)
        )
        drawn = c.execute(
            sa.select(sa.func.coalesce(sa.func.sum(drawdowns.c.amount_fen), 0))
            .join(claims, claims.c.id == drawdowns.c.claim_id)
            .where(key)
        ).scalar()
        clawed = c.execute(
            sa.select(sa.func.coalesce(sa.func.sum(clawbacks.c.amount_fen), 0))
            .join(claims, claims.c.id == clawbacks.c.claim_id)
            .where(key)
        ).scalar()
        return int(drawn or 0), int(clawed or 0)

    def drawdown(
        self, claim_id: int, date: dt.date, amount_fen: int, *, by: str | None = None
    ) -> DrawdownEntry:
        """Record relending received against a claim, at the rate in force on ``date``.

        The amount is at most the claim's entitlement less what was drawn and clawed
        back against it (its earlier revisions included); the maturity is the
        facility's: one year, rolled forward on the PRC calendar.

        Raises
        ------
        BookError
            An unknown or superseded claim, a date on or before the claim's period end,
            or an amount above what is left.
        """
        from ..tools.facility import schedule

        _check_fen("amount", amount_fen)
        with self.store.write("drawdown", by) as writer:
            c = writer.connection
            claim = self._claim_row(c, claim_id)
            if date <= claim.period_end:
                raise BookError(
                    "date",
                    date.isoformat(),
                    _("a date after the claim's period {period} (it ends {end})").format(
                        period=claim.period, end=claim.period_end.isoformat()
                    ),
                )
            drawn, clawed = self._chain_totals(c, claim)
            left = int(claim.entitlement_fen) - drawn - clawed
            if amount_fen > left:
                raise BookError(
                    "amount",
                    fen_to_yuan(amount_fen),
                    _(
                        "at most {left} yuan: the entitlement {entitled} yuan less {drawn} yuan "
                        "drawn and {clawed} yuan clawed back"
                    ).format(
                        left=fen_to_yuan(max(left, 0)),
                        entitled=fen_to_yuan(int(claim.entitlement_fen)),
                        drawn=fen_to_yuan(drawn),
                        clawed=fen_to_yuan(clawed),
                    ),
                )
            plan = schedule(claim.program, amount_fen, date)
            row = {
                "claim_id": claim_id,
                "drawdown_date": date,
                "amount_fen": amount_fen,
                "rate": str(plan.rate),
                "policy_version": plan.policy.version,
                "maturity_date": plan.maturity,
            }
            new_id = writer.insert(drawdowns, row)
        return DrawdownEntry(
            new_id, claim_id, date, amount_fen, plan.rate, plan.policy.version, plan.maturity
        )

    def _drawdown_row(self, c: sa.Connection, drawdown_id: int) -> Any:
        row = c.execute(
            sa.select(drawdowns, claims.c.program)
            .join(claims, claims.c.id == drawdowns.c.claim_id)
            .where(drawdowns.c.id == drawdown_id)
        ).first()
        if row is None:
            raise BookError(
                "drawdown", drawdown_id, _("the id of a drawdown recorded in this book")
            )
        return row

    def _repaid(self, c: sa.Connection, drawdown_id: int) -> int:
        return int(
            c.execute(
                sa.select(sa.func.coalesce(sa.func.sum(repayments.c.amount_fen), 0)).where(
                    repayments.c.drawdown_id == drawdown_id
                )
            ).scalar()
            or 0
        )

    def extend(self, drawdown_id: int, *, by: str | None = None) -> ExtensionEntry:
        """Extend a drawdown by one more term at the same rate, within the version's
        extensions (the facility's rules).

        Raises
        ------
        ExtensionLimitError
            If the drawdown has had every extension its version allows.
        BookError
            An unknown or fully repaid drawdown.
        """
        from ..tools.facility import schedule

        with self.store.write("extend", by) as writer:
            c = writer.connection
            row = self._drawdown_row(c, drawdown_id)
            if self._repaid(c, drawdown_id) >= int(row.amount_fen):
                raise BookError("drawdown", drawdown_id, _("a drawdown with principal outstanding"))
            taken = int(
                c.execute(
                    sa.select(sa.func.count()).where(extensions.c.drawdown_id == drawdown_id)
                ).scalar()
                or 0
            )
            plan = schedule(row.program, int(row.amount_fen), row.drawdown_date, taken + 1)
            new_id = writer.insert(
                extensions,
                {"drawdown_id": drawdown_id, "number": taken + 1, "maturity_date": plan.maturity},
            )
        return ExtensionEntry(new_id, drawdown_id, taken + 1, plan.maturity, Decimal(row.rate))

    def repay(
        self,
        drawdown_id: int,
        date: dt.date,
        amount_fen: int | None = None,
        *,
        by: str | None = None,
    ) -> RepaymentEntry:
        """Record relending paid back (default: all that is outstanding).

        Raises
        ------
        BookError
            An unknown drawdown, a date before it, or more than is outstanding.
        """
        with self.store.write("repay", by) as writer:
            c = writer.connection
            row = self._drawdown_row(c, drawdown_id)
            outstanding = int(row.amount_fen) - self._repaid(c, drawdown_id)
            if date < row.drawdown_date:
                raise BookError(
                    "date",
                    date.isoformat(),
                    _("a date on or after the drawdown's ({day})").format(
                        day=row.drawdown_date.isoformat()
                    ),
                )
            amount = outstanding if amount_fen is None else amount_fen
            _check_fen("amount", amount)
            if amount > outstanding:
                raise BookError(
                    "amount",
                    fen_to_yuan(amount),
                    _("at most the {outstanding} yuan outstanding on drawdown {id}").format(
                        outstanding=fen_to_yuan(outstanding), id=drawdown_id
                    ),
                )
            new_id = writer.insert(
                repayments,
                {"drawdown_id": drawdown_id, "repayment_date": date, "amount_fen": amount},
            )
        return RepaymentEntry(new_id, drawdown_id, date, amount, outstanding - amount)

    def clawback(
        self, claim_id: int, audit_folder: str | Path, *, by: str | None = None
    ) -> ClawbackEntry:
        """Record the clawback an audit's ``--out`` folder found for a claim.

        The audit must be of the claim's program, period and lender; recording the same
        audit again changes nothing.
        """
        audit = read_audit(audit_folder)
        with self.store.write("clawback", by) as writer:
            c = writer.connection
            claim = self._claim_row(c, claim_id)
            existing = c.execute(
                sa.select(clawbacks.c.id, clawbacks.c.claim_id, clawbacks.c.amount_fen).where(
                    clawbacks.c.summary_sha256 == audit.summary_sha256
                )
            ).first()
            if existing is not None:
                writer.entries.clear()
                return ClawbackEntry(int(existing[0]), int(existing[1]), int(existing[2]), True)
            summary = audit.summary
            key = (
                summary.get("tool"),
                summary.get("period") or summary.get("quarter"),
                summary.get("lender"),
            )
            if key != (claim.program, claim.period, claim.lender):
                raise BookError(
                    "audit",
                    str(audit_folder),
                    _("an audit of claim {id}'s program, period and lender ({want})").format(
                        id=claim_id, want=" ".join((claim.program, claim.period, claim.lender))
                    ),
                )
            _drawn, clawed = self._chain_totals(c, claim)
            if clawed + audit.clawback_fen > int(claim.entitlement_fen):
                raise BookError(
                    "clawback",
                    fen_to_yuan(audit.clawback_fen),
                    _(
                        "at most the claim's entitlement less earlier clawbacks ({left} yuan)"
                    ).format(left=fen_to_yuan(int(claim.entitlement_fen) - clawed)),
                )
            new_id = writer.insert(
                clawbacks,
                {
                    "claim_id": claim_id,
                    "amount_fen": audit.clawback_fen,
                    "folder": str(audit.folder.resolve()),
                    "summary_sha256": audit.summary_sha256,
                },
            )
        return ClawbackEntry(new_id, claim_id, audit.clawback_fen, False)

    def set_quota(
        self,
        program: str,
        lender: str,
        amount_fen: int,
        from_date: dt.date,
        *,
        by: str | None = None,
    ) -> QuotaEntry:
        """Record a program's quota for a lender from a date (a later one replaces it
        from its own date)."""
        from ..engine.program import get_program

        get_program(program)
        code = lender_code(lender)
        _check_fen("amount", amount_fen)
        with self.store.write("quota", by) as writer:
            new_id = writer.insert(
                quotas,
                {
                    "program": program,
                    "lender": code,
                    "amount_fen": amount_fen,
                    "from_date": from_date,
                },
            )
        return QuotaEntry(new_id, program, code, amount_fen, from_date)


def _check_fen(parameter: str, value: int) -> None:
    from .._money import MAX_FEN

    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_FEN:
        raise BookError(
            parameter,
            value,
            _("a positive amount of at most {max} yuan").format(max=fen_to_yuan(MAX_FEN)),
        )
