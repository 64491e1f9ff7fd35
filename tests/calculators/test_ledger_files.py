"""Reading ledger files: line endings, quoting, broken tables."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from calculators import LedgerFileError, tech_relending

A = "911101085011945813"
HEADER = "借据号,统一社会信用代码,贷款金额,发放日期,到期日期"


def _write(tmp_path, text: str, encoding: str = "utf-8", name: str = "l.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_crlf_quotes_and_blank_lines(tmp_path) -> None:
    text = (
        f"{HEADER}\r\n"
        f'"K1",{A},"1,000.00",2022-04-01,2022-10-01\r\n'
        "\r\n"
        f'"K,2",{A},"2,000.00",2022-04-02,2022-10-02\r\n'
    )
    result = tech_relending.claim(_write(tmp_path, text), "2022Q2", "ICBC", [A])
    assert list(result.loans["借据号"]) == ["K1", "K,2"]
    assert result.entitlement_fen == 180_000  # 0.6 x 300,000 fen


def test_header_only_ledger_claims_nothing(tmp_path) -> None:
    result = tech_relending.claim(_write(tmp_path, HEADER + "\n"), "2022Q2", "ICBC", [A])
    assert (len(result.loans), result.entitlement_fen) == (0, 0)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (f"{HEADER}\nK1,{A},1.00\n", "well-formed CSV"),
        ("", "header"),
        ("借据号,借据号\nK1,K2\n", "each column once"),
    ],
)
def test_broken_tables_are_file_errors(tmp_path, text, fragment) -> None:
    with pytest.raises(LedgerFileError, match=fragment):
        tech_relending.claim(_write(tmp_path, text), "2022Q2", "ICBC", [A])


def test_a_list_with_a_bad_id_is_refused(tmp_path) -> None:
    bad = _write(tmp_path, f"{A}\n{A[:-1]}0\n", name="ids.txt")
    with pytest.raises(LedgerFileError, match=A[:-1] + "0"):
        tech_relending.claim(_write(tmp_path, HEADER + "\n"), "2022Q2", "ICBC", bad)


@given(st.binary(max_size=300))
# two eligible loans of 1.01 yuan: 3/5 x 202 fen = 121.2 -> 121 fen in all (61 + 60)
@example(f"K1,{A},1.01,2022-04-01,2023-04-01\nK2,{A},1.01,2022-04-02,2023-04-02\n".encode())
def test_any_bytes_give_a_ledger_or_one_documented_error(data) -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(HEADER.encode() + b"\n" + data)
        try:
            result = tech_relending.claim(path, "2022Q2", "ICBC", [A])
        except LedgerFileError:
            return
        loans = result.loans
        assert loans["reason"].notna().all()
        eligible = (loans["status"].astype(str) == "eligible").to_numpy()
        principal = int(loans.loc[eligible, "principal_fen"].sum())
        assert result.eligible_principal_fen == principal
        assert result.entitlement_fen == (6 * principal + 5) // 10  # 3/5, half up
        assert (loans.loc[~eligible, "entitlement_fen"] == 0).all()
        assert int(loans["entitlement_fen"].sum()) == result.entitlement_fen
