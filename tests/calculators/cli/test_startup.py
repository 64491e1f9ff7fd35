"""Commands that read no ledger load no ledger machinery: each runs in a fresh
interpreter and the modules it loaded are checked afterwards. ``import calculators``
keeps every public name, loaded on first use, and the programs their order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import calculators
from tests.paths import ROOT

LEDGER_MACHINERY = ("pandas", "pyarrow", "numba")
WEB_AND_BOOK = ("sqlalchemy", "fastapi", "uvicorn", "starlette")

BOOK_COMMANDS = (
    "record", "drawdown", "extend", "repay", "clawback", "show", "schedule", "verify",
    "check", "quota",
)  # fmt: skip


def _loaded_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter importing relend from this tree; return what
    it printed last (JSON): by default the heavy modules loaded."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.pop("LANGUAGE", None)
    program = (
        textwrap.dedent(
            """
        import contextlib, io, json, sys
        from calculators.cli import main
        statuses = []
        def run(*argv):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                statuses.append(main(list(argv)))
        """
        )
        + textwrap.dedent(code)
        + textwrap.dedent(
            """
        heavy = sorted({m.split(".")[0] for m, v in sys.modules.items() if v} & set(HEAVY))
        print(json.dumps({"heavy": heavy, "statuses": statuses}))
        """
        )
    )
    heavy = f"HEAVY = {list(LEDGER_MACHINERY + WEB_AND_BOOK)!r}\n"
    done = subprocess.run(
        [sys.executable, "-c", heavy + program],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["deadline", "2022Q2"], 0),
        (["deadline", "2026Q3", "--calendar", "sse", "--json"], 0),
        (["policy", "list"], 0),
        (["policy", "show", "equipment"], 0),
        (["policy", "show", "tech", "--lang", "zh"], 0),
        (
            [
                "facility",
                "tech",
                "--amount",
                "600,000.00",
                "--drawdown",
                "2022-07-15",
                "--extensions",
                "2",
            ],
            0,
        ),
        (["facility", "tech", "--amount", "-1", "--drawdown", "2022-07-15"], 2),
        (
            [
                "incentive",
                "--quarter",
                "2022Q2",
                "--previous-balance",
                "100,000,000.00",
                "--current-balance",
                "123,456,789.01",
                "--json",
            ],
            0,
        ),
        (["--help"], 0),
        (["--version"], 0),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_a_command_that_reads_no_ledger_loads_no_ledger_machinery(argv, status) -> None:
    # a run that loaded pandas or pyarrow would take 0.5 s more before it answered
    seen = _loaded_after(f"run(*{argv!r})")
    assert seen == {"heavy": [], "statuses": [status]}


def test_every_subcommands_help_loads_no_ledger_machinery() -> None:
    from calculators.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    commands = [[name] for name in sub.choices]
    commands += [["policy", "list"], ["policy", "show"]]
    commands += [["book", name] for name in BOOK_COMMANDS]
    assert {"claim", "audit", "npl", "book", "serve", "deadline"} <= {c[0] for c in commands}
    calls = "".join(f"run(*{[*c, '--help']!r})\n" for c in commands)
    seen = _loaded_after(calls)
    assert seen == {"heavy": [], "statuses": [0] * len(commands)}


def test_serve_reaches_its_handler_without_the_ledger_machinery() -> None:
    # uvicorn made unimportable: the handler refuses to start (exit 2) at the point it
    # would load the web stack; what the parser and the handler loaded until then shows
    seen = _loaded_after(
        """
        sys.modules["uvicorn"] = None
        run("serve", "--no-browser", "--port", "8765")
        """
    )
    assert seen == {"heavy": [], "statuses": [2]}


def test_the_output_formats_are_read_without_their_writers() -> None:
    # the command line may list the formats (their files, their options) before it knows
    # whether it writes any: their writers, and XlsxWriter, load when a file is written
    seen = _loaded_after(
        """
        HEAVY.append("xlsxwriter")
        from calculators.reports.formats import FILE_NAMES, FORMATS
        statuses.append([output.off for output in FORMATS])
        statuses.append(len(FILE_NAMES))
        """
    )
    assert seen == {"heavy": [], "statuses": [[None, "--no-xlsx"], 8]}


ORDER = [
    "carbon", "housing", "tech", "transport", "coal", "elderly_care", "equipment",
    "buyback", "consumption",
]  # fmt: skip
# worked out from the registration order: the common codes, then each program's own
CODES = [
    "eligible", "non_cny", "before_policy_start", "after_policy_end", "outside_period",
    "term_under_minimum", "invalid_loan_id", "duplicate_loan_id", "invalid_borrower_id",
    "invalid_principal", "invalid_date", "maturity_not_after_disbursement",
    "already_claimed", "carbon_field_not_eligible", "borrower_not_designated",
    "borrower_not_eligible", "category_not_eligible", "borrower_dishonest",
    "province_not_in_pilot", "invalid_loan_rate", "loan_rate_above_cap",
    "borrower_is_individual", "borrower_kind_not_eligible", "term_above_maximum",
    "service_field_not_eligible",
]  # fmt: skip


def test_the_claim_help_lists_every_program_in_registration_order() -> None:
    seen = _loaded_after(
        """
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            statuses.append(main(["claim", "--help"]))
        statuses.append(" ".join(out.getvalue().split()))
        """
    )
    assert seen["heavy"] == []
    status, text = seen["statuses"]
    assert status == 0
    assert "{" + ",".join(ORDER) + "}" in text


@pytest.mark.parametrize(
    "first",
    [
        "from calculators import registered; registered()",
        "import calculators.programs.consumption",
        "import calculators.programs.equipment",
        "from calculators import reason_codes; reason_codes()",
        "from calculators.cli import build_parser; build_parser()",
        "from calculators import Program, register; register(Program('toy', 'toy', 'toy'))",
    ],
)
def test_the_programs_register_in_their_fixed_order_however_first_asked(first) -> None:
    seen = _loaded_after(
        first
        + "\nfrom calculators.engine.program import registered"
        + "\nfrom calculators import reason_codes"
        + "\nstatuses.extend([list(registered()), list(reason_codes())])"
    )
    programs, codes = seen["statuses"]
    toy = ["toy"] if "toy" in first else []
    assert programs == ORDER + toy  # a program of one's own after relend's
    assert codes == CODES


def test_every_exported_name_resolves_and_imports_in_a_fresh_interpreter() -> None:
    seen = _loaded_after(
        """
        import calculators
        for name in calculators.__all__:
            namespace = {}
            exec(f"from calculators import {name}", namespace)
            same = namespace[name] is getattr(calculators, name)
            statuses.append([name, same, getattr(namespace[name], "__module__", None)])
        statuses.append(sorted(set(calculators.__all__) - set(dir(calculators))))
        try:
            calculators.no_such_name
        except AttributeError as exc:
            statuses.append(str(exc))
        """
    )
    *names, missing_from_dir, error = seen["statuses"]
    assert [n for n, _, _ in names] == calculators.__all__
    assert all(same for _, same, _ in names)
    # public classes and functions show under the package, as before
    modules = {n: m for n, _, m in names}
    for name in ("ParameterError", "claim", "ClaimResult", "round_half_up", "Program"):
        assert modules[name] == "calculators", name
    assert modules["Book"] == "calculators.book"  # as it always was
    assert modules["programs"] is None  # a package
    assert missing_from_dir == []
    assert error == "module 'calculators' has no attribute 'no_such_name'"


def test_the_moved_helpers_are_importable_from_their_old_module() -> None:
    from calculators import _money, _version
    from calculators.engine import result as _result

    assert _result.relend_version is _version.relend_version
    assert _result.decimal_text is _money.decimal_text
    assert _result.percent_text is _money.percent_text


def test_the_command_line_announces_a_split_workbook_at_the_writers_limit() -> None:
    from calculators.cli import options as cli_options
    from calculators.reports import xlsx_file

    assert cli_options.EXCEL_MAX_ROWS == xlsx_file.EXCEL_MAX_ROWS == 1_048_576 - 3
