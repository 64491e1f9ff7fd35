"""The shipped policy files: every figure sourced, every seed quotation really there,
and user policy files checked before they are used.

The files are read here with ``tomllib`` directly, not through relend's loader, so a
loader that drops a source or a flag cannot hide it from these tests.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from calculators import PolicyFileError, PolicyTable, PolicyUnknownError, policies_for_period
from calculators.tools import facility
from calculators.tools import incentive as microloan_incentive
from calendars import Quarter
from tests.paths import ROOT

POLICIES = ROOT / "calculators" / "policies"
SEED = ROOT.parent / "shared" / "sources" / "000_c7122a08e790f720.txt"
SHIPPED = sorted(POLICIES.glob("*.toml"))


def _figures(path: Path) -> list[tuple[str, dict]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for version in data["versions"]:
        for name, figure in version.items():
            if isinstance(figure, dict):
                out.append((f"{path.name}:{version['id']}.{name}", figure))
    return out


def _all_sources(path: Path) -> list[tuple[str, dict]]:
    """Every source table in a file: figures' and rate steps'."""
    out = []
    for where, figure in _figures(path):
        out.append((where, figure["source"]))
        if isinstance(figure.get("value"), list):
            out += [(f"{where}[{i}]", s["source"]) for i, s in enumerate(figure["value"])
                    if isinstance(s, dict)]  # fmt: skip
    return out


def test_the_three_programs_are_shipped() -> None:
    assert {"microloan.toml", "tech.toml", "transport.toml"} <= {p.name for p in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_figure_has_a_source_with_notice_and_clause(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    figures = _figures(path)
    assert figures
    for where, source in _all_sources(path):
        assert source["notice"] in data["notices"], where
        assert source["clause"].strip(), where
    for where, figure in figures:
        assert ("value" in figure) != ("unknown" in figure) or where.endswith(
            "last_disbursement"
        ), where


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_figures_from_unconfirmed_notices_are_assumptions(path: Path) -> None:
    """later-notices.md grades S and U may only be used as assumptions."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    weak = {k for k, n in data["notices"].items() if n.get("grade") in ("S", "U")}
    for where, figure in _figures(path):
        if figure["source"]["notice"] in weak:
            assert figure.get("assumption") or "unknown" in figure, where


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(not SEED.exists(), reason="the policy compilation is not beside the repo")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_seed_citation_quotes_words_on_its_lines(path: Path) -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    cited = [(w, s) for w, s in _all_sources(path) if "seed" in s]
    if path.name in ("tech.toml", "transport.toml", "microloan.toml"):
        assert cited, "each program of the seed cites the seed"
    for where, source in cited:
        first, last = source["seed"]
        text = _squash("".join(lines[first - 1 : last]))
        assert _squash(source["quote"]) in text, (
            f"{where}: {source['quote']!r} not on {first}-{last}"
        )


@pytest.mark.skipif(not SEED.exists(), reason="the policy compilation is not beside the repo")
def test_a_wrong_seed_line_would_be_caught() -> None:
    # the deadline clause is on 769-771, not 751-753 (an old citation)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    quote = _squash("于次季度第一个月 10 日(遇节假日顺延)前")
    assert quote in _squash("".join(lines[768:771]))
    assert quote not in _squash("".join(lines[750:753]))


def test_versions_in_force_through_2026() -> None:
    table = PolicyTable.package()
    tech = {r.version: r for r in table.rows("tech")}
    assert tech["tech-2022"].last_disbursement.value == dt.date(2024, 4, 6)
    assert tech["tech-2022"].last_disbursement.assumption
    assert tech["tech-2024"].first_disbursement.value == dt.date(2024, 4, 7)
    assert tech["tech-2024"].ratio.value == Fraction(3, 5)
    assert tech["tech-2024"].max_extensions.value == 2
    assert [(s.effective, s.rate) for s in tech["tech-2024"].rates.value] == [
        (dt.date(2024, 4, 7), Decimal("0.0175")),
        (dt.date(2025, 5, 7), Decimal("0.015")),
        (dt.date(2026, 1, 19), Decimal("0.0125")),
    ]
    transport = {r.version: r for r in table.rows("transport")}
    t23 = transport["transport-2023"]
    assert (t23.first_disbursement.value, t23.last_disbursement.value) == (
        dt.date(2023, 1, 1),
        dt.date(2023, 6, 30),
    )
    assert "logistics_warehousing_sme" in t23.categories.value
    assert "logistics_warehousing_sme" not in transport["transport-2022"].categories.value


def test_a_quarter_spanning_two_versions_gets_both() -> None:
    spanning = policies_for_period("tech", Quarter(2024, 2))
    assert [r.version for r in spanning] == ["tech-2022", "tech-2024"]
    assert [r.version for r in policies_for_period("tech", Quarter(2024, 3))] == ["tech-2024"]


def test_facility_rate_is_the_one_at_drawdown_and_a_late_drawdown_is_refused() -> None:
    # 600,000.00 yuan drawn 2025-07-15 under tech-2024: 1.5% (cut of 2025-05-07);
    # one year to 2026-07-15 (a Wednesday) = 365 days, ACT/360:
    # 60,000,000 fen x 0.015 x 365 / 360 = 912,500 fen
    s = facility.schedule("tech", 60_000_000, dt.date(2025, 7, 15))
    assert (s.policy.version, s.rate, s.interest_fen) == ("tech-2024", Decimal("0.015"), 912_500)
    # transport's last application (2023Q2) is due 2023-07-10: drawdowns to 2023-09-30
    assert facility.schedule("transport", 100, dt.date(2023, 9, 30)).policy.version == (
        "transport-2023"
    )
    with pytest.raises(Exception, match="drawdown='2030-01-02'"):
        facility.schedule("transport", 100, dt.date(2030, 1, 2))


def _write(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MICROLOAN_2023Q3 = """
schema = 1
[program]
id = "microloan"
[notices.branch]
issuer = "中国人民银行某分行"
title = "关于普惠小微贷款支持工具2023年第三季度激励资金的通知"
date = "2023-10"
[[versions]]
id = "microloan-2023q3"
[versions.ratio]
value = "0.02"
source = { notice = "branch", clause = "一" }
[versions.fixed_rate]
value = "0.0362"
source = { notice = "branch", clause = "二" }
"""


def test_a_user_file_supplies_the_microloan_ratio_for_one_call(tmp_path: Path) -> None:
    path = _write(tmp_path, MICROLOAN_2023Q3)
    with pytest.raises(PolicyUnknownError):
        microloan_incentive.incentive("2023Q4", 0, 100_000_000)
    # increase 1,000,000.00 yuan x 2% = 20,000.00 yuan
    r = microloan_incentive.incentive("2023Q4", 0, 100_000_000, policy=path)
    assert r.incentive_fen == 2_000_000
    assert r.summary()["policy_origin"].startswith("sha256:")
    with pytest.raises(PolicyUnknownError):  # scoped to the call
        microloan_incentive.incentive("2023Q4", 0, 100_000_000)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('value = "0.02"', 'value = "1.5"'), "above 0 and at most 1"),
        (('value = "0.02"', 'value = "0"'), "above 0 and at most 1"),
        (('value = "0.02"', "value = 0.02"), "as a string"),
        (('source = { notice = "branch", clause = "一" }', ""), "a source for every figure"),
        (('notice = "branch", clause = "二"', 'notice = "nowhere", clause = "二"'), "notice"),
        (('id = "microloan"', 'id = "lottery"'), "program.id='lottery'"),
        (("schema = 1", "schema = 2"), "schema = 1"),
        (("[versions.ratio]", "[versions.ratio"), "well-formed TOML"),
    ],
)
def test_bad_user_files_are_refused_naming_the_key(tmp_path, change, message) -> None:
    path = _write(tmp_path, MICROLOAN_2023Q3.replace(*change))
    with pytest.raises(PolicyFileError, match=re.escape(message)) as info:
        PolicyTable.package().with_file(path)
    assert str(path) in str(info.value)


def test_overlapping_windows_are_refused(tmp_path: Path) -> None:
    text = MICROLOAN_2023Q3.replace(
        'id = "microloan-2023q3"',
        'id = "microloan-mine"\ntitle = "x"\nnotice = "branch"\n'
        '[versions.first_quarter]\nvalue = "2023Q2"\nsource = { notice = "branch", clause = "1" }\n'
        '[versions.last_quarter]\nvalue = "2023Q3"\nsource = { notice = "branch", clause = "1" }',
    )
    with pytest.raises(PolicyFileError, match="do not overlap"):
        PolicyTable.package().with_file(_write(tmp_path, text))
