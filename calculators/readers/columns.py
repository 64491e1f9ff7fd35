"""The columns relend reads and the headers it accepts for them: the table, and the
matching of a file's headers to it (renaming them, refusing a file without a required
column). Without pandas, for the command line's help and the error lines of commands
that read no ledger (:mod:`calculators.readers.csv_file` and
:mod:`calculators.readers.xlsx_file` read the files)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from .._errors import LedgerFileError, ParameterError, name_fields
from .._i18n import _

if TYPE_CHECKING:
    import pandas as pd

# canonical column -> aliases (compared after the header-cleaning rule of
# _normal_header): the one table for every file relend reads; the programs add their own
# ledger columns as they register (add_columns)
_ALIASES: dict[str, tuple[str, ...]] = {
    # loan ledgers (贷款台账)
    "loan_id": ("借据号", "贷款编号", "借据编号"),
    "borrower_id": ("统一社会信用代码", "借款人证件号码", "证件号码"),
    "borrower_name": ("借款人名称", "借款人", "企业名称"),
    "principal": ("贷款金额", "发放金额", "贷款本金", "本金"),
    "principal_fen": ("贷款金额_分", "本金_分"),
    # principal in 万元 (10,000 yuan): the unit rule below maps 发放金额(万元) etc. here
    "principal_wan": ("贷款金额（万元）",),
    "currency": ("币种",),
    "disbursement_date": ("发放日期", "放款日期", "发放日"),
    "maturity_date": ("到期日期", "到期日"),
    # submitted claims (audit)
    "claimed": ("申报金额", "申请金额", "申请再贷款金额"),
    "claimed_fen": ("申报金额_分",),
    # NPL files
    "unit": ("机构", "分支机构"),
    "industry": ("行业",),
    "loan_balance": ("贷款余额",),
    "npl_balance": ("不良贷款余额",),
    "baseline_tolerance_pct": ("基准容忍度",),
    "uplift_pct": ("上调幅度",),
    # quarter-end balances (microloan incentive)
    "quarter": ("季度",),
    "balance": ("余额", "普惠小微贷款余额"),
}
COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(_ALIASES)
"""Each column's accepted headers by its canonical name (a live view: a program's own
columns appear when it registers)."""

_LEDGER: dict[str, None] = dict.fromkeys((
    "loan_id", "borrower_id", "borrower_name", "principal", "principal_fen", "currency",
    "disbursement_date", "maturity_date", "principal_wan",
))  # fmt: skip
LEDGER_COLUMNS: Mapping[str, None] = MappingProxyType(_LEDGER)
"""The columns a ledger may have (iterate it, or ask ``in``); other files name theirs
(``among``). A live view: a program's own columns join when it registers."""

REQUIRED = ("loan_id", "borrower_id", "disbursement_date", "maturity_date")
CNY_ALIASES = ("CNY", "RMB", "人民币", "156", "")
HEADER_SCAN_ROWS = 20
"""How many rows at the top of a sheet are searched for the header row."""


def _normal_header(name: object) -> str:
    return "".join(str(name).replace("\ufeff", "").split()).lower()


_TO_CANONICAL: dict[str, str] = {}
_ALIAS_TO_CANONICAL: Mapping[str, str] = MappingProxyType(_TO_CANONICAL)
"""Each cleaned header's column; a header two columns share goes to the first listed
(借款人类别: borrower_category, which transport registers before buyback)."""

_SHARED: dict[str, tuple[str, ...]] = {}
_SHARED_HEADERS: Mapping[str, tuple[str, ...]] = MappingProxyType(_SHARED)
"""Headers two columns share (借款人类别: borrower_category of transport, borrower_kind of
buyback): a file read with one of them required gets that one."""


def _index() -> None:
    """Derive the header lookups from the table (after every change to it)."""
    _TO_CANONICAL.clear()
    _TO_CANONICAL.update(
        (header, canonical)
        for canonical, aliases in reversed(list(_ALIASES.items()))
        for header in map(_normal_header, (canonical, *aliases))
    )
    owners: dict[str, list[str]] = {}  # each alias's columns, in table order
    for canonical, aliases in _ALIASES.items():
        for header in dict.fromkeys(map(_normal_header, aliases)):
            owners.setdefault(header, []).append(canonical)
    _SHARED.clear()
    _SHARED.update((header, tuple(found)) for header, found in owners.items() if len(found) > 1)
    name_fields({key: aliases[0] for key, aliases in _ALIASES.items()})


def add_columns(columns: Mapping[str, tuple[str, ...]]) -> None:
    """Add a program's own ledger columns (key -> its Chinese headers, the first the one
    outputs use) to the table and to the columns a ledger may have.

    Raises
    ------
    ParameterError
        A column the table has already, with other headers.
    """
    for key, headers in columns.items():
        if _ALIASES.get(key, headers) != headers:
            raise ParameterError(
                key, "、".join(headers), _("the headers it already has: {headers}").format(
                    headers="、".join(_ALIASES[key])
                ),
            )  # fmt: skip
    _ALIASES.update(columns)
    _LEDGER.update(dict.fromkeys(columns))
    _index()


def remove_columns(keys: Iterable[str]) -> None:
    """Remove columns a program added (for tests that register a toy one)."""
    for key in keys:
        _ALIASES.pop(key, None)
        _LEDGER.pop(key, None)
    _index()


_index()


_UNIT = re.compile(r"^(.+?)[(（](?:单位[:：])?(?:人民币)?(万元|元)[)）]$")
"""A header naming its unit: ``贷款金额（元）``, ``发放金额(人民币元)``,
``贷款金额（单位：万元）``."""
_YUAN_COLUMNS = ("principal", "claimed", "loan_balance", "npl_balance", "balance")
"""The columns read in yuan, whose header may say so: ``(元)`` changes nothing."""


def _with_unit(key: str) -> str | None:
    """The canonical name of a cleaned header that names a unit after a known name:
    a yuan column's with ``(元)``; the principal's with ``(万元)`` is ``principal_wan``."""
    found = _UNIT.match(key)
    if found is None:
        return None
    base = _ALIAS_TO_CANONICAL.get(found[1])
    if base in _YUAN_COLUMNS and found[2] == "元":
        return base
    if base == "principal" and found[2] == "万元":
        return "principal_wan"
    return None


def canonical_name(column: object, among: Iterable[str] = LEDGER_COLUMNS) -> str | None:
    """The canonical name of a header (``借据号`` -> ``loan_id``) among the columns a
    file of its kind has (default: a ledger's), or None.

    A header that names its unit in brackets after a known name is that column in that
    unit: ``贷款金额（元）`` and ``发放金额(人民币元)`` are ``principal`` (yuan),
    ``贷款金额（万元）`` is ``principal_wan`` (read as 万元, 10,000 yuan each).
    """
    key = _normal_header(column)
    found = _ALIAS_TO_CANONICAL.get(key)
    if found is None:
        found = _with_unit(key)
    return found if found is not None and found in among else None


def present(frame: pd.DataFrame, most: int = 8) -> str:
    """The frame's column names for a message, shortened past ``most``."""
    names = [str(c) for c in frame.columns]
    shown = ", ".join(names[:most])
    # TRANSLATORS: ends a shortened list of column names
    more = _(", ... ({count} in all)").format(count=len(names)) if len(names) > most else ""
    return shown + more


def canonical_columns(
    frame: pd.DataFrame, required: Iterable[str], among: Iterable[str] = LEDGER_COLUMNS
) -> pd.DataFrame:
    """Rename aliased headers to canonical names and check the required ones.

    Parameters
    ----------
    frame : pandas.DataFrame
    required : iterable of str
    among : iterable of str
        The columns a file of this kind has (default: a ledger's, of which a principal
        in yuan or in fen is required too); other headers are left as they are.

    Raises
    ------
    LedgerFileError
        If a required column is missing or two headers name the same column.
    """
    renamed: dict[object, str] = {}
    seen: dict[str, object] = {}
    kinds = tuple(among)
    needed = set(required)
    for column in frame.columns:
        canonical = canonical_name(column, kinds)
        if canonical is None:
            continue
        shared = _SHARED_HEADERS.get(_normal_header(column), ())
        canonical = next((c for c in shared if c in needed), canonical)
        if canonical in seen:
            raise LedgerFileError(
                "column",
                str(column),
                _("one column for {name}; {other} is too").format(
                    name=canonical, other=seen[canonical]
                ),
            )
        seen[canonical] = column
        renamed[column] = canonical
    if "principal" in seen and "principal_wan" in seen:  # one amount, in two units
        raise LedgerFileError(
            "column",
            str(seen["principal_wan"]),
            _("one column for {name}; {other} is too").format(
                name="principal", other=seen["principal"]
            ),
        )
    out = frame.rename(columns=renamed)
    wanted = list(required)
    if "principal" in kinds and not {"principal", "principal_fen", "principal_wan"} & set(seen):
        wanted.append("principal")
    for name in wanted:
        if name not in out.columns:
            if name == "principal":
                # TRANSLATORS: starts a list of accepted column names, the Chinese ones follow
                names = _("principal (yuan), principal_fen, ") + _(", ").join(
                    (*COLUMN_ALIASES[name], *COLUMN_ALIASES["principal_wan"])
                )
            else:
                names = _(", ").join((name, *COLUMN_ALIASES.get(name, ())))
            raise LedgerFileError(
                "columns",
                present(frame),
                _("a {name} column, named one of: {names}").format(name=name, names=names),
            )
    return out
