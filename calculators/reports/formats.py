"""The formats the ``--out`` folder writes beside ``summary.json``: each a name, the file it
writes for each kind of run, its writer, and the option that turns it off.

The writers are imported when a file is written, not with this module: the command line
reads the formats (their files, their options) without loading pandas, pyarrow or
XlsxWriter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class OutputFormat:
    """One format of the ``--out`` folder.

    Attributes
    ----------
    name : str
        The format's name: ``csv``, ``xlsx``.
    files : Mapping
        The file it writes for each kind of run (:data:`RUNS`): ``claim`` to
        ``loans.csv``, say.
    write : callable
        ``write(summary, rows, path, rows_sheet, progress)`` writes the rows of a run
        (and, as a format needs it, its summary) to ``path``; ``rows_sheet`` names a
        workbook's first sheet of rows, ``progress`` shows a bar on stderr. It returns
        the file's SHA-256 if it hashed the bytes as it wrote them, else None.
    off : str or None
        The command-line option that turns the format off (``--no-xlsx``); None when it
        is always written.
    """

    name: str
    files: Mapping[str, str]
    write: Callable[[Mapping[str, Any], pd.DataFrame, Path, str, bool], str | None]
    off: str | None = None

    def writer(
        self, summary: Mapping[str, Any], rows: pd.DataFrame, rows_sheet: str, progress: bool
    ) -> Callable[[Path], str | None]:
        """The writer of one run's file in this format, given the path to write (it returns
        the file's SHA-256 when it hashed what it wrote)."""
        return lambda path: self.write(summary, rows, path, rows_sheet, progress)


def _csv(
    summary: Mapping[str, Any], rows: pd.DataFrame, path: Path, rows_sheet: str, progress: bool
) -> str:
    """Every row as CSV (:func:`calculators.reports.csv_file.write_csv`); its SHA-256."""
    from .csv_file import write_csv

    return write_csv(rows, path, progress)


def _xlsx(
    summary: Mapping[str, Any], rows: pd.DataFrame, path: Path, rows_sheet: str, progress: bool
) -> None:
    """The workbook to hand over (:func:`calculators.reports.xlsx_file.write_workbook`)."""
    from .xlsx_file import write_workbook

    write_workbook(summary, rows, path, rows_sheet, progress)


RUNS: tuple[str, ...] = ("claim", "audit", "npl", "schedule")
"""The kinds of run that write an ``--out`` folder: ``relend claim``, ``relend audit``,
``relend npl`` and ``relend book schedule``."""

FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat(
        "csv",
        {"claim": "loans.csv", "audit": "audit.csv", "npl": "npl.csv", "schedule": "schedule.csv"},
        _csv,
    ),
    OutputFormat(
        "xlsx",
        {
            "claim": "claim.xlsx",
            "audit": "audit.xlsx",
            "npl": "npl.xlsx",
            "schedule": "schedule.xlsx",
        },
        _xlsx,
        off="--no-xlsx",
    ),
)
"""Every format, in the order a run writes them (and ``summary.json`` lists them)."""

FILE_NAMES: tuple[str, ...] = tuple(
    output.files[run] for run in RUNS for output in FORMATS if run in output.files
)
"""Every file the formats write, run by run."""


def file_name(output: str, run: str) -> str:
    """The file format ``output`` (``csv``, ``xlsx``) writes for a ``run`` (:data:`RUNS`)."""
    return next(f.files[run] for f in FORMATS if f.name == output)
