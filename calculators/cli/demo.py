"""``relend demo``: a claim on the bundled example ledger."""

from __future__ import annotations

import argparse
from importlib import resources
from typing import Any

from .._i18n import cli_
from .claim import _report_claim
from .options import _check_out
from .text import EXIT_OK

DEMO_PROGRAM = "tech"
"""The program of the bundled example ledger (``calculators/data/demo_tech_*.csv``)."""


def run(args: argparse.Namespace) -> int:
    """Run the example claim and report it; return the exit status."""
    from ..engine.claim import claim

    _check_out(args)
    data = resources.files("calculators.data")
    with (
        resources.as_file(data / "demo_tech_ledger.csv") as ledger,
        resources.as_file(data / "demo_tech_eligible.csv") as eligible,
    ):
        result = claim(DEMO_PROGRAM, ledger, "2022Q2", "ICBC", eligible_borrowers=eligible)
    print(cli_("relend demo: tech-innovation relending claim on the bundled example ledger"))
    print(
        cli_("  ledger: {name} (made-up firms; a few rows are wrong on purpose)").format(
            name=ledger.name
        )
        + "\n"
    )
    args.json = False
    _report_claim(result, args)
    print(
        "\n"
        + cli_(
            "next: relend claim tech YOUR_LEDGER.csv --quarter 2022Q2 --lender ICBC "
            "--eligible-borrowers LIST.csv --out DIR"
        )
    )
    return EXIT_OK


def add(sub: Any) -> None:
    """Add ``demo`` to ``relend``'s subparsers ``sub``."""
    demo = sub.add_parser("demo", help=cli_("run a claim on the bundled example ledger"))
    demo.add_argument(
        "--out", default="relend-demo", metavar=cli_("OUT"), help=cli_("folder for the reports")
    )
    demo.set_defaults(handler=run)
