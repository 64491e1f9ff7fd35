"""Reading and validating loan ledgers (贷款台账).

A ledger is read as text, every cell a string, so that nothing is lost or guessed:
validation then turns each column into exact values (integer fen, dates as int64 days)
and gives every row one reason code. Problems with a row mark that row ``invalid``;
only problems with the file as a whole (unreadable, undecodable, a required column
missing) raise :class:`LedgerFileError`.

Notes
-----
Accepted encodings: UTF-8 with or without BOM, then GB18030 (which covers GBK and
GB2312 exports). Dates are parsed in :mod:`calculators._dates`.
Borrower ids are 18-character unified social credit codes (GB 32100-2015) or 18-digit
resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2): check characters, and a
resident's birth date and place, are checked on whole columns by the same rules as
python-stdnum (see :mod:`calculators._ids`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ._errors import LedgerFileError
from ._ids import IdColumn, IdSet
from ._text import TEXT, TextColumn

# canonical column -> aliases (compared after the header-cleaning rule of
# _normal_header): the one table for every file relend reads
COLUMN_ALIASES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        # loan ledgers (贷款台账)
        "loan_id": ("借据号", "贷款编号", "借据编号"),
        "borrower_id": ("统一社会信用代码", "借款人证件号码", "证件号码"),
        "borrower_name": ("借款人名称", "借款人", "企业名称"),
        "principal": ("贷款金额", "发放金额", "贷款本金", "本金"),
        "principal_fen": ("贷款金额_分", "本金_分"),
        "currency": ("币种",),
        "disbursement_date": ("发放日期", "放款日期", "发放日"),
        "maturity_date": ("到期日期", "到期日"),
        "borrower_category": ("借款人类型", "借款人类别"),
        # ledger columns of the programs that need one of their own
        "carbon_field": ("碳减排领域", "领域"),
        "loan_rate": ("贷款利率", "执行利率", "贷款年利率"),
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
)
LEDGER_COLUMNS = (
    "loan_id", "borrower_id", "borrower_name", "principal", "principal_fen", "currency",
    "disbursement_date", "maturity_date", "borrower_category", "carbon_field", "loan_rate",
)  # fmt: skip
"""The columns a ledger may have; other files name theirs (``among``)."""
REQUIRED = ("loan_id", "borrower_id", "disbursement_date", "maturity_date")
CNY_ALIASES = ("CNY", "RMB", "人民币", "156", "")

INVALID_REASONS = (
    "invalid_loan_id",
    "duplicate_loan_id",
    "invalid_borrower_id",
    "invalid_principal",
    "invalid_date",
    "maturity_not_after_disbursement",
)
EXCLUSION_REASONS = (
    "non_cny",
    "before_policy_start",
    "after_policy_end",
    "outside_period",
    "term_under_6_months",
    "category_not_eligible",
    "borrower_not_eligible",
    "borrower_dishonest",
)
REASONS = ("eligible", *EXCLUSION_REASONS, *INVALID_REASONS)


def _normal_header(name: object) -> str:
    return "".join(str(name).replace("\ufeff", "").split()).lower()


_ALIAS_TO_CANONICAL = MappingProxyType(
    {
        _normal_header(alias): canonical
        for canonical, aliases in COLUMN_ALIASES.items()
        for alias in (canonical, *aliases)
    }
)


def canonical_name(column: object, among: Iterable[str] = LEDGER_COLUMNS) -> str | None:
    """The canonical name of a header (``借据号`` -> ``loan_id``) among the columns a
    file of its kind has (default: a ledger's), or None."""
    found = _ALIAS_TO_CANONICAL.get(_normal_header(column))
    return found if found is not None and found in among else None


@dataclass(frozen=True)
class LedgerFile:
    """A ledger as read from disk: every cell as text, plus the file's digest."""

    frame: pd.DataFrame
    sha256: str
    path: str


def decode_bytes(data: bytes, path: str, what: str = "ledger") -> str:
    """Decode UTF-8 (BOM or not), else GB18030; refuse anything else."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(what, path, "a CSV in UTF-8 (with or without BOM) or GB18030")


def read_bytes(path: str | Path, what: str = "ledger") -> bytes:
    """Read a file, turning OS errors into one-line :class:`LedgerFileError`."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise LedgerFileError(
            what, str(path), f"a readable file ({exc.strerror or type(exc).__name__})"
        ) from None


def read_ledger(path: str | Path) -> LedgerFile:
    """Read a ledger CSV (or .xlsx) with every cell kept as text.

    Raises
    ------
    LedgerFileError
        If the file is missing, unreadable, undecodable, empty or not a table.

    Notes
    -----
    A CSV is memory-mapped, not copied: Arrow's reader parses the mapped bytes while
    the file's SHA-256 is computed on another thread.
    """
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        data = read_bytes(path)
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise LedgerFileError(
                "ledger", str(path), f"a readable .xlsx workbook ({exc})"
            ) from None
        return LedgerFile(frame, hashlib.sha256(data).hexdigest(), str(path))
    with _mapped(path) as buffer, ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(memoryview(buffer)).hexdigest())
        try:
            frame = read_csv_text(buffer, str(path))
        finally:
            hexdigest = digest.result()
    return LedgerFile(frame, hexdigest, str(path))


@contextlib.contextmanager
def _mapped(path: str | Path, what: str = "ledger") -> Iterator[pa.Buffer]:
    """A file's bytes, memory-mapped (an empty file gives an empty buffer)."""
    try:
        with open(path, "rb"):  # the OS's own reason when the file cannot be read
            pass
        source = pa.memory_map(str(path))
    except OSError as exc:
        raise LedgerFileError(
            what, str(path), f"a readable file ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        yield source.read_buffer()
    finally:
        source.close()


def _is_utf8(data: bytes | pa.Buffer) -> bool:
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    ends = pa.py_buffer(np.array([0, buffer.size], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, ends, buffer])
    try:
        whole.cast(pa.large_string())  # validates in C++, without copying
        return True
    except pa.ArrowInvalid:
        return False


def _is_gb18030(data: bytes | pa.Buffer) -> bool:
    view = memoryview(data)
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        for start in range(0, len(view), 1 << 24):
            decoder.decode(view[start : start + (1 << 24)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_BOM = b"\xef\xbb\xbf"
_CSV_BLOCK_BYTES = 1 << 24


def read_csv_text(data: bytes | pa.Buffer, path: str, what: str = "ledger") -> pd.DataFrame:
    """Every cell of a CSV as text (empty cells as ``""``), read by Arrow's CSV reader.

    Notes
    -----
    UTF-8 (a BOM is skipped) is tried first, then GB18030; a file that is neither, has
    no header, or has rows with the wrong number of fields is refused. Arrow checks
    that UTF-8 is valid as it reads, so a UTF-8 file is read once.
    """
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    if buffer.slice(0, min(3, buffer.size)).to_pybytes() == _BOM:
        buffer = buffer.slice(3)
    first = buffer.slice(0, min(buffer.size, 1 << 20)).to_pybytes().split(b"\n", 1)[0]
    table = _arrow_csv(buffer, first, "utf8", path, what) if _is_utf8(first) else None
    if table is None:  # not UTF-8
        if not _is_gb18030(buffer):
            raise LedgerFileError(what, path, "a CSV in UTF-8 (with or without BOM) or GB18030")
        table = _arrow_csv(buffer, first, "gb18030", path, what)
        assert table is not None
    return table.to_pandas(types_mapper={pa.string(): TEXT}.get)


def _arrow_csv(
    buffer: pa.Buffer, first: bytes, encoding: str, path: str, what: str
) -> pa.Table | None:
    """The CSV as an Arrow table of strings; None when it turns out not to be UTF-8."""
    header = next(csv.reader([first.decode(encoding).rstrip("\r")]), [])
    if not any(name.strip() for name in header):
        raise LedgerFileError(what, path, "a CSV with a header row")
    if len(set(header)) != len(header):
        raise LedgerFileError(what, path, "a header naming each column once")
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(encoding=encoding, block_size=_CSV_BLOCK_BYTES)
    try:
        return pacsv.read_csv(pa.BufferReader(buffer), read_options=read, convert_options=options)
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if encoding == "utf8" and ("UTF8" in message or not _is_utf8(buffer)):
            return None  # another encoding may read it, or explain the error
        raise LedgerFileError(what, path, f"a well-formed CSV ({message})") from None


def present(frame: pd.DataFrame, most: int = 8) -> str:
    """The frame's column names for a message, shortened past ``most``."""
    names = [str(c) for c in frame.columns]
    shown = ", ".join(names[:most])
    return shown + (f", ... ({len(names)} in all)" if len(names) > most else "")


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
    for column in frame.columns:
        canonical = canonical_name(column, kinds)
        if canonical is None:
            continue
        if canonical in seen:
            raise LedgerFileError(
                "column", str(column), f"one column for {canonical}; {seen[canonical]!s} is too"
            )
        seen[canonical] = column
        renamed[column] = canonical
    out = frame.rename(columns=renamed)
    wanted = list(required)
    if "principal" in kinds and "principal" not in seen and "principal_fen" not in seen:
        wanted.append("principal")
    for name in wanted:
        if name not in out.columns:
            if name == "principal":
                names = "principal (yuan), principal_fen, " + ", ".join(COLUMN_ALIASES[name])
            else:
                names = ", ".join((name, *COLUMN_ALIASES.get(name, ())))
            raise LedgerFileError(
                "columns", present(frame), f"a {name} column, named one of: {names}"
            )
    return out


def read_id_list(
    source: str | Path | Iterable[str], what: str, *, allow_empty: bool = True
) -> IdSet:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an iterable.

    Parameters
    ----------
    source : path or iterable of str
    what : str
        The list's name for messages (``eligible-borrowers``, ``dishonest``).
    allow_empty : bool, default True
        Whether a list without a single id is accepted.

    Raises
    ------
    LedgerFileError
        If the file cannot be read, holds an id with a wrong check character (the
        message names the file, the line, header and blank lines counted, and the id;
        for an iterable the item's position from 1), or holds no id and ``allow_empty``
        is False.
    """
    if isinstance(source, str | Path):
        data = read_bytes(source, what)
        text = decode_bytes(data, str(source), what)
        lines = re.split(r"\r\n|\r|\n", text)  # file lines as an editor counts them
        filled = [i for i, line in enumerate(lines) if line.strip()]
        header = _header_id_column(lines[filled[0]]) if filled else None
        if header is not None:
            frame = read_csv_text(data, str(source), what)
            given = TextColumn.of(frame[frame.columns[header]])

            def place(k: int) -> str:
                return f"{source}, line {_csv_record_line(text, k)}"
        else:
            given = TextColumn.of([lines[i].strip() for i in filled])

            def place(k: int) -> str:
                return f"{source}, line {filled[k] + 1}"

        origin = str(source)
    else:
        given = _text_column(source)
        origin = None

        def place(k: int) -> str:
            return f"item {k + 1} of the {what} list"

    ids = given.normalized()
    if not len(ids) and not allow_empty:
        raise LedgerFileError(
            what, origin or [], "a list with at least one borrower id; it has none"
        )
    column = IdColumn.of(ids)
    if not column.ok.all():
        k = int(np.flatnonzero(~column.ok)[0])
        raise LedgerFileError(
            what,
            given[k],  # as written, before stripping and upper-casing
            f"18-character unified social credit codes or resident ids with valid check "
            f"characters ({place(k)})",
        )
    return IdSet.of(column, ids)


def _csv_record_line(text: str, k: int) -> int:
    """The file line (from 1, header included) on which data record ``k`` (from 0) of a
    CSV starts, blank lines skipped as Arrow's reader skips them. Only read on an error."""
    reader = csv.reader(io.StringIO(text))
    before, seen = 0, -1  # the header is record -1
    for record in reader:
        if record:
            if seen == k:
                return before + 1
            seen += 1
        before = reader.line_num
    return before


def _text_column(values: Iterable[str]) -> TextColumn:
    """An iterable of ids as text (directly when every item is a str or None)."""
    items = values if isinstance(values, np.ndarray | list) else list(values)
    try:
        return TextColumn.of(pa.array(items, type=pa.large_string()))
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return TextColumn.of(pd.Series(list(items), dtype=TEXT))


def _header_id_column(line: str) -> int | None:
    cells = [_normal_header(c) for c in line.split(",")]
    for i, cell in enumerate(cells):
        if _ALIAS_TO_CANONICAL.get(cell) == "borrower_id":
            return i
    return None
