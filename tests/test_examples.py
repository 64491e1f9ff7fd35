"""The example scripts run as a user would run them."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


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
    # worked out in tests/calculators/test_transport.py
    assert "transport entitlement: 48,324,581.28 yuan, apply by 2022-10-10" in out
