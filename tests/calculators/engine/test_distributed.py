"""The partitioned claim on a ``dask.distributed`` cluster of worker processes equals the
in-memory claim, loan for loan, and its summary the in-memory one.

Worker processes receive the claim's definition pickled (its program's rules, policy
versions and reference lists) and import ``calculators`` themselves; the threaded
scheduler of ``test_partitioned.py`` shares one process and never pickles anything.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from unittest import mock

import cloudpickle
import dask
import numpy as np
import pandas as pd
import pytest
from stdnum.cn import uscc

from calculators._i18n import using_language
from calculators.programs import elderly_care
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from tests.calculators.engine.test_claim_properties import ELIGIBLE, VALID
from tests.calculators.engine.test_partitioned import FIRST_LOANS, WIDENED
from tests.calculators.programs.test_tech_golden import LEDGER
from tests.calculators.programs.test_version_goldens import TECH_2025Q3_LIST

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """Two worker processes of one thread each, started once for the module."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _every_column_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert list(got.index) == list(want.index)
    for column in want.columns:
        # Dask stores the ledger's text columns as Arrow strings: same values, another
        # dtype; the computed columns keep theirs
        pd.testing.assert_series_equal(got[column], want[column], check_dtype=False)
    for column in ("principal_fen", "status", "reason", "entitlement_fen", "detail"):
        assert got[column].dtype == want[column].dtype, column


def _on_workers(client, compute):
    """``compute()`` run while recording the cluster's task stream: its result and the
    worker addresses that ran tasks."""
    with distributed.get_task_stream(client) as stream:
        result = compute()
    return result, {task["worker"] for task in stream.data}


def test_workers_are_other_processes(client) -> None:
    pids = client.run(os.getpid)
    assert len(pids) == 2
    assert os.getpid() not in pids.values()


def test_golden_ledger_on_worker_processes(client) -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    # 19 rows in chunks of 4: the two T11 rows (rows 11 and 12) fall in different partitions
    ddf = dd.from_pandas(frame, chunksize=4, sort=False)
    want = tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE)

    def run():
        result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE)
        return result, result.loans.compute()

    (result, loans), workers = _on_workers(client, run)
    assert workers and workers <= set(client.scheduler_info()["workers"])
    # the golden answer, worked by hand in tests/golden/tech_2022Q2_icbc.expected.md
    assert result.entitlement_fen == want.entitlement_fen == 60_761_161
    assert result.eligible_principal_fen == want.eligible_principal_fen == 101_268_601
    assert list(loans.loc[loans["loan_id"] == "T11", "reason"].astype(str)) == [
        "duplicate_loan_id", "duplicate_loan_id",
    ]  # fmt: skip
    _every_column_equal(loans, want.loans)


def _dirty_ledger(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of text with duplicated ids (also across partitions), bad borrower ids,
    non-positive and malformed principals, dates in and out of the claim quarters, and
    categories transport takes and refuses."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"L{i}" for i in range(n)], dtype=object)
    twins = rng.choice(n, size=n // 50, replace=False)
    ids[twins] = ids[rng.choice(n, size=len(twins))]  # some land in other partitions
    ids[rng.choice(n, size=3, replace=False)] = ""
    borrowers = np.array([*VALID, "915101005446414620", "12345"], dtype=object)
    cents = rng.integers(1, 10**9, size=n)
    principal = np.array([f"{c // 100}.{c % 100:02d}" for c in cents], dtype=object)
    principal[rng.choice(n, size=n // 100, replace=False)] = "-1.00"
    principal[rng.choice(n, size=n // 100, replace=False)] = "abc"
    day = pd.Timestamp("2022-03-15") + pd.to_timedelta(rng.integers(0, 200, size=n), "D")
    term = pd.to_timedelta(rng.choice([-3, 120, 183, 200, 400], size=n), "D")
    return pd.DataFrame(
        {
            "loan_id": ids,
            "borrower_id": rng.choice(borrowers, size=n),
            "principal": principal,
            "currency": rng.choice(np.array(["CNY", "CNY", "人民币", "USD"]), size=n),
            "disbursement_date": day.strftime("%Y-%m-%d"),
            "maturity_date": (day + term).strftime("%Y-%m-%d"),
            "borrower_category": rng.choice(
                np.array(["logistics_sme", "道路普通货物运输企业", "other", ""]), size=n
            ),
        },
        dtype=str,
    )


@pytest.mark.parametrize(
    ("claim", "partitioned", "args"),
    [
        (tech_relending.claim, tech_relending.claim_partitioned, ("2022Q2", "ICBC", ELIGIBLE)),
        (
            transport_relending.claim,
            transport_relending.claim_partitioned,
            ("2022Q3", "ABC", [VALID[0]]),
        ),
    ],
    ids=["tech", "transport"],
)
def test_dirty_ledger_on_worker_processes(client, claim, partitioned, args) -> None:
    frame = _dirty_ledger(3_000, seed=15)
    ddf = dd.from_pandas(frame, npartitions=7, sort=False)
    want = claim(frame, *args)
    # the ledger exercises every path: each status, duplicates and rounding leftovers
    assert set(want.loans["status"].astype(str)) == {"eligible", "excluded", "invalid"}
    assert (want.loans["reason"] == "duplicate_loan_id").sum() > 0

    def run():
        result = partitioned(ddf, *args)
        return result, result.loans.compute(), result.summary()

    (result, loans, summary), workers = _on_workers(client, run)
    assert len(workers) == 2  # seven partitions' tasks spread over both processes
    assert result.entitlement_fen == want.entitlement_fen
    assert result.eligible_principal_fen == want.eligible_principal_fen
    _every_column_equal(loans, want.loans)
    expected = want.summary()
    for key in ("loans_total", "loans_eligible", "loans_excluded", "loans_invalid", "reasons",
                "entitlement_fen", "policy_versions"):  # fmt: skip
        assert summary[key] == expected[key], key


def test_reference_list_is_one_node_of_the_graph() -> None:
    """A cluster sends each task its arguments: the claim's definition, with a reference
    list that may hold millions of ids, must be one node that the partitions' tasks
    depend on (fetched once per worker), not copied into each of them.

    Broken implementation caught: passing the spec itself to every partition's task, which
    puts five copies of the 5,000-id list in a five-partition graph."""
    rng = np.random.default_rng(5)
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    bodies = {"91110108" + "".join(rng.choice(alphabet, 9)) for _ in range(5_000)}
    ids = [*ELIGIBLE, *(b + uscc.calc_check_digit(b) for b in bodies)]
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    ddf = dd.from_pandas(frame, chunksize=4, sort=False)
    result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ids)
    assert result.entitlement_fen == 60_761_161  # the extra ids borrow nothing
    # 5,000 ids of 18 characters pickle to some 90 KB at the very least
    heavy = [
        key
        for key, node in dict(result.loans.__dask_graph__()).items()
        if len(cloudpickle.dumps(node)) > 90_000
    ]
    assert len(heavy) == 1, heavy


@contextlib.contextmanager
def _classified_partitions() -> Iterator[list[int]]:
    """The rows of each partition classified while the claim is made and while its
    graph's tasks run in this process (the threaded scheduler), in a list."""
    from calculators.engine import partitioned as _partitioned

    runs: list[int] = []
    assign = _partitioned._assign

    def counted(*args):
        runs.append(len(args[2]))
        return assign(*args)

    with mock.patch.object(_partitioned, "_assign", counted):
        yield runs


def test_summary_classifies_each_partition_once() -> None:
    """The summary's row counts, invalid examples and per-version totals come from one
    pass over the partitions: on a cluster each pass reads and classifies the whole
    ledger again.

    Broken implementation caught: a computation per figure (status and reason counts,
    the first invalid rows, the version totals: three passes)."""
    frame = _dirty_ledger(300, seed=3)
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)
    want = tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE)
    with _classified_partitions() as runs:
        result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE)
    runs.clear()  # the claim itself classifies once, for the empty frame's dtypes
    # the threaded scheduler (the module's cluster may still be the default one): the
    # graph's tasks call the counted function in this process
    with dask.config.set(scheduler="threads"):
        counts = result.row_counts()
        shown = result.invalid_examples()
        versions = result.version_totals()
    assert sorted(runs) == [75, 75, 75, 75]  # each of the four partitions once
    assert counts == want.row_counts()
    assert shown == want.invalid_examples() and len(shown) == 10
    assert versions == want.version_totals()


def _first_loan_frame(tmp_path) -> pd.DataFrame:
    path = tmp_path / "first.csv"
    path.write_text(FIRST_LOANS, encoding="utf-8")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_programs_own_summary_on_worker_processes(client, tmp_path) -> None:
    """The programs' own parts are made on the workers (pickled back) and combined here:
    tech's first loans as worked by hand in ``test_partitioned.py`` (3 loans, 100,004
    and 60,002 fen, 2 flags unreadable) and elderly care's warning counting 3, in the
    language of this process.

    Broken implementation caught: the warning written on the workers (in English, the
    workers' language, when this process speaks Chinese)."""
    frame = _first_loan_frame(tmp_path)
    args = ("2025Q2", "CCB", TECH_2025Q3_LIST)
    ddf = dd.from_pandas(frame, chunksize=3, sort=False)
    widened = dd.from_pandas(WIDENED, chunksize=2, sort=False)

    def run():
        first = tech_relending.claim_partitioned(ddf, *args).summary()
        pilot = elderly_care.claim_partitioned(widened, "2022Q3", "ICBC").summary()
        with using_language("zh"):
            pilot_zh = elderly_care.claim_partitioned(widened, "2022Q3", "ICBC").summary()
        return first, pilot, pilot_zh

    (first, pilot, pilot_zh), workers = _on_workers(client, run)
    assert workers and workers <= set(client.scheduler_info()["workers"])
    got = first["first_loans"]
    assert (got["loans"], got["principal_fen"], got["entitlement_fen"], got["unreadable"]) == (
        3, 100_004, 60_002, 2,
    )  # fmt: skip
    assert got == tech_relending.claim(frame, *args).summary()["first_loans"]
    assert pilot["warnings"] == elderly_care.claim(WIDENED, "2022Q3", "ICBC").summary()["warnings"]
    assert [w["code"] for w in pilot["warnings"]] == ["pilot_list_unknown"]
    assert "disbursed from 2022-09-01: 3." in pilot["warnings"][0]["message"]
    with using_language("zh"):
        chinese = elderly_care.claim(WIDENED, "2022Q3", "ICBC").summary()["warnings"]
    assert pilot_zh["warnings"] == chinese
    assert "2022-09-01" in chinese[0]["message"] and chinese != pilot["warnings"]


def test_programs_own_summary_in_the_same_pass(tmp_path) -> None:
    """Tech's first loans come from the pass that counts the rows: each partition is
    classified once for the whole summary.

    Broken implementation caught: a pass of its own for the program's entries (each
    partition classified twice)."""
    frame = _first_loan_frame(tmp_path)
    ddf = dd.from_pandas(frame, chunksize=3, sort=False)
    with _classified_partitions() as runs:
        result = tech_relending.claim_partitioned(ddf, "2025Q2", "CCB", TECH_2025Q3_LIST)
    runs.clear()
    with dask.config.set(scheduler="threads"):
        summary = result.summary()
    assert sorted(runs) == [3, 3, 3]
    assert summary["first_loans"]["loans"] == 3
