"""The program registry: one :class:`Program` value per relending program.

A program of the "先贷后借" shape (the bank lends, then claims a share of the principal)
differs from another only by data and rules: its policy versions (a TOML file in
``calculators/policies``), the ledger columns it needs beyond the common ones, the
reference lists it reads (each required or optional), and its exclusion rules as
``(reason code, rule)`` pairs. The generic claim engine (:mod:`calculators.engine.claim`)
runs any registered program; the command line, the audit and the reason codes are
built from this registry. Adding a program is one rules module that calls
:func:`register`, one policy file and one golden test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from .._errors import ParameterError
from .._i18n import Label, _
from ..policy.checks import add_figure_kinds, remove_figure_kinds
from ..policy.table import forget_program, note_program
from ..readers.columns import add_columns, remove_columns
from .codes import add_reasons
from .labels import add_labels, add_list_help, forget_labels

if TYPE_CHECKING:
    import pandas as pd

    from ..columnar.ids import IdSet
    from ..policy.model import PolicyRow
    from .validate import LoanColumns


@dataclass(frozen=True)
class ReferenceList:
    """A list of borrower ids a program reads (eligible firms, a blacklist).

    Attributes
    ----------
    name : str
        The Python keyword and the summary key (``eligible_borrowers``); the command-line
        option is the same with dashes (``--eligible-borrowers``).
    required : bool
        A claim without a required list is refused; without an optional one the rule
        that reads it is skipped and the summary says so (``unscreened``).
    help : str
        What the list is, for the command line's help, in English.
    missing : tuple of (code, message), optional
        For an optional list: the warning when it is not given (the rule reading it is
        skipped, and the summary's ``screening`` says ``not_screened``).
    empty : tuple of (code, message), optional
        For an optional list: the warning when it holds no ids.
    label : Label, optional
        The list's name in both languages, for the workbooks and the web app.
    help_zh : str
        ``help`` in Chinese. The first program to register a list gives its option's
        help in both languages.

    Notes
    -----
    A required list must hold at least one id: an empty list of eligible borrowers
    would make every loan ineligible, silently.
    """

    name: str
    required: bool
    help: str
    missing: tuple[str, str] | None = None
    empty: tuple[str, str] | None = None
    label: Label | None = None
    help_zh: str = ""

    @property
    def what(self) -> str:
        """The list's name in messages, ``eligible-borrowers``."""
        return self.name.replace("_", "-")

    @property
    def option(self) -> str:
        """The command-line option, ``--eligible-borrowers``."""
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class LedgerColumn:
    """A ledger column a program reads beyond the common ones.

    Attributes
    ----------
    key : str
        Its canonical name, in every output (``carbon_field``).
    headers : tuple of str
        The Chinese headers a ledger may give it, the first the one relend writes
        (``碳减排领域``, ``领域``). A header another column has too goes to the column
        listed first, unless a claim requires the other.
    label : Label
        Its name in both languages, for the summary and the workbooks.
    required : bool, default True
        A ledger without it is refused; an optional column (tech's ``first_loan``) is
        read when it is there.
    """

    key: str
    headers: tuple[str, ...]
    label: Label
    required: bool = True


@dataclass(frozen=True)
class OwnFigure:
    """A figure of a program's policy versions that only its rules read.

    Attributes
    ----------
    name : str
        Its key in the policy file (``provinces``).
    kind : str
        The kind of its value, one of :data:`calculators.policy.checks.KINDS` (``codes``).
    label : Label
        Its name in both languages, for ``relend policy show`` and the workbooks.
    """

    name: str
    kind: str
    label: Label


@dataclass(frozen=True)
class RuleInput:
    """What an exclusion rule sees.

    Attributes
    ----------
    columns : LoanColumns
        The ledger's validated columns.
    open_rows : numpy.ndarray of bool
        Rows no earlier reason decided; a rule's mask matters only there (a rule may
        look up only these rows, to save work).
    lists : Mapping of str to IdSet or None
        The program's reference lists by name (None: an optional list not given).
    versions : tuple of PolicyRow
        The policy versions overlapping the claim period.
    version : numpy.ndarray of int (int8, or wider for hundreds of versions)
        Per row, the index into ``versions`` of the version covering the loan's
        disbursement date (-1: none).
    """

    columns: LoanColumns
    open_rows: np.ndarray
    lists: Mapping[str, IdSet | None]
    versions: tuple[PolicyRow, ...]
    version: np.ndarray


Rule = Callable[[RuleInput], np.ndarray]


@dataclass(frozen=True)
class ClaimRows:
    """Consecutive rows of a classified ledger (the whole ledger in memory, one partition
    of a Dask ledger), as a program's own warnings and summary entries see them.

    Attributes
    ----------
    versions : tuple of PolicyRow
        Every version of the program, in date order.
    frame : pandas.DataFrame
        The rows as given (headers not yet renamed).
    codes : numpy.ndarray of int8
        Each row's reason, an index into :func:`calculators.engine.codes.reason_codes`.
    version : numpy.ndarray of int8
        Each row's index into ``versions`` (-1: none).
    principal_fen, entitlement_fen : numpy.ndarray of int64
        Each row's principal (0 where unreadable) and entitlement (the claim's, with the
        leftover fen of the one rounding as the whole ledger places them).
    """

    versions: tuple[PolicyRow, ...]
    frame: pd.DataFrame
    codes: np.ndarray
    version: np.ndarray
    principal_fen: np.ndarray
    entitlement_fen: np.ndarray


PartT = TypeVar("PartT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class RowsHook(Generic[PartT, ResultT]):
    """A program's own look at a classified ledger (its warnings, its summary entries),
    in two steps, so that a ledger in partitions gives what the ledger in memory gives.

    Attributes
    ----------
    part : callable of ClaimRows to a value
        What some consecutive rows give: the whole ledger's in memory, each partition's
        for a Dask ledger (on a cluster, on a worker: a value that pickles, and no text
        in the user's language). Keep it small: counts and sums of fen as Python ints.
    combine : callable of (tuple of PolicyRow, sequence of values) to the result
        The parts in ledger order, with every version of the program, into the result,
        on the machine that claims (text in the user's language here).
    needs : tuple of str
        Ledger columns (canonical keys) without which ``part`` finds nothing: on a
        ledger that lacks one, the part of no rows is taken, and a ledger read block by
        block is not read again for it (tech's first loans need ``first_loan``).

    Notes
    -----
    However the rows are cut into consecutive stretches, ``combine`` of the stretches'
    parts must equal ``combine`` of the whole ledger's one part: sums of fen and counts
    are exact integers, and a warning is written once, from the combined figures.
    """

    part: Callable[[ClaimRows], PartT] = field(repr=False)
    combine: Callable[[tuple[PolicyRow, ...], Sequence[PartT]], ResultT] = field(repr=False)
    needs: tuple[str, ...] = ()

    def __call__(self, rows: ClaimRows) -> ResultT:
        """The result on ``rows`` taken as one stretch (a ledger claimed in memory)."""
        return self.combine(rows.versions, (self.part(rows),))


Warn = RowsHook[Any, tuple[dict[str, str], ...]]
"""A program's warnings (``code``, ``message``) on a classified ledger."""
Summarize = RowsHook[Any, dict[str, Any]]
"""A program's own entries of a claim's summary, from a classified ledger."""
SummaryLines = Callable[[Mapping[str, Any]], "list[str]"]
"""A program's own lines of a claim's printed summary, from the summary (its own
entries among them)."""


@dataclass(frozen=True)
class ExclusionRule:
    """A reason code and the rule that gives the rows it applies to (a bool mask).

    Attributes
    ----------
    reason : str
    rule : callable of RuleInput to numpy.ndarray of bool
    invalid : bool
        The rule finds unusable rows (a bad value in a column the program needs): they
        are ``invalid``, checked after the common invalid reasons and before every
        exclusion. Otherwise the rows are ``excluded``.
    column : str
        The ledger column whose value the row's ``detail`` shows (``loan_rate='abc'``);
        "" for none.
    recognized : callable of pandas.Series to numpy.ndarray of bool, optional
        For a rule that excludes values it may not recognize (a borrower category): per
        value, whether relend knows it. The summary's ``unrecognized`` then lists, under
        ``column``, the values of this rule's rows that relend does not know, so that a
        misspelling shows at once (a known value the version does not support is left
        out).
    label : Label, optional
        The reason's words in both languages, beside the code in every output (a code
        relend's engine gives has its label already).
    note : callable of str to str or None, optional
        For an unrecognized value of ``column``: what to write instead, in the user's
        language, printed beside it (None: no advice for that value).
    """

    reason: str
    rule: Rule = field(repr=False)
    invalid: bool = False
    column: str = ""
    recognized: Callable[[pd.Series], np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    label: Label | None = None
    note: Callable[[str], str | None] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Program:
    """A relending program: everything that sets it apart, as data and rules.

    Attributes
    ----------
    id : str
        ``tech``; also the name of its policy file (``tech.toml``).
    name_zh, name_en : str
    summary_lines : callable, optional
        The program's own lines of a claim's printed summary, from the summary's dict
        (see :data:`SummaryLines`), in the user's language.
    claim_help : callable, optional
        A section of ``relend claim --help`` of the program's own (transport's borrower
        categories), in the user's language.
    own_figures : tuple of OwnFigure
        The figures of its policy versions that only its rules read: their kinds join
        the policy reader's, their labels the outputs'.
    own_columns : tuple of LedgerColumn
        The ledger columns the program declares: their headers join the column table,
        their labels the outputs', and the required ones are required of its ledgers.
    period : str
        The name of the claim period's parameter, ``quarter`` or ``month`` (a program
        whose versions change cadence keeps one name: transport's is ``quarter``).
    columns : tuple of str
        Ledger columns required beyond the common ones that the program does not
        declare itself (a column of another program, or one relend knows).
    lists : tuple of ReferenceList
    rules : tuple of ExclusionRule
        Applied after the common exclusions (currency, policy window, claim period,
        minimum term), in this order; the first that applies wins.
    policy_file : pathlib.Path or None
        The policy file; None for the package's ``calculators/policies/<id>.toml``.
    warn : RowsHook, optional
        Warnings about the classified rows (see :data:`Warn`), after the warnings known
        before the ledger is read.
    summarize : RowsHook, optional
        The program's own summary entries (see :data:`Summarize`).

    Notes
    -----
    ``warn`` and ``summarize`` look at the rows part by part (see :class:`RowsHook`), so
    that a Dask ledger's claim (:mod:`calculators.engine.partitioned`) gives the summary
    of the same ledger claimed in memory.
    """

    id: str
    name_zh: str
    name_en: str
    columns: tuple[str, ...] = ()
    lists: tuple[ReferenceList, ...] = ()
    rules: tuple[ExclusionRule, ...] = ()
    policy_file: Path | None = None
    warn: Warn | None = field(default=None, repr=False, compare=False)
    summarize: Summarize | None = field(default=None, repr=False, compare=False)
    period: str = "quarter"
    own_columns: tuple[LedgerColumn, ...] = ()
    summary_lines: SummaryLines | None = field(default=None, repr=False, compare=False)
    claim_help: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    own_figures: tuple[OwnFigure, ...] = ()

    def __post_init__(self) -> None:
        for name in ("warn", "summarize"):
            hook = getattr(self, name)
            if hook is not None and not isinstance(hook, RowsHook):
                raise TypeError(
                    f"{self.id}: {name} is a RowsHook(part, combine), not {type(hook).__name__}"
                )

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Every ledger column a claim of this program requires beyond the common ones."""
        own = tuple(c.key for c in self.own_columns if c.required)
        return tuple(dict.fromkeys((*self.columns, *own)))

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reason codes this program adds."""
        return tuple(r.reason for r in self.rules)

    @property
    def invalid_reasons(self) -> tuple[str, ...]:
        """The codes of the program's rules that find unusable rows."""
        return tuple(r.reason for r in self.rules if r.invalid)

    @property
    def exclusion_reasons(self) -> tuple[str, ...]:
        """The codes of the program's rules that exclude usable rows."""
        return tuple(r.reason for r in self.rules if not r.invalid)

    def reference_list(self, name: str) -> ReferenceList:
        """The list called ``name``, or :class:`ParameterError` naming the lists."""
        for found in self.lists:
            if found.name == name:
                return found
        names = ", ".join(x.name for x in self.lists) or _("none")
        raise ParameterError(
            name,
            "given",
            _("the lists of {program}: {names}").format(program=self.id, names=names),
        )


_PROGRAMS: dict[str, Program] = {}


def register(program: Program) -> Program:
    """Add ``program`` to the registry (a program registered again replaces itself).

    Its reason codes join the table of codes (:func:`calculators.engine.codes.add_reasons`),
    their labels and its lists' labels the label tables, and its lists' help the command
    line's and the web app's: nothing outside the program's own module names it.
    """
    add_figure_kinds({f.name: f.kind for f in program.own_figures})
    add_columns({c.key: c.headers for c in program.own_columns})
    add_labels(
        reasons={r.reason: r.label for r in program.rules if r.label is not None},
        lists={x.name: x.label for x in program.lists if x.label is not None},
        columns={c.key: c.label for c in program.own_columns},
        figures={f.name: f.label for f in program.own_figures},
    )
    for x in program.lists:
        if x.help_zh:
            add_list_help(x.name, x.help_zh)
    add_reasons(program.reasons, invalid=[r.reason for r in program.rules if r.invalid])
    _PROGRAMS[program.id] = program
    note_program(program.id, program.name_zh, program.name_en, program.policy_file)
    return program


def unregister(program_id: str) -> None:
    """Remove a program (for tests that register a toy one), with the labels only it
    gave."""
    program = _PROGRAMS.pop(program_id, None)
    if program is not None:
        others = list(_PROGRAMS.values())
        kept = {c.key for p in others for c in p.own_columns}
        gone = [c.key for c in program.own_columns if c.key not in kept]
        kept_figures = {f.name for p in others for f in p.own_figures}
        figures_gone = [f.name for f in program.own_figures if f.name not in kept_figures]
        forget_labels(
            reasons=[c for c in program.reasons if not any(c in p.reasons for p in others)],
            lists=[x.name for x in program.lists
                   if not any(x.name in (y.name for y in p.lists) for p in others)],
            columns=gone,
            figures=figures_gone,
        )  # fmt: skip
        remove_columns(gone)
        remove_figure_kinds(figures_gone)
    forget_program(program_id)


def registered() -> Mapping[str, Program]:
    """Every registered program, by id, in registration order."""
    return MappingProxyType(dict(_PROGRAMS))


def get_program(program_id: str) -> Program:
    """A registered program, or :class:`ParameterError` naming the ones there are."""
    try:
        return _PROGRAMS[program_id]
    except KeyError:
        raise ParameterError(
            "program", program_id, _("one of {names}").format(names=", ".join(_PROGRAMS))
        ) from None
