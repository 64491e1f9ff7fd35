"""The policy table: effective-dated versions, every figure with its source, as data.

The versions are reviewed data files shipped in the package
(``calculators/policies/<program>.toml``, one file per program, one entry per version),
in the manner of OpenFisca's parameters: each figure holds its value and the notice and
clause it comes from, with the line range of the policy compilation in
``shared/sources`` where the notice is reprinted. A figure no source states is marked
as an assumption and says why; a figure no source gives at all is ``unknown`` and
relend refuses to compute with it.

Every English text of the data that is prose (a clause in words, an assumption, a
notice's note, a title with English words, a descriptive value) has its reviewed
Simplified Chinese twin beside it, ``<name>_zh`` (``clause_zh``, ``assumption_zh``,
``value_zh`` ...); the texts are shown in the current language, and a text without a
twin (a user's own policy file) is shown in its English.

A user policy file of the same form adds a version, or supersedes one figure by figure,
for one call only (:meth:`PolicyTable.with_file`); the package data is never changed.

Notes
-----
The tech-innovation notice names its 21 lenders only by group and count (CDB, policy
banks, state-owned commercial banks, PSBC, joint-stock commercial banks, "等 21 家",
seed 748-752): the 21 codes are the members of those groups, an inference marked as
an assumption in ``tech.toml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import reprlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from calendars import Month, Quarter

from .._errors import PolicyFileError, PolicyNotFoundError, PolicyUnknownError
from .._i18n import N_, _, language, os_reason, using_language
from .lenders import LENDERS

T = TypeVar("T")

SCHEMA = 1
CADENCES = ("quarterly", "monthly")


@dataclass(frozen=True)
class Notice:
    """A notice or announcement a figure is taken from.

    Attributes
    ----------
    key : str
        The name figures cite it by (``tech2022``).
    issuer, title, date : str
    read_at : str
        Where the wording was read, for notices outside the seed ("" for the seed's).
    grade : str
        ``C`` confirmed, ``S`` secondary, ``U`` unconfirmed (``shared/sources``'
        grading); "" for the seed's notices.
    note : str
    issuer_zh, title_zh, read_at_zh, note_zh : str
        The Chinese twins of the texts with English words ("" where there is none).
    """

    key: str
    issuer: str
    title: str
    date: str = ""
    read_at: str = ""
    grade: str = ""
    note: str = ""
    title_zh: str = field(default="", compare=False)
    read_at_zh: str = field(default="", compare=False)
    note_zh: str = field(default="", compare=False)
    issuer_zh: str = field(default="", compare=False)

    def shown(self, name: str) -> str:
        """The text ``name`` (``issuer``, ``title``, ``read_at`` or ``note``) in the current
        language: its Chinese twin in Chinese where it has one, else as written."""
        return in_language(getattr(self, name), getattr(self, f"{name}_zh"))


def in_language(english: str, chinese: str) -> str:
    """``chinese`` when messages are in Chinese and it is given, else ``english``; in
    words for users (:func:`for_users`)."""
    return chinese_punctuation(for_users(chinese if chinese and language() == "zh" else english))


COMPILATION = N_("the 2022 policy compilation of the Kashgar positive and negative lists")
"""The policy compilation (``seed`` in the data) by its title, for users."""

# Words of the data meant for its maintainers (the file that grades the sources, the
# grades, the compilation's file name "seed") and what a user reads instead; a safety
# net for texts of the data that still carry them.
_MAINTAINERS_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\s*[（(][^（）()]*later-notices\.md[^（）()]*[）)]", ""),
        (r"shared/sources/later-notices\.md(?=，)", "relend 整理的后续通知汇总表"),
        (r",\s*graded [CSU]\b", ""),
        (r"\s*\(grades? [CSU]\)", ""),
        (r"\bthe row is graded [CSU]; ", ""),
        (r"\bthe page graded [CSU]\b", "the page read first"),
        (r"，?评级 ?[CSU](?=（)", ""),
        (r"（评级 ?[CSU]）", ""),
        (r"该行评级为 ?[CSU]；", ""),
        (r"评级为 ?[CSU] 的页面", "首个查阅页面"),
        (r"政策汇编 ?seed ?第", "政策汇编第"),
        (r"\bseed ?第", "政策汇编第"),
        (r"\b(?:in )?the seed, lines", "in the 2022 policy compilation, lines"),
        (r"\(seed (\d)", r"(the 2022 policy compilation, lines \1"),
        (r"\bthe seed\b", "the 2022 policy compilation"),
        (r"\bseed (?=\d)", "the 2022 policy compilation, lines "),
        (r"\bunconfirmed \(U\)", "unconfirmed"),
        (r"未经证实（U）", "未经证实"),
        (r"\s*\(U\)", " (unconfirmed)"),
        (r"（U）", "（未经证实）"),
        (r"\s*\([CS]\)|（[CS]）", ""),
        (r"(?<=\d) x (?=\d)", " × "),
    )
)


_GRADING_FILE = re.compile(r"(?:shared/sources/)?later-notices\.md")
_MAINTAINERS_MARKS = re.compile(r"seed|later-notices|grade|评级|\([CSU]\)|（[CSU]）|\d x \d")


def for_users(text: str) -> str:
    """``text`` of the policy data without the words meant for its maintainers: the
    grading file and its grades left out, the compilation named by its title."""
    if not text or not _MAINTAINERS_MARKS.search(text):
        return text
    for pattern, replacement in _MAINTAINERS_WORDS:
        text = pattern.sub(replacement, text)
    table = (
        "relend 整理的后续通知汇总表" if language() == "zh" else "relend's table of later notices"
    )
    return _GRADING_FILE.sub(table, text)


_CJK = "\u4e00-\u9fff"
_HALF_WIDTH_PUNCTUATION: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (rf"\(([^()]*[{_CJK}][^()]*)\)", "（\\1）"),  # (遇节假日顺延)
        (rf"(?<=[{_CJK}]) ?\(([^()]*)\)", "（\\1）"),  # 答记者问 (2022-05-05)
        (rf"(?<=[{_CJK}）]) ?: ?", "："),
        (rf"(?<=[{_CJK}）]) ?; ?", "；"),
        (rf"(?<=[{_CJK}）]) ?, ?(?=[{_CJK}])", "，"),
    )
)


def chinese_punctuation(text: str) -> str:
    """In Chinese, the punctuation beside Chinese words in its full-width form: the
    compilation prints 10 日(遇节假日顺延), a Chinese sentence writes 10 日（遇节假日顺延）."""
    if language() != "zh" or not text:
        return text
    for pattern, replacement in _HALF_WIDTH_PUNCTUATION:
        text = pattern.sub(replacement, text)
    return text


def _lines(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


@dataclass(frozen=True)
class Citation:
    """Where a figure is stated: a notice, its clause, and the seed lines with the words.

    ``clause_zh`` is the Chinese twin of a clause given in English words ("" for a
    clause that is the notice's own number, such as ``三``).
    """

    notice: Notice
    clause: str
    seed: tuple[int, int] | None = None
    quote: str = ""
    clause_zh: str = field(default="", compare=False)

    def text(self) -> str:
        """The citation in words in the current language, e.g. ``<title>, clause 三
        (the 2022 policy compilation ..., lines 765-767: “贷款本金的 60%”)``; the grade of
        a source read elsewhere is the maintainers' and is not shown."""
        notice = self.notice
        out = _("{title}, clause {clause}").format(
            title=notice.shown("title"), clause=in_language(self.clause, self.clause_zh)
        )
        if self.seed:
            # TRANSLATORS: the compilation's title, then its lines
            out += _(" ({document}, lines {lines}: “{quote}”)").format(
                document=_(COMPILATION),
                lines=_lines(*self.seed),
                quote=chinese_punctuation(self.quote),
            )
        elif notice.read_at:
            out += _(" (read at {read_at})").format(read_at=notice.shown("read_at"))
        return out

    def english(self) -> str:
        """The citation in English words, whatever the current language."""
        with using_language("en"):
            return self.text()


@dataclass(frozen=True)
class Figure(Generic[T]):
    """A policy figure and its source.

    Attributes
    ----------
    value : T
        None when the figure is ``unknown``.
    source : str
        The citation in words.
    assumption : bool
        True where no source states the figure; ``why`` then says why it was chosen.
    why : str
        Why an assumed figure was chosen, or why an unknown one is not given.
    citation : Citation or None
    unknown : bool
        No source gives this figure: computing with it is refused.
    why_zh, value_zh : str
        The Chinese twins of ``why`` and of a descriptive text value ("" where none).
    """

    value: T
    source: str
    assumption: bool = False
    why: str = ""
    citation: Citation | None = field(default=None, compare=False, repr=False)
    unknown: bool = False
    why_zh: str = field(default="", compare=False)
    value_zh: str = field(default="", compare=False)

    def source_text(self) -> str:
        """The citation in words in the current language (``source`` is the English)."""
        if self.citation is None or language() != "zh":
            return self.source
        return self.citation.text()

    def why_text(self) -> str:
        """Why the figure is assumed or unknown, in the current language."""
        return in_language(why_unknown(self.why), self.why_zh)

    def value_text(self) -> Any:
        """The value as JSON (:func:`plain_value`), a descriptive text in the current
        language."""
        if self.value_zh:
            return in_language(str(self.value), self.value_zh)
        return plain_value(self.value)

    def as_dict(self) -> dict[str, object]:
        """The figure's source for reports: ``{source, assumption, why, unknown}``, the
        texts in the current language."""
        out: dict[str, object] = {"source": self.source_text(), "assumption": self.assumption}
        if self.why:
            out["why"] = self.why_text()
        if self.unknown:
            out["unknown"] = True
        return out


@dataclass(frozen=True)
class RateStep:
    """A relending rate in force for drawdowns on or after ``effective``."""

    effective: dt.date
    rate: Decimal
    source: str
    citation: Citation | None = field(default=None, compare=False, repr=False)

    def source_text(self) -> str:
        """The step's citation in words in the current language."""
        if self.citation is None or language() != "zh":
            return self.source
        return self.citation.text()


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a program's policy, as read: its figures by name.

    Attributes
    ----------
    program, version, title : str
    notice : Notice
    figures : Mapping of str to Figure
    origin : str
        ``package`` or the user policy file's ``sha256:<hex>``.
    title_zh : str
        The Chinese twin of a title with English words ("" where there is none).
    reviewed : datetime.date or None
        The day the program's sources were last checked against the notices (the
        policy file's ``[program] reviewed``).
    """

    program: str
    version: str
    title: str
    notice: Notice
    figures: Mapping[str, Figure[Any]]
    origin: str = "package"
    title_zh: str = field(default="", compare=False)
    reviewed: dt.date | None = field(default=None, compare=False)

    def title_text(self) -> str:
        """The version's title in the current language."""
        return in_language(self.title, self.title_zh)

    def figure(self, name: str) -> Figure[Any]:
        """The figure ``name``; :class:`PolicyUnknownError` when no source gives it."""
        found = self.figures[name]
        if found.unknown:
            raise PolicyUnknownError(
                f"{self.version}.{name}",
                None,
                _("a sourced figure: {why}").format(why=found.why_text()),
            )
        return found

    def sources(self) -> dict[str, dict[str, object]]:
        """Every figure's source, for reports."""
        return {name: f.as_dict() for name, f in self.figures.items()}

    def window(self) -> str:
        """The loans (or quarters) the version covers, in words."""
        first, last = _bounds(self)
        end = _("open") if last == dt.date.max else last.isoformat()
        return _("{first} to {last}").format(first=first.isoformat(), last=end)

    def summary(self) -> dict[str, Any]:
        """The version as ``relend policy show --json`` prints it: every figure with its
        value (exact decimals as strings, dates ISO), source and flags; the prose in the
        current language, the keys and codes the same in every language."""
        notice = self.notice
        return {
            "program": self.program,
            "version": self.version,
            "title": self.title_text(),
            "window": self.window(),
            "origin": self.origin,
            "reviewed": self.reviewed.isoformat() if self.reviewed else None,
            "notice": {
                "issuer": notice.shown("issuer"), "title": notice.shown("title"),
                "date": notice.date, "read_at": notice.shown("read_at"),
                "note": notice.shown("note"),
            },
            "figures": {
                name: {"value": f.value_text(), **f.as_dict()}
                for name, f in self.figures.items()
            },
        }  # fmt: skip


def plain_value(value: Any) -> Any:
    """A figure's value as JSON: exact numbers as decimal strings, dates ISO."""
    if isinstance(value, Fraction):
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | Quarter):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, RateStep):
        return {"from": value.effective.isoformat(), "rate": plain_value(value.rate),
                "source": value.source_text()}  # fmt: skip
    if isinstance(value, tuple | list):
        return [plain_value(v) for v in value]
    return value


@dataclass(frozen=True)
class PolicyRow:
    """One version of a relending program, typed for the claim engine.

    Attributes
    ----------
    program : str
    version : str
        Stable id of the version, e.g. ``tech-2022``.
    title : str
    first_disbursement, last_disbursement : Figure of date (last may be None)
        Loans disbursed in this window are covered.
    ratio : Figure of Fraction
        Share of eligible principal lent as relending.
    min_term_months : Figure of int
        Minimum loan term in calendar months (0: none).
    rates : Figure of tuple of RateStep
        Relending rate by drawdown date.
    term_years, max_extensions : Figure of int
    cadence : Figure of {"quarterly", "monthly"}
    lenders : Figure of tuple of str
        Eligible lender codes.
    borrower_rule : Figure of str
    day_count : Figure of str
        Interest day count of the relending.
    categories : Figure of tuple of str
        Eligible borrower categories, for programs with a category rule (else empty).
    origin : str
        ``package`` or the user policy file's ``sha256:<hex>``.
    """

    program: str
    version: str
    title: str
    first_disbursement: Figure[dt.date]
    last_disbursement: Figure[dt.date | None]
    ratio: Figure[Fraction]
    min_term_months: Figure[int]
    rates: Figure[tuple[RateStep, ...]]
    term_years: Figure[int]
    max_extensions: Figure[int]
    cadence: Figure[str]
    lenders: Figure[tuple[str, ...]]
    borrower_rule: Figure[str]
    day_count: Figure[str]
    categories: Figure[tuple[str, ...]] = Figure((), "")
    origin: str = "package"
    others: Mapping[str, Figure[Any]] = field(default_factory=dict, compare=False)

    def figure(self, name: str) -> Figure[Any]:
        """Any figure of the version by name, the ones a program's own rules read
        (``provinces``, ``loan_rate_cap``, ``deadline_rule``) included.

        Raises
        ------
        PolicyUnknownError
            If the version has no such figure, or no source gives it.
        """
        found = getattr(self, name, None) if name in self.__dataclass_fields__ else None
        found = found if isinstance(found, Figure) else self.others.get(name)
        if found is None or found.unknown:
            why = found.why_text() if found is not None else _("the version has no such figure")
            raise PolicyUnknownError(
                f"{self.version}.{name}", None, _("a sourced figure: {why}").format(why=why)
            )
        return found

    def covers(self, day: dt.date) -> bool:
        """Whether a loan disbursed on ``day`` falls in this row's window."""
        last = self.last_disbursement.value
        return self.first_disbursement.value <= day and (last is None or day <= last)

    def overlaps(self, period: Quarter | Month) -> bool:
        """Whether any day of ``period`` falls in this row's window."""
        last = self.last_disbursement.value
        return self.first_disbursement.value <= period.end and (
            last is None or period.start <= last
        )

    def rate_on(self, drawdown: dt.date) -> RateStep:
        """The rate step in force for a drawdown on ``drawdown``."""
        steps = [s for s in self.rates.value if s.effective <= drawdown]
        return steps[-1] if steps else self.rates.value[0]

    def window(self) -> str:
        """``version: first to last`` (or ``from first``), for messages."""
        first = self.first_disbursement.value.isoformat()
        last = self.last_disbursement.value
        return (
            _("{version}: {first} to {last}").format(
                version=self.version, first=first, last=last.isoformat()
            )
            if last
            else _("{version}: from {first}").format(version=self.version, first=first)
        )

    def sources(self) -> dict[str, dict[str, object]]:
        """Every figure's value and source, for reports: ``{field: {value, source,
        assumption, ...}}``."""
        own = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if isinstance(getattr(self, name), Figure) and getattr(self, name).source
        }
        return {
            name: {"value": f.value_text(), **f.as_dict()}
            for name, f in {**own, **self.others}.items()
        }


# -- reading and checking policy files --------------------------------------------------

_DATE, _OPTIONAL_DATE, _RATIO, _RATE, _COUNT, _TEXT = "date", "date?", "ratio", "rate", "n", "text"
_CODES, _RATES, _CADENCE, _QUARTER = "codes", "rates", "cadence", "quarter"

FIGURE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "first_disbursement": _DATE,
        "last_disbursement": _OPTIONAL_DATE,
        "ratio": _RATIO,
        "min_term_months": _COUNT,
        "rates": _RATES,
        "term_years": _COUNT,
        "max_extensions": _COUNT,
        "cadence": _CADENCE,
        "deadline_rule": _TEXT,
        "lenders": _CODES,
        "categories": _CODES,
        "borrower_rule": _TEXT,
        "day_count": _TEXT,
        "first_quarter": _QUARTER,
        "last_quarter": _QUARTER,
        "fixed_rate": _RATE,
        # program rules' own figures
        "provinces": _CODES,  # pilot provinces, by 2-digit division code
        "loan_rate_cap": _RATE,  # the highest own interest rate of an eligible loan
        "max_term_months": _COUNT,  # the longest term of an eligible loan, in months
        "first_loan_until": _DATE,  # the last day of a separate first-loan sub-quota
        "pilot_widened": _DATE,  # the pilot was widened after this day, to areas unknown
        "lenders_open": _DATE,  # from then the lenders named are not all: others are warned
    }
)
# the figures a complete version of each shape must have
LOAN_WINDOW_FIGURES = (
    "first_disbursement", "last_disbursement", "ratio", "min_term_months", "rates",
    "term_years", "max_extensions", "cadence", "lenders", "borrower_rule", "day_count",
)  # fmt: skip
QUARTER_FIGURES = ("first_quarter", "last_quarter", "ratio", "fixed_rate")
_LENDER_CODES = frozenset(lender.code for lender in LENDERS)

# Bounds every real notice fits in, so that a figure of a user's file cannot ask for
# what no claim needs: the exact shares of a claim are held over the common denominator
# of the ratios, one counter per remainder (6 decimal places: at most 10**6 of them,
# where "0.6000000001" would ask for 10**10, 75 GiB); dates far outside the tools'
# years; lists, steps and versions by the thousand.
MAX_PLACES = 6  # decimal places of a ratio or rate (the notices write at most 4)
MAX_RATE = Decimal("0.2")  # relending rates are 1-4%, a loan rate cap a few percent
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
MAX_VERSIONS = 1000  # of one program, its own and its policy files' together
MAX_CODES = 1000  # codes in a list (lenders, categories, provinces)
MAX_CODE_CHARS = 100
MAX_STEPS = 100  # rate steps of a version
MAX_FILE_BYTES = 4 * 1024 * 1024  # a shipped file is under 20 KB
MAX_DEPTH = 32  # arrays and tables within each other (a shipped file: 8)
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PROVINCE = re.compile(r"[1-9][0-9]")  # GB/T 2260's first two digits
# a version id is a column of loans.csv: no text a spreadsheet would read as a formula
_VERSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _ShortRepr(reprlib.Repr):
    """``repr`` cut short: a few items of a list or table, two levels, the ends of a
    long text or number; an integer too long for Python to write in decimal (more than
    4,300 digits, which TOML's hexadecimal allows) in hexadecimal."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlist = self.maxdict = 3
        self.maxlevel = 2
        self.maxstring = self.maxother = self.maxlong = 60

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() < 14_000:
            return super().repr_int(x, level)
        text = hex(x)
        return f"{text[:28]}...{text[-28:]}"


class _Shown:
    """A value as an error line shows it (:class:`_ShortRepr`), so that one bad value
    of a file makes one short line."""

    _repr = _ShortRepr()

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return self._repr.repr(self.value)


class _Reader:
    """Reads one policy file, raising :class:`PolicyFileError` naming the file and key."""

    def __init__(self, where: str, notices: Mapping[str, Notice]) -> None:
        self.where = where
        self.notices = notices

    def fail(self, key: str, value: Any, accepted: str) -> PolicyFileError:
        # a key of the file (a quoted TOML key may hold a line break) shown on one line
        key = _CONTROL.sub(lambda c: ascii(c[0])[1:-1], key)
        key = key if len(key) <= 200 else f"{key[:120]}...{key[-60:]}"
        error = PolicyFileError(f"{self.where}: {key}", _Shown(value), accepted)
        error.value = value  # the message shows it cut short; the error keeps it whole
        return error

    def text(self, table: Mapping[str, Any], name: str, key: str, *, required: bool = True) -> str:
        value = table.get(name, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{key}.{name}", value, _("a non-empty text"))
        return value

    def twin(self, table: Mapping[str, Any], name: str, key: str) -> str:
        """The Chinese twin ``<name>_zh`` of the text ``name`` ("" when there is none).

        A twin stands beside its English: one without an English text to translate is
        refused, so that no Chinese text is shown that no English says.
        """
        twin = f"{name}_zh"
        if twin not in table:
            return ""
        value = table[twin]
        original = table.get(name)
        if not isinstance(original, str) or not original.strip():
            raise self.fail(
                f"{key}.{twin}",
                value,
                _("{twin} only beside the English text {name} it translates").format(
                    twin=twin, name=name
                ),
            )
        return self.text(table, twin, key)

    def stray_twins(self, table: Mapping[str, Any], key: str, twins: Iterable[str]) -> None:
        """Refuse a ``*_zh`` key of ``table`` other than the ``twins`` it may have."""
        stray = sorted(k for k in table if k.endswith("_zh") and k not in twins)
        if stray:
            raise self.fail(
                f"{key}.{stray[0]}",
                table[stray[0]],
                _("a Chinese twin only of {names}").format(names=", ".join(twins) or "-"),
            )

    def citation(self, raw: Any, key: str) -> Citation:
        if not isinstance(raw, dict):
            raise self.fail(f"{key}.source", raw, _("a table {notice, clause[, seed, quote]}"))
        notice = str(raw.get("notice"))
        if notice not in self.notices:
            raise self.fail(
                f"{key}.source.notice",
                notice,
                _("one of the [notices]: {keys}").format(keys=", ".join(self.notices)),
            )
        clause = self.text(raw, "clause", f"{key}.source")
        self.stray_twins(raw, f"{key}.source", ("clause_zh",))
        clause_zh = self.twin(raw, "clause", f"{key}.source")
        seed = raw.get("seed")
        if seed is None:
            return Citation(self.notices[notice], clause, clause_zh=clause_zh)
        ok = (
            isinstance(seed, list)
            and len(seed) == 2
            and all(isinstance(n, int) and 0 < n < 10**7 for n in seed)
            and seed[0] <= seed[1]
        )
        if not ok:
            raise self.fail(f"{key}.source.seed", seed, _("[first line, last line] of the seed"))
        quote = self.text(raw, "quote", f"{key}.source")
        return Citation(self.notices[notice], clause, (seed[0], seed[1]), quote, clause_zh)

    def value(self, kind: str, raw: Any, key: str) -> Any:
        if kind in (_DATE, _OPTIONAL_DATE):
            if (
                isinstance(raw, dt.date)
                and not isinstance(raw, dt.datetime)
                and FIRST_DAY <= raw <= LAST_DAY
            ):
                return raw
            raise self.fail(
                key,
                raw,
                _("a date from {first} to {last} such as 2022-04-01 (TOML date, unquoted)").format(
                    first=FIRST_DAY, last=LAST_DAY
                ),
            )
        if kind in (_RATIO, _RATE):
            exact = self.decimal(raw, key)
            places = len(raw.strip().partition(".")[2].rstrip("0"))  # a plain decimal
            fits = 0 < exact <= 1 if kind == _RATIO else 0 <= exact <= MAX_RATE
            if not fits or places > MAX_PLACES:
                bound = (
                    _("above 0 and at most 1") if kind == _RATIO
                    else _("from 0 to {most} ({percent})").format(
                        most=MAX_RATE, percent=f"{int(MAX_RATE * 100)}%")
                )  # fmt: skip
                raise self.fail(
                    key,
                    raw,
                    _('a decimal {bound} of at most {places} decimal places, as a string such '
                      'as "0.6"').format(bound=bound, places=MAX_PLACES),
                )  # fmt: skip
            return Fraction(exact) if kind == _RATIO else exact
        if kind == _COUNT:
            if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 120:
                return raw
            raise self.fail(key, raw, _("a whole number from 0 to 120"))
        if kind == _TEXT:
            if isinstance(raw, str) and raw.strip():
                return raw
            raise self.fail(key, raw, _("a non-empty text"))
        if kind == _CADENCE:
            if raw in CADENCES:
                return raw
            raise self.fail(key, raw, _("one of {names}").format(names=", ".join(CADENCES)))
        if kind == _QUARTER:
            try:
                quarter = Quarter.parse(raw) if isinstance(raw, str) else None
            except Exception:
                quarter = None
            if quarter is not None and FIRST_DAY <= quarter.start <= LAST_DAY:
                return quarter
            raise self.fail(
                key,
                raw,
                _('a quarter from {first} to {last} such as "2023Q3"').format(
                    first=Quarter.containing(FIRST_DAY), last=Quarter.containing(LAST_DAY)
                ),
            )
        if kind == _CODES:
            if (
                isinstance(raw, list)
                and 0 < len(raw) <= MAX_CODES
                and all(isinstance(c, str) and 0 < len(c) <= MAX_CODE_CHARS for c in raw)
            ):
                return tuple(raw)
            raise self.fail(
                key,
                raw,
                _("a non-empty list of at most {count} codes of at most {chars} characters").format(
                    count=MAX_CODES, chars=MAX_CODE_CHARS
                ),
            )
        assert kind == _RATES
        return self.rates(raw, key)

    def decimal(self, raw: Any, key: str) -> Decimal:
        """``raw``, a decimal written plainly (digits, a point and digits) as a string.

        Notes
        -----
        Exponents (``1e-999999999``), signs, ``NaN`` and digits of other scripts are
        refused before :class:`~decimal.Decimal` reads the text, so no figure turns into a
        number of a billion digits.
        """
        if not isinstance(raw, str):
            raise self.fail(key, raw, _('an exact decimal written as a string, such as "0.0175"'))
        if not _PLAIN_DECIMAL.fullmatch(raw.strip()):
            raise self.fail(key, raw, _('an exact decimal such as "0.0175"'))
        try:
            exact = Decimal(raw.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise self.fail(key, raw, _('an exact decimal such as "0.0175"')) from None
        return exact

    def rates(self, raw: Any, key: str) -> tuple[RateStep, ...]:
        if not isinstance(raw, list) or not 0 < len(raw) <= MAX_STEPS:
            raise self.fail(
                key,
                raw,
                _("a list of at most {count} {{from, rate, source}} steps").format(count=MAX_STEPS),
            )
        steps = []
        for i, step in enumerate(raw):
            where = f"{key}[{i}]"
            if not isinstance(step, dict) or "source" not in step:
                raise self.fail(where, step, _('a table {from = DATE, rate = "0.0175", source}'))
            effective = self.value(_DATE, step.get("from"), f"{where}.from")
            rate = self.value(_RATE, step.get("rate"), f"{where}.rate")
            citation = self.citation(step["source"], where)
            steps.append(RateStep(effective, rate, citation.english(), citation))
        if any(a.effective >= b.effective for a, b in itertools.pairwise(steps)):
            raise self.fail(key, [s.effective.isoformat() for s in steps], _("steps in date order"))
        return tuple(steps)

    def figure(self, name: str, raw: Any, key: str) -> Figure[Any]:
        kind = FIGURE_KINDS.get(name)
        if kind is None:
            raise self.fail(
                key, name, _("a figure named one of {names}").format(names=", ".join(FIGURE_KINDS))
            )
        if not isinstance(raw, dict):
            raise self.fail(key, raw, _("a table with value (or unknown) and source"))
        if "source" not in raw:
            raise self.fail(
                f"{key}.source", None, _("a source for every figure (notice and clause)")
            )
        twins = ("value_zh", "assumption_zh", "unknown_zh") if kind == _TEXT else (
            "assumption_zh", "unknown_zh")  # fmt: skip
        extra = set(raw) - {"value", "source", "assumption", "unknown", *twins}
        if extra:
            self.stray_twins(raw, key, twins)
            raise self.fail(key, sorted(extra), _("only value, source, assumption, unknown"))
        citation = self.citation(raw["source"], key)
        assumption = raw.get("assumption", "")
        if not isinstance(assumption, str):
            raise self.fail(f"{key}.assumption", assumption, _("a text saying why it is assumed"))
        assumption_zh = self.twin(raw, "assumption", key)
        if "unknown" in raw:
            if "value" in raw:
                raise self.fail(key, raw["value"], _("either a value or unknown, not both"))
            why = self.text(raw, "unknown", key)
            why_zh = self.twin(raw, "unknown", key)
            return Figure(None, citation.english(), False, why, citation, True, why_zh)
        self.twin(raw, "unknown", key)  # refused: a twin of no reason
        if "value" not in raw:
            if kind != _OPTIONAL_DATE:
                raise self.fail(f"{key}.value", None, _("a value (or unknown = WHY)"))
            return Figure(
                None, citation.english(), bool(assumption), assumption, citation, False,
                assumption_zh,
            )  # fmt: skip
        value = self.value(kind, raw["value"], f"{key}.value")
        value_zh = self.twin(raw, "value", key) if kind == _TEXT else ""
        return Figure(
            value, citation.english(), bool(assumption), assumption, citation, False,
            assumption_zh, value_zh,
        )  # fmt: skip


def _notices(raw: Any, where: str, inherited: Mapping[str, Notice]) -> dict[str, Notice]:
    reader = _Reader(where, {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise reader.fail("notices", raw, _("tables [notices.KEY] with issuer and title"))
    out = dict(inherited)
    for key, table in raw.items():
        if not isinstance(table, dict):
            raise reader.fail(f"notices.{key}", table, _("a table with issuer and title"))
        twins = ("issuer_zh", "title_zh", "read_at_zh", "note_zh")
        extra = set(table) - {"issuer", "title", "date", "read_at", "grade", "note", "number",
                              *twins}  # fmt: skip
        if extra:
            reader.stray_twins(table, f"notices.{key}", twins)
            raise reader.fail(f"notices.{key}", sorted(extra), _("issuer, title, date, read_at, "
                              "grade, note, number"))  # fmt: skip
        grade = table.get("grade", "")
        if grade not in ("", "C", "S", "U"):
            raise reader.fail(f"notices.{key}.grade", grade, _("C, S or U"))
        out[key] = Notice(
            key,
            reader.text(table, "issuer", f"notices.{key}"),
            reader.text(table, "title", f"notices.{key}"),
            str(table.get("date", "")),
            str(table.get("read_at", "")),
            grade,
            str(table.get("note", "") or table.get("number", "")),
            reader.twin(table, "title", f"notices.{key}"),
            reader.twin(table, "read_at", f"notices.{key}"),
            reader.twin(table, "note", f"notices.{key}"),
            reader.twin(table, "issuer", f"notices.{key}"),
        )
    return out


def own_figure(row: PolicyRow, name: str) -> Figure[Any]:
    """A figure of ``row``'s version that a program's rule reads (``provinces``,
    ``loan_rate_cap``), from the package's policy file or a user's (see
    :meth:`PolicyRow.figure`)."""
    return row.figure(name)


_REGISTERED: dict[str, tuple[str, str, Path | None]] = {}
"""Each registered program's Chinese and English names and its own policy file (None:
the package's), by id, in registration order. :func:`calculators.engine.program.register`
writes here: the registry's rules read this module's rows, so this module does not
import the registry."""


def note_program(program_id: str, name_zh: str, name_en: str, policy_file: Path | None) -> None:
    """Record a registered program's names and own policy file (see ``_REGISTERED``)."""
    _REGISTERED[program_id] = (name_zh, name_en, policy_file)


def forget_program(program_id: str) -> None:
    """Forget a program the registry no longer holds."""
    _REGISTERED.pop(program_id, None)


def program_title(code: str) -> str:
    """A program as messages name it: by its Chinese name in Chinese (科技创新再贷款, from
    the registry or its policy file), by its code in English (``tech``, as the English
    messages have always read: "tech relending"); the code for a program relend does
    not know."""
    if language() != "zh":
        return code
    found = _REGISTERED.get(code)
    names = found[:2] if found is not None else ("", "")
    if not any(names):
        shipped = PolicyTable.package().programs.get(code)
        names = (shipped.name_zh, shipped.name_en) if shipped is not None else ("", "")
    return names[0] or code


@dataclass(frozen=True)
class ProgramPolicy:
    """One program's versions as read from its policy file(s); ``reviewed`` is the day
    their sources were last checked against the notices (None: not said)."""

    program: str
    name_zh: str
    name_en: str
    notices: Mapping[str, Notice]
    versions: tuple[PolicyVersion, ...]
    reviewed: dt.date | None = None


def _parse(
    data: Mapping[str, Any], where: str, origin: str, base: ProgramPolicy | None = None
) -> ProgramPolicy:
    """A program's policy from a parsed file; ``base`` is superseded version by version."""
    reader = _Reader(where, {})
    if data.get("schema") != SCHEMA:
        raise reader.fail(
            "schema", data.get("schema"), _("schema = {schema}").format(schema=SCHEMA)
        )
    unknown_keys = set(data) - {"schema", "program", "notices", "versions"}
    if unknown_keys:
        raise reader.fail("keys", sorted(unknown_keys), _("schema, program, notices, versions"))
    program = data.get("program")
    if not isinstance(program, dict) or not isinstance(program.get("id"), str):
        raise reader.fail("program", program, _("a [program] table with an id"))
    pid = program["id"]
    if base is not None and pid != base.program:
        raise reader.fail("program.id", pid, f"{base.program}")
    notices = _notices(data.get("notices"), where, base.notices if base else {})
    reviewed = program.get("reviewed", base.reviewed if base else None)
    if reviewed is not None and (
        not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime)
    ):
        raise reader.fail(
            "program.reviewed", reviewed, _("a date such as 2022-04-01 (TOML date, unquoted)")
        )
    reader = _Reader(where, notices)
    raw_versions = data.get("versions", [])
    if not isinstance(raw_versions, list) or not raw_versions:
        raise reader.fail("versions", raw_versions, _("one or more [[versions]] tables"))
    too_many = _("at most {count} versions of a program").format(count=MAX_VERSIONS)
    if len(raw_versions) > MAX_VERSIONS:
        raise reader.fail("versions", _("{count} versions").format(count=len(raw_versions)),
                          too_many)  # fmt: skip
    existing = {v.version: v for v in base.versions} if base else {}
    versions = dict(existing)
    for i, raw in enumerate(raw_versions):
        key = f"versions[{i}]"  # the TOML path, as the user finds it in the file
        if not isinstance(raw, dict):
            raise reader.fail(key, raw, _("a [[versions]] table"))
        vid = reader.text(raw, "id", key)
        if not _VERSION_ID.fullmatch(vid):
            raise reader.fail(
                f"{key}.id",
                vid,
                _("an id of at most 64 letters, digits, '.', '_' and '-', the first a letter "
                  "or digit, such as tech-2022"),
            )  # fmt: skip
        figures = {
            name: reader.figure(name, value, f"{key}.{name}")
            for name, value in raw.items()
            if name not in ("id", "title", "title_zh", "notice")
        }
        title_zh = reader.twin(raw, "title", key)
        old = existing.get(vid)
        if old is not None:  # superseded: what the file gives is checked as a new one's
            figures = {**old.figures, **figures}
            title = reader.text(raw, "title", key) if "title" in raw else old.title
            title_zh = title_zh if "title" in raw else old.title_zh
            notice_key = str(raw.get("notice", old.notice.key))
        else:
            title = reader.text(raw, "title", key)
            notice_key = str(raw.get("notice"))
        if notice_key not in notices:
            raise reader.fail(
                f"{key}.notice",
                notice_key,
                _("one of {names}").format(names=", ".join(notices)),
            )
        notice = notices[notice_key]
        _check_complete(reader, key, figures)
        _check_shape(reader, key, figures, [*existing.values(), *versions.values()])
        versions[vid] = PolicyVersion(pid, vid, title, notice, figures, origin, title_zh)
    if base is None and len(versions) != len(raw_versions):
        raise reader.fail("versions", _("a repeated id"), _("each version id once"))
    if len(versions) > MAX_VERSIONS:
        raise reader.fail(
            "versions",
            _("{count} versions with those of relend").format(count=len(versions)),
            too_many,
        )
    policy = ProgramPolicy(
        pid,
        str(program.get("name_zh", base.name_zh if base else "")),
        str(program.get("name_en", base.name_en if base else "")),
        notices,
        tuple(replace(v, reviewed=reviewed) for v in sorted(versions.values(), key=_start)),
        reviewed,
    )
    given = {str(raw.get("id")): i for i, raw in enumerate(raw_versions)}
    _check_windows(reader, policy, given)
    return policy


def _start(version: PolicyVersion) -> tuple[int, dt.date]:
    first = version.figures.get("first_disbursement")
    if first is not None and first.value is not None:
        return (0, first.value)
    quarter = version.figures["first_quarter"].value
    return (1, quarter.start)


def _check_complete(reader: _Reader, key: str, figures: Mapping[str, Figure[Any]]) -> None:
    shape = LOAN_WINDOW_FIGURES if "first_disbursement" in figures else QUARTER_FIGURES
    missing = [name for name in shape if name not in figures]
    if missing:
        raise reader.fail(
            key,
            _("missing {names}").format(names=", ".join(missing)),
            _("the figures {names}").format(names=", ".join(shape)),
        )
    if "lenders" in figures and not figures["lenders"].unknown:
        strange = [c for c in figures["lenders"].value if c not in _LENDER_CODES]
        if strange:
            raise reader.fail(f"{key}.lenders", strange[0], _("lender codes relend knows"))
    if "provinces" in figures and not figures["provinces"].unknown:  # read as numbers
        strange = [c for c in figures["provinces"].value if not _PROVINCE.fullmatch(c)]
        if strange:
            raise reader.fail(
                f"{key}.provinces", strange[0], _("2-digit province codes such as 33")
            )


def _check_shape(
    reader: _Reader, key: str, figures: Mapping[str, Figure[Any]], others: list[PolicyVersion]
) -> None:
    """A version of the shape of the program's others: a loan window
    (``first_disbursement`` ...) or quarters (``first_quarter`` ...), which the program's
    code reads."""
    if not others:
        return
    windows = "first_disbursement" in others[0].figures
    if ("first_disbursement" in figures) != windows:
        shape = LOAN_WINDOW_FIGURES if windows else QUARTER_FIGURES
        raise reader.fail(
            key,
            sorted(figures),
            _("the figures of the program's other versions: {names}").format(
                names=", ".join(shape)
            ),
        )


def _bounds(version: PolicyVersion) -> tuple[dt.date, dt.date]:
    figures = version.figures
    if "first_disbursement" in figures:
        last = figures["last_disbursement"].value
        return figures["first_disbursement"].value, last or dt.date.max
    return figures["first_quarter"].value.start, figures["last_quarter"].value.end


def _check_windows(reader: _Reader, policy: ProgramPolicy, given: Mapping[str, int]) -> None:
    """Windows that end after they start and do not overlap; a version is named by its
    TOML path when this file gives it (``given``: id to index), else by its id."""

    def key(vid: str) -> str:
        return f"versions[{given[vid]}]" if vid in given else f"versions.{vid}"

    spans = [(_bounds(v), v.version) for v in policy.versions]
    for (first, last), vid in spans:
        if last < first:
            raise reader.fail(
                key(vid),
                _("{first} to {last}").format(first=first, last=last),
                _("a window that ends after it starts"),
            )
    for ((_first, end), a), ((start, _last), b) in itertools.pairwise(spans):
        if start <= end:
            raise reader.fail(
                key(b) if b in given or a not in given else f"{key(a)} / {key(b)}",
                _("starts {start}, before {version} ends ({end})").format(
                    start=start, version=a, end=end),
                _("versions of a program whose windows do not overlap"),
            )  # fmt: skip


# the package policy files' reasons for a figure no source gives (``unknown = "..."``),
# marked for the catalog: a message naming the figure shows them in the user's language;
# a user's own policy file's reasons are shown as written
_PACKAGE_UNKNOWN = (
    N_(
        "no source gives the incentive ratio for 2023Q3-2024Q4 (2% kept, or changed); "
        "supply it with a policy file (--policy FILE)"
    ),
    N_(
        "no source gives the swap's fixed rate for 2023Q3-2024Q4; supply it with a policy "
        "file (--policy FILE)"
    ),
    N_(
        "the notice allows extensions as the case may be (可视情况展期) without saying how "
        "many; relend allows none unless a policy file gives the number (figure "
        "max_extensions)"
    ),
)


def why_unknown(why: str) -> str:
    """Why no source gives a figure, in the current language when the package says it."""
    return _(why) if why in _PACKAGE_UNKNOWN else why


_TOML_AT = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)", re.DOTALL)


def _load_toml(data: bytes, where: str) -> dict[str, Any]:
    """A policy file's bytes as TOML, or :class:`PolicyFileError` in one line.

    A UTF-8 byte order mark (as Windows editors save) is skipped. The text is checked
    to be UTF-8 first, naming the line of the first byte that is not; tomllib's syntax
    errors keep its words as the value shown, the line and column and the cause said in
    the user's language. tomllib reads nested arrays and tables by recursion, so a
    file nested some hundreds deep stops it with ``RecursionError``; dotted keys
    (``a.a.a... = 1``) nest tables without it, and a document nested more than
    :data:`MAX_DEPTH` deep is refused alike, before any ``str`` of a value recurses;
    Python refuses integers of more than 4,300 digits with ``ValueError``: all are
    refused as files, not as relend's failures.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = data.count(b"\n", 0, exc.start) + 1
        raise PolicyFileError(
            "{where}: {at}".format(where=where, at=_("line {line}").format(line=first)),
            data[exc.start : exc.start + 4],
            _("a policy file in UTF-8 (save it as UTF-8 text)"),
        ) from None
    too_deep = PolicyFileError(
        where,
        _("arrays or tables nested too deep to read"),
        _("a policy file whose arrays and tables are nested a few levels deep"),
    )
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.fullmatch(str(exc))
        words, line, column = found.groups() if found else (str(exc), None, None)
        at = (
            _("line {line}, column {column}").format(line=line, column=column)
            if line
            else _("the end of the file")
        )
        raise PolicyFileError(
            f"{where}: {at}",
            words,
            _("a well-formed TOML policy file (what is written at {at} is not TOML)").format(at=at),
        ) from None
    except RecursionError:
        raise too_deep from None
    except ValueError:  # tomllib's int() of a number of more than 4,300 digits
        raise PolicyFileError(
            where,
            _("a number too long to read"),
            _("a policy file whose numbers have a few digits (ratios and rates as strings)"),
        ) from None
    if _deeper_than(parsed, MAX_DEPTH):  # dotted keys nest without tomllib's recursion
        raise too_deep
    return parsed


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays and tables nest more than ``limit`` deep in ``data`` (walked with a
    stack: ``str`` or ``repr`` of a value nested thousands deep, as dotted keys
    ``a.a.a...`` make it, would itself fail by recursion)."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    return False


@dataclass(frozen=True)
class PolicyTable:
    """Every program's versions: the package data, with any user policy files applied.

    Attributes
    ----------
    programs : Mapping of str to ProgramPolicy
    source : dict
        What the table was made from, for summaries: ``{"package": <relend version>,
        "files": [{"path", "sha256"}]}``.
    """

    programs: Mapping[str, ProgramPolicy]
    files: tuple[tuple[str, str], ...] = ()

    @classmethod
    def package(cls) -> PolicyTable:
        """The reviewed policy data shipped with relend (every ``policies/*.toml``), with
        the policy file of any program registered with one of its own."""
        extra = tuple((code, str(file)) for code, (_, _, file) in _REGISTERED.items() if file)
        return _package_table(extra)

    def with_file(self, path: str | Path) -> PolicyTable:
        """This table with a user policy file applied: versions added or superseded.

        Raises
        ------
        PolicyFileError
            If the file cannot be read, is malformed, leaves a figure without a source,
            or makes two versions' windows overlap.
        """
        try:
            with Path(path).open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)  # a larger file is not read whole
        except OSError as exc:
            raise PolicyFileError(
                "policy",
                str(path),
                _("a readable policy file ({reason})").format(
                    reason=os_reason(exc) if exc.strerror else exc
                ),
            ) from None
        if len(data) > MAX_FILE_BYTES:
            raise PolicyFileError(
                "policy",
                str(path),
                _("a policy file of at most {size} MiB").format(size=MAX_FILE_BYTES >> 20),
            )
        parsed = _load_toml(data, str(path))
        digest = hashlib.sha256(data).hexdigest()
        program = (
            parsed.get("program", {}).get("id") if isinstance(parsed.get("program"), dict) else None
        )
        base = self.programs.get(program) if isinstance(program, str) else None
        if program is not None and base is None:
            raise PolicyFileError(
                f"{path}: program.id",
                program,
                _("one of {names}").format(names=", ".join(self.programs)),
            )
        policy = _parse(parsed, str(path), f"sha256:{digest}", base)
        programs = dict(self.programs)
        programs[policy.program] = policy
        return PolicyTable(MappingProxyType(programs), (*self.files, (str(path), digest)))

    def source(self, relend_version: str) -> dict[str, Any]:
        """What this table was made from, for summaries (``policy_source``)."""
        out: dict[str, Any] = {"package": f"relend {relend_version}"}
        if self.files:
            out["files"] = [{"path": p, "sha256": d} for p, d in self.files]
        return out

    def program(self, program: str) -> ProgramPolicy:
        """A program's versions, or :class:`PolicyNotFoundError` naming the programs."""
        try:
            return self.programs[program]
        except KeyError:
            raise PolicyNotFoundError(
                "program", program, _("one of {names}").format(names=", ".join(self.programs))
            ) from None

    def version(self, program: str, version: str) -> PolicyVersion:
        """One version by id, or :class:`PolicyNotFoundError` naming the ids."""
        versions = self.program(program).versions
        for found in versions:
            if found.version == version:
                return found
        raise PolicyNotFoundError(
            "version",
            version,
            _("one of {names}").format(names=", ".join(v.version for v in versions)),
        )

    def rows(self, program: str) -> tuple[PolicyRow, ...]:
        """A loan-window program's versions, typed for the claim engine."""
        return tuple(policy_row(v) for v in self.program(program).versions)


@functools.cache
def _package_table(extra: tuple[tuple[str, str], ...]) -> PolicyTable:
    folder = resources.files("calculators.policies")
    sources = [(entry.name, entry.read_bytes()) for entry in sorted(
        folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".toml")]  # fmt: skip
    sources += [(path, Path(path).read_bytes()) for _, path in extra]
    programs = {}
    for name, data in sources:
        policy = _parse(_load_toml(data, name), name, "package")
        programs[policy.program] = policy
    return PolicyTable(MappingProxyType(programs))


def policy_row(version: PolicyVersion) -> PolicyRow:
    """A loan-window version as a :class:`PolicyRow` (its figures must all be known, but
    ``max_extensions``: no claim needs it, and the facility refuses an extension when it
    is unknown)."""
    figures = {
        name: version.figures[name] if name == "max_extensions" else version.figure(name)
        for name in LOAN_WINDOW_FIGURES
    }
    if "categories" in version.figures:
        figures["categories"] = version.figure("categories")
    others = {n: f for n, f in version.figures.items() if n not in figures}
    return PolicyRow(
        program=version.program,
        version=version.version,
        title=version.title_text(),
        origin=version.origin,
        others=MappingProxyType(others),
        **figures,
    )


def policy_table(policy: PolicyTable | str | Path | Iterable[str | Path] | None) -> PolicyTable:
    """The package table with the user's policy file(s) applied (None: the package's)."""
    if isinstance(policy, PolicyTable):
        return policy
    table = PolicyTable.package()
    if policy is None:
        return table
    paths = [policy] if isinstance(policy, str | Path) else list(policy)
    for path in paths:
        table = table.with_file(path)
    return table


def policy_for(program: str, day: dt.date, policy: PolicyTable | None = None) -> PolicyRow:
    """The version covering loans of ``program`` disbursed on ``day``.

    Raises
    ------
    PolicyNotFoundError
        If no version covers that date; the message gives the windows that exist.
    """
    rows = policy_table(policy).rows(program)
    for row in rows:
        if row.covers(day):
            return row
    windows = _("; ").join(r.window() for r in rows)
    raise PolicyNotFoundError(
        "date",
        day.isoformat(),
        _("a date in a {program} window ({windows})").format(
            program=program_title(program), windows=windows
        ),
    )


def policies_for_period(
    program: str, period: Quarter | Month, policy: PolicyTable | None = None
) -> tuple[PolicyRow, ...]:
    """Every version whose loan window overlaps ``period``, in date order.

    Raises
    ------
    PolicyNotFoundError
        If none does; the message gives the windows that exist.
    """
    rows = policy_table(policy).rows(program)
    found = tuple(row for row in rows if row.overlaps(period))
    if not found:
        windows = _("; ").join(r.window() for r in rows)
        raise PolicyNotFoundError(
            "quarter",
            str(period),
            _("a period overlapping a {program} window ({windows})").format(
                program=program_title(program), windows=windows
            ),
        )
    return found


def policy_for_period(
    program: str, period: Quarter | Month, policy: PolicyTable | None = None
) -> PolicyRow:
    """The first version whose loan window overlaps ``period`` (see
    :func:`policies_for_period` for all of them)."""
    return policies_for_period(program, period, policy)[0]
