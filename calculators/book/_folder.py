"""A claim's or an audit's ``--out`` folder, read back and checked before it is booked.

The folder must be as relend wrote it: ``summary.json`` lists every other file of the
run with its SHA-256, and a file changed since (or missing) stops the recording. The
claimed loans are read from ``loans.csv`` with the ledger reader, so that loan ids and
borrower ids are normalised exactly as a claim normalises them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calendars import parse_period

from .._errors import BookError, RelendInputError
from .._i18n import _
from ..columnar.text import TextColumn
from ..engine.validate import columns
from ..readers.ledger import read_ledger

__all__ = ["AuditFolder", "ClaimFolder", "claimed_loans_digest", "read_audit", "read_claim"]

_OUTPUT_COLUMNS = ("status", "reason", "entitlement_fen", "detail", "policy_version")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ClaimFolder:
    """A claim's ``--out`` folder: its summary, its files' digests and its claimed loans."""

    folder: Path
    summary: dict[str, Any]
    summary_sha256: str
    files: tuple[tuple[str, str], ...]
    loans: pd.DataFrame  # loan_id, borrower_id, principal_fen, disbursement_date,
    # entitlement_fen, policy_version; the eligible rows in ledger order

    @property
    def program(self) -> str:
        return str(self.summary["tool"])

    @property
    def period(self) -> str:
        return str(self.summary.get("period") or self.summary["quarter"])

    @property
    def lender(self) -> str:
        return str(self.summary["lender"])


@dataclass(frozen=True)
class AuditFolder:
    """An audit's ``--out`` folder: what it found to claw back."""

    folder: Path
    summary: dict[str, Any]
    summary_sha256: str
    clawback_fen: int


def _summary(folder: Path, what: str) -> tuple[dict[str, Any], str, tuple[tuple[str, str], ...]]:
    """The folder's summary, its digest, and its files checked against their digests."""
    path = folder / "summary.json"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BookError(
            what, str(folder), _("a folder written by relend {what} --out").format(what=what)
        ) from None
    except OSError as exc:
        raise BookError(
            what,
            str(path),
            _("a readable summary.json ({reason})").format(
                reason=exc.strerror or type(exc).__name__
            ),
        ) from None
    try:
        summary = json.loads(data.decode("utf-8"))
        files = tuple((str(f["name"]), str(f["sha256"])) for f in summary["files"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise BookError(
            what, str(path), _("the summary.json relend {what} --out wrote").format(what=what)
        ) from None
    for name, digest in files:
        if Path(name).name != name:
            raise BookError("file", name, _("a file name inside the folder"))
        try:
            found = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except FileNotFoundError:
            raise BookError(
                "file",
                str(folder / name),
                _(
                    "the file summary.json lists (it is missing: the folder is not as relend "
                    "wrote it)"
                ),
            ) from None
        if found != digest:
            raise BookError(
                "file",
                str(folder / name),
                _(
                    "the file as relend wrote it (its SHA-256 is {found}, summary.json says "
                    "{expected}: it was changed after the run; run the claim again)"
                ).format(found=found, expected=digest),
            )
    return summary, hashlib.sha256(data).hexdigest(), files


def read_claim(folder: str | Path) -> ClaimFolder:
    """Read and check a claim's ``--out`` folder.

    Raises
    ------
    BookError
        If the folder is not a claim's, a file is missing or changed since the run, or
        ``loans.csv`` is not among its files.
    """
    folder = Path(folder)
    summary, digest, files = _summary(folder, "claim")
    if "entitlement_fen" not in summary or "loans_eligible" not in summary:
        raise BookError("claim", str(folder), _("a folder written by relend claim --out"))
    if "loans.csv" not in dict(files):
        raise BookError(
            "claim", str(folder), _("a claim's folder with its loans.csv (a claim --out)")
        )
    try:
        parse_period(str(summary.get("period") or summary.get("quarter")))
    except (ValueError, TypeError):
        raise BookError(
            "claim", str(folder), _("a claim's summary.json naming its period")
        ) from None
    return ClaimFolder(folder, summary, digest, files, _claimed(folder / "loans.csv"))


def read_audit(folder: str | Path) -> AuditFolder:
    """Read and check an audit's ``--out`` folder (its ``clawback_fen``)."""
    folder = Path(folder)
    summary, digest, _files = _summary(folder, "audit")
    clawback = summary.get("clawback_fen")
    if not isinstance(clawback, int) or isinstance(clawback, bool) or clawback < 0:
        raise BookError("audit", str(folder), _("a folder written by relend audit --out"))
    return AuditFolder(folder, summary, digest, clawback)


def _unescaped(column: pd.Series) -> pd.Series:
    """Text as it was before the CSV writer put ``'`` before a cell a spreadsheet would
    run as a formula."""
    text = pa.array(column.fillna("").astype(str), type=pa.large_string())
    escaped = pc.and_(
        pc.starts_with(text, "'"),
        pc.match_substring_regex(text, r"^'[=+\-@\t\r]"),
    )
    if not pc.any(escaped).as_py():
        return column
    return pd.Series(
        pc.if_else(escaped, pc.utf8_slice_codeunits(text, 1), text).to_pandas(),
        index=column.index,
        name=column.name,
        dtype=column.dtype,
    )


def _claimed(path: Path) -> pd.DataFrame:
    """The eligible rows of a claim's ``loans.csv``, normalised as the claim read them."""
    try:
        frame = read_ledger(path).frame
    except RelendInputError as exc:
        raise BookError("loans.csv", str(path), str(exc)) from None
    missing = [c for c in _OUTPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise BookError("loans.csv", str(path), _("the loans.csv relend claim --out wrote"))
    eligible = (frame["status"] == "eligible").to_numpy(dtype=bool)
    rows = frame.loc[eligible]
    ledger = rows.drop(columns=list(_OUTPUT_COLUMNS))
    for name in ledger.columns:
        if ledger[name].dtype != object or name == "principal_fen":
            continue
        ledger[name] = _unescaped(ledger[name])
    valid = columns(ledger.reset_index(drop=True))
    loans = pd.DataFrame(
        {
            "loan_id": valid.loan_id.series(),
            "borrower_id": TextColumn.of(valid.frame["borrower_id"]).normalized().series(),
            "principal_fen": valid.principal_fen.astype(np.int64),
            "disbursement_date": (
                np.datetime64("1970-01-01") + valid.disbursed.astype("timedelta64[D]")
            ),
            "entitlement_fen": rows["entitlement_fen"].astype("int64").to_numpy(),
            "policy_version": rows["policy_version"].astype(str).to_numpy(),
        }
    )
    return loans


def claimed_loans_digest(loans: pd.DataFrame) -> str:
    """SHA-256 of a claim's booked loans, in order (what ``verify`` recomputes).

    Notes
    -----
    Each loan is one line of its fields joined by U+001F, built on whole columns; the
    digest covers the lines' lengths and their bytes.
    """
    days = pd.to_datetime(loans["disbursement_date"]).astype("datetime64[s]")
    fields = [
        pa.array(loans["loan_id"].astype(str), type=pa.large_string()),
        pa.array(loans["borrower_id"].astype(str), type=pa.large_string()),
        pc.cast(pa.array(loans["principal_fen"].astype("int64")), pa.large_string()),
        pc.strftime(pa.array(days), format="%Y-%m-%d").cast(pa.large_string()),
        pc.cast(pa.array(loans["entitlement_fen"].astype("int64")), pa.large_string()),
        pa.array(loans["policy_version"].astype(str), type=pa.large_string()),
    ]
    joined = pc.binary_join_element_wise(*fields, pa.scalar("\x1f", pa.large_string()))
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    lengths = pc.binary_length(joined).to_numpy(zero_copy_only=False).astype("<i8")
    offsets = np.frombuffer(joined.buffers()[1], dtype="<i8")[joined.offset :]
    start, end = (int(offsets[0]), int(offsets[len(joined)])) if len(joined) else (0, 0)
    digest = hashlib.sha256(lengths.tobytes())
    if end > start:
        digest.update(memoryview(joined.buffers()[2])[start:end])
    return digest.hexdigest()
