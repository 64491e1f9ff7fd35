"""``relend audit``: a submitted claim recomputed, every difference listed."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from typing import Any

from .._errors import ParameterError
from .._i18n import _, cli_
from .._money import fen_to_yuan
from ..engine.labels import AUDIT_CLASS_LABELS
from ..engine.program import registered
from ..policy.table import program_title
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
    _check_out,
    _columns_help,
    _epilog,
    _exit_codes,
    _json_help,
    _ledger_from,
    _ledger_help,
    _lenders_help,
    _policy_from,
    _program_help,
    _program_lists,
    _publish,
    _sheet_read,
    _show_progress,
)
from .text import (
    EXIT_DIFFERENCES,
    EXIT_INVALID_ROWS,
    EXIT_OK,
    _coded,
    _joined,
    _warning_line,
)


def _audit_text(summary: dict[str, Any]) -> str:
    classes = _joined(
        f"{_coded(AUDIT_CLASS_LABELS, k)} {v}" for k, v in summary["classes"].items() if v
    )
    lines = [
        cli_("audit {tool} {lender} {period}: submitted {submitted} yuan on {rows} rows, "
             "recomputed {recomputed} yuan").format(
            tool=program_title(summary["tool"]), lender=summary["lender"],
            period=summary["quarter"],
            submitted=summary["submitted_yuan"], rows=summary["submitted_rows"],
            recomputed=summary["recomputed_yuan"],
        ),
        cli_("  overclaimed {over} yuan, underclaimed {under} yuan, clawback {clawback} "
             "yuan").format(
            over=summary["overclaimed_yuan"], under=summary["underclaimed_yuan"],
            clawback=summary["clawback_yuan"],
        ),
        cli_("  rows: {classes}").format(classes=classes),
    ]  # fmt: skip
    if summary["tolerance_fen"]:
        lines.append(
            cli_("  tolerance {fen} fen per loan: differences within it ({yuan} yuan net) "
                 "are matches").format(
                fen=summary["tolerance_fen"], yuan=fen_to_yuan(summary["within_tolerance_fen"])
            )
        )  # fmt: skip
    if summary["duplicate_claim_loans"]:
        lines.append(
            cli_("  loans claimed on more than one row: {count} (every row counts; what a "
                 "loan's rows claim beyond its recomputed amount is overclaimed)").format(
                count=summary["duplicate_claim_loans"]
            )
        )  # fmt: skip
    if summary["invalid_claimed_fen"]:
        lines.append(
            cli_("  {yuan} yuan claimed on rows without a loan id (in submitted, compared "
                 "with no loan)").format(yuan=fen_to_yuan(summary["invalid_claimed_fen"]))
        )  # fmt: skip
    if summary["unreadable_claim_rows"]:
        lines.append(
            cli_("  submitted amounts that could not be read (not in submitted): {count}").format(
                count=summary["unreadable_claim_rows"]
            )
        )
        lines += [
            cli_("    line {line}  {loan_id}  {detail}").format(
                line=item["submitted_line"], loan_id=item["loan_id"] or cli_("(no loan id)"),
                detail=item["detail"],
            )
            for item in summary["unreadable_claims"][:10]
        ]  # fmt: skip
        if summary["unreadable_claim_rows"] > 10:
            lines.append(cli_("    ... every one is in audit.csv with --out (class invalid)"))
    lines += [
        cli_("  note: {message}").format(message=w["message"]) for w in summary.get("warnings", [])
    ]
    return "\n".join(lines)


def _tolerance_arg(text: str) -> int:
    """``--tolerance-fen`` as typed, in fen: 0 to 100 (see :mod:`calculators.tools.audit`)."""
    from ..tools import audit

    digits = unicodedata.normalize("NFKC", text).strip()
    if not re.fullmatch(r"[0-9]+", digits) or int(digits) > audit.MAX_TOLERANCE_FEN:
        raise ParameterError("--tolerance-fen", text, _(audit.TOLERANCE_RULE))
    return int(digits)


def run(args: argparse.Namespace) -> int:
    """Run ``relend audit`` and report it; return the exit status."""
    from ..tools import audit

    lists = _program_lists(args, "audit")
    _check_out(args)
    result = audit.audit(
        args.program, _ledger_from(args), args.submitted, args.quarter, args.lender,
        tolerance_fen=_tolerance_arg(args.tolerance_fen), calendar=_calendar_from(args),
        policy=_policy_from(args), progress=_show_progress(args), **lists,
    )  # fmt: skip
    summary = result.summary()
    _sheet_read(summary["claim"]["input_format"], args.ledger)
    for warning in summary["claim"]["warnings"]:
        if warning["code"] == "hidden_sheet_read":  # which ledger was audited is in doubt
            print(_warning_line(warning["message"]), file=sys.stderr)
    _publish(args, summary, result.loans, "audit", _audit_text)
    if summary["differences"]:
        return EXIT_DIFFERENCES
    invalid = summary["ledger_invalid_rows"] or summary["classes"]["invalid"]
    return EXIT_INVALID_ROWS if invalid else EXIT_OK


def add(sub: Any) -> None:
    """Add ``audit`` to ``relend``'s subparsers ``sub``."""
    aud = sub.add_parser(
        "audit", help=cli_("recompute a submitted claim and list every difference"),
        epilog=_epilog(
            cli_("submission columns: loan_id (借据号, ...), and claimed in yuan (申报金额, "
                 "申请金额, 申请再贷款金额) or claimed_fen (申报金额_分); every row counts"),
            _columns_help(), _lenders_help(), _exit_codes(),
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    aud.add_argument("program", choices=list(registered()), help=_program_help())
    aud.add_argument("ledger", metavar=cli_("ledger"), help=_ledger_help())
    _add_sheet_option(aud)
    _add_encoding_option(aud)
    aud.add_argument(
        "--submitted", required=True, metavar=cli_("FILE"),
        help=cli_("CSV: loan_id (借据号) and claimed (申报金额, yuan) or claimed_fen; every "
                  "row counts, a loan on two rows is a duplicate_claim"),
    )  # fmt: skip
    _add_period_and_lender(aud)
    _add_list_options(aud)
    _add_policy_option(aud)
    aud.add_argument(
        "--tolerance-fen", default="0", metavar=cli_("TOLERANCE_FEN"),
        help=cli_("per-loan rounding difference still counted as a match, 0 to 100 fen "
                  "(default 0); never for a loan claimed on more than one row"),
    )  # fmt: skip
    aud.add_argument(
        "--out", metavar=cli_("DIR"), help=cli_("write summary.json, audit.csv, audit.xlsx")
    )
    _add_no_xlsx(aud)
    _add_quiet(aud)
    aud.add_argument("--json", action="store_true", help=_json_help())
    _add_calendar_options(aud)
    aud.set_defaults(handler=run)
