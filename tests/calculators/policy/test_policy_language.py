"""The policy data in Chinese and English.

Every prose text of the shipped policy files (a clause in words, an assumption, an
unknown figure's reason, a notice's note, a title or a ``read_at`` with English words, a
descriptive value such as ``deadline_rule``) has its reviewed Chinese twin beside it
(``<name>_zh``). ``relend policy show|list`` shows the twins in Chinese and the English,
unchanged, in English; a user's policy file without twins is shown in its English.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

import calculators
from calculators._errors import PolicyFileError
from calculators._i18n import using_language
from calculators.cli import main
from calculators.policy.checks import FIGURE_KINDS
from calculators.policy.table import PolicyTable, _package_table
from tests.language import _IDENTIFIER, english_prose

POLICIES = Path(calculators.__file__).parent / "policies"
SHIPPED = sorted(POLICIES.glob("*.toml"))
PROSE_KEYS = ("assumption", "unknown", "clause", "issuer", "note", "title", "read_at")
TEXT_FIGURES = frozenset(name for name, kind in FIGURE_KINDS.items() if kind == "text")
# web addresses and file names: lrpm.cn/?id=7596, breakinglatest.news, later-notices.md
# and version ids: carbon-2021, microloan-2023q3
_ADDRESS = re.compile(r"[\w-]+(?:\.[\w-]+)+(?:/[\w./?=&%-]*)?|\b[a-z_]+-\d{4}\w*\b")
# a word with a small letter: codes and acronyms (ICBC, CGTN, FILE) may stay
_LATIN = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z]*\b")
# words a Chinese text may keep: the compilation's name in citations, the tool's name
_KEPT = frozenset(["seed", "relend"])


def _latin_words(text: str) -> list[str]:
    """The Latin words of ``text`` once identifiers and web addresses are taken out."""
    return _LATIN.findall(_IDENTIFIER.sub(" ", _ADDRESS.sub(" ", text)))


def _needs_chinese(text: str) -> bool:
    """Whether a text of the data has English words a Chinese reader needs translated."""
    return bool(_latin_words(text))


def _prose_fields(data: Any, path: str = "") -> list[tuple[str, dict[str, Any], str]]:
    """Every (where, table, key) of a parsed policy file whose value is a prose text."""
    found: list[tuple[str, dict[str, Any], str]] = []
    if isinstance(data, dict):
        name = path.rsplit(".", 1)[-1]
        keys = [*PROSE_KEYS, "value"] if name in TEXT_FIGURES else PROSE_KEYS
        for key in keys:
            if isinstance(data.get(key), str):
                found.append((f"{path}.{key}", data, key))
        for key, value in data.items():
            found += _prose_fields(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _prose_fields(value, f"{path}[{i}]")
    return found


def test_the_detector_tells_english_from_codes_and_addresses() -> None:
    # the data test below relies on it: a title's "(announcement)" is English to translate
    assert _needs_chinese("人民银行设立科技创新和技术改造再贷款 (announcement)")
    assert _needs_chinese("10th of the next month, rolled forward over holidays")
    assert _needs_chinese("reprinted by 证券时报: lrpm.cn/?id=7596")
    assert not _needs_chinese("三")
    assert not _needs_chinese("道路货物运输（CDB、ICBC）")
    assert not _needs_chinese("ACT/360")
    assert not _needs_chinese("carbon-2021")
    assert not _needs_chinese("big5.taiwan.cn, t20230131_12506366")
    assert not _needs_chinese(
        "observersnews.com/industry-science/2024_04_07_730823.shtml; "
        "en.people.cn/n3/2024/0407/c90000-20153962.html"
    )
    assert _latin_words("后续工具（转述）") == []
    assert _latin_words("relend 沿用 seed 第 714-789 行") == ["relend", "seed"]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_prose_field_has_a_chinese_twin(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fields = _prose_fields(data)
    assert fields  # the walk finds the texts
    for where, table, key in fields:
        text = table[key]
        twin = table.get(f"{key}_zh")
        if not _needs_chinese(text):
            # a Chinese clause number or title, or an address: no twin to keep in step
            assert twin is None, f"{path.name}{where}: a twin of a text with no English"
            continue
        assert isinstance(twin, str) and twin.strip(), f"{path.name}{where}: no {key}_zh"
        assert english_prose(twin) == [], f"{path.name}{where}_zh: {twin}"
        left = set(_latin_words(twin)) - _KEPT
        assert not left, f"{path.name}{where}_zh keeps English words {sorted(left)}: {twin}"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_quotes_stay_as_the_notices_word_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "quote_zh" not in text


def test_english_citation_is_unchanged_and_the_chinese_is_the_twins() -> None:
    version = PolicyTable.package().version("tech", "tech-2024")
    first = version.figures["first_disbursement"]
    english = (
        "人民银行设立科技创新和技术改造再贷款 (announcement), clause the tool is set up on "
        "2024-04-07 (read at observersnews.com/industry-science/2024_04_07_730823.shtml; "
        "en.people.cn/n3/2024/0407/c90000-20153962.html)"
    )
    assert first.source == english
    assert first.source_text() == english
    with using_language("zh"):
        assert first.source == english  # the field stays the English
        assert first.source_text() == (
            "人民银行设立科技创新和技术改造再贷款（公告），条款：该工具于 2024-04-07 设立"
            "；查阅出处：observersnews.com/industry-science/2024_04_07_730823.shtml; "
            "en.people.cn/n3/2024/0407/c90000-20153962.html"
        )
        assert first.why_text().startswith("公告给出的是工具设立日期")
        assert (
            version.figures["deadline_rule"].value_text()
            == "下一申报期第一个月的 10 日（遇节假日顺延）"
        )
    assert version.figures["deadline_rule"].value_text() == (
        "10th of the first month of the next period, rolled forward over holidays"
    )


def test_the_table_read_in_chinese_keeps_the_english_sources() -> None:
    # the package table is read once and cached: read first in Chinese, its English
    # texts must still be English
    _package_table.cache_clear()
    try:
        with using_language("zh"):
            table = PolicyTable.package()
        rate = table.version("tech", "tech-2022").figures["rates"].value[1]
        assert rate.source.startswith(
            "下调结构性货币政策工具利率 (announcement of 2025-05-07), clause"
        )
        with using_language("zh"):
            assert rate.source_text().startswith("下调结构性货币政策工具利率（2025-05-07 公告）")
    finally:
        _package_table.cache_clear()


PROGRAMS = [p.stem for p in SHIPPED]


@pytest.mark.parametrize("program", PROGRAMS)
def test_policy_show_of_every_program_is_chinese(capsys, program: str) -> None:
    program = tomllib.loads((POLICIES / f"{program}.toml").read_text("utf-8"))["program"]["id"]
    assert main(["policy", "show", program, "--lang", "zh"]) == 0
    out, err = capsys.readouterr()
    assert english_prose(out + err) == []
    assert "出处" in out


def test_policy_list_is_chinese(capsys) -> None:
    assert main(["policy", "list", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert english_prose(out) == []
    assert "碳减排支持工具（延续至 2027 年末）" in out
    assert main(["policy", "list"]) == 0
    assert "碳减排支持工具 (extended to end-2027)" in capsys.readouterr().out


def _masked(value: Any, key: str = "") -> Any:
    """A ``policy show --json`` document with its prose texts taken out."""
    if isinstance(value, dict):
        prose = {"source", "why", "issuer", "title", "read_at", "note", "window"}
        out = {k: "<prose>" if k in prose else _masked(v, k) for k, v in value.items()}
        if key in TEXT_FIGURES:
            out["value"] = "<prose>"
        return out
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    return value


def test_policy_show_json_differs_only_in_its_prose(capsys) -> None:
    for program in ("tech", "carbon", "microloan"):
        assert main(["policy", "show", program, "--json", "--lang", "en"]) == 0
        english = json.loads(capsys.readouterr().out)
        assert main(["policy", "show", program, "--json", "--lang", "zh"]) == 0
        chinese = json.loads(capsys.readouterr().out)
        assert chinese != english  # the prose is translated
        assert _masked(chinese) == _masked(english)


USER_FILE = """
schema = 1
[program]
id = "microloan"
[notices.branch]
issuer = "中国人民银行某分行"
title = "Notice of the branch (circular)"
note = "read in the branch's own circular"
[[versions]]
id = "microloan-2023q3"
notice = "branch"
[versions.ratio]
value = "0.02"
source = { notice = "branch", clause = "the ratio is kept at 2%" }
assumption = "the branch keeps the earlier ratio"
[versions.fixed_rate]
value = "0.0362"
source = { notice = "branch", clause = "二" }
"""


def test_a_user_file_without_twins_is_shown_in_its_english(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    argv = ["policy", "show", "microloan", "--version", "microloan-2023q3", "--lang", "zh"]
    assert main([*argv, "--policy", str(path)]) == 0
    out = capsys.readouterr().out
    assert "出处：Notice of the branch (circular)，条款：the ratio is kept at 2%" in out
    assert "假设：the branch keeps the earlier ratio" in out
    # the package's own twins are still shown for what the file leaves alone
    assert "普惠小微贷款支持工具（延期至 2024 年末）" in out
    assert main([*argv, "--policy", str(path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["versions"][0]
    assert shown["notice"]["note"] == "read in the branch's own circular"
    assert shown["figures"]["ratio"]["why"] == "the branch keeps the earlier ratio"


def test_a_user_file_with_twins_is_shown_in_chinese(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mine.toml"
    text = USER_FILE.replace(
        'assumption = "the branch keeps the earlier ratio"',
        'assumption = "the branch keeps the earlier ratio"\nassumption_zh = "分行沿用原比例"',
    )
    path.write_text(text, encoding="utf-8")
    argv = ["policy", "show", "microloan", "--version", "microloan-2023q3", "--policy", str(path)]
    assert main([*argv, "--lang", "zh"]) == 0
    assert "假设：分行沿用原比例" in capsys.readouterr().out
    assert main([*argv, "--lang", "en"]) == 0
    assert "ASSUMPTION: the branch keeps the earlier ratio" in capsys.readouterr().out


TWINS_WITHOUT_ORIGINALS = {
    "assumption_zh": ('value = "0.0362"', 'value = "0.0362"\nassumption_zh = "假设"'),
    "note_zh": ('note = "read in the branch\'s own circular"', 'note_zh = "注"'),
    "value_zh_of_a_number": ('value = "0.02"', 'value = "0.02"\nvalue_zh = "百分之二"'),
    "quote_zh": ('clause = "二" }', 'clause = "二", quote_zh = "引文" }'),
    "unknown_zh": ('value = "0.0362"', 'value = "0.0362"\nunknown_zh = "未知"'),
    "read_at_zh": ('note = "read', 'read_at_zh = "网址"\nnote = "read'),
}


@pytest.mark.parametrize(
    "edit", TWINS_WITHOUT_ORIGINALS.values(), ids=TWINS_WITHOUT_ORIGINALS.keys()
)
def test_a_twin_without_its_english_is_refused(
    tmp_path: Path, capsys, edit: tuple[str, str]
) -> None:
    old, new = edit
    assert old in USER_FILE
    path = tmp_path / "mine.toml"
    path.write_text(USER_FILE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyFileError, match="_zh"):
        PolicyTable.package().with_file(path)
    assert main(["policy", "list", "--policy", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "_zh" in err and "Traceback" not in err
