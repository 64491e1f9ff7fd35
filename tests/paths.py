"""The folders the tests read: the repository, its hand-worked golden ledgers, its example
ledgers and the shipped policy files."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = ROOT / "examples"
POLICIES = ROOT / "calculators" / "policies"
