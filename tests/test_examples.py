"""The example scripts run as a user would run them."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_notebook_script_runs(capsys) -> None:
    runpy.run_path(str(EXAMPLES / "notebook.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "2022Q2 deadline: 2022-07-11" in out
    assert "transport entitlement:" in out
