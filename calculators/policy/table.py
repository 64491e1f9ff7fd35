"""The policy table: effective-dated versions, every figure with its source, as data.

The versions are reviewed data files shipped in the package
(``calculators/policies/<program>.toml``, one file per program, one entry per version),
in the manner of OpenFisca's parameters: each figure holds its value and the notice and
clause it comes from, with the line range of the policy compilation in
``shared/sources`` where the notice is reprinted. A figure no source states is marked
as an assumption and says why; a figure no source gives at all is ``unknown`` and
relend refuses to compute with it.

A user policy file of the same form adds a version, or supersedes one figure by figure,
for one call only (:meth:`PolicyTable.with_file`); the package data is never changed.

The lookups find the version covering a loan's day (:func:`policy_for`) or the versions
overlapping a period (:func:`policies_for_period`); the registered programs' names come
from :func:`note_program`.

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from calendars import Month, Quarter

from .._errors import PolicyFileError, PolicyNotFoundError
from .._i18n import _, language, os_reason
from .checks import LOAN_WINDOW_FIGURES, MAX_FILE_BYTES
from .model import Figure, PolicyRow, PolicyVersion, ProgramPolicy
from .reader import _load_toml, _parse


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
    files = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    sources = {entry.name.removesuffix(".toml"): (entry.name, entry.read_bytes) for entry in files}
    sources |= {code: (path, Path(path).read_bytes) for code, path in extra}
    return PolicyTable(_ReadOnUse(sources))


class _ReadOnUse(Mapping[str, ProgramPolicy]):
    """The package's programs by id (a file's name is its program's id), each file read
    and checked when first asked for: a claim of one program reads one file."""

    def __init__(self, sources: Mapping[str, tuple[str, Callable[[], bytes]]]) -> None:
        self._sources = dict(sources)
        self._read: dict[str, ProgramPolicy] = {}

    def __getitem__(self, program: str) -> ProgramPolicy:
        found = self._read.get(program)
        if found is None:
            name, data = self._sources[program]
            found = _parse(_load_toml(data(), name), name, "package")
            if found.program != program:
                raise PolicyFileError(f"{name}: program.id", found.program, repr(program))
            found = self._read.setdefault(program, found)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


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
