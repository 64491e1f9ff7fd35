"""Every policy file says the day its sources were last checked against the notices
(``[program] reviewed``); ``relend policy list`` shows it, and a claim whose period
reaches past it warns, in the run's language, that later notices are not in the data."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from calculators.cli import main
from tests.paths import ROOT

POLICIES = sorted((ROOT / "calculators" / "policies").glob("*.toml"))
REVIEWED = "2026-12-07"

# a consumption ledger of one eligible loan in 2026Q4 and one in 2026Q3
LEDGER = """loan_id,borrower_id,principal,disbursement_date,maturity_date,service_field
A,911101085011945813,100.00,2026-12-31,2027-12-31,教育
B,911101085011945813,100.00,2026-09-30,2027-09-30,教育
"""


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_every_policy_file_has_its_review_date(path: Path) -> None:
    program = tomllib.loads(path.read_text(encoding="utf-8"))["program"]
    assert program["reviewed"].isoformat() == REVIEWED


def test_policy_list_shows_the_review_date(capsys) -> None:
    assert main(["policy", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(f"reviewed {REVIEWED}" in line for line in lines)
    assert main(["policy", "list", "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert {v["reviewed"] for v in versions} == {REVIEWED}
    assert main(["policy", "list", "--lang", "zh"]) == 0
    assert f"核对于 {REVIEWED}" in capsys.readouterr().out


def _warnings(argv: list[str], capsys) -> list[dict]:
    assert main([*argv, "--json"]) == 0
    return [w for w in json.loads(capsys.readouterr().out)["warnings"]
            if w["code"] == "period_after_policy_review"]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["2026Q4", REVIEWED, "--policy"]),
     ("zh", ["2026Q4", REVIEWED, "--policy", "此后发布的通知不在数据中"])],
)  # fmt: skip
def test_a_claim_past_the_review_date_warns(tmp_path, capsys, lang, words) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    argv = ["claim", "consumption", str(ledger), "--quarter", "2026Q4", "--lender", "BOB",
            "--lang", lang]  # fmt: skip
    warned = _warnings(argv, capsys)
    assert len(warned) == 1
    for word in words:
        assert word in warned[0]["message"], (word, warned)


def test_a_claim_before_the_review_date_does_not_warn(tmp_path, capsys) -> None:
    # 2026Q3 ends 2026-09-30, before 2026-12-07
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    argv = ["claim", "consumption", str(ledger), "--quarter", "2026Q3", "--lender", "BOB"]
    assert _warnings(argv, capsys) == []


def test_a_policy_file_reviewed_later_lifts_the_warning(tmp_path, capsys) -> None:
    ledger = tmp_path / "l.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    policy = tmp_path / "later.toml"
    policy.write_text(
        'schema = 1\n[program]\nid = "consumption"\nreviewed = 2027-01-31\n'
        '[[versions]]\nid = "consumption-2025"\n'
        '[versions.ratio]\nvalue = "1"\nsource = { notice = "consumption2025", '
        'clause = "checked again" }\n',
        encoding="utf-8",
    )
    argv = ["claim", "consumption", str(ledger), "--quarter", "2026Q4", "--lender", "BOB",
            "--policy", str(policy)]  # fmt: skip
    assert _warnings(argv, capsys) == []


def test_a_malformed_review_date_is_refused(tmp_path, capsys) -> None:
    policy = tmp_path / "bad.toml"
    policy.write_text(
        'schema = 1\n[program]\nid = "tech"\nreviewed = "December"\n'
        '[[versions]]\nid = "tech-2024"\n'
        '[versions.ratio]\nvalue = "0.6"\nsource = { notice = "tech2024", clause = "x" }\n',
        encoding="utf-8",
    )
    assert main(["policy", "list", "--policy", str(policy)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "program.reviewed" in err[0], err
