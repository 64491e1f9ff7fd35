"""``relend npl``: the NPL tolerance check of 银保监办发〔2022〕64号 (十七)."""

from __future__ import annotations

import argparse
from typing import Any

from .._i18n import cli_, cli_n, language
from .._money import fen_to_yuan
from ..engine.labels import REASON_LABELS, STATUS_LABELS
from .options import (
    _add_encoding_option,
    _add_no_xlsx,
    _add_quiet,
    _check_out,
    _json_help,
    _publish,
)
from .text import EXIT_INVALID_ROWS, EXIT_OK, _coded, _pad


def _npl_text(summary: dict[str, Any]) -> str:
    lines = []
    for unit in summary["units"]:
        ratio = unit["npl_ratio_pct"] or "-"
        tolerance = unit["tolerance_pct"] or "-"
        headroom = (
            "-" if unit["headroom_fen"] is None
            else cli_("{yuan} yuan").format(yuan=fen_to_yuan(unit["headroom_fen"]))
        )  # fmt: skip
        beyond = cli_("  (beyond the six named; --extra-industry)")
        lines.append(
            cli_("{unit} {industry} NPL {ratio:>10}% tolerance {tolerance:>8}%  "
                 "{status} headroom {headroom:>19} {reason}").format(
                unit=_pad(unit["unit"], 12), industry=_pad(_industry(unit["industry"]), 14),
                ratio=ratio,
                tolerance=tolerance, status=_pad(_coded(STATUS_LABELS, unit["status"]), 7),
                headroom=headroom,
                reason=_coded(REASON_LABELS, unit["reason"]),
            )
            + (beyond if unit["industry_basis"] == "user_named" else "")
        )  # fmt: skip
    lines.append(
        cli_("within {within}, breach {breach}, invalid {invalid}").format(
            within=summary["within"], breach=summary["breach"], invalid=summary["invalid"]
        )
    )
    for name, rows in summary["extra_industries"].items():
        lines.append(
            cli_n(
                "industry named by you beyond the six of article 十七: {name} ({count} row)",
                "industry named by you beyond the six of article 十七: {name} ({count} rows)",
                rows,
            ).format(name=name, count=rows)
        )
    if summary["within"]:
        terms = summary["relief_terms"]
        lines += [
            cli_("within the tolerance:"),
            cli_("  assessment (二十七): {terms}").format(
                terms=terms["assessment_relief"]["no_or_reduced_deduction"]
            ),
            cli_("  accountability (二十八): {terms}").format(
                terms=terms["due_diligence_exemption"]["may_be_considered"]
            ),
        ]
    return "\n".join(lines)


def _industry(code: str) -> str:
    """An industry of article 十七 by its Chinese name in Chinese (住宿), else as given."""
    from ..tools import npl

    if language() == "zh":
        return npl.INDUSTRIES.get(code, code)
    return code


def run(args: argparse.Namespace) -> int:
    """Run the check on ``args.file`` and report it; return the exit status."""
    from ..tools import npl

    _check_out(args)
    frame, digest = npl.read_npl_file(args.file, encoding=args.encoding)
    result = npl.check(frame, digest, extra_industries=args.extra_industry or ())
    summary = result.summary()
    _publish(args, summary, result.rows, "npl", _npl_text)
    return EXIT_INVALID_ROWS if summary["invalid"] else EXIT_OK


def add(sub: Any) -> None:
    """Add ``npl`` to ``relend``'s subparsers ``sub``."""
    npl = sub.add_parser(
        "npl", help=cli_("NPL tolerance check for the industries of 银保监办发〔2022〕64号 (十七)")
    )
    npl.add_argument(
        "file", metavar=cli_("file"),
        help=cli_("CSV: unit, industry, loan_balance, npl_balance, baseline_tolerance_pct, "
                  "uplift_pct"),
    )  # fmt: skip
    _add_encoding_option(npl, ledger=False)
    npl.add_argument(
        "--extra-industry",
        action="append",
        metavar=cli_("NAME"),
        help=cli_(
            "an industry beyond the six article 十七 names (住宿, 餐饮, 零售, 文化, 旅游, "
            "交通运输 等) that may take an uplift, as the industry column writes it; repeatable"
        ),
    )
    npl.add_argument(
        "--out", metavar=cli_("DIR"), help=cli_("write summary.json, npl.csv, npl.xlsx")
    )
    _add_no_xlsx(npl)
    _add_quiet(npl)
    npl.add_argument("--json", action="store_true", help=_json_help())
    npl.set_defaults(handler=run)
