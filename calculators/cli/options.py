"""Options several subcommands share and their help: the calendar, the reference lists,
the ledger with its sheet and encoding, the period and the lender, a policy file,
``--quiet``, ``--no-xlsx``, ``--lang``, the epilogs (programs, columns, lenders, exit
statuses); amounts and dates as typed; and :func:`_publish`, which writes ``--out`` and
prints the result."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from calendars import BusinessCalendar, get_calendar

from .._errors import MoneyError, RelendInputError
from .._i18n import LANGUAGES, cli_, language
from .._money import MAX_FEN, fen_to_yuan, yuan_to_fen
from ..engine.labels import REASON_LABELS
from ..engine.labels import list_help as _list_help
from ..engine.program import get_program, registered
from ..policy.lenders import LENDERS
from ..policy.table import PolicyTable, policy_table, program_title
from ..readers.columns import COLUMN_ALIASES, LEDGER_COLUMNS
from .text import _coded_words, _emit, _joined, _UsageError

if TYPE_CHECKING:
    from ..readers.ledger import LedgerFile


def _calendar_from(args: argparse.Namespace) -> BusinessCalendar:
    return get_calendar(
        getattr(args, "calendar", "prc"),
        overrides=getattr(args, "override", None) or (),
        strict=getattr(args, "strict_calendar", False),
    )


def _add_calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calendar", default="prc", metavar=cli_("CALENDAR"), help=cli_("prc (default) or sse")
    )
    parser.add_argument(
        "--override", metavar=cli_("FILE"), help=cli_("JSON file pinning a year's holidays")
    )
    parser.add_argument(
        "--strict-calendar",
        action="store_true",
        help=cli_("fail instead of warning when a year's schedule is provisional"),
    )


def _calendar_status(status: str) -> str:
    """A calendar year's status (``published``), in words in Chinese."""
    words = {
        # TRANSLATORS: a year's holidays as the State Council published them
        "published": cli_("published"),
        # TRANSLATORS: a year's holidays from the user's override file
        "override": cli_("override"),
        # TRANSLATORS: a year's holidays estimated, not yet published
        "provisional": cli_("provisional"),
    }
    return words.get(status, status)


def _override_help() -> str:
    return cli_(
        "calendar override file (--override FILE): JSON, one object or a list, each with "
        '"year", "source" (the notice), "holidays" and "working_days" (ISO dates from 24 '
        "December of the year before to 23 December), e.g. {example}"
    ).format(
        example='{"year": 2027, "source": "国办发明电〔2026〕N号", "holidays": ["2027-01-01"], '
        '"working_days": ["2027-02-07"]}'
    )


def _program_lists(args: argparse.Namespace, command: str) -> dict[str, str]:
    """The reference lists given for ``args.program``; a list option of another program
    is refused, and a required list must be given."""
    program = get_program(args.program)
    # TRANSLATORS: what the command computes, in "tech claims need ..."
    commands = cli_("claims") if command == "claim" else cli_("audits")
    mine = {spec.name for spec in program.lists}
    given: dict[str, str] = {}
    for other in registered().values():
        for spec in other.lists:
            value = getattr(args, spec.name, None)
            if value and spec.name not in mine:
                users = _joined(program_title(p.id) for p in registered().values()
                                if spec.name in {x.name for x in p.lists})  # fmt: skip
                raise _UsageError(
                    cli_("{option} applies to {programs} {commands} only").format(
                        option=spec.option, programs=users, commands=commands
                    )
                )
            if value:
                given[spec.name] = value
    for spec in program.lists:
        if spec.required and spec.name not in given:
            raise _UsageError(
                cli_("{program} {commands} need {option} FILE: {help}").format(
                    program=program_title(program.id), commands=commands, option=spec.option,
                    help=_list_help(spec.name, spec.help),
                )
            )  # fmt: skip
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
        parser.add_argument(
            option,
            metavar=cli_("FILE"),
            help=_joined(users)
            + ("：" if language() == "zh" else ": ")
            + _list_help(name, helps[name]),
        )


def _ledger_from(args: argparse.Namespace) -> str | LedgerFile:
    """The ledger path, or the file read from the sheet ``--sheet`` names or in the
    encoding ``--encoding`` names."""
    from ..readers.ledger import read_ledger

    if args.sheet is None and args.encoding is None:
        return str(args.ledger)
    return read_ledger(
        args.ledger, args.sheet, encoding=args.encoding, progress=_show_progress(args)
    )


def _add_sheet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sheet", metavar=cli_("NAME|N"),
        help=cli_("for an Excel ledger: the sheet by name or position from 1, hidden sheets "
                  "counted (default: the first visible sheet)"),
    )  # fmt: skip


def _add_encoding_option(parser: argparse.ArgumentParser, ledger: bool = True) -> None:
    """``--encoding NAME``: the ledger's (``ledger``), else the command's one file's."""
    if ledger:
        words = cli_(
            "the ledger's text encoding when it is a CSV in neither UTF-8, UTF-16 "
            "nor GB18030 (found without it), e.g. big5, shift_jis; reference lists "
            "and other files are read in UTF-8, UTF-16 or GB18030 as found"
        )
    else:
        words = cli_(
            "the file's text encoding when it is a CSV in neither UTF-8, UTF-16 nor "
            "GB18030 (found without it), e.g. big5, shift_jis"
        )
    parser.add_argument("--encoding", metavar=cli_("NAME"), help=words)  # fmt: skip


def _add_period_and_lender(parser: argparse.ArgumentParser) -> None:
    """The period claimed and the lender, as claim and audit both take them."""
    parser.add_argument(
        "--quarter", "--period", dest="quarter", required=True, metavar=cli_("QUARTER"),
        help=_period_help(),
    )  # fmt: skip
    parser.add_argument("--lender", required=True, metavar=cli_("LENDER"), help=_lender_help())


def _policy_from(args: argparse.Namespace) -> PolicyTable:
    return policy_table(getattr(args, "policy", None))


def _add_policy_option(parser: Any) -> None:
    parser.add_argument(
        "--policy",
        metavar=cli_("FILE"),
        action="append",
        help=cli_("a policy file (TOML) adding or superseding versions for this run"),
    )


def _policy_file_lines(source: dict[str, Any], versions: list[dict[str, Any]]) -> list[str]:
    """Say which user policy files a run applied, and which versions came from them."""
    files = source.get("files", [])
    if not files:
        return []
    lines = [
        cli_("  policy file applied: {path} (sha256 {sha256})").format(
            path=f["path"], sha256=f["sha256"]
        )
        for f in files
    ]
    mine = [v["version"] for v in versions if v.get("origin", "package") != "package"]
    if mine:
        lines.append(
            cli_("  versions from a policy file, not from relend: {versions}").format(
                versions=_joined(mine)
            )
        )
    return lines


def _date_arg(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _UsageError(
            cli_("{option} {value} is not a date: use YYYY-MM-DD").format(
                option=option, value=repr(text)
            )
        ) from None


@contextlib.contextmanager
def _as_typed(typed: Mapping[str, tuple[str, str | None]]) -> Iterator[None]:
    """A library refusal of a parameter the command line passed (converted, a date or a
    number say) shown as its option and the text the user typed: ``typed`` maps the
    library's parameter names to the option and that text (None: not given)."""
    try:
        yield
    except RelendInputError as exc:
        option, text = typed.get(exc.parameter, ("", None))
        if text is None:
            raise
        raise type(exc)(option, text, exc.accepted) from None


def _yuan_arg(text: str, option: str, *, zero: bool) -> int:
    """An amount of yuan as typed, in fen; a refusal echoes ``text`` as typed (``-1``,
    not the fen it makes). ``zero``: 0 is accepted (a balance), else not (a loan)."""
    fen = yuan_to_fen(text, option)
    if not (0 if zero else 1) <= fen <= MAX_FEN:
        accepted = (
            cli_("a balance of 0 yuan or more, at most {most} yuan, with at most 2 decimals")
            if zero
            else cli_("an amount above 0 yuan, at most {most} yuan, with at most 2 decimals")
        )
        raise MoneyError(option, text, accepted.format(most=fen_to_yuan(MAX_FEN)))
    return fen


def write_outputs(*args: Any, **kwargs: Any) -> Any:
    """:func:`calculators.reports.folder.write_outputs`, imported when a run writes ``--out``
    (the report writers load pandas, pyarrow and XlsxWriter)."""
    from ..reports.folder import write_outputs as write

    return write(*args, **kwargs)


# the loan rows a workbook sheet holds, as calculators.reports.folder writes them (kept here so
# that the command line does not load the writers to announce a split; a test checks
# the two agree)
EXCEL_MAX_ROWS = 1_048_576 - 3


_ROWS_SHEETS = {"claim": "loans 贷款", "npl": "npl 不良", "audit": "audit 核对"}
"""The first sheet of a run's workbook, the one that holds its rows (the files' names
are the output formats', :mod:`calculators.reports.formats`)."""


def _publish(
    args: argparse.Namespace,
    summary: dict[str, Any],
    rows: Any,
    kind: str,
    as_text: Callable[[dict[str, Any]], str],
) -> None:
    """Write ``--out`` files, then print JSON or text, then where the files went.

    With ``--out`` the summary printed is the one written, with the ``files`` of the
    run and their SHA-256; an earlier relend run's outputs that this run did not write
    (listed in the folder's ``summary.json`` with their digests) are removed, with a note
    on stderr, and any other file under an output name stops the run before anything is
    written (see :func:`calculators.reports.folder.write_outputs`).
    """
    paths: tuple[Any, ...] = ()
    if getattr(args, "out", None) is not None:
        from ..reports.formats import file_name

        csv_name, xlsx_name = file_name("csv", kind), file_name("xlsx", kind)
        sheet = _ROWS_SHEETS[kind]
        workbook = not getattr(args, "no_xlsx", False)
        if workbook and len(rows) > EXCEL_MAX_ROWS:
            sheets = -(-len(rows) // EXCEL_MAX_ROWS)
            print(
                cli_("relend: note: {rows} rows: {workbook} spreads them over {sheets} sheets "
                     "(about 40 s per million rows); --no-xlsx writes {csv} only").format(
                    rows=f"{len(rows):,}", workbook=xlsx_name, sheets=sheets, csv=csv_name
                ),
                file=sys.stderr,
            )  # fmt: skip
        written = write_outputs(
            summary, rows, args.out, csv_name=csv_name, xlsx_name=xlsx_name, rows_sheet=sheet,
            workbook=workbook, progress=_show_progress(args), inputs=_input_paths(args),
        )  # fmt: skip
        summary, paths = dict(written.summary), written.paths
        if written.removed:
            print(
                cli_("relend: note: removed {files} from {folder}: an earlier run's outputs "
                     "that this run did not write").format(
                    files=_joined(written.removed), folder=args.out
                ),
                file=sys.stderr,
            )  # fmt: skip
    if args.json:
        _emit(summary)
    else:
        print(as_text(summary))
    if paths:
        wrote = cli_("wrote {files}").format(files=_joined(str(p) for p in paths))
        print(wrote, file=sys.stderr if args.json else sys.stdout)


def _sheet_read(found: Mapping[str, Any], path: object) -> None:
    """Say on stderr which sheet of a workbook of several sheets was read, and which
    hidden sheets were not."""
    sheets = found.get("sheets", ())
    if found.get("kind") != "workbook" or len(sheets) < 2:
        return
    line = cli_("relend: note: {path}: read sheet {sheet}, sheet {position} of {count}").format(
        path=path, sheet=repr(found["sheet"]), position=sheets.index(found["sheet"]) + 1,
        count=len(sheets),
    )  # fmt: skip
    skipped = [name for name in found.get("hidden_sheets", ()) if name != found["sheet"]]
    if skipped:
        line += cli_("; hidden, not read: {sheets}").format(sheets=", ".join(skipped))
    print(line, file=sys.stderr)


def _input_paths(args: argparse.Namespace) -> list[str]:
    """Every file the command reads: ledger, submission, NPL file, reference lists,
    policy and calendar override files."""
    found = [getattr(args, name, None) for name in ("ledger", "submitted", "file", "override")]
    found += getattr(args, "policy", None) or []
    found += [getattr(args, spec.name, None) for p in registered().values() for spec in p.lists]
    return [str(path) for path in found if path]


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` the run may not write into, before anything is computed or
    written: empty, or holding files under relend's output names that an earlier run
    did not write, or an input of the run (see :func:`check_out_dir`)."""
    from ..reports.folder import check_out_dir

    out = getattr(args, "out", None)
    if out is None:
        return
    if not out:
        raise _UsageError(
            cli_("--out '' names no folder; give one, e.g. --out report/ (created if needed)")
        )
    check_out_dir(out, _input_paths(args), digests=False)


def _add_quiet(parser: Any) -> None:
    parser.add_argument(
        "--quiet",
        action="store_true",
        help=cli_(
            "no progress bar on stderr (shown only on a terminal, for steps over 2 s: "
            "reading, classifying, writing)"
        ),
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
        help=cli_("with --out, skip the workbook (for millions of rows: the CSV has every row)"),
    )


def _exit_codes() -> str:
    return cli_(
        "exit status: 0 done; 3 done, but some rows were invalid (outputs still written); "
        "4 (audit) differences found; 2 nothing computed because of the input (one line on "
        "stderr says what and what would be accepted); 1 internal error; 130 Ctrl-C, 143 "
        "SIGTERM (no partial output left); 141 output closed early (e.g. piped into head)"
    )


def _columns_help() -> str:
    colon = "：" if language() == "zh" else ": "
    rows = [f"  {name}{colon}{_joined(aliases)}" for name, aliases in COLUMN_ALIASES.items()
            if name in LEDGER_COLUMNS]  # fmt: skip
    return cli_("ledger columns (canonical name: Chinese headers also accepted):") + (
        "\n" + "\n".join(rows)
    )


def _lenders_help() -> str:
    colon, opening, closing = ("：", "（", "）") if language() == "zh" else (": ", " (", ")")
    rows = [f"  {x.code}{colon}{x.name}"
            + (f"{opening}{_joined(x.aliases)}{closing}" if x.aliases else "")
            for x in LENDERS]  # fmt: skip
    return cli_("lenders (code, Chinese name or short name):") + "\n" + "\n".join(rows)


def _programs_help() -> str:
    rows = []
    for program in registered().values():
        # TRANSLATORS: a program's own reason codes, when it adds none
        own = _joined(_coded_words(REASON_LABELS, r) for r in program.reasons) or cli_("none")
        both = f"{program.name_zh} ({program.name_en})"
        name = program.name_zh if language() == "zh" else both
        rows.append(
            cli_("  {program}: {name}; own rules: {rules}").format(
                program=program.id, name=name, rules=own
            )
        )
    return cli_("programs (relend policy show PROGRAM for every figure and its source):") + (
        "\n" + "\n".join(rows)
    )


def _epilog(*parts: str) -> str:
    return "\n\n".join(parts)


def _json_help() -> str:
    return cli_("print one JSON object")


def _program_help() -> str:
    return cli_("the relending program (see programs below)")


def _ledger_help() -> str:
    return cli_(
        "ledger CSV (UTF-8, GB18030 or UTF-16; comma, tab or semicolon; - reads standard "
        "input) or Excel workbook (.xlsx, .xls)"
    )


def _period_help() -> str:
    return cli_("the claim period: a quarter (2022Q2) or, for monthly programs, a month (2022-10)")


def _lender_help() -> str:
    return cli_("code or Chinese name, e.g. ICBC, 工商银行")


def _add_lang_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=default,
        help=cli_("language of the messages: zh (中文) or en (English); default: the "
                  "locale (LC_ALL, LC_MESSAGES, LANG: zh_* gives Chinese), else English"),
    )  # fmt: skip
