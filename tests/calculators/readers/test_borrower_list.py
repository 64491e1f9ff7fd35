"""A borrower list built once (validated and hashed once) and reused across claims."""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pandas as pd
import pytest

import calculators
from calculators import BorrowerList, LedgerFileError
from calculators.columnar.ids import IdSet
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from calculators.tools import audit
from tests.calculators.programs.test_tech_golden import ELIGIBLE, LEDGER
from tests.calculators.programs.test_transport import _ledger as transport_ledger
from tests.calculators.tools.test_audit import SUBMITTED

A, B, C = ELIGIBLE


@pytest.fixture
def eligible_file(tmp_path):
    path = tmp_path / "eligible.csv"
    path.write_text("borrower_id,borrower_name\n" + "".join(f"{x},firm\n" for x in ELIGIBLE))
    return path


def _same(
    first: calculators.ClaimResult, second: calculators.ClaimResult, *, from_file: bool = True
) -> None:
    pd.testing.assert_frame_equal(first.loans, second.loans)
    if from_file:
        assert first.summary() == second.summary()
    else:  # the same claim, but ids given in Python name no file
        assert {**first.summary(), "list_files": None} == {**second.summary(), "list_files": None}
        assert second.summary()["list_files"] == {"eligible_borrowers": None}


def test_the_summary_names_each_list_file_and_its_digest(eligible_file) -> None:
    # the eligible list decides which loans are claimed: the evidence names it, by path
    # or by BorrowerList alike (digest computed here, from the file's bytes)
    digest = hashlib.sha256(eligible_file.read_bytes()).hexdigest()
    for given in (eligible_file, str(eligible_file), BorrowerList(eligible_file)):
        summary = tech_relending.claim(LEDGER, "2022Q2", "ICBC", given).summary()
        assert summary["list_files"] == {
            "eligible_borrowers": {"file": str(eligible_file), "sha256": digest}
        }


def test_list_value_gives_the_claim_of_the_file(eligible_file) -> None:
    by_file = tech_relending.claim(LEDGER, "2022Q2", "ICBC", eligible_file)
    listed = BorrowerList(eligible_file)
    by_value = tech_relending.claim(LEDGER, "2022Q2", "ICBC", listed)
    _same(by_file, by_value)
    # the golden figure (test_tech_golden): round_half_up(0.6 x 101,268,601) = 60,761,161
    assert by_value.entitlement_fen == 60_761_161
    assert by_value.summary()["lists"] == {"eligible_borrowers": 3}
    _same(by_file, calculators.claim("tech", LEDGER, "2022Q2", "ICBC", eligible_borrowers=listed))


def test_list_value_from_ids_array_and_series(eligible_file) -> None:
    by_file = tech_relending.claim(LEDGER, "2022Q2", "ICBC", eligible_file)
    for ids in (ELIGIBLE, np.array(ELIGIBLE, dtype=object), pd.Series(ELIGIBLE), iter(ELIGIBLE)):
        _same(
            by_file,
            tech_relending.claim(LEDGER, "2022Q2", "ICBC", BorrowerList(ids)),
            from_file=False,
        )


def test_optional_list_value_and_its_screening(tmp_path) -> None:
    # dishonest B: J2 (B) is before the window anyway; J5 (B, 2.00 yuan) is dishonest
    path = tmp_path / "dishonest.txt"
    path.write_text(f"{B}\n")
    by_file = transport_relending.claim(transport_ledger(), "2022Q2", "ABC", dishonest=path)
    by_value = transport_relending.claim(
        transport_ledger(), "2022Q2", "ABC", dishonest=BorrowerList(path)
    )
    _same(by_file, by_value)
    assert by_value.summary()["screening"] == {"dishonest": "screened"}
    assert by_value.loans["reason"].astype(str).tolist()[4] == "borrower_dishonest"


def test_one_value_reused_across_two_periods() -> None:
    # Q2: 1,000.00 yuan x 0.6 = 600.00 yuan = 60,000 fen;
    # Q3: 333.33 yuan = 33,333 fen x 0.6 = 19,999.8 -> 20,000 fen (half up, once)
    ledger = pd.DataFrame(
        {
            "loan_id": ["Q2", "Q3", "Q3-C"],
            "borrower_id": [A, B, C],
            "principal": ["1,000.00", "333.33", "5.00"],
            "disbursement_date": ["2022-05-10", "2022-08-01", "2022-08-02"],
            "maturity_date": ["2023-05-10", "2023-08-01", "2023-08-02"],
        }
    )
    listed = BorrowerList([A, B])
    q2 = tech_relending.claim(ledger, "2022Q2", "ICBC", listed)
    q3 = tech_relending.claim(ledger, "2022Q3", "ICBC", listed)
    assert q2.entitlement_fen == 60_000
    assert q3.entitlement_fen == 20_000
    assert q3.loans["reason"].astype(str).tolist() == [
        "outside_period", "eligible", "borrower_not_eligible",
    ]  # fmt: skip
    _same(q2, tech_relending.claim(ledger, "2022Q2", "ICBC", [A, B]))
    _same(q3, tech_relending.claim(ledger, "2022Q3", "ICBC", [A, B]))


def test_ids_are_validated_and_hashed_once(monkeypatch, eligible_file) -> None:
    """A value that kept the path or the ids and read them again on every claim (or that
    the claim engine did not recognize and read as an iterable of ids) builds the id
    set once per claim: the count would be 1 + the claims, not 1."""
    built = []
    original = IdSet.of.__func__

    def counting(cls, column, text):
        built.append(len(column.ok))
        return original(cls, column, text)

    monkeypatch.setattr(IdSet, "of", classmethod(counting))
    listed = BorrowerList(eligible_file)
    assert built == [3]
    tech_relending.claim(LEDGER, "2022Q2", "ICBC", listed)
    tech_relending.claim(LEDGER, "2022Q3", "ICBC", listed)
    calculators.claim("tech", LEDGER, "2022Q2", "ICBC", eligible_borrowers=listed)
    audit.audit("tech", LEDGER, SUBMITTED, "2022Q2", "ICBC", eligible_borrowers=listed)
    assert built == [3]
    tech_relending.claim(LEDGER, "2022Q2", "ICBC", eligible_file)  # a path: read each time
    assert built == [3, 3]


def test_audit_with_list_value(eligible_file) -> None:
    by_file = audit.audit(
        "tech", LEDGER, SUBMITTED, "2022Q2", "ICBC", eligible_borrowers=eligible_file
    )
    by_value = audit.audit(
        "tech", LEDGER, SUBMITTED, "2022Q2", "ICBC", eligible_borrowers=BorrowerList(eligible_file)
    )
    pd.testing.assert_frame_equal(by_file.loans, by_value.loans)
    assert by_file.summary() == by_value.summary()
    assert by_value.summary()["recomputed_fen"] == 60_761_161  # test_audit's hand figure


def test_claim_spec_and_partitioned_with_list_value(eligible_file) -> None:
    dd = pytest.importorskip("dask.dataframe")
    listed = BorrowerList(eligible_file)
    spec = tech_relending.claim_spec("2022Q2", "ICBC", listed)
    assert len(spec.lists["eligible_borrowers"]) == 3
    ledger = dd.from_pandas(pd.read_csv(LEDGER, dtype=str, keep_default_na=False), npartitions=3)
    by_value = tech_relending.claim_partitioned(ledger, "2022Q2", "ICBC", listed)
    assert by_value.entitlement_fen == 60_761_161


def test_bad_id_names_the_file_line_and_id_as_before(tmp_path) -> None:
    path = tmp_path / "eligible.csv"
    # line 3 (header line 1): the last character should be 3 (test_ids: ...5813)
    path.write_text(f"borrower_id\n{A}\n911101085011945814\n")
    with pytest.raises(LedgerFileError) as by_file:
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", path)
    with pytest.raises(LedgerFileError) as by_value:
        BorrowerList(path, what="eligible-borrowers")
    assert str(by_value.value) == str(by_file.value)
    assert f"{path}, line 3" in str(by_value.value)
    assert "911101085011945814" in str(by_value.value)
    with pytest.raises(LedgerFileError, match=r"^borrowers='bad' .*item 2 of the borrowers list"):
        BorrowerList([A, "bad"])


def test_empty_list_refused_as_before_where_an_id_is_required(tmp_path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("borrower_id\n")
    listed = BorrowerList(path)
    assert len(listed) == 0
    with pytest.raises(LedgerFileError) as by_file:
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", path)
    with pytest.raises(LedgerFileError) as by_value:
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", listed)
    assert str(by_value.value) == str(by_file.value)
    assert "at least one borrower id" in str(by_value.value)
    with pytest.raises(LedgerFileError) as from_ids:
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", BorrowerList([]))
    assert from_ids.value.value == []  # as an empty iterable gives today
    # an optional list may be empty: the warning, as with the file
    warned = transport_relending.claim(transport_ledger(), "2022Q2", "ABC", dishonest=listed)
    assert [w["code"] for w in warned.summary()["warnings"]] == ["dishonest_list_empty"]


def test_repr_names_count_file_and_digest(eligible_file) -> None:
    digest = hashlib.sha256(eligible_file.read_bytes()).hexdigest()
    listed = BorrowerList(eligible_file)
    assert repr(listed) == f"<BorrowerList: 3 ids from eligible.csv (sha256 {digest})>"
    assert listed.sha256 == digest
    assert listed.source == str(eligible_file)
    assert repr(BorrowerList([A, A])) == "<BorrowerList: 1 id from an iterable>"
    assert list(listed) == ELIGIBLE
    assert B in listed and "x" not in listed


def test_value_is_frozen_and_pickles(eligible_file) -> None:
    listed = BorrowerList(eligible_file)
    with pytest.raises(AttributeError):
        listed.source = "other"  # type: ignore[misc]
    again = pickle.loads(pickle.dumps(listed))
    assert repr(again) == repr(listed)
    _same(
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", again),
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", listed),
    )


def test_exported() -> None:
    assert "BorrowerList" in calculators.__all__
    assert BorrowerList.__module__ == "calculators"


def test_workbook_list_value(tmp_path) -> None:
    path = tmp_path / "eligible.xlsx"
    frame = pd.DataFrame({"统一社会信用代码": ELIGIBLE, "企业名称": ["a", "b", "c"]})
    frame.to_excel(path, index=False)
    listed = BorrowerList(path)
    assert listed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert repr(listed).startswith("<BorrowerList: 3 ids from eligible.xlsx (sha256 ")
    _same(
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", path),
        tech_relending.claim(LEDGER, "2022Q2", "ICBC", listed),
    )
