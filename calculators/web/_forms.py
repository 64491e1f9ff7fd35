"""From a posted form to the command line's arguments: uploads saved under names relend
chooses, every other field passed as one argument (no shell, no path from the browser).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import ParameterError
from .._i18n import _
from ._runs import Run

__all__ = ["LEDGER_SUFFIXES", "audit_argv", "claim_argv", "list_fields"]

LEDGER_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".xlsm", ".xlsb")
_POLICY_SUFFIXES = (".toml",)


def list_fields(program_id: str) -> list[tuple[str, str, bool]]:
    """The program's reference lists: (form field, command-line option, required)."""
    from ..engine.program import get_program

    return [(x.name, x.option, x.required) for x in get_program(program_id).lists]


def _suffix(filename: str | None, allowed: tuple[str, ...]) -> str:
    """The upload's kind from its name's ending, among ``allowed`` (the name itself is
    never used)."""
    ending = Path(filename or "").suffix.lower()
    return ending if ending in allowed else allowed[0]


def _save(run: Run, name: str, upload: Any, allowed: tuple[str, ...]) -> str:
    """Copy an upload into the run's ``in`` folder as ``name`` + its kind's suffix, in
    blocks; the name the run is given (it runs in that folder, so that its summary names
    ``ledger.csv``, not a path of the server)."""
    path = run.folder / "in" / (name + _suffix(getattr(upload, "filename", None), allowed))
    with path.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return path.name


def _given(upload: Any) -> bool:
    return upload is not None and not isinstance(upload, str) and bool(upload.filename)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _common(run: Run, form: Mapping[str, Any], files: Mapping[str, Any]) -> list[str]:
    from ..engine.program import registered

    program = _text(form, "program")
    if program not in registered():
        raise ParameterError(
            "program", program, _("one of {names}").format(names=", ".join(registered()))
        )
    ledger = files.get("ledger")
    if not _given(ledger):
        raise ParameterError("ledger", "", _("a ledger file (CSV or Excel)"))
    argv = [program, _save(run, "ledger", ledger, LEDGER_SUFFIXES)]
    for field, value in (("period", _text(form, "period")), ("lender", _text(form, "lender"))):
        argv += [f"--{field}", value]
    sheet = _text(form, "sheet")
    if sheet:
        argv += ["--sheet", sheet]
    for name, option, _required in list_fields(program):
        upload = files.get(name)
        if _given(upload):
            argv += [option, _save(run, name, upload, LEDGER_SUFFIXES)]
    if _given(files.get("policy")):
        argv += ["--policy", _save(run, "policy", files["policy"], _POLICY_SUFFIXES)]
    return argv


def claim_argv(run: Run, form: Mapping[str, Any], files: Mapping[str, Any]) -> list[str]:
    """``claim PROGRAM LEDGER --period P --lender L [lists] [--sheet] [--policy]``."""
    return ["claim", *_common(run, form, files)]


def audit_argv(run: Run, form: Mapping[str, Any], files: Mapping[str, Any]) -> list[str]:
    """``audit ... --submitted FILE --tolerance-fen N``."""
    submitted = files.get("submitted")
    if not _given(submitted):
        raise ParameterError("submitted", "", _("the bank's submitted claim (CSV or Excel)"))
    argv = ["audit", *_common(run, form, files)]
    argv += ["--submitted", _save(run, "submitted", submitted, LEDGER_SUFFIXES)]
    tolerance = _text(form, "tolerance_fen")
    if tolerance:
        argv += ["--tolerance-fen", tolerance]
    return argv
