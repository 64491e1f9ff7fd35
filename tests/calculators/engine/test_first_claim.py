"""A process's first claim loads no module it does not use: the per-process cost of a
first claim is what its rows need (the bar never drawn makes no tqdm, whose first one
imports ``multiprocessing`` for its lock; ``html`` is a notebook's display only)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.paths import ROOT

FIRST_CLAIM = """
import json, sys
import pandas as pd
from calculators import BorrowerList
from calculators.programs import tech
from tests.calculators.programs.test_tech_golden import ELIGIBLE, LEDGER
frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
listed = BorrowerList(ELIGIBLE)
before = set(sys.modules)
tech.claim(frame, "2022Q2", "ICBC", listed)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_a_first_claim_imports_neither_multiprocessing_nor_html() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CLAIM], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "calculators.engine.result" in loaded  # the claim's own modules, on first use
    assert not [m for m in loaded if m.split(".")[0] in ("multiprocessing", "html")]
