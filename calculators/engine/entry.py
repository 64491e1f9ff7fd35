"""A program's three entry points, made from its :class:`Program` value.

Every program offers the same three functions, differing only by the period's name
(``quarter`` or ``month``) and the reference lists it reads:

- ``claim_spec(period, lender, *lists, calendar=None, policy=None)``: everything that
  defines the claim but the ledger (checked before any ledger is read);
- ``claim(ledger, period, lender, *lists, calendar=None, policy=None, progress=False)``:
  the claim in memory (:class:`~calculators.ClaimResult`);
- ``claim_partitioned(...)``: the same over a Dask DataFrame, partition by partition
  (``relend[dask]``), with totals, per-loan output and summary exactly those of ``claim``
  on the same rows as a DataFrame (but ``input_sha256``, a digest of the partitions).

A required list is a positional parameter; an optional one defaults to None. A program
module gets them with ``claim_spec, claim, claim_partitioned = bind(PROGRAM)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .program import Program

if TYPE_CHECKING:
    from .claim import ClaimSpec
    from .partitioned import PartitionedClaim
    from .result import ClaimResult

_P = inspect.Parameter


@dataclass(frozen=True)
class Entry:
    """A program's entry points (see the module's docstring)."""

    claim_spec: Callable[..., ClaimSpec]
    claim: Callable[..., ClaimResult]
    claim_partitioned: Callable[..., PartitionedClaim]

    def __iter__(self) -> Any:
        return iter((self.claim_spec, self.claim, self.claim_partitioned))


def _signature(program: Program, *, ledger: bool, progress: bool) -> inspect.Signature:
    parameters = [_P("ledger", _P.POSITIONAL_OR_KEYWORD)] if ledger else []
    parameters += [
        _P(program.period, _P.POSITIONAL_OR_KEYWORD),
        _P("lender", _P.POSITIONAL_OR_KEYWORD),
    ]
    parameters += [
        _P(x.name, _P.POSITIONAL_OR_KEYWORD, **({} if x.required else {"default": None}))
        for x in program.lists
    ]
    parameters += [
        _P("calendar", _P.KEYWORD_ONLY, default=None),
        _P("policy", _P.KEYWORD_ONLY, default=None),
    ]
    if progress:
        parameters.append(_P("progress", _P.KEYWORD_ONLY, default=False))
    return inspect.Signature(parameters)


def _doc(program: Program, summary: str, *, ledger: bool, dask: bool) -> str:
    """The numpydoc docstring of one entry point."""
    lines = [summary, "", "Parameters", "----------"]
    if ledger:
        needs = ", ".join(f"``{c}``" for c in program.required_columns)
        lines += [
            "ledger : dask.dataframe.DataFrame" if dask else "ledger : DataFrame or path",
            "    The loan ledger (canonical or Chinese column names; see ``calculators``)"
            + (f"; needs {needs}." if needs else "."),
        ]
    lines += [
        f"{program.period} : str, Quarter or Month",
        "    The claim period, of the cadence of the policy versions in it.",
        "lender : str or Lender",
        "    Code or Chinese name of a lender eligible under every version in the period.",
    ]
    for x in program.lists:
        lines += [
            f"{x.name} : path, iterable of str or BorrowerList"
            + ("" if x.required else ", optional"),
            f"    {x.help}",
        ]
    lines += [
        "calendar : BusinessCalendar or str, optional",
        "    For the application deadline; default ``prc``.",
        "policy : PolicyTable or path, optional",
        "    A user policy file applied for this claim only.",
    ]
    if ledger:
        lines += [
            "progress : bool, default False",
            "    Show progress bars on stderr for reading and classifying once a step has",
            "    taken two seconds.",
        ]
    lines += [
        "",
        "Raises",
        "------",
        "RelendInputError",
        "    For a file-level problem, an ineligible lender or a period outside the policy.",
    ]
    return "\n".join(lines)


def bind(program: Program) -> Entry:
    """The entry points of ``program`` (see the module's docstring)."""
    spec_signature = _signature(program, ledger=False, progress=False)
    claim_signature = _signature(program, ledger=True, progress=True)
    names = [x.name for x in program.lists]

    def claim_spec(*args: Any, **kwargs: Any) -> ClaimSpec:
        from .claim import prepare

        given = spec_signature.bind(*args, **kwargs)
        given.apply_defaults()
        found = given.arguments
        return prepare(
            program, found[program.period], found["lender"],
            lists={name: found[name] for name in names} if names else None,
            calendar=found["calendar"], policy=found["policy"],
        )  # fmt: skip

    def _spec_and_rest(args: Any, kwargs: Any) -> tuple[ClaimSpec, Any, bool]:
        given = claim_signature.bind(*args, **kwargs)
        given.apply_defaults()
        found = dict(given.arguments)
        ledger, progress = found.pop("ledger"), found.pop("progress")
        return claim_spec(**found), ledger, progress

    def claim(*args: Any, **kwargs: Any) -> ClaimResult:
        from .claim import run_claim

        spec, ledger, progress = _spec_and_rest(args, kwargs)
        return run_claim(spec, ledger, progress=progress)

    def claim_partitioned(*args: Any, **kwargs: Any) -> PartitionedClaim:
        from .partitioned import run_partitioned

        spec, ledger, progress = _spec_and_rest(args, kwargs)
        return run_partitioned(spec, ledger, progress=progress)

    period = program.period
    for function, signature, summary in (
        (claim_spec, spec_signature,
         f"Everything that defines a {program.name_en} claim but the ledger (see ``claim``)."),
        (claim, claim_signature,
         f"Compute a lender's {program.name_en} claim ({program.name_zh}) for a {period}."),
        (claim_partitioned, claim_signature,
         f"``claim`` of {program.name_en} over a Dask DataFrame, partition by partition "
         "(``relend[dask]``)."),
    ):  # fmt: skip
        function.__signature__ = signature  # type: ignore[attr-defined,union-attr]
        function.__doc__ = _doc(
            program, summary, ledger=function is not claim_spec, dask=function is claim_partitioned
        )
        function.__qualname__ = function.__name__
    return Entry(claim_spec, claim, claim_partitioned)
