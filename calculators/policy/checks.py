"""The checks of a policy file's values: the kind of each figure and the figures a
version must have, the bounds every value keeps to, the reader of one file's values
(:class:`_Reader`, which names the file and key of a value it refuses), and the checks of
a version's figures and of a program's windows."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import reprlib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from calendars import Quarter

from .._errors import ParameterError, PolicyFileError
from .._i18n import _
from .lenders import LENDERS
from .model import (
    CADENCES,
    Citation,
    Figure,
    Notice,
    PolicyVersion,
    ProgramPolicy,
    RateStep,
    bounds,
)

_DATE, _OPTIONAL_DATE, _RATIO, _RATE, _COUNT, _TEXT = "date", "date?", "ratio", "rate", "n", "text"
_CODES, _RATES, _CADENCE, _QUARTER = "codes", "rates", "cadence", "quarter"

_KINDS: dict[str, str] = dict(
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
        "lenders_open": _DATE,  # from then the lenders named are not all: others are warned
    }
)
FIGURE_KINDS: Mapping[str, str] = MappingProxyType(_KINDS)
"""Each figure a policy version may hold, by the kind of its value: those every program
shares here, each program's own added as it registers (:func:`add_figure_kinds`)."""

KINDS = (_DATE, _OPTIONAL_DATE, _RATIO, _RATE, _COUNT, _TEXT, _CODES)
"""The kinds a program's own figure may be: ``date``, ``date?`` (a date or none),
``ratio``, ``rate``, ``n`` (a whole number), ``text``, ``codes`` (a list of codes)."""


def add_figure_kinds(kinds: Mapping[str, str]) -> None:
    """Add a program's own figures (name -> kind, one of :data:`KINDS`).

    Raises
    ------
    ParameterError
        A kind not among :data:`KINDS`, or a figure that has another kind already.
    """
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise ParameterError(name, kind, _("one of {names}").format(names=", ".join(KINDS)))
        if _KINDS.get(name, kind) != kind:
            raise ParameterError(
                name, kind, _("the kind it already has: {kind}").format(kind=_KINDS[name])
            )
    _KINDS.update(kinds)


def remove_figure_kinds(names: Iterable[str]) -> None:
    """Remove figures a program added (for tests that register a toy one)."""
    for name in names:
        _KINDS.pop(name, None)


def shown_in_percent(name: str) -> bool:
    """Whether figure ``name`` is a ratio or a rate, shown in percent."""
    return FIGURE_KINDS.get(name) in (_RATIO, _RATE)


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


def _check_windows(reader: _Reader, policy: ProgramPolicy, given: Mapping[str, int]) -> None:
    """Windows that end after they start and do not overlap; a version is named by its
    TOML path when this file gives it (``given``: id to index), else by its id."""

    def key(vid: str) -> str:
        return f"versions[{given[vid]}]" if vid in given else f"versions.{vid}"

    spans = [(bounds(v), v.version) for v in policy.versions]
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
