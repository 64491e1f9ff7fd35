"""Claims over ledgers larger than one machine: the same pure functions, partition by partition.

A Dask DataFrame ledger is claimed in two passes over its partitions:

1. every partition is classified exactly as :func:`~calculators.engine.claim.run_claim`
   would (duplicates are found across the whole ledger first), and returns small
   totals: eligible principal, the sum of ``floor(ratio x principal)`` and how many
   eligible loans have each remainder;
2. from those totals the one rounding and the largest-remainder threshold are fixed
   for the whole ledger (:func:`calculators._money.leftover_threshold`), and each
   partition assigns its per-loan amounts, the first loans in ledger order taking
   the leftover fen at the threshold remainder.

The summary's counts come from one more pass, on first use, in which each partition
also gives its share of the program's own warnings and summary entries (its
:class:`~calculators.engine.program.RowsHook` ``part``: tech's first loans, elderly
care's loans excluded since the pilot was widened); the shares are combined in ledger
order on the machine that claims, in the user's language.

The result equals the in-memory claim on the same rows, loan for loan (tested), on
Dask's local schedulers and on a ``dask.distributed`` cluster of worker processes: the
claim's definition (:class:`~calculators.engine.claim.ClaimSpec`: policy versions, rules,
reference lists) and the set of duplicated ids are one node of the task graph each,
pickled to each worker once, and workers import ``calculators`` to unpickle them.
Dask is an optional dependency: ``pip install 'relend[dask]'``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ParameterError
from .._i18n import _
from .._money import exact_sum, leftover_threshold
from ..columnar.text import TEXT
from ..readers.columns import REQUIRED, canonical_columns
from .claim import ClaimSpec
from .codes import STATUSES
from .details import INVALID_SHOWN, examples
from .program import ClaimRows, RowsHook
from .result import ClaimResult, _version_total
from .validate import frame_digest, load, loan_ids, principal_disagreement, raise_disagreement


@dataclass(frozen=True, eq=False)
class PartitionedClaim(ClaimResult):
    """A claim whose ``loans`` is a Dask DataFrame (computed on demand).

    ``input_sha256`` is the SHA-256 of the partitions' content digests, in order.

    Attributes
    ----------
    spec : ClaimSpec
        The claim's definition.
    partition_tallies : tuple of dask.delayed.Delayed
        Per partition, in order: its counts, sums, first invalid rows and shares of the
        program's own warnings and entries (see :func:`_partition_tally`).

    Notes
    -----
    The summary's counts, first invalid rows, per-version totals and the program's own
    warnings and entries are computed in one pass over the partitions, on first use,
    and kept: ``notes`` and ``extra`` hold only what is known before the ledger is read,
    and :meth:`warnings` and :meth:`program_entries` (so :meth:`summary`) add the rest.
    """

    spec: ClaimSpec | None = field(default=None, repr=False)
    partition_tallies: tuple[Any, ...] = field(default=(), repr=False)

    @functools.cached_property
    def _tally(self) -> dict[str, Any]:
        """Status and reason counts, per-version sums, the first invalid rows and the
        parts of the program's own warnings and entries, from one pass over the
        partitions (each pass classifies the whole ledger again)."""
        import dask

        parts = dask.compute(*self.partition_tallies)
        status: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for p in parts:
            status.update(p["status"])
            reasons.update(p["reasons"])
        return {
            "rows": sum(p["rows"] for p in parts),
            "status": status,
            "reasons": reasons,
            "versions": [
                tuple(sum(p["versions"][k][i] for p in parts) for i in range(3))
                for k in range(len(self.policies))
            ],
            "invalid": pd.concat([p["invalid"] for p in parts]).head(INVALID_SHOWN),
            "warn": [p["warn"] for p in parts],
            "summarize": [p["summarize"] for p in parts],
        }

    def _own(self, name: str) -> Any:
        """What the program's hook ``name`` (``warn`` or ``summarize``) gives on the whole
        ledger, from the partitions' parts (None: no such hook)."""
        spec = self.spec
        hook: RowsHook[Any, Any] | None = None if spec is None else getattr(spec.program, name)
        if spec is None or hook is None:
            return None
        return hook.combine(spec.versions, self._tally[name])

    def warnings(self, total_rows: int) -> list[dict[str, str]]:
        found = super().warnings(total_rows)
        known = len(self.notes)  # the program's come next, as in a claim in memory
        return [*found[:known], *(self._own("warn") or ()), *found[known:]]

    def program_entries(self) -> dict[str, Any]:
        return {**self.extra, **(self._own("summarize") or {})}

    def row_counts(self) -> tuple[int, dict[str, int], dict[str, int]]:
        tally = self._tally
        return (
            tally["rows"],
            {s: tally["status"].get(s, 0) for s in STATUSES},
            {code: tally["reasons"].get(code, 0) for code in self.reasons_shown},
        )

    def invalid_examples(self, limit: int = INVALID_SHOWN) -> list[dict[str, Any]]:
        if limit <= INVALID_SHOWN:
            return examples(self._tally["invalid"].head(limit))
        invalid = self.loans[self.loans["status"] == "invalid"]
        return examples(invalid.head(limit, npartitions=-1, compute=True))

    def version_totals(self) -> list[dict[str, Any]]:
        return [
            _version_total(row, *self._tally["versions"][k]) for k, row in enumerate(self.policies)
        ]


def _partition_tally(spec: ClaimSpec, claimed: tuple[pd.DataFrame, ClaimRows]) -> dict[str, Any]:
    """One partition's share of :attr:`PartitionedClaim._tally`, from its per-loan output
    and its classified rows (see :func:`_assign`)."""
    loans, rows = claimed
    program = spec.program
    invalid = (loans["status"] == "invalid").to_numpy()
    return {
        "rows": len(loans),
        "status": _counts(loans["status"]),
        "reasons": _counts(loans["reason"]),
        "versions": _version_sums(spec.policies, loans),
        "invalid": loans[invalid].head(INVALID_SHOWN),
        "warn": None if program.warn is None else program.warn.part(rows),
        "summarize": None if program.summarize is None else program.summarize.part(rows),
    }


def _counts(column: pd.Series) -> dict[str, int]:
    return {str(k): int(n) for k, n in column.value_counts().items() if n}


def _version_sums(policies: tuple[Any, ...], loans: pd.DataFrame) -> list[tuple[int, int, int]]:
    """Per version: eligible loans, their principal and entitlement in one partition."""
    eligible = (loans["status"] == "eligible").to_numpy()
    version = loans["policy_version"].astype(object).to_numpy()
    principal = loans["principal_fen"].to_numpy(dtype=np.int64, na_value=0)
    entitled = loans["entitlement_fen"].to_numpy()
    out = []
    for row in policies:
        mine = eligible & (version == row.version)
        out.append((int(mine.sum()), exact_sum(principal[mine]), exact_sum(entitled[mine])))
    return out


def _totals(spec: ClaimSpec, duplicates: frozenset[str], frame: pd.DataFrame) -> dict[str, Any]:
    verdicts = spec.classify_rows(frame, duplicates)
    return {
        "disagreement": principal_disagreement(canonical_columns(frame, REQUIRED)),
        "rows": len(frame),
        "principal": verdicts.eligible_total,
        "floors": verdicts.floors_total,
        "counts": verdicts.remainder_counts,
        "digest": frame_digest(frame),
    }


def _assign(
    spec: ClaimSpec,
    duplicates: frozenset[str],
    frame: pd.DataFrame,
    threshold: tuple[int, int],
    offset: int,
) -> tuple[pd.DataFrame, ClaimRows]:
    """One partition's per-loan output (its index continuing from ``offset``) and its
    classified rows, for the program's own warnings and entries."""
    verdicts = spec.classify_frame(frame, duplicates)
    entitlement = verdicts.entitlements(spec.shares, *threshold)
    loans = spec.per_loan(frame, verdicts, entitlement)
    loans.index = pd.RangeIndex(offset, offset + len(loans))
    rows = ClaimRows(spec.versions, frame, verdicts.codes, verdicts.version,
                     verdicts.principal_fen, entitlement)  # fmt: skip
    return loans, rows


def run_partitioned(spec: ClaimSpec, ledger: Any, *, progress: bool = False) -> PartitionedClaim:
    """Claim a Dask DataFrame ledger exactly as :func:`run_claim` claims a pandas one.

    Parameters
    ----------
    spec : ClaimSpec
    ledger : dask.dataframe.DataFrame
    progress : bool, default False
        Show a progress bar on stderr (local schedulers).
    """
    try:
        import dask
        import dask.dataframe as dd
        from dask.diagnostics import ProgressBar
    except ImportError:
        raise ParameterError(
            "ledger", "dask", _("an installed Dask: pip install 'relend[dask]'")
        ) from None
    if not isinstance(ledger, dd.DataFrame):
        raise ParameterError("ledger", type(ledger).__name__, _("a dask.dataframe.DataFrame"))
    load(ledger._meta, spec.extra_required)  # file-level checks on the columns
    bar = ProgressBar(out=sys.stderr) if progress else contextlib.nullcontext()
    with bar:
        ids = ledger.map_partitions(loan_ids, meta=("loan_id", TEXT))
        counts = ids.value_counts()
        repeated = counts[counts > 1].compute()  # only the repeated ids come back
        duplicates = frozenset(i for i in repeated.index.tolist() if i != "")
        # one node of the graph each, which every partition's task depends on: a
        # cluster sends the claim's definition (reference lists included) to each
        # worker once, not with every task
        token = uuid.uuid4().hex
        spec_node = dask.delayed(spec, name=f"relend-claim-spec-{token}", traverse=False)
        dup_node = dask.delayed(duplicates, name=f"relend-duplicates-{token}", traverse=False)
        parts = ledger.to_delayed()
        totals = dask.compute(*[dask.delayed(_totals)(spec_node, dup_node, part) for part in parts])
    offsets = np.cumsum([0] + [t["rows"] for t in totals])[:-1]
    for t, o in zip(totals, offsets, strict=True):
        raise_disagreement(t["disagreement"], int(o))
    principal = sum(t["principal"] for t in totals)
    all_counts = np.sum([t["counts"] for t in totals], axis=0)
    floors = sum(t["floors"] for t in totals)
    entitlement = spec.entitlement(floors, all_counts)
    r, take = leftover_threshold(all_counts, entitlement - floors)
    before = np.cumsum([0] + [int(t["counts"][r]) for t in totals])[:-1]
    meta, _rows = _assign(spec, duplicates, ledger._meta, (r, 0), 0)
    claimed = [
        dask.delayed(_assign, nout=2)(
            spec_node, dup_node, part, (r, int(np.clip(take - b, 0, t["counts"][r]))), int(o)
        )
        for part, t, b, o in zip(parts, totals, before, offsets, strict=True)
    ]
    loans = dd.from_delayed([c[0] for c in claimed], meta=meta, verify_meta=False)
    digest = hashlib.sha256("".join(t["digest"] for t in totals).encode()).hexdigest()
    result: PartitionedClaim = spec.result(
        PartitionedClaim, loans, principal, entitlement, digest, ledger
    )
    # the summary's pass: each partition's tally reads the same task as its loans
    tallies = tuple(dask.delayed(_partition_tally)(spec_node, c) for c in claimed)
    return replace(result, spec=spec, partition_tallies=tallies)


__all__ = ["PartitionedClaim", "run_partitioned"]
