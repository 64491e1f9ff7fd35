"""The columns relend reads and the headers it accepts for them: a table without
pandas, for the command line's help and the error lines of commands that read no
ledger (:mod:`calculators.readers.ledger` reads the files)."""

from __future__ import annotations

from types import MappingProxyType

from .._errors import name_fields

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
        # principal in 万元 (10,000 yuan): the unit rule below maps 发放金额(万元) etc. here
        "principal_wan": ("贷款金额（万元）",),
        "currency": ("币种",),
        "disbursement_date": ("发放日期", "放款日期", "发放日"),
        "maturity_date": ("到期日期", "到期日"),
        "borrower_category": ("借款人类型", "借款人类别"),
        # ledger columns of the programs that need one of their own
        "carbon_field": ("碳减排领域", "领域"),
        "loan_rate": ("贷款利率", "执行利率", "贷款年利率"),
        "first_loan": ("首贷", "是否首贷", "首次贷款"),
        "borrower_kind": ("借款人类别", "借款主体类别", "主体类别"),
        "service_field": ("服务消费领域", "消费领域", "服务领域"),
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
    "principal_wan",
    "first_loan", "borrower_kind", "service_field",
)  # fmt: skip
"""The columns a ledger may have; other files name theirs (``among``)."""

name_fields({key: aliases[0] for key, aliases in COLUMN_ALIASES.items()})
