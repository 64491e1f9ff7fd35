"""The detector of English prose itself: it must catch English and let identifiers pass."""

from __future__ import annotations

import pytest

from tests.language import english_prose


@pytest.mark.parametrize(
    "text",
    [
        "relend: error: --lender 'XYZ' is not accepted: one of ICBC, ABC",
        "usage: relend claim [-h]",
        "options:",
        "  -h, --help  show this help message and exit",
        "借款人 not on the eligible list",
        "relend: warning: 2027 is provisional",
        "通知, clause 二 (seed 758-759)",  # one English word between Chinese ones
        "（badid.csv, line 2）",
    ],
)
def test_english_prose_is_found(text: str) -> None:
    assert english_prose(text)


@pytest.mark.parametrize(
    "text",
    [
        "relend：错误：--lender='XYZ' 不可用：应为 ICBC、ABC 之一",
        "用法：relend claim [-h] tech ledger.csv --quarter 2022Q2",
        "原因 duplicate_loan_id（借据号重复），见 loans.csv",
        "科技创新再贷款 tech-2024：ICBC 工商银行，2022-07-11",
        "https://www.pbc.gov.cn/x/y.html ./relend-demo/claim.xlsx",
        "program tech",  # two identifiers, no prose word
        "{path}，第 {line} 行",  # placeholders are names
    ],
)
def test_identifiers_and_chinese_pass(text: str) -> None:
    assert english_prose(text) == []
