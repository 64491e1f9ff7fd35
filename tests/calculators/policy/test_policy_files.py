"""A user's policy file (``--policy FILE``), through ``main(argv)``: any number of
versions claims correctly, and no file, however malformed or hostile, zeroes a claim,
stops relend with a traceback or exhausts its memory: it is read, or refused in one line
with exit status 2 naming the file, the key and the value.

The files are written here as text, not made by relend; the expected entitlements are
worked out by hand in the comments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.cli import main
from tests.paths import ROOT

EXAMPLES = ROOT / "examples"
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


def test_300_versions_partitioned_as_in_memory(tmp_path: Path) -> None:
    # the Dask claim classifies each partition with the same wide index
    dd = pytest.importorskip("dask.dataframe")
    from calculators import PolicyTable
    from calculators.programs import tech as tech_relending

    policy = tmp_path / "daily.toml"
    policy.write_text(daily_versions(300), encoding="utf-8")
    table = PolicyTable.package().with_file(policy)
    frame = pd.DataFrame({
        "loan_id": ["A", "B", "C", "E"],
        "borrower_id": [*BORROWERS, BORROWERS[0]],
        "principal": ["100.00", "123.45", "100.00", "0.01"],
        "disbursement_date": ["2022-01-01", "2022-03-27", "2022-03-28", "2022-02-15"],
        "maturity_date": ["2023-01-01", "2023-03-27", "2023-03-28", "2023-02-15"],
    })  # fmt: skip
    ledger = dd.from_pandas(frame, npartitions=2)
    res = tech_relending.claim_partitioned(ledger, "2022Q1", "ICBC", BORROWERS, policy=table)
    loans = res.loans.compute()
    # as in test_300_versions_each_loan_under_its_own_day: 2,150 + 3,704 + 0
    assert res.entitlement_fen == 5_854
    assert list(loans["entitlement_fen"]) == [2_150, 3_704, 0, 0]
    versions = loans["policy_version"].astype(object).fillna("")
    assert list(versions) == ["d214", "d299", "", "d259"]


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


def _threshold_by_loop(counts: list[int], leftover: int) -> tuple[int, int]:
    """Where the leftover fen stop, as the README says it: one fen each to the largest
    remainders, from the top down."""
    for r in range(len(counts) - 1, 0, -1):
        if leftover <= counts[r]:
            return r, leftover
        leftover -= counts[r]
    assert leftover == 0
    return 0, 0


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.data())
def test_the_leftover_threshold_is_the_loop_over_remainders(counts, data) -> None:
    # leftover_threshold searches a running count instead of looping over the remainders
    # (10**6 of them for a ratio of 6 places); same answer for every leftover possible
    from calculators._money import leftover_threshold

    leftover = data.draw(st.integers(0, sum(counts[1:])))
    expected = _threshold_by_loop(counts, leftover)
    assert leftover_threshold(np.array(counts, dtype=np.int64), leftover) == expected


@given(st.lists(st.integers(0, 10**6 - 1), max_size=30), st.integers(0, 10**12))
def test_the_total_of_six_place_shares_is_exact(remainders, floors) -> None:
    # round_half_up(floors + sum(remainders) / 10**6), the sum taken from the counts
    from calculators._money import Shares

    shares = Shares.of([Fraction(123457, 10**6)])
    counts = np.bincount(np.array(remainders, dtype=np.int64), minlength=10**6)
    exact = floors + Fraction(sum(remainders), 10**6)
    assert shares.total(floors, counts) == int(exact + Fraction(1, 2))


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


@pytest.mark.parametrize(
    "where",
    [
        # dotted keys nest tables without tomllib's recursion; the str() of a notice,
        # a date or a title nested 5,000 deep recursed (RecursionError)
        "[versions.ratio.source.notice.{deep}]\nq = 1\n",
        'source = {{ notice = "mine", clause = "1" }}\nassumption.{deep} = 1\n',
        "[notices.mine.date.{deep}]\nq = 1\n",
        "x.{deep} = 1\n",
    ],
)
def test_dotted_keys_5000_deep_are_one_line(tmp_path: Path, capsys, where) -> None:
    text = SUPERSEDE.replace(SOURCE + "\n", "") + where.format(deep=".".join(["a"] * 5000))
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and f"{path}='arrays or tables nested too deep to read'" in err, err


def test_a_key_with_a_line_break_or_of_10000_characters_is_one_short_line(
    tmp_path: Path, capsys
) -> None:
    # quoted TOML keys may hold anything: shown escaped and cut short
    for name, shown in (('"a\\nb"', "notices.a\\nb.issuer=5"), ("k" * 10_000, "kkk...kkk")):
        text = HEAD.replace("[notices.mine]", f"[notices.{name}]").replace('"a bank"', "5")
        status, err, _path = _show(tmp_path, text, capsys)
        assert status == 2 and shown in err and len(err) < 400, err


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
        (SUPERSEDE + "#" * (4 * 1024 * 1024), "at most 4 MiB", "4 MB"),
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


def test_an_overlapping_version_is_named_by_its_place_in_the_file(tmp_path, capsys) -> None:
    # the file's only version covers 2022-05-01, inside tech-2022's window
    text = daily_versions(1).replace("2021-06-01", "2022-05-01")
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and f"{path}: versions[0]='starts 2022-05-01, before tech-2022" in err


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


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("notice = []", "versions[0].notice='[]'"),  # was a TypeError (unhashable list)
        ('notice = "nowhere"', "versions[0].notice='nowhere'"),  # was ignored
        ("title = 5", "versions[0].title=5"),  # was shown as the title
    ],
)
def test_a_superseding_version_is_checked_as_a_new_one(tmp_path: Path, capsys, line, key) -> None:
    text = SUPERSEDE.replace('id = "tech-2022"\n', f'id = "tech-2022"\n{line}\n')
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and f"{path}: {key}" in err, err


@pytest.mark.parametrize("vid", ['=HYPERLINK(\\"http://x\\")', "+1", "d 1", "x" * 65, "版本"])
def test_a_version_id_is_a_plain_code(tmp_path: Path, capsys, vid) -> None:
    # the id is the policy_version column of loans.csv: "=..." would be a formula there
    text = daily_versions(1).replace('id = "d0"', f'id = "{vid}"')
    status, err, path = _show(tmp_path, text, capsys)
    assert status == 2 and f"{path}: versions[0].id=" in err, err


def test_pilot_provinces_are_two_digit_codes(tmp_path: Path, capsys) -> None:
    # the elderly-care rule reads them as numbers: "x" stopped the claim with a
    # ValueError; "11" (Beijing) is read
    from calculators import PolicyTable

    version = PolicyTable.package().program("elderly_care").versions[0].version
    path = tmp_path / "mine.toml"
    argv = ["claim", "elderly_care", str(EXAMPLES / "elderly_care_ledger.csv"), "--quarter",
            "2022Q2", "--lender", "CCB", "--policy", str(path)]  # fmt: skip
    for code, status in (('"x"', 2), ('"110"', 2), ('"11"', 0)):
        path.write_text(
            'schema = 1\n[program]\nid = "elderly_care"\n[notices.mine]\nissuer = "a"\n'
            f'title = "t"\n[[versions]]\nid = "{version}"\n[versions.provinces]\n'
            f"value = [{code}]\n{SOURCE}\n",
            encoding="utf-8",
        )
        assert main(argv) == status, capsys.readouterr().err
        err = capsys.readouterr().err
        if status == 2:
            assert f"{path}: versions[0].provinces={code.replace(chr(34), chr(39))}" in err, err


# -- fuzz: whatever the file, exit 0, 2 or 3 and never a traceback -----------------------

REALS = {
    path.stem: path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "calculators" / "policies").glob("*.toml"))
}
# each program's runs reading its figures, on the bundled examples
RUNS = {
    "tech": [
        ["claim", "tech", "tech_ledger.csv", "--quarter", "2022Q2", "--lender", "ICBC",
         "--eligible-borrowers", "tech_eligible.csv"],
        ["facility", "tech", "--amount", "600,000.00", "--drawdown", "2022-07-15",
         "--extensions", "2"],
    ],
    "transport": [["claim", "transport", "transport_ledger_gb18030.csv", "--quarter", "2022Q3",
                   "--lender", "ABC", "--dishonest", "dishonest.txt"]],
    "carbon": [["claim", "carbon", "carbon_ledger.csv", "--quarter", "2024Q3", "--lender", "BOC"]],
    "housing": [["claim", "housing", "housing_ledger.csv", "--quarter", "2025Q1", "--lender",
                 "CDB", "--designated-purchasers", "housing_designated.txt"]],
    "elderly_care": [["claim", "elderly_care", "elderly_care_ledger.csv", "--quarter", "2022Q2",
                      "--lender", "CCB"]],
    "equipment": [["claim", "equipment", "equipment_ledger.csv", "--period", "2022-12",
                   "--lender", "ICBC", "--eligible-borrowers", "equipment_eligible.csv"]],
    "coal": [["claim", "coal", "coal_ledger.csv", "--period", "2022-05", "--lender", "CDB"]],
    "buyback": [["claim", "buyback", "buyback_ledger.csv", "--quarter", "2025Q3", "--lender",
                 "ICBC"]],
    "consumption": [["claim", "consumption", "consumption_ledger.csv", "--quarter", "2025Q4",
                     "--lender", "江苏银行"]],
    "microloan": [["incentive", "--quarter", "2022Q2", "--previous-balance", "0",
                   "--current-balance", "1,000,000.00"]],
}  # fmt: skip
# the lines of the real file that set a value: `name = ...`
_SETTING = re.compile(r"^(\s*[A-Za-z_]+ = )(.*)$")
# a figure's value, a rate step's rate or date: a string or a bare word, not an array
_ATOM = re.compile(r'\b(?:value|rate|from) = ("[^"\n]*"|[^,}\]\[\n]+)')
TOKENS = (
    "schema = 1\n", "[program]\n", 'id = "tech"\n', 'id = "tech-2022"\n', "[[versions]]\n",
    "[versions.ratio]\n", "[versions.rates]\n", "[notices.x]\n", 'issuer = "a"\n',
    'title = "t"\n', 'notice = "x"\n', 'value = "0.6"\n', "value = 2022-04-01\n",
    'source = { notice = "x", clause = "1" }\n',
    'source = { notice = "tech2022", clause = "三" }\n',
    "value = [", "]", "{", "}", "=", ",", '"', "'", "\n", " ", "#", "\ufeff", "0.", "9", "1e9",
)  # fmt: skip


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


MUTANTS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.integers(min_value=1, max_value=60).map(lambda n: f'"0.{"9" * n}1"'),
    st.integers(min_value=1, max_value=40).map(lambda n: f'"0.6{"0" * n}1"'),
    st.sampled_from([
        "9" * 5000, "0x" + "f" * 5000, '"1e-999999999"', '"NaN"', '"-0.5"', '"Infinity"',
        '"0.6"', '"1"', '"0"', '"0.2"', '"0.200001"', "true", "[]", "{}", '"x"', '""', "1.5",
        "inf", "nan", "-1", "0", "121", "1979-05-27", "0001-01-01", "9999-12-31",
        "1979-05-27T07:32:00Z", "07:32:00", '["ICBC"]', '["NOBANK"]', '"quarterly"',
        '"monthly"', '"2023Q3"', '"0000Q1"', '"9999Q4"', '"' + "x" * 100_000 + '"',
        "[" + '"ICBC", ' * 2000 + "]", _nested(10), _nested(300), _nested(5000),
        "{ a = " * 3000 + "1" + " }" * 3000, "{ " + "a." * 3000 + "a = 1 }",
    ]),
)  # fmt: skip


@st.composite
def policy_documents(draw: st.DrawFn) -> tuple[str, bytes]:
    """A program and a policy file for it: random bytes; TOML-ish text; a shipped file
    with a line's value or a figure replaced, cut short, or with something inserted;
    many tech versions with one figure replaced."""
    program = draw(st.sampled_from(["tech", "tech", *REALS]))
    real = REALS[program]
    kinds = ["bytes", "tokens", "line", "value", "cut", "insert", "versions"]
    kind = draw(st.sampled_from(kinds))
    if kind == "bytes":
        return program, draw(st.binary(max_size=2000))
    if kind == "tokens":
        return program, "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=60))).encode()
    if kind == "cut":
        return program, real.encode("utf-8")[: draw(st.integers(0, len(real.encode("utf-8"))))]
    mutant = draw(MUTANTS)
    if kind in ("value", "versions"):
        if kind == "versions":
            program, real = "tech", daily_versions(draw(st.integers(1, 200)))
        found = draw(st.sampled_from(list(_ATOM.finditer(real))))
        return program, (real[: found.start(1)] + mutant + real[found.end(1) :]).encode("utf-8")
    lines = real.splitlines()
    if kind == "insert":
        at = draw(st.integers(0, len(lines)))
        prefix = draw(st.sampled_from(["", "x = ", "[x]\nv = ", "a." * 3000 + "a = "]))
        lines.insert(at, prefix + mutant)
    else:
        settings = [i for i, line in enumerate(lines) if _SETTING.match(line)]
        at = draw(st.sampled_from(settings))
        lines[at] = _SETTING.sub(lambda m: m[1] + mutant, lines[at])
    return program, ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _in_examples(argv: list[str]) -> list[str]:
    return [str(EXAMPLES / word) if (EXAMPLES / word).is_file() else word for word in argv]


def test_the_fuzz_runs_succeed_on_the_shipped_files(capsys) -> None:
    # so that an exit 0 or 3 in the fuzz below is the file's doing
    for program, runs in RUNS.items():
        for argv in (["policy", "show", program], *runs):
            assert main(_in_examples(argv)) in (0, 3), capsys.readouterr().err


@settings(max_examples=40, deadline=None)
@given(document=policy_documents())
def test_no_policy_file_breaks_relend(fuzz_folder: Path, document: tuple[str, bytes]) -> None:
    # accepted: 0 (read), 2 (refused in one line), 3 (a claim with invalid rows);
    # never 1 (internal error), a traceback or a second line
    program, text = document
    path = fuzz_folder / "policy.toml"
    path.write_bytes(text)
    for argv in (["policy", "show", program], *RUNS[program]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*_in_examples(argv), "--policy", str(path)])
        text = err.getvalue()
        assert status in (0, 2, 3), text
        assert "Traceback" not in text and "internal error" not in text, text
        if status == 2:
            assert text.count("\n") == 1 and len(text) < 2000, text
