"""Find English left in text meant to be in Chinese.

Identifiers may stay: reason codes and JSON keys (``duplicate_loan_id``), options
(``--lender``), file names (``loans.csv``), program names and lender codes (``tech``,
``ICBC``), ISO dates and numbers. What may not stay is English prose: two or more
English words in a row that include a word only a sentence has (``the``, ``is``,
``not``, ``of`` ...), or one of the words a command line prints on its own
(``usage``, ``error``, ``warning``, ``options``).
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(
    r"""
      --?[A-Za-z][\w-]*                 # --lender, -h
    | \b\w+\.(?:csv|json|xlsx|xls|txt|toml|mo|po)\b  # file names
    | \b[A-Za-z]+_[\w]+\b               # snake_case codes and keys
    | \b\w*\d\w*\b                      # 2022Q2, tech-2024, numbers
    | \{[^{}]*\}                        # placeholders, lists of keys
    | https?://\S+
    | [\w./-]*/[\w./-]*                 # paths
    """,
    re.VERBOSE,
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z']*(?:[ \t]+[A-Za-z][A-Za-z']*)*")

PROSE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "not",
        "no",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "as",
        "if",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "which",
        "what",
        "when",
        "where",
        "who",
        "how",
        "than",
        "then",
        "there",
        "must",
        "may",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "use",
        "used",
        "using",
        "given",
        "accepted",
        "expected",
        "only",
        "every",
        "each",
        "any",
        "all",
        "none",
        "one",
        "missing",
        "invalid",
        "unknown",
        "found",
        "cannot",
        "can't",
        "does",
        "don't",
        "please",
        "see",
        "try",
        "write",
        "wrote",
        "read",
        "written",
        "rows",
        "row",
        "file",
        "files",
        "column",
        "columns",
    ]
)
LONE_WORDS = frozenset(
    [
        "clause",
        "line",
        "announcement",
        "usage",
        "error",
        "warning",
        "warnings",
        "note",
        "options",
        "optional",
        "positional",
        "arguments",
        "argument",
        "required",
        "help",
        "show",
        "message",
        "exit",
        "invalid",
        "missing",
        "unknown",
        "choose",
    ]
)


def english_prose(text: str) -> list[str]:
    """Every run of English prose in ``text`` (empty when there is none)."""
    stripped = _IDENTIFIER.sub(" ", text)
    found = []
    for match in _WORDS.finditer(stripped):
        words = match.group(0).split()
        lowered = [w.lower() for w in words]
        if (len(words) >= 2 and PROSE_WORDS.intersection(lowered)) or LONE_WORDS.intersection(
            lowered
        ):
            found.append(match.group(0))
    return found
