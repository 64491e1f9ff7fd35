"""The web pages' words, in the command line's catalog (``cli``), so that one set of
gettext files holds every Chinese word relend shows."""

from __future__ import annotations

from .._i18n import cli_

__all__ = ["refusal", "words"]


def words() -> dict[str, str]:
    """Every label of the pages, in the current language."""
    return {
        "app": cli_("relend: PBoC relending"),
        "nav_claim": cli_("Relending claim"),
        "nav_audit": cli_("Audit"),
        "nav_deadlines": cli_("Application deadlines"),
        "nav_policy": cli_("Policy"),
        "nav_facility": cli_("Relending cost"),
        "nav_incentive": cli_("Incentive"),
        "nav_book": cli_("Book"),
        "program": cli_("Program"),
        "period": cli_("Period"),
        "period_hint": cli_("a quarter such as 2022Q2, or a month such as 2022-12"),
        "lender": cli_("Lender"),
        "ledger": cli_("Loan ledger (CSV or Excel)"),
        "sheet": cli_("Sheet (Excel: name or position from 1; empty: the first visible)"),
        "policy_file": cli_("Policy file (optional, TOML)"),
        "lists": cli_("Reference lists"),
        "run": cli_("Run"),
        "running": cli_("Running"),
        "queued": cli_("Queued"),
        "failed": cli_("Failed"),
        "done": cli_("Done"),
        "progress": cli_("Progress"),
        "entitlement": cli_("Entitlement"),
        "eligible_principal": cli_("Eligible principal"),
        "deadline": cli_("Apply by"),
        "calendar_status": cli_("Calendar"),
        "assumed": cli_("Assumed figures (no notice states them)"),
        "warnings": cli_("Warnings"),
        "reasons": cli_("Loans by reason"),
        "reason": cli_("Reason"),
        "loans": cli_("Loans"),
        "principal": cli_("Principal (yuan)"),
        "invalid_rows": cli_("Invalid rows"),
        "excluded": cli_("excluded"),
        "invalid": cli_("invalid"),
        "line": cli_("Line"),
        "loan_id": cli_("Loan id"),
        "detail": cli_("What was wrong"),
        "downloads": cli_("Downloads"),
        "previous": cli_("Previous"),
        "next": cli_("Next"),
        "page": cli_("Page"),
        "error": cli_("Error"),
        "exit_code": cli_("Exit status"),
        "submitted": cli_("Submitted claim (CSV or Excel)"),
        "tolerance": cli_("Tolerance per loan (fen, for rounding: 0 to 100)"),
        "differences": cli_("Differences"),
        "audit_class": cli_("Result"),
        "claimed_fen": cli_("Claimed (fen)"),
        "recomputed_fen": cli_("Recomputed (fen)"),
        "difference_fen": cli_("Difference (fen)"),
        "clawback": cli_("Clawback"),
        "recomputed": cli_("Recomputed"),
        "submitted_total": cli_("Submitted"),
        "year": cli_("Year"),
        "calendar": cli_("Calendar"),
        "show": cli_("Show"),
        "holiday": cli_("Holiday"),
        "makeup": cli_("Make-up working day"),
        "deadline_day": cli_("Application deadline"),
        "published": cli_("published"),
        "provisional": cli_("provisional (estimated, no State Council notice yet)"),
        "weekdays": cli_("Mon Tue Wed Thu Fri Sat Sun"),
        "version": cli_("Version"),
        "window": cli_("Loans disbursed"),
        "figure": cli_("Figure"),
        "value": cli_("Value"),
        "source": cli_("Source"),
        "assumption": cli_("Assumption"),
        "yes": cli_("yes"),
        "no": cli_("no"),
        "amount": cli_("Amount (yuan)"),
        "drawdown": cli_("Drawdown date"),
        "extensions": cli_("Extensions"),
        "compute": cli_("Compute"),
        "maturity": cli_("Maturity"),
        "interest": cli_("Interest (yuan)"),
        "rate": cli_("Rate"),
        "start": cli_("From"),
        "end": cli_("To"),
        "days": cli_("Days"),
        "quarter": cli_("Quarter"),
        "previous_balance": cli_("Previous quarter-end balance (yuan)"),
        "current_balance": cli_("This quarter-end balance (yuan)"),
        "increment": cli_("Increase (yuan)"),
        "incentive": cli_("Incentive (yuan)"),
        "swap": cli_("Interest-rate swap"),
        "fixed_leg": cli_("Fixed leg (yuan)"),
        "floating_leg": cli_("Floating leg (yuan)"),
        "net": cli_("Net (yuan)"),
        "outstanding": cli_("Outstanding (yuan)"),
        "interest_accrued": cli_("Interest accrued (yuan)"),
        "due_next": cli_("Due next"),
        "ladder": cli_("Maturity ladder"),
        "month": cli_("Month"),
        "principal_due": cli_("Principal due (yuan)"),
        "interest_due": cli_("Interest due (yuan)"),
        "no_book": cli_("No book: start relend serve with --book to show one."),
        "rounding_note": cli_("Money is exact to the fen; the total is rounded once, half up."),
    }


def refusal(key: str) -> str:
    """The one line of a refused request."""
    return {
        "token": cli_(
            "this relend server needs its token: open the address relend serve printed "
            "(with ?token=...), or send Authorization: Bearer TOKEN"
        ),
        "csrf": cli_(
            "the form is out of date (its CSRF token is missing or wrong): reload "
            "the page and send it again"
        ),
        "origin": cli_("a form sent from another site is refused"),
        "too_large": cli_(
            "the upload is larger than this server accepts (relend serve --max-upload-mb)"
        ),
        "not_found": cli_("no such run (it may have expired)"),
        "file": cli_("no such file in this run"),
    }[key]
