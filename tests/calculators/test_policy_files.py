"""A user's policy file (``--policy FILE``), through ``main(argv)``: any number of
versions claims correctly, and no file, however malformed or hostile, zeroes a claim,
stops relend with a traceback or exhausts its memory: it is read, or refused in one line
with exit status 2 naming the file, the key and the value.

The files are written here as text, not made by relend; the expected entitlements are
worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from calculators.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ELIGIBLE = EXAMPLES / "tech_eligible.csv"
# three borrowers of the eligible list
BORROWERS = ("911101085011945813", "915101005446414621", "913205002859570946")
FIRST_DAY = dt.date(2021, 6, 1)
SOURCE = 'source = { notice = "mine", clause = "1" }'
HEAD = 'schema = 1\n[program]\nid = "tech"\n[notices.mine]\nissuer = "a bank"\ntitle = "daily"\n'


def daily_versions(count: int) -> str:
    """A tech policy file of ``count`` versions, version k covering the single day
    2021-06-01 + k days with the ratio (k + 1) / 1000, no minimum term."""
    parts = [HEAD]
    for k in range(count):
        day = FIRST_DAY + dt.timedelta(days=k)
        parts.append(
            f'[[versions]]\nid = "d{k}"\ntitle = "day {k}"\nnotice = "mine"\n'
            f"first_disbursement = {{ value = {day}, {SOURCE} }}\n"
            f"last_disbursement = {{ value = {day}, {SOURCE} }}\n"
            f'ratio = {{ value = "{(k + 1) / 1000:.3f}", {SOURCE} }}\n'
            f"min_term_months = {{ value = 0, {SOURCE} }}\n"
            f'rates = {{ value = [{{ from = {day}, rate = "0.0175", {SOURCE} }}], {SOURCE} }}\n'
            f"term_years = {{ value = 1, {SOURCE} }}\n"
            f"max_extensions = {{ value = 2, {SOURCE} }}\n"
            f'cadence = {{ value = "quarterly", {SOURCE} }}\n'
            f'lenders = {{ value = ["ICBC"], {SOURCE} }}\n'
            f'borrower_rule = {{ value = "the list", {SOURCE} }}\n'
            f'day_count = {{ value = "ACT/360", {SOURCE} }}\n'
        )
    return "".join(parts)


def _ledger(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A ledger of (loan id, principal, disbursed, matures) rows, borrowers in turn."""
    lines = ["loan_id,borrower_id,principal,disbursement_date,maturity_date"]
    lines += [
        f'{loan},{BORROWERS[i % 3]},"{principal}",{disbursed},{matures}'
        for i, (loan, principal, disbursed, matures) in enumerate(rows)
    ]
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _claim(tmp_path: Path, ledger: Path, quarter: str, policy: Path) -> tuple[int, dict, dict]:
    """Exit status, summary and per-loan (entitlement, reason, version) of a claim."""
    out = tmp_path / "out"
    status = main(["claim", "tech", str(ledger), "--quarter", quarter, "--lender", "ICBC",
                   "--eligible-borrowers", str(ELIGIBLE), "--policy", str(policy),
                   "--out", str(out), "--no-xlsx", "--quiet", "--lang", "en"])  # fmt: skip
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    per_loan = {
        row.loan_id: (int(row.entitlement_fen), row.reason, row.policy_version)
        for row in loans.itertuples()
    }
    return status, summary, per_loan


def test_300_versions_each_loan_under_its_own_day(tmp_path: Path, capsys) -> None:
    # versions 0..299 cover 2021-06-01 .. 2022-03-27; 2022-01-01 is day 214 (ratio
    # 0.215), 2022-02-15 day 259 (0.260), 2022-03-27 day 299 (0.300); an int8 index
    # wraps at 128 and found no version for any of them
    policy = tmp_path / "daily.toml"
    policy.write_text(daily_versions(300), encoding="utf-8")
    ledger = _ledger(tmp_path, [
        ("A", "100.00", "2022-01-01", "2023-01-01"),  # 0.215 x 10,000 fen = 2,150
        ("B", "123.45", "2022-03-27", "2023-03-27"),  # 0.300 x 12,345 fen = 3,703.5
        ("C", "100.00", "2021-12-31", "2022-12-31"),  # day 213, not in 2022Q1
        ("D", "100.00", "2022-03-28", "2023-03-28"),  # after the last day, before tech-2022
        ("E", "0.01", "2022-02-15", "2023-02-15"),  # 0.260 x 1 fen = 0.26
    ])  # fmt: skip
    status, summary, loans = _claim(tmp_path, ledger, "2022Q1", policy)
    assert status == 0, capsys.readouterr().err
    # 2,150 + 3,703.5 + 0.26 = 5,853.76 -> 5,854 fen (half up, once); floors 2,150 +
    # 3,703 + 0 = 5,853, the fen left over to the largest remainder (B's 0.5)
    assert summary["entitlement_fen"] == 5_854
    assert summary["eligible_principal_fen"] == 10_000 + 12_345 + 1
    assert loans == {
        "A": (2_150, "eligible", "d214"),
        "B": (3_704, "eligible", "d299"),
        "C": (0, "outside_period", "d213"),
        "D": (0, "after_policy_end", ""),
        "E": (0, "eligible", "d259"),
    }


def test_128_versions_before_the_package_ones(tmp_path: Path, capsys) -> None:
    # 128 versions of the file (2021-06-01 .. 2021-10-06), then tech-2022 and tech-2024:
    # tech-2022 is version 128, which an int8 index cannot hold
    policy = tmp_path / "daily.toml"
    policy.write_text(daily_versions(128), encoding="utf-8")
    ledger = _ledger(tmp_path, [
        ("A", "100.00", "2022-04-01", "2023-04-01"),  # tech-2022: 0.6 x 10,000 = 6,000
        ("B", "100.00", "2022-05-01", "2022-08-01"),  # 3 months: under tech-2022's 6
        ("C", "100.00", "2022-03-31", "2023-03-31"),  # after day 127, before tech-2022
        ("D", "333.33", "2022-06-30", "2022-12-30"),  # exactly 6 months: 0.6 x 33,333
    ])  # fmt: skip
    status, summary, loans = _claim(tmp_path, ledger, "2022Q2", policy)
    assert status == 0, capsys.readouterr().err
    # 6,000 + 19,999.8 = 25,999.8 -> 25,999.8 rounds to 26,000; D's floor 19,999 + 1
    assert summary["entitlement_fen"] == 26_000
    assert loans == {
        "A": (6_000, "eligible", "tech-2022"),
        "B": (0, "term_under_minimum", "tech-2022"),
        "C": (0, "after_policy_end", ""),
        "D": (20_000, "eligible", "tech-2022"),
    }
    # the last version of the file, index 127, the widest an int8 holds: 0.128 x 10,000
    ledger = _ledger(tmp_path, [("E", "100.00", "2021-10-06", "2021-10-07")])
    status, summary, loans = _claim(tmp_path, ledger, "2021Q4", policy)
    assert (status, summary["entitlement_fen"]) == (0, 1_280)
    assert loans == {"E": (1_280, "eligible", "d127")}


# -- figures outside what real notices write, and files that are not TOML ---------------

SUPERSEDE = HEAD + f'[[versions]]\nid = "tech-2022"\n[versions.ratio]\nvalue = "0.5"\n{SOURCE}\n'


def _show(tmp_path: Path, text: str | bytes, capsys, lang: str = "en") -> tuple[int, str, str]:
    """Exit status, stderr and the file's path of ``relend policy show tech --version
    tech-2022 --json --policy FILE`` (stderr checked to be one line, or nothing on
    success, without a traceback)."""
    path = tmp_path / "mine.toml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    status = main(["policy", "show", "tech", "--version", "tech-2022", "--json",
                   "--policy", str(path), "--lang", lang])  # fmt: skip
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == (status != 0), err
    return status, err, str(path)


@pytest.mark.parametrize(
    "ratio",
    ["0.6000000001", "0.600000000000000000000000001", "0.0000001", "1e-9", "6E-1", "-0.6"],
)
def test_a_ratio_of_more_than_six_places_is_refused(tmp_path: Path, capsys, ratio) -> None:
    # 0.6000000001 would put the claim's remainders over 10**10 (a 75 GiB table);
    # the 27-digit one over 10**27 (past int64)
    status, err, path = _show(tmp_path, SUPERSEDE.replace('"0.5"', f'"{ratio}"'), capsys)
    assert status == 2
    assert f"{path}: versions[0].ratio.value='{ratio}' is not accepted" in err
    status, err, path = _show(tmp_path, SUPERSEDE.replace('"0.5"', f'"{ratio}"'), capsys, "zh")
    assert status == 2 and f"versions[0].ratio.value='{ratio}' 不符合要求：" in err
    assert "小数" in err, err


def test_a_ratio_of_six_places_claims_exactly(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(SUPERSEDE.replace('"0.5"', '"0.123457"'), encoding="utf-8")
    ledger = _ledger(tmp_path, [("A", "100.00", "2022-04-01", "2023-04-01")])
    status, summary, loans = _claim(tmp_path, ledger, "2022Q2", path)
    # 0.123457 x 10,000 fen = 1,234.57 -> 1,235 fen
    assert (status, summary["entitlement_fen"], loans["A"][0]) == (0, 1_235, 1_235)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('value = "0.5"', 'value = "0.5000005"', "versions[0].ratio.value='0.5000005'"),
        ('value = "0.5"', 'value = "1.000001"', "versions[0].ratio.value='1.000001'"),
        ("[versions.ratio]", "[versions.term_years]", "versions[0].term_years.value='0.5'"),
        ('value = "0.5"', "value = 99999999999999999999", "versions[0].ratio.value="),
        # TOML's hexadecimal has no length limit: too long for Python to write in decimal
        ('value = "0.5"', "value = 0x" + "f" * 5000, "versions[0].ratio.value=0xfff"),
        ("[versions.ratio]\nvalue = \"0.5\"",
         "[versions.rates]\nvalue = [{ from = 2022-04-01, rate = \"0.25\", "
         + SOURCE + " }]",
         "versions[0].rates.value[0].rate='0.25'"),
        ("[versions.ratio]\nvalue = \"0.5\"",
         "[versions.first_disbursement]\nvalue = 1989-12-31",
         "versions[0].first_disbursement.value="),
        ("[versions.ratio]\nvalue = \"0.5\"",
         "[versions.last_disbursement]\nvalue = 9999-12-31",
         "versions[0].last_disbursement.value="),
        ("[versions.ratio]\nvalue = \"0.5\"",
         "[versions.lenders]\nvalue = [" + '"ICBC", ' * 1001 + "]", "versions[0].lenders.value="),
        ("[versions.ratio]\nvalue = \"0.5\"",
         "[versions.rates]\nvalue = ["
         + ("{ from = 2022-04-01, rate = \"0.01\", " + SOURCE + " }, ") * 101 + "]",
         "versions[0].rates.value="),
    ],
)  # fmt: skip
def test_figures_outside_the_bounds_are_refused(tmp_path: Path, capsys, old, new, key) -> None:
    text = SUPERSEDE.replace(old, new)
    assert text != SUPERSEDE
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and f"{path}: {key}" in err, err
    assert len(err) < 600  # a long list is shown cut short


def test_a_file_nested_5000_deep_is_one_line(tmp_path: Path, capsys) -> None:
    # tomllib reads nested arrays by recursion: RecursionError, not relend's failure
    deep = SUPERSEDE + "x = " + "[" * 5000 + "]" * 5000 + "\n"
    for lang, words in (("en", "nested too deep"), ("zh", "嵌套")):
        status, err, path = _show(tmp_path, deep, capsys, lang)
        assert status == 2 and path in err and words in err, err
    deep = SUPERSEDE + "x = " + "{ a = " * 5000 + "1" + " }" * 5000 + "\n"
    status, err, path = _show(tmp_path, deep, capsys)
    assert status == 2 and "nested too deep" in err


def test_a_policy_file_with_a_byte_order_mark_is_read(tmp_path: Path, capsys) -> None:
    # as Windows Notepad saves UTF-8: tomllib alone refuses the mark as a statement
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SUPERSEDE.encode("utf-8"))
    argv = ["policy", "show", "tech", "--version", "tech-2022", "--json", "--policy", str(path)]
    assert main(argv) == 0
    (shown,) = json.loads(capsys.readouterr().out)["versions"]
    assert shown["figures"]["ratio"]["value"] == "0.5"


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        # not UTF-8: the line of the first bad byte
        (SUPERSEDE.encode("utf-8") + b'x = "\xff"\n', ": line 12=", "UTF-8"),
        # tomllib's syntax error: its words as the value, where and why in our words
        (SUPERSEDE.replace("[versions.ratio]", "[versions.ratio"),
         ": line 9, column 16=", "第 9 行第 16 列"),
        (SUPERSEDE + "x = [1,\n", "the end of the file=", "文件末尾"),
        # a number of more than 4,300 digits: Python's int() refuses it with ValueError
        (SUPERSEDE + "x = " + "9" * 5000 + "\n", "a number too long to read", "数字"),
        # too large to be a policy file: not read whole
        (SUPERSEDE + "#" * (4 * 1024 * 1024), "at most 4 MiB", "4 MiB"),
    ],
)  # fmt: skip
def test_unreadable_files_are_one_line_in_both_languages(
    tmp_path: Path, capsys, text, english, chinese
) -> None:
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and path in err and english in err, err
    status, err, path = _show(tmp_path, text, capsys, "zh")
    assert status == 2 and path in err and chinese in err, err


def test_a_folder_or_missing_file_is_one_line(tmp_path: Path, capsys) -> None:
    for path in (tmp_path, tmp_path / "missing.toml"):
        assert main(["policy", "show", "tech", "--policy", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err


def test_more_versions_than_a_program_may_have_are_refused(tmp_path: Path, capsys) -> None:
    text = daily_versions(999)  # with tech-2022 and tech-2024: 1,001
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and f"{path}: versions='1001 versions with those of relend'" in err, err
    assert "at most 1000 versions" in err


def test_a_version_of_the_other_shape_is_refused(tmp_path: Path, capsys) -> None:
    # microloan's versions are quarters: a loan-window version there would stop the
    # incentive with a KeyError
    path = tmp_path / "mine.toml"
    text = daily_versions(1).replace('id = "tech"', 'id = "microloan"')
    path.write_text(text, encoding="utf-8")
    argv = ["incentive", "--quarter", "2022Q2", "--previous-balance", "0",
            "--current-balance", "100.00", "--policy", str(path)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{path}: versions[0]=" in err and "first_quarter" in err, err
