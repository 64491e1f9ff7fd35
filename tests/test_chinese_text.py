"""Chinese that reads as written Chinese: every translation of the zh catalogs and every
Chinese label table.

What a Chinese message may not have: ASCII ``,`` ``:`` ``;`` ``(`` ``)`` next to a Chinese
character (written Chinese uses ，：；（）), parentheses inside parentheses (（（ ））), a
Latin ``x`` for ×, English words. What it may keep: placeholders, codes and keys (taken
from the registry, the lenders, the label tables, the columns, the policy files' keys
and the placeholders of the catalogs, not listed by hand), options, file names,
numbers, acronyms and command lines. Every label, Chinese and English, is filled.

The checks are general so that a message added later is held to them too.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import calculators
from calculators.cli import build_parser
from calculators.engine.labels import LABELLED_COLUMNS
from calculators.engine.program import registered
from calculators.policy.checks import FIGURE_KINDS
from calculators.policy.lenders import LENDERS
from calculators.policy.table import PolicyTable
from calculators.programs.transport import TRANSPORT_CATEGORIES
from calculators.readers.columns import COLUMN_ALIASES
from calculators.reports.labels import CHINESE_HEADERS, SUMMARY_LABELS, SUMMARY_LABELS_EN
from calculators.tools import npl as npl_tolerance
from calendars import CALENDAR_NAMES
from tests.catalogs import DOMAINS

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
WIDE = "\u3000-\u303f\uff00-\uffef"  # Chinese punctuation and full-width forms
_ASCII_BESIDE_CJK = re.compile(rf"[{CJK}{WIDE}] ?[,:;()]|[,:;()] ?[{CJK}{WIDE}]")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdr]|%[sdr]")
# a command line quoted in a message: relend policy show tech, pip install 'relend[dask]'
_COMMAND = re.compile(rf"\b(?:relend|pip install)(?: +[^\s{CJK}{WIDE}“”]+)*")
_CODE_LIKE = re.compile(
    r"""
      --?[A-Za-z][\w-]*                     # --lender, -h
    | [\w.-]*\.(?:csv|json|xlsx|xlsm|xlsb|xls|txt|toml|md|mo|po|sqlite)\b  # file names
    | \b\w+(?:\.\w+)+[\w/?=&%.-]*           # dotted names and web addresses
    | \b[a-z]+://[^\s，、；）]*                # URLs: postgresql://USER@HOST/DB
    | \bAuthorization:\ Bearer\ \w+         # the HTTP header, as it is sent
    | [\w./-]*/[\w./-]*                     # paths, ACT/360
    | \b[A-Za-z]+_\w+\b                     # snake_case codes and keys
    | \b\w*\d\w*\b                          # 2022Q2, sha256, numbers
    | \b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*\b     # acronyms and codes: CSV, ICBC, YYYY-MM-DD
    """,
    re.VERBOSE,
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# the names of products and packages relend speaks of, which have no Chinese name
_NAMES = frozenset(
    ["Excel", "Dask", "Python", "DataFrame", "Decimal", "Ctrl", "holidays", "SQLite", "PostgreSQL"]
)


def _toml_keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _toml_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _toml_keys(inner)


def _command_words(parser: argparse.ArgumentParser) -> set[str]:
    """The command line's own words: subcommands and the choices of its arguments."""
    found: set[str] = set()
    for action in parser._actions:
        found |= {str(c) for c in action.choices or ()}
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _command_words(sub)
    return found


def _codes() -> frozenset[str]:
    """Every code and key a Chinese message may name as it is."""
    found: set[str] = set(CALENDAR_NAMES) | {"zh", "en", "relend"}
    for program in registered().values():
        found |= {program.id, *program.reasons, *(spec.name for spec in program.lists)}
    found |= set(PolicyTable.package().programs)
    found |= {lender.code for lender in LENDERS}
    for table in LABELLED_COLUMNS.values():
        found |= set(table)
    found |= set(COLUMN_ALIASES) | set(CHINESE_HEADERS) | set(FIGURE_KINDS)
    found |= set(npl_tolerance.INDUSTRIES) | set(TRANSPORT_CATEGORIES)
    policies = Path(calculators.__file__).parent / "policies"
    for path in policies.glob("*.toml"):
        found |= set(_toml_keys(tomllib.loads(path.read_text(encoding="utf-8"))))
    found |= _command_words(build_parser())
    for domain in DOMAINS:
        for message in _catalog(domain.po("zh")):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for text in ids:
                found |= {m.strip("{}%()").split(":")[0] for m in _PLACEHOLDER.findall(text)}
    return frozenset(found)


def _catalog(path: Path) -> list:
    with path.open("rb") as handle:
        return [m for m in read_po(handle, locale="zh") if m.id]


def _translations() -> list[tuple[str, str, str]]:
    """(where, English message, Chinese text) for every form of every zh translation."""
    out = []
    for domain in DOMAINS:
        for message in _catalog(domain.po("zh")):
            english = message.id if isinstance(message.id, str) else message.id[0]
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            out += [(f"{domain.name}.po", english, form) for form in forms]
    return out


def _labels() -> list[tuple[str, str]]:
    """(where, Chinese text) of every Chinese label table."""
    out = [(f"SUMMARY_LABELS[{k}]", v) for k, v in SUMMARY_LABELS.items()]
    out += [(f"CHINESE_HEADERS[{k}]", v) for k, v in CHINESE_HEADERS.items()]
    for column, table in LABELLED_COLUMNS.items():
        out += [(f"{column} label of {code}", words.zh) for code, words in table.items()]
    out += [(f"INDUSTRIES[{k}]", v) for k, v in npl_tolerance.INDUSTRIES.items()]
    out += [(f"program {p.id}", p.name_zh) for p in registered().values()]
    return out


def chinese_problems(text: str, codes: frozenset[str]) -> list[str]:
    """What keeps a Chinese text from reading as written Chinese (empty: nothing)."""
    problems = []
    masked = _COMMAND.sub("◇", _PLACEHOLDER.sub("◇", text))
    for found in _ASCII_BESIDE_CJK.findall(masked):
        problems.append(f"ASCII punctuation beside Chinese: {found!r}")
    depth = 0
    for char in masked:
        depth += char == "（"
        if depth > 1:
            problems.append("（ inside （）")
            break
        depth -= char == "）" and depth > 0
    plain = _CODE_LIKE.sub(" ", masked)
    words = [w for w in _LATIN_WORD.findall(plain) if w not in codes and w not in _NAMES]
    if words:
        problems.append(f"English words: {words}")
    if re.search(r"\d\s*x\s*\d|\bx\b", masked):
        problems.append("a Latin x for ×")
    return problems


CODES = _codes()
TRANSLATIONS = _translations()


def test_the_checks_catch_what_they_should() -> None:
    # written first against the catalogs of the time: each line is a message they held
    assert chinese_problems("这是统称 (seed 808-812)，不能单独使用", CODES)
    assert chinese_problems("tech 再贷款", CODES) == []  # a code stays a code ...
    assert chinese_problems("名义截止日（10 日）为 {nominal}；prc 日历（已公布）", CODES) == []
    assert chinese_problems("（名义截止日（10 日）为 {nominal}）", CODES)  # ... nesting is not
    assert chinese_problems("可申请再贷款（本金 x {ratio}）", CODES)
    assert chinese_problems("多报 {over}, 少报 {under}", CODES)
    assert chinese_problems("评级 C (graded in later-notices.md)", CODES)
    assert chinese_problems("出处：政策汇编; 第 3 行", CODES)
    assert chinese_problems("条款：the successor is set up", CODES)
    assert chinese_problems("用法：relend claim --lender ICBC", CODES) == []
    assert chinese_problems("需先安装 Dask：pip install 'relend[dask]'", CODES) == []
    assert chinese_problems("应为 UTF-8 编码的 TOML 政策文件，如 loans.csv", CODES) == []
    assert chinese_problems("应为含 value（或 unknown）和 source 的表", CODES) == []


@pytest.mark.parametrize(
    ("where", "english", "chinese"), TRANSLATIONS, ids=[e[:60] for _, e, _ in TRANSLATIONS]
)
def test_every_translation_reads_as_written_chinese(where: str, english: str, chinese: str) -> None:
    assert chinese.strip(), f"{where}: {english!r} has no translation"
    assert chinese_problems(chinese, CODES) == [], f"{where}: {chinese}"
    # an amount in yuan keeps its 元
    yuan = re.findall(r"\byuan\b", _PLACEHOLDER.sub(" ", english))
    assert chinese.count("元") >= len(yuan), f"{where}: {chinese}"


def test_every_chinese_label_reads_as_written_chinese() -> None:
    found = {
        where: chinese_problems(text, CODES) or ["empty"] * (not text.strip())
        for where, text in _labels()
    }
    assert {where: problems for where, problems in found.items() if problems} == {}


def test_every_label_is_filled_in_both_languages() -> None:
    assert set(SUMMARY_LABELS_EN) == set(SUMMARY_LABELS)
    assert all(text.strip() for text in SUMMARY_LABELS_EN.values())
    for table in LABELLED_COLUMNS.values():
        assert all(words.zh.strip() and words.en.strip() for words in table.values())
    assert "relend" not in SUMMARY_LABELS["version"]
