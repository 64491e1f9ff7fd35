"""``relend claim``: a relending claim from a loan ledger, and its report in text."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from calendars._calendar import calendar_title

from .._i18n import cli_, cli_n, language
from .._money import percent_text
from ..engine.labels import FIGURE_LABELS, REASON_LABELS, label
from ..engine.program import registered
from ..policy.table import program_title
from ..readers.columns import COLUMN_ALIASES
from .memory import return_freed
from .options import (
    _add_calendar_options,
    _add_encoding_option,
    _add_list_options,
    _add_no_xlsx,
    _add_period_and_lender,
    _add_policy_option,
    _add_quiet,
    _add_sheet_option,
    _calendar_from,
    _calendar_status,
    _check_out,
    _columns_help,
    _epilog,
    _exit_codes,
    _json_help,
    _ledger_from,
    _ledger_help,
    _lenders_help,
    _policy_file_lines,
    _policy_from,
    _program_help,
    _program_lists,
    _programs_help,
    _publish,
    _sheet_read,
    _show_progress,
)
from .text import EXIT_INVALID_ROWS, EXIT_OK, _coded, _label_after, _pad, _warning_line

if TYPE_CHECKING:
    from ..engine.program import Program
    from ..engine.result import ClaimResult


def _figure_names(names: Sequence[str]) -> str:
    """Policy figures by their keys (as ``relend policy show`` lists them), in Chinese
    with their Chinese names before them (``日计数惯例 day_count``)."""
    if language() != "zh":
        return ", ".join(names)
    return "、".join(f"{label(FIGURE_LABELS, n, 'zh')} {n}" if n in FIGURE_LABELS else n
                    for n in names)  # fmt: skip


def _column(key: str) -> str:
    """A ledger column by its Chinese header beside the key in Chinese (币种 currency)."""
    aliases = COLUMN_ALIASES.get(key)
    return f"{aliases[0]} {key}" if language() == "zh" and aliases else key


def _claim_text(summary: dict[str, Any]) -> str:
    lines = [
        cli_("{tool} relending claim  {lender} {lender_name}  {period}  policy {policy}").format(
            tool=program_title(summary["tool"]), lender=summary["lender"],
            lender_name=summary["lender_name"],
            period=summary["quarter"], policy=summary["policy"],
        ),
        cli_("  loans: {total} in the ledger, {eligible} eligible, {excluded} excluded, "
             "{invalid} invalid").format(
            total=summary["loans_total"], eligible=summary["loans_eligible"],
            excluded=summary["loans_excluded"], invalid=summary["loans_invalid"],
        ),
    ]  # fmt: skip
    lines += [
        f"    {code:<34}{count:>8}" + _label_after(REASON_LABELS, code)
        for code, count in summary["reasons"].items()
        if count
    ]
    if summary.get("principal_unit") == "万元":
        lines.append(
            cli_("  principal read in 万元 from column {column}: x 10,000 to yuan, exactly")
            .format(column=summary["principal_column"])
        )  # fmt: skip
    lines += [
        cli_("  eligible principal: {yuan} yuan").format(yuan=summary["eligible_principal_yuan"]),
        cli_("  entitlement ({ratio} × principal, rounded half up once): {yuan} yuan "
             "({fen} fen)").format(
            ratio=percent_text(summary["ratio"]), yuan=summary["entitlement_yuan"],
            fen=summary["entitlement_fen"],
        ),
    ]  # fmt: skip
    versions = summary.get("policy_versions", [])
    if len(versions) > 1:
        lines += [
            cli_("    under {version:<16} ({ratio}): {loans} loans, {yuan} yuan").format(
                version=v["version"], ratio=percent_text(v["ratio"]), loans=v["loans_eligible"],
                yuan=v["entitlement_yuan"],
            )
            for v in versions
        ]  # fmt: skip
    program = registered().get(summary["tool"])
    if program is not None and program.summary_lines is not None:
        lines += program.summary_lines(summary)
    lines.append(
        cli_("  apply by: {deadline} ({calendar}, {status})").format(
            deadline=summary["deadline"], calendar=calendar_title(summary["calendar"]),
            status=_calendar_status(summary["calendar_status"]),
        )
    )  # fmt: skip
    if summary.get("book"):
        lines.append(
            cli_("  book {book}: {count} loans left out as already in a claim it holds "
                 "(already_claimed)").format(
                book=summary["book"], count=summary["reasons"].get("already_claimed", 0)
            )
        )  # fmt: skip
    lines += _policy_file_lines(summary.get("policy_source", {}), versions)
    assumed = sorted(
        {name for figures in summary.get("sources_by_version", {}).values()
         for name, f in figures.items() if f.get("assumption")}
    )  # fmt: skip
    if assumed:
        lines.append(
            cli_("  assumed figures (no notice states them; see relend policy show {tool}): "
                 "{names}").format(tool=summary["tool"], names=_figure_names(assumed))
        )  # fmt: skip
    shown = summary.get("invalid_rows", [])
    if shown:
        lines.append(cli_("  invalid rows (line in the ledger, loan id, reason, what was wrong):"))
        lines += [
            cli_("    line {line} {loan_id} {reason} {detail}").format(
                line=_pad(row["line"], 8), loan_id=_pad(repr(row["loan_id"]), 20),
                reason=_pad(_coded(REASON_LABELS, row["reason"]), 32), detail=row["detail"],
            )
            for row in shown
        ]  # fmt: skip
        if summary["loans_invalid"] > len(shown):
            lines.append(
                cli_("    and {count} more: every row's detail is in loans.csv (--out DIR)").format(
                    count=f"{summary['loans_invalid'] - len(shown):,}"
                )
            )
    lines += [
        cli_("  note: {message}").format(message=warning["message"])
        for warning in summary.get("warnings", [])
    ]
    lines += _unrecognized_lines(summary.get("unrecognized", {}), program)
    return "\n".join(lines)


def _unrecognized_lines(
    unrecognized: dict[str, dict[str, int]], program: Program | None
) -> list[str]:
    """One line per distinct value a claim excluded rows for without recognizing it, with
    the program's advice for it where it has some."""
    if not unrecognized:
        return []
    notes = {r.column: r.note for r in (program.rules if program else ()) if r.note}
    lines = [cli_("  unrecognized values (rows excluded; check the spelling):")]
    for column, counts in unrecognized.items():
        for value, rows in counts.items():
            advice = notes.get(column)
            note = advice(value) if advice is not None else None
            line = cli_n(
                "    {column} {value}: {count} row", "    {column} {value}: {count} rows", rows
            ).format(column=_column(column), value=repr(value), count=rows)
            lines.append(cli_("{line}: {note}").format(line=line, note=note) if note else line)
    return lines


def _report_claim(result: ClaimResult, args: argparse.Namespace) -> int:
    summary = result.summary()
    _sheet_read(summary["input_format"], getattr(args, "ledger", ""))
    for warning in summary["warnings"]:
        print(_warning_line(warning["message"]), file=sys.stderr)
    _publish(args, summary, result.loans, "claim", _claim_text)
    return EXIT_INVALID_ROWS if summary["loans_invalid"] else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run ``relend claim`` and report it; return the exit status."""
    from ..engine.claim import prepare, run_claim
    from ..engine.streamed import stream_claim
    from ..readers.blocks import open_ledger
    from ..readers.ledger import read_ledger

    lists = _program_lists(args, "claim")
    _check_out(args)
    ledger, calendar, policy = _ledger_from(args), _calendar_from(args), _policy_from(args)
    progress = _show_progress(args)
    spec = prepare(
        args.program, args.quarter, args.lender,
        lists=lists, calendar=calendar, policy=policy, book=args.book,
    )  # fmt: skip
    return_freed()  # what reading the lists freed, before the ledger is read
    result: ClaimResult | None = None
    if isinstance(ledger, str) and (args.out is None or args.no_xlsx):
        # no workbook to write: the rows are read block by block, never held whole
        opened = open_ledger(ledger)
        if opened is not None:
            result = stream_claim(spec, opened, progress=progress)
    if result is None:
        if isinstance(ledger, str):
            ledger = read_ledger(ledger, progress=progress)
            return_freed()  # what reading the ledger freed, before its rows are classified
        result = run_claim(spec, ledger, progress=progress)
    return_freed()  # the classification's temporaries, before the outputs are written
    return _report_claim(result, args)


def add(sub: Any) -> None:
    """Add ``claim`` to ``relend``'s subparsers ``sub``."""
    claim = sub.add_parser(
        "claim", help=cli_("relending claim from a loan ledger"),
        epilog=_epilog(_programs_help(), _columns_help(),
                       *(p.claim_help() for p in registered().values() if p.claim_help),
                       _lenders_help(), _exit_codes()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    claim.add_argument("program", choices=list(registered()), help=_program_help())
    claim.add_argument("ledger", metavar=cli_("ledger"), help=_ledger_help())
    _add_sheet_option(claim)
    _add_encoding_option(claim)
    _add_period_and_lender(claim)
    _add_list_options(claim)
    _add_policy_option(claim)
    claim.add_argument(
        "--out", metavar=cli_("DIR"), help=cli_("write summary.json, loans.csv, claim.xlsx")
    )
    _add_no_xlsx(claim)
    _add_quiet(claim)
    claim.add_argument(
        "--book", metavar=cli_("PATH_OR_URL"),
        help=cli_("leave out, as already_claimed, the loans a claim recorded in this book "
                  "(another program, period or lender) already holds"),
    )  # fmt: skip
    claim.add_argument("--json", action="store_true", help=_json_help())
    _add_calendar_options(claim)
    claim.set_defaults(handler=run)
