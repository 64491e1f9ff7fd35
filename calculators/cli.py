"""The ``relend`` command line: a thin layer over the calculators.

Every subcommand is ``main(argv)``-testable and returns its exit status:

0 done; 3 done, but some input rows were invalid (outputs still written);
4 (audit) differences found; 2 nothing computed because of the user's input (an ``--out``
that cannot be written included), with one line on stderr; 1 an internal error;
130 interrupted (Ctrl-C) and 143 terminated (SIGTERM), with no partial file left under
``--out``; 141 stdout closed before everything was printed (``relend ... | head``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from types import FrameType
from typing import Any, NoReturn

from calendars import (
    CALENDAR_NAMES,
    BusinessCalendar,
    CalendarError,
    ProvisionalCalendarWarning,
    deadline_for,
    get_calendar,
)

from . import (
    audit,
    facility,
    microloan_incentive,
    npl_tolerance,
    tech_relending,
)
from ._categories import TRANSPORT_CATEGORIES, category_note
from ._claim import claim as claim_program
from ._errors import RelendInputError
from ._ledger import COLUMN_ALIASES, LEDGER_COLUMNS, LedgerFile, read_ledger
from ._lenders import LENDERS
from ._money import fen_to_yuan, yuan_to_fen
from ._policy import PolicyTable, plain_value, policy_table
from ._registry import get_program, registered
from ._report import EXCEL_MAX_ROWS, write_outputs
from ._result import ClaimResult, relend_version

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INVALID_ROWS, EXIT_DIFFERENCES = 0, 1, 2, 3, 4
# As a shell reports a command killed by the signal: 128 + SIGINT, SIGPIPE, SIGTERM.
EXIT_INTERRUPTED, EXIT_CLOSED_STDOUT, EXIT_TERMINATED = 130, 141, 143


class _UsageError(Exception):
    """Bad command-line words, reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def _calendar_from(args: argparse.Namespace) -> BusinessCalendar:
    return get_calendar(
        getattr(args, "calendar", "prc"),
        overrides=getattr(args, "override", None) or (),
        strict=getattr(args, "strict_calendar", False),
    )


def _add_calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calendar", default="prc", help="prc (default) or sse")
    parser.add_argument("--override", metavar="FILE", help="JSON file pinning a year's holidays")
    parser.add_argument(
        "--strict-calendar",
        action="store_true",
        help="fail instead of warning when a year's schedule is provisional",
    )


# -- deadline ---------------------------------------------------------------------------


def _cmd_deadline(args: argparse.Namespace) -> int:
    result = deadline_for(args.period, _calendar_from(args))
    payload = {
        "quarter": str(result.period),
        "period": str(result.period),
        "deadline": result.date.isoformat(),
        "nominal": result.nominal.isoformat(),
        "calendar": result.calendar,
        "calendar_status": result.calendar_status,
    }
    if args.json:
        _emit(payload)
    else:
        print(
            f"{payload['quarter']}: apply by {payload['deadline']} "
            f"(10th is {payload['nominal']}; {result.calendar} calendar, "
            f"{result.calendar_status})"
        )
    return EXIT_OK


# -- claim ------------------------------------------------------------------------------


def _claim_text(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['tool']} relending claim  {summary['lender']} {summary['lender_name']}  "
        f"{summary['quarter']}  policy {summary['policy']}",
        f"  loans: {summary['loans_total']} in the ledger, {summary['loans_eligible']} eligible, "
        f"{summary['loans_excluded']} excluded, {summary['loans_invalid']} invalid",
    ]
    lines += [f"    {code:<34}{count:>8}" for code, count in summary["reasons"].items() if count]
    lines += [
        f"  eligible principal: {summary['eligible_principal_yuan']} yuan",
        f"  entitlement ({summary['ratio']} x principal, rounded half up once): "
        f"{summary['entitlement_yuan']} yuan ({summary['entitlement_fen']} fen)",
    ]
    versions = summary.get("policy_versions", [])
    if len(versions) > 1:
        lines += [
            f"    under {v['version']:<16} ({v['ratio']}): {v['loans_eligible']} loans, "
            f"{v['entitlement_yuan']} yuan"
            for v in versions
        ]
    lines.append(
        f"  apply by: {summary['deadline']} ({summary['calendar']} calendar, "
        f"{summary['calendar_status']})"
    )
    lines += _policy_file_lines(summary.get("policy_source", {}), versions)
    assumed = sorted(
        {name for figures in summary.get("sources_by_version", {}).values()
         for name, f in figures.items() if f.get("assumption")}
    )  # fmt: skip
    if assumed:
        lines.append(
            f"  assumed figures (no notice states them; see relend policy show "
            f"{summary['tool']}): {', '.join(assumed)}"
        )
    shown = summary.get("invalid_rows", [])
    if shown:
        lines.append("  invalid rows (line in the ledger, loan id, reason, what was wrong):")
        lines += [
            f"    line {row['line']:<8} {row['loan_id']!r:<20} {row['reason']:<32} {row['detail']}"
            for row in shown
        ]
        if summary["loans_invalid"] > len(shown):
            lines.append(
                f"    and {summary['loans_invalid'] - len(shown):,} more: every row's detail "
                f"is in loans.csv (--out DIR)"
            )
    lines += [f"  note: {warning['message']}" for warning in summary.get("warnings", [])]
    lines += _unrecognized_lines(summary.get("unrecognized", {}))
    return "\n".join(lines)


def _unrecognized_lines(unrecognized: dict[str, dict[str, int]]) -> list[str]:
    """One line per distinct value a claim excluded rows for without recognizing it."""
    if not unrecognized:
        return []
    lines = ["  unrecognized values (rows excluded; check the spelling):"]
    for column, counts in unrecognized.items():
        for value, rows in counts.items():
            note = category_note(value) if column == "borrower_category" else None
            lines.append(
                f"    {column} {value!r}: {rows} row{'' if rows == 1 else 's'}"
                + (f": {note}" if note else "")
            )
    return lines


_OUTPUT_NAMES = {
    "claim": ("loans.csv", "claim.xlsx", "loans 贷款"),
    "npl": ("npl.csv", "npl.xlsx", "npl 不良"),
    "audit": ("audit.csv", "audit.xlsx", "audit 核对"),
}


def _publish(
    args: argparse.Namespace,
    summary: dict[str, Any],
    rows: Any,
    kind: str,
    as_text: Callable[[dict[str, Any]], str],
) -> None:
    """Write ``--out`` files, then print JSON or text, then where the files went.

    With ``--out`` the summary printed is the one written, with the ``files`` of the
    run and their SHA-256; an earlier run's outputs that this run did not write are
    removed, with a note on stderr.
    """
    paths: tuple[Any, ...] = ()
    if getattr(args, "out", None):
        csv_name, xlsx_name, sheet = _OUTPUT_NAMES[kind]
        workbook = not getattr(args, "no_xlsx", False)
        if workbook and len(rows) > EXCEL_MAX_ROWS:
            sheets = -(-len(rows) // EXCEL_MAX_ROWS)
            print(
                f"relend: note: {len(rows):,} rows: {xlsx_name} spreads them over {sheets} "
                f"sheets (about 40 s per million rows); --no-xlsx writes {csv_name} only",
                file=sys.stderr,
            )
        written = write_outputs(
            summary, rows, args.out, csv_name=csv_name, xlsx_name=xlsx_name, rows_sheet=sheet,
            workbook=workbook, progress=_show_progress(args),
        )  # fmt: skip
        summary, paths = dict(written.summary), written.paths
        if written.removed:
            print(
                f"relend: note: removed {', '.join(written.removed)} from {args.out}: "
                "an earlier run's outputs that this run did not write",
                file=sys.stderr,
            )
    if args.json:
        _emit(summary)
    else:
        print(as_text(summary))
    if paths:
        wrote = f"wrote {', '.join(str(p) for p in paths)}"
        print(wrote, file=sys.stderr if args.json else sys.stdout)


def _report_claim(result: ClaimResult, args: argparse.Namespace) -> int:
    summary = result.summary()
    for warning in summary["warnings"]:
        print(f"relend: warning: {warning['message']}", file=sys.stderr)
    _publish(args, summary, result.loans, "claim", _claim_text)
    return EXIT_INVALID_ROWS if summary["loans_invalid"] else EXIT_OK


def _program_lists(args: argparse.Namespace, command: str) -> dict[str, str]:
    """The reference lists given for ``args.program``; a list option of another program
    is refused, and a required list must be given."""
    program = get_program(args.program)
    mine = {spec.name for spec in program.lists}
    given: dict[str, str] = {}
    for other in registered().values():
        for spec in other.lists:
            value = getattr(args, spec.name, None)
            if value and spec.name not in mine:
                users = ", ".join(p.id for p in registered().values()
                                  if spec.name in {x.name for x in p.lists})  # fmt: skip
                raise _UsageError(f"{spec.option} applies to {users} {command}s only")
            if value:
                given[spec.name] = value
    for spec in program.lists:
        if spec.required and spec.name not in given:
            raise _UsageError(f"{program.id} {command}s need {spec.option} FILE ({spec.help})")
    return given


def _add_list_options(parser: argparse.ArgumentParser) -> None:
    """One option per reference list of any registered program (``--eligible-borrowers``)."""
    seen: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    for program in registered().values():
        for spec in program.lists:
            seen.setdefault(spec.name, []).append(program.id)
            helps.setdefault(spec.name, spec.help)
    for name, users in seen.items():
        option = "--" + name.replace("_", "-")
        parser.add_argument(option, metavar="FILE", help=f"{', '.join(users)}: {helps[name]}")


def _ledger_from(args: argparse.Namespace) -> str | LedgerFile:
    """The ledger path, or the file read from the sheet ``--sheet`` names."""
    if args.sheet is None:
        return str(args.ledger)
    return read_ledger(args.ledger, args.sheet)


def _add_sheet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sheet", metavar="NAME|N",
        help="for an Excel ledger: the sheet by name or position from 1 (default: the first)",
    )  # fmt: skip


def _cmd_claim(args: argparse.Namespace) -> int:
    lists = _program_lists(args, "claim")
    result = claim_program(
        args.program, _ledger_from(args), args.quarter, args.lender,
        calendar=_calendar_from(args), policy=_policy_from(args),
        progress=_show_progress(args), **lists,
    )  # fmt: skip
    return _report_claim(result, args)


def _policy_file_lines(source: dict[str, Any], versions: list[dict[str, Any]]) -> list[str]:
    """Say which user policy files a run applied, and which versions came from them."""
    files = source.get("files", [])
    if not files:
        return []
    lines = [f"  policy file applied: {f['path']} (sha256 {f['sha256']})" for f in files]
    mine = [v["version"] for v in versions if v.get("origin", "package") != "package"]
    if mine:
        lines.append(f"  versions from a policy file, not from relend: {', '.join(mine)}")
    return lines


# -- demo -------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    data = resources.files("calculators.data")
    with (
        resources.as_file(data / "demo_tech_ledger.csv") as ledger,
        resources.as_file(data / "demo_tech_eligible.csv") as eligible,
    ):
        result = tech_relending.claim(ledger, "2022Q2", "ICBC", eligible)
    print("relend demo: tech-innovation relending claim on the bundled example ledger")
    print(f"  ledger: {ledger.name} (made-up firms; a few rows are wrong on purpose)\n")
    args.json = False
    _report_claim(result, args)
    print(
        "\nnext: relend claim tech YOUR_LEDGER.csv --quarter 2022Q2 --lender ICBC "
        "--eligible-borrowers LIST.csv --out DIR"
    )
    return EXIT_OK


# -- facility and incentive -------------------------------------------------------------


def _date_arg(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _UsageError(f"{option} {text!r} is not a date: use YYYY-MM-DD") from None


def _cmd_facility(args: argparse.Namespace) -> int:
    result = facility.schedule(
        args.program,
        yuan_to_fen(args.amount, "--amount"),
        _date_arg(args.drawdown, "--drawdown"),
        args.extensions,
        day_count=args.day_count,
        calendar=_calendar_from(args),
        policy=_policy_from(args),
    )
    summary = result.summary()
    if args.json:
        _emit(summary)
        return EXIT_OK
    print(
        f"{summary['tool']} relending {summary['amount_yuan']} yuan at {summary['rate']} "
        f"({summary['day_count']}{', assumed' if summary['day_count_assumption'] else ''}), "
        f"drawn {summary['drawdown']}, {summary['extensions']} of "
        f"{summary['max_extensions']} extensions (policy {summary['policy']})"
    )
    for period in summary["periods"]:
        print(
            f"  {period['period']:<12} {period['start']} -> {period['end']}  "
            f"{period['days']:>3} days  interest {period['interest_yuan']:>16} yuan"
        )
    print(f"  repay by {summary['maturity']}; total interest {summary['interest_yuan']} yuan")
    return EXIT_OK


def _cmd_incentive(args: argparse.Namespace) -> int:
    options: dict[str, Any] = {
        "day_count": args.day_count,
        "calendar": _calendar_from(args),
        "institution": args.institution,
        "policy": _policy_from(args),
    }
    if args.trade_date:
        options["trade_date"] = _date_arg(args.trade_date, "--trade-date")
    single = (args.quarter, args.previous_balance, args.current_balance)
    if args.balances:
        if any(single):
            raise _UsageError("give either BALANCES.csv or --quarter with both balances")
        results = microloan_incentive.incentive_series(args.balances, **options)
    elif all(single):
        results = [
            microloan_incentive.incentive(
                args.quarter,
                yuan_to_fen(args.previous_balance, "--previous-balance"),
                yuan_to_fen(args.current_balance, "--current-balance"),
                **options,
            )
        ]
    else:
        raise _UsageError("give BALANCES.csv, or --quarter, --previous-balance, --current-balance")
    summaries = [r.summary() for r in results]
    if args.json:
        _emit(summaries[0] if not args.balances else {"quarters": summaries})
        return EXIT_OK
    for item in summaries:
        swap = item["swap"]
        line = (
            f"{item['quarter']}: increase {fen_to_yuan(item['increment_fen'])} yuan, "
            f"incentive {item['incentive_yuan']} yuan ({item['ratio']} x increase)"
        )
        if swap:
            line += (
                f"; swap {swap['start']} -> {swap['end']}, PBoC pays "
                f"{fen_to_yuan(swap['fixed_leg_fen'])} fixed, receives "
                f"{fen_to_yuan(swap['floating_leg_fen'])} floating, net "
                f"{fen_to_yuan(swap['net_fen'])} on {swap['payment_date']}"
            )
        else:
            line += "; no increase, no swap"
        if item["policy_origin"] != "package":
            line += f" [ratio from a policy file, version {item['policy_version']}]"
        print(line)
    table = options["policy"]
    for text in _policy_file_lines(table.source(relend_version()), []):
        print(text)
    return EXIT_OK


# -- npl --------------------------------------------------------------------------------


def _npl_text(summary: dict[str, Any]) -> str:
    lines = []
    for unit in summary["units"]:
        ratio = unit["npl_ratio_pct"] or "-"
        tolerance = unit["tolerance_pct"] or "-"
        headroom = "" if unit["headroom_fen"] is None else fen_to_yuan(unit["headroom_fen"])
        beyond = "  (beyond the six named; --extra-industry)"
        lines.append(
            f"{unit['unit']:<12} {unit['industry']:<14} NPL {ratio:>10}% "
            f"tolerance {tolerance:>8}%  {unit['status']:<7} headroom {headroom:>16} "
            f"{unit['reason']}" + (beyond if unit["industry_basis"] == "user_named" else "")
        )
    lines.append(
        f"within {summary['within']}, breach {summary['breach']}, invalid {summary['invalid']}"
    )
    for name, rows in summary["extra_industries"].items():
        lines.append(
            f"industry named by you beyond the six of article 十七: {name} "
            f"({rows} row{'' if rows == 1 else 's'})"
        )
    if summary["within"]:
        terms = summary["relief_terms"]
        lines += [
            "within the tolerance:",
            f"  assessment (二十七): {terms['assessment_relief']['no_or_reduced_deduction']}",
            f"  accountability (二十八): {terms['due_diligence_exemption']['may_be_considered']}",
        ]
    return "\n".join(lines)


def _cmd_npl(args: argparse.Namespace) -> int:
    frame, digest = npl_tolerance.read_npl_file(args.file)
    result = npl_tolerance.check(frame, digest, extra_industries=args.extra_industry or ())
    summary = result.summary()
    _publish(args, summary, result.rows, "npl", _npl_text)
    return EXIT_INVALID_ROWS if summary["invalid"] else EXIT_OK


def _add_npl(sub: Any) -> None:
    npl = sub.add_parser(
        "npl", help="NPL tolerance check for the industries of 银保监办发〔2022〕64号 (十七)"
    )
    npl.add_argument("file", help="CSV: unit, industry, loan_balance, npl_balance, "
                     "baseline_tolerance_pct, uplift_pct")  # fmt: skip
    npl.add_argument(
        "--extra-industry",
        action="append",
        metavar="NAME",
        help="an industry beyond the six article 十七 names (住宿, 餐饮, 零售, 文化, 旅游, "
        "交通运输 等) that may take an uplift, as the industry column writes it; repeatable",
    )
    npl.add_argument("--out", metavar="DIR", help="write summary.json, npl.csv, npl.xlsx")
    _add_no_xlsx(npl)
    _add_quiet(npl)
    npl.add_argument("--json", action="store_true")
    npl.set_defaults(handler=_cmd_npl)


# -- audit ------------------------------------------------------------------------------


def _audit_text(summary: dict[str, Any]) -> str:
    classes = ", ".join(f"{k} {v}" for k, v in summary["classes"].items() if v)
    lines = [
        f"audit {summary['tool']} {summary['lender']} {summary['quarter']}: submitted "
        f"{summary['submitted_yuan']} yuan on {summary['submitted_rows']} rows, recomputed "
        f"{summary['recomputed_yuan']} yuan",
        f"  overclaimed {summary['overclaimed_yuan']}, underclaimed "
        f"{summary['underclaimed_yuan']}, clawback {summary['clawback_yuan']} yuan",
        f"  rows: {classes}",
    ]
    if summary["tolerance_fen"]:
        lines.append(
            f"  tolerance {summary['tolerance_fen']} fen per loan: differences within it "
            f"({fen_to_yuan(summary['within_tolerance_fen'])} yuan net) are matches"
        )
    if summary["duplicate_claim_loans"]:
        lines.append(
            f"  loans claimed on more than one row: {summary['duplicate_claim_loans']} (every "
            "row counts; what a loan's rows claim beyond its recomputed amount is overclaimed)"
        )
    if summary["invalid_claimed_fen"]:
        lines.append(
            f"  {fen_to_yuan(summary['invalid_claimed_fen'])} yuan claimed on rows without "
            "a loan id (in submitted, compared with no loan)"
        )
    if summary["unreadable_claim_rows"]:
        lines.append(
            f"  submitted amounts that could not be read (not in submitted): "
            f"{summary['unreadable_claim_rows']}"
        )
        lines += [
            f"    line {item['submitted_line']}  {item['loan_id'] or '(no loan id)'}  "
            f"{item['detail']}"
            for item in summary["unreadable_claims"][:10]
        ]
        if summary["unreadable_claim_rows"] > 10:
            lines.append("    ... every one is in audit.csv with --out (class invalid)")
    lines += [f"  note: {w['message']}" for w in summary.get("warnings", [])]
    return "\n".join(lines)


def _cmd_audit(args: argparse.Namespace) -> int:
    lists = _program_lists(args, "audit")
    result = audit.audit(
        args.program, _ledger_from(args), args.submitted, args.quarter, args.lender,
        tolerance_fen=args.tolerance_fen, calendar=_calendar_from(args),
        policy=_policy_from(args), progress=_show_progress(args), **lists,
    )  # fmt: skip
    summary = result.summary()
    _publish(args, summary, result.loans, "audit", _audit_text)
    if summary["differences"]:
        return EXIT_DIFFERENCES
    invalid = summary["ledger_invalid_rows"] or summary["classes"]["invalid"]
    return EXIT_INVALID_ROWS if invalid else EXIT_OK


def _add_audit(sub: Any) -> None:
    aud = sub.add_parser(
        "audit", help="recompute a submitted claim and list every difference",
        epilog=_epilog(
            "submission columns: loan_id (借据号, ...), and claimed in yuan (申报金额, 申请金额, "
            "申请再贷款金额) or claimed_fen (申报金额_分); every row counts",
            _columns_help(), _lenders_help(), _EXIT_CODES,
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    aud.add_argument("program", choices=list(registered()))
    aud.add_argument("ledger")
    _add_sheet_option(aud)
    aud.add_argument("--submitted", required=True, metavar="FILE",
                     help="CSV: loan_id (借据号) and claimed (申报金额, yuan) or claimed_fen; "
                     "every row counts, a loan on two rows is a duplicate_claim")  # fmt: skip
    aud.add_argument("--quarter", "--period", dest="quarter", required=True,
                     help="the claim period: a quarter (2022Q2) or, for monthly programs, "
                     "a month (2022-10)")  # fmt: skip
    aud.add_argument("--lender", required=True)
    _add_list_options(aud)
    _add_policy_option(aud)
    aud.add_argument("--tolerance-fen", type=int, default=0,
                     help="per-loan difference still counted as a match (default 0)")  # fmt: skip
    aud.add_argument("--out", metavar="DIR", help="write summary.json, audit.csv, audit.xlsx")
    _add_no_xlsx(aud)
    _add_quiet(aud)
    aud.add_argument("--json", action="store_true")
    _add_calendar_options(aud)
    aud.set_defaults(handler=_cmd_audit)


# -- policy -----------------------------------------------------------------------------


def _policy_from(args: argparse.Namespace) -> PolicyTable:
    return policy_table(getattr(args, "policy", None))


def _cmd_policy(args: argparse.Namespace) -> int:
    table = _policy_from(args)
    if args.action == "list":
        if args.program:
            raise _UsageError("'relend policy list' takes no program; use 'relend policy show'")
        every = [v for p in table.programs.values() for v in p.versions]
        if args.json:
            _emit({"policy_source": table.source(relend_version()),
                   "versions": [v.summary() for v in every]})  # fmt: skip
            return EXIT_OK
        for v in every:
            assumed = sum(f.assumption for f in v.figures.values())
            unknown = [n for n, f in v.figures.items() if f.unknown]
            flags = f"{assumed} assumed" + (f", unknown: {', '.join(unknown)}" if unknown else "")
            origin = "" if v.origin == "package" else f"  [{v.origin[:19]}]"
            print(f"{v.program:<10} {v.version:<18} {v.window():<26} {v.title}  ({flags}){origin}")
        return EXIT_OK
    if not args.program:
        raise _UsageError("'relend policy show' needs a program, e.g. relend policy show tech")
    program = table.program(args.program)
    versions = (table.version(args.program, args.version),) if args.version else program.versions
    if args.json:
        _emit({"policy_source": table.source(relend_version()),
               "versions": [v.summary() for v in versions]})  # fmt: skip
        return EXIT_OK
    for v in versions:
        print(f"{v.version}  {v.title}  ({program.name_zh}, {v.window()})")
        print(f"  notice: {v.notice.issuer} {v.notice.title} {v.notice.date}".rstrip())
        for name, f in v.figures.items():
            shown: Any = "UNKNOWN (refused)" if f.unknown else plain_value(f.value)
            if isinstance(shown, list):
                shown = ", ".join(
                    f"{s['rate']} from {s['from']}" if isinstance(s, dict) else str(s)
                    for s in shown
                )
            print(f"  {name:<19} {shown}")
            print(f"  {'':<19} source: {f.source}")
            if f.why:
                label = "unknown" if f.unknown else "ASSUMPTION"
                print(f"  {'':<19} {label}: {f.why}")
    return EXIT_OK


def _add_policy(sub: Any) -> None:
    pol = sub.add_parser("policy", help="the policy versions relend applies, with their sources")
    pol.add_argument("action", choices=["list", "show"])
    pol.add_argument("program", nargs="?", help="with show: a program, e.g. tech or microloan")
    pol.add_argument("--version", help="with show: one version, e.g. tech-2024")
    _add_policy_option(pol)
    pol.add_argument("--json", action="store_true")
    pol.set_defaults(handler=_cmd_policy)


def _add_policy_option(parser: Any) -> None:
    parser.add_argument(
        "--policy",
        metavar="FILE",
        action="append",
        help="a policy file (TOML) adding or superseding versions for this run",
    )


# -- parser -----------------------------------------------------------------------------


def _add_quiet(parser: Any) -> None:
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar on stderr (shown only on a terminal, for writes over 2 s)",
    )


def _show_progress(args: argparse.Namespace) -> bool:
    """A progress bar only for a person watching: stderr a terminal, no ``--quiet``."""
    if getattr(args, "quiet", False):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _add_no_xlsx(parser: Any) -> None:
    parser.add_argument(
        "--no-xlsx",
        action="store_true",
        help="with --out, skip the workbook (for millions of rows: the CSV has every row)",
    )


_EXIT_CODES = (
    "exit status: 0 done; 3 done, but some rows were invalid (outputs still written); "
    "4 (audit) differences found; 2 nothing computed because of the input (one line on "
    "stderr says what and what would be accepted); 1 internal error; 130 Ctrl-C, 143 "
    "SIGTERM (no partial output left); 141 output closed early (e.g. piped into head)"
)


def _columns_help() -> str:
    rows = [f"  {name}: {', '.join(aliases)}" for name, aliases in COLUMN_ALIASES.items()
            if name in LEDGER_COLUMNS]  # fmt: skip
    return "ledger columns (canonical name: Chinese headers also accepted):\n" + "\n".join(rows)


def _lenders_help() -> str:
    rows = [f"  {x.code}: {x.name}" + (f" ({', '.join(x.aliases)})" if x.aliases else "")
            for x in LENDERS]  # fmt: skip
    return "lenders (code, Chinese name or short name):\n" + "\n".join(rows)


def _programs_help() -> str:
    rows = []
    for program in registered().values():
        own = ", ".join(program.reasons) or "none"
        rows.append(f"  {program.id}: {program.name_zh} ({program.name_en}); own rules: {own}")
    return "programs (relend policy show PROGRAM for every figure and its source):\n" + (
        "\n".join(rows)
    )


def _categories_help() -> str:
    rows = [f"  {code}: {name}" for code, name in TRANSPORT_CATEGORIES.items()]
    return "transport borrower categories (code or the notice's Chinese):\n" + "\n".join(rows)


_OVERRIDE_HELP = (
    "calendar override file (--override FILE): JSON, one object or a list, each with "
    '"year", "source" (the notice), "holidays" and "working_days" (ISO dates from 24 '
    'December of the year before to 23 December), e.g. {"year": 2027, "source": '
    '"国办发明电〔2026〕N号", "holidays": ["2027-01-01"], "working_days": ["2027-02-07"]}'
)


def _epilog(*parts: str) -> str:
    return "\n\n".join(parts)


def build_parser() -> argparse.ArgumentParser:
    """The ``relend`` argument parser."""
    parser = _Parser(
        prog="relend",
        description="Exact PBoC relending claims, deadlines and cash flows from loan ledgers.",
        epilog=_epilog(_programs_help(), _EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"relend {relend_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="run a claim on the bundled example ledger")
    demo.add_argument("--out", default="relend-demo", help="folder for the reports")
    demo.set_defaults(handler=_cmd_demo)

    deadline = sub.add_parser(
        "deadline", help="application deadline for a quarter or month",
        epilog=_epilog(_OVERRIDE_HELP, _EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    deadline.add_argument("period", help="e.g. 2022Q2, 2022-Q2 or 2023-01")
    _add_calendar_options(deadline)
    deadline.add_argument("--json", action="store_true")
    deadline.set_defaults(handler=_cmd_deadline)

    claim = sub.add_parser(
        "claim", help="relending claim from a loan ledger",
        epilog=_epilog(_programs_help(), _columns_help(), _categories_help(),
                       _lenders_help(), _EXIT_CODES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    claim.add_argument("program", choices=list(registered()))
    claim.add_argument(
        "ledger", help="ledger CSV (UTF-8, GB18030 or UTF-16; comma, tab or semicolon) or "
        "Excel workbook (.xlsx, .xls)",
    )  # fmt: skip
    _add_sheet_option(claim)
    claim.add_argument("--quarter", "--period", dest="quarter", required=True,
                       help="the claim period: a quarter (2022Q2) or, for monthly programs, "
                       "a month (2022-10)")  # fmt: skip
    claim.add_argument("--lender", required=True, help="code or Chinese name, e.g. ICBC, 工商银行")
    _add_list_options(claim)
    _add_policy_option(claim)
    claim.add_argument("--out", metavar="DIR", help="write summary.json, loans.csv, claim.xlsx")
    _add_no_xlsx(claim)
    _add_quiet(claim)
    claim.add_argument("--json", action="store_true", help="print one JSON object")
    _add_calendar_options(claim)
    claim.set_defaults(handler=_cmd_claim)

    fac = sub.add_parser("facility", help="relending maturity, extensions and interest")
    fac.add_argument("program", choices=list(registered()))
    fac.add_argument("--amount", required=True, help="relending drawn, yuan, e.g. 600000.00")
    fac.add_argument("--drawdown", required=True, help="drawdown date, YYYY-MM-DD")
    fac.add_argument("--extensions", type=int, default=0, help="extensions taken (default 0)")
    fac.add_argument("--day-count", help="ACT/360 (default, an assumption), ACT/365F, 30/360")
    fac.add_argument("--json", action="store_true")
    _add_policy_option(fac)
    _add_calendar_options(fac)
    fac.set_defaults(handler=_cmd_facility)

    inc = sub.add_parser("incentive", help="inclusive small/micro loan incentive and swap")
    inc.add_argument("balances", nargs="?", help="CSV of quarter,balance (one row per quarter)")
    inc.add_argument("--quarter", help="e.g. 2022Q2")
    inc.add_argument("--previous-balance", metavar="YUAN", help="previous quarter-end balance")
    inc.add_argument("--current-balance", metavar="YUAN", help="this quarter-end balance")
    inc.add_argument("--trade-date", help="swap start, YYYY-MM-DD (default: the deadline)")
    inc.add_argument("--day-count", default="30/360", help="swap day count (default 30/360)")
    inc.add_argument(
        "--institution",
        default="local_legal_person",
        help="institution type; only local legal-person institutions (地方法人) are eligible",
    )
    inc.add_argument("--json", action="store_true")
    _add_policy_option(inc)
    _add_calendar_options(inc)
    inc.set_defaults(handler=_cmd_incentive)

    _add_npl(sub)
    _add_policy(sub)
    _add_audit(sub)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where it lands so that it takes the Ctrl-C path out."""


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` for the block, then restore the handler.

    Handlers can only be set in the main thread; elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _interrupted(exc: KeyboardInterrupt) -> int:
    if isinstance(exc, _Terminated):
        print("relend: terminated (SIGTERM); no partial output left", file=sys.stderr)
        return EXIT_TERMINATED
    print("relend: interrupted; no partial output left", file=sys.stderr)
    return EXIT_INTERRUPTED


def _closed_stdout() -> int:
    """The reader of stdout went away (``relend ... | head``): stop quietly.

    Python's own recipe: point stdout at the null device so that flushing what is
    still buffered at exit does not fail a second time.
    """
    with contextlib.suppress(AttributeError, OSError, ValueError):
        descriptor = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)
    return EXIT_CLOSED_STDOUT


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``relend`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Besides the statuses of the module docstring: 130 after Ctrl-C, 143 after SIGTERM
    (both leave no partial file under ``--out``), 141 when stdout was closed early.
    """
    try:
        with _sigterm_as_interrupt():
            return _run(argv)
    except KeyboardInterrupt as exc:  # one that landed outside _run's own handling
        return _interrupted(exc)


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvisionalCalendarWarning)
        try:
            args = parser.parse_args(argv)
            if getattr(args, "calendar", "prc") not in CALENDAR_NAMES:
                raise _UsageError(
                    f"--calendar {args.calendar!r} is not known; use one of "
                    f"{', '.join(CALENDAR_NAMES)}"
                )
            status = args.handler(args)
        except SystemExit as exc:  # --help and --version
            status = int(exc.code or 0)
        except _UsageError as exc:
            status = _fail(str(exc))
        except (RelendInputError, CalendarError) as exc:
            status = _fail(str(exc))
        except KeyboardInterrupt as exc:
            status = _interrupted(exc)
        except BrokenPipeError:
            status = _closed_stdout()
        except Exception as exc:  # the one place an unexpected error becomes a line
            print(f"relend: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            status = EXIT_INTERNAL
    try:
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except BrokenPipeError:
        status = _closed_stdout()
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"relend: warning: {message}", file=sys.stderr)
    return status


def _fail(message: str) -> int:
    print(f"relend: error: {message}", file=sys.stderr)
    return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
