"""The service-consumption and elderly-care relending (consumption), on a hand-worked
golden ledger.

``consumption_2025Q3_njcb.expected.md`` works every figure out by hand (never by calling
relend): 100% of 440,123,481 fen; every field (the four the notice names, the two of a
summary, carried as assumptions), a field outside the list (汽车销售), 健康 (left to a
policy file), a blank field; a lender of the five city banks (南京银行).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from calculators.cli import main
from tests.paths import EXAMPLES, GOLDEN

from .goldens import GoldenClaim

LEDGER = GOLDEN / "consumption_2025Q3_njcb.csv"


class TestConsumptionGolden(GoldenClaim):
    program = "consumption"
    ledger = LEDGER
    period = "2025Q3"
    lender = "南京银行"
    lender_typed = "NJCB"
    status = 0
    workbook = True
    eligible_principal_fen = 440_123_481
    entitlement_fen = 440_123_481
    loans = (7, 5, 0)
    reasons: ClassVar = {"service_field_not_eligible": 3}
    policy = "consumption-2025"
    deadline = "2025-10-10"
    ratio = "1"
    details: ClassVar = {
        "C07": "service_field='健康'",
        "C08": "service_field='汽车销售'",
        "C09": "service_field=''",
    }

    def check_summary(self, summary: Mapping[str, Any]) -> None:
        super().check_summary(summary)
        assert summary["lender"] == "NJCB"
        categories = summary["sources_by_version"]["consumption-2025"]["categories"]
        assert categories["assumption"] is True


@pytest.mark.parametrize("lender", ["BOB", "上海银行", "江苏银行", "NJCB", "宁波银行", "ICBC"])
def test_the_26_lenders(capsys, lender) -> None:
    argv = ["claim", "consumption", str(LEDGER), "--quarter", "2025Q3", "--lender", lender]
    assert main(argv) == 0
    capsys.readouterr()


def test_a_lender_outside_the_26_is_refused(capsys) -> None:
    argv = ["claim", "consumption", str(LEDGER), "--quarter", "2025Q3", "--lender", "上饶银行"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "上饶银行" in err[0] and "NBCB" in err[0], err


def test_the_window(capsys) -> None:
    # 2025-05-09 (the notice's day, an assumption) to the end of 2027
    for quarter in ("2025Q1", "2028Q1"):
        argv = ["claim", "consumption", str(LEDGER), "--quarter", quarter, "--lender", "BOB"]
        assert main(argv) == 2
        assert "2025-05-09 to 2027-12-31" in capsys.readouterr().err


def test_health_can_be_added_by_a_policy_file(tmp_path, capsys) -> None:
    # C07 (健康, 40,000,000 fen) joins: 440,123,481 + 40,000,000 = 480,123,481
    policy = tmp_path / "health.toml"
    policy.write_text(
        """schema = 1
[program]
id = "consumption"
[[versions]]
id = "consumption-2025"
[versions.categories]
value = ["accommodation_catering", "culture_sports_entertainment", "education",
         "elderly_care", "residential_services", "tourism", "health"]
source = { notice = "consumption2025", clause = "health added by the branch's notice" }
""",
        encoding="utf-8",
    )
    argv = ["claim", "consumption", str(LEDGER), "--quarter", "2025Q3", "--lender", "BOB",
            "--policy", str(policy), "--json"]  # fmt: skip
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["entitlement_fen"] == 480_123_481


# 1,000,000.00 yuan = 100,000,000 fen, one year, ACT/360:
#   2025-07-10 -> 2026-07-10 (Fri), 365 days at 1.5%: 1,500,000 x 365/360 = 1,520,833.33
#       -> 1,520,833
#   2026-04-10 -> 2027-04-12 (2027-04-10 is a Saturday), 367 days at 1.25% (class cut,
#       inferred): 1,250,000 x 367/360 = 1,274,305.56 -> 1,274,306
@pytest.mark.parametrize(
    ("drawdown", "rate", "end", "fen"),
    [("2025-07-10", "0.015", "2026-07-10", 1_520_833),
     ("2026-04-10", "0.0125", "2027-04-12", 1_274_306)],
)  # fmt: skip
def test_facility(capsys, drawdown, rate, end, fen) -> None:
    argv = ["facility", "consumption", "--amount", "1,000,000.00", "--drawdown", drawdown,
            "--json"]  # fmt: skip
    assert main(argv) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["rate"], s["maturity"], s["interest_fen"], s["max_extensions"]) == (
        rate, end, fen, 2,
    )  # fmt: skip


def test_the_example_claim(capsys) -> None:
    # examples/consumption_ledger.csv (header 服务消费领域): 100% of 20,000,000.00 +
    # 5,000,000.00 yuan = 2,500,000,000 fen; one loan in a field outside the list
    argv = ["claim", "consumption", str(EXAMPLES / "consumption_ledger.csv"), "--quarter",
            "2025Q4", "--lender", "江苏银行", "--json"]  # fmt: skip
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["entitlement_fen"], out["reasons"]["service_field_not_eligible"]) == (
        2_500_000_000, 1,
    )  # fmt: skip
