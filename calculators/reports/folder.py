"""The ``--out`` folder: ``summary.json`` and a file in each output format
(:mod:`calculators.reports.formats`), every file whole or not at all, ``summary.json``
last; only what an earlier relend run wrote there is replaced or removed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import NotRelendsFileError, OutputError, OutputIsInputError, ParameterError
from .._i18n import _, language, os_reason
from .base import _TEMPORARY
from .formats import FILE_NAMES, FORMATS

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

OUTPUT_NAMES: tuple[str, ...] = ("summary.json", *FILE_NAMES)
"""Every file name relend writes under ``--out``: the only names it ever removes there."""


def write_json(summary: Mapping[str, Any], path: Path) -> None:
    """Write a summary as indented UTF-8 JSON."""
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class WrittenOutputs:
    """What :func:`write_outputs` left in the folder.

    Attributes
    ----------
    paths : tuple of Path
        The files of this run: ``summary.json``, the rows CSV, the workbook if any.
    summary : Mapping
        The summary as written to ``summary.json``: the one given plus ``files``, the
        name and SHA-256 of every other file of the run.
    removed : tuple of str
        Names of relend's own outputs of an earlier run that this run did not write and
        removed (``claim.xlsx`` after a ``--no-xlsx`` run, say).
    """

    paths: tuple[Path, ...]
    summary: Mapping[str, Any]
    removed: tuple[str, ...]


def _out_path(out: str | Path) -> Path:
    """``out`` as a path; an empty ``--out ''`` (which :class:`Path` reads as ``.``) is
    refused."""
    if isinstance(out, str) and not out:
        raise ParameterError("out", out, _("a folder name, such as report/"))
    return Path(out)


def make_out_dir(out: str | Path) -> Path:
    """Create the output folder, or refuse one that cannot be created."""
    return _make_out_dir(out)[0]


def _make_out_dir(out: str | Path) -> tuple[Path, tuple[Path, ...]]:
    """Create the output folder; return it and the folders this call created, the
    outermost first (removed again if the run fails)."""
    path = _out_path(out)
    if path.exists() and not path.is_dir():
        raise OutputError(path, _("it is a file, not a folder"))
    missing = []
    parent = path
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    created = tuple(reversed(missing))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_created(created)
        raise OutputError(path, os_reason(exc) if exc.strerror else str(exc)) from None
    return path, created


def _remove_created(created: Sequence[Path]) -> None:
    """Remove the folders a failed run created, innermost first, if they are empty."""
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


_Stamp = tuple[int, int, int, int]
"""A file as :func:`os.lstat` saw it: device, inode, size, modification time (ns)."""


def _stamp(path: Path) -> _Stamp | None:
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _listed(folder: Path) -> dict[str, str] | None:
    """The files an earlier relend run wrote into ``folder``, name and SHA-256, as its
    ``summary.json`` lists them; None if that file is not a summary relend wrote.

    A summary relend wrote is a regular file holding a JSON object whose ``files`` is a
    list of ``{"name": <an output name>, "sha256": <64 hex digits>}``.
    """
    path = folder / "summary.json"
    if path.is_symlink() or not path.is_file():
        return None
    try:
        written = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    files = written.get("files") if isinstance(written, dict) else None
    if not isinstance(files, list):
        return None
    found = {}
    for entry in files:
        if not isinstance(entry, dict):
            return None
        name, digest = entry.get("name"), entry.get("sha256")
        if name not in OUTPUT_NAMES or name == "summary.json":
            return None
        if not isinstance(digest, str) or not re.fullmatch("[0-9a-f]{64}", digest):
            return None
        found[name] = digest
    return found


def check_out_dir(
    out: str | Path, inputs: Iterable[str | Path] = (), *, digests: bool = True
) -> dict[str, _Stamp]:
    """Check that a run may write into the folder ``out``, before anything is written.

    Parameters
    ----------
    out : str or Path
        The output folder (``--out``); it need not exist yet.
    inputs : iterable of str or Path
        The files the run reads (ledger, lists, submission, policy files).
    digests : bool, default True
        Whether to check the earlier run's files against their SHA-256 (False: only
        that they are listed, a quick check before a long computation).

    Returns
    -------
    dict
        Each output name found in the folder, with the file as it was checked
        (:func:`os.lstat`'s device, inode, size and time): relend's own, from an
        earlier run, that this run may replace or remove.

    Raises
    ------
    ParameterError
        ``out`` is empty.
    OutputIsInputError
        A file under an output name is also an input of the run.
    NotRelendsFileError
        A file under an output name that an earlier relend run did not write into the
        folder, or that changed since: not listed in the folder's ``summary.json``
        (``files``) with its SHA-256, a symbolic link, a folder; or a ``summary.json``
        that relend did not write.

    Notes
    -----
    ``summary.json`` cannot list its own digest: one that relend wrote (see
    :func:`_listed`) is relend's and is replaced by the run's own.
    """
    folder = _out_path(out)
    if not folder.is_dir():
        return {}
    present = [name for name in OUTPUT_NAMES if os.path.lexists(folder / name)]
    for given in inputs:
        for name in present:
            with contextlib.suppress(OSError):
                if os.path.samefile(given, folder / name):
                    raise OutputIsInputError(folder / name, str(given))
    listed = _listed(folder) if "summary.json" in present else {}
    foreign = []
    found: dict[str, _Stamp] = {}
    for name in present:
        path = folder / name
        stamp = _stamp(path)
        if stamp is None:  # removed since the folder was listed
            continue
        if listed is None:
            foreign.append(path)
            continue
        if name != "summary.json":
            if name not in listed or path.is_symlink() or not path.is_file():
                foreign.append(path)
                continue
            if digests and _sha256(path) != listed[name]:
                foreign.append(path)
                continue
        found[name] = stamp
    if foreign:
        raise NotRelendsFileError(foreign)
    return found


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _remove_temporaries(folder: Path) -> None:
    """Remove the temporary files an earlier run left in ``folder`` when it was killed
    (``.loans.csv.<12 hex digits>.tmp``; a run that ends in Python removes its own)."""
    for entry in os.scandir(folder):
        found = _TEMPORARY.match(entry.name)
        if found and found["name"] in OUTPUT_NAMES and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


@contextlib.contextmanager
def _only_run(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder while the block runs (where the system has
    :func:`fcntl.flock`): a second relend run into the same folder is refused instead of
    removing the first one's temporary files."""
    if fcntl is None or not hasattr(os, "O_DIRECTORY"):
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(folder, _("another relend run is writing into it")) from None
        except OSError:  # a file system without locks: go on as without fcntl
            pass
        yield
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done (where the OS allows it)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write_temporary(
    folder: Path, name: str, write: Callable[[Path], str | None], temps: dict[str, Path]
) -> str:
    """Write one file under a temporary name beside its final one; return its SHA-256.

    The temporary file is created with the permissions a new file normally gets (not
    the 0600 of :func:`tempfile.mkstemp`), flushed to disk, and recorded in ``temps``
    before anything is written to it, so that a failure can always remove it. A writer
    that hashed the bytes it wrote returns their SHA-256; else the file is read back.
    """
    temp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
    temps[name] = temp
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        digest: object = write(temp)
        with open(temp, "r+b") as handle:
            if not isinstance(digest, str):
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(folder / name, os_reason(exc) if exc.strerror else str(exc)) from None
    return digest


def _commit(
    folder: Path, temps: Mapping[str, Path], earlier: Mapping[str, _Stamp]
) -> tuple[str, ...]:
    """Remove the earlier run's outputs this run did not write, rename this run's files
    into place, ``summary.json`` last; return the names removed.

    ``earlier`` holds the earlier run's files as :func:`check_out_dir` found them: a
    file under an output name that is not among them, or that changed since, stops the
    run before anything is removed or renamed (:class:`NotRelendsFileError`).

    Notes
    -----
    The earlier ``summary.json`` goes first and the new one comes last, so a
    ``summary.json`` is in the folder only beside the complete files of its own run.
    SIGINT and SIGTERM wait until the renames are done.
    """
    stale = tuple(name for name in OUTPUT_NAMES if name not in temps and name in earlier)
    order = ["summary.json", *stale]
    current = folder
    with _signals_deferred():
        changed = [
            folder / name
            for name in OUTPUT_NAMES
            if _stamp(folder / name) not in (None, earlier.get(name))
        ]
        if changed:  # written into the folder while this run was computing
            raise NotRelendsFileError(changed)
        try:
            for name in order:
                current = folder / name
                current.unlink(missing_ok=True)
            for name in sorted(temps, key=lambda n: n == "summary.json"):
                current = folder / name
                os.replace(temps[name], current)
            if hasattr(os, "O_DIRECTORY"):  # the renames themselves reach the disk
                current = folder
                descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
        except OSError as exc:
            raise OutputError(current, os_reason(exc) if exc.strerror else str(exc)) from None
    return stale


def write_outputs(
    summary: Mapping[str, Any],
    rows: pd.DataFrame,
    out: str | Path,
    *,
    csv_name: str,
    xlsx_name: str,
    rows_sheet: str,
    workbook: bool = True,
    progress: bool = False,
    inputs: Iterable[str | Path] = (),
    workbook_writer: Callable[[Path], None] | None = None,
) -> WrittenOutputs:
    """Write ``summary.json``, the rows CSV and (unless ``workbook`` is False) the
    workbook into the folder ``out``, each whole or not at all: the formats of
    :data:`~calculators.reports.formats.FORMATS`, in their order, named ``csv_name``
    and ``xlsx_name``.

    ``workbook_writer`` writes the workbook to the path it is given instead of
    :func:`~calculators.reports.xlsx_file.write_workbook` (the book's maturity ladder,
    with its chart).

    ``progress`` shows a bar on stderr for a CSV or workbook that takes more than two
    seconds to write. ``inputs`` are the files the run read (ledger, lists, submission):
    none of them may be an output.

    Returns
    -------
    WrittenOutputs
        The paths written, the summary as written (with ``files``) and the names of
        an earlier run's outputs removed.

    Raises
    ------
    ParameterError
        ``out`` is empty.
    OutputIsInputError, NotRelendsFileError
        A file in the folder under an output name is an input of the run, or was not
        written there by an earlier relend run (:func:`check_out_dir`): nothing is
        written.
    OutputError
        The folder cannot be created, or a file cannot be written or renamed: names
        the path and the operating system's reason. No temporary file is left.

    Notes
    -----
    relend replaces or removes only what an earlier relend run wrote into the folder
    and nobody changed since: the files its ``summary.json`` lists with the same
    SHA-256, and that ``summary.json`` itself. Anything else under an output name
    (:data:`OUTPUT_NAMES`), or an output name that is also an input (``inputs``), and
    the run is refused before anything is written; files under other names are never
    touched, except the temporary files of an earlier run that was killed
    (``.loans.csv.<random>.tmp``), which are removed.

    Every file is written under a temporary name in the folder itself and renamed into
    place (:func:`os.replace`, atomic within a folder) only once all of them are
    complete. Then the earlier run's outputs that this run did not write are removed,
    so that no file of an earlier run stays beside this run's files as if it belonged
    to them. ``summary.json`` cannot hold its own digest: its ``files`` lists the
    others. On a failure or an interruption while writing (KeyboardInterrupt, or
    SIGTERM turned into one by the command line) the temporary files are removed and
    the folder is as it was; a folder this run created is removed again. SIGINT and
    SIGTERM wait while the files are renamed; should a removal or a rename itself fail
    (the folder changed under the run), the earlier ``summary.json`` is already gone
    and the new one is not put in place, so no ``summary.json`` vouches for a mixed
    folder. While it writes, the run holds a lock on the folder (:func:`fcntl.flock`,
    where the system has it): a second run into the same folder is refused.
    """
    inputs = tuple(inputs)
    names = {"csv": csv_name, **({"xlsx": xlsx_name} if workbook else {})}
    own = {"xlsx": workbook_writer} if workbook_writer is not None else {}
    check_out_dir(out, inputs, digests=False)  # before creating anything
    folder, created = _make_out_dir(out)
    temps: dict[str, Path] = {}
    try:
        with _only_run(folder):
            earlier = check_out_dir(folder, inputs)
            _remove_temporaries(folder)
            files: list[dict[str, str]] = []
            for output in FORMATS:  # in the order summary.json lists them
                if output.name not in names:
                    continue
                name = names[output.name]
                write = own.get(output.name) or output.writer(summary, rows, rows_sheet, progress)
                files.append({"name": name, "sha256": _write_temporary(folder, name, write, temps)})
            # the texts beside the codes (rules, sources, notes, row details) are in this
            # language, and so the files' bytes: an auditor re-running compares like with like
            written = {**summary, "files": files, "language": language()}
            _write_temporary(folder, "summary.json", lambda p: write_json(written, p), temps)
            removed = _commit(folder, temps, earlier)
    except BaseException:
        with _signals_deferred():
            for temp in temps.values():
                with contextlib.suppress(OSError):
                    temp.unlink(missing_ok=True)
            _remove_created(created)
        raise
    paths = (folder / "summary.json", *(folder / entry["name"] for entry in files))
    return WrittenOutputs(paths, written, removed)
