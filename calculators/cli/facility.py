"""``relend facility``: a relending's maturity, extensions and interest."""

from __future__ import annotations

import argparse
import re
import unicodedata
from typing import Any

from .._i18n import cli_
from .._money import percent_text
from ..engine.program import registered
from ..policy.table import program_title
from .options import (
    _add_calendar_options,
    _add_policy_option,
    _as_typed,
    _calendar_from,
    _date_arg,
    _exit_codes,
    _json_help,
    _policy_from,
    _program_help,
    _yuan_arg,
)
from .text import EXIT_OK, _emit, _pad


def _count_arg(text: str) -> Any:
    """A whole number as typed (``2``, full-width digits too), else the text itself, for
    the library to refuse with its rule (which names the limit)."""
    digits = unicodedata.normalize("NFKC", text).strip()
    return int(digits) if re.fullmatch(r"[0-9]+", digits) else text


def run(args: argparse.Namespace) -> int:
    """Print the schedule of a relending; return the exit status."""
    from ..tools import facility

    typed = {
        "drawdown": ("--drawdown", args.drawdown),
        "extensions": ("--extensions", args.extensions),
        "day_count": ("--day-count", args.day_count),
    }
    with _as_typed(typed):
        result = facility.schedule(
            args.program,
            _yuan_arg(args.amount, "--amount", zero=False),
            _date_arg(args.drawdown, "--drawdown"),
            _count_arg(args.extensions),
            day_count=args.day_count,
            calendar=_calendar_from(args),
            policy=_policy_from(args),
        )
    summary = result.summary()
    if args.json:
        _emit(summary)
        return EXIT_OK
    # TRANSLATORS: after the day count, "ACT/360, assumed": no notice states it
    assumed = cli_(", assumed") if summary["day_count_assumption"] else ""
    print(
        cli_("{tool} relending {amount} yuan at {rate} ({day_count}{assumed}), drawn "
             "{drawdown}, {extensions} of {max_extensions} extensions (policy {policy})").format(
            tool=program_title(summary["tool"]), amount=summary["amount_yuan"],
            rate=percent_text(summary["rate"]),
            day_count=summary["day_count"], assumed=assumed, drawdown=summary["drawdown"],
            extensions=summary["extensions"],
            max_extensions=cli_("unknown") if summary["max_extensions"] is None
            else summary["max_extensions"],
            policy=summary["policy"],
        )
    )  # fmt: skip
    for period in summary["periods"]:
        print(
            cli_("  {period} {start} -> {end}  {days:>3} days  interest {interest:>16} "
                 "yuan").format(
                period=_pad(_facility_period(period["period"]), 12), start=period["start"],
                end=period["end"], days=period["days"], interest=period["interest_yuan"],
            )
        )  # fmt: skip
    print(
        cli_("  repay by {maturity}; total interest {interest} yuan").format(
            maturity=summary["maturity"], interest=summary["interest_yuan"]
        )
    )
    return EXIT_OK


def _facility_period(name: str) -> str:
    """``original`` or ``extension N`` (the JSON's words), in the user's language."""
    if name == "original":
        # TRANSLATORS: the relending's first term, before any extension
        return cli_("original")
    number = name.removeprefix("extension ")
    if number.isdigit():
        return cli_("extension {number}").format(number=number)
    return name


def add(sub: Any) -> None:
    """Add ``facility`` to ``relend``'s subparsers ``sub``."""
    fac = sub.add_parser(
        "facility", help=cli_("relending maturity, extensions and interest"),
        epilog=_exit_codes(),
    )  # fmt: skip
    fac.add_argument("program", choices=list(registered()), help=_program_help())
    fac.add_argument(
        "--amount",
        required=True,
        metavar=cli_("AMOUNT"),
        help=cli_("relending drawn, yuan, e.g. 600000.00"),
    )
    fac.add_argument(
        "--drawdown",
        required=True,
        metavar=cli_("DRAWDOWN"),
        help=cli_("drawdown date, YYYY-MM-DD"),
    )
    fac.add_argument(
        "--extensions",
        default="0",
        metavar=cli_("EXTENSIONS"),
        help=cli_("extensions taken (default 0)"),
    )
    fac.add_argument(
        "--day-count",
        metavar=cli_("DAY_COUNT"),
        help=cli_("ACT/360 (default, an assumption), ACT/365F, 30/360"),
    )
    fac.add_argument("--json", action="store_true", help=_json_help())
    _add_policy_option(fac)
    _add_calendar_options(fac)
    fac.set_defaults(handler=run)
