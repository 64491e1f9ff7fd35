"""A notebook-style walk through relend's Python API, on the example ledgers.

Run it from anywhere: ``python examples/notebook.py``.
"""

from __future__ import annotations

from pathlib import Path

from calculators.programs import tech as tech_program
from calculators.programs import transport as transport_program
from calendars import Quarter, deadline_for, get_calendar

HERE = Path(__file__).parent

# When is the 2022Q2 claim due? The 10th of July 2022 was a Sunday.
print("2022Q2 deadline:", deadline_for("2022Q2").date)
print(
    "2020-10-10 (a Saturday) is a working day:",
    get_calendar("prc").is_business_day(Quarter(2020, 4).start.replace(day=10)),
)

# Tech-innovation relending: 60% of eligible principal.
tech = tech_program.claim(
    HERE / "tech_ledger.csv", quarter="2022Q2", lender="工商银行",
    eligible_borrowers=HERE / "tech_eligible.csv",
)  # fmt: skip
print("tech entitlement (fen):", tech.entitlement_fen)
print(tech.loans.groupby("reason", observed=True).size())

# Transport-logistics relending: 100% of eligible principal, GB18030 ledger.
transport = transport_program.claim(
    HERE / "transport_ledger_gb18030.csv", quarter="2022Q3", lender="ABC",
    dishonest=HERE / "dishonest.txt",
)  # fmt: skip
summary = transport.summary()
print("transport entitlement:", summary["entitlement_yuan"], "yuan, apply by", summary["deadline"])

# Every input row is in the per-loan output, and the per-loan amounts add up to the total.
assert len(transport.loans) == 31
assert int(tech.loans["entitlement_fen"].sum()) == tech.entitlement_fen
