"""The generic claim engine: any registered program, validated, classified and split.

Every input row is classified once, vectorized over whole columns, into ``eligible``,
``excluded`` or ``invalid`` with exactly one reason code; the first reason that applies
wins: invalid reasons first (:data:`calculators.engine.codes.INVALID_REASONS`), then the
exclusions every program shares (:data:`calculators.engine.codes.COMMON_EXCLUSIONS`), then
the program's own rules in the order it lists them (:mod:`calculators.engine.program`).

Each loan is claimed under the policy version covering its disbursement date, so a
period spanning two versions (tech 2024Q2: loans before and after 2024-04-07) is
claimed loan by loan; the per-loan output names the version (``policy_version``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calendars import BusinessCalendar, Deadline, Month, Quarter, deadline_for, parse_period

from .. import _progress
from .._errors import LenderError, ParameterError, PolicyNotFoundError
from .._i18n import _
from .._money import Shares, exact_sum, leftover_threshold
from ..columnar.duplicates import duplicated_ids
from ..columnar.ids import IdSet
from ..columnar.parallel import in_threads
from ..policy.lenders import Lender, find_lender, outside_lender
from ..policy.model import PolicyRow
from ..policy.table import PolicyTable, policy_table, program_title
from ..readers.ledger import LedgerFile, read_ledger
from ..readers.lists import IdList, id_list
from . import split as _split
from .books import open_book
from .claimed import ALREADY_CLAIMED, ClaimedElsewhere
from .classify import classify, version_dtype, version_of, window_exclusions
from .codes import COMMON_EXCLUSIONS, INVALID_REASONS
from .details import row_details
from .program import ClaimRows, Program, RuleInput, get_program
from .result import ClaimResult, per_loan_frame, relend_version
from .split import RowVerdicts
from .validate import Duplicates, Ledger, columns, load, loan_id_column


@dataclass(frozen=True)
class ClaimSpec:
    """Everything that defines a claim except the ledger itself.

    Attributes
    ----------
    program : Program
    period : Quarter or Month
    versions : tuple of PolicyRow
        Every version of the program, in date order (a loan is matched to the one
        covering its disbursement date).
    policies : tuple of PolicyRow
        The versions overlapping the period.
    lender : Lender
    deadline : calendars.Deadline
    lists : Mapping of str to IdSet or None
        The program's reference lists, read and checked.
    list_sizes : dict
        How many ids each list held (None: an optional list not given).
    screening : dict
    warnings : tuple of dict
    policy_source : dict
    list_files : dict
        The file each list was read from and its SHA-256 (None: ids given in Python, or
        an optional list not given).
    claimed : ClaimedElsewhere or None
        With a book: the loans other claims in force hold, excluded as
        ``already_claimed`` after every other reason.
    """

    program: Program
    period: Quarter | Month
    versions: tuple[PolicyRow, ...]
    policies: tuple[PolicyRow, ...]
    lender: Lender
    deadline: Deadline
    lists: Mapping[str, IdSet | None] = field(repr=False)
    list_sizes: dict[str, Any]
    screening: dict[str, str] = field(default_factory=dict)
    warnings: tuple[dict[str, str], ...] = ()
    policy_source: dict[str, Any] = field(default_factory=dict)
    list_files: dict[str, dict[str, str] | None] = field(default_factory=dict)
    claimed: ClaimedElsewhere | None = field(default=None, repr=False)

    @property
    def policy(self) -> PolicyRow:
        """The first version overlapping the period."""
        return self.policies[0]

    @property
    def extra_required(self) -> tuple[str, ...]:
        """Ledger columns the program needs beyond the common ones."""
        return self.program.required_columns

    @functools.cached_property
    def shares(self) -> Shares:
        """The versions' ratios over one denominator."""
        return Shares.of([v.ratio.value for v in self.versions])

    def classify_rows(
        self,
        frame: pd.DataFrame,
        duplicates: Duplicates = None,
        later: Callable[[], np.ndarray] | None = None,
    ) -> RowVerdicts:
        """Reason codes, principal and eligible principal for every row of ``frame``.

        ``later`` gives the rows carrying a duplicated loan id when the rest is
        classified (the search over the whole ledger runs beside the first blocks): the
        rules are row by row, and ``duplicate_loan_id`` comes before every reason but
        ``invalid_loan_id`` (never a duplicate), so the codes are the same.
        """
        unknown = None if later is None else np.zeros(len(frame), dtype=bool)
        cols = columns(frame, duplicates if later is None else unknown,
                       self.program.required_columns)  # fmt: skip
        version = version_of(cols.disbursed, self.versions)
        rules = self.program.rules
        unusable = np.logical_or.reduce([mask for _, mask in cols.invalid])
        checks = RuleInput(cols, ~unusable, self.lists, self.versions, version)
        own_invalid = [(r.reason, r.rule(checks)) for r in rules if r.invalid]
        window = window_exclusions(cols, self.versions, self.period, version)
        decided = np.logical_or.reduce([m for _, m in (*cols.invalid, *own_invalid, *window)])
        given = RuleInput(cols, ~decided, self.lists, self.versions, version)
        own = [(r.reason, r.rule(given)) for r in rules if not r.invalid]
        made = {}
        if self.claimed is not None:
            own.append((ALREADY_CLAIMED, self.claimed.mask(cols)))
            made[ALREADY_CLAIMED] = self.claimed.detail
        if later is not None:
            found = later()
            cols = replace(cols, invalid=[(name, found if name == "duplicate_loan_id" else mask)
                                          for name, mask in cols.invalid])  # fmt: skip
        codes = classify(cols, [*own_invalid, *window, *own])
        shown = {r.reason: r.column for r in rules if r.column}
        return RowVerdicts.of(
            codes, cols.principal_fen, cols.principal_ok, version, self.shares,
            row_details(cols, codes, shown, made),
        )  # fmt: skip

    def classify_frame(
        self, frame: pd.DataFrame, duplicates: Duplicates = None, *, progress: bool = False
    ) -> RowVerdicts:
        """The verdicts on every row of ``frame``: reason codes, principal, and the
        eligible principal's floor and remainder under its version's ratio, with their
        totals; ``progress`` shows a bar on stderr, advanced block by block, once
        classifying has taken two seconds.

        Notes
        -----
        Rows are classified in blocks of :data:`calculators.engine.split.BLOCK_ROWS`, on as
        many threads as there are cores (the Arrow and numpy kernels release the GIL), which also
        bounds the temporaries on large ledgers. Duplicate loan ids are searched over the
        whole frame on a thread of their own beside the first blocks, which wait for the
        search only to write their codes (see :meth:`classify_rows`). Block size and
        thread count never change a result (tested).
        """
        starts = range(0, max(len(frame), 1), _split.BLOCK_ROWS)
        verdicts = RowVerdicts.empty(
            len(frame), self.shares.denominator, version_dtype(len(self.versions))
        )
        with ThreadPoolExecutor(max_workers=1) as beside:
            search = None
            if duplicates is None and len(starts) > 1:
                search = beside.submit(duplicated_ids, loan_id_column(frame), len(starts))

            def block(start: int) -> RowVerdicts:
                rows = slice(start, start + _split.BLOCK_ROWS)
                part = duplicates[rows] if isinstance(duplicates, np.ndarray) else duplicates
                later = None if search is None else lambda: search.result()[rows]
                found = self.classify_rows(frame.iloc[rows], part, later)
                verdicts.put(start, found)
                bar.update(len(found.codes))
                return replace(found, detail_rows=found.detail_rows + start)

            with _progress.bar(len(frame), _progress.classifying(), progress) as bar:
                return verdicts.with_totals(in_threads(block, list(starts)))

    def entitlement(self, floors_total: int, remainder_counts: np.ndarray) -> int:
        """The one rounding of the claim (see :meth:`calculators._money.Shares.total`)."""
        return self.shares.total(floors_total, remainder_counts)

    def per_loan(
        self, frame: pd.DataFrame, verdicts: RowVerdicts, entitlement_fen: np.ndarray
    ) -> pd.DataFrame:
        """The per-loan output (see :func:`per_loan_frame`) with this claim's versions."""
        return per_loan_frame(frame, verdicts, entitlement_fen, self.versions)

    def result(
        self,
        kind: type[ClaimResult],
        loans: Any,
        principal_fen: int,
        entitlement_fen: int,
        digest: str | None,
        source: Any,
    ) -> Any:
        """The claim's result object, of ``kind`` (in memory or partitioned)."""
        return kind(
            program=self.program.id,
            policy=self.policy,
            quarter=self.period,
            lender=self.lender,
            loans=loans,
            eligible_principal_fen=principal_fen,
            entitlement_fen=entitlement_fen,
            deadline=self.deadline,
            file_sha256=digest,
            lists=self.list_sizes,
            list_files=self.list_files,
            source_frame=source,
            screening=self.screening,
            notes=self.warnings,
            policies=self.policies,
            policy_source=self.policy_source,
            book=None if self.claimed is None else self.claimed.book,
            reasons_shown=(
                "eligible",
                *COMMON_EXCLUSIONS,
                *self.program.exclusion_reasons,
                *((ALREADY_CLAIMED,) if self.claimed is not None else ()),
                *INVALID_REASONS,
                *self.program.invalid_reasons,
            ),
        )


def prepare(
    program: str | Program,
    period: str | Quarter | Month,
    lender: str | Lender,
    *,
    lists: Mapping[str, IdList | None] | None = None,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    book: Any = None,
) -> ClaimSpec:
    """Check the period, policy, lender and reference lists, and fix the deadline, before
    any ledger is read.

    Parameters
    ----------
    program : str or Program
        A registered program (see :mod:`calculators.engine.program`).
    period : str, Quarter or Month
        The claim period, of the cadence the program's versions in it use.
    lender : str or Lender
        Code or Chinese name; eligible under every version overlapping the period.
    lists : Mapping of str to path or iterable of ids, optional
        The program's reference lists by name (``eligible_borrowers``, ``dishonest``).
    calendar : BusinessCalendar or str, optional
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only.
    book : calculators.book.Book, path or URL, optional
        Leave out, as ``already_claimed``, the loans that the book's claims in force of
        another program, period or lender hold.

    Raises
    ------
    RelendInputError
        An unknown program, list or lender, a period no version covers or of the wrong
        cadence, a missing or empty required list.
    """
    found = program if isinstance(program, Program) else get_program(program)
    given = dict(lists or {})
    unknown = [name for name in given if name not in {x.name for x in found.lists}]
    if unknown:
        found.reference_list(unknown[0])  # raises, naming the program's lists
    table = policy_table(policy)
    versions = table.rows(found.id)
    span = parse_period(period) if isinstance(period, str) else period
    policies = tuple(v for v in versions if v.overlaps(span))
    if not policies:
        # TRANSLATORS: between the windows of a program's versions
        windows = _("; ").join(v.window() for v in versions)
        raise PolicyNotFoundError(
            "quarter" if isinstance(span, Quarter) else "month", str(span),
            _("a period overlapping a {program} window ({windows})").format(
                program=program_title(found.id), windows=windows),
        )  # fmt: skip
    cadence = "quarterly" if isinstance(span, Quarter) else "monthly"
    for row in policies:
        if row.cadence.value == cadence:
            continue
        if isinstance(span, Quarter):  # name the months to claim instead
            month, months = Month.containing(span.start), []
            while month.start <= span.end:
                months += [str(month)] if row.overlaps(month) else []
                month = month.next()
            raise ParameterError(
                "period", str(span),
                _("{version} is claimed monthly: the months {months} ({source})").format(
                    version=row.version, months=", ".join(months),
                    source=row.cadence.source_text()),
            )  # fmt: skip
        raise ParameterError(
            "period", str(span),
            _("a {cadence} period for {version}, e.g. {example} ({source})").format(
                cadence=_("quarterly"), version=row.version,
                example=Quarter.containing(span.start), source=row.cadence.source_text()),
        )  # fmt: skip
    eligible = tuple(c for c in policies[0].lenders.value
                     if all(c in row.lenders.value for row in policies))  # fmt: skip
    notes: list[dict[str, str]] = []
    try:
        lender_found = find_lender(lender, eligible, program_title(found.id))
    except LenderError:
        opened = [row.others.get("lenders_open") for row in policies]
        if not all(o is not None and o.value <= span.end for o in opened):
            raise
        lender_found = outside_lender(lender)
        notes.append(_open_list_warning(lender_found, policies[0], len(eligible)))
    reviewed = table.program(found.id).reviewed
    if reviewed is not None and span.end > reviewed:
        notes.append(_review_warning(span, found.id, reviewed))
    deadline = deadline_for(span, calendar)
    read: dict[str, IdSet | None] = {}
    sizes: dict[str, Any] = {}
    screening: dict[str, str] = {}
    files: dict[str, dict[str, str] | None] = {}
    for spec in found.lists:
        listed = id_list(given.get(spec.name), spec.what, required=spec.required)
        ids = None if listed is None else listed.ids
        read[spec.name], sizes[spec.name] = ids, None if ids is None else len(ids)
        files[spec.name] = (
            None
            if listed is None or listed.source is None
            else {"file": listed.source, "sha256": str(listed.sha256)}
        )
        if not spec.required:
            screening[spec.name] = "not_screened" if ids is None else "screened"
            warning = spec.missing if ids is None else spec.empty if not len(ids) else None
            if warning:
                notes.append({"code": warning[0], "message": _(warning[1])})
    return ClaimSpec(
        found, span, versions, policies, lender_found, deadline, read, sizes, screening,
        tuple(notes), table.source(relend_version()), files,
        _claimed_elsewhere(book, found.id, str(span), lender_found.code),
    )  # fmt: skip


def _open_list_warning(lender: Lender, row: PolicyRow, named: int) -> dict[str, str]:
    """The warning of a claim by a lender outside the named ones of a program whose list
    of lenders is open (carbon: local and foreign banks joined from 2022-09)."""
    figure = row.figure("lenders_open")
    return {
        "code": "lender_not_named",
        "message": _(
            "{lender} is not among the {count} lenders relend names for {program}; the "
            "list is open ({source}): the claim is computed, check that the lender was "
            "admitted to the tool"
        ).format(
            lender=lender.name,
            count=named,
            program=row.program,
            source=figure.citation.notice.shown("title") if figure.citation else figure.source,
        ),
    }


def _review_warning(period: Quarter | Month, program: str, reviewed: Any) -> dict[str, str]:
    """The warning of a claim whose period reaches past the day the program's policy data
    were last checked against the notices."""
    return {
        "code": "period_after_policy_review",
        "message": _(
            "{period} reaches past {reviewed}, the day relend's {program} policy data were "
            "last checked against the notices: a notice published after it is not in the "
            "data; give it with --policy FILE"
        ).format(period=period, reviewed=reviewed.isoformat(), program=program),
    }


def _claimed_elsewhere(
    book: Any, program: str, period: str, lender: str
) -> ClaimedElsewhere | None:
    """The loans of ``book``'s claims in force of another key (None: no book)."""
    if book is None:
        return None
    if isinstance(book, str | Path):
        with open_book(book) as opened:
            loans = opened.claimed_elsewhere(program, period, lender)
            return ClaimedElsewhere.of(opened.store.location, loans)
    return ClaimedElsewhere.of(book.store.location, book.claimed_elsewhere(program, period, lender))


def run_claim(spec: ClaimSpec, ledger: Ledger, *, progress: bool = False) -> ClaimResult:
    """Validate, classify and split a ledger in memory; ``progress`` shows bars on stderr
    for reading a CSV and classifying its rows, each once it has taken two seconds."""
    if isinstance(ledger, str | Path):
        ledger = read_ledger(ledger, progress=progress)  # keeps the file's notes and format
    frame, digest = load(ledger, spec.extra_required)
    verdicts = spec.classify_frame(frame, progress=progress)
    entitlement = spec.entitlement(verdicts.floors_total, verdicts.remainder_counts)
    r, take = leftover_threshold(verdicts.remainder_counts, entitlement - verdicts.floors_total)
    per_loan = verdicts.entitlements(spec.shares, r, take)
    loans = spec.per_loan(frame, verdicts, per_loan)
    program = spec.program
    warned: tuple[dict[str, str], ...] = ()
    extra: dict[str, Any] = {}
    if program.warn is not None or program.summarize is not None:
        rows = ClaimRows(spec.versions, frame, verdicts.codes, verdicts.version,
                         verdicts.principal_fen, per_loan)  # fmt: skip
        warned = program.warn(rows) if program.warn is not None else ()
        extra = program.summarize(rows) if program.summarize is not None else {}
    result = spec.result(
        ClaimResult,
        loans,
        verdicts.eligible_total,
        exact_sum(loans["entitlement_fen"]),
        digest,
        frame,
    )
    if warned or extra:
        result = replace(result, notes=(*result.notes, *warned), extra=extra)
    if not isinstance(ledger, LedgerFile):
        return result
    return replace(
        result, notes=(*result.notes, *ledger.notes), input_format=dict(ledger.input_format)
    )


def claim(
    program: str,
    ledger: Ledger,
    period: str | Quarter | Month,
    lender: str | Lender,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
    book: Any = None,
    **lists: IdList | None,
) -> ClaimResult:
    """Compute a lender's claim under any registered program.

    Parameters
    ----------
    program : str
        ``tech``, ``transport`` or another registered program.
    ledger : DataFrame or path
    period : str, Quarter or Month
    lender : str or Lender
    calendar : BusinessCalendar or str, optional
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only.
    progress : bool, default False
        Show progress bars on stderr for reading and classifying once a step has taken
        two seconds (see :mod:`calculators._progress`).
    book : calculators.book.Book, path or URL, optional
        Leave out, as ``already_claimed``, the loans already in a claim the book holds
        of another program, period or lender (a revision does not count against the
        claim it supersedes).
    **lists : path, iterable of ids or BorrowerList
        The program's reference lists by name (``eligible_borrowers=...``); a
        :class:`~calculators.BorrowerList` is read and checked once for many claims.
    """
    spec = prepare(
        program, period, lender, lists=lists, calendar=calendar, policy=policy, book=book
    )
    return run_claim(spec, ledger, progress=progress)
