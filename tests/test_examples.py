"""The example scripts run as a user would run them."""

from __future__ import annotations

import json
import re
import runpy
import shlex
import shutil
import subprocess

import pytest

from calculators.cli import main
from tests.paths import EXAMPLES


def test_notebook_script_runs(capsys) -> None:
    runpy.run_path(str(EXAMPLES / "notebook.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "2022Q2 deadline: 2022-07-11" in out
    assert "2020-10-10 (a Saturday) is a working day: True" in out
    # examples/tech_ledger.csv, 41 rows worked through by the README's rules: 25 eligible
    # (584,415,643.87 yuan), 6 term_under_minimum, 5 borrower_not_eligible and one each
    # of non_cny, before_policy_start, outside_period, invalid_borrower_id,
    # invalid_principal (1,000,000.005). 3/5 x 58,441,564,387 fen = 35,064,938,632.2 ->
    # 35,064,938,632 fen.
    assert "tech entitlement (fen): 35064938632" in out
    counts = {"eligible": 25, "term_under_minimum": 6, "borrower_not_eligible": 5,
              "non_cny": 1, "before_policy_start": 1, "outside_period": 1,
              "invalid_borrower_id": 1, "invalid_principal": 1}  # fmt: skip
    for reason, n in counts.items():
        assert re.search(rf"^{reason} +{n}$", out, flags=re.MULTILINE), reason
    # worked out in tests/calculators/programs/test_transport.py
    assert "transport entitlement: 48,324,581.28 yuan, apply by 2022-10-10" in out


def _readme_commands() -> list[list[str]]:
    """Every ``relend ...`` command of the README's command-line block, as argv."""
    text = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    block = text.split("## The command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("relend "):
            commands.append(shlex.split(line)[1:])
    return commands


def test_every_readme_command_runs_as_written(tmp_path, monkeypatch, capsys) -> None:
    # run from a copy of the repository's examples, as a user would from a clone;
    # 0 done, 3 done with invalid rows, 4 differences found: never 1 or 2
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _readme_commands()
    assert len(commands) >= 15
    for argv in commands:
        status = main(argv)
        err = capsys.readouterr().err
        assert status in (0, 3, 4), (argv, status, err)
        assert "Traceback" not in err and "internal error" not in err, argv


def _every_readme_relend_command() -> list[tuple[list[str], int | None]]:
    """Every ``relend ...`` command of every ``sh`` block of the README (``&&`` chains
    split), as argv, with the exit status its comment states (``# exit 4: ...``)."""
    text = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            code, _, comment = line.partition("#")
            stated = re.search(r"\bexit (\d+)", comment)
            for part in code.split("&&"):
                # relend serve runs until it is stopped: tests/calculators/web start it
                if part.strip().startswith("relend ") and not part.strip().startswith(
                    "relend serve"
                ):
                    argv = shlex.split(part)[1:]
                    commands.append((argv, int(stated[1]) if stated else None))
    return commands


def test_the_readme_commands_leave_a_clone_clean(tmp_path, monkeypatch, capsys) -> None:
    # Run from a copy of a clone's root, every command of the README writes only where
    # .gitignore covers (git itself says what a clone would show as new); the demo exits
    # 0 as the README says, the audit 4 as its comment says.
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    for name in (".gitignore", "README.md"):
        shutil.copyfile(EXAMPLES.parent / name, tmp_path / name)
    subprocess.run([git, "init", "-q"], cwd=tmp_path, check=True)

    def new_files() -> list[str]:
        command = [git, "ls-files", "--others", "--exclude-standard"]
        listed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=True)
        return sorted(listed.stdout.splitlines())

    before = new_files()
    monkeypatch.chdir(tmp_path)
    commands = _every_readme_relend_command()
    assert ["demo"] in [argv for argv, _ in commands]
    assert len(commands) >= 19
    for argv, stated in commands:
        status = main(argv)
        err = capsys.readouterr().err
        assert "Traceback" not in err and "internal error" not in err, argv
        if argv == ["demo"]:
            assert status == 0, err  # its invalid rows are there on purpose (README)
        if stated is not None:
            assert status == stated, (argv, status, err)
    runpy.run_path(str(tmp_path / "examples" / "notebook.py"), run_name="__main__")
    capsys.readouterr()
    assert new_files() == before
    written = {p.name for p in tmp_path.iterdir() if p.is_dir()} - {".git", "examples"}
    assert written == {"relend-demo", "report", "audit", "npl"}  # as the README says


def test_the_excel_example_claims_what_the_csv_claims(capsys) -> None:
    # examples/tech_ledger.xlsx holds tech_ledger.csv's 41 rows on its second sheet,
    # under a title row and an empty row, amounts as numbers, dates as date cells, and
    # a 合计 row below: the same 25 eligible loans and 35,064,938,632 fen (worked out in
    # test_notebook_script_runs), the total row left out with a warning.
    common = ["--quarter", "2022Q2", "--lender", "工商银行",
              "--eligible-borrowers", str(EXAMPLES / "tech_eligible.csv"), "--json"]  # fmt: skip
    assert main(["claim", "tech", str(EXAMPLES / "tech_ledger.xlsx"), "--sheet", "贷款台账",
                 *common]) == 3  # fmt: skip
    excel = json.loads(capsys.readouterr().out)
    assert excel["entitlement_fen"] == 35_064_938_632
    assert excel["loans_total"] == 41 and excel["loans_eligible"] == 25
    assert [w["code"] for w in excel["warnings"]] == [
        "total_rows_ignored",
        "lines_count_from_header",
    ]
    assert excel["input_format"]["header_row"] == 3
    assert main(["claim", "tech", str(EXAMPLES / "tech_ledger.csv"), *common]) == 3
    plain = json.loads(capsys.readouterr().out)
    assert excel["reasons"] == plain["reasons"]


def test_the_example_submission_audits_to_hand_worked_figures(tmp_path, capsys) -> None:
    # examples/tech_submitted.csv claims each eligible loan at 60% rounded half up per
    # loan (within 1 fen of relend's split), plus ICBC-KJ-2022-0003 (borrower not on
    # the list): 0.6 x 44,709,021.06 = 26,825,412.636 -> 26,825,412.64, and
    # ICBC-KJ-2022-0001 a second time: 2,270,658.40. Overclaimed and clawback:
    # 26,825,412.64 + 2,270,658.40 = 29,096,071.04 yuan.
    argv = ["audit", "tech", str(EXAMPLES / "tech_ledger.csv"),
            "--submitted", str(EXAMPLES / "tech_submitted.csv"), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(EXAMPLES / "tech_eligible.csv"),
            "--tolerance-fen", "1", "--json"]  # fmt: skip
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert s["clawback_fen"] == 2_909_607_104
    assert s["classes"]["duplicate_claim"] == 2 and s["classes"]["overclaimed"] == 1


def test_the_example_balances_give_hand_worked_incentives(capsys) -> None:
    # 2022Q1: +200,000,000.00 x 1% = 2,000,000.00; 2022Q2: a decrease, 0;
    # 2022Q3: +250,000,000.00 x 2% = 5,000,000.00;
    # 2022Q4: +123,456,789.01 x 2% = 2,469,135.7802 -> 2,469,135.78
    assert main(["incentive", str(EXAMPLES / "microloan_balances.csv"), "--json"]) == 0
    quarters = json.loads(capsys.readouterr().out)["quarters"]
    assert [q["incentive_fen"] for q in quarters] == [200_000_000, 0, 500_000_000, 246_913_578]


def test_the_example_npl_file(capsys) -> None:
    # 住宿 450,000 / 10,000,000 = 4.5% <= 2% + 3 pp: within, headroom 500,000.00 -
    # 450,000.00 = 50,000.00; 餐饮 6.25% > 5%: breach; 制造业 1.5% <= 1.5% (the bound
    # itself): within, headroom 0; 批发 1 pp uplift: invalid unless named explicitly,
    # then 3% <= 3%: within
    assert main(["npl", str(EXAMPLES / "npl.csv"), "--json"]) == 3
    units = json.loads(capsys.readouterr().out)["units"]
    assert [u["status"] for u in units] == ["within", "breach", "within", "invalid"]
    assert [u["headroom_fen"] for u in units[:3]] == [5_000_000, 0, 0]
    assert main(["npl", str(EXAMPLES / "npl.csv"), "--extra-industry", "批发", "--json"]) == 0
    units = json.loads(capsys.readouterr().out)["units"]
    assert units[3]["status"] == "within" and units[3]["industry_basis"] == "user_named"
