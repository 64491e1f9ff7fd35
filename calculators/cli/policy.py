"""``relend policy``: the policy versions relend applies, every figure with its source."""

from __future__ import annotations

import argparse
from typing import Any

from .._i18n import cli_, language
from .._version import relend_version
from ..engine.labels import FIGURE_LABELS, label
from ..policy.shown import figure_text
from .options import _add_policy_option, _json_help, _policy_from
from .text import EXIT_OK, _emit, _joined, _UsageError


def run(args: argparse.Namespace) -> int:
    """Run ``relend policy list`` or ``show``; return the exit status."""
    table = _policy_from(args)
    if args.action == "list":
        if args.program:
            raise _UsageError(
                cli_("'relend policy list' takes no program; use 'relend policy show'")
            )
        every = [v for p in table.programs.values() for v in p.versions]
        if args.json:
            _emit({"policy_source": table.source(relend_version()),
                   "versions": [v.summary() for v in every]})  # fmt: skip
            return EXIT_OK
        for v in every:
            assumed = sum(f.assumption for f in v.figures.values())
            unknown = [n for n, f in v.figures.items() if f.unknown]
            flags = cli_("{count} assumed").format(count=assumed)
            if unknown:
                flags += cli_(", unknown: {names}").format(names=_joined(unknown))
            if v.reviewed is not None:
                flags += cli_(", reviewed {date}").format(date=v.reviewed.isoformat())
            origin = "" if v.origin == "package" else f"  [{v.origin[:19]}]"
            print(
                cli_("{program:<10} {version:<18} {window:<26} {title}  ({flags}){origin}").format(
                    program=v.program, version=v.version, window=v.window(), title=v.title_text(),
                    flags=flags, origin=origin,
                )
            )  # fmt: skip
        return EXIT_OK
    if not args.program:
        raise _UsageError(
            cli_("'relend policy show' needs a program, e.g. relend policy show tech")
        )
    program = table.program(args.program)
    versions = (table.version(args.program, args.version),) if args.version else program.versions
    if args.json:
        _emit({"policy_source": table.source(relend_version()),
               "versions": [v.summary() for v in versions]})  # fmt: skip
        return EXIT_OK
    for v in versions:
        print(
            cli_("{version}  {title}  ({name}, {window})").format(
                version=v.version, title=v.title_text(), name=program.name_zh, window=v.window()
            )
        )
        print(
            cli_("  notice: {issuer} {title} {date}")
            .format(
                issuer=v.notice.shown("issuer"), title=v.notice.shown("title"), date=v.notice.date
            )
            .rstrip()
        )
        for name, f in v.figures.items():
            shown = figure_text(name, f)
            if language() == "zh" and name in FIGURE_LABELS:
                shown = f"{label(FIGURE_LABELS, name, 'zh')}：{shown}"
            print(f"  {name:<19} {shown}")
            print(f"  {'':<19} " + cli_("source: {source}").format(source=f.source_text()))
            if f.why:
                # TRANSLATORS: a figure no notice states (unknown: refused; ASSUMPTION: relend's)
                flag = cli_("unknown") if f.unknown else cli_("ASSUMPTION")
                print(f"  {'':<19} " + cli_("{flag}: {why}").format(flag=flag, why=f.why_text()))
    return EXIT_OK


def add(sub: Any) -> None:
    """Add ``policy`` to ``relend``'s subparsers ``sub``."""
    pol = sub.add_parser(
        "policy", help=cli_("the policy versions relend applies, with their sources")
    )
    pol.add_argument(
        "action", choices=["list", "show"],
        help=cli_("list: every version; show: every figure of a program and its source"),
    )  # fmt: skip
    pol.add_argument(
        "program", nargs="?", help=cli_("with show: a program, e.g. tech or microloan")
    )
    pol.add_argument(
        "--version", metavar=cli_("VERSION"), help=cli_("with show: one version, e.g. tech-2024")
    )
    _add_policy_option(pol)
    pol.add_argument("--json", action="store_true", help=_json_help())
    pol.set_defaults(handler=run)
