"""The command line's words and layout: argparse's own messages looked up in the ``cli``
catalog, Chinese wrapped by its width on screen, the help formatter and the parser, codes
with their Chinese labels, the one-line error and warning, and the exit statuses."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NoReturn

from .._i18n import cli_, cli_n, language
from ..engine.labels import Label, label

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


def _joined(items: Iterable[str]) -> str:
    """Items of a list in a sentence: 、 between them in Chinese, a comma in English."""
    return ("、" if language() == "zh" else ", ").join(items)


def _label_after(table: Mapping[str, Label], code: str) -> str:
    """In Chinese, two spaces and the code's label, to print after an aligned row."""
    if language() == "zh" and code in table:
        return f"  {label(table, code, 'zh')}"
    return ""


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


def _warning_line(message: str) -> str:
    # TRANSLATORS: keep "relend" and a colon before the message
    return cli_("relend: warning: {message}").format(message=message)


def _fail(message: str) -> int:
    # TRANSLATORS: keep "relend" and a colon before the message
    print(cli_("relend: error: {message}").format(message=message), file=sys.stderr)
    return EXIT_INPUT
