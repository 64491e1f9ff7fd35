"""Reading ledger files: line endings, quoting, broken tables."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from calculators import LedgerFileError
from calculators.programs import tech as tech_relending

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
        (f"{HEADER}\nK1,{A},1.00\n", "line 2 has 3 field"),
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


def _rows(count: int) -> str:
    return "".join(f"K{i},{A},{i + 1}.00,2022-04-01,2023-04-01\n" for i in range(count))


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_utf8_ledger_is_streamed_and_its_whole_file_hashed(tmp_path, monkeypatch, bom) -> None:
    """A UTF-8 CSV is parsed a block at a time from the file, never mapped into memory
    (mapped pages count in the process's peak), and its SHA-256 covers every byte, the
    BOM too, across blocks."""
    import hashlib

    import pyarrow as pa

    from calculators.readers import csv_file as _csv_file
    from calculators.readers.ledger import read_ledger

    path = tmp_path / "l.csv"
    path.write_bytes(bom + f"{HEADER}\n{_rows(300)}".encode())  # about 16 KB
    monkeypatch.setattr(_csv_file, "_CSV_BLOCK_BYTES", 1024)  # many blocks
    monkeypatch.setattr(pa, "memory_map", mock_refusal := _Refused())
    read = read_ledger(path)
    assert not mock_refusal.calls
    assert read.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read.frame.columns[0] == "借据号"  # the BOM is not part of the first name
    assert list(read.frame["借据号"][[0, 299]]) == ["K0", "K299"]
    assert list(read.frame["贷款金额"][[0, 299]]) == ["1.00", "300.00"]
    assert dict(read.input_format) == {"kind": "csv", "encoding": "utf-8", "delimiter": ","}


class _Refused:
    def __init__(self) -> None:
        self.calls: list[object] = []

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.calls.append(args)
        raise AssertionError("the ledger was memory-mapped")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (f"{HEADER}\n{_rows(2)}".encode("gb18030"), "gb18030"),
        (f"{HEADER}\n{_rows(2)}".encode("utf-16"), "utf-16"),
    ],
)
def test_other_encodings_are_read_whole(tmp_path, data, encoding) -> None:
    import hashlib

    from calculators.readers.ledger import read_ledger

    path = tmp_path / "l.csv"
    path.write_bytes(data)
    read = read_ledger(path)
    assert read.input_format["encoding"] == encoding
    assert read.sha256 == hashlib.sha256(data).hexdigest()
    assert list(read.frame["借据号"]) == ["K0", "K1"]


def test_a_malformed_utf8_ledger_is_explained_as_before(tmp_path) -> None:
    # the stream gives way to the whole-file reader, whose message names the fault
    path = _write(tmp_path, f"{HEADER}\n{_rows(2)}K9,{A}\n")
    with pytest.raises(LedgerFileError, match="line 4 has 2 field"):
        tech_relending.claim(path, "2022Q2", "ICBC", [A])
