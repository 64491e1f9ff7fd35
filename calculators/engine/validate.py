"""Reading a ledger into exact columns: every row validated, vectorized.

A ledger (a DataFrame, a path or a :class:`~calculators.readers.ledger.LedgerFile`) is turned
into :class:`LoanColumns`: stripped loan ids, checked borrower ids, principal in integer
fen, dates as int64 days, and one mask per invalid reason (in the order of
:data:`calculators.engine.codes.INVALID_REASONS`). File-level problems raise
:class:`~calculators._errors.LedgerFileError`; row-level ones only mark the row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._errors import LedgerFileError, ParameterError
from .._i18n import _
from ..columnar.dates import parse_dates
from ..columnar.duplicates import duplicated_ids
from ..columnar.ids import IdColumn, IdSet
from ..columnar.money import parse_principal
from ..columnar.text import TextColumn
from ..readers.columns import CNY_ALIASES, REQUIRED, canonical_columns, canonical_name
from ..readers.ledger import LedgerFile, read_ledger
from .codes import INVALID_REASONS

OUTPUT_COLUMNS = (
    "principal_fen", "status", "reason", "entitlement_fen", "detail", "policy_version",
)  # fmt: skip


Ledger: TypeAlias = pd.DataFrame | str | Path | LedgerFile


@dataclass(frozen=True)
class LoanColumns:
    """A ledger's columns as exact values, one entry per input row."""

    loan_id: TextColumn  # stripped, missing as ""
    borrowers: IdColumn
    principal_fen: np.ndarray
    disbursed: np.ndarray  # int64 days since 1970-01-01
    matures: np.ndarray
    invalid: list[tuple[str, np.ndarray]]
    is_cny: np.ndarray
    principal_ok: np.ndarray
    dates_ok: tuple[np.ndarray, np.ndarray]  # disbursement, maturity readable
    frame: pd.DataFrame = field(repr=False)

    def borrower_in(self, ids: IdSet, where: np.ndarray | None = None) -> np.ndarray:
        """Which rows' borrower is in ``ids`` (exact; integer lookups, see ``_ids``).

        Only the rows in ``where`` (default: all) are looked up; the others are False.
        """
        return self.borrowers.isin(ids, where)


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a DataFrame's content, index left out.

    Notes
    -----
    Column by column: the column's name, then for text columns each row's byte length
    (int64), which rows are missing and the UTF-8 bytes themselves; for other columns
    pandas' row hashes. Equal content gives an equal digest whatever the chunking or
    the string storage.
    """
    digest = hashlib.sha256()
    for name, column in frame.items():
        digest.update(f"{name!s}\0".encode())
        if isinstance(column.dtype, pd.StringDtype):
            text = TextColumn.of(column)
            for part in (text.lengths, np.packbits(text.missing), text.used):
                digest.update(np.ascontiguousarray(part).data)
        else:
            digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def load(
    ledger: Ledger, extra_required: tuple[str, ...] = (), *, sheet: str | int | None = None
) -> tuple[pd.DataFrame, str | None]:
    """The raw ledger frame and the file's SHA-256 (None for a DataFrame: see ClaimResult).

    ``sheet`` chooses a workbook's sheet by name or position from 1 (see
    :func:`calculators.readers.ledger.read_ledger`); read the file with ``read_ledger`` to keep
    its notes and format.
    """
    if isinstance(ledger, str | Path):
        ledger = read_ledger(ledger, sheet)
    if isinstance(ledger, LedgerFile):
        frame, digest = ledger.frame, ledger.sha256
    elif isinstance(ledger, pd.DataFrame):
        frame, digest = ledger, None
    else:
        raise ParameterError("ledger", type(ledger).__name__, _("a DataFrame or a path to a CSV"))
    clash = [c for c in OUTPUT_COLUMNS if c in frame.columns and c != "principal_fen"]
    if clash:
        raise LedgerFileError(
            "column",
            clash[0],
            _(
                "a ledger without the output columns status, reason, entitlement_fen, detail "
                "and policy_version"
            ),
        )
    canon = canonical_columns(frame, (*REQUIRED, *extra_required))
    raise_disagreement(principal_disagreement(canon))
    return frame, digest


Disagreement: TypeAlias = tuple[int, str, str, str]  # position, loan id, yuan, fen


def principal_disagreement(canon: pd.DataFrame) -> Disagreement | None:
    """The first row whose ``principal`` and ``principal_fen`` are both readable and differ.

    ``canon`` has canonical column names; None when it lacks one of the two columns or
    they agree wherever both are readable.
    """
    given = _in_units(canon)
    if given is None or "principal_fen" not in canon.columns:
        return None
    name, unit = given
    yuan, yuan_ok = parse_principal(canon[name], unit)
    fen, fen_ok = parse_principal(canon["principal_fen"], "fen")
    differ = np.flatnonzero(yuan_ok & fen_ok & (yuan != fen))
    if not len(differ):
        return None
    k = int(differ[0])
    row = canon.iloc[k]
    return k, str(row["loan_id"]).strip(), str(row[name]), str(row["principal_fen"])


PRINCIPAL_UNITS = {"principal": ("yuan", "元"), "principal_wan": ("wan", "万元")}
"""The principal columns given in a unit of yuan: the parser's unit and the unit's name."""


def _in_units(canon: pd.DataFrame) -> tuple[str, str] | None:
    """The principal column given in yuan or 万元 (canonical name) and its parser's unit."""
    for name, (unit, _word) in PRINCIPAL_UNITS.items():
        if name in canon.columns:
            return name, unit
    return None


def principal_unit(columns: Iterable[object]) -> dict[str, str | None]:
    """Which column a ledger's principal is read from and in what unit, from its headers.

    Returns ``principal_column`` (the header as given) and ``principal_unit`` (``元``,
    ``万元`` or ``分``; the yuan or 万元 column when there is also a fen column, which
    must agree with it), both None when the ledger has none.
    """
    names = {canonical_name(column): column for column in columns}
    for name, (_unit, word) in (*PRINCIPAL_UNITS.items(), ("principal_fen", ("fen", "分"))):
        if name in names:
            return {"principal_column": str(names[name]), "principal_unit": word}
    return {"principal_column": None, "principal_unit": None}


def raise_disagreement(found: Disagreement | None, offset: int = 0) -> None:
    """Refuse a ledger whose two principal columns disagree (see :func:`principal_disagreement`).

    Notes
    -----
    A ledger with both columns is accepted only when they give the same amount on every
    row where both are readable: which of two different amounts is right cannot be
    guessed. ``offset`` is the row's position in the whole ledger before this part.
    """
    if found is None:
        return
    k, loan_id, yuan, fen = found
    raise LedgerFileError(
        "principal",
        yuan,
        _(
            "the amount of principal_fen={fen} on line {line} (loan_id {loan_id}): "
            "a ledger with both principal and principal_fen needs them to agree on every row; "
            "give one of the two columns, or correct the row"
        ).format(fen=repr(fen), line=offset + k + 2, loan_id=repr(loan_id)),
    )


Duplicates = frozenset[str] | np.ndarray | None


def columns(
    frame: pd.DataFrame, duplicates: Duplicates = None, extra: tuple[str, ...] = ()
) -> LoanColumns:
    """Validate every row of a ledger, vectorized.

    Parameters
    ----------
    frame : pandas.DataFrame
    duplicates : frozenset of str or numpy.ndarray of bool, optional
        When ``frame`` is one part of a larger ledger: the loan ids that occur more than
        once in the whole ledger, or the rows of ``frame`` that carry one. By default
        duplicates are found within ``frame``.
    extra : tuple of str
        The program's own required columns (a header two columns share goes to these).
    """
    canon = canonical_columns(frame, (*REQUIRED, *extra))
    loan_id = TextColumn.of(canon["loan_id"]).filled().stripped()
    empty_id = loan_id.lengths == 0
    if duplicates is None:
        duplicate = duplicated_ids(loan_id)
    elif isinstance(duplicates, np.ndarray):
        duplicate = duplicates
    else:
        repeated = pa.array(sorted(duplicates), type=pa.large_string())
        duplicate = pc.is_in(loan_id.array, value_set=repeated).to_numpy(zero_copy_only=False)
        duplicate &= ~empty_id
    borrowers = IdColumn.of(TextColumn.of(canon["borrower_id"]).normalized())
    principal, principal_ok = _principal(canon)
    disbursed, d_ok = parse_dates(canon["disbursement_date"])
    matures, m_ok = parse_dates(canon["maturity_date"])
    dates_ok = d_ok & m_ok
    if "currency" in canon.columns:
        is_cny = TextColumn.of(canon["currency"]).normalized_in(CNY_ALIASES)
    else:
        is_cny = np.ones(len(canon), dtype=bool)
    invalid = [
        ("invalid_loan_id", empty_id),
        ("duplicate_loan_id", duplicate),
        ("invalid_borrower_id", ~borrowers.ok),
        ("invalid_principal", ~principal_ok),
        ("invalid_date", ~dates_ok),
        ("maturity_not_after_disbursement", dates_ok & (matures <= disbursed)),
    ]
    assert [name for name, _ in invalid] == list(INVALID_REASONS)
    return LoanColumns(
        loan_id, borrowers, principal, disbursed, matures, invalid, is_cny, principal_ok,
        (d_ok, m_ok), canon,
    )  # fmt: skip


def _principal(canon: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Principal in fen and validity, from ``principal`` (yuan), ``principal_wan`` (万元,
    exactly x 1,000,000 fen) or ``principal_fen``.

    Notes
    -----
    With both columns a row is valid only when both are readable and equal: a row where
    one is empty or unreadable is ``invalid_principal`` (its detail shows both values).
    Rows where both are readable and differ make the whole ledger refused before this
    (:func:`raise_disagreement`); here they are invalid too.
    """
    given = _in_units(canon)
    if "principal_fen" not in canon.columns:
        assert given is not None, "canonical_columns requires a principal column"
        return parse_principal(canon[given[0]], given[1])
    fen, ok = parse_principal(canon["principal_fen"], "fen")
    if given is not None:
        yuan, yuan_ok = parse_principal(canon[given[0]], given[1])
        ok = ok & yuan_ok & (fen == yuan)
        fen = fen * ok  # 0 where not ok
    return fen, ok


def loan_id_column(frame: pd.DataFrame) -> pd.Series:
    """The loan-id column as given, whatever its header (借据号, loan_id)."""
    return frame[next(c for c in frame.columns if canonical_name(c) == "loan_id")]


def loan_ids(frame: pd.DataFrame) -> pd.Series:
    """The loan-id column, whatever its header (借据号, loan_id), stripped, empty for missing
    (as :func:`columns` compares them), with the frame's index and the column's name."""
    column = loan_id_column(frame)
    text = TextColumn.of(column).filled().stripped()
    return text.series(column.index, column.name)
