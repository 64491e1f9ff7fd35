"""The policy model, in frozen dataclasses: the notices, citations and figures of a
program's versions, a version as read and as the claim engine reads it, and a program's
versions together.

Each figure holds its value and the notice and clause it comes from, with the line range
of the policy compilation in ``shared/sources`` where the notice is reprinted. A figure
no source states is marked as an assumption and says why; a figure no source gives at
all is ``unknown`` and relend refuses to compute with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Generic, TypeVar

from calendars import Month, Quarter

from .._errors import PolicyUnknownError
from .._i18n import N_, _, language, using_language
from .words import COMPILATION, chinese_punctuation, in_language

T = TypeVar("T")

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
        first, last = bounds(self)
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


def bounds(version: PolicyVersion) -> tuple[dt.date, dt.date]:
    """The first and last day a version covers: its loan window (``date.max`` when the
    window is open) or the days of its quarters."""
    figures = version.figures
    if "first_disbursement" in figures:
        last = figures["last_disbursement"].value
        return figures["first_disbursement"].value, last or dt.date.max
    return figures["first_quarter"].value.start, figures["last_quarter"].value.end


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
