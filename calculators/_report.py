"""Writing results: JSON summaries, per-row CSV and Excel workbooks.

CSV files are UTF-8 with a BOM so that Excel opens Chinese text correctly. Workbooks
have a summary sheet (Chinese label, English key, value) and a rows sheet whose first
two rows are the Chinese and the English headers. Money stays integer fen.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from ._errors import ParameterError
from ._ledger import COLUMN_ALIASES, canonical_name

EXCEL_MAX_ROWS = 1_048_576 - 2  # two header rows
# Excel keeps 15 significant digits (and openpyxl writes numbers with 16): a whole
# number of fen from 10**15 up is written as text, so that every digit stays
EXCEL_EXACT_INT = 10**15

OUTPUT_NAMES: tuple[str, ...] = (
    "summary.json",
    "loans.csv",
    "claim.xlsx",
    "audit.csv",
    "audit.xlsx",
    "npl.csv",
    "npl.xlsx",
)
"""Every file name relend writes under ``--out``: the only names it ever removes there."""

CHINESE_HEADERS: Mapping[str, str] = {
    **{canonical: aliases[0] for canonical, aliases in COLUMN_ALIASES.items()},
    "principal_fen": "本金(分)",
    "status": "状态",
    "reason": "原因代码",
    "detail": "说明",
    "entitlement_fen": "可申请再贷款(分)",
    "claimed_fen": "申报金额(分)",
    "recomputed_fen": "复核金额(分)",
    "difference_fen": "差额(分)",
    "class": "核对结果",
    "unit": "机构",
    "industry": "行业",
    "loan_balance_fen": "贷款余额(分)",
    "npl_balance_fen": "不良贷款余额(分)",
    "npl_ratio_pct": "不良率(%)",
    "tolerance_pct": "容忍度(%)",
    "headroom_fen": "剩余容忍空间(分)",
    "industry_basis": "行业依据(十七)",
    "assessment_relief": "考核不予扣分或减轻扣分(二十七)",
    "due_diligence_exemption": "尽职免责:可减轻或免予追责(二十八)",
}

SUMMARY_LABELS: Mapping[str, str] = {
    "tool": "工具",
    "policy": "政策版本",
    "quarter": "季度",
    "lender": "金融机构",
    "ratio": "支持比例",
    "loans_total": "贷款笔数",
    "loans_eligible": "符合条件笔数",
    "loans_excluded": "不符合条件笔数",
    "loans_invalid": "无效笔数",
    "eligible_principal_fen": "符合条件本金(分)",
    "entitlement_fen": "可申请再贷款(分)",
    "entitlement_yuan": "可申请再贷款(元)",
    "deadline": "申请截止日",
    "calendar_status": "日历状态",
    "rounding": "舍入规则",
    "input_sha256": "台账SHA-256",
}


def write_json(summary: Mapping[str, Any], path: Path) -> None:
    """Write a summary as indented UTF-8 JSON."""
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write rows as UTF-8-with-BOM CSV, every row, no index."""
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def _chinese(column: object) -> str:
    name = str(column)
    return CHINESE_HEADERS.get(name, name)


def _english(column: object) -> str:
    return canonical_name(column) or str(column)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= EXCEL_EXACT_INT:
        return str(value)
    return value


def _python_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """Each column as a list of plain Python values, missing values as None."""
    out = []
    for _, column in frame.items():
        values = column.astype(object)
        if pd.api.types.is_integer_dtype(column.dtype):
            wide = (column.abs() >= EXCEL_EXACT_INT).fillna(False).to_numpy(dtype=bool)
            if wide.any():
                values = values.where(~wide, column.astype(str))
        out.append(values.where(column.notna(), None).tolist())
    return out


def write_workbook(
    summary: Mapping[str, Any], rows: pd.DataFrame, path: Path, rows_sheet: str
) -> None:
    """Write a summary sheet and the rows (split over sheets past Excel's row limit).

    Notes
    -----
    Excel holds 1,048,576 rows a sheet; longer outputs continue on sheets named
    ``<rows_sheet> 2``, ``3``, ... so that no row is left out. Workbooks are slow to
    write (about 10 s per 100,000 rows): the CSV beside it has the same rows.
    """
    book = Workbook(write_only=True)
    try:
        sheet = book.create_sheet("summary 汇总")
        sheet.append(["项目", "key", "value"])
        for key, value in summary.items():
            sheet.append([SUMMARY_LABELS.get(key, ""), key, _cell(value)])
        headers_zh = [_chinese(_english(c)) for c in rows.columns]
        headers_en = [_english(c) for c in rows.columns]
        for part, start in enumerate(range(0, max(len(rows), 1), EXCEL_MAX_ROWS)):
            name = rows_sheet if part == 0 else f"{rows_sheet} {part + 1}"
            sheet = book.create_sheet(name)
            sheet.append(headers_zh)
            sheet.append(headers_en)
            block = _python_columns(rows.iloc[start : start + EXCEL_MAX_ROWS])
            for record in zip(*block, strict=True):
                sheet.append(record)
    except BaseException:
        _abandon(book)
        raise
    book.save(path)


def _abandon(book: Workbook) -> None:
    """Close the sheets of a workbook that will not be saved.

    A write-only sheet streams its rows through a generator into a scratch file of
    openpyxl's own (removed at exit); left open, the generator fails noisily on stderr
    when it is collected after an interruption.
    """
    for sheet in book.worksheets:
        with contextlib.suppress(Exception):
            sheet.close()


class OutputError(ParameterError):
    """An output folder or file that cannot be written.

    Parameters
    ----------
    path : Path
        The folder or the file (under its final name) that could not be written.
    reason : str
        Why, in the operating system's words (``No space left on device``).
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("out", str(path), "a folder relend can create and write")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason} (--out needs a folder relend can write)"


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


def make_out_dir(out: str | Path) -> Path:
    """Create the output folder, or refuse one that cannot be created."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OutputError(path, "it is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(path, exc.strerror or str(exc)) from None
    return path


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
    folder: Path, name: str, write: Callable[[Path], None], temps: dict[str, Path]
) -> str:
    """Write one file under a temporary name beside its final one; return its SHA-256.

    The temporary file is created with the permissions a new file normally gets (not
    the 0600 of :func:`tempfile.mkstemp`), flushed to disk, and recorded in ``temps``
    before anything is written to it, so that a failure can always remove it.
    """
    temp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
    temps[name] = temp
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        write(temp)
        with open(temp, "r+b") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(folder / name, exc.strerror or str(exc)) from None
    return digest


def _commit(folder: Path, temps: Mapping[str, Path]) -> tuple[str, ...]:
    """Remove the earlier run's outputs this run did not write, rename this run's files
    into place, ``summary.json`` last; return the names removed.

    Notes
    -----
    The earlier ``summary.json`` goes first and the new one comes last, so a
    ``summary.json`` is in the folder only beside the complete files of its own run.
    SIGINT and SIGTERM wait until the renames are done.
    """
    stale = tuple(
        name
        for name in OUTPUT_NAMES
        if name not in temps and ((folder / name).is_symlink() or (folder / name).is_file())
    )
    order = ["summary.json", *stale]
    current = folder
    with _signals_deferred():
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
            raise OutputError(current, exc.strerror or str(exc)) from None
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
) -> WrittenOutputs:
    """Write ``summary.json``, the rows CSV and (unless ``workbook`` is False) the
    workbook into the folder ``out``, each whole or not at all.

    Returns
    -------
    WrittenOutputs
        The paths written, the summary as written (with ``files``) and the names of
        an earlier run's outputs removed.

    Raises
    ------
    OutputError
        The folder cannot be created, or a file cannot be written or renamed: names
        the path and the operating system's reason. No temporary file is left.

    Notes
    -----
    Every file is written under a temporary name (``.loans.csv.<random>.tmp``) in the
    folder itself and renamed into place (:func:`os.replace`, atomic within a folder)
    only once all of them are complete. Then relend's own output names
    (:data:`OUTPUT_NAMES`) that this run did not write are removed, so that no file of
    an earlier run stays beside this run's files as if it belonged to them; nothing
    else in the folder is touched. ``summary.json`` cannot hold its own digest: its
    ``files`` lists the others. On a failure or an interruption while writing
    (KeyboardInterrupt, or SIGTERM turned into one by the command line) the temporary
    files are removed and the folder is as it was. SIGINT and SIGTERM wait while the
    files are renamed; should a removal or a rename itself fail (the folder changed
    under the run), the earlier ``summary.json`` is already gone and the new one is
    not put in place, so no ``summary.json`` vouches for a mixed folder.
    """
    folder = make_out_dir(out)
    temps: dict[str, Path] = {}
    try:
        files = [{"name": csv_name, "sha256": _write_temporary(
            folder, csv_name, lambda p: write_csv(rows, p), temps
        )}]  # fmt: skip
        if workbook:
            digest = _write_temporary(
                folder, xlsx_name, lambda p: write_workbook(summary, rows, p, rows_sheet), temps
            )
            files.append({"name": xlsx_name, "sha256": digest})
        written = {**summary, "files": files}
        _write_temporary(folder, "summary.json", lambda p: write_json(written, p), temps)
        removed = _commit(folder, temps)
    except BaseException:
        with _signals_deferred():
            for temp in temps.values():
                with contextlib.suppress(OSError):
                    temp.unlink(missing_ok=True)
        raise
    paths = (folder / "summary.json", folder / csv_name) + (
        (folder / xlsx_name,) if workbook else ()
    )
    return WrittenOutputs(paths, written, removed)
