"""Writing results: JSON summaries, per-row CSV and Excel workbooks.

CSV files are UTF-8 with a BOM so that Excel opens Chinese text correctly. Workbooks
are made to be handed over as they are: a summary sheet (Chinese label, English key,
value, yuan), the rows under Chinese and English header rows with yuan amounts as
numbers beside the integer fen, dates as dates, Chinese labels beside the codes and a
totals row equal to the summary; the invalid rows again; the sources of the policy
figures in the notices' words; the codes and their labels. Money stays integer fen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import signal
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.utility import xl_col_to_name

from .._errors import NotRelendsFileError, OutputError, OutputIsInputError, ParameterError
from .._i18n import _, language, os_reason
from .._money import exact_sum, fen_to_yuan, yuan_to_fen
from .._progress import bar as progress_bar
from .._progress import writing
from ..columnar.bytes import contiguous, data, lengths, masked, offsets, used
from ..columnar.dates import parse_dates
from ..columnar.money import parse_yuan_column
from ..columnar.parallel import _cores, in_thread_batches
from ..columnar.text import TextColumn
from ..engine.labels import (
    AUDIT_CLASS_LABELS,
    FIGURE_LABELS,
    LABELLED_COLUMNS,
    LIST_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    Label,
    label,
)
from ..engine.result import percent_text
from ..readers.columns import COLUMN_ALIASES, canonical_name
from ..tools.npl import INDUSTRIES

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

EXCEL_MAX_ROWS = 1_048_576 - 3
"""Rows of a rows sheet: Excel's 1,048,576 less two header rows and the totals row."""

OUTPUT_NAMES: tuple[str, ...] = (
    "summary.json",
    "loans.csv",
    "claim.xlsx",
    "audit.csv",
    "audit.xlsx",
    "npl.csv",
    "npl.xlsx",
    "schedule.csv",
    "schedule.xlsx",
)
"""Every file name relend writes under ``--out``: the only names it ever removes there."""

CHINESE_HEADERS: Mapping[str, str] = {
    **{canonical: aliases[0] for canonical, aliases in COLUMN_ALIASES.items()},
    "principal_fen": "本金（分）",
    "overclaimed_fen": "多报金额（分）",
    "underclaimed_fen": "少报金额（分）",
    "submitted_line": "申报文件行号",
    "ledger_line": "台账行号",
    "status": "状态",
    "reason": "原因代码",
    "detail": "说明",
    "policy_version": "政策版本",
    "entitlement_fen": "可申请再贷款（分）",
    "claimed_fen": "申报金额（分）",
    "recomputed_fen": "复核金额（分）",
    "difference_fen": "差额（分）",
    "class": "核对结果",
    "unit": "机构",
    "industry": "行业",
    "unit_name": "机构名称",
    "industry_code": "行业代码",
    "loan_balance_fen": "贷款余额（分）",
    "npl_balance_fen": "不良贷款余额（分）",
    "npl_ratio_pct": "不良率（%）",
    "tolerance_pct": "容忍度（%）",
    "headroom_fen": "剩余容忍空间（分）",
    "industry_basis": "行业依据（第十七条）",
    "assessment_relief": "考核不予扣分或减轻扣分（第二十七条）",
    "due_diligence_exemption": "尽职免责：可减轻或免予追责（第二十八条）",
}

_SUMMARY: Mapping[str, tuple[str, str]] = {
    "tool": ("工具", "program"),
    "policy": ("政策版本", "policy version"),
    "policy_title": ("政策名称", "policy title"),
    "lender_name": ("金融机构名称", "lender name"),
    "eligible_principal_yuan": ("符合条件本金（元）", "eligible principal (yuan)"),
    "deadline_nominal": ("名义截止日（申报期后首月 10 日）", "nominal deadline (the 10th)"),
    "calendar": ("日历", "calendar"),
    "version": ("软件版本", "relend version"),
    "submitted_fen": ("申报金额（分）", "submitted (fen)"),
    "submitted_yuan": ("申报金额（元）", "submitted (yuan)"),
    "submitted_rows": ("申报行数", "submitted rows"),
    "recomputed_fen": ("复核金额（分）", "recomputed (fen)"),
    "recomputed_yuan": ("复核金额（元）", "recomputed (yuan)"),
    "overclaimed_fen": ("多报金额（分）", "overclaimed (fen)"),
    "overclaimed_yuan": ("多报金额（元）", "overclaimed (yuan)"),
    "underclaimed_fen": ("少报金额（分）", "underclaimed (fen)"),
    "underclaimed_yuan": ("少报金额（元）", "underclaimed (yuan)"),
    "net_difference_fen": ("净差额（分）", "net difference (fen)"),
    "clawback_fen": ("应收回再贷款（分）", "clawback (fen)"),
    "clawback_yuan": ("应收回再贷款（元）", "clawback (yuan)"),
    "clawback_rule": ("应收回规则", "clawback rule"),
    "tolerance_fen": ("容差（分）", "tolerance (fen)"),
    "within_tolerance_fen": ("容差以内的净差额（分）", "net difference within the tolerance (fen)"),
    "within_tolerance_over_fen": (
        "容差以内的多报金额（分）",
        "overclaims within the tolerance (fen)",
    ),
    "invalid_claimed_fen": (
        "无借据号行的申报金额（分）",
        "claimed on rows without a loan id (fen)",
    ),
    "unverified_recomputed_fen": ("无法核对的复核金额（分）", "recomputed, not compared (fen)"),
    "differences": ("差异笔数", "differences"),
    "duplicate_claim_loans": ("多行重复申报的贷款笔数", "loans claimed on more than one row"),
    "unreadable_claim_rows": ("无法读取的申报金额行数", "unreadable submitted amounts"),
    "unreadable_claims": ("无法读取的申报金额", "unreadable submitted amounts"),
    "ledger_invalid_rows": ("台账无效行数", "invalid ledger rows"),
    "claim": ("再贷款申请", "claim"),
    "within": ("在容忍度内笔数", "within the tolerance"),
    "breach": ("超出容忍度笔数", "above the tolerance"),
    "invalid": ("无效笔数", "invalid"),
    "quarter": ("申报期", "period"),
    "lender": ("金融机构", "lender"),
    "ratio": ("支持比例", "share of principal"),
    "loans_total": ("贷款笔数", "loans"),
    "loans_eligible": ("符合条件笔数", "eligible loans"),
    "loans_excluded": ("不符合条件笔数", "excluded loans"),
    "loans_invalid": ("无效笔数", "invalid loans"),
    "eligible_principal_fen": ("符合条件本金（分）", "eligible principal (fen)"),
    "entitlement_fen": ("可申请再贷款（分）", "entitlement (fen)"),
    "entitlement_yuan": ("可申请再贷款（元）", "entitlement (yuan)"),
    "deadline": ("申请截止日", "apply by"),
    "calendar_status": ("日历状态", "calendar status"),
    "rounding": ("舍入规则", "rounding"),
    "input_sha256": ("台账文件 SHA-256 校验值", "ledger file SHA-256"),
    "principal_column": ("本金所在列", "principal column"),
    "principal_unit": ("本金单位", "principal unit"),
    "invalid_rows": ("无效行", "invalid rows"),
    "line": ("行号", "line"),
    "reasons": ("原因", "reasons"),
    "classes": ("核对结果", "classes"),
    "lists": ("名单证件号码个数", "ids in the lists"),
    "list_files": ("名单文件", "list files"),
    "file": ("文件", "file"),
    "sha256": ("SHA-256 校验值", "SHA-256"),
    "screening": ("名单筛查", "screening"),
    "warnings": ("警告", "warnings"),
    "code": ("代码", "code"),
    "message": ("说明", "message"),
    "policy_versions": ("各政策版本", "policy versions"),
    "title": ("政策名称", "title"),
    "origin": ("来源", "origin"),
    "policy_source": ("政策数据来源", "policy source"),
    "package": ("relend 自带的政策数据", "relend's own policy data"),
    "files": ("政策文件", "policy files"),
    "path": ("路径", "path"),
    "input_format": ("输入文件格式", "input format"),
    "kind": ("文件类型", "kind"),
    "encoding": ("编码", "encoding"),
    "delimiter": ("分隔符", "delimiter"),
    "sheet": ("工作表", "sheet"),
    "header_row": ("表头所在行", "header row"),
    "lines_count_from_header": ("行号起算方式", "lines count from the header"),
    "unrecognized": ("无法识别的取值", "unrecognized values"),
    "language": ("语言", "language"),
    "by_industry": ("按行业", "by industry"),
    "by_unit": ("按机构", "by unit"),
    "comparison": ("比较方法", "comparison"),
    "headroom_rounding": ("剩余容忍空间取整规则", "headroom rounding"),
    "source": ("依据", "source"),
    "industries_named": ("第十七条所列行业", "industries article 十七 names"),
    "extra_industries": ("用户指定的其他行业", "industries named by the user"),
    "relief_terms": ("容忍度内的考核与免责", "relief within the tolerance"),
    "no_or_reduced_deduction": ("不予扣分或适当减轻扣分", "no or reduced deduction"),
    "may_be_considered": ("可予考虑", "may be considered"),
    "not_applicable": ("不适用", "not applicable"),
    "loan_balance_fen": ("贷款余额（分）", "loan balance (fen)"),
    "npl_balance_fen": ("不良贷款余额（分）", "NPL balance (fen)"),
    "npl_ratio_pct": ("不良率（%）", "NPL ratio (%)"),
    "tolerance_pct": ("容忍度（%）", "tolerance (%)"),
    "headroom_fen": ("剩余容忍空间（分）", "headroom (fen)"),
    "unit": ("机构", "unit"),
    "industry": ("行业", "industry"),
    "loan_id": ("借据号", "loan id"),
    "reason": ("原因代码", "reason"),
    "detail": ("说明", "detail"),
    "currency": ("币种", "currency"),
    "borrower_category": ("借款人类型", "borrower category"),
    "assessment_relief": (
        "考核不予扣分或减轻扣分（第二十七条）",
        "assessment relief (article 二十七)",
    ),
    "due_diligence_exemption": (
        "尽职免责（第二十八条）",
        "due-diligence exemption (article 二十八)",
    ),
}

SUMMARY_LABELS: Mapping[str, str] = {key: zh for key, (zh, _en) in _SUMMARY.items()}
"""The Chinese label of each summary key, for the summary sheet."""

SUMMARY_LABELS_EN: Mapping[str, str] = {key: en for key, (_zh, en) in _SUMMARY.items()}
"""The English label of each summary key, for the summary sheet."""


def write_json(summary: Mapping[str, Any], path: Path) -> None:
    """Write a summary as indented UTF-8 JSON."""
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _chinese(column: object) -> str:
    name = str(column)
    return CHINESE_HEADERS.get(name, name)


def _english(column: object) -> str:
    """A column's English key: a ledger's, a submission's or an NPL file's header by its
    canonical name (机构 -> unit), else as it is."""
    return canonical_name(column, among=COLUMN_ALIASES) or str(column)


# -- CSV ----------------------------------------------------------------------------------

CSV_BLOCK_ROWS = 1 << 17


def write_csv(frame: pd.DataFrame, path: Path, progress: bool = False) -> None:
    """Write rows as UTF-8-with-BOM CSV, every row, no index, as pandas' ``to_csv`` does.

    Notes
    -----
    The cells are rendered by Arrow's compute kernels, a block of rows at a time, and
    the bytes written as they are (several times faster than ``to_csv``: see
    ``benchmarks/README.md``). The file is the one
    ``to_csv(index=False, encoding="utf-8-sig")`` writes where lines end in ``\n``
    (Linux, macOS; on Windows pandas ended them in ``\r\n``), byte for byte:
    a cell is quoted only when it holds a comma, a double quote or a line feed (quotes
    doubled), missing values are empty, ``Int64`` and categorical columns as their
    values, booleans ``True``/``False``, datetime columns of midnights ``YYYY-MM-DD``.
    Two differences, on purpose, both for text that came from outside the bank: a text
    cell a spreadsheet would take for a formula (``=HYPERLINK(...)``, ``+cmd|...``,
    ``@SUM(1)``, a leading tab or carriage return) is written with a ``'`` before it
    (:func:`_csv_inert`), header included, while plain numbers (``-1.00``, ``-5``) are
    written as they are; and a cell holding a carriage return is quoted too (Python
    3.11's csv module leaves it bare, and Excel and the csv module's reader end the
    row there).
    Arrow's own ``pyarrow.csv.write_csv`` cannot give that file: with
    ``quoting_style="needed"`` it quotes every text cell and the header, and with
    ``"none"`` it refuses a cell that holds a comma. Float and object columns of
    other values are rendered by Python's ``str``, as pandas does.
    """
    with open(path, "wb") as handle, _progress(len(frame), path, progress) as bar:
        handle.write(b"\xef\xbb\xbf")
        header = pa.array([str(c) for c in frame.columns], type=pa.large_string())
        header = _csv_quoted(_csv_inert(header), single=len(frame.columns) == 1)
        handle.write(",".join(header.to_pylist()).encode("utf-8") + b"\n")
        if not len(frame.columns):
            handle.write(b"\n" * len(frame))
            return

        def render(start: int) -> tuple[memoryview, int]:
            block = frame.iloc[start : start + CSV_BLOCK_ROWS]
            cells = [
                _csv_quoted(_csv_inert(_csv_text(column)), single=len(frame.columns) == 1)
                for _, column in block.items()
            ]
            return _bytes_of(_join(_join(*cells, ","), "\n", "")), len(block)

        # blocks are rendered a core's worth at a time (Arrow's kernels release the
        # GIL) and written in order
        for lines, rows in in_thread_batches(render, list(range(0, len(frame), CSV_BLOCK_ROWS))):
            handle.write(lines)
            bar.update(rows)


def _csv_text(column: pd.Series) -> pa.Array:
    """A column as the text ``to_csv`` writes for it: empty for missing values."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_string_dtype(dtype.categories.dtype):  # decoded by Arrow
            codes = pa.array(column.cat.codes.to_numpy(), mask=column.isna().to_numpy())
            words = pa.array(dtype.categories.astype(str).tolist(), type=pa.large_string())
            return pc.fill_null(pc.take(words, codes), "")
        return _csv_text(column.astype(dtype.categories.dtype))
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(column, type=pa.bool_(), from_pandas=True)
        words = pc.if_else(flags, "True", "False")
        return pc.fill_null(words.cast(pa.large_string()), "")
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowTypeError):
            values = pa.array(column, from_pandas=True)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
            if (
                pa.types.is_integer(values.type)
                or pa.types.is_string(values.type)
                or (pa.types.is_large_string(values.type))
            ):
                return pc.fill_null(values.cast(pa.large_string()), "")
    if pd.api.types.is_datetime64_dtype(dtype):
        stamps = pd.Series(column)
        if bool((stamps.dropna() == stamps.dropna().dt.normalize()).all()):
            days = pa.array(stamps, from_pandas=True)
            return pc.fill_null(pc.strftime(days, "%Y-%m-%d").cast(pa.large_string()), "")
    # anything else (floats, mixed objects): str() of each value, as pandas writes it
    text = column.astype(object).where(column.notna(), "").map(str)
    return pa.array(text.tolist(), type=pa.large_string())


_FORMULA_FIRST = frozenset(b"=+-@\t\r\x00")
"""First bytes that make a spreadsheet read a cell as a formula: OWASP's CSV Injection
list (``=``, ``+``, ``-``, ``@``, tab, carriage return) and the NUL of ASVS 5.0 (1.2.10)."""
_FULL_WIDTH_FORMULA = frozenset("＝＋－＠")
"""Full-width forms of the same signs (UTF-8 ``EF BC xx``): no guide lists them, but an
East Asian Excel may fold them to ASCII (as its input method does) and Chinese text
holds them; a ``'`` costs a name that starts with one nothing."""
_FULL_WIDTH_THIRD = frozenset(c.encode("utf-8")[2] for c in _FULL_WIDTH_FORMULA)
_PLAIN_NUMBER = r"^[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
"""A signed decimal number (``-1.00``, ``-1,234.5``, ``+5``, ``-2e3``): no formula in it."""


def _csv_inert(text: pa.Array) -> pa.Array:
    """Text cells that a spreadsheet would evaluate, with a ``'`` before them.

    Notes
    -----
    OWASP's rule for CSV Injection (Formula Injection): a cell that begins with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single quote, which
    Excel shows as text and does not evaluate; relend adds NUL (ASVS 5.0, 1.2.10) and the
    full-width ＝＋－＠. A cell that is a plain number (``-1.00``, ``-5``: relend's
    own numeric columns, amounts as a ledger writes them) holds no formula and is left
    as it is. The first byte of every cell is read from the column's buffer at once;
    only a column with such a cell is matched further.
    """
    text = contiguous(text)
    ends = offsets(text)
    starts, sizes = ends[:-1], np.diff(ends)
    raw = data(text)
    filled = sizes > 0
    if not filled.any():
        return text
    first = raw[starts[filled]]
    risky = np.isin(first, np.frombuffer(bytes(sorted(_FORMULA_FIRST)), dtype=np.uint8))
    wide = (first == 0xEF) & (sizes[filled] >= 3)
    if wide.any():
        at = starts[filled][wide]
        risky[wide] = (raw[at + 1] == 0xBC) & np.isin(raw[at + 2], list(_FULL_WIDTH_THIRD))
    if not risky.any():
        return text
    need = np.zeros(len(text), dtype=bool)
    need[np.flatnonzero(filled)[risky]] = True
    numbers = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
    need &= ~numbers.to_numpy(zero_copy_only=False)
    if not need.any():
        return text
    return pc.if_else(pa.array(need), _join("'", text, ""), text)


def _csv_quoted(text: pa.Array, single: bool) -> pa.Array:
    """Quote the cells that need it, as the csv module does (quotes doubled).

    A row of one empty field is written ``""`` (else it would be an empty line).
    """
    # the csv module's QUOTE_MINIMAL with pandas' "\n" line ends, and a "\r" quoted as well
    # (a reader ends the row at a bare one). Most columns (ids, dates, codes) hold none of
    # the four bytes: one scan of the column's bytes says so, before any cell is looked at.
    raw = np.frombuffer(_bytes_of(text), dtype=np.uint8)
    if np.isin(raw, np.frombuffer(b',"\n\r', dtype=np.uint8)).any():
        need = pc.match_substring_regex(text, '[,"\n\r]')
    elif single:
        need = pc.equal(text, "")
    else:
        return text
    if single:
        need = pc.or_(need, pc.equal(text, ""))
    if not pc.any(need).as_py():
        return text
    quoted = _join('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(need, quoted, text)


def _join(*parts: Any) -> pa.Array:
    """Arrow's ``binary_join_element_wise`` (the last part is the separator) over
    ``large_string`` arrays and scalars: null where any array is null."""
    typed = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*typed)


def _bytes_of(values: pa.Array) -> memoryview:
    """The bytes of a string array's rows, one after another."""
    values = contiguous(values)
    ends = offsets(values)
    return data(values)[ends[0] : ends[-1]].data


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{12}\.tmp$")


def _progress(total: int, path: Path, show: bool) -> contextlib.AbstractContextManager[Any]:
    """The bar of a file being written, named as the file will be (not its temporary
    name), shown once the write has taken two seconds."""
    found = _TEMPORARY.match(path.name)
    return progress_bar(total, writing(found["name"] if found else path.name), show)


# -- workbooks ------------------------------------------------------------------------------

BLOCK_ROWS = 1 << 16
"""Rows a thread renders and compresses at once."""
WIDTH_SAMPLE_ROWS = 1 << 16
"""Rows whose values decide the column widths (the first ones)."""
COMPRESS_LEVEL = 2
"""The deflate level of the rows: with ISA-L (python-isal) about three times as fast as
zlib's level 1 or 2, with zlib (where python-isal is missing) three to five times as
fast as its default (6); either way a file about a quarter larger than zlib's default
(see ``benchmarks/README.md``)."""
EXCEL_EXACT_INT = 10**15
"""Excel keeps 15 significant digits: a whole number of fen from 10**15 up (10 trillion
yuan), and the yuan amount of such a number of fen, are written as text so that no
digit is lost."""
EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel serial day (1900 date system)
EXCEL_FIRST_SAFE_SERIAL = 61  # 1900-03-01: earlier serials meet Excel's 29 Feb 1900
EXCEL_LAST_SERIAL = 2_958_465  # 9999-12-31
_DATE_COLUMNS = ("disbursement_date", "maturity_date")
_YUAN_TEXT_COLUMNS = ("principal", "loan_balance", "npl_balance")
_LABEL_HEADERS = {"status": "状态说明", "reason": "原因说明", "class": "核对结果说明"}
_CONTROL = "[\\x00-\\x08\\x0b-\\x1f]"  # escaped by Excel as _xHHHH_ (tab, LF kept)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YUAN_TEXT = re.compile(r"^-?\d{1,3}(?:,\d{3})*\.\d{2}$")

NOTES: tuple[str, ...] = (
    "以元计的金额由以分计的整数金额精确换算，以分为准；"
    "10^15 分（10 万亿元）及以上的金额以文本写出，不丢失任何一位。"
    " Yuan amounts are computed exactly from the integer fen, and the fen are "
    "authoritative; amounts of 10^15 fen (10 trillion yuan) or more are written as text "
    "so that no digit is lost.",
    "合计行只计入汇总所计的行（贷款：符合条件的行；核对：无效申报行以外的行；不良：有效行），"
    "与 summary.json 一致。 The totals row adds up the rows the summary counts (claims: the "
    "eligible loans; audits: all but invalid submitted rows; NPL: the valid rows) and "
    "equals summary.json.",
    "无法识别的日期和金额按原文写出（见原因代码与说明）。 Dates and amounts that could not be "
    "read are written as given (see the reason and detail).",
)


@dataclass(frozen=True)
class _Cells:
    """One block of one output column: numbers where present, else text, else blank."""

    number: pa.Array | None  # the value as the XML's number text, null where not a number
    text: pa.Array | None  # text, null where blank or written as a number


@dataclass(frozen=True)
class _Column:
    """An output column of a rows sheet: its headers, cell style and how to fill it."""

    zh: str
    en: str
    style: str  # "text", "int", "fen", "yuan", "date"
    cells: Callable[[pd.DataFrame], _Cells]
    sample: bool = True  # whether its widths come from its values
    coded: object = None  # a categorical input column its cells depend on alone


def _text_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    def cells(block: pd.DataFrame) -> _Cells:
        return _Cells(None, TextColumn.of(block[name]).array)

    return cells


def _int_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    def cells(block: pd.DataFrame) -> _Cells:
        values = block[name]
        present = values.notna().to_numpy(dtype=bool)
        ints = values.to_numpy(dtype=np.int64, na_value=0)
        wide = np.abs(ints) >= EXCEL_EXACT_INT
        text = pa.array(ints).cast(pa.large_string())
        return _Cells(_where(text, present & ~wide), _where(text, present & wide))

    return cells


def _yuan_of_fen_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    def cells(block: pd.DataFrame) -> _Cells:
        values = block[name]
        present = values.notna().to_numpy(dtype=bool)
        fen = values.to_numpy(dtype=np.int64, na_value=0)
        text = _yuan_text(fen)
        wide = np.abs(fen) >= EXCEL_EXACT_INT
        return _Cells(_where(text, present & ~wide), _where(text, present & wide))

    return cells


def _yuan_text(fen: np.ndarray) -> pa.Array:
    """Integer fen as exact decimal yuan text (``-1234.05``), by integer division."""
    magnitude = np.abs(fen)
    whole = pa.array(magnitude // 100).cast(pa.large_string())
    cents = pc.utf8_lpad(pa.array(magnitude % 100).cast(pa.large_string()), 2, "0")
    sign = pc.if_else(pa.array(fen < 0), "-", "")
    return _join(sign, whole, ".", cents, "")


def _yuan_given_cells(name: object) -> Callable[[pd.DataFrame], _Cells]:
    """Yuan as the input wrote them: a number where readable, the text as given else."""

    def cells(block: pd.DataFrame) -> _Cells:
        given = TextColumn.of(block[name]).array
        fen, ok = parse_yuan_column(block[name])
        number = ok & (np.abs(fen) < EXCEL_EXACT_INT)
        return _Cells(_where(_yuan_text(fen), number), _where(given, ~number))

    return cells


def _date_cells(name: object, finest: pd.Series | None = None) -> Callable[[pd.DataFrame], _Cells]:
    """Dates as Excel serial days where readable, the value as given else.

    A datetime column's unreadable values (a time of day, a date before 1900-03-01) are
    written as pandas writes the whole column (``astype(str)``), whatever the block:
    pandas shows times, and to what fraction of a second, as the finest value needs, so
    the column's finest value (``finest``, :func:`_finest`) is written with them.
    """

    def cells(block: pd.DataFrame) -> _Cells:
        days, ok = parse_dates(block[name])
        serial = days + EXCEL_EPOCH_DAYS
        ok = ok & (serial >= EXCEL_FIRST_SAFE_SERIAL) & (serial <= EXCEL_LAST_SERIAL)
        values = block[name]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):  # a time of day, say
            shown = np.full(len(values), None, dtype=object)
            where = np.flatnonzero(~ok & values.notna().to_numpy(dtype=bool))
            if len(where):
                given = values.iloc[where]
                text = pd.concat([given, finest]) if finest is not None else given
                shown[where] = text.astype(str).to_numpy(dtype=object)[: len(where)]
            values = pd.Series(shown, index=values.index, dtype=object)
        given = TextColumn.of(values).array
        return _Cells(_where(pa.array(serial).cast(pa.large_string()), ok), _where(given, ~ok))

    return cells


def _label_cells(name: object, table: Mapping[str, Label]) -> Callable[[pd.DataFrame], _Cells]:
    codes = pa.array(list(table), type=pa.large_string())
    words = pa.array([table[c].zh for c in table], type=pa.large_string())

    def cells(block: pd.DataFrame) -> _Cells:
        given = TextColumn.of(block[name]).array
        found = pc.index_in(given, value_set=codes)
        return _Cells(None, pc.coalesce(pc.take(words, found), given))

    return cells


def _where(values: pa.Array, keep: np.ndarray) -> pa.Array:
    """``values`` (as ``large_string``) with the rows not in ``keep`` null."""
    return masked(values, keep)


def _whole(values: pd.Series) -> bool:
    """A float column of whole numbers below 2**53 (fen a join turned into floats)."""
    if not pd.api.types.is_float_dtype(values.dtype):
        return False
    present = values.dropna().to_numpy(dtype=np.float64)
    return bool(np.all((np.mod(present, 1) == 0) & (np.abs(present) < 2.0**53)))


def _finest(values: pd.Series) -> pd.Series | None:
    """The value of a datetime column whose text needs the most of the time of day
    (none, seconds, milli-, micro-, nanoseconds), as a one-row Series; None when every
    value is a midnight."""
    present = values.dropna()
    since = (present - present.dt.normalize()).to_numpy(dtype="timedelta64[ns]")
    ns = since.astype(np.int64)
    need = (ns != 0).astype(np.int8) + (ns % 10**9 != 0) + (ns % 10**6 != 0) + (ns % 1000 != 0)
    if not len(need) or need.max() == 0:
        return None
    return present.iloc[[int(np.argmax(need))]]


def _columns(rows: pd.DataFrame) -> list[_Column]:
    """The output columns of a rows sheet: the input's, typed; yuan beside fen; labels
    beside codes."""
    out = []
    for name, values in rows.items():
        en = _english(name)
        zh = _chinese(en)
        dtype = values.dtype
        if en in _DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(dtype):
            finest = _finest(values) if pd.api.types.is_datetime64_any_dtype(dtype) else None
            out.append(_Column(zh, en, "date", _date_cells(name, finest), sample=False))
        elif pd.api.types.is_bool_dtype(dtype):
            out.append(_Column(zh, en, "text", _text_cells(name)))
        elif pd.api.types.is_integer_dtype(dtype) or (en.endswith("_fen") and _whole(values)):
            fen = en.endswith("_fen")
            out.append(_Column(zh, en, "fen" if fen else "int", _int_cells(name)))
            if fen:
                yuan_zh = zh.replace("（分）", "（元）") if "（分）" in zh else f"{zh}（元）"
                out.append(
                    _Column(yuan_zh, en[: -len("_fen")] + "_yuan", "yuan",
                            _yuan_of_fen_cells(name))
                )  # fmt: skip
        elif en in _YUAN_TEXT_COLUMNS:
            out.append(_Column(zh, en, "yuan", _yuan_given_cells(name)))
        else:
            # a categorical column's cells are rendered once per category
            coded = name if isinstance(dtype, pd.CategoricalDtype) else None
            out.append(_Column(zh, en, "text", _text_cells(name), coded=coded))
            if en in LABELLED_COLUMNS:
                out.append(
                    _Column(_LABEL_HEADERS[en], f"{en}_zh", "text",
                            _label_cells(name, LABELLED_COLUMNS[en]), coded=coded)
                )  # fmt: skip
    return out


_EDGE_SPACE = np.isin(np.arange(256), [9, 10, 12, 13, 32])  # RE2's \s: tab, LF, FF, CR, space
_CONTROL_BYTES = np.isin(np.arange(256), [*range(0, 9), *range(11, 32)])  # as _CONTROL


def _escaped(text: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """Text as XML character data the way Excel and XlsxWriter write it, and whether
    each row needs ``xml:space="preserve"`` (None: no row does).

    Notes
    -----
    One count of the column's bytes says which escapes can apply; most columns (ids,
    amounts, codes) need none, and no kernel runs over them. A value begins or ends
    with white space (``^\\s|\\s$`` in RE2's terms) when its first or last byte is one.
    """
    text = contiguous(text)
    if not len(text):
        return text, None
    if int(lengths(text).max()) > 32_767 and (pc.max(pc.utf8_length(text)).as_py() or 0) > 32_767:
        text = contiguous(pc.utf8_slice_codeunits(text, 0, 32_767))  # Excel's limit for a cell
    raw = used(text)
    counts = np.bincount(raw, minlength=256)
    if counts[ord("_")] and bool(np.any((raw[:-1] == ord("_")) & (raw[1:] == ord("x")))):
        # Excel's own escapes, written literally, are escaped
        text = pc.replace_substring_regex(text, "(_x[0-9a-fA-F]{4}_)", "_x005F\\1")
    if counts[_CONTROL_BYTES].any():
        control = pc.match_substring_regex(text, _CONTROL)
        if pc.any(control).as_py():  # rare: escaped one value at a time
            values = text.to_pylist()
            for k in np.flatnonzero(control.to_numpy(zero_copy_only=False)):
                values[k] = re.sub(_CONTROL, lambda m: f"_x{ord(m.group()):04X}_", values[k])
            text = pa.array(values, type=pa.large_string())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if counts[ord(char)]:
            text = pc.replace_substring(text, char, entity)
    text = contiguous(text)
    ends, body = offsets(text), data(text)
    filled = np.flatnonzero(ends[1:] > ends[:-1])
    edge = np.zeros(len(text), dtype=bool)
    edge[filled] = _EDGE_SPACE[body[ends[filled]]] | _EDGE_SPACE[body[ends[filled + 1] - 1]]
    return text, (pa.array(edge) if edge.any() else None)


def _tails(found: _Cells, style: int) -> pa.Array | None:
    """Each cell's XML after its reference (``"`` and on), null where the cell is blank;
    None when every cell is."""
    attr = f' s="{style}"' if style else ""
    tails = []
    if found.number is not None and found.number.null_count < len(found.number):
        tails.append(_join(f'"{attr}><v>', found.number, "</v></c>", ""))
    if found.text is not None:
        text = contiguous(found.text)
        text = masked(text, lengths(text) > 0)  # an empty text is a blank cell
        if text.null_count < len(text):
            text, preserve = _escaped(text)
            open_t: Any = "<t>"
            if preserve is not None:
                open_t = pc.if_else(preserve, '<t xml:space="preserve">', "<t>")
            tails.append(_join(f'"{attr} t="inlineStr"><is>', open_t, text, "</t></is></c>", ""))
    if not tails:
        return None
    return tails[0] if len(tails) == 1 else pc.coalesce(*tails)


def _column_tails(column: _Column, block: pd.DataFrame, style: int) -> pa.Array | None:
    """:func:`_tails` of a column; a categorical column's rendered once per category."""
    if column.coded is None:
        return _tails(column.cells(block), style)
    values = block[column.coded]
    dtype = values.dtype
    categories = pd.Categorical.from_codes(np.arange(len(dtype.categories)), dtype=dtype)
    once = _tails(column.cells(pd.DataFrame({column.coded: categories})), style)
    codes = values.cat.codes.to_numpy()
    if once is None or not len(codes):
        return None
    return pc.take(once, pa.array(codes, mask=codes < 0))


def _xml_rows(columns: list[_Column], block: pd.DataFrame, first_row: int,
              styles: Mapping[str, int]) -> pa.Array:  # fmt: skip
    """The ``<row>`` elements of one block, as XlsxWriter writes them."""
    numbers = pa.array(np.arange(first_row + 1, first_row + 1 + len(block))).cast(pa.large_string())
    parts: list[Any] = ['<row r="', numbers, '">']
    for k, column in enumerate(columns):
        tail = _column_tails(column, block, styles[column.style])
        if tail is None:
            continue
        ref = f'<c r="{xl_col_to_name(k)}'
        if tail.null_count:  # blank cells are left out, reference and all
            parts.append(_join(ref, numbers, tail, ""))
        else:
            parts += [ref, numbers, tail]
    parts.append("</row>")
    typed = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*typed, pa.scalar("", pa.large_string()),
                                       null_handling="replace")  # fmt: skip


def _width(text: pa.Array) -> int:
    """Display width of the widest value: characters, CJK counted twice."""
    if not len(text) or text.null_count == len(text):
        return 0
    chars = pc.utf8_length(text)
    wide = pc.divide(pc.subtract(pc.binary_length(text), chars), 2)
    return int(pc.max(pc.add(chars, wide)).as_py() or 0)


def _widths(columns: list[_Column], sample: pd.DataFrame) -> list[float]:
    out = []
    for column in columns:
        header = max(_width(pa.array([column.zh])), _width(pa.array([column.en])))
        values = 10 if column.style == "date" else 0
        if column.sample and len(sample):
            found = column.cells(sample)
            for part in (found.number, found.text):
                if part is not None:
                    values = max(values, _width(part) + (4 if column.style == "yuan" else 0))
        out.append(float(min(max(header, values, 6) + 2, 60)))
    return out


def _sum_fen(values: pd.Series) -> int:
    return exact_sum(values.to_numpy(dtype=np.int64, na_value=0))


def totals(summary: Mapping[str, Any], rows: pd.DataFrame) -> tuple[str, dict[str, int]]:
    """The totals row of a rows sheet: its label and, per fen column, the exact sum over
    the rows the summary counts.

    Notes
    -----
    Claims: the eligible loans (``eligible_principal_fen``, ``entitlement_fen``).
    Audits: every row but invalid submitted ones (``submitted_fen``, ``recomputed_fen``
    and the differences). NPL checks: the valid rows (the sums of ``by_industry``).
    """
    if "class" in rows.columns:
        keep = rows["class"] != "invalid"  # on the codes of a categorical
        title = "合计(不含无效申报行) Total, invalid submitted rows left out"
        names: tuple[str, ...] = ("claimed_fen", "recomputed_fen", "difference_fen",
                                  "overclaimed_fen", "underclaimed_fen")  # fmt: skip
    elif "npl_balance_fen" in rows.columns:
        keep = rows["status"] != "invalid"
        title = "合计(有效行) Total of the valid rows"
        names = ("loan_balance_fen", "npl_balance_fen")
    elif "entitlement_fen" in rows.columns:
        keep = rows["status"] == "eligible"
        title = "合计(符合条件) Total of the eligible loans"
        names = ("principal_fen", "entitlement_fen")
    else:
        return "", {}
    kept = rows[keep.to_numpy(dtype=bool)]
    return title, {n: _sum_fen(kept[n]) for n in names if n in rows.columns}


FIXED_CREATED = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""The creation time every workbook relend writes records (see :func:`write_workbook`)."""


def write_workbook(
    summary: Mapping[str, Any],
    rows: pd.DataFrame,
    path: Path,
    rows_sheet: str,
    progress: bool = False,
) -> None:
    """Write a workbook to hand over: summary, rows (split over sheets past Excel's row
    limit), the invalid rows, the policy sources and the codes' labels.

    Parameters
    ----------
    summary : Mapping
        The summary of the run (as in ``summary.json``): the summary sheet, the totals
        row's kind and the sources sheet come from it.
    rows : pandas.DataFrame
        Every output row (per loan, per audited loan, per NPL unit), in order.
    path : Path
        The file to write.
    rows_sheet : str
        The name of the first sheet of rows (``loans 贷款``).
    progress : bool, default False
        Show a progress bar on stderr once the write has taken two seconds.

    Notes
    -----
    Amounts: each integer fen column is followed by its yuan, a number computed from
    the fen by integer division and written as its exact decimal text (Excel reads it
    to the nearest double, shown exactly by ``#,##0.00`` below 10^15 fen); fen of
    10^15 or more are written as text. Dates are date cells where relend could read
    them, the value as given else. Both header rows (Chinese, English) and the first
    column stay in view; the last row of the rows is the totals row (:func:`totals`).
    Excel holds 1,048,576 rows a sheet; longer outputs continue on sheets named
    ``<rows_sheet> 2``, ``3``, ... so that no row is left out.

    The workbook is written by XlsxWriter in constant-memory mode, each rows sheet with
    a marker where its rows go; then the rows are rendered as sheet XML by Arrow's
    string kernels and compressed, a block of 65,536 rows per thread, and the package is
    written again with them spliced in at the markers (:func:`_splice_rows`; see
    ``benchmarks/README.md``). That leans on a few of XlsxWriter's internals (the
    sheet's row file ``fh``, ``_write_single_row``, ``_check_dimensions``,
    ``previous_row``, a format's ``_get_xf_index``), hence the pin to XlsxWriter 3; a
    test checks that the rendered rows are the XML XlsxWriter itself writes for the
    same cells, another compares every cell with a workbook of the earlier writer.
    """
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,  # a cell such as "=1+1" stays text
            "strings_to_urls": False,
            # ZIP64 only where a sheet may pass 4 GiB (about 50 bytes of XML a cell):
            # some older readers warn about it
            "use_zip64": len(rows) * (len(rows.columns) + 4) * 64 > 3_500_000_000,
        },
    )
    # the same inputs give the same bytes (and SHA-256 in summary.json): the package's
    # creation time is fixed, as XlsxWriter fixes its entries' times
    book.set_properties({"created": FIXED_CREATED})
    try:
        styles, formats = _styles(book)
        _summary_sheet(book, formats, summary)
        columns = _columns(rows)
        widths = _widths(columns, rows.iloc[:WIDTH_SAMPLE_ROWS])
        label, sums = totals(summary, rows)
        per_sheet = EXCEL_MAX_ROWS
        pending: list[_PendingRows] = []
        with _progress(len(rows), path, progress) as bar:
            starts = range(0, max(len(rows), 1), per_sheet)
            for part, start in enumerate(starts):
                name = rows_sheet if part == 0 else f"{rows_sheet} {part + 1}"
                chunk = rows.iloc[start : start + per_sheet]
                last = part == len(starts) - 1
                _rows_sheet(book, name, columns, widths, chunk, styles, formats,
                            (label, sums) if last else None, bar, pending)  # fmt: skip
            _invalid_sheets(book, columns, widths, rows, styles, formats, bar, pending)
            _sources_sheet(book, formats, summary)
            _codes_sheet(book, formats)
            book.close()
            _splice_rows(path, pending, book.allow_zip64, bar)
    except xlsxwriter.exceptions.FileCreateError as exc:
        _abandon(book)
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, OSError):
            raise cause from None
        raise OSError(str(cause)) from None
    except BaseException:
        _abandon(book)
        raise


def _styles(book: Any) -> tuple[dict[str, int], dict[str, Any]]:
    formats = {
        "text": None,
        "int": book.add_format({"num_format": "0"}),
        "fen": book.add_format({"num_format": "0"}),
        "yuan": book.add_format({"num_format": "#,##0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1}
        ),
        "total": book.add_format({"bold": True, "top": 1}),
        "total_fen": book.add_format({"bold": True, "top": 1, "num_format": "0"}),
        "total_yuan": book.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    # the style numbers the rendered cells refer to (XlsxWriter numbers a format on use)
    styles = {k: (f._get_xf_index() if f is not None else 0) for k, f in formats.items()}
    return styles, formats


def _rows_sheet(
    book: Any,
    name: str,
    columns: list[_Column],
    widths: list[float],
    rows: pd.DataFrame,
    styles: Mapping[str, int],
    formats: Mapping[str, Any],
    total: tuple[str, dict[str, int]] | None,
    bar: Any,
    pending: list[_PendingRows],
) -> None:
    sheet = book.add_worksheet(name)
    for k, width in enumerate(widths):
        sheet.set_column(k, k, width, formats[columns[k].style])
    for header in (0, 1):  # constant-memory mode: row by row
        for k, column in enumerate(columns):
            sheet.write_string(header, k, (column.zh, column.en)[header], formats["header"])
    sheet.freeze_panes(2, 1)
    sheet.repeat_rows(0, 1)  # printed: both header rows on every page, landscape,
    sheet.set_landscape()  # as wide as one page
    sheet.fit_to_pages(1, 0)
    first = 2
    if len(rows):
        # the header rows go out first; then, in the sheet's row stream, a marker where
        # the rows will be spliced in once XlsxWriter has written the package
        sheet._write_single_row(first)
        job = _PendingRows(_MARKER % len(pending), columns, rows, first, styles)
        sheet.fh.write(job.marker.decode("ascii"))
        pending.append(job)
        last = first + len(rows) - 1
        sheet._check_dimensions(last, len(columns) - 1)
        sheet.previous_row = last
    end = first + len(rows)
    if columns:
        sheet.autofilter(1, 0, max(end - 1, 1), len(columns) - 1)
    if total is None or not total[0]:  # rows of no known kind have no totals
        return
    label, sums = total
    sheet.write_string(end, 0, label, formats["total"])
    for k, column in enumerate(columns):
        fen_name = column.en[: -len("_yuan")] + "_fen" if column.style == "yuan" else column.en
        if fen_name not in sums or column.style not in ("fen", "yuan"):
            continue
        fen = sums[fen_name]
        if abs(fen) >= EXCEL_EXACT_INT:
            text = str(fen) if column.style == "fen" else fen_to_yuan(fen)
            sheet.write_string(end, k, text, formats["total"])
        elif column.style == "fen":
            sheet.write_number(end, k, fen, formats["total_fen"])
        else:
            sheet.write_number(end, k, _yuan_number(fen), formats["total_yuan"])


_MARKER = b'<relend:rows n="%d"/>'
"""Where a sheet's rows go in XlsxWriter's sheet XML (its text cells escape ``<``, so
no cell can hold it)."""


@dataclass(frozen=True)
class _PendingRows:
    """The rows of one sheet, to be rendered into the package where ``marker`` is."""

    marker: bytes
    columns: list[_Column]
    rows: pd.DataFrame
    first: int  # the sheet row (from 0) of the first of them
    styles: Mapping[str, int]

    def blocks(self) -> list[int]:
        return list(range(0, len(self.rows), BLOCK_ROWS))

    def render(self, start: int) -> tuple[bytes, int, int, int]:
        """One block as raw deflate ending on a byte boundary (a sync flush), so that
        blocks compressed apart follow one another in one stream; with the CRC-32 and
        the length of its XML, and its row count."""
        block = self.rows.iloc[start : start + BLOCK_ROWS]
        xml = _bytes_of(_xml_rows(self.columns, block, self.first + start, self.styles))
        return _deflated(xml, final=False), zlib.crc32(xml), len(xml), len(block)


def _deflate_module() -> Any:
    """ISA-L's deflate (python-isal, zlib's interface) where installed, else zlib."""
    try:
        from isal import isal_zlib
    except ImportError:  # a platform without its wheels
        return zlib
    return isal_zlib


def _deflated(xml: bytes | memoryview, final: bool) -> bytes:
    """``xml`` as raw deflate, closed (``final``) or ending on a sync flush, on a byte
    boundary, so that another stream may follow it as if one."""
    deflate = _deflate_module()
    packer = deflate.compressobj(COMPRESS_LEVEL, deflate.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(xml) + packer.flush(deflate.Z_FINISH if final else deflate.Z_SYNC_FLUSH)


def _in_order(work: Callable[[int], Any], items: list[int]) -> Iterator[Any]:
    """``work(item)`` for each item, in order, on a thread per core, a few items ahead
    of the caller (which writes one result while the threads make the next)."""
    ahead = _cores() + 1
    pool = ThreadPoolExecutor(max_workers=_cores())
    try:
        futures: list[Future[Any]] = []
        for item in items:
            futures.append(pool.submit(work, item))
            if len(futures) > ahead:
                yield futures.pop(0).result()
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _splice_rows(path: Path, pending: list[_PendingRows], zip64: bool, bar: Any) -> None:
    """Write the package XlsxWriter left at ``path`` again, each sheet's rows in place of
    its marker.

    Notes
    -----
    Each block of rows is rendered and compressed on a thread of its own (Arrow's
    kernels and zlib release the GIL; python-isal's compressor holds it) into raw
    deflate ending on a sync flush; one after another they are one deflate stream,
    closed by the compressed end of the sheet. The zip
    entry of such a sheet is written by hand (header, data, then the header again with
    the CRC-32 and sizes, as :mod:`zipfile` itself does for a stream), the others are
    copied as XlsxWriter made them. ``zip64`` is XlsxWriter's choice for the book; an
    entry that needs ZIP64 without it fails as XlsxWriter's own would.
    """
    if not pending:
        return
    by_marker = {job.marker: job for job in pending}
    with zipfile.ZipFile(path) as made:
        entries = [(info, made.read(info)) for info in made.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=zip64) as package:
        for info, xml in entries:
            found = _MARKER_RE.search(xml) if info.filename.startswith("xl/worksheets/") else None
            if found is None or found.group() not in by_marker:
                package.writestr(info, xml)
                continue
            job = by_marker[found.group()]
            head, tail = xml[: found.start()], xml[found.end() :]
            _write_stream(package, info, head, job, tail, zip64, bar)


_MARKER_RE = re.compile(rb'<relend:rows n="\d+"/>')


def _write_stream(
    package: zipfile.ZipFile,
    like: zipfile.ZipInfo,
    head: bytes,
    job: _PendingRows,
    tail: bytes,
    zip64: bool,
    bar: Any,
) -> None:
    """One sheet's zip entry: ``head``, the job's rows, ``tail``, deflated."""
    entry = zipfile.ZipInfo(like.filename, like.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = like.external_attr
    entry.create_system = like.create_system
    entry.CRC, entry.file_size, entry.compress_size = 0, 0, 0
    handle = package.fp
    assert handle is not None
    entry.header_offset = handle.tell()
    handle.write(entry.FileHeader(zip64))
    crc, size, packed_size = 0, 0, 0

    def put(packed: bytes, xml_crc: int, xml_size: int) -> None:
        nonlocal crc, size, packed_size
        handle.write(packed)
        packed_size += len(packed)
        size += xml_size
        crc = xml_crc if size == xml_size else _crc32_combine(crc, xml_crc, xml_size)

    put(_deflated(head, final=False), zlib.crc32(head), len(head))
    for packed, xml_crc, xml_size, rows in _in_order(job.render, job.blocks()):
        put(packed, xml_crc, xml_size)
        bar.update(rows)
    put(_deflated(tail, final=True), zlib.crc32(tail), len(tail))
    entry.CRC, entry.file_size, entry.compress_size = crc, size, packed_size
    end = handle.tell()
    handle.seek(entry.header_offset)
    try:
        handle.write(entry.FileHeader(zip64))
    except zipfile.LargeZipFile:
        raise xlsxwriter.exceptions.FileSizeError(
            "Filesize would require ZIP64 extensions. Use workbook.use_zip64()."
        ) from None
    handle.seek(end)
    package.filelist.append(entry)
    package.NameToInfo[entry.filename] = entry
    package.start_dir = end
    package._didModify = True  # type: ignore[attr-defined]


_CRC_POLY = 0xEDB88320  # CRC-32's polynomial, bits reversed, as zlib holds it


def _crc_multiply(a: int, b: int) -> int:
    """``a * b`` modulo CRC-32's polynomial (zlib's ``multmodp``)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


def _crc_powers() -> list[int]:
    """``x**(2**k)`` modulo the polynomial for k = 0..31 (zlib's ``x2n_table``)."""
    powers = [1 << 30]  # x**1
    for _k in range(31):
        powers.append(_crc_multiply(powers[-1], powers[-1]))
    return powers


_CRC_POWERS = _crc_powers()


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of ``a + b`` from that of ``a``, that of ``b`` and ``len(b)``, as
    zlib's ``crc32_combine`` (which Python's :mod:`zlib` does not offer)."""
    p, k = 1 << 31, 3  # x**0; the length in bits is 8 * length2, hence from x**(2**3)
    while length2:
        if length2 & 1:
            p = _crc_multiply(_CRC_POWERS[k & 31], p)
        length2 >>= 1
        k += 1
    return _crc_multiply(p, crc1) ^ crc2


def _yuan_number(fen: int) -> float:
    """The double nearest to ``fen / 100`` yuan (exact decimal, then one conversion)."""
    return float(Decimal(fen).scaleb(-2))


def _invalid_mask(rows: pd.DataFrame) -> np.ndarray | None:
    for name in ("class", "status"):
        if name in rows.columns:
            return (rows[name] == "invalid").to_numpy(dtype=bool)  # no text copy
    return None


def _invalid_sheets(
    book: Any,
    columns: list[_Column],
    widths: list[float],
    rows: pd.DataFrame,
    styles: Mapping[str, int],
    formats: Mapping[str, Any],
    bar: Any,
    pending: list[_PendingRows],
) -> None:
    """The invalid rows again, with their reason and detail, on sheets of their own."""
    mask = _invalid_mask(rows)
    if mask is None:
        return
    invalid = rows[mask]
    bar.extend(len(invalid))
    for part, start in enumerate(range(0, max(len(invalid), 1), EXCEL_MAX_ROWS)):
        name = "invalid 无效" if part == 0 else f"invalid 无效 {part + 1}"
        chunk = invalid.iloc[start : start + EXCEL_MAX_ROWS]
        _rows_sheet(book, name, columns, widths, chunk, styles, formats, None, bar, pending)


def _flat(summary: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Summary entries one per line: nested objects as dotted keys (``reasons.eligible``);
    per-row lists and the sources, which have sheets of their own, left out."""
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if key in ("sources", "sources_by_version", "units", "files"):
            continue
        if isinstance(value, Mapping):
            yield from _flat(value, f"{name}.")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for k, item in enumerate(value):
                yield from _flat(item, f"{name}[{k + 1}].")
        elif isinstance(value, list):
            yield name, ", ".join(str(v) for v in value)
        else:
            yield name, value


_KEY_PARTS = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _summary_label(key: str, lang: str = "zh") -> str:
    """The label of a summary key (dotted, with list positions: ``invalid_rows[1].line``)
    in ``lang``: each part by its label, a position as 第 N 项 (#N); never empty."""
    parts = [(name, int(number)) if number else (name, 0)
             for name, number in _KEY_PARTS.findall(key)]  # fmt: skip
    words = []
    parent = ""
    for name, number in parts:
        if number:
            words.append(f"第 {number} 项" if lang == "zh" else f"#{number}")
            continue
        words.append(_part_label(parent, name, lang))
        parent = name
    if parent in ("reasons", "classes") or key.startswith(("reasons.", "claim.reasons.")):
        words = [words[-1] + ("（笔数）" if lang == "zh" else " (rows)")]
    return ("·" if lang == "zh" else " / ").join(words) or key


def _part_label(parent: str, name: str, lang: str) -> str:
    """One part of a summary key by its label in ``lang``, else as it is (a value such
    as a currency or an industry named by the user)."""
    if parent == "reasons":
        return label(REASON_LABELS, name, lang)
    if parent == "classes":
        return label(AUDIT_CLASS_LABELS, name, lang)
    if parent == "policy_versions" and name == "version":
        return "政策版本" if lang == "zh" else "policy version"
    for table in (FIGURE_LABELS, LIST_LABELS):
        if name in table and parent not in ("", "claim"):
            return label(table, name, lang)
    if name in (SUMMARY_LABELS if lang == "zh" else SUMMARY_LABELS_EN):
        return (SUMMARY_LABELS if lang == "zh" else SUMMARY_LABELS_EN)[name]
    if name in CHINESE_HEADERS:
        return CHINESE_HEADERS[name] if lang == "zh" else name.replace("_", " ")
    if name in LIST_LABELS:
        return label(LIST_LABELS, name, lang)
    if name in REASON_LABELS:
        return label(REASON_LABELS, name, lang)
    if lang == "zh" and name in INDUSTRIES:
        return INDUSTRIES[name]
    return name


def _summary_sheet(book: Any, formats: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    sheet = book.add_worksheet("summary 汇总")
    for k, (zh, en) in enumerate((("项目", "item"), ("键", "key"), ("值", "value"),
                                  ("金额（元）", "yuan"), ("项目（英文）", "item"))):  # fmt: skip
        sheet.write_string(0, k, f"{zh} {en}", formats["header"])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 40, formats["wrap"])
    sheet.set_column(3, 3, 20)
    sheet.set_column(4, 4, 30)
    sheet.freeze_panes(1, 0)
    row = 1
    for key, value in _flat(summary):
        sheet.write_string(row, 0, _summary_label(key))
        sheet.write_string(row, 1, key)
        _summary_value(sheet, row, key, value, formats)
        sheet.write_string(row, 4, _summary_label(key, "en"))
        row += 1
    row += 1
    sheet.write_string(row, 0, "说明 notes", formats["header"])
    for note in NOTES:
        row += 1
        sheet.write_string(row, 2, note, formats["wrap"])


def _summary_value(sheet: Any, row: int, key: str, value: Any, formats: Mapping[str, Any]) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, 2, value)
    elif isinstance(value, int):
        if abs(value) >= EXCEL_EXACT_INT:
            sheet.write_string(row, 2, str(value))
        else:
            sheet.write_number(row, 2, value, formats["fen" if key.endswith("_fen") else "int"])
        if key.endswith("_fen"):
            if abs(value) >= EXCEL_EXACT_INT:
                sheet.write_string(row, 3, fen_to_yuan(value))
            else:
                sheet.write_number(row, 3, _yuan_number(value), formats["yuan"])
    elif isinstance(value, str) and key.endswith("_yuan") and _YUAN_TEXT.match(value):
        fen = yuan_to_fen(value)
        if abs(fen) < EXCEL_EXACT_INT:
            sheet.write_number(row, 2, _yuan_number(fen), formats["yuan"])
        else:
            sheet.write_string(row, 2, value)
    elif isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            sheet.write_string(row, 2, value)
        else:
            sheet.write_datetime(row, 2, dt.datetime(day.year, day.month, day.day),
                                 formats["date"])  # fmt: skip
    else:
        sheet.write_string(row, 2, str(value), formats["wrap"])


def _claim_of(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    """The claim's summary: the summary itself, or an audit's ``claim``."""
    claim = summary.get("claim")
    return claim if isinstance(claim, Mapping) else summary


def _sources(summary: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """(policy version, its figures' sources, its figures' values) for every version the
    claim applied: ``sources_by_version``, else the one version's ``sources``."""
    claim = _claim_of(summary)
    values = {
        v.get("version"): v for v in claim.get("policy_versions", []) if isinstance(v, Mapping)
    }
    by_version = claim.get("sources_by_version")
    if isinstance(by_version, Mapping) and by_version:
        return [(str(v), s, values.get(v, {})) for v, s in by_version.items()]
    if isinstance(claim.get("sources"), Mapping):
        return [(str(claim.get("policy", "")), claim["sources"], claim)]
    return []


def _sources_sheet(book: Any, formats: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    """Each figure applied, its value where the summary gives it, and its source in the
    notice's words (title, clause, quoted text), or why it is an assumption; one block
    per policy version applied."""
    sheet = book.add_worksheet("sources 依据")
    heads = (("政策参数", "figure"), ("值", "value"), ("出处(通知名称、条款)", "source"),
             ("是否假设", "assumption"), ("假设理由", "why"), ("政策版本", "version"))  # fmt: skip
    for header in (0, 1):
        for k, words in enumerate(heads):
            sheet.write_string(header, k, words[header], formats["header"])
    for k, width in enumerate((20, 12, 80, 10, 60, 16)):
        sheet.set_column(k, k, width, formats["wrap"] if width >= 60 else None)
    sheet.freeze_panes(2, 1)
    row = 2
    for version, sources, values in _sources(summary):
        for figure, entry in sources.items():
            entry = entry if isinstance(entry, Mapping) else {"source": str(entry)}
            sheet.write_string(row, 0, str(figure))
            value = entry.get("value", values.get(figure))
            if value is not None:
                sheet.write_string(row, 1, _figure_value(str(figure), value))
            sheet.write_string(row, 2, str(entry.get("source", "")), formats["wrap"])
            sheet.write_string(row, 3, "是 yes" if entry.get("assumption") else "否 no")
            if entry.get("why"):
                sheet.write_string(row, 4, str(entry["why"]), formats["wrap"])
            sheet.write_string(row, 5, version)
            row += 1
    if isinstance(summary.get("source"), str):  # the NPL check cites its articles at once
        sheet.write_string(row, 0, "source")
        sheet.write_string(row, 2, summary["source"], formats["wrap"])
        sheet.write_string(row, 3, "否 no")
        row += 1
    for group, terms in (summary.get("relief_terms") or {}).items():
        for term, words in terms.items():
            sheet.write_string(row, 0, f"{group}.{term}")
            sheet.write_string(row, 2, str(words), formats["wrap"])
            sheet.write_string(row, 3, "否 no")
            row += 1


_PERCENT_FIGURES = ("ratio", "fixed_rate", "loan_rate_cap")


def _figure_value(figure: str, value: Any) -> str:
    """A policy figure's value as a person reads it: ratios and rates as percentages
    (60%, 1.75% from 2022-04-01), lists joined, in the run's language."""
    zh = language() == "zh"
    if isinstance(value, list):
        return ("、" if zh else ", ").join(_figure_value(figure, v) for v in value)
    if isinstance(value, Mapping) and "rate" in value:
        rate = percent_text(value["rate"])
        start = value.get("from", "")
        return f"{rate}（自 {start} 起）" if zh else f"{rate} from {start}"
    if figure in _PERCENT_FIGURES and isinstance(value, str):
        return percent_text(value)
    if figure == "cadence" and value in ("quarterly", "monthly"):
        return _("quarterly") if value == "quarterly" else _("monthly")
    return str(value)


def _codes_sheet(book: Any, formats: Mapping[str, Any]) -> None:
    """Every status, reason code and audit class with its Chinese and English label."""
    sheet = book.add_worksheet("codes 代码")
    for k, head in enumerate(("类别 kind", "代码 code", "中文", "English")):
        sheet.write_string(0, k, head, formats["header"])
    for k, width in enumerate((14, 34, 30, 40)):
        sheet.set_column(k, k, width)
    sheet.freeze_panes(1, 0)
    row = 1
    for kind, table in (("status", STATUS_LABELS), ("reason", REASON_LABELS),
                        ("class", AUDIT_CLASS_LABELS)):  # fmt: skip
        for code, words in table.items():
            for k, text in enumerate((kind, code, words.zh, words.en)):
                sheet.write_string(row, k, text)
            row += 1


def _abandon(book: Any) -> None:
    """Remove the scratch files of a workbook that will not be closed.

    In constant-memory mode each sheet streams its rows into a temporary file of
    XlsxWriter's own, removed only when the book is closed.
    """
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        with contextlib.suppress(Exception):
            if handle is not None:
                handle.close()
        name = getattr(sheet, "row_data_filename", None)
        if name:
            with contextlib.suppress(OSError):
                os.unlink(name)


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
    workbook into the folder ``out``, each whole or not at all.

    ``workbook_writer`` writes the workbook to the path it is given instead of
    :func:`write_workbook` (the book's maturity ladder, with its chart).

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
    check_out_dir(out, inputs, digests=False)  # before creating anything
    folder, created = _make_out_dir(out)
    temps: dict[str, Path] = {}
    try:
        with _only_run(folder):
            earlier = check_out_dir(folder, inputs)
            _remove_temporaries(folder)
            files = [{"name": csv_name, "sha256": _write_temporary(
                folder, csv_name, lambda p: write_csv(rows, p, progress), temps
            )}]  # fmt: skip
            if workbook:
                digest = _write_temporary(
                    folder,
                    xlsx_name,
                    workbook_writer
                    or (lambda p: write_workbook(summary, rows, p, rows_sheet, progress)),
                    temps,
                )
                files.append({"name": xlsx_name, "sha256": digest})
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
    paths = (folder / "summary.json", folder / csv_name) + (
        (folder / xlsx_name,) if workbook else ()
    )
    return WrittenOutputs(paths, written, removed)
