"""``relend book``: the book's subcommands on the command line.

The parsers are built without importing the book's database layer; each handler
imports it when it runs. Exit status: 0 done, 2 a refused input or change (one line on
stderr), 4 ``check`` found a loan claimed by two lenders or ``verify`` a difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._errors import ParameterError
from .._i18n import cli_

if TYPE_CHECKING:
    from ._book import Book

__all__ = ["add_book_parser"]

EXIT_OK, EXIT_FOUND = 0, 4


def _date(text: str | None, option: str) -> dt.date | None:
    """A date option's value (None when not given)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(option, text, cli_("a date written YYYY-MM-DD")) from None


def _day(text: str, option: str) -> dt.date:
    found = _date(text, option)
    assert found is not None
    return found


def _whole(text: str, what: str) -> int:
    """An id as typed (the number relend printed when it recorded the row)."""
    if not text.strip().isascii() or not text.strip().isdigit():
        raise ParameterError(what, text, cli_("the id relend printed (a whole number)"))
    return int(text)


def _fen(text: str, option: str) -> int:
    from .._money import yuan_to_fen

    return yuan_to_fen(text, option)


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def _open(args: argparse.Namespace) -> Book:
    from ._book import Book

    return Book(args.book)


def add_book_parser(
    sub: Any, *, add_lang: Callable[[argparse.ArgumentParser], None], exit_codes: str
) -> None:
    """Add ``book`` and its subcommands to ``relend``'s subparsers ``sub``."""
    book = sub.add_parser(
        "book",
        help=cli_("the book of claims, drawdowns, repayments and quotas (SQLite or PostgreSQL)"),
        description=cli_(
            "A book holds recorded claims and what followed them: drawdowns of relending, "
            "extensions, repayments, audits' clawbacks and quotas. Nothing in it is updated "
            "or deleted; every change is one transaction."
        ),
        epilog=cli_(
            "exit status: 0 done; 2 a refused input or change (one line on stderr); 4 check "
            "found a loan claimed by two lenders, or verify found a difference"
        ),
    )
    inner = book.add_subparsers(dest="book_command", required=True, parser_class=type(book))

    def command(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> Any:
        parser = inner.add_parser(name, help=help_text, description=help_text)
        parser.add_argument(
            "--book",
            metavar=cli_("PATH_OR_URL"),
            help=cli_(
                "the book: an SQLite file (default relend-book.sqlite here, or $RELEND_BOOK) "
                "or postgresql://USER@HOST/DB"
            ),
        )
        parser.add_argument("--json", action="store_true", help=cli_("print one JSON object"))
        add_lang(parser)
        parser.set_defaults(handler=handler)
        return parser

    record = command("record", cli_("record a claim's --out folder"), _record)
    record.add_argument("folder", metavar=cli_("DIR"), help=cli_("a folder written by claim --out"))

    draw = command("drawdown", cli_("record relending received against a claim"), _drawdown)
    draw.add_argument("claim_id", metavar="CLAIM_ID")
    draw.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    draw.add_argument("--amount", required=True, metavar=cli_("YUAN"))

    ext = command("extend", cli_("extend a drawdown by one term at the same rate"), _extend)
    ext.add_argument("drawdown_id", metavar="DRAWDOWN_ID")

    repay = command("repay", cli_("record relending repaid"), _repay)
    repay.add_argument("drawdown_id", metavar="DRAWDOWN_ID")
    repay.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    repay.add_argument(
        "--amount", metavar=cli_("YUAN"), help=cli_("default: all that is outstanding")
    )

    claw = command("clawback", cli_("record the clawback an audit found for a claim"), _clawback)
    claw.add_argument("claim_id", metavar="CLAIM_ID")
    claw.add_argument(
        "--audit", required=True, metavar=cli_("DIR"), help=cli_("a folder written by audit --out")
    )

    show = command(
        "show", cli_("claims, what is outstanding, interest, quotas and what falls due"), _show
    )
    show.add_argument("--as-of", metavar="YYYY-MM-DD", help=cli_("default: today"))

    ladder = command("schedule", cli_("the maturity ladder by month"), _schedule)
    ladder.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    ladder.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    ladder.add_argument(
        "--out", metavar=cli_("DIR"), help=cli_("write summary.json, schedule.csv, schedule.xlsx")
    )

    quota = command("quota", cli_("record a program's quota for a lender"), _quota)
    quota.add_argument("program", metavar=cli_("PROGRAM"))
    quota.add_argument("--lender", required=True, metavar=cli_("LENDER"))
    quota.add_argument("--amount", required=True, metavar=cli_("YUAN"))
    quota.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")

    command("check", cli_("loans claimed by two lenders (exit 4 when any)"), _check)
    command("history", cli_("every change, in order"), _history)
    verify = command(
        "verify",
        cli_("check every row, the journal, the files and the sums (exit 4 on any difference)"),
        _verify,
    )
    verify.add_argument(
        "--no-files", action="store_true", help=cli_("skip the recorded folders' files")
    )


def _record(args: argparse.Namespace) -> int:
    with _open(args) as book:
        found = book.record(args.folder)
    if args.json:
        _emit(found.as_dict())
        return EXIT_OK
    if found.already_recorded:
        print(
            cli_("claim {id} was already recorded from this folder; nothing changed").format(
                id=found.claim_id
            )
        )
    else:
        print(
            cli_(
                "recorded claim {id}: {program} {period} {lender}, {loans} loans, "
                "entitlement {yuan} yuan"
            ).format(
                id=found.claim_id,
                program=found.program,
                period=found.period,
                lender=found.lender,
                loans=found.loans_claimed,
                yuan=found.as_dict()["entitlement_yuan"],
            )
        )
    if found.changes is not None:
        c = found.changes
        print(
            cli_(
                "  revision of claim {prev}: entitlement {before} -> {after} yuan; loans "
                "added {added}, removed {removed}, changed {changed}"
            ).format(
                prev=found.revision_of,
                before=c.as_dict()["entitlement_before_yuan"],
                after=c.as_dict()["entitlement_after_yuan"],
                added=c.loans_added,
                removed=c.loans_removed,
                changed=c.loans_changed,
            )
        )
    if found.already_claimed:
        print(
            cli_("  {n} loans are also in another recorded claim:").format(
                n=len(found.already_claimed)
            )
        )
        for a in found.already_claimed[:20]:
            print(
                f"    {a.loan_id!r} {a.borrower_id}  "
                f"{a.program} {a.period} {a.lender} (claim {a.claim_id})"
            )
    if found.over_quota_fen:
        print(
            cli_("  over the quota by {yuan} yuan").format(yuan=found.as_dict()["over_quota_yuan"])
        )
    return EXIT_OK


def _drawdown(args: argparse.Namespace) -> int:
    with _open(args) as book:
        entry = book.drawdown(
            _whole(args.claim_id, "CLAIM_ID"),
            _day(args.date, "--date"),
            _fen(args.amount, "--amount"),
        )
    payload = entry.as_dict()
    if args.json:
        _emit(payload)
    else:
        print(
            cli_(
                "drawdown {id}: {yuan} yuan on {date} against claim {claim}, rate {rate}, "
                "matures {maturity}"
            ).format(
                id=entry.drawdown_id,
                yuan=payload["amount_yuan"],
                date=payload["drawdown_date"],
                claim=entry.claim_id,
                rate=f"{entry.rate * 100:f}".rstrip("0").rstrip(".") + "%",
                maturity=payload["maturity_date"],
            )
        )
    return EXIT_OK


def _extend(args: argparse.Namespace) -> int:
    with _open(args) as book:
        entry = book.extend(_whole(args.drawdown_id, "DRAWDOWN_ID"))
    if args.json:
        _emit(entry.as_dict())
    else:
        print(
            cli_("drawdown {id}: extension {n}, now matures {maturity}").format(
                id=entry.drawdown_id, n=entry.number, maturity=entry.maturity_date.isoformat()
            )
        )
    return EXIT_OK


def _repay(args: argparse.Namespace) -> int:
    amount = None if args.amount is None else _fen(args.amount, "--amount")
    with _open(args) as book:
        entry = book.repay(
            _whole(args.drawdown_id, "DRAWDOWN_ID"), _day(args.date, "--date"), amount
        )
    payload = entry.as_dict()
    if args.json:
        _emit(payload)
    else:
        print(
            cli_("drawdown {id}: repaid {yuan} yuan on {date}; outstanding {left} yuan").format(
                id=entry.drawdown_id,
                yuan=payload["amount_yuan"],
                date=payload["repayment_date"],
                left=payload["outstanding_yuan"],
            )
        )
    return EXIT_OK


def _clawback(args: argparse.Namespace) -> int:
    with _open(args) as book:
        entry = book.clawback(_whole(args.claim_id, "CLAIM_ID"), args.audit)
    payload = entry.as_dict()
    if args.json:
        _emit(payload)
    else:
        print(
            cli_("claim {claim}: clawback of {yuan} yuan recorded").format(
                claim=entry.claim_id, yuan=payload["amount_yuan"]
            )
        )
    return EXIT_OK


def _quota(args: argparse.Namespace) -> int:
    with _open(args) as book:
        entry = book.set_quota(
            args.program, args.lender, _fen(args.amount, "--amount"), _day(args.start, "--from")
        )
    payload = entry.as_dict()
    if args.json:
        _emit(payload)
    else:
        print(
            cli_("quota {id}: {program} {lender} {yuan} yuan from {date}").format(
                id=entry.quota_id,
                program=entry.program,
                lender=entry.lender,
                yuan=payload["amount_yuan"],
                date=payload["from_date"],
            )
        )
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    with _open(args) as book:
        view = book.show(_date(args.as_of, "--as-of"))
    payload = view.as_dict()
    if args.json:
        _emit(payload)
        return EXIT_OK
    print(
        cli_("book as of {date}: outstanding {out} yuan, interest accrued {interest} yuan").format(
            date=payload["as_of"],
            out=payload["outstanding_yuan"],
            interest=payload["interest_accrued_yuan"],
        )
    )
    for c in payload["claims"]:
        print(
            cli_(
                "  claim {id}: {program} {period} {lender}, entitlement {ent} yuan, drawn "
                "{drawn} yuan, clawed back {claw} yuan, left to draw {left} yuan"
            ).format(
                id=c["claim_id"],
                program=c["program"],
                period=c["period"],
                lender=c["lender"],
                ent=c["entitlement_yuan"],
                drawn=c["drawn_yuan"],
                claw=c["clawback_yuan"],
                left=c["left_to_draw_yuan"],
            )
        )
    for q in payload["quotas"]:
        print(
            cli_(
                "  quota {program} {lender}: {amount} yuan, used {used} yuan, left {left} yuan"
            ).format(
                program=q["program"],
                lender=q["lender"],
                amount=q["amount_yuan"],
                used=q["used_yuan"],
                left=q["left_yuan"],
            )
        )
    if payload["due"]:
        print(cli_("  due next:"))
    for d in payload["due"]:
        amount = f"  {d['amount_yuan']}" if d.get("amount_yuan") else ""
        print(f"    {d['date']}  {d['kind']:<18} {d['program']} {d['lender']} {d['what']}{amount}")
    return EXIT_OK


def _schedule(args: argparse.Namespace) -> int:
    from .._money import fen_to_yuan

    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    with _open(args) as book:
        ladder = book.schedule(start, end)
        location = book.store.location
    if args.out is not None:
        from ._ladder import write_ladder

        written = write_ladder(ladder, start, end, location, args.out)
        print(
            cli_("wrote {files}").format(files=", ".join(str(p) for p in written.paths)),
            file=sys.stderr,
        )
    rows = [
        {k: (int(v) if k.endswith("_fen") else v) for k, v in r.items()}
        for r in ladder.to_dict("records")
    ]
    if args.json:
        _emit({"from": args.start, "to": args.end, "months": rows})
        return EXIT_OK
    print(cli_("month     principal due     interest due        total due (yuan)"))
    for r in rows:
        print(
            f"{r['month']}  {fen_to_yuan(r['principal_due_fen']):>16} "
            f"{fen_to_yuan(r['interest_due_fen']):>16} {fen_to_yuan(r['total_due_fen']):>16}"
        )
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    with _open(args) as book:
        found = book.check()
    rows = [
        {
            k: (
                v.isoformat() if isinstance(v, dt.date) else (v.item() if hasattr(v, "item") else v)
            )
            for k, v in r.items()
        }
        for r in found.to_dict("records")
    ]
    if args.json:
        _emit({"loans_claimed_by_two_lenders": len(rows), "loans": rows})
    elif not rows:
        print(cli_("no loan is claimed by two lenders"))
    else:
        print(
            cli_(
                "{n} loans are claimed by two lenders (same borrower id, principal and "
                "disbursement date):"
            ).format(n=len(rows))
        )
        for r in rows:
            print(
                f"  {r['borrower_id']} {r['principal_fen']} {r['disbursement_date']}: "
                f"{r['lender']} {r['loan_id']!r} (claim {r['claim_id']}), "
                f"{r['other_lender']} {r['other_loan_id']!r} (claim {r['other_claim_id']})"
            )
    return EXIT_FOUND if rows else EXIT_OK


def _history(args: argparse.Namespace) -> int:
    with _open(args) as book:
        found = book.history()
    rows = found.to_dict("records")
    if args.json:
        _emit(
            {
                "changes": [
                    {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows
                ]
            }
        )
    else:
        for r in rows:
            print(
                f"{r['seq']:>6}  {r['recorded_at']}  {r['recorded_by']:<12} {r['action']:<9} "
                f"{r['rows']}"
            )
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    with _open(args) as book:
        found = book.verify(files=not args.no_files)
    if args.json:
        _emit(found.as_dict())
    else:
        print(
            cli_(
                "checked {rows} rows, {files} files and {entries} journal entries (head {head})"
            ).format(
                rows=found.rows_checked,
                files=found.files_checked,
                entries=found.journal_entries,
                head=found.journal_head[:16],
            )
        )
        for d in found.differences:
            print(f"  {d.kind}: {d.where}: {d.detail}")
        if found.ok:
            print(cli_("no difference found"))
    return EXIT_OK if found.ok else EXIT_FOUND
