"""The labels of what relend writes, in Chinese and English: the Chinese header of each
output column, the labels of the summary's keys and the notes of a workbook's summary
sheet."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..engine.labels import (
    AUDIT_CLASS_LABELS,
    COLUMN_LABELS,
    FIGURE_LABELS,
    LIST_LABELS,
    REASON_LABELS,
    label,
)
from ..readers.columns import COLUMN_ALIASES, canonical_name
from ..tools.npl import INDUSTRIES

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


def _chinese(column: object) -> str:
    """A column's Chinese header: relend's own, else the first header the column table
    (a program's own columns included) accepts for it, else the name as it is."""
    name = str(column)
    found = CHINESE_HEADERS.get(name)
    if found is None:
        found = COLUMN_ALIASES.get(name, (name,))[0]
    return found


def _english(column: object) -> str:
    """A column's English key: a ledger's, a submission's or an NPL file's header by its
    canonical name (机构 -> unit), else as it is."""
    return canonical_name(column, among=COLUMN_ALIASES) or str(column)


_LABEL_HEADERS = {"status": "状态说明", "reason": "原因说明", "class": "核对结果说明"}

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
    if name in COLUMN_LABELS:
        return label(COLUMN_LABELS, name, lang)
    if name in CHINESE_HEADERS:
        return CHINESE_HEADERS[name] if lang == "zh" else name.replace("_", " ")
    if name in LIST_LABELS:
        return label(LIST_LABELS, name, lang)
    if name in REASON_LABELS:
        return label(REASON_LABELS, name, lang)
    if lang == "zh" and name in INDUSTRIES:
        return INDUSTRIES[name]
    return name
