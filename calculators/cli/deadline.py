"""``relend deadline``: the application deadline of a quarter or a month."""

from __future__ import annotations

import argparse
from typing import Any

from calendars import deadline_for
from calendars._calendar import calendar_title

from .._i18n import cli_
from .options import (
    _add_calendar_options,
    _calendar_from,
    _calendar_status,
    _epilog,
    _exit_codes,
    _json_help,
    _override_help,
)
from .text import EXIT_OK, _emit


def run(args: argparse.Namespace) -> int:
    """Print the deadline of ``args.period``; return the exit status."""
    result = deadline_for(args.period, _calendar_from(args))
    payload = result.as_dict()
    if args.json:
        _emit(payload)
    else:
        print(
            cli_("{period}: apply by {deadline} (the 10th is {nominal}; {calendar}, "
                 "{status})").format(
                period=payload["quarter"], deadline=payload["deadline"],
                nominal=payload["nominal"], calendar=calendar_title(result.calendar),
                status=_calendar_status(result.calendar_status),
            )
        )  # fmt: skip
    return EXIT_OK


def add(sub: Any) -> None:
    """Add ``deadline`` to ``relend``'s subparsers ``sub``."""
    deadline = sub.add_parser(
        "deadline", help=cli_("application deadline for a quarter or month"),
        epilog=_epilog(_override_help(), _exit_codes()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    deadline.add_argument(
        "period", metavar=cli_("period"), help=cli_("e.g. 2022Q2, 2022-Q2 or 2023-01")
    )
    _add_calendar_options(deadline)
    deadline.add_argument("--json", action="store_true", help=_json_help())
    deadline.set_defaults(handler=run)
