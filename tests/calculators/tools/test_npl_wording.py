"""NPL tolerance worded as 银保监办发〔2022〕64号 has it (articles 十七, 二十七, 二十八).

(十七), seed 175-179: 住宿、餐饮、零售、文化、旅游、交通运输等行业 ... 幅度不超过 3 个百分点:
six industries named, the list open (等). (二十七), seed 248-252: 考核不予扣分或适当减轻扣分.
(二十八), seed 254-260: 在依法合规的前提下 ... 可减轻或免予追责.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from calculators import ParameterError
from calculators.cli import app as cli
from calculators.tools import npl as npl_tolerance


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["喀什分行", "喀什分行", "喀什分行", "喀什分行", "疏附支行"],
            "industry": ["住宿", "批发", "制造业", "餐饮业", "批发 "],
            "loan_balance": ["1,000.00", "1,000.00", "1,000.00", "1,000.00", "1,000.00"],
            "npl_balance": ["30.00", "30.00", "10.00", "60.00", "10.00"],
            "baseline_tolerance_pct": ["2.00", "2.00", "2.00", "1.00", "2.00"],
            "uplift_pct": ["2.00", "2.00", "0", "3.00", "3.01"],
        }
    )


def test_without_naming_it_an_uplift_for_wholesale_stays_invalid() -> None:
    rows = npl_tolerance.check(_frame()).rows
    assert list(rows["reason"]) == [
        "within_tolerance",  # 3% against 2 + 2 = 4%
        "uplift_not_allowed_for_industry",  # 批发 is not among the six named
        "within_tolerance",  # 1% against 2%, no uplift asked
        "above_tolerance",  # 6% against 1 + 3 = 4%
        "uplift_not_allowed_for_industry",
    ]
    assert list(rows["industry_basis"]) == ["named", "not_named", "not_named", "named", "not_named"]
    assert rows.loc[3, "industry_code"] == "catering"  # 餐饮业 is 餐饮
    assert rows.loc[3, "industry"] == "餐饮业"  # the input column stays as given


def test_an_industry_the_user_names_gets_the_uplift_and_is_marked() -> None:
    rows = npl_tolerance.check(_frame(), extra_industries=["批发"]).rows
    # row 1: 3,000 fen NPL of 100,000 = 3% against 2 + 2 = 4%: within, headroom
    # 4% of 100,000 = 4,000 - 3,000 = 1,000 fen
    assert rows.loc[1, "status"] == "within"
    assert rows.loc[1, "headroom_fen"] == 1_000
    assert rows.loc[1, "tolerance_pct"] == "4"
    assert list(rows["industry_basis"]) == [
        "named", "user_named", "not_named", "named", "user_named",
    ]  # fmt: skip
    # the 3-point cap of 十七 holds for a user-named industry too
    assert rows.loc[4, "reason"] == "uplift_above_3pp"
    assert rows.loc[4, "industry_code"] == "批发"


def test_the_users_name_is_matched_whatever_its_width_and_spacing() -> None:
    rows = npl_tolerance.check(_frame(), extra_industries=[" 批发\u3000"]).rows
    assert rows.loc[1, "industry_basis"] == "user_named"
    rows = npl_tolerance.check(_frame(), extra_industries=["wholesale"]).rows
    assert rows.loc[1, "industry_basis"] == "not_named"


def test_naming_one_of_the_six_as_extra_is_refused() -> None:
    # 住宿 is named by article 十七 already: giving it as "beyond the six" is a mistake
    with pytest.raises(ParameterError, match="beyond the six"):
        npl_tolerance.check(_frame(), extra_industries=["住宿"])


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_extra_industry_is_refused(name) -> None:
    with pytest.raises(ParameterError, match="industry"):
        npl_tolerance.check(_frame(), extra_industries=[name])


def test_relief_is_worded_as_the_articles_word_it() -> None:
    rows = npl_tolerance.check(_frame()).rows
    assert rows.loc[0, "due_diligence_exemption"] == "may_be_considered"
    assert rows.loc[0, "assessment_relief"] == "no_or_reduced_deduction"
    assert rows.loc[3, "due_diligence_exemption"] == "not_applicable"  # breach
    assert rows.loc[3, "assessment_relief"] == "not_applicable"
    assert pd.isna(rows.loc[1, "due_diligence_exemption"])  # invalid: nothing to say
    assert pd.isna(rows.loc[1, "assessment_relief"])


def test_summary_quotes_the_clauses() -> None:
    summary = npl_tolerance.check(_frame(), extra_industries=["批发"]).summary()
    terms = summary["relief_terms"]
    exemption = terms["due_diligence_exemption"]["may_be_considered"]
    assert "在依法合规的前提下" in exemption and "可减轻或免予追责" in exemption
    assert "article 二十八" in exemption and "compilation, lines 254-260" in exemption
    assessment = terms["assessment_relief"]["no_or_reduced_deduction"]
    assert "不予扣分或适当减轻扣分" in assessment and "compilation, lines 248-252" in assessment
    assert summary["extra_industries"] == {"批发": 2}
    assert summary["units"][1]["industry_basis"] == "user_named"
    assert summary["units"][0]["due_diligence_exemption"] == "may_be_considered"


def _write(tmp_path) -> str:
    path = tmp_path / "npl.csv"
    _frame().to_csv(path, index=False)
    return str(path)


def test_cli_extra_industry_option(tmp_path, capsys) -> None:
    path = _write(tmp_path)
    assert cli.main(["npl", path, "--json"]) == 3  # the two 批发 rows are invalid
    capsys.readouterr()
    argv = ["npl", path, "--extra-industry", "批发", "--extra-industry", "建筑业", "--json"]
    assert cli.main(argv) == 3  # row 4 still asks 3.01 points
    payload = json.loads(capsys.readouterr().out)
    assert payload["units"][1]["status"] == "within"
    assert payload["units"][1]["industry_basis"] == "user_named"
    assert payload["extra_industries"] == {"批发": 2, "建筑业": 0}


def test_cli_text_marks_user_named_rows_and_words_the_relief(tmp_path, capsys) -> None:
    assert cli.main(["npl", _write(tmp_path), "--extra-industry", "批发"]) == 3
    out = capsys.readouterr().out
    wholesale = out.splitlines()[1]
    assert "批发" in wholesale and "beyond the six named" in wholesale
    assert "beyond the six named" not in out.splitlines()[0]
    assert "may be considered" in out and "在依法合规的前提下" in out
    assert "不予扣分或适当减轻扣分" in out


def test_cli_refuses_an_empty_extra_industry(tmp_path, capsys) -> None:
    assert cli.main(["npl", _write(tmp_path), "--extra-industry", ""]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "industry" in err[0]
