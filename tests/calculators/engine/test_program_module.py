"""A program is one file: a toy program written as a module of its own (its own ledger
column with a Chinese header, its own reference list with its help in both languages,
its own reason code with its labels) is imported from a temporary folder, registers,
and is claimed through ``relend claim`` in English and in Chinese, its words in the
outputs, with nothing else in relend edited; unregistered, it leaves nothing behind.

The toy's figures: 25% of the eligible principal, rounded once, half up.
"""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from calculators.cli import main
from calculators.engine.labels import COLUMN_LABELS, FIGURE_LABELS, LIST_LABELS, REASON_LABELS
from calculators.engine.program import registered, unregister
from calculators.policy.checks import FIGURE_KINDS
from calculators.readers.columns import COLUMN_ALIASES, LEDGER_COLUMNS

from .test_registry import TOY_POLICY

pytestmark = pytest.mark.filterwarnings("ignore::calendars.ProvisionalCalendarWarning")  # 2030

# 25% of the eligible principal, from 2030-01-01, lender ICBC; and a figure of the toy's own
POLICY = TOY_POLICY + 'toy_cap = { value = "0.05", source = { notice = "toy", clause = "7" } }\n'

MODULE = '''
"""The toy program, declared in one file as a program of relend's is."""

from pathlib import Path

import numpy as np

from calculators import (
    ExclusionRule, Label, LedgerColumn, OwnFigure, Program, ReferenceList, register
)
from calculators.engine.rules import not_on_the_list

COLOUR = LedgerColumn("toy_colour", ("玩具颜色", "颜色"), Label("玩具颜色", "toy colour"))


def _not_red(given):
    colours = given.columns.frame["toy_colour"].astype(str).str.strip()
    return (colours != "红").to_numpy(bool)


PROGRAM = register(
    Program(
        id="toy",
        name_zh="玩具再贷款",
        name_en="toy relending",
        lists=(
            ReferenceList(
                "toy_list",
                required=True,
                help="the toy borrowers: a CSV with an id column, or one id per line",
                label=Label("玩具名单", "toy list"),
                help_zh="玩具借款人名单：含证件号码列的 CSV，或每行一个证件号码",
            ),
        ),
        rules=(
            ExclusionRule(
                "toy_colour_not_red", _not_red, column="toy_colour",
                label=Label("玩具颜色不是红色", "toy colour not red"),
            ),
            ExclusionRule(
                "borrower_not_on_toy_list", not_on_the_list("toy_list"),
                label=Label("借款人不在玩具名单内", "borrower not on the toy list"),
            ),
        ),
        policy_file=Path(__file__).with_name("toy.toml"),
        own_columns=(COLOUR,),
        own_figures=(OwnFigure("toy_cap", "rate", Label("玩具上限", "toy cap")),),
    )
)
'''

ON_LIST = "911101085011945813"
OFF_LIST = "915101005446414621"  # valid (its check character as in test_ids)


@pytest.fixture
def toy_module(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "toy_package"
    folder.mkdir()
    (folder / "toy.toml").write_text(POLICY, encoding="utf-8")
    (folder / "relend_toy_program.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        importlib.import_module("relend_toy_program")
        yield folder
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("relend_toy_program", None)
        unregister("toy")


def _ledger(tmp_path: Path) -> Path:
    """Four loans under Chinese headers, the toy's own column among them: T1 and T4
    eligible (1,000.00 and 0.02 yuan), T2 not red, T3's borrower not on the list."""
    ledger = tmp_path / "ledger.csv"
    pd.DataFrame(
        {
            "借据号": ["T1", "T2", "T3", "T4"],
            "统一社会信用代码": [ON_LIST, ON_LIST, OFF_LIST, ON_LIST],
            "贷款金额": ["1,000.00", "500.00", "300.00", "0.02"],
            "发放日期": ["2030-02-01", "2030-02-02", "2030-02-03", "2030-03-31"],
            "到期日期": ["2030-08-01"] * 4,
            "颜色": ["红", "蓝", "红", " 红 "],
        }
    ).to_csv(ledger, index=False)
    listed = tmp_path / "toy_list.txt"
    listed.write_text(ON_LIST + "\n", encoding="utf-8")
    return ledger


def _argv(ledger: Path, out: Path, *extra: str) -> list[str]:
    return ["claim", "toy", str(ledger), "--quarter", "2030Q1", "--lender", "ICBC",
            "--toy-list", str(ledger.with_name("toy_list.txt")), "--out", str(out),
            *extra]  # fmt: skip


def test_the_module_registers_its_words_where_they_are_used(toy_module: Path) -> None:
    assert "toy" in registered()
    assert COLUMN_ALIASES["toy_colour"] == ("玩具颜色", "颜色")
    assert "toy_colour" in LEDGER_COLUMNS
    assert COLUMN_LABELS["toy_colour"].en == "toy colour"
    assert LIST_LABELS["toy_list"].zh == "玩具名单"
    assert REASON_LABELS["toy_colour_not_red"].zh == "玩具颜色不是红色"


def test_claimed_through_the_command_line_in_english(toy_module, tmp_path, capsys) -> None:
    ledger = _ledger(tmp_path)
    out = tmp_path / "out"
    assert main([*_argv(ledger, out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # eligible T1 100,000 fen and T4 2 fen: 25% of 100,002 = 25,000.5 -> 25,001 fen
    assert summary["entitlement_fen"] == 25_001
    counted = {code: n for code, n in summary["reasons"].items() if n}
    assert counted == {"eligible": 2, "toy_colour_not_red": 1, "borrower_not_on_toy_list": 1}
    loans = pd.read_csv(out / "loans.csv", dtype=str, encoding="utf-8-sig")
    assert list(loans["reason"]) == [
        "eligible", "toy_colour_not_red", "borrower_not_on_toy_list", "eligible"
    ]  # fmt: skip
    assert list(loans["entitlement_fen"]) == ["25000", "0", "0", "1"]
    sheet = openpyxl.load_workbook(out / "claim.xlsx")["loans 贷款"]
    header = [c.value for c in sheet[1]]
    reason_label = [row[header.index("原因说明")].value for row in sheet.iter_rows(min_row=3)]
    assert "玩具颜色不是红色" in reason_label  # the workbook's labels are Chinese first


def test_claimed_through_the_command_line_in_chinese(toy_module, tmp_path, capsys) -> None:
    ledger = _ledger(tmp_path)
    out = tmp_path / "out"
    assert main([*_argv(ledger, out), "--lang", "zh"]) == 0
    text = capsys.readouterr().out
    assert "玩具再贷款" in text
    assert "250.01 元" in text
    assert "toy_colour_not_red" in text and "玩具颜色不是红色" in text
    sheet = openpyxl.load_workbook(out / "claim.xlsx")["loans 贷款"]
    header = [c.value for c in sheet[1]]
    assert "玩具颜色" in header  # the toy's column under its own Chinese header


def test_its_list_option_has_its_help_in_both_languages(toy_module, capsys) -> None:
    assert main(["claim", "--help"]) == 0
    assert "the toy borrowers: a CSV with an id column" in capsys.readouterr().out
    assert main(["claim", "--help", "--lang", "zh"]) == 0
    assert "玩具借款人名单：含证件号码列的 CSV" in capsys.readouterr().out


def test_its_own_figure_is_read_and_shown_by_its_label(toy_module, capsys) -> None:
    assert main(["policy", "show", "toy", "--lang", "zh"]) == 0
    assert "玩具上限：5%" in capsys.readouterr().out
    assert main(["policy", "show", "toy", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["versions"][0]["figures"]["toy_cap"]["value"] == "0.05"


def test_a_missing_own_column_is_refused_naming_its_headers(toy_module, tmp_path, capsys):
    ledger = _ledger(tmp_path)
    frame = pd.read_csv(ledger, dtype=str).drop(columns=["颜色"])
    frame.to_csv(ledger, index=False)
    assert main(_argv(ledger, tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "toy_colour" in err and "玩具颜色" in err and "颜色" in err


def test_unregistered_it_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "toy_package"
    folder.mkdir()
    (folder / "toy.toml").write_text(POLICY, encoding="utf-8")
    (folder / "relend_toy_program.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    before = (dict(COLUMN_ALIASES), set(LEDGER_COLUMNS), dict(REASON_LABELS),
              dict(LIST_LABELS), dict(COLUMN_LABELS), dict(FIGURE_LABELS),
              dict(FIGURE_KINDS))  # fmt: skip
    sys.path.insert(0, str(folder))
    try:
        importlib.import_module("relend_toy_program")
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("relend_toy_program", None)
        unregister("toy")
    after = (dict(COLUMN_ALIASES), set(LEDGER_COLUMNS), dict(REASON_LABELS),
             dict(LIST_LABELS), dict(COLUMN_LABELS), dict(FIGURE_LABELS),
             dict(FIGURE_KINDS))  # fmt: skip
    assert after == before
    assert "toy" not in registered()
