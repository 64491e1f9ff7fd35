"""CSV ledgers never misread in silence and never an internal error: encodings, line
ends, streams, wide headers, huge cells, Excel's sep= hint and title rows.

Every case goes through ``main(argv)`` as a clerk runs it; the expected answers are
worked out by hand (two or four loans of 1,000.00 yuan, 60% of each).

The fuzz test runs 60 examples in the suite (about 2 s). A larger run::

    RELEND_FUZZ_EXAMPLES=1500 python -m pytest -p no:cacheprovider \
        tests/calculators/readers/test_csv_reading.py -k fuzz

passed in about 4 minutes on 2 busy cores.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.cli import main
from tests.paths import EXAMPLES

A = "911101085011945813"
B = "915101005446414621"
HEAD = "loan_id,borrower_id,borrower_name,principal,disbursement_date,maturity_date\n"
TRADITIONAL = ["臺北順達物流有限公司", "高雄智能電子股份有限公司", "新竹儲能電子有限公司",
               "臺中精密機械工業股份有限公司"]  # fmt: skip
JAPANESE = ["東京物流株式会社", "大阪精密機械株式会社", "名古屋電子工業株式会社",
            "横浜ソフトウェア開発株式会社"]  # fmt: skip
SIMPLIFIED = ["上海顺达物流有限公司", "成都智能电子有限公司", "苏州储能电子有限公司", "张敏"]


def _rows(names: list[str], first: int = 0) -> str:
    """One eligible loan of 1,000.00 yuan per name, disbursed in 2022Q2."""
    return "".join(
        f'K{first + i},{A if i % 2 else B},{name},"1,000.00",2022-04-0{i + 1},2023-04-0{i + 1}\n'
        for i, name in enumerate(names)
    )


@pytest.fixture
def eligible(tmp_path):
    path = tmp_path / "eligible.csv"
    path.write_text(f"borrower_id\n{A}\n{B}\n", encoding="utf-8")
    return path


def _claim(path, eligible, *extra: str) -> list[str]:
    return ["claim", "tech", str(path), "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", str(eligible), *extra]  # fmt: skip


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def _refused(capsys, argv: list[str]) -> str:
    status, _out, err = _run(capsys, argv)
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    return err


def _summary(capsys, argv: list[str], status: int = 0) -> dict:
    got, out, err = _run(capsys, [*argv, "--json"])
    assert got == status, err
    return json.loads(out)


# -- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "codec", "named"),
    [(TRADITIONAL, "big5", "Big5"), (JAPANESE, "shift_jis", "Shift-JIS")],
)
def test_big5_and_shift_jis_ledgers_are_refused_naming_the_encoding(
    tmp_path, eligible, capsys, names, codec, named
) -> None:
    # both decode as GB18030 without an error: read so, the names were mojibake, exit 0
    data = (HEAD + _rows(names)).encode(codec)
    data.decode("gb18030")
    path = tmp_path / "ledger.csv"
    path.write_bytes(data)
    err = _refused(capsys, _claim(path, eligible))
    assert named in err and "line 2 " in err and "--encoding" in err and str(path) in err


def test_big5_is_read_right_when_named(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((HEAD + _rows(TRADITIONAL)).encode("big5"))
    out = tmp_path / "out"
    status, _o, err = _run(capsys, [*_claim(path, eligible, "--encoding", "Big5"),
                                    "--out", str(out), "--no-xlsx", "--quiet"])  # fmt: skip
    assert status == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["input_format"] == {"kind": "csv", "encoding": "big5", "delimiter": ","}
    assert summary["entitlement_fen"] == 240_000  # 0.6 x 4 x 100,000 fen
    loans = (out / "loans.csv").read_text(encoding="utf-8-sig")
    assert all(name in loans for name in TRADITIONAL)


def test_a_big5_list_is_refused_on_the_command_line_and_read_when_named_in_python(
    tmp_path, capsys
) -> None:
    from calculators import BorrowerList

    listed = tmp_path / "eligible.csv"
    listed.write_bytes(
        f"borrower_id,名稱\n{A},{TRADITIONAL[0]}\n{B},{TRADITIONAL[1]}\n".encode("big5")
    )
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEAD + _rows(SIMPLIFIED), "utf-8")
    err = _refused(capsys, _claim(ledger, listed))
    # --encoding reads the ledger only: the list's refusal does not offer it
    assert "Big5" in err and "save it again as UTF-8" in err and "--encoding" not in err
    assert set(BorrowerList(listed, encoding="big5")) == {A, B}


def test_a_bad_id_after_a_huge_cell_of_a_list_names_its_line(tmp_path, capsys) -> None:
    listed = tmp_path / "eligible.csv"
    listed.write_text(f"borrower_id,note\n{A},{'x' * 140_000}\n\n{A[:-1]}0,\n", "utf-8")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEAD + _rows(SIMPLIFIED), "utf-8")
    err = _refused(capsys, _claim(ledger, listed))
    assert f"'{A[:-1]}0'" in err and "line 4" in err


def test_an_unknown_encoding_name_is_refused(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((HEAD + _rows(SIMPLIFIED)).encode())
    err = _refused(capsys, _claim(path, eligible, "--encoding", "base64"))
    assert "encoding='base64'" in err


def test_a_forced_encoding_names_the_line_that_does_not_decode(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((HEAD + _rows(["abc", "def", "成都"])).encode("utf-8"))
    err = _refused(capsys, _claim(path, eligible, "--encoding", "ascii"))
    assert "line 4 does not decode as ascii" in err


def test_a_gbk_ledger_with_a_broken_line_names_that_line(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    rows = _rows(SIMPLIFIED).encode("gbk").split(b"\n")
    rows[2] = rows[2].replace("苏州".encode("gbk"), b"\x81\x20", 1)  # a lead byte, no trail
    path.write_bytes(HEAD.encode() + b"\n".join(rows))
    err = _refused(capsys, _claim(path, eligible))
    assert "line 4 does not decode as GB18030" in err


def test_utf8_lines_then_gbk_lines_are_refused_as_mixed(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes(
        (HEAD + _rows(SIMPLIFIED[:2])).encode("utf-8") + _rows(SIMPLIFIED[2:], 2).encode("gbk")
    )
    err = _refused(capsys, _claim(path, eligible))
    assert "line 4 does not decode as UTF-8 while the lines before it do" in err
    assert "GB18030" in err


@pytest.mark.parametrize(
    "names", [SIMPLIFIED, ["张敏"], ["喆"], ["“司机之家”运营企业（含快递）"]], ids=str
)
def test_gbk_and_short_gb18030_ledgers_are_still_read(tmp_path, eligible, capsys, names) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((HEAD + _rows(names)).encode("gb18030"))
    summary = _summary(capsys, _claim(path, eligible))
    assert summary["input_format"]["encoding"] == "gb18030"
    assert summary["entitlement_fen"] == 60_000 * len(names)


def test_the_bundled_gb18030_export_is_still_read(capsys) -> None:
    ledger = EXAMPLES / "transport_ledger_gb18030.csv"
    summary = _summary(
        capsys, ["claim", "transport", str(ledger), "--quarter", "2022Q3", "--lender", "ABC"], 3
    )
    assert summary["input_format"]["encoding"] == "gb18030"
    assert summary["loans_total"] == 31


def test_utf16le_without_a_bom_is_read(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((HEAD + _rows(SIMPLIFIED)).encode("utf-16-le"))
    summary = _summary(capsys, _claim(path, eligible))
    assert summary["input_format"]["encoding"] == "utf-16-le"
    assert summary["entitlement_fen"] == 240_000


# -- shapes that were internal errors ----------------------------------------------------


def test_cr_only_line_ends_are_read(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    path.write_bytes((HEAD + _rows(SIMPLIFIED)).replace("\n", "\r").encode())
    assert _summary(capsys, _claim(path, eligible))["entitlement_fen"] == 240_000


def test_a_header_of_20007_columns_is_read(tmp_path, eligible, capsys) -> None:
    extra = 20_001
    header = HEAD.rstrip("\n") + "".join(f",extra{i}" for i in range(extra))
    assert len(header) > 131_072 and header.count(",") + 1 == 20_007
    path = tmp_path / "ledger.csv"
    path.write_text(f"{header}\n{_rows(SIMPLIFIED[:1]).rstrip()}{',' * extra}\n", "utf-8")
    assert _summary(capsys, _claim(path, eligible))["entitlement_fen"] == 60_000
    tabbed = tmp_path / "unknown.csv"  # no ledger column among 20,007: one line, exit 2
    tabbed.write_text("\t".join(f"c{i}" for i in range(20_007)) + "\n", "utf-8")
    assert "a loan_id column" in _refused(capsys, _claim(tabbed, eligible))


def test_a_50_mb_cell_is_read(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD + _rows(SIMPLIFIED[:1]))
        out.write(f'K9,{A},"{"x" * 50_000_000}","1,000.00",2022-04-05,2023-04-05\n')
    assert _summary(capsys, _claim(path, eligible))["entitlement_fen"] == 120_000


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_a_header_only_ledger_gives_one_answer_with_or_without_its_last_newline(
    tmp_path, eligible, capsys, end
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(HEAD.rstrip("\n") + end, "utf-8")
    summary = _summary(capsys, _claim(path, eligible))
    assert (summary["loans_total"], summary["entitlement_fen"]) == (0, 0)
    assert [w["code"] for w in summary["warnings"]] == ["ledger_has_no_rows"]


# -- streams -----------------------------------------------------------------------------


def test_a_ledger_on_standard_input(tmp_path, eligible, capsys, monkeypatch) -> None:
    data = (HEAD + _rows(SIMPLIFIED)).encode("gb18030")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    summary = _summary(capsys, _claim("-", eligible))
    assert summary["entitlement_fen"] == 240_000
    assert summary["input_format"]["encoding"] == "gb18030"
    import hashlib

    assert summary["input_sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_ledger_from_a_named_pipe(tmp_path, eligible, capsys) -> None:
    fifo = tmp_path / "ledger.fifo"
    os.mkfifo(fifo)
    data = (HEAD + _rows(SIMPLIFIED)).encode()

    def write() -> None:
        with open(fifo, "wb") as pipe:  # blocks until the reader opens it
            pipe.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    summary = _summary(capsys, _claim(fifo, eligible))
    writer.join(timeout=10)
    assert summary["entitlement_fen"] == 240_000


# -- Excel's shapes ----------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_an_excel_sep_hint_line_is_read(tmp_path, eligible, capsys, delimiter) -> None:
    body = (
        (HEAD + _rows(SIMPLIFIED))
        .replace(",", delimiter)
        .replace(f'"1{delimiter}000.00"', '"1,000.00"')
    )
    path = tmp_path / "ledger.csv"
    path.write_text(f"sep={delimiter}\n{body}", "utf-8")
    summary = _summary(capsys, _claim(path, eligible))
    assert summary["entitlement_fen"] == 240_000
    assert summary["input_format"]["delimiter"] == delimiter
    assert summary["input_format"]["header_line"] == 2
    assert "lines_count_from_header" in [w["code"] for w in summary["warnings"]]


def test_title_rows_above_the_header_are_skipped(tmp_path, eligible, capsys) -> None:
    path = tmp_path / "ledger.csv"
    title = "某银行科技创新再贷款台账,,,,,\n填报单位：某分行,,,,,2022年6月30日\n"
    path.write_text(title + HEAD + _rows(SIMPLIFIED) + f"K9,{A},x,bad,2022-04-01,2023-04-01\n")
    summary = _summary(capsys, _claim(path, eligible), 3)
    assert summary["entitlement_fen"] == 240_000
    assert summary["input_format"]["header_line"] == 3
    # the note says where line 2 of the summary is: line 4 of the file
    note = next(w for w in summary["warnings"] if w["code"] == "lines_count_from_header")
    assert "line 3" in note["message"] and "line 4" in note["message"]
    assert summary["invalid_rows"][0]["line"] == 6  # counts from the header: file line 8


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_blank_lines_and_cells_over_lines_are_said_to_shift_line_numbers(
    tmp_path, eligible, capsys, end, encoding
) -> None:
    rows = _rows(SIMPLIFIED[:2])
    shifted = {
        "plain": (HEAD + rows + end * 2, False),  # blank lines after the last row only
        "blank": (HEAD + "\n" + rows, True),
        "cell": (HEAD + _rows([SIMPLIFIED[0], '"成都\n电子"']), True),
    }
    for name, (text, noted) in shifted.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.replace("\n", end).encode(encoding))
        summary = _summary(capsys, _claim(path, eligible))
        assert summary["loans_total"] == 2, name
        codes = [w["code"] for w in summary["warnings"]]
        assert ("lines_count_rows" in codes) is noted, (name, codes)


# -- refusals name the line an editor shows ----------------------------------------------


def test_a_short_row_is_named_by_its_line_in_the_file(tmp_path, eligible, capsys) -> None:
    # blank lines and a cell over two lines come before the short row on line 7
    text = (
        HEAD
        + "\n"
        + _rows(["a"])
        + f'K1,{A},"two\nlines","1,000.00",2022-04-02,2023-04-02\n\nK2,{A}\n'
    )
    path = tmp_path / "ledger.csv"
    path.write_text(text, "utf-8")
    err = _refused(capsys, _claim(path, eligible))
    assert "line 7 has 2 field(s) where the header has 6" in err
    assert "Expected" not in err and "columns" not in err


# -- fuzz --------------------------------------------------------------------------------

FUZZ_EXAMPLES = int(os.environ.get("RELEND_FUZZ_EXAMPLES", "60"))
"""Examples per run; a larger run: RELEND_FUZZ_EXAMPLES=5000 pytest -k fuzz."""

_KNOWN = ["借据号", "统一社会信用代码", "贷款金额", "发放日期", "到期日期", "loan_id", "principal"]
_CELLS = st.one_of(
    st.sampled_from(["", A, B, "1,000.00", "-5", "2022-04-01", "2023-04-01", "合计", '"', "\r"]),
    st.sampled_from(_KNOWN),
    st.text(st.sampled_from('ab,;\t"\r\n 借据号臺東ソ€\ufeff\x00'), max_size=12),
    st.builds(lambda n: "x" * n, st.sampled_from([70_000, 140_000])),
)


@st.composite
def _csv_files(draw: st.DrawFn) -> bytes:
    """A CSV as banks and editors make them, or not: any delimiter, quoting, line end,
    BOM, encoding, blank lines, title rows, Excel's sep= line, huge cells, many
    columns, or random bytes."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    width = draw(st.sampled_from([1, 3, 6, 8, 3000]))
    header = [draw(st.sampled_from([*_KNOWN, "x", "", "名称"])) for _ in range(min(width, 8))]
    header += [f"c{i}" for i in range(width - len(header))]
    rows = draw(st.lists(st.lists(_CELLS, min_size=0, max_size=min(width + 1, 9)), max_size=6))

    def line(cells: list[str]) -> str:
        quoted = draw(st.booleans())
        return delimiter.join(f'"{c.replace(chr(34), chr(34) * 2)}"' if quoted else c
                              for c in cells)  # fmt: skip

    lines = [line(header), *(line(r) for r in rows)]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "")
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from([f"sep={delimiter}", "贷款台账", "title,,,"])))
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le",
                                  "big5", "shift_jis"]))  # fmt: skip
    data = text.encode(codec, errors="replace")
    return data + draw(st.binary(max_size=40))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(data=_csv_files())
def test_fuzz_any_csv_gives_an_answer_or_one_line_never_an_internal_error(data) -> None:
    import contextlib
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path, eligible = Path(folder) / "fuzz.csv", Path(folder) / "eligible.csv"
        path.write_bytes(data)
        eligible.write_text(f"borrower_id\n{A}\n", "utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*_claim(path, eligible), "--json", "--quiet"])
    assert status in (0, 2, 3), err.getvalue()
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()
    if status == 2:
        assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(st.sampled_from('ab,"\n借'), max_size=5), min_size=1, max_size=3),
        min_size=1,
        max_size=8,
    ),
    blanks=st.lists(st.integers(0, 2), min_size=9, max_size=9),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_record_lines_are_the_lines_an_editor_shows(rows, blanks, end) -> None:
    """The line on which each record starts, blank lines and quoted line ends counted,
    as Python's csv module counts them (the oracle)."""
    import csv

    import numpy as np

    from calculators.readers.encoding import record_lines

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=end)
    for row, blank in zip(rows, blanks, strict=False):
        writer.writerow(row)
        out.write(end * blank)
    text = out.getvalue()
    reader = csv.reader(io.StringIO(text, newline=""))
    starts, before = [], 0
    for record in reader:
        if record:
            starts.append(before + 1)
        before = reader.line_num
    got = record_lines(text.encode(), np.arange(1, len(starts) + 1))
    assert got.tolist() == starts
