"""A computed claim: :class:`ClaimResult`, its summary (the JSON ``relend claim``
prints) and the per-loan output frame.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from calendars import Deadline, Month, Quarter
from calendars._calendar import calendar_title

from .._i18n import _
from .._money import ROUNDING_RULE, exact_sum, fen_to_yuan
from .._money import decimal_text as decimal_text  # moved there; kept importable here
from .._money import percent_text as percent_text
from .._version import relend_version as relend_version  # moved there; kept importable here
from ..columnar.parallel import in_threads
from ..policy.lenders import Lender
from ..policy.model import PolicyRow
from ..policy.table import program_title
from .codes import STATUSES, reason_codes, reason_index, status_of_reasons
from .details import INVALID_SHOWN, detail_column, examples, unrecognized_values
from .split import BLOCK_ROWS, RowVerdicts
from .validate import frame_digest, loan_id_column, loan_ids, principal_unit

_INVALID = 2  # the status code of invalid rows (see calculators.engine.codes)


@dataclass(frozen=True, eq=False)
class ClaimResult:
    """A computed relending claim.

    Attributes
    ----------
    program : str
    policy : PolicyRow
        The first policy version overlapping the period (see ``policies``).
    policies : tuple of PolicyRow
        Every version overlapping the period, in date order; each loan is claimed under
        the one covering its disbursement date (``policy_version`` per loan).
    quarter : Quarter or Month
        The claim period.
    lender : Lender
    loans : pandas.DataFrame
        Every input row in input order, its columns as given, plus ``principal_fen``
        (``Int64``, empty where invalid), ``status``, ``reason``, ``entitlement_fen``,
        ``detail`` (see :func:`row_details`) and ``policy_version``.
    eligible_principal_fen : int
    entitlement_fen : int
        ``round_half_up`` of the exact sum of each eligible loan's ratio x principal,
        rounded once.
    deadline : calendars.Deadline
    input_sha256 : str
        SHA-256 of the ledger file's bytes, or for a DataFrame of its content
        (computed on first use).
    lists : dict
        What reference lists were used and how many ids each held.
    screening : dict
        For each optional reference list a program screens borrowers against:
        ``screened`` or ``not_screened`` (transport without a dishonesty list).
    notes : tuple of dict
        Warnings known before the ledger was read (``code`` and ``message``), then the
        program's own about its rows and the file's; the summary adds that of a ledger
        without rows.
    policy_source : dict
        What the policy table was made from: the package, and any user policy files
        with their SHA-256.
    input_format : dict
        How the ledger file was read (CSV: ``encoding``, ``delimiter``; workbook:
        ``sheet``, ``header_row``); empty for a DataFrame.
    extra : dict
        The program's own entries of the summary (tech's ``first_loans``).
    book : str or None
        The book whose claims were left out as ``already_claimed`` (None: no book).
    """

    program: str
    policy: PolicyRow
    quarter: Quarter | Month
    lender: Lender
    loans: pd.DataFrame
    eligible_principal_fen: int
    entitlement_fen: int
    deadline: Deadline
    file_sha256: str | None
    lists: dict[str, Any]
    source_frame: pd.DataFrame = field(repr=False)
    screening: dict[str, str] = field(default_factory=dict)
    notes: tuple[dict[str, str], ...] = ()
    policies: tuple[PolicyRow, ...] = ()
    policy_source: dict[str, Any] = field(default_factory=dict)
    reasons_shown: tuple[str, ...] = ()
    input_format: dict[str, Any] = field(default_factory=dict)
    list_files: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    book: str | None = None

    def __repr__(self) -> str:
        versions = "+".join(p.version for p in self.policies) or self.policy.version
        return (
            f"<ClaimResult {self.program} {versions} {self.quarter} {self.lender.code}: "
            f"{len(self.loans):,} rows, entitlement {fen_to_yuan(self.entitlement_fen)} yuan, "
            f"apply by {self.deadline.date.isoformat()}>"
        )

    @functools.cached_property
    def input_sha256(self) -> str:
        """SHA-256 of the ledger file, or of the DataFrame's content."""
        return self.file_sha256 or frame_digest(self.source_frame)

    @property
    def loan_ids(self) -> pd.Series:
        """The ledger's loan ids, stripped, whatever the column's header (借据号, loan_id)."""
        return loan_ids(self.loans)

    def row_counts(self) -> tuple[int, dict[str, int], dict[str, int]]:
        """Rows in all, rows per status, rows per reason code (every code of the program,
        zeros kept)."""
        status = self.loans["status"].value_counts()
        reasons = self.loans["reason"].value_counts()
        return (
            len(self.loans),
            {s: int(status.get(s, 0)) for s in STATUSES},
            {code: int(reasons.get(code, 0)) for code in self.reasons_shown},
        )

    def version_totals(self) -> list[dict[str, Any]]:
        """Per policy version overlapping the period: eligible loans, their principal and
        entitlement (exact sums of the per-loan columns)."""
        loans = self.loans
        eligible = (loans["status"] == "eligible").to_numpy()
        out = []
        for row in self.policies:
            # compared on the categorical's codes: no column of Python strings
            mine = eligible & (loans["policy_version"] == row.version).to_numpy(dtype=bool)
            out.append(
                _version_total(
                    row, int(mine.sum()),
                    exact_sum(loans["principal_fen"].to_numpy(dtype=np.int64, na_value=0)[mine]),
                    exact_sum(loans["entitlement_fen"].to_numpy()[mine]),
                )
            )  # fmt: skip
        return out

    def invalid_examples(self, limit: int = INVALID_SHOWN) -> list[dict[str, Any]]:
        """The first ``limit`` invalid rows: line in the ledger file (the header is line 1,
        so row 0 is line 2), loan id as given, reason and detail."""
        status = self.loans["status"]
        rows = np.flatnonzero(status.cat.codes.to_numpy() == _INVALID)[:limit]
        shown = [loan_id_column(self.loans).name, "reason", "detail"]
        # the three columns first: taking rows of every text column would copy each
        return examples(self.loans[shown].iloc[rows])

    def program_entries(self) -> dict[str, Any]:
        """The program's own entries of the summary (tech's ``first_loans``)."""
        return self.extra

    def unrecognized(self) -> dict[str, dict[str, int]]:
        """Per column, the values rows were excluded for as unrecognized, with their
        counts (see :func:`~calculators.engine.details.unrecognized_values`)."""
        return unrecognized_values(self.loans)

    def warnings(self, total_rows: int) -> list[dict[str, str]]:
        """What the user should know about this claim, each with a stable ``code``."""
        found = list(self.notes)
        if total_rows == 0:
            found.append(
                {
                    "code": "ledger_has_no_rows",
                    "message": _("the ledger has a header and no rows: the claim is 0"),
                }
            )
        return found

    def summary(self) -> dict[str, Any]:
        """The claim as the JSON object ``relend claim --json`` prints.

        Notes
        -----
        ``invalid_rows`` lists the first 10 invalid rows (``line``, ``loan_id``,
        ``reason``, ``detail``); ``screening`` says which reference lists borrowers were
        screened against; ``warnings`` has ``code`` and ``message`` for each warning
        (``dishonest_list_not_given``, ``dishonest_list_empty``, ``ledger_has_no_rows``).
        ``principal_column`` and ``principal_unit`` say which column the principal was
        read from and in what unit (``元``, ``万元`` or ``分``).
        ``policy_versions`` gives each version overlapping the period with its ratio and
        the loans, principal and entitlement claimed under it; ``sources_by_version``
        every figure of each with its source.
        """
        total, status, reasons = self.row_counts()
        policies = self.policies or (self.policy,)
        ratios = {decimal_text(p.ratio.value) for p in policies}
        return {
            "tool": self.program,
            "policy": ", ".join(p.version for p in policies),
            "policy_title": ", ".join(dict.fromkeys(p.title for p in policies)),
            "quarter": str(self.quarter),
            "lender": self.lender.code,
            "lender_name": self.lender.name,
            "ratio": ratios.pop() if len(ratios) == 1 else _("by policy version"),
            "loans_total": total,
            "loans_eligible": status["eligible"],
            "loans_excluded": status["excluded"],
            "loans_invalid": status["invalid"],
            "reasons": reasons,
            "invalid_rows": self.invalid_examples() if status["invalid"] else [],
            "eligible_principal_fen": self.eligible_principal_fen,
            "eligible_principal_yuan": fen_to_yuan(self.eligible_principal_fen),
            "entitlement_fen": self.entitlement_fen,
            "entitlement_yuan": fen_to_yuan(self.entitlement_fen),
            "deadline": self.deadline.date.isoformat(),
            "deadline_nominal": self.deadline.nominal.isoformat(),
            "calendar": self.deadline.calendar,
            "calendar_status": self.deadline.calendar_status,
            "rounding": _(ROUNDING_RULE),
            "lists": self.lists,
            "list_files": self.list_files,
            "screening": self.screening,
            "warnings": self.warnings(total),
            "policy_versions": self.version_totals(),
            "policy_source": self.policy_source,
            "sources": self.policy.sources(),
            "sources_by_version": {p.version: p.sources() for p in policies},
            "input_sha256": self.input_sha256,
            "input_format": self.input_format,
            **principal_unit(self.source_frame.columns),
            "version": relend_version(),
            "unrecognized": self.unrecognized(),
            **self.program_entries(),
            **({"book": self.book} if self.book is not None else {}),
        }

    def _repr_html_(self) -> str:
        import html  # a notebook's: not loaded by every claim (it loads html.entities)

        s = self.summary()
        rows = [
            (_("program"), f"{program_title(s['tool'])} ({s['policy']})"),
            (_("period"), s["quarter"]),
            (_("lender"), f"{s['lender']} {s['lender_name']}"),
            (_("loans"), _("{total}: {eligible} eligible, {excluded} excluded, {invalid} invalid")
             .format(total=f"{s['loans_total']:,}", eligible=f"{s['loans_eligible']:,}",
                     excluded=f"{s['loans_excluded']:,}", invalid=f"{s['loans_invalid']:,}")),
            (_("eligible principal"), _("{yuan} yuan").format(yuan=s["eligible_principal_yuan"])),
            (_("entitlement"), _("{yuan} yuan ({ratio} × principal, rounded half up once)")
             .format(yuan=s["entitlement_yuan"], ratio=percent_text(s["ratio"]))),
            (_("apply by"), f"{s['deadline']} ({calendar_title(s['calendar'])}, "
                            f"{s['calendar_status']})"),
        ]  # fmt: skip
        body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in rows)  # fmt: skip
        return f"<table><caption>relend ClaimResult</caption>{body}</table>"


def _version_total(row: PolicyRow, loans: int, principal: int, entitlement: int) -> dict[str, Any]:
    return {
        "version": row.version,
        "title": row.title,
        "ratio": decimal_text(row.ratio.value),
        "origin": row.origin,
        "loans_eligible": loans,
        "eligible_principal_fen": principal,
        "entitlement_fen": entitlement,
        "entitlement_yuan": fen_to_yuan(entitlement),
    }


def per_loan_frame(
    frame: pd.DataFrame,
    verdicts: RowVerdicts,
    entitlement_fen: np.ndarray,
    versions: tuple[PolicyRow, ...],
) -> pd.DataFrame:
    """The ledger's rows and columns as given, then ``principal_fen`` (``Int64``, empty
    where invalid), ``status``, ``reason``, ``entitlement_fen``, ``detail`` (what was
    wrong with an invalid row, or the unrecognized value of an excluded one; else empty)
    and ``policy_version`` (the version covering the loan's disbursement date; empty for
    invalid rows and loans outside every version).

    Notes
    -----
    The new columns are put beside the input's without copying either (copy-on-write:
    the input is never changed). A ``principal_fen`` column in the input is replaced
    in place, by the parsed column itself.
    """
    by_reason = status_of_reasons()
    # per reason code: no version for invalid rows and loans outside every version
    versionless = by_reason == _INVALID
    versionless[[reason_index("before_policy_start"), reason_index("after_policy_end")]] = True
    status = np.empty(len(verdicts.codes), dtype=by_reason.dtype)
    version = np.empty(len(verdicts.codes), dtype=verdicts.version.dtype)

    def block(start: int) -> None:
        rows = slice(start, start + BLOCK_ROWS)
        codes = verdicts.codes[rows]
        np.take(by_reason, codes, out=status[rows])
        np.copyto(version[rows], np.where(versionless[codes], -1, verdicts.version[rows]))

    in_threads(block, list(range(0, len(status), BLOCK_ROWS)))
    added = {
        "principal_fen": pd.arrays.IntegerArray(verdicts.principal_fen, ~verdicts.principal_ok),
        "status": pd.Categorical.from_codes(status, categories=list(STATUSES)),
        "reason": pd.Categorical.from_codes(verdicts.codes, categories=list(reason_codes())),
        "entitlement_fen": entitlement_fen,
        "detail": detail_column(len(frame), verdicts.detail_rows, verdicts.details),
        "policy_version": pd.Categorical.from_codes(
            version, categories=[v.version for v in versions]
        ),
    }
    loans = frame.reset_index(drop=True)
    if "principal_fen" not in loans.columns:
        return pd.concat([loans, pd.DataFrame(added, copy=False)], axis=1)
    at = loans.columns.get_loc("principal_fen")
    if not isinstance(at, int):  # the name more than once: each is replaced
        loans["principal_fen"] = added.pop("principal_fen")
        return pd.concat([loans, pd.DataFrame(added, copy=False)], axis=1)
    # the parsed column put between the input's columns each side: assigning copies it
    parsed = pd.DataFrame({"principal_fen": added.pop("principal_fen")}, copy=False)
    parts = [loans.iloc[:, :at], parsed, loans.iloc[:, at + 1 :], pd.DataFrame(added, copy=False)]
    return pd.concat(parts, axis=1)
