"""Chinese and English labels for the codes relend writes: statuses, reasons, audit classes.

The codes themselves (``eligible``, ``duplicate_loan_id``, ``overclaimed``) are stable
English identifiers in every output; a label travels beside a code, never instead of
it. These tables are the one place the words live, for the workbooks and for any later
translation of the command line.

Notes
-----
The reason labels paraphrase the rules of the notices (for instance
``term_under_6_months``: 中国人民银行 科技部 工业和信息化部关于设立科技创新再贷款的通知,
clause 三, "期限 6 个月及以上"; NPL reasons: 银保监办发〔2022〕64号 (十七)); the rules
themselves and their citations are in :mod:`calculators.policy` and the tool modules.
``term_under_minimum`` is the code ``term_under_6_months`` became when the minimum term
came from the policy version; both keep a label, as older outputs carry the old code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from .._errors import PARAMETER_LABELS as PARAMETER_LABELS
from .._errors import ParameterError
from .._i18n import Label, _


def _table(entries: dict[str, tuple[str, str]]) -> Mapping[str, Label]:
    return MappingProxyType({code: Label(zh, en) for code, (zh, en) in entries.items()})


STATUS_LABELS: Mapping[str, Label] = _table(
    {
        "eligible": ("符合条件", "eligible"),
        "excluded": ("不符合条件", "excluded"),
        "invalid": ("无效", "invalid"),
        "within": ("在容忍度内", "within the tolerance"),
        "breach": ("超出容忍度", "above the tolerance"),
    }
)
"""Row statuses of claims (eligible, excluded, invalid) and of NPL checks (within,
breach, invalid)."""

_REASON_LABELS = dict(
    _table(
        {
            "eligible": ("符合条件", "eligible"),
            "non_cny": ("非人民币贷款", "not a CNY loan"),
            "before_policy_start": ("发放日早于政策起始日", "disbursed before the policy start"),
            "after_policy_end": ("发放日晚于政策截止日", "disbursed after the policy end"),
            "outside_period": ("发放日不在申报期内", "disbursed outside the period claimed"),
            "term_under_6_months": ("贷款期限不足6个月", "term under 6 months"),
            "already_claimed": (
                "已在账簿中另一笔申请内",
                "already in another recorded claim",
            ),
            "term_under_minimum": (
                "贷款期限短于政策规定的最短期限",
                "term under the policy's minimum",
            ),
            "invalid_loan_id": ("借据号缺失或无效", "loan id missing or invalid"),
            "duplicate_loan_id": ("借据号重复", "loan id duplicated"),
            "invalid_borrower_id": ("借款人证件号码无效", "borrower id invalid"),
            "invalid_principal": ("贷款金额无效", "principal invalid"),
            "invalid_date": ("日期无效", "date invalid"),
            "maturity_not_after_disbursement": (
                "到期日不晚于发放日",
                "maturity not after the disbursement",
            ),
            # NPL tolerance check
            "within_tolerance": ("不良率在容忍度内", "NPL ratio within the tolerance"),
            "above_tolerance": ("不良率超出容忍度", "NPL ratio above the tolerance"),
            "invalid_balance": ("余额无效", "balance invalid"),
            "zero_loan_balance": ("贷款余额为零", "loan balance is zero"),
            "npl_above_loan_balance": (
                "不良贷款余额大于贷款余额",
                "NPL balance above the loan balance",
            ),
            "invalid_percentage": ("百分比无效", "percentage invalid"),
            "uplift_not_allowed_for_industry": (
                "该行业不在上调容忍度的行业之列",
                "no uplift for this industry",
            ),
            "uplift_above_3pp": ("上调幅度超过3个百分点", "uplift above 3 percentage points"),
            # audit: submitted rows
            "not_in_ledger": ("台账中无此贷款", "not in the ledger"),
            "missing_loan_id": ("申报行缺少借据号", "submitted row without a loan id"),
            "duplicate_claim": ("同一贷款重复申报", "loan claimed on more than one row"),
            "invalid_claimed_amount": ("申报金额无效", "claimed amount invalid"),
        }
    )
)
REASON_LABELS: Mapping[str, Label] = MappingProxyType(_REASON_LABELS)
"""Reason codes of claims, NPL checks and audits: those of the engine here, each
program's own added as it registers (:func:`add_labels`)."""

AUDIT_CLASS_LABELS: Mapping[str, Label] = _table(
    {
        "match": ("一致", "match"),
        "overclaimed": ("多报", "overclaimed"),
        "underclaimed": ("少报", "underclaimed"),
        "not_in_ledger": ("台账中无此贷款", "not in the ledger"),
        "not_claimed": ("未申报", "not claimed"),
        "duplicate_claim": ("重复申报", "claimed more than once"),
        "invalid": ("无效", "invalid"),
    }
)
"""Classes of an audit's comparison, loan by loan."""

_FIGURE_LABELS = dict(
    _table(
        {
            "first_disbursement": ("贷款发放起始日", "first disbursement day"),
            "last_disbursement": ("贷款发放截止日", "last disbursement day"),
            "ratio": ("支持比例", "share of principal"),
            "min_term_months": ("贷款最短期限（月）", "minimum loan term (months)"),
            "rates": ("再贷款利率", "relending rate"),
            "term_years": ("再贷款期限（年）", "relending term (years)"),
            "max_extensions": ("最多展期次数", "most extensions"),
            "cadence": ("发放频率", "cadence"),
            "deadline_rule": ("申请截止日规则", "application deadline rule"),
            "lenders": ("发放对象", "eligible lenders"),
            "categories": ("支持的借款人类型", "eligible borrower categories"),
            "borrower_rule": ("借款人条件", "borrower rule"),
            "day_count": ("日计数惯例", "day count"),
            "first_quarter": ("首个适用季度", "first quarter"),
            "last_quarter": ("最后适用季度", "last quarter"),
            "fixed_rate": ("利率互换固定利率", "swap fixed rate"),
            "lenders_open": ("所列机构以外的机构可申请的起始日", "other lenders accepted from"),
        }
    )
)
FIGURE_LABELS: Mapping[str, Label] = MappingProxyType(_FIGURE_LABELS)
"""The figures of a policy version (``calculators/policies/*.toml``) by name; each
program's own are added as it registers (:func:`add_labels`)."""

_LIST_LABELS: dict[str, Label] = {}
LIST_LABELS: Mapping[str, Label] = MappingProxyType(_LIST_LABELS)
"""The reference lists of the programs (``--eligible-borrowers`` ...) by name, added as
each program registers (:func:`add_labels`)."""


LABELLED_COLUMNS: Mapping[str, Mapping[str, Label]] = MappingProxyType(
    {"status": STATUS_LABELS, "reason": REASON_LABELS, "class": AUDIT_CLASS_LABELS}
)
"""Output columns whose codes get a label column beside them."""


def label(table: Mapping[str, Label], code: str, lang: str = "zh") -> str:
    """The label of ``code`` in ``lang`` (``zh`` or ``en``); the code itself if unlabelled."""
    found = table.get(code)
    if found is None:
        return code
    return found.zh if lang == "zh" else found.en


_LIST_HELP_ZH: dict[str, str] = {}


def add_list_help(name: str, zh: str) -> None:
    """Give list ``name``'s help in Chinese, unless a program registered before gave it
    (the first program to register a list gives its option's help)."""
    _LIST_HELP_ZH.setdefault(name, zh)


def list_help(name: str, given: str) -> str:
    """What a reference list is, in the user's language, for the command line's and the
    web app's help: ``given`` (the program's own words, in English) unless the language
    is Chinese and the list's program gave it in Chinese."""
    from .._i18n import language

    return _LIST_HELP_ZH.get(name, given) if language() == "zh" else given


_COLUMN_LABELS: dict[str, Label] = {}
COLUMN_LABELS: Mapping[str, Label] = MappingProxyType(_COLUMN_LABELS)
"""The programs' own ledger columns by their key, added as each program registers."""


def add_labels(
    reasons: Mapping[str, Label] = MappingProxyType({}),
    lists: Mapping[str, Label] = MappingProxyType({}),
    columns: Mapping[str, Label] = MappingProxyType({}),
    figures: Mapping[str, Label] = MappingProxyType({}),
) -> None:
    """Add a program's reason, list, column and figure labels to the tables.

    Raises
    ------
    ParameterError
        A code or list that already has another label (two programs sharing a code
        must give it the same words).
    """
    for table, given in ((_REASON_LABELS, reasons), (_LIST_LABELS, lists),
                         (_COLUMN_LABELS, columns), (_FIGURE_LABELS, figures)):  # fmt: skip
        for code, found in given.items():
            if table.get(code, found) != found:
                raise ParameterError(
                    code, f"{found.zh} / {found.en}",
                    _("the label it already has: {zh} / {en}").format(
                        zh=table[code].zh, en=table[code].en
                    ),
                )  # fmt: skip
        table.update(given)


def forget_labels(
    reasons: Iterable[str] = (),
    lists: Iterable[str] = (),
    columns: Iterable[str] = (),
    figures: Iterable[str] = (),
) -> None:
    """Remove labels a program added (for tests that register a toy one)."""
    for name in figures:
        _FIGURE_LABELS.pop(name, None)
    for key in columns:
        _COLUMN_LABELS.pop(key, None)
    for code in reasons:
        _REASON_LABELS.pop(code, None)
    for name in lists:
        _LIST_LABELS.pop(name, None)
        _LIST_HELP_ZH.pop(name, None)
