"""Tech claim on hand-worked golden ledgers (see tests/golden/*.expected.md)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd
import pytest

from calculators import REASON_ALIASES
from calculators.programs import tech as tech_relending
from tests.paths import GOLDEN

from .goldens import GoldenClaim

LEDGER = GOLDEN / "tech_2022Q2_icbc.csv"
ELIGIBLE = ["911101085011945813", "915101005446414621", "91420100102630063R"]


def _expected(codes) -> list[str]:
    """The golden file's reason codes as written now: it was written with the old
    spelling ``term_under_6_months``, which stays readable through REASON_ALIASES."""
    return [REASON_ALIASES.get(c, c) for c in codes]


class TestTechGolden(GoldenClaim):
    """The first golden: written before policy versions (no ``expected_policy_version``
    column) and with the old spelling ``term_under_6_months``."""

    program = "tech"
    ledger = LEDGER
    period = "2022Q2"
    lender = "ICBC"
    lender_typed = "工商银行"
    lists: ClassVar = {"eligible_borrowers": ELIGIBLE}
    status = 3  # the golden ledger has invalid rows on purpose
    eligible_principal_fen = 101_268_601
    entitlement_fen = 60_761_161  # round_half_up(60,761,160.6)
    entitlement_yuan = "607,611.61"
    loans_total = 19
    loans = (5, 5, 9)
    deadline = "2022-07-11"
    ratio = "0.6"

    def check_summary(self, summary: Mapping[str, Any]) -> None:
        super().check_summary(summary)
        assert "ROUND_HALF_UP" in summary["rounding"]

    def check_loans(self, loans: pd.DataFrame) -> None:
        super().check_loans(loans)
        status = dict(
            zip(_expected(loans["expected_reason"]), loans["status"].astype(str), strict=False)
        )
        assert status["eligible"] == "eligible"
        assert status["non_cny"] == "excluded"
        assert status["duplicate_loan_id"] == "invalid"


def test_month_end_clamping() -> None:
    ledger = pd.DataFrame(
        {
            "loan_id": ["clamped", "one_day_short", "leap"],
            "borrower_id": ELIGIBLE,
            "principal_fen": [100, 100, 100],
            "disbursement_date": ["2022-08-31", "2022-08-31", "2022-08-31"],
            "maturity_date": ["2023-02-28", "2023-02-27", "2023-03-01"],
        }
    )
    loans = tech_relending.claim(ledger, "2022Q3", "ICBC", ELIGIBLE).loans
    assert list(loans["reason"].astype(str)) == ["eligible", "term_under_minimum", "eligible"]


def _chinese_ledger() -> pd.DataFrame:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    return frame.rename(
        columns={
            "loan_id": "借据号",
            "borrower_id": "统一社会信用代码",
            "principal": "贷款金额",
            "currency": "币种",
            "disbursement_date": "发放日期",
            "maturity_date": "到期日期",
        }
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_each_encoding_with_chinese_headers(tmp_path, encoding) -> None:
    path = tmp_path / f"ledger-{encoding}.csv"
    _chinese_ledger().to_csv(path, index=False, encoding=encoding)
    result = tech_relending.claim(path, "2022Q2", "工商银行", ELIGIBLE)
    assert result.entitlement_fen == 60_761_161
    assert list(result.loans["reason"].astype(str)) == _expected(result.loans["expected_reason"])


def test_dataframe_and_file_give_the_same_loans(tmp_path) -> None:
    copy = tmp_path / "ledger.csv"
    shutil.copy(LEDGER, copy)
    from_file = tech_relending.claim(copy, "2022Q2", "ICBC", ELIGIBLE)
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    from_frame = tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE)
    pd.testing.assert_frame_equal(from_file.loans, from_frame.loans)


def test_eligible_list_from_files(tmp_path) -> None:
    plain = tmp_path / "ids.txt"
    plain.write_text("\n".join(ELIGIBLE) + "\n", encoding="utf-8")
    with_header = tmp_path / "ids.csv"
    with_header.write_text(
        "企业名称,统一社会信用代码\n" + "".join(f"firm{i},{x}\n" for i, x in enumerate(ELIGIBLE)),
        encoding="gb18030",
    )
    for source in (plain, with_header):
        assert tech_relending.claim(LEDGER, "2022Q2", "ICBC", source).entitlement_fen == 60_761_161


def test_xlsx_ledger(tmp_path) -> None:
    path = tmp_path / "ledger.xlsx"
    pd.read_csv(LEDGER, dtype=str, keep_default_na=False).to_excel(path, index=False)
    result = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == 60_761_161
    assert list(result.loans["reason"].astype(str)) == _expected(result.loans["expected_reason"])


def test_dates_as_datetime64_and_date_objects() -> None:
    import datetime as dt

    ledger = pd.DataFrame(
        {
            "loan_id": ["a", "b", "c"],
            "borrower_id": ELIGIBLE,
            "principal_fen": [500, 500, 500],
            "disbursement_date": pd.to_datetime(
                ["2022-04-01", "2022-05-01 13:30", "2022-06-30"], format="ISO8601"
            ),
            "maturity_date": [dt.date(2022, 10, 1), dt.date(2022, 11, 1), dt.date(2022, 12, 30)],
        }
    )
    loans = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE).loans
    # a time of day is not a date: never rounded away
    assert list(loans["reason"].astype(str)) == ["eligible", "invalid_date", "eligible"]
    assert list(loans["entitlement_fen"]) == [300, 0, 300]


def test_the_input_frame_is_never_changed() -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    before = frame.copy(deep=True)
    result = tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE)
    result.loans.loc[0, "loan_id"] = "changed"
    pd.testing.assert_frame_equal(frame, before)
