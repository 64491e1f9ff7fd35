"""``relend incentive``: the inclusive small/micro loan incentive and its swap."""

from __future__ import annotations

import argparse
from typing import Any

from .._i18n import cli_
from .._money import fen_to_yuan, percent_text
from .._version import relend_version
from .options import (
    _add_calendar_options,
    _add_policy_option,
    _as_typed,
    _calendar_from,
    _date_arg,
    _exit_codes,
    _json_help,
    _policy_file_lines,
    _policy_from,
    _yuan_arg,
)
from .text import EXIT_OK, _emit, _UsageError


def _incentives(args: argparse.Namespace, options: dict[str, Any]) -> list[Any]:
    """The incentive of ``--quarter`` with its balances, or of each quarter of BALANCES."""
    from ..tools import incentive

    single = (args.quarter, args.previous_balance, args.current_balance)
    if args.balances:
        if any(single):
            raise _UsageError(cli_("give either BALANCES.csv or --quarter with both balances"))
        return incentive.incentive_series(args.balances, **options)
    if all(single):
        return [
            incentive.incentive(
                args.quarter,
                _yuan_arg(args.previous_balance, "--previous-balance", zero=True),
                _yuan_arg(args.current_balance, "--current-balance", zero=True),
                **options,
            )
        ]
    raise _UsageError(
        cli_("give BALANCES.csv, or --quarter, --previous-balance, --current-balance")
    )


def run(args: argparse.Namespace) -> int:
    """Print the incentive of a quarter or of each quarter of a file; return the exit status."""
    options: dict[str, Any] = {
        "day_count": args.day_count,
        "calendar": _calendar_from(args),
        "institution": args.institution,
        "policy": _policy_from(args),
    }
    if args.trade_date:
        options["trade_date"] = _date_arg(args.trade_date, "--trade-date")
    typed = {
        "trade_date": ("--trade-date", args.trade_date),
        "quarter": ("--quarter", None if args.balances else args.quarter),
        "day_count": ("--day-count", args.day_count),
        "institution": ("--institution", args.institution),
    }
    with _as_typed(typed):
        results = _incentives(args, options)
    summaries = [r.summary() for r in results]
    if args.json:
        _emit(summaries[0] if not args.balances else {"quarters": summaries})
        return EXIT_OK
    for item in summaries:
        swap = item["swap"]
        line = cli_(
            "{quarter}: increase {increase} yuan, incentive {incentive} yuan ({ratio} × increase)"
        ).format(
            quarter=item["quarter"], increase=fen_to_yuan(item["increment_fen"]),
            incentive=item["incentive_yuan"], ratio=percent_text(item["ratio"]),
        )  # fmt: skip
        if swap:
            line += cli_(
                "; swap {start} -> {end}, PBoC pays {fixed} yuan fixed, receives {floating} "
                "yuan floating, net {net} yuan on {date}"
            ).format(
                start=swap["start"], end=swap["end"], fixed=fen_to_yuan(swap["fixed_leg_fen"]),
                floating=fen_to_yuan(swap["floating_leg_fen"]),
                net=fen_to_yuan(swap["net_fen"]), date=swap["payment_date"],
            )  # fmt: skip
        else:
            line += cli_("; no increase, no swap")
        if item["policy_origin"] != "package":
            line += cli_(" [ratio from a policy file, version {version}]").format(
                version=item["policy_version"]
            )
        print(line)
    table = options["policy"]
    for text in _policy_file_lines(table.source(relend_version()), []):
        print(text)
    return EXIT_OK


def add(sub: Any) -> None:
    """Add ``incentive`` to ``relend``'s subparsers ``sub``."""
    inc = sub.add_parser(
        "incentive", help=cli_("inclusive small/micro loan incentive and swap"),
        epilog=_exit_codes(),
    )  # fmt: skip
    inc.add_argument(
        "balances",
        nargs="?",
        metavar=cli_("balances"),
        help=cli_("CSV of quarter,balance (one row per quarter)"),
    )
    inc.add_argument("--quarter", metavar=cli_("QUARTER"), help=cli_("e.g. 2022Q2"))
    inc.add_argument(
        "--previous-balance", metavar=cli_("YUAN"), help=cli_("previous quarter-end balance")
    )
    inc.add_argument(
        "--current-balance", metavar=cli_("YUAN"), help=cli_("this quarter-end balance")
    )
    inc.add_argument(
        "--trade-date",
        metavar=cli_("TRADE_DATE"),
        help=cli_("swap start, YYYY-MM-DD (default: the deadline)"),
    )
    inc.add_argument(
        "--day-count",
        default="30/360",
        metavar=cli_("DAY_COUNT"),
        help=cli_("swap day count (default 30/360)"),
    )
    inc.add_argument(
        "--institution",
        metavar=cli_("INSTITUTION"),
        default="local_legal_person",
        help=cli_("institution type; only local legal-person institutions (地方法人) are eligible"),
    )
    inc.add_argument("--json", action="store_true", help=_json_help())
    _add_policy_option(inc)
    _add_calendar_options(inc)
    inc.set_defaults(handler=run)
