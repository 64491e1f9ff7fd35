"""The command line in Chinese: ``--lang zh``, else a ``zh_*`` locale, else English.

Every output a user reads (help, text summaries, error lines) is checked with
:func:`tests.language.english_prose`: in Chinese no English sentence may be left
(codes, options and file names may). Errors whose words come from the library's own
messages are checked the same way, through the command line that shows them.

In JSON, keys, codes, numbers and dates are the same in both languages; the texts
beside them (rule texts, messages, relief terms, windows) are in the run's language,
as the labels beside codes are.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import json
import re
from pathlib import Path

import pytest

from calculators.cli import main
from calendars._i18n import language
from calendars._language import set_language
from tests.language import _IDENTIFIER
from tests.language import english_prose as _english_prose
from tests.paths import EXAMPLES, ROOT

TECH = [
    "claim", "tech", str(EXAMPLES / "tech_ledger.csv"), "--quarter", "2022Q2",
    "--lender", "工商银行", "--eligible-borrowers", str(EXAMPLES / "tech_eligible.csv"),
]  # fmt: skip
AUDIT = [
    "audit", "tech", str(EXAMPLES / "tech_ledger.csv"),
    "--submitted", str(EXAMPLES / "tech_submitted.csv"), "--quarter", "2022Q2",
    "--lender", "ICBC", "--eligible-borrowers", str(EXAMPLES / "tech_eligible.csv"),
    "--tolerance-fen", "1",
]  # fmt: skip
NPL = ["npl", str(EXAMPLES / "npl.csv"), "--extra-industry", "批发"]
FACILITY = ["facility", "tech", "--amount", "600,000.00", "--drawdown", "2022-07-15",
            "--extensions", "2"]  # fmt: skip
INCENTIVE = ["incentive", str(EXAMPLES / "microloan_balances.csv")]
SUBCOMMANDS = ["demo", "deadline", "claim", "facility", "incentive", "npl", "policy", "audit"]


# The actions of ``relend policy`` as typed: ``show`` is a word the detector flags on
# its own (as in "show this help"), here it is a name.
_POLICY_ACTIONS = re.compile(
    r"\brelend policy (?:show|list)\b|\{list,show\}|\b(?:list|show)(?=：)|用于 show"
)


def english_prose(text: str) -> list[str]:
    """English prose in ``text``, the actions of ``relend policy`` excepted."""
    return _english_prose(_POLICY_ACTIONS.sub(" ", text))


def _words(text: str) -> str:
    """``text`` as the detector sees it: identifiers out, spaces collapsed."""
    return " ".join(_IDENTIFIER.sub(" ", text).split())


def _not_from(data: list[str], text: str) -> list[str]:
    """The English prose in ``text`` that is not in one of the ``data`` strings."""
    seen = [_words(item) for item in data]
    return [hit for hit in english_prose(text) if not any(_words(hit) in s for s in seen)]


def _locale(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", value)


@pytest.fixture(params=["locale", "option"])
def zh(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, capsys):
    """Run ``relend`` in Chinese: by a zh_CN locale, or by ``--lang zh`` under LANG=C.

    Returns a function of argv giving (exit status, stdout, stderr).
    """

    def run(argv: list[str]) -> tuple[int, str, str]:
        if request.param == "locale":
            _locale(monkeypatch, "zh_CN.UTF-8")
            words = argv
        else:
            _locale(monkeypatch, "C")
            words = [*argv, "--lang", "zh"]
        capsys.readouterr()
        status = main(words)
        out, err = capsys.readouterr()
        return status, out, err

    return run


def _en(argv: list[str], capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


# -- help -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)], ids=["relend", *SUBCOMMANDS])
def test_help_is_chinese(zh, command: list[str]) -> None:
    status, out, err = zh([*command, "--help"])
    assert status == 0
    assert "用法" in out  # argparse's own "usage:" translated
    assert english_prose(out + err) == []


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)], ids=["relend", *SUBCOMMANDS])
def test_help_stays_english_by_default(capsys, command: list[str]) -> None:
    # the detector sees English here: the Chinese test above can fail
    status, out, _ = _en([*command, "--help"], capsys)
    assert status == 0
    assert out.startswith("usage: relend")
    assert "options:" in out
    assert english_prose(out)


def test_lang_is_accepted_anywhere(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    _locale(monkeypatch, "C")
    for argv in (
        ["--lang", "zh", "deadline", "2022Q2"],
        ["--lang=zh", "deadline", "2022Q2"],
        ["deadline", "--lang", "zh", "2022Q2"],
        ["deadline", "2022Q2", "--lang=zh"],
        ["deadline", "2022Q2", "--la", "zh"],  # argparse takes a unique prefix
        ["--lang", "en", "deadline", "2022Q2", "--lang", "zh"],  # the last one counts
    ):
        status, out, err = _en(argv, capsys)
        assert status == 0, err
        assert "2022-07-11" in out
        assert english_prose(out) == [], argv


# -- text outputs ---------------------------------------------------------------------


def test_claim_text_is_chinese(zh) -> None:
    status, out, err = zh(TECH)
    assert status == 3  # two invalid rows in the example
    assert english_prose(out + err) == []
    # codes stay, with their labels beside them
    assert "borrower_not_eligible" in out
    assert "借款人不在支持名单内" in out
    assert "invalid_principal" in out
    assert "350,649,386.32" in out


def test_claim_text_english_by_default(capsys) -> None:
    status, out, _ = _en(TECH, capsys)
    assert status == 3
    assert "entitlement (60% × principal, rounded half up once): 350,649,386.32 yuan" in out
    assert "借款人不在支持名单内" not in out


def test_audit_text_is_chinese(zh) -> None:
    status, out, err = zh(AUDIT)
    assert status == 4
    assert english_prose(out + err) == []
    assert "overclaimed" in out and "多报" in out


def test_facility_text_is_chinese(zh) -> None:
    status, out, err = zh(FACILITY)
    assert status == 0
    assert english_prose(out + err) == []
    assert "31,966.67" in out


def test_incentive_text_is_chinese(zh) -> None:
    status, out, err = zh(INCENTIVE)
    assert status == 0
    assert english_prose(out + err) == []
    assert "2,469,135.78" in out


def test_deadline_text_is_chinese(zh) -> None:
    status, out, err = zh(["deadline", "2022Q2"])
    assert status == 0
    assert english_prose(out + err) == []
    assert "2022-07-11" in out


def test_warning_line_is_chinese(zh) -> None:
    # the provisional-calendar warning's own words are the library's; the prefix is ours
    status, out, err = zh(["deadline", "2027Q1"])
    assert status == 0
    assert "估算" in out
    assert err.startswith("relend：警告：")
    assert "relend: warning" not in err


def test_demo_text_is_chinese(zh, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = zh(["demo"])
    assert status == 0
    assert english_prose(out + err) == []


def _library_texts(argv: list[str], capsys) -> list[str]:
    """Every string in the JSON output of ``argv``: the words the library gives."""
    _, out, _ = _en([*argv, "--json"], capsys)
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(out))
    return found


def test_npl_text_is_chinese_but_for_the_library_words(zh, capsys) -> None:
    status, out, err = zh(NPL)
    assert status == 0
    assert _not_from(_library_texts(NPL, capsys), out + err) == []
    assert "超出容忍度" in out


def test_npl_text_is_chinese(zh) -> None:
    # the relief terms of articles 二十七 and 二十八 are the library's words
    _, out, err = zh(NPL)
    assert english_prose(out + err) == []


def test_policy_show_is_chinese_but_for_the_policy_data(zh, capsys) -> None:
    status, out, err = zh(["policy", "show", "tech"])
    assert status == 0
    assert _not_from(_library_texts(["policy", "show", "tech"], capsys), out + err) == []
    assert "出处" in out


def test_policy_show_is_chinese(zh) -> None:
    _, out, err = zh(["policy", "show", "tech"])
    assert english_prose(out + err) == []


def test_policy_list_is_chinese_but_for_the_policy_data(zh, capsys) -> None:
    status, out, err = zh(["policy", "list"])
    assert status == 0
    assert _not_from(_library_texts(["policy", "list"], capsys), out + err) == []
    assert "项假设" in out


# -- errors ---------------------------------------------------------------------------


def _one_chinese_error(status: int, out: str, err: str) -> str:
    lines = err.strip().splitlines()
    assert status == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("relend：错误：")
    return lines[0]


USAGE_ERRORS = {
    "missing_argument": ["claim", "tech", "ledger.csv", "--lender", "ICBC"],
    "invalid_choice": ["claim", "frobnicate", "ledger.csv"],
    "unknown_command": ["frobnicate"],
    "unknown_option": ["deadline", "2022Q2", "--bogus"],
    "expected_one_argument": ["deadline", "2022Q2", "--calendar"],
    "bad_int": [
        "facility",
        "tech",
        "--amount",
        "1",
        "--drawdown",
        "2022-07-15",
        "--extensions",
        "x",
    ],
    "bad_date": ["facility", "tech", "--amount", "1", "--drawdown", "2022-13-01"],
    "no_balances": ["incentive"],
    "unknown_calendar": ["deadline", "2022Q2", "--calendar", "nyse"],
    "policy_list_program": ["policy", "list", "tech"],
    "policy_show_no_program": ["policy", "show"],
    "missing_list": TECH[:7],
}
LIBRARY_ERRORS = {
    "bad_quarter": [*TECH[:4], "2022Q5", *TECH[5:]],
    "unknown_lender": [*TECH[:6], "花旗", *TECH[7:]],
    "bad_period": ["deadline", "2022Q5"],
    "bad_amount": ["facility", "tech", "--amount", "abc", "--drawdown", "2022-07-15"],
    # these two quote a notice's clause: the citation is in words of the language too
    "too_many_extensions": [*FACILITY[:-1], "5"],
    "monthly_program_given_a_quarter": [
        "claim",
        "coal",
        str(EXAMPLES / "coal_ledger.csv"),
        "--quarter",
        "2022Q2",
        "--lender",
        "CDB",
    ],
}


@pytest.mark.parametrize("argv", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_errors_are_chinese(zh, argv: list[str]) -> None:
    line = _one_chinese_error(*zh(argv))
    assert english_prose(line) == [], line


@pytest.mark.parametrize("argv", LIBRARY_ERRORS.values(), ids=LIBRARY_ERRORS.keys())
def test_library_errors_are_chinese(zh, argv: list[str]) -> None:
    line = _one_chinese_error(*zh(argv))
    assert english_prose(line) == [], line


@pytest.mark.parametrize("argv", LIBRARY_ERRORS.values(), ids=LIBRARY_ERRORS.keys())
def test_library_errors_have_the_chinese_prefix(zh, argv: list[str]) -> None:
    _one_chinese_error(*zh(argv))


@pytest.mark.parametrize("value", ["fr", "", "ZH", "zh_CN"])
def test_bad_lang_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys, value: str) -> None:
    _locale(monkeypatch, "zh_CN.UTF-8")
    status, out, err = _en(["deadline", "2022Q2", f"--lang={value}"], capsys)
    line = _one_chinese_error(status, out, err)
    assert repr(value) in line
    assert english_prose(line) == []
    _locale(monkeypatch, "C")
    status, out, err = _en(["--lang", value, "deadline", "2022Q2"], capsys)
    assert status == 2
    assert err.startswith("relend: error: --lang ")
    assert len(err.strip().splitlines()) == 1


def test_usage_error_stays_english_by_default(capsys) -> None:
    status, _, err = _en(USAGE_ERRORS["missing_argument"], capsys)
    assert status == 2
    assert err.startswith("relend: error: the following arguments are required: --quarter")


# -- choosing the language ------------------------------------------------------------


def test_lang_en_overrides_a_chinese_locale(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    _locale(monkeypatch, "zh_CN.UTF-8")
    status, out, _ = _en([*TECH, "--lang", "en"], capsys)
    assert status == 3
    assert "eligible principal: 584,415,643.87 yuan" in out
    status, out, _ = _en(["--lang", "en", "claim", "--help"], capsys)
    assert out.startswith("usage: relend claim")


def test_lc_all_overrides_lang(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert _en(["deadline", "2022Q2"], capsys)[1].startswith("2022Q2: apply by 2022-07-11")
    monkeypatch.setenv("LANG", "C")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert "申请截止日" in _en(["deadline", "2022Q2"], capsys)[1]


@pytest.mark.parametrize(
    "argv",
    [
        [*TECH, "--json"],
        [*AUDIT, "--json"],
        [*NPL, "--json"],
        [*FACILITY, "--json"],
        [*INCENTIVE, "--json"],
        ["deadline", "2022Q2", "--json"],
        ["policy", "show", "tech", "--json"],
    ],
    ids=["claim", "audit", "npl", "facility", "incentive", "deadline", "policy"],
)
def test_json_is_the_same_in_both_languages(capsys, argv: list[str]) -> None:
    english = json.loads(_en([*argv, "--lang", "en"], capsys)[1])
    chinese = json.loads(_en([*argv, "--lang", "zh"], capsys)[1])
    assert _codes_only(chinese) == _codes_only(english)
    assert [t for t in _texts(chinese) if english_prose(t)] == []


def test_summary_json_is_the_same_in_both_languages(tmp_path, capsys) -> None:
    for lang in ("en", "zh"):
        _en([*TECH, "--out", str(tmp_path / lang), "--no-xlsx", "--lang", lang], capsys)
    english = json.loads((tmp_path / "en" / "summary.json").read_text(encoding="utf-8"))
    chinese = json.loads((tmp_path / "zh" / "summary.json").read_text(encoding="utf-8"))
    # the texts of the files follow the language, which summary.json records; loans.csv's
    # digest differs when a row's detail hint does (the hint is a sentence)
    assert (english.pop("language"), chinese.pop("language")) == ("en", "zh")
    english.pop("files"), chinese.pop("files")
    assert _codes_only(chinese) == _codes_only(english)


# Keys whose values are texts for people, in the run's language; everything else in a
# JSON object (keys, codes, amounts, dates, file names) is the same in both.
_TEXT_KEYS = frozenset(
    {"rounding", "clawback_rule", "comparison", "headroom_rounding", "net_rounding", "window",
     "message", "detail", "source", "why", "note", "title", "policy_title", "issuer",
     "assumption", "unknown", "rate_source", "day_count_source", "ratio_source"}
)  # fmt: skip
# Figures whose value is a rule in words, not a number, date or code.
_WORDED_FIGURES = frozenset({"deadline_rule", "borrower_rule"})


def _is_text(key: str, parent: str) -> bool:
    return key in _TEXT_KEYS or (key == "value" and parent in _WORDED_FIGURES)


def _codes_only(value: object, key: str = "", parent: str = "", within: bool = False) -> object:
    """``value`` with every text for people replaced by a marker."""
    if isinstance(value, dict):
        inner = within or key == "relief_terms"
        return {k: _codes_only(v, k, key, inner) for k, v in value.items()}
    if isinstance(value, list):
        return [_codes_only(v, key, parent, within) for v in value]
    if isinstance(value, str) and (within or _is_text(key, parent)):
        return "<text>"
    return value


def _texts(value: object, key: str = "", parent: str = "", within: bool = False) -> list[str]:
    """Every text for people in a JSON object (the values :func:`_codes_only` hides)."""
    if isinstance(value, dict):
        inner = within or key == "relief_terms"
        return [t for k, v in value.items() for t in _texts(v, k, key, inner)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, key, parent, within)]
    if isinstance(value, str) and (within or _is_text(key, parent)):
        return [value]
    return []


@pytest.mark.parametrize(
    "argv",
    [
        ["deadline", "2022Q2", "--lang", "zh"],
        ["--lang", "zh", "claim", "--help"],
        ["deadline", "2022Q5", "--lang", "zh"],
        ["deadline", "--lang", "fr"],
        ["--lang", "en", "deadline", "2022Q2"],
    ],
)
def test_language_and_argparse_restored_after_main(capsys, argv: list[str]) -> None:
    for before in ("en", "zh"):
        set_language(before)
        main(argv)
        assert language() == before
        assert argparse._ is gettext.gettext  # type: ignore[attr-defined]
        assert argparse.ngettext is gettext.ngettext  # type: ignore[attr-defined]
    set_language("en")


def test_every_reason_code_has_its_labels() -> None:
    # the text output shows the label beside each code: a code without one would be bare
    from calculators.engine.codes import reason_codes
    from calculators.engine.labels import REASON_LABELS

    missing = [code for code in reason_codes() if code not in REASON_LABELS]
    assert missing == []


def _columns(line: str) -> int:
    """Where the help text of an option's line starts, in columns on screen."""
    head = re.match(r"\s*\S+(?: \S+)?\s+", line)
    assert head is not None, line
    return sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in head.group(0))


def test_chinese_option_names_keep_the_help_column(zh) -> None:
    # "--policy 文件" is 12 characters but 14 columns: argparse alone would pad it by
    # characters, pushing its help two columns right of "--json"'s
    _, out, _ = zh(["incentive", "--help"])
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  --")}
    assert "文件" in lines["--policy"]
    assert _columns(lines["--policy"]) == _columns(lines["--json"])
    assert _columns(lines["--override"]) == _columns(lines["--json"])


def test_interruption_and_internal_error_lines_are_chinese(zh, monkeypatch) -> None:
    from calculators.cli import deadline

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(deadline, "run", interrupted)
    status, _, err = zh(["deadline", "2022Q2"])
    assert status == 130
    assert err.startswith("relend：已中断")
    assert english_prose(err) == []
    monkeypatch.setattr(deadline, "run", broken)
    status, _, err = zh(["deadline", "2022Q2"])
    assert status == 1
    assert err.strip() == (
        "relend：内部错误：这是 relend 自身的缺陷，与输入无关（请连同引发错误的命令一并报告）；"
        "Python 的原文提示：RuntimeError：boom"
    )


# argparse's messages to whoever writes a parser, never shown to a user of relend
_PARSER_AUTHORS_MESSAGES = {
    "'required' is an invalid argument for positionals",
    "%r is not callable",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "mutually exclusive arguments must be optional",
    "conflicting option string: %s",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
}


def test_every_argparse_message_is_in_the_catalog() -> None:
    # the messages of the argparse of this Python: one it adds or rewords would show in
    # English in a Chinese run; this test names it
    from babel.messages.pofile import read_po

    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    said = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_", "ngettext")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    po = ROOT / "calculators/locale/zh/LC_MESSAGES/cli.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert sorted(said - _PARSER_AUTHORS_MESSAGES - ids) == []
