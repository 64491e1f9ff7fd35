"""The ``relend`` command line: a thin layer over the calculators.

Every subcommand is ``main(argv)``-testable and returns its exit status:

0 done; 3 done, but some input rows were invalid (outputs still written);
4 (audit) differences found; 2 nothing computed because of the user's input (an ``--out``
that cannot be written included), with one line on stderr; 1 an internal error;
130 interrupted (Ctrl-C) and 143 terminated (SIGTERM), with no partial file left under
``--out``; 141 stdout closed before everything was printed (``relend ... | head``, or
``>&-``: every command has something to print). stdout or stderr that cannot be written
(a full disk) ends the run with 2, never a traceback (see :class:`_Stream`).

Every sentence it prints is marked ``cli_()`` and looked up in the ``cli`` gettext
catalog (``calculators/locale/zh/LC_MESSAGES/cli.po``), argparse's own words included:
Simplified Chinese with ``--lang zh`` or a ``zh_*`` locale, else English. Codes, JSON
keys and file names are the same in both languages.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import io
import json
import os
import re
import signal
import sys
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from calendars import (
    CALENDAR_NAMES,
    BusinessCalendar,
    CalendarError,
    ProvisionalCalendarWarning,
    deadline_for,
    get_calendar,
)
from calendars._calendar import calendar_title

from .._errors import MoneyError, ParameterError, RelendInputError
from .._i18n import (
    LANGUAGES,
    _,
    cli_,
    cli_n,
    language,
    language_from_environment,
    os_reason,
    set_language,
)
from .._money import MAX_FEN, fen_to_yuan, percent_text, yuan_to_fen
from .._version import relend_version
from ..book._commands import add_book_parser
from ..engine.labels import (
    AUDIT_CLASS_LABELS,
    FIGURE_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    Label,
    label,
)
from ..engine.labels import list_help as _list_help
from ..engine.program import get_program, registered
from ..policy.lenders import LENDERS
from ..policy.table import PolicyTable, policy_table, program_title
from ..programs import tech as tech_relending
from ..programs.transport import TRANSPORT_CATEGORIES, category_note
from ..readers.columns import COLUMN_ALIASES, LEDGER_COLUMNS
from ..web._commands import add_serve_parser

if TYPE_CHECKING:
    from ..engine.result import ClaimResult
    from ..readers.ledger import LedgerFile

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INVALID_ROWS, EXIT_DIFFERENCES = 0, 1, 2, 3, 4
# As a shell reports a command killed by the signal: 128 + SIGINT, SIGPIPE, SIGTERM.
EXIT_INTERRUPTED, EXIT_CLOSED_STDOUT, EXIT_TERMINATED = 130, 141, 143


class _UsageError(Exception):
    """Bad command-line words, reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raw = kwargs.get("formatter_class") is argparse.RawDescriptionHelpFormatter
        kwargs["formatter_class"] = _RawDescriptionFormatter if raw else _Formatter
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise _UsageError(cli_("{message} (see '{prog} --help')").format(
            message=message, prog=self.prog))  # fmt: skip


# argparse's own words, marked here so that extraction puts them in the cli catalog;
# while relend parses its command line argparse looks them up there
# (see _argparse_in_language).
_ARGPARSE_MESSAGES = (
    # TRANSLATORS: argparse's words, from here to the end of the list; keep every %s,
    # %r and %(name)s as it is
    cli_("usage: "),
    cli_("options"),
    cli_("positional arguments"),
    cli_("show this help message and exit"),
    cli_("show program's version number and exit"),
    cli_("the following arguments are required: %s"),
    cli_("invalid choice: %(value)r (choose from %(choices)s)"),
    # Python 3.14 and later, with suggestions on
    cli_("invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)"),
    cli_("invalid %(type)s value: %(value)r"),
    cli_("argument %(argument_name)s: %(message)s"),
    cli_("expected one argument"),
    cli_("expected at most one argument"),
    cli_("expected at least one argument"),
    cli_n("expected %s argument", "expected %s arguments", 2),
    cli_("unrecognized arguments: %s"),
    cli_("ambiguous option: %(option)s could match %(matches)s"),
    cli_("not allowed with argument %s"),
    cli_("one of the arguments %s is required"),
    cli_("ignored explicit argument %r"),
    cli_("unexpected option string: %s"),
    cli_("can't open '%(filename)s': %(error)s"),
    cli_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    cli_("%(prog)s: error: %(message)s\n"),
)


@contextlib.contextmanager
def _argparse_in_language() -> Iterator[None]:
    """Let argparse's own words ("usage:", "the following arguments are required") come
    from relend's ``cli`` catalog while the block runs, then give argparse back its own.

    argparse looks its words up through the ``_`` and ``ngettext`` it imported from
    :mod:`gettext`, when it builds a parser and when it parses or formats help.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = cli_, cli_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _coded(table: Mapping[str, Label], code: str) -> str:
    """The code, and in Chinese its label beside it: ``overclaimed 多报``."""
    if language() == "zh" and code in table:
        return f"{code} {label(table, code, 'zh')}"
    return code


def _coded_words(table: Mapping[str, Label], code: str) -> str:
    """The code, and in Chinese its label in parentheses: ``non_cny（非人民币贷款）``."""
    if language() == "zh" and code in table:
        return f"{code}（{label(table, code, 'zh')}）"
    return code


def _figure_names(names: Sequence[str]) -> str:
    """Policy figures by their keys (as ``relend policy show`` lists them), in Chinese
    with their Chinese names before them (``日计数惯例 day_count``)."""
    if language() != "zh":
        return ", ".join(names)
    return "、".join(f"{label(FIGURE_LABELS, n, 'zh')} {n}" if n in FIGURE_LABELS else n
                    for n in names)  # fmt: skip


def _joined(items: Iterable[str]) -> str:
    """Items of a list in a sentence: 、 between them in Chinese, a comma in English."""
    return ("、" if language() == "zh" else ", ").join(items)


def _column(key: str) -> str:
    """A ledger column by its Chinese header beside the key in Chinese (币种 currency)."""
    aliases = COLUMN_ALIASES.get(key)
    return f"{aliases[0]} {key}" if language() == "zh" and aliases else key


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: object, width: int) -> str:
    """``text`` and spaces to fill ``width`` columns on screen (a Chinese character
    takes two), for columns that line up in either language."""
    shown = str(text)
    return shown + " " * max(0, width - _display_width(shown))


_CJK_HEADING = re.compile(r"^(\S[^\n]*[\u4e00-\u9fff]):$", re.MULTILINE)
_TOKENS = re.compile(r"\s+|[\x21-\x7e]+|.", re.DOTALL)
# punctuation a Chinese line should not start with (it stays with what it follows)
_NO_LINE_START = frozenset("，。、；：）」』》〉！？％%,.;:)]")


def _wrap_chinese(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a Chinese character takes two),
    broken between Chinese characters or at spaces, never inside an English word, a
    code or a number, nor before closing punctuation."""
    words: list[str] = []
    for token in _TOKENS.findall(" ".join(text.split())):
        if words and token in _NO_LINE_START:
            words[-1] += token
        else:
            words.append(token)
    lines: list[str] = []
    line = ""
    for word in words:
        if word.isspace():
            if line:
                line += " "
            continue
        if line and _display_width(line.rstrip() + word) > width:
            lines.append(line.rstrip())
            line = ""
        line += word
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, with Chinese wrapped by its width on screen."""

    def format_help(self) -> str:
        """argparse ends a section's heading with an ASCII colon of its own (``选项:``);
        in Chinese the heading ends in ：."""
        text = super().format_help()
        if language() != "zh":
            return text
        return _CJK_HEADING.sub("\\1：", text)

    def _split_lines(self, text: str, width: int) -> list[str]:
        if language() != "zh":
            return super()._split_lines(text, width)
        return _wrap_chinese(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if language() != "zh":
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in _wrap_chinese(text, width - len(indent)))

    def _format_action(self, action: argparse.Action) -> str:
        """argparse pads an option (``--out 目录``) to the help column by its length in
        characters; take back the columns its Chinese characters take beyond one each."""
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        extra = _display_width(invocation) - len(invocation)
        head = " " * self._current_indent + invocation
        if not extra or not text.startswith(head) or text[len(head) :].startswith("\n"):
            return text
        rest = text[len(head) :]
        spaces = len(rest) - len(rest.lstrip(" "))
        if spaces - extra >= 2:
            return head + rest[extra:]
        column = min(self._action_max_length + 2, self._max_help_position)
        return head + "\n" + " " * column + rest.lstrip(" ")


class _RawDescriptionFormatter(_Formatter):
    """Descriptions and epilogs as written (the tables of columns and lenders)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


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


# -- deadline ---------------------------------------------------------------------------


def _cmd_deadline(args: argparse.Namespace) -> int:
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


# -- claim ------------------------------------------------------------------------------


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
    first = summary.get("first_loans")
    if first:
        lines.append(
            cli_("    of which first loans (首贷) from {start} to {end}: {loans} loans, "
                 "principal {principal} yuan, entitlement {yuan} yuan").format(
                start=first["from"], end=first["to"], loans=first["loans"],
                principal=first["principal_yuan"], yuan=first["entitlement_yuan"],
            )
        )  # fmt: skip
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
    lines += _unrecognized_lines(summary.get("unrecognized", {}))
    return "\n".join(lines)


def _unrecognized_lines(unrecognized: dict[str, dict[str, int]]) -> list[str]:
    """One line per distinct value a claim excluded rows for without recognizing it."""
    if not unrecognized:
        return []
    lines = [cli_("  unrecognized values (rows excluded; check the spelling):")]
    for column, counts in unrecognized.items():
        for value, rows in counts.items():
            note = category_note(value) if column == "borrower_category" else None
            line = cli_n(
                "    {column} {value}: {count} row", "    {column} {value}: {count} rows", rows
            ).format(column=_column(column), value=repr(value), count=rows)
            lines.append(cli_("{line}: {note}").format(line=line, note=note) if note else line)
    return lines


def _label_after(table: Mapping[str, Label], code: str) -> str:
    """In Chinese, two spaces and the code's label, to print after an aligned row."""
    if language() == "zh" and code in table:
        return f"  {label(table, code, 'zh')}"
    return ""


def write_outputs(*args: Any, **kwargs: Any) -> Any:
    """:func:`calculators.reports.folder.write_outputs`, imported when a run writes ``--out``
    (the report writers load pandas, pyarrow and XlsxWriter)."""
    from ..reports.folder import write_outputs as write

    return write(*args, **kwargs)


# the loan rows a workbook sheet holds, as calculators.reports.folder writes them (kept here so
# that the command line does not load the writers to announce a split; a test checks
# the two agree)
EXCEL_MAX_ROWS = 1_048_576 - 3

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
    run and their SHA-256; an earlier relend run's outputs that this run did not write
    (listed in the folder's ``summary.json`` with their digests) are removed, with a note
    on stderr, and any other file under an output name stops the run before anything is
    written (see :func:`calculators.reports.folder.write_outputs`).
    """
    paths: tuple[Any, ...] = ()
    if getattr(args, "out", None) is not None:
        csv_name, xlsx_name, sheet = _OUTPUT_NAMES[kind]
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


def _report_claim(result: ClaimResult, args: argparse.Namespace) -> int:
    summary = result.summary()
    _sheet_read(summary["input_format"], getattr(args, "ledger", ""))
    for warning in summary["warnings"]:
        print(_warning_line(warning["message"]), file=sys.stderr)
    _publish(args, summary, result.loans, "claim", _claim_text)
    return EXIT_INVALID_ROWS if summary["loans_invalid"] else EXIT_OK


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


def _add_period_and_lender(parser: argparse.ArgumentParser) -> None:
    """The period claimed and the lender, as claim and audit both take them."""
    parser.add_argument(
        "--quarter", "--period", dest="quarter", required=True, metavar=cli_("QUARTER"),
        help=_period_help(),
    )  # fmt: skip
    parser.add_argument("--lender", required=True, metavar=cli_("LENDER"), help=_lender_help())


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


def _cmd_claim(args: argparse.Namespace) -> int:
    from ..engine.claim import claim as claim_program

    lists = _program_lists(args, "claim")
    _check_out(args)
    result = claim_program(
        args.program, _ledger_from(args), args.quarter, args.lender,
        calendar=_calendar_from(args), policy=_policy_from(args),
        progress=_show_progress(args), book=args.book, **lists,
    )  # fmt: skip
    return _report_claim(result, args)


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


# -- demo -------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    _check_out(args)
    data = resources.files("calculators.data")
    with (
        resources.as_file(data / "demo_tech_ledger.csv") as ledger,
        resources.as_file(data / "demo_tech_eligible.csv") as eligible,
    ):
        result = tech_relending.claim(ledger, "2022Q2", "ICBC", eligible)
    print(cli_("relend demo: tech-innovation relending claim on the bundled example ledger"))
    print(
        cli_("  ledger: {name} (made-up firms; a few rows are wrong on purpose)").format(
            name=ledger.name
        )
        + "\n"
    )
    args.json = False
    _report_claim(result, args)
    print(
        "\n"
        + cli_(
            "next: relend claim tech YOUR_LEDGER.csv --quarter 2022Q2 --lender ICBC "
            "--eligible-borrowers LIST.csv --out DIR"
        )
    )
    return EXIT_OK


# -- facility and incentive -------------------------------------------------------------


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


def _count_arg(text: str) -> Any:
    """A whole number as typed (``2``, full-width digits too), else the text itself, for
    the library to refuse with its rule (which names the limit)."""
    digits = unicodedata.normalize("NFKC", text).strip()
    return int(digits) if re.fullmatch(r"[0-9]+", digits) else text


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


def _cmd_facility(args: argparse.Namespace) -> int:
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


def _incentives(args: argparse.Namespace, options: dict[str, Any]) -> list[Any]:
    """The incentive of ``--quarter`` with its balances, or of each quarter of BALANCES."""
    from ..tools import incentive as microloan_incentive

    single = (args.quarter, args.previous_balance, args.current_balance)
    if args.balances:
        if any(single):
            raise _UsageError(cli_("give either BALANCES.csv or --quarter with both balances"))
        return microloan_incentive.incentive_series(args.balances, **options)
    if all(single):
        return [
            microloan_incentive.incentive(
                args.quarter,
                _yuan_arg(args.previous_balance, "--previous-balance", zero=True),
                _yuan_arg(args.current_balance, "--current-balance", zero=True),
                **options,
            )
        ]
    raise _UsageError(
        cli_("give BALANCES.csv, or --quarter, --previous-balance, --current-balance")
    )


def _cmd_incentive(args: argparse.Namespace) -> int:
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


# -- npl --------------------------------------------------------------------------------


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
    from ..tools import npl as npl_tolerance

    if language() == "zh":
        return npl_tolerance.INDUSTRIES.get(code, code)
    return code


def _cmd_npl(args: argparse.Namespace) -> int:
    from ..tools import npl as npl_tolerance

    _check_out(args)
    frame, digest = npl_tolerance.read_npl_file(args.file, encoding=args.encoding)
    result = npl_tolerance.check(frame, digest, extra_industries=args.extra_industry or ())
    summary = result.summary()
    _publish(args, summary, result.rows, "npl", _npl_text)
    return EXIT_INVALID_ROWS if summary["invalid"] else EXIT_OK


def _add_npl(sub: Any) -> None:
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
    npl.set_defaults(handler=_cmd_npl)


# -- audit ------------------------------------------------------------------------------


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


def _cmd_audit(args: argparse.Namespace) -> int:
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


def _add_audit(sub: Any) -> None:
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
    aud.set_defaults(handler=_cmd_audit)


# -- policy -----------------------------------------------------------------------------


def _policy_from(args: argparse.Namespace) -> PolicyTable:
    return policy_table(getattr(args, "policy", None))


def _cmd_policy(args: argparse.Namespace) -> int:
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
            shown: Any = cli_("UNKNOWN (refused)") if f.unknown else f.value_text()
            if isinstance(shown, list):
                shown = ("、" if language() == "zh" else ", ").join(
                    cli_("{rate} from {start}").format(
                        rate=percent_text(s["rate"]), start=s["from"]
                    )
                    if isinstance(s, dict)
                    else str(s)
                    for s in shown
                )
            elif name in _PERCENT_FIGURES and not f.unknown:
                shown = percent_text(shown)
            elif name == "cadence" and not f.unknown:
                shown = _cadence(str(shown))
            if language() == "zh" and name in FIGURE_LABELS:
                shown = f"{label(FIGURE_LABELS, name, 'zh')}：{shown}"
            print(f"  {name:<19} {shown}")
            print(f"  {'':<19} " + cli_("source: {source}").format(source=f.source_text()))
            if f.why:
                # TRANSLATORS: a figure no notice states (unknown: refused; ASSUMPTION: relend's)
                flag = cli_("unknown") if f.unknown else cli_("ASSUMPTION")
                print(f"  {'':<19} " + cli_("{flag}: {why}").format(flag=flag, why=f.why_text()))
    return EXIT_OK


_PERCENT_FIGURES = frozenset(["ratio", "fixed_rate", "loan_rate_cap"])


def _cadence(code: str) -> str:
    """``quarterly`` or ``monthly`` in words in Chinese."""
    words = {"quarterly": cli_("quarterly"), "monthly": cli_("monthly")}
    return words.get(code, code) if language() == "zh" else code


def _add_policy(sub: Any) -> None:
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
    pol.set_defaults(handler=_cmd_policy)


def _add_policy_option(parser: Any) -> None:
    parser.add_argument(
        "--policy",
        metavar=cli_("FILE"),
        action="append",
        help=cli_("a policy file (TOML) adding or superseding versions for this run"),
    )


# -- parser -----------------------------------------------------------------------------


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


def _categories_help() -> str:
    colon = "：" if language() == "zh" else ": "
    rows = [f"  {code}{colon}{name}" for code, name in TRANSPORT_CATEGORIES.items()]
    return cli_("transport borrower categories (code or the notice's Chinese):") + (
        "\n" + "\n".join(rows)
    )


def _override_help() -> str:
    return cli_(
        "calendar override file (--override FILE): JSON, one object or a list, each with "
        '"year", "source" (the notice), "holidays" and "working_days" (ISO dates from 24 '
        "December of the year before to 23 December), e.g. {example}"
    ).format(
        example='{"year": 2027, "source": "国办发明电〔2026〕N号", "holidays": ["2027-01-01"], '
        '"working_days": ["2027-02-07"]}'
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


def build_parser() -> argparse.ArgumentParser:
    """The ``relend`` argument parser, its help in the current language."""
    parser = _Parser(
        prog="relend",
        description=cli_(
            "Exact PBoC relending claims, deadlines and cash flows from loan ledgers."
        ),
        epilog=_epilog(_programs_help(), _exit_codes()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"relend {relend_version()}",
        help=cli_("show program's version number and exit"),
    )  # fmt: skip
    _add_lang_option(parser, None)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help=cli_("run a claim on the bundled example ledger"))
    demo.add_argument(
        "--out", default="relend-demo", metavar=cli_("OUT"), help=cli_("folder for the reports")
    )
    demo.set_defaults(handler=_cmd_demo)

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
    deadline.set_defaults(handler=_cmd_deadline)

    claim = sub.add_parser(
        "claim", help=cli_("relending claim from a loan ledger"),
        epilog=_epilog(_programs_help(), _columns_help(), _categories_help(),
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
    claim.set_defaults(handler=_cmd_claim)

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
    fac.set_defaults(handler=_cmd_facility)

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
    inc.set_defaults(handler=_cmd_incentive)

    _add_npl(sub)
    _add_policy(sub)
    _add_audit(sub)
    add_book_parser(
        sub, add_lang=lambda p: _add_lang_option(p, argparse.SUPPRESS), exit_codes=_exit_codes()
    )
    add_serve_parser(sub, exit_codes=_exit_codes())
    for command in sub.choices.values():
        # accepted after the subcommand too; read before parsing (see _language_asked)
        _add_lang_option(command, argparse.SUPPRESS)
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


_ARROW_POOL: list[Any] = []  # the pool to give back, once the run swapped it


@contextlib.contextmanager
def _returning_memory() -> Iterator[None]:
    """Allocate Arrow's memory from its jemalloc pool for the block, where the build has
    one and ``ARROW_DEFAULT_MEMORY_POOL`` does not choose another; then restore the pool.

    Notes
    -----
    A run allocates and frees a block's worth of text many times over (the ledger read a
    block at a time, its columns classified and written a block at a time). Arrow's
    default mimalloc pool keeps the freed pages resident for reuse, and with them the
    process's peak grew to about 2.3 times the ledger's size at 10M rows; jemalloc hands
    them back to the system after its decay, which brought the peak under 2 times the
    ledger (``benchmarks/README.md``). Arrays allocated before are freed by their own
    pool, so the swap is safe at any time.

    pyarrow is loaded by commands that read a file of rows only: where it is not loaded
    yet the swap waits for :func:`_arrow_pool`, which such a command calls once its
    words are parsed, so that a command that reads no ledger does not load it.
    """
    outer = list(_ARROW_POOL)
    _ARROW_POOL.clear()
    if "pyarrow" in sys.modules:
        _arrow_pool()
    try:
        yield
    finally:
        if _ARROW_POOL:
            import pyarrow as pa

            pa.set_memory_pool(_ARROW_POOL[0])
        _ARROW_POOL[:] = outer


def _arrow_pool() -> None:
    """Swap Arrow's pool for jemalloc (see :func:`_returning_memory`), once per run."""
    if _ARROW_POOL:
        return
    import pyarrow as pa

    previous = pa.default_memory_pool()
    chosen = os.environ.get("ARROW_DEFAULT_MEMORY_POOL")
    try:
        pool = None if chosen else pa.jemalloc_memory_pool()
    except NotImplementedError:  # a build without jemalloc (Windows): keep the default
        pool = None
    if pool is not None:
        pa.set_memory_pool(pool)
    _ARROW_POOL.append(previous)


def _interrupted(exc: KeyboardInterrupt) -> int:
    if isinstance(exc, _Terminated):
        print(cli_("relend: terminated (SIGTERM); no partial output left"), file=sys.stderr)
        return EXIT_TERMINATED
    print(cli_("relend: interrupted; no partial output left"), file=sys.stderr)
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


class _OutputError(Exception):
    """stdout could not be written (a full disk, an I/O error): the run stops with 2.

    Not an :class:`OSError`, so that no handler of file errors on the way takes it.
    """

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` while relend runs, keeping the system's failures
    from becoming a traceback.

    stdout: a closed descriptor (``relend ... >&-``, where Python sets ``sys.stdout``
    to None) is reported as a closed pipe (exit status 141); any other failure to write
    (``> /dev/full``) raises :class:`_OutputError` (exit status 2). stderr: a closed
    descriptor drops the messages, as ``2> /dev/null`` would; a failure to write is
    recorded in :attr:`failed`, the messages after it are dropped and the run goes on,
    to end with exit status 2.
    """

    def __init__(self, stream: Any, name: str) -> None:
        self.stream = stream
        self.name = name
        self.failed: OSError | None = None

    def _fail(self, error: OSError) -> None:
        self.failed = error
        if self.name == "stdout":
            raise _OutputError(error) from None

    def write(self, text: str) -> int:
        if self.stream is None:
            if self.name == "stdout":
                raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
            return len(text)
        if self.failed is not None:
            return len(text)
        try:
            written = self.stream.write(text)
        except BrokenPipeError as error:
            if self.name == "stdout":
                raise
            self.failed = error
        except OSError as error:
            self._fail(error)
        else:
            return len(text) if written is None else int(written)
        return len(text)

    def flush(self) -> None:
        if self.stream is None or self.failed is not None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError as error:
            if self.name == "stdout":
                raise
            self.failed = error
        except OSError as error:
            self._fail(error)

    def isatty(self) -> bool:
        return self.stream is not None and self.failed is None and bool(self.stream.isatty())

    def fileno(self) -> int:
        if self.stream is None:
            raise io.UnsupportedOperation("fileno")
        return int(self.stream.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _silence(stream: Any) -> None:
    """Point a stream that failed at the null device, so that flushing what it still
    buffers (at exit) does not fail again with a traceback."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        descriptor = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)


@contextlib.contextmanager
def _guarded_streams() -> Iterator[tuple[_Stream, _Stream]]:
    """Run the block with :class:`_Stream` in place of ``sys.stdout`` and ``sys.stderr``,
    then put the streams back (silenced if they failed)."""
    out, err = _Stream(sys.stdout, "stdout"), _Stream(sys.stderr, "stderr")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved
        for stream in (out, err):
            if stream.failed is not None:
                _silence(stream.stream)


def _output_failed(error: OSError) -> int:
    """stdout could not be written: one line on stderr (if it can be written), exit 2."""
    return _fail(
        cli_("the output could not be written to stdout: {reason}").format(reason=os_reason(error))
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``relend`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Besides the statuses of the module docstring: 130 after Ctrl-C, 143 after SIGTERM
    (both leave no partial file under ``--out``), 141 when stdout was closed early, 2
    when stdout or stderr could not be written (a full disk), in place of 0, 3 or 4.

    Messages are in the language of ``--lang`` (anywhere in ``argv``), else of the
    locale (:func:`calculators._i18n.language_from_environment`), else English; the
    language in force before the call is back when it returns.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    with _guarded_streams() as (_out, err):
        status = _main(words)
    if err.failed is not None and status not in _KEPT_ON_STDERR_FAILURE:
        return EXIT_INPUT  # a message or a warning was lost: not a clean run
    return status


def _main(words: list[str]) -> int:
    before = language()
    try:
        asked = _language_asked(words)
        if asked is not None and asked not in LANGUAGES:
            set_language(language_from_environment())
            return _fail(
                cli_("--lang {value} is not a language relend speaks; use zh (中文) or en "
                     "(English)").format(value=repr(asked))
            )  # fmt: skip
        set_language(asked or language_from_environment())
        with _sigterm_as_interrupt(), _argparse_in_language(), _returning_memory():
            return _run(words)
    except KeyboardInterrupt as exc:  # one that landed outside _run's own handling
        return _interrupted(exc)
    finally:
        set_language(before)


# statuses that say more than "stderr could not be written" and are kept when it could not
_KEPT_ON_STDERR_FAILURE = (EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_CLOSED_STDOUT, EXIT_TERMINATED)
_LANG_OPTIONS = ("--la", "--lan", "--lang")  # argparse takes an option's unique prefix


def _language_asked(words: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` in ``words`` (``--lang zh``, ``--lang=zh``), or
    None.

    Read before the parser is built, because the help texts are put in the language as
    the parser is made. A ``--lang`` with no value is left for argparse to report.
    """
    found = None
    for at, word in enumerate(words):
        if word == "--":
            break
        name, equals, value = word.partition("=")
        if name not in _LANG_OPTIONS:
            continue
        if equals:
            found = value
        elif at + 1 < len(words):
            found = words[at + 1]
    return found


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProvisionalCalendarWarning)
        try:
            args = parser.parse_args(argv)
            if getattr(args, "calendar", "prc") not in CALENDAR_NAMES:
                raise _UsageError(
                    cli_("--calendar {value} is not known; use one of {names}").format(
                        value=repr(args.calendar), names=_joined(CALENDAR_NAMES)
                    )
                )
            if _reads_rows(args):
                _arrow_pool()
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
        except _OutputError as exc:
            status = _output_failed(exc.error)
        except Exception as exc:  # the one place an unexpected error becomes a line
            print(
                cli_("relend: internal error, a fault in relend itself, not in the input "
                     "(please report it with the command that caused it); Python's own "
                     "words: {kind}: {message}").format(kind=type(exc).__name__, message=exc),
                file=sys.stderr,
            )  # fmt: skip
            status = EXIT_INTERNAL
    try:
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
    except BrokenPipeError:
        status = _closed_stdout()
    except _OutputError as exc:
        status = _output_failed(exc.error)
    own = [str(w.message) for w in caught if issubclass(w.category, ProvisionalCalendarWarning)]
    for message in dict.fromkeys(own):
        print(_warning_line(message), file=sys.stderr)
    others = [w for w in caught if not issubclass(w.category, ProvisionalCalendarWarning)]
    for kind, message in dict.fromkeys((w.category.__name__, str(w.message)) for w in others):
        print(
            cli_("relend: warning from a library relend uses, in its own words: {kind}: "
                 "{message}").format(kind=kind, message=message),
            file=sys.stderr,
        )  # fmt: skip
    return status


_READ_ROWS = ("claim", "audit", "npl", "demo", "book")


def _reads_rows(args: argparse.Namespace) -> bool:
    """Whether the command reads a file of rows (a ledger, a submission, a claim's
    folder) with Arrow: the others (deadline, policy, facility, incentive with figures
    typed, serve, whose runs are child processes) do not load it."""
    if args.command == "incentive":
        return bool(getattr(args, "balances", None))
    return args.command in _READ_ROWS


def _warning_line(message: str) -> str:
    # TRANSLATORS: keep "relend" and a colon before the message
    return cli_("relend: warning: {message}").format(message=message)


def _fail(message: str) -> int:
    # TRANSLATORS: keep "relend" and a colon before the message
    print(cli_("relend: error: {message}").format(message=message), file=sys.stderr)
    return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
