"""Inclusive elderly-care relending (普惠养老专项再贷款): the quarterly claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and on
or after 2022-04-01, and its borrower is registered in one of the pilot provinces. The
claim is 100% of eligible principal (等额).

The borrower's province is read from the borrower id, the only place a ledger carries
it:

- an 18-character unified social credit code (GB 32100-2015) holds the registration
  authority's 6-digit administrative division code at characters 3-8;
- a resident identity number (GB 11643-1999) holds the division code of the place of
  registration at characters 1-6;

and the province is the first two digits of that division code (33 浙江, 32 江苏, ...).
An id that passes the credit-code check is read as a credit code (the order in which
:mod:`calculators.columnar.ids` checks the two kinds). A borrower outside the pilot provinces
is ``province_not_in_pilot``; the row's detail names the id (``borrower_id='...'``).

Notes
-----
人民银行、发展改革委 开展普惠养老专项再贷款试点 (announcement of 2022-04-29; the
figures and their sources are in ``calculators/policies/elderly_care.toml``):

- quota 400亿, rate 1.75%, 1 year, extendable twice (可展期两次), relending equal to the
  principal of compliant loans (按照...贷款本金等额提供资金支持);
- 7 pilot lenders: CDB, EXIM, ICBC, ABC, BOC, CCB, BOCOM;
- loans from 2022-04-01, applied for in the first month of the next quarter
  ("先贷后借", issued quarterly);
- pilot in 5 provinces: 浙江, 江苏, 河南, 河北, 江西. The names were read only in
  reprints and translations of the announcement (grade S), so the policy file marks
  the figure ``provinces`` as an assumption.

The pilot was widened after 2022-09-01 (扩大试点范围, State Council briefing) to
provinces no source names: the five are kept, and a claim with loans from that day
excluded as outside them carries the warning ``pilot_list_unknown`` (the wider list
can be given in a policy file, figure ``provinces``). The rate cuts of 2025-05-07
(1.5%) and 2026-01-19 (1.25%) of the special structural tools apply, by drawdown date;
no announcement names this tool, so its membership of the class is an inference.

Not checked (no column or list carries them): that the borrower is an inclusive
elderly-care institution and has published its commitment on 信用中国.

The figure ``provinces`` is read from the policy version covering the loan (see
:func:`calculators.policy.table.own_figure`): the package's policy file, or a user policy
file's version (``--policy FILE``) that lists its own provinces, which then decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._i18n import Label, _
from ..engine.codes import reason_index
from ..engine.entry import bind
from ..engine.program import (
    ClaimRows,
    ExclusionRule,
    OwnFigure,
    Program,
    RowsHook,
    RuleInput,
    register,
)
from ..policy.model import PolicyRow
from ..policy.table import own_figure

if TYPE_CHECKING:
    from ..policy.model import Figure


__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]


def pilot_provinces(row: PolicyRow) -> tuple[str, ...]:
    """The pilot provinces of ``row``'s version, as 2-digit division codes."""
    return tuple(own_figure(row, "provinces").value)


def _outside_the_pilot(given: RuleInput) -> np.ndarray:
    """Borrowers registered outside the pilot provinces of the version covering the loan."""
    from ..columnar.ids import province_codes

    codes = province_codes(given.columns.frame["borrower_id"])
    inside = np.zeros(len(codes), dtype=bool)
    for k, row in enumerate(given.versions):
        mine = (given.version == k) & given.open_rows
        if mine.any():
            pilot = np.array([int(p) for p in pilot_provinces(row)], dtype=np.int16)
            inside[mine] = np.isin(codes[mine], pilot)
    return ~inside


def _widened(versions: tuple[PolicyRow, ...]) -> list[Figure[Any]]:
    """The figures ``pilot_widened`` of the versions that have one."""
    return [r.others["pilot_widened"] for r in versions if "pilot_widened" in r.others]


def _outside_since_widening(rows: ClaimRows) -> int:
    """How many of ``rows`` were excluded as outside the pilot provinces and disbursed on
    or after the day the pilot was widened (``pilot_widened``).

    Notes
    -----
    Only the excluded rows' dates are read again (few, and already valid).
    """
    from ..columnar.dates import epoch_days, parse_dates
    from ..readers.columns import canonical_columns

    outside = np.flatnonzero(rows.codes == reason_index("province_not_in_pilot"))
    widened = _widened(rows.versions)
    if not len(outside) or not widened:
        return 0
    since = min(f.value for f in widened)
    picked = canonical_columns(rows.frame.iloc[outside], ("disbursement_date",))
    days, ok = parse_dates(picked["disbursement_date"])
    return int(np.count_nonzero(ok & (days >= epoch_days(since))))


def _widened_pilot(
    versions: tuple[PolicyRow, ...], counts: Sequence[int]
) -> tuple[dict[str, str], ...]:
    """The warning ``pilot_list_unknown`` when loans disbursed on or after the day the
    pilot was widened were excluded as outside the pilot provinces (``counts``: how many
    in each part of the ledger): the wider list is in no source, so those loans may be
    eligible."""
    count = sum(counts)
    widened = _widened(versions)
    if not count or not widened:
        return ()
    since = min(f.value for f in widened)
    figure = widened[0]
    source = figure.citation.notice.shown("title") if figure.citation else figure.source
    return (
        {
            "code": "pilot_list_unknown",
            "message": _(
                "loans excluded as outside the five pilot provinces and disbursed from "
                "{day}: {count}. The pilot was widened after that day to provinces no source "
                "names ({source}): those loans may be eligible, and the wider list can be "
                "given in a policy file (--policy FILE, figure provinces)"
            ).format(count=count, day=since.isoformat(), source=source),
        },
    )


PROGRAM = register(
    Program(
        id="elderly_care",
        name_zh="普惠养老专项再贷款",
        name_en="inclusive elderly-care relending",
        own_figures=(
            OwnFigure("provinces", "codes", Label("试点省份", "pilot provinces")),
            OwnFigure("pilot_widened", "date", Label("试点范围扩大日", "pilot widened after")),
        ),
        rules=(
            ExclusionRule(
                "province_not_in_pilot",
                _outside_the_pilot,
                column="borrower_id",
                label=Label("借款人不在试点省份", "borrower not in a pilot province"),
            ),
        ),
        warn=RowsHook(_outside_since_widening, _widened_pilot),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)


def __getattr__(name: str) -> object:
    # province_codes moved to calculators.columnar.ids (which reads columns: loaded on first use)
    if name == "province_codes":
        from ..columnar.ids import province_codes

        return province_codes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
