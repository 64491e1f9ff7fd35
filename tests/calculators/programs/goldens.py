"""Reading the hand-worked golden ledgers of tests/golden, checking a claim's rows against
them, and the golden claim every program's tests share: :class:`GoldenClaim`."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

from calculators import REASON_ALIASES
from calculators.cli import main


def read_golden(path: Path) -> pd.DataFrame:
    """A golden ledger with every cell as text, as written by hand."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_rows_match(loans: pd.DataFrame, golden: pd.DataFrame) -> None:
    """Every row, in ledger order: loan id, reason, policy version and entitlement.

    The policy version is compared where the golden gives one: the first goldens
    (``tech_2022Q2_icbc``, ``transport_2022Q3_abc``) were written before policy versions
    and have no ``expected_policy_version`` column.
    """
    assert list(loans["loan_id"].astype(str)) == list(golden["loan_id"])
    assert [str(r) for r in loans["reason"]] == list(golden["expected_reason"])
    if "expected_policy_version" in golden:
        versions = loans["policy_version"].astype(object).fillna("").astype(str)
        assert list(versions) == list(golden["expected_policy_version"])
    assert [int(x) for x in loans["entitlement_fen"]] == [
        int(x) for x in golden["expected_entitlement_fen"]
    ]


class GoldenClaim:
    """One claim on a hand-worked golden ledger, through the API and through ``relend claim
    ... --json --out DIR``: every row against the golden file, and the summary (printed and
    written) against the figures worked out by hand in the ledger's ``*.expected.md``.

    Each golden is a subclass named ``Test...Golden`` giving the claim and its expected
    figures as class attributes, written out by hand (never computed by calling relend);
    an expected figure left ``None`` (or a mapping left empty) is not checked. A golden
    that checks more extends :meth:`check_summary` or :meth:`check_loans`. The base is no
    test of its own: pytest collects only classes named ``Test...``.
    """

    program: ClassVar[str]
    """The program as ``relend claim`` names it, and its module in ``calculators.programs``."""
    ledger: ClassVar[Path]
    period: ClassVar[str]
    period_option: ClassVar[str] = "--quarter"
    """The option that gives the period on the command line (``--period`` is its alias)."""
    lender: ClassVar[str]
    """The lender as the API is given it."""
    lender_typed: ClassVar[str]
    """The lender as a clerk types it on the command line (a Chinese name, a code)."""
    lists: ClassVar[Mapping[str, Path | Sequence[str]]] = {}
    """The reference lists by name, each a file or the ids themselves (written to a file for
    the command line, whose option is the name with dashes)."""
    status: ClassVar[int]
    """The command's exit status: 0 done, 3 done with invalid rows."""
    workbook: ClassVar[bool] = False
    """Whether the command writes ``claim.xlsx`` too (else it is given ``--no-xlsx``)."""

    eligible_principal_fen: ClassVar[int]
    entitlement_fen: ClassVar[int]
    entitlement_yuan: ClassVar[str | None] = None
    loans: ClassVar[tuple[int, int, int]]
    """The loans eligible, excluded and invalid."""
    loans_total: ClassVar[int | None] = None
    reasons: ClassVar[Mapping[str, int]] = {}
    """The loans of some reasons, by reason code."""
    policy: ClassVar[str | None] = None
    versions: ClassVar[Mapping[str, tuple[int, int, int]] | None] = None
    """Per policy version: the loans eligible, their principal and their entitlement."""
    deadline: ClassVar[str | None] = None
    ratio: ClassVar[str | None] = None
    details: ClassVar[Mapping[str, str]] = {}
    """The ``detail`` of some loans, by loan id."""

    def golden(self) -> pd.DataFrame:
        """The golden ledger, its reason codes as spelled now (a golden written with an old
        spelling reads through ``REASON_ALIASES``)."""
        golden = read_golden(self.ledger)
        golden["expected_reason"] = [REASON_ALIASES.get(c, c) for c in golden["expected_reason"]]
        return golden

    def check_summary(self, summary: Mapping[str, Any]) -> None:
        """The claim's totals, counts, policy, deadline and ratio."""
        assert summary["eligible_principal_fen"] == self.eligible_principal_fen
        assert summary["entitlement_fen"] == self.entitlement_fen
        if self.entitlement_yuan is not None:
            assert summary["entitlement_yuan"] == self.entitlement_yuan
        counts = (summary["loans_eligible"], summary["loans_excluded"], summary["loans_invalid"])
        assert counts == self.loans
        if self.loans_total is not None:
            assert summary["loans_total"] == self.loans_total
        assert {r: summary["reasons"].get(r) for r in self.reasons} == dict(self.reasons)
        if self.policy is not None:
            assert summary["policy"] == self.policy
        if self.versions is not None:
            by_version = {
                v["version"]: (
                    v["loans_eligible"],
                    v["eligible_principal_fen"],
                    v["entitlement_fen"],
                )
                for v in summary["policy_versions"]
            }
            assert by_version == dict(self.versions)
        if self.deadline is not None:
            assert summary["deadline"] == self.deadline
        if self.ratio is not None:
            assert summary["ratio"] == self.ratio

    def check_loans(self, loans: pd.DataFrame) -> None:
        """Every row against the golden, and the details given."""
        assert_rows_match(loans, self.golden())
        if self.details:
            detail = dict(zip(loans["loan_id"], loans["detail"], strict=True))
            assert {i: detail[i] for i in self.details} == dict(self.details)

    def test_golden_file_adds_up(self) -> None:
        """The golden's entitlement column adds up to the total worked out by hand."""
        golden = self.golden()
        assert sum(int(x) for x in golden["expected_entitlement_fen"]) == self.entitlement_fen

    def test_golden_api(self) -> None:
        module = importlib.import_module(f"calculators.programs.{self.program}")
        result = module.claim(self.ledger, self.period, self.lender, **self.lists)
        assert result.eligible_principal_fen == self.eligible_principal_fen
        assert result.entitlement_fen == self.entitlement_fen
        self.check_loans(result.loans)
        self.check_summary(result.summary())

    def test_golden_cli(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        out = tmp_path / "out"
        argv = ["claim", self.program, str(self.ledger), self.period_option, self.period,
                "--lender", self.lender_typed]  # fmt: skip
        for name, given in self.lists.items():
            if not isinstance(given, Path):
                path = tmp_path / f"{name}.txt"
                path.write_text("".join(f"{x}\n" for x in given), encoding="utf-8")
                given = path
            argv += [f"--{name.replace('_', '-')}", str(given)]
        argv += ["--json", "--out", str(out)]
        if not self.workbook:
            argv.append("--no-xlsx")
        assert main(argv) == self.status
        printed = json.loads(capsys.readouterr().out)
        assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == printed
        self.check_summary(printed)
        loans = pd.read_csv(
            out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        self.check_loans(loans)
        assert (out / "claim.xlsx").exists() == self.workbook
