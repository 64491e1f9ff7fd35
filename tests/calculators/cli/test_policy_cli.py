"""``relend policy list|show`` and ``--policy FILE``, through ``main(argv)``."""

from __future__ import annotations

import json
from pathlib import Path

from calculators.cli import main
from tests.paths import EXAMPLES

USER_FILE = """
schema = 1
[program]
id = "microloan"
[notices.branch]
issuer = "中国人民银行某分行"
title = "关于普惠小微贷款支持工具2023年第三季度激励资金的通知"
[[versions]]
id = "microloan-2023q3"
[versions.ratio]
value = "0.02"
source = { notice = "branch", clause = "一" }
[versions.fixed_rate]
value = "0.0362"
source = { notice = "branch", clause = "二" }
"""


def test_list_names_every_version_and_flags_unknown_figures(capsys) -> None:
    assert main(["policy", "list"]) == 0
    out = capsys.readouterr().out
    for version in ("tech-2022", "tech-2024", "transport-2022", "transport-2023",
                    "microloan-2022q1", "microloan-2022q2", "microloan-2023q3"):  # fmt: skip
        assert version in out
    line = next(x for x in out.splitlines() if "microloan-2023q3" in x)
    assert "unknown: ratio, fixed_rate" in line


def test_show_json_gives_each_figure_with_value_and_source(capsys) -> None:
    assert main(["policy", "show", "tech", "--version", "tech-2024", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    (version,) = shown["versions"]
    figures = version["figures"]
    assert figures["ratio"]["value"] == "0.6"
    assert [s["rate"] for s in figures["rates"]["value"]] == ["0.0175", "0.015", "0.0125"]
    assert figures["min_term_months"]["assumption"] is True
    assert "carried over" in figures["min_term_months"]["why"]
    assert all(f["source"] for f in figures.values())
    assert shown["policy_source"] == {"package": shown["policy_source"]["package"]}


def test_show_text_marks_assumptions(capsys) -> None:
    assert main(["policy", "show", "tech", "--version", "tech-2022"]) == 0
    out = capsys.readouterr().out
    assert "policy compilation of the Kashgar positive and negative lists, lines 765-767" in out
    assert "ASSUMPTION" in out and "seed" not in out


def test_unknown_program_and_version_are_one_line_exit_2(capsys) -> None:
    assert main(["policy", "show", "lottery"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "program='lottery'" in err and "tech, transport" in err
    assert main(["policy", "show", "tech", "--version", "tech-2099"]) == 2
    err = capsys.readouterr().err
    assert "tech-2022, tech-2024" in err and "Traceback" not in err


def test_incentive_with_a_user_policy_file(tmp_path: Path, capsys) -> None:
    args = ["incentive", "--quarter", "2023Q4", "--previous-balance", "0",
            "--current-balance", "1,000,000.00", "--json"]  # fmt: skip
    assert main(args) == 2
    assert "--policy FILE" in capsys.readouterr().err
    path = tmp_path / "mine.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    assert main([*args, "--policy", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    # 1,000,000.00 yuan x 2% = 20,000.00 yuan
    assert out["incentive_fen"] == 2_000_000
    assert out["policy_version"] == "microloan-2023q3"
    assert out["policy_origin"].startswith("sha256:")


def test_a_malformed_policy_file_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(USER_FILE.replace('value = "0.02"', 'value = "2"'), encoding="utf-8")
    assert main(["policy", "list", "--policy", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ratio" in err and "at most 1" in err


def test_facility_after_the_program_ended_is_refused(capsys) -> None:
    args = ["facility", "transport", "--amount", "100.00", "--drawdown", "2030-01-02"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "2030-01-02" in err and "transport-2023: 2023-01-01 to 2023-09-30" in err


def test_a_claim_under_a_user_file_says_so_in_its_text(tmp_path: Path, capsys) -> None:
    # a file superseding tech-2022's ratio: the text names the file, its digest and the
    # version taken from it, so a printed report cannot pass for relend's own figures
    path = tmp_path / "ratio.toml"
    path.write_text(
        'schema = 1\n[program]\nid = "tech"\n[notices.mine]\nissuer = "a bank"\n'
        'title = "our reading"\n[[versions]]\nid = "tech-2022"\n'
        '[versions.ratio]\nvalue = "0.5"\nsource = { notice = "mine", clause = "1" }\n',
        encoding="utf-8",
    )
    examples = EXAMPLES
    argv = ["claim", "tech", str(examples / "tech_ledger.csv"), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(examples / "tech_eligible.csv"),
            "--policy", str(path)]  # fmt: skip
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert f"policy file applied: {path} (sha256 " in out
    assert "versions from a policy file, not from relend: tech-2022" in out
    # 0.5 x 58,441,564,387 fen = 29,220,782,193.5 -> 29,220,782,194 fen (half up)
    assert "(29220782194 fen)" in out


def test_a_lender_by_its_full_registered_name(capsys) -> None:
    # 中国工商银行股份有限公司 is ICBC's registered name: its legal form is not part of
    # the name relend matches
    examples = EXAMPLES
    argv = ["claim", "tech", str(examples / "tech_ledger.csv"), "--quarter", "2022Q2",
            "--lender", "中国工商银行股份有限公司",
            "--eligible-borrowers", str(examples / "tech_eligible.csv"), "--json"]  # fmt: skip
    main(argv)
    assert json.loads(capsys.readouterr().out)["lender"] == "ICBC"


def test_help_answers_the_questions_users_ask(capsys) -> None:
    assert main(["claim", "--help"]) == 0
    out = capsys.readouterr().out
    for words in ("exit status: 0 done; 3", "借据号", "中小微物流配送（含快递）企业", "工行",
                  "equipment: 设备更新改造专项再贷款"):  # fmt: skip
        assert words in out, words
    assert main(["deadline", "--help"]) == 0
    assert '"working_days"' in capsys.readouterr().out
    assert main(["audit", "--help"]) == 0
    assert "申报金额" in capsys.readouterr().out
