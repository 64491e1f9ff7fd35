"""The library's messages in Chinese and, unchanged, in English.

Each case below makes one error a user can cause. In Chinese the message must have no
English prose left (``tests.language.english_prose``), must be Chinese, and must still
name the value the user gave, as given; in English it must be exactly today's message,
written out by hand from the rule it states.

What broken code fails here: an ``accepted`` text left unmarked (English prose in the
Chinese message), the frame translated with the value dropped or translated, a
translation changing the English (a message id edited by mistake), a ``.mo`` not
compiled, a placeholder renamed in a translation (KeyError or the value missing).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from calculators import (
    ExtensionLimitError,
    LedgerFileError,
    LenderError,
    MoneyError,
    ParameterError,
    PolicyFileError,
    PolicyNotFoundError,
    PolicyTable,
    PolicyUnknownError,
    RelendInputError,
    yuan_to_fen,
)
from calculators._errors import OutputError
from calculators._i18n import using_language
from calculators.engine.program import get_program
from calculators.policy.lenders import find_lender
from calculators.policy.table import policy_for, program_title
from calculators.readers.columns import canonical_columns
from calculators.readers.ledger import read_ledger
from calculators.readers.lists import read_id_list
from calculators.reports.folder import make_out_dir
from calculators.tools import audit, facility
from calculators.tools import incentive as microloan_incentive
from calculators.tools.daycount import check_day_count
from calendars import (
    DateOutOfBoundsError,
    InvalidPeriodError,
    OverrideFileError,
    ProvisionalCalendarError,
    UnknownCalendarError,
    get_calendar,
    load_overrides,
    parse_period,
)
from calendars._errors import CalendarError
from tests.language import english_prose

VALID_ID = "911101085011945813"  # a unified social credit code with a valid check


def _file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _workbook(tmp: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "贷款"
    for row in rows:
        sheet.append(row)
    path = tmp / "ledger.xlsx"
    book.save(path)
    return path


def _bad_override(tmp: Path) -> Any:
    # 2027-02-03 is a Wednesday: a make-up working day must be a Saturday or Sunday
    path = _file(
        tmp,
        "o.json",
        '{"year": 2027, "source": "国办发明电", "holidays": [], "working_days": ["2027-02-03"]}',
    )
    return load_overrides(path)


def _policy_file(tmp: Path) -> Any:
    return PolicyTable.package().with_file(_file(tmp, "p.toml", "schema = 99\n"))


# (id, error class, the call, the value the message must name, the English message);
# {tmp} in the value and the message is the test's folder
CASES: list[tuple[str, type[Exception], Callable[[Path], Any], str, str]] = [
    ("bad period", InvalidPeriodError, lambda t: parse_period("2022Q5"), "'2022Q5'",
     "period='2022Q5' is not accepted: a quarter like 2022Q2 or 2022-Q2, or a month like "
     "2023-01"),
    ("bad month", InvalidPeriodError, lambda t: parse_period("2023-13"), "'2023-13'",
     "month='2023-13' is not accepted: a month like 2023-01 (months 01-12)"),
    ("date before the calendar", DateOutOfBoundsError,
     lambda t: get_calendar("prc").is_business_day(dt.date(2000, 12, 31)), "'2000-12-31'",
     "date='2000-12-31' is not accepted: the calendar covers dates on or after 2001-01-01"),
    ("unknown calendar", UnknownCalendarError, lambda t: get_calendar("nyse"), "'nyse'",
     "calendar='nyse' is not accepted: one of prc, sse"),
    ("override weekday", OverrideFileError, _bad_override, "'2027-02-03'",
     "override.working_days='2027-02-03' is not accepted: Saturdays or Sundays only; "
     "weekdays work anyway ({tmp}/o.json)"),
    ("override unreadable", OverrideFileError, lambda t: load_overrides(t / "none.json"),
     "'{tmp}/none.json'",
     "override='{tmp}/none.json' is not accepted: a readable JSON override file (No such "
     "file or directory)"),
    ("unknown lender", LenderError,
     lambda t: find_lender("某银行", ("ICBC", "BOC"), program_title("tech")),
     "'某银行'",
     "lender='某银行' is not accepted: a lender eligible for tech relending: ICBC "
     "中国工商银行, BOC 中国银行"),
    ("lender not eligible", LenderError,
     lambda t: find_lender("CDB", ("ICBC",), program_title("tech")),
     "'CDB'",
     "lender='CDB' is not accepted: 国家开发银行 (CDB) is not eligible for tech relending; "
     "eligible: ICBC"),
    ("non-exact money", MoneyError, lambda t: yuan_to_fen("1.234"), "'1.234'",
     "amount='1.234' is not accepted: yuan with at most 2 decimals, e.g. 1,234,567.89 or "
     "1234567.89"),
    ("missing column", LedgerFileError,
     lambda t: canonical_columns(pd.DataFrame({"金额": []}), ()), "'金额'",
     "columns='金额' is not accepted: a principal column, named one of: principal (yuan), "
     "principal_fen, ..."),
    ("unreadable file", LedgerFileError, lambda t: read_ledger(t / "none.csv"),
     "'{tmp}/none.csv'",
     "ledger='{tmp}/none.csv' is not accepted: a readable file (No such file or directory)"),
    ("empty file", LedgerFileError, lambda t: read_ledger(_file(t, "e.csv", "")),
     "'{tmp}/e.csv'", "ledger='{tmp}/e.csv' is not accepted: a CSV with a header row"),
    ("missing sheet", LedgerFileError,
     lambda t: read_ledger(_workbook(t, [["借据号"]]), sheet="台账"), "'台账'",
     "sheet='台账' is not accepted: a sheet of {tmp}/ledger.xlsx by name or by position from "
     "1 to 1; its sheets: 贷款"),
    ("no header row", LedgerFileError,
     lambda t: read_ledger(_workbook(t, [["某某银行贷款"], ["1", "2"]])), "'贷款'",
     "sheet='贷款' is not accepted: a header row within the first 20 rows naming columns "
     "such as ..."),
    ("bad policy file", PolicyFileError, _policy_file, "99",
     "{tmp}/p.toml: schema=99 is not accepted: schema = 1"),
    ("policy not found", PolicyNotFoundError,
     lambda t: PolicyTable.package().program("nope"), "'nope'",
     "program='nope' is not accepted: one of ..."),
    ("no policy on the date", PolicyNotFoundError,
     lambda t: policy_for("tech", dt.date(2021, 1, 4)), "'2021-01-04'",
     "date='2021-01-04' is not accepted: a date in a tech window (..."),
    ("unknown figure", PolicyUnknownError,
     lambda t: PolicyTable.package().rows("tech")[0].figure("no_such_figure"), "None",
     "....no_such_figure=None is not accepted: a sourced figure: the version has no such figure"),
    ("figure no source gives", PolicyUnknownError,
     lambda t: microloan_incentive.incentive("2023Q4", 0, 0, institution="local"), "'2023Q4'",
     "quarter='2023Q4' is not accepted: a quarter whose ratio a source gives "
     "(microloan-2023q3: no source gives the incentive ratio for 2023Q3-2024Q4 (2% kept, or "
     "changed); supply it with a policy file (--policy FILE))"),
    ("strict calendar, provisional year", ProvisionalCalendarError,
     lambda t: get_calendar("prc", strict=True).is_business_day(dt.date(2040, 3, 5)), "2040",
     "year=2040 is not accepted: a year with a published State Council notice or an override "
     "(published: 2001-2026; no State Council notice is in the data yet, holidays are a "
     "rule-based estimate)"),
    ("extension limit", ExtensionLimitError,
     lambda t: facility.schedule("tech", 100, dt.date(2022, 10, 10), 3), "3",
     "extensions=3 is not accepted: at most 2 for tech (..."),
    ("empty eligible list", LedgerFileError,
     lambda t: read_id_list(_file(t, "el.txt", "\n"), "eligible", allow_empty=False),
     "'{tmp}/el.txt'",
     "eligible='{tmp}/el.txt' is not accepted: a list with at least one borrower id; it has "
     "none"),
    ("bad list id", LedgerFileError,
     lambda t: read_id_list(_file(t, "l.txt", f"{VALID_ID}\n12345\n"), "eligible"),
     "'12345'",
     "eligible='12345' is not accepted: 18-character unified social credit codes or "
     "resident ids with valid check characters ({tmp}/l.txt, line 2)"),
    ("day count", ParameterError, lambda t: check_day_count("ACT/999"), "'ACT/999'",
     "day_count='ACT/999' is not accepted: one of ..."),
    ("unknown program", ParameterError, lambda t: get_program("rocket"), "'rocket'",
     "program='rocket' is not accepted: one of ..."),
    ("not a local institution", ParameterError,
     lambda t: microloan_incentive.incentive("2022Q2", 0, 0, institution="某全国性银行"),
     "'某全国性银行'",
     "institution='某全国性银行' is not accepted: a local legal-person institution "
     "(地方法人金融机构)"),
    ("audit tolerance", ParameterError,
     lambda t: audit.audit("tech", "l.csv", "s.csv", "2022Q2", "ICBC", tolerance_fen=-1),
     "-1", "tolerance_fen=-1 is not accepted: a whole number of fen from 0 to 100 per loan: "
     "the tolerance absorbs rounding differences, it does not excuse amounts"),
    ("output is a file", OutputError, lambda t: make_out_dir(_file(t, "out", "")), "",
     "cannot write {tmp}/out: it is a file, not a folder (--out needs a folder relend can "
     "write)"),
]  # fmt: skip


def _raised(case: Callable[[Path], Any], tmp: Path) -> Exception:
    with pytest.raises((RelendInputError, CalendarError)) as caught:
        case(tmp)
    return caught.value


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_english_messages_are_unchanged(case: tuple[Any, ...], tmp_path: Path) -> None:
    _, kind, call, _, message = case
    error = _raised(call, tmp_path)
    assert type(error) is kind
    expected, text = message.format(tmp=tmp_path), str(error)
    # "..." stands for what relend reads from its data (aliases, windows, programs,
    # version ids, citations): the message is pinned up to it
    if expected.startswith("..."):
        assert text.endswith(expected[3:]), text
    elif expected.endswith("..."):
        assert text.startswith(expected[:-3]), text
    else:
        assert text == expected


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_chinese_messages_have_no_english_prose_and_name_the_value(
    case: tuple[Any, ...], tmp_path: Path
) -> None:
    _, kind, call, value, _ = case
    with using_language("zh"):
        error = _raised(call, tmp_path)
    text = str(error)
    assert type(error) is kind
    assert english_prose(text) == [], text
    assert re.search(r"[\u4e00-\u9fff]", text), text
    assert value.format(tmp=tmp_path) in text, text


def test_every_unknown_figure_of_the_package_has_its_reason_in_the_catalog() -> None:
    """A reason edited in a package policy file but not in the code would be shown in
    English to a Chinese user: this names it."""
    from calculators.policy.model import _PACKAGE_UNKNOWN

    table = PolicyTable.package()
    reasons = {
        figure.why
        for program in table.programs.values()
        for version in program.versions
        for figure in version.figures.values()
        if figure.unknown
    }
    assert reasons and reasons <= set(_PACKAGE_UNKNOWN)
