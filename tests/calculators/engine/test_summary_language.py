"""Warnings, notes and row details a claim puts in its summary and per-loan output, in
Chinese, and in English unchanged; and the catalogs' placeholders.

Every expected text is written out by hand from the message it states.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po

from calculators._i18n import using_language
from calculators.engine import split as _split
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from tests.calculators.engine.test_claim_properties import ELIGIBLE
from tests.language import english_prose
from tests.paths import ROOT

A, B, C = ELIGIBLE


def _transport(lang: str, ledger: pd.DataFrame) -> dict:
    with using_language(lang):
        return transport_relending.claim(ledger, "2022Q3", "ABC").summary()


ONE_LOAN = pd.DataFrame(
    {"loan_id": ["R1"], "borrower_id": [A], "principal": ["1000.00"],
     "disbursement_date": ["2022-07-01"], "maturity_date": ["2023-07-01"],
     "borrower_category": ["logistics_sme"]}
)  # fmt: skip


def test_missing_dishonest_list_warning_both_ways() -> None:
    # a broken implementation: the program's warning kept as made at import (English)
    english = _transport("en", ONE_LOAN)["warnings"]
    chinese = _transport("zh", ONE_LOAN)["warnings"]
    assert english == [{
        "code": "dishonest_list_not_given",
        "message": "borrowers were not screened against the serious-dishonesty list "
        "(严重失信主体名单): no dishonest list was given (--dishonest FILE)",
    }]  # fmt: skip
    assert chinese == [{
        "code": "dishonest_list_not_given",  # the code stays
        "message": "未对照严重失信主体名单筛查借款人：没有提供失信名单（--dishonest 文件）",
    }]  # fmt: skip


def test_empty_ledger_warning_in_chinese() -> None:
    empty = ONE_LOAN.iloc[:0]
    (english,) = [
        w for w in _transport("en", empty)["warnings"] if w["code"] == "ledger_has_no_rows"
    ]
    (chinese,) = [
        w for w in _transport("zh", empty)["warnings"] if w["code"] == "ledger_has_no_rows"
    ]
    assert english["message"] == "the ledger has a header and no rows: the claim is 0"
    assert chinese["message"] == "贷款台账只有表头，没有数据行：可申请再贷款为 0 元"


def test_total_row_note_in_chinese(tmp_path: Path) -> None:
    # line 3 of the file is a 合计 row: left out, with a note naming the line
    path = tmp_path / "l.csv"
    path.write_text(
        "loan_id,borrower_id,principal,currency,disbursement_date,maturity_date\n"
        f"T1,{A},1000.00,CNY,2022-07-01,2023-07-01\n"
        "合计,,1000.00,,,\n",
        encoding="utf-8",
    )
    notes = {}
    for lang in ("en", "zh"):
        with using_language(lang):
            summary = tech_relending.claim(path, "2022Q3", "ICBC", ELIGIBLE).summary()
        notes[lang] = [w for w in summary["warnings"] if w["code"] == "total_rows_ignored"]
    assert notes["en"][0]["message"] == (
        f"1 total row(s) (合计/小计/总计) left out of the ledger, not loans: {path}, line 3"
    )
    assert notes["zh"][0]["message"] == (
        f"1 行合计行（合计/小计/总计）不是贷款，未计入贷款台账：{path}，行号 3"
    )


SERIAL = "disbursement_date='44743'"
NUMBER_ID = "borrower_id='9.11101085011946E+17'"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", [
            "",
            SERIAL + " (an Excel serial number: export dates as text, e.g. 2022-07-01)",
            "maturity_date='2022-06-01' (not after disbursement_date='2022-07-01')",
            NUMBER_ID + " (an 18-digit id stored as a number in Excel, which keeps 15 digits: "
            "format the column as text and enter the ids again)",
        ]),
        ("zh", [
            "",
            SERIAL + "（这是 Excel 日期序列号：请将日期导出为文本，如 2022-07-01）",
            "maturity_date='2022-06-01'（未晚于 disbursement_date='2022-07-01'）",
            NUMBER_ID + "（18 位证件号码在 Excel 中被存为数字，只保留了 15 位有效数字：请将该列"
            "设置为文本格式后重新录入号码）",
        ]),
    ],
)  # fmt: skip
def test_detail_hints_in_the_language_also_on_worker_threads(
    lang: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of one row each run on worker threads: a language kept per thread (a
    contextvar, a thread-local) would give the English hint there."""
    monkeypatch.setattr(_split, "BLOCK_ROWS", 1)
    ledger = pd.DataFrame(
        {"loan_id": ["D1", "D2", "D3", "D4"],
         "borrower_id": [A, B, C, "9.11101085011946E+17"],
         "principal": ["1.00"] * 4,
         "disbursement_date": ["2022-07-01", "44743", "2022-07-01", "2022-07-01"],
         "maturity_date": ["2023-07-01", "2023-07-01", "2022-06-01", "2023-07-01"]}
    )  # fmt: skip
    with using_language(lang):
        loans = tech_relending.claim(ledger, "2022Q3", "ICBC", ELIGIBLE).loans
    assert list(loans["detail"]) == expected
    if lang == "zh":
        assert all(english_prose(d) == [] for d in expected)


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize(
    "po",
    ["calendars/locale/zh/LC_MESSAGES/calendars.po",
     "calculators/locale/zh/LC_MESSAGES/calculators.po"],
)  # fmt: skip
def test_every_translation_keeps_the_placeholders_of_its_message(po: str) -> None:
    """A translation that drops ``{value}`` loses the user's value; one that renames a
    placeholder raises KeyError when the message is made."""
    with (ROOT / po).open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    wrong = [
        (m.id, m.string)
        for m in catalog
        if m.id and _placeholders(str(m.id)) != _placeholders(str(m.string))
    ]
    assert wrong == []


def _summaries() -> dict[str, dict]:
    from calculators.tools import audit
    from calculators.tools import npl as npl_tolerance
    from tests.calculators.programs.test_tech_golden import ELIGIBLE as TECH_ELIGIBLE
    from tests.calculators.programs.test_tech_golden import GOLDEN, LEDGER

    npl = pd.read_csv(GOLDEN / "npl_boundaries.csv", dtype=str, keep_default_na=False)
    submitted = GOLDEN / "tech_2022Q2_icbc.submitted.csv"
    return {
        "claim": tech_relending.claim(LEDGER, "2022Q2", "ICBC", TECH_ELIGIBLE).summary(),
        "audit": audit.audit(
            "tech", LEDGER, submitted, "2022Q2", "ICBC", eligible_borrowers=TECH_ELIGIBLE
        ).summary(),
        "npl": npl_tolerance.check(npl).summary(),
    }


# the summaries' texts that explain a rule, each by where it is
RULE_TEXTS = [
    ("claim", ("rounding",)),
    ("audit", ("clawback_rule",)),
    ("npl", ("comparison",)),
    ("npl", ("headroom_rounding",)),
    ("npl", ("relief_terms", "assessment_relief", "no_or_reduced_deduction")),
    ("npl", ("relief_terms", "assessment_relief", "not_applicable")),
    ("npl", ("relief_terms", "due_diligence_exemption", "may_be_considered")),
    ("npl", ("relief_terms", "due_diligence_exemption", "not_applicable")),
]


def test_rule_texts_of_summaries_follow_the_language() -> None:
    """A broken implementation: a module constant put in the summary as made at import."""
    english = _summaries()
    with using_language("zh"):
        chinese = _summaries()

    def at(summary: dict, path: tuple[str, ...]) -> str:
        for key in path:
            summary = summary[key]
        return str(summary)

    for kind, path in RULE_TEXTS:
        assert english_prose(at(english[kind], path)), (kind, path)  # English stays English
        assert english_prose(at(chinese[kind], path)) == [], at(chinese[kind], path)
    assert at(english["npl"], ("headroom_rounding",)) == "floored to the fen"
    assert at(chinese["npl"], ("headroom_rounding",)) == "向下取整到分"
    # the codes and keys stay what they are
    assert chinese["npl"]["relief_terms"].keys() == english["npl"]["relief_terms"].keys()


def test_audit_details_and_notebook_table_follow_the_language(tmp_path: Path) -> None:
    """T01 is claimed on two rows, T02's amount is unreadable: the two audit details
    that are sentences, in each language; the submitted cell (claimed='abc') is data and
    stays as given."""
    from calculators.tools import audit
    from tests.calculators.programs.test_tech_golden import ELIGIBLE as TECH_ELIGIBLE
    from tests.calculators.programs.test_tech_golden import LEDGER

    submitted = tmp_path / "s.csv"
    submitted.write_text("loan_id,claimed\nT01,1.00\nT01,2.00\nT02,abc\n", encoding="utf-8")
    details = {}
    for lang in ("en", "zh"):
        with using_language(lang):
            loans = audit.audit(
                "tech", LEDGER, submitted, "2022Q2", "ICBC", eligible_borrowers=TECH_ELIGIBLE
            ).loans
            html = tech_relending.claim(LEDGER, "2022Q2", "ICBC", TECH_ELIGIBLE)._repr_html_()
        shown = loans[loans["loan_id"].isin(["T01", "T02"])]
        details[lang] = sorted(set(shown["detail"]) - {""})
        if lang == "zh":
            assert english_prose(re.sub(r"<[^>]+>", " ", html)) == [], html
            assert "<th>可申请再贷款</th>" in html
        else:
            assert "<th>entitlement</th>" in html
    assert details["en"] == [
        "claimed='abc'",
        "its submitted amount could not be read (see its invalid row)",
        "loan_id='T01' on 2 submitted rows",
    ]
    assert details["zh"] == [
        "claimed='abc'",
        "loan_id='T01' 出现在 2 个申报行中",
        "该贷款的申报金额无法读取（见其无效的申报行）",
    ]


def test_umbrella_category_note_follows_the_language() -> None:
    """The note the claim's text shows for 道路货物运输经营者, which names five kinds."""
    from calculators.programs.transport import UMBRELLA_TERMS, category_note

    # the five kinds as the notice names them (交通物流专项再贷款 notice, 一)
    kinds = (
        "道路普通货物运输企业, 网络平台道路货物运输企业, “司机之家”运营企业, "
        "道路货物运输个体工商户, 挂靠普通货运车辆车主"
    )
    english = category_note("道路货物运输经营者")
    assert english == UMBRELLA_TERMS["道路货物运输经营者"]
    assert english == (
        "the umbrella term of the 交通物流专项再贷款 notice, section 一 (the 2022 policy "
        "compilation, lines 808-812), not accepted alone; write which of its five kinds the "
        "borrower is: " + kinds
    )
    with using_language("zh"):
        chinese = category_note("道路货物运输经营者")
    assert chinese == (
        "这是交通物流专项再贷款通知第一部分所用的统称（政策汇编第 808-812 行），不能单独使用；"
        "请写明借款人属于其中哪一类：" + kinds.replace(", ", "、")
    )


def test_workbook_notes_follow_the_language(tmp_path: Path) -> None:
    """A title row above the header (row 2) and a 合计 row (row 4): the note on how lines
    count and the total-row note, each in the language, the sheet named as given."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append(["某银行科技创新贷款台账"])
    sheet.append(["借据号", "统一社会信用代码", "贷款金额", "币种", "发放日期", "到期日期"])
    sheet.append(["W1", A, "1000.00", "CNY", "2022-07-01", "2023-07-01"])
    sheet.append(["合计", "", "1000.00", "", "", ""])
    path = tmp_path / "l.xlsx"
    book.save(path)
    notes = {}
    for lang in ("en", "zh"):
        with using_language(lang):
            summary = tech_relending.claim(path, "2022Q3", "ICBC", ELIGIBLE).summary()
        notes[lang] = {w["code"]: w["message"] for w in summary["warnings"]}
    # the loan is line 2 (the header is line 1) and row 3 of the sheet; the total is row 4
    assert notes["en"] == {
        "total_rows_ignored": "1 total row(s) (合计/小计/总计) left out of the ledger, not "
        f"loans: {path}, sheet '台账', row 4",
        "lines_count_from_header": "sheet '台账': the header is on row 2; a line named in "
        "this summary counts from it (the header is line 1), blank and total rows not "
        "counted: line 2 is row 3 of the sheet",
    }
    assert notes["zh"] == {
        "total_rows_ignored": "1 行合计行（合计/小计/总计）不是贷款，未计入贷款台账："
        f"{path}，工作表 '台账'，行号 4",
        "lines_count_from_header": "工作表 '台账'：表头在第 2 行；本摘要中的行号从表头起算"
        "（表头为第 1 行），空行和合计行不计：第 2 行即工作表的第 3 行",
    }


@pytest.mark.parametrize(
    "po",
    ["calendars/locale/zh/LC_MESSAGES/calendars.po",
     "calculators/locale/zh/LC_MESSAGES/calculators.po"],
)  # fmt: skip
def test_no_translation_is_english_prose(po: str) -> None:
    """A message "translated" by copying its English, or left half English, fails here
    (test_catalogs only checks that a translation exists)."""
    with (ROOT / po).open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    english = [
        (m.id, m.string)
        for m in catalog
        if m.id and english_prose(_POLICY_KEYS.sub(" ", _PLACEHOLDER.sub(" ", str(m.string))))
    ]
    assert english == []


_PLACEHOLDER = re.compile(r"\{\w+\}")
# keys of a policy file, which its errors name as they are written in the file
_POLICY_KEYS = re.compile(r"\b(?:unknown|note)\b")
