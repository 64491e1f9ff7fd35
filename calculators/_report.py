"""Writing results: JSON summaries, per-row CSV and Excel workbooks.

CSV files are UTF-8 with a BOM so that Excel opens Chinese text correctly. Workbooks
have a summary sheet (Chinese label, English key, value) and a rows sheet whose first
two rows are the Chinese and the English headers. Money stays integer fen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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

CHINESE_HEADERS: Mapping[str, str] = {
    **{canonical: aliases[0] for canonical, aliases in COLUMN_ALIASES.items()},
    "principal_fen": "本金(分)",
    "status": "状态",
    "reason": "原因代码",
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
    "assessment_relief": "考核不扣分(二十七)",
    "due_diligence_exemption": "尽职免责(二十八)",
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


def make_out_dir(out: str | Path) -> Path:
    """Create the output folder, or refuse one that cannot be written."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError("out", str(out), f"a writable folder ({exc.strerror})") from None
    return path


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
        for record in zip(*_python_columns(rows.iloc[start : start + EXCEL_MAX_ROWS]), strict=True):
            sheet.append(record)
    book.save(path)


def write_outputs(
    summary: Mapping[str, Any],
    rows: pd.DataFrame,
    out: str | Path,
    *,
    csv_name: str,
    xlsx_name: str,
    rows_sheet: str,
    workbook: bool = True,
) -> list[Path]:
    """Write ``summary.json``, the rows CSV and (unless ``workbook`` is False) the
    workbook; return their paths."""
    folder = make_out_dir(out)
    paths = [folder / "summary.json", folder / csv_name]
    write_json(summary, paths[0])
    write_csv(rows, paths[1])
    if workbook:
        paths.append(folder / xlsx_name)
        write_workbook(summary, rows, paths[2], rows_sheet)
    return paths
