"""The book, on SQLite and on a real PostgreSQL server, through ``main(argv)`` and the
Python API. Every amount and date below is worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from calculators.book import Book
from calculators.cli import main

A, B = "911101085011945813", "915101005446414621"  # valid USCCs (examples/tech_eligible.csv)
HEADER = "loan_id,borrower_id,principal,currency,disbursement_date,maturity_date"

TECH_Q2 = [
    f'T-1,{A},"1,000,000.00",CNY,2022-05-10,2023-05-10',  # eligible: 600,000.00
    f'T-2,{B},"500,000.00",CNY,2022-06-01,2023-06-01',  # eligible: 300,000.00
    f'T-3,{A},"250,000.01",CNY,2022-06-15,2022-09-15',  # 3 months: term_under_minimum
]
# entitlement: 60% x 1,500,000.00 = 900,000.00 yuan = 90,000,000 fen


def _write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _claim(
    tmp: Path,
    name: str,
    lines: list[str],
    *extra: str,
    program: str = "tech",
    period: str = "2022Q2",
    lender: str = "ICBC",
    header: str = HEADER,
) -> Path:
    ledger = _write(tmp / f"{name}.csv", lines, header)
    eligible = _write(tmp / "eligible.csv", [A, B], "borrower_id")
    out = tmp / name
    lists = ["--eligible-borrowers", str(eligible)] if program == "tech" else []
    status = main(
        [
            "claim",
            program,
            str(ledger),
            "--period",
            period,
            "--lender",
            lender,
            *lists,
            "--out",
            str(out),
            "--no-xlsx",
            "--quiet",
            *extra,
        ]
    )
    assert status == 0
    return out


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    if status not in (0, 4) and "--json" in argv:
        print(err)
    return status, (json.loads(out) if "--json" in argv and status in (0, 4) else {}), err


def test_record_twice_is_one_claim(tmp_path, book_url, capsys) -> None:
    folder = _claim(tmp_path, "q2", TECH_Q2)
    status, first, _ = _run(capsys, "book", "record", str(folder), "--book", book_url, "--json")
    assert status == 0
    assert first["entitlement_fen"] == 90_000_000
    assert first["loans_claimed"] == 2
    assert first["revision_of"] is None and first["already_claimed"] == []
    status, again, _ = _run(capsys, "book", "record", str(folder), "--book", book_url, "--json")
    assert (status, again["claim_id"], again["already_recorded"]) == (0, first["claim_id"], True)
    with Book(book_url) as book:
        actions = list(book.history()["action"])
    assert actions == ["migrate", "record"]  # the second recording wrote nothing


def test_changed_file_is_refused(tmp_path, book_url, capsys) -> None:
    folder = _claim(tmp_path, "q2", TECH_Q2)
    with (folder / "loans.csv").open("a", encoding="utf-8") as f:
        f.write("\n")
    status, _, err = _run(capsys, "book", "record", str(folder), "--book", book_url)
    assert status == 2
    assert "loans.csv" in err and "changed after the run" in err
    assert len(err.strip().splitlines()) == 1


def test_loan_claimed_under_another_program_is_excluded(tmp_path, book_url, capsys) -> None:
    """A tech loan recorded for 2022Q2, then in a carbon ledger for 2022Q4."""
    tech = _claim(tmp_path, "q2", TECH_Q2)
    assert main(["book", "record", str(tech), "--book", book_url]) == 0
    carbon_header = HEADER + ",carbon_field"
    carbon = [
        f'T-1,{A},"1,000,000.00",CNY,2022-11-10,2025-11-10,清洁能源',  # the tech loan
        f'C-2,{B},"2,000,000.00",CNY,2022-11-20,2025-11-20,清洁能源',  # 60%: 1,200,000.00
    ]
    ledger = _write(tmp_path / "carbon.csv", carbon, carbon_header)
    claim = ["claim", "carbon", str(ledger), "--period", "2022Q4", "--lender", "ICBC",
             "--book", book_url]  # fmt: skip
    status, summary, _ = _run(capsys, *claim, "--json")
    assert status == 0
    assert summary["reasons"]["already_claimed"] == 1
    assert summary["entitlement_fen"] == 120_000_000
    capsys.readouterr()
    assert main(claim) == 0
    said = capsys.readouterr().out  # the text names the book and the loans it left out
    assert f"book {book_url}: 1 loans left out" in said
    out = tmp_path / "carbon-out"
    assert main([*claim, "--out", str(out), "--no-xlsx", "--quiet"]) == 0
    row = (out / "loans.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert ",already_claimed," in row
    assert "tech 2022Q2 ICBC, claim 1" in row
    # the same claim again (a revision of tech 2022Q2 ICBC) does not count against itself
    status, again, _ = _run(
        capsys,
        "claim",
        "tech",
        str(tmp_path / "q2.csv"),
        "--period",
        "2022Q2",
        "--lender",
        "ICBC",
        "--eligible-borrowers",
        str(tmp_path / "eligible.csv"),
        "--book",
        book_url,
        "--json",
    )
    assert again["reasons"]["already_claimed"] == 0 and again["entitlement_fen"] == 90_000_000


def test_drawdown_rate_maturity_and_limit(tmp_path, book_url, capsys) -> None:
    folder = _claim(tmp_path, "q2", TECH_Q2)
    assert main(["book", "record", str(folder), "--book", book_url]) == 0
    status, draw, _ = _run(
        capsys,
        "book",
        "drawdown",
        "1",
        "--date",
        "2022-07-15",
        "--amount",
        "600,000.00",
        "--book",
        book_url,
        "--json",
    )
    assert status == 0
    # 2023-07-15 is a Saturday: rolled to Monday 2023-07-17; tech-2022 lends at 1.75%
    assert (draw["rate"], draw["maturity_date"]) == ("0.0175", "2023-07-17")
    # 900,000.00 entitled - 600,000.00 drawn = 300,000.00 left
    status, _, err = _run(
        capsys,
        "book",
        "drawdown",
        "1",
        "--date",
        "2022-07-20",
        "--amount",
        "300,000.01",
        "--book",
        book_url,
    )
    assert status == 2 and "at most 300,000.00 yuan" in err
    assert (
        main(
            [
                "book",
                "drawdown",
                "1",
                "--date",
                "2022-07-20",
                "--amount",
                "300,000.00",
                "--book",
                book_url,
            ]
        )
        == 0
    )
    status, _, err = _run(
        capsys, "book", "drawdown", "1", "--date", "2022-06-30", "--amount", "1", "--book", book_url
    )
    assert status == 2


def test_extensions_interest_and_ladder(tmp_path, book_url, capsys) -> None:
    folder = _claim(tmp_path, "q2", TECH_Q2)
    with Book(book_url) as book:
        claim = book.record(folder)
        draw = book.drawdown(claim.claim_id, dt.date(2022, 7, 15), 60_000_000)
        book.repay(draw.drawdown_id, dt.date(2023, 1, 16), 10_000_000)
        # as of 2023-03-31, ACT/360 at 1.75%: 600,000 x 185 days (to 2023-01-16) and
        # 500,000 x 74 days: 0.0175 x 148,000,000 / 360 = 7,194.444... -> 7,194.44 yuan
        view = book.show(dt.date(2023, 3, 31))
        assert view.interest_accrued_fen == 719_444
        assert view.outstanding_fen == 50_000_000
        ext = book.extend(draw.drawdown_id)
        assert (ext.number, ext.maturity_date) == (1, dt.date(2024, 7, 15))
        assert book.extend(draw.drawdown_id).maturity_date == dt.date(2025, 7, 15)
        ladder = book.schedule(dt.date(2023, 7, 1), dt.date(2025, 7, 31)).set_index("month")
    # period 1, 2022-07-15 to 2023-07-17: 600,000 x 185 + 500,000 x 182 days
    #   0.0175 x 202,000,000 / 360 = 9,819.444 -> 9,819.44 yuan, due 2023-07-17
    # period 2, to 2024-07-15: 500,000 x 364 days: 8,847.22 yuan
    # period 3, to 2025-07-15: 500,000 x 365 days: 8,871.527 -> 8,871.53 yuan, with the
    #   500,000.00 principal
    assert ladder.loc["2023-07", "interest_due_fen"] == 981_944
    assert ladder.loc["2024-07", "interest_due_fen"] == 884_722
    assert ladder.loc["2025-07", "interest_due_fen"] == 887_153
    assert ladder.loc["2025-07", "principal_due_fen"] == 50_000_000
    assert ladder["principal_due_fen"].sum() == 50_000_000
    status, _, err = _run(capsys, "book", "extend", "1", "--book", book_url)
    assert status == 2 and "at most 2" in err  # tech: two extensions


def test_revision_supersedes(tmp_path, book_url, capsys) -> None:
    first = _claim(tmp_path, "q2", TECH_Q2)
    revised = [f'T-1,{A},"800,000.00",CNY,2022-05-10,2023-05-10', TECH_Q2[2]]
    second = _claim(tmp_path, "q2-revised", revised)  # 60% x 800,000.00 = 480,000.00
    assert main(["book", "record", str(first), "--book", book_url]) == 0
    status, rec, _ = _run(capsys, "book", "record", str(second), "--book", book_url, "--json")
    assert status == 0
    assert (rec["revision_of"], rec["entitlement_fen"]) == (1, 48_000_000)
    assert rec["changes"] == {
        "entitlement_before_fen": 90_000_000,
        "entitlement_before_yuan": "900,000.00",
        "entitlement_after_fen": 48_000_000,
        "entitlement_after_yuan": "480,000.00",
        "loans_added": 0,
        "loans_removed": 1,
        "loans_changed": 1,
    }
    status, _, err = _run(
        capsys, "book", "drawdown", "1", "--date", "2022-07-15", "--amount", "1", "--book", book_url
    )
    assert status == 2 and "superseded by its revision 2" in err
    with Book(book_url) as book:
        assert list(book.show(dt.date(2022, 8, 1)).claims["claim_id"]) == [2]


def test_two_lenders_claiming_one_loan(tmp_path, book_url, capsys) -> None:
    icbc = _claim(tmp_path, "icbc", TECH_Q2)
    ccb = _claim(
        tmp_path, "ccb", [f'CCB-77,{A},"1,000,000.00",CNY,2022-05-10,2024-05-10'], lender="CCB"
    )
    for folder in (icbc, ccb):
        assert main(["book", "record", str(folder), "--book", book_url]) == 0
    status, found, _ = _run(capsys, "book", "check", "--book", book_url, "--json")
    assert status == 4
    assert found["loans_claimed_by_two_lenders"] == 1
    (loan,) = found["loans"]
    assert (loan["lender"], loan["other_lender"]) == ("CCB", "ICBC")
    assert (loan["loan_id"], loan["other_loan_id"]) == ("CCB-77", "T-1")


def test_quota_and_clawback(tmp_path, book_url, capsys) -> None:
    folder = _claim(tmp_path, "q2", TECH_Q2)
    assert (
        main(
            [
                "book",
                "quota",
                "tech",
                "--lender",
                "工商银行",
                "--amount",
                "500,000.00",
                "--from",
                "2022-01-01",
                "--book",
                book_url,
            ]
        )
        == 0
    )
    status, rec, _ = _run(capsys, "book", "record", str(folder), "--book", book_url, "--json")
    assert rec["over_quota_fen"] == 40_000_000  # 900,000.00 claimed - 500,000.00 quota
    submitted = _write(
        tmp_path / "submitted.csv", ["T-1,650000.00", "T-2,300000.00"], "loan_id,claimed"
    )
    audit = tmp_path / "audit"
    assert (
        main(
            [
                "audit",
                "tech",
                str(tmp_path / "q2.csv"),
                "--submitted",
                str(submitted),
                "--period",
                "2022Q2",
                "--lender",
                "ICBC",
                "--eligible-borrowers",
                str(tmp_path / "eligible.csv"),
                "--out",
                str(audit),
                "--no-xlsx",
            ]
        )
        == 4
    )
    status, claw, _ = _run(
        capsys, "book", "clawback", "1", "--audit", str(audit), "--book", book_url, "--json"
    )
    assert status == 0 and claw["amount_fen"] == 5_000_000  # T-1 overclaimed by 50,000.00
    # left to draw: 900,000.00 - 50,000.00 clawed back = 850,000.00
    status, _, err = _run(
        capsys,
        "book",
        "drawdown",
        "1",
        "--date",
        "2022-07-15",
        "--amount",
        "850,000.01",
        "--book",
        book_url,
    )
    assert status == 2 and "at most 850,000.00 yuan" in err
    with Book(book_url) as book:
        quota = book.show(dt.date(2022, 8, 1)).quotas.iloc[0]
    assert (quota["used_fen"], quota["left_fen"]) == (90_000_000, -40_000_000)


def test_verify_finds_a_changed_file_and_a_changed_row(tmp_path, book_url, capsys) -> None:
    folder = _claim(tmp_path, "q2", TECH_Q2)
    assert main(["book", "record", str(folder), "--book", book_url]) == 0
    assert (
        main(
            [
                "book",
                "drawdown",
                "1",
                "--date",
                "2022-07-15",
                "--amount",
                "100.00",
                "--book",
                book_url,
            ]
        )
        == 0
    )
    status, ok, _ = _run(capsys, "book", "verify", "--book", book_url, "--json")
    assert status == 0 and ok["ok"] and ok["differences"] == []
    if book_url.startswith("postgresql"):
        engine = sa.create_engine(book_url.replace("postgresql://", "postgresql+psycopg://"))
    else:
        engine = sa.create_engine(f"sqlite:///{book_url}")
    # the append-only triggers refuse a change
    with engine.begin() as c, pytest.raises(sa.exc.DatabaseError):
        c.exec_driver_sql("UPDATE drawdowns SET amount_fen = 1000000 WHERE id = 1")
    with engine.begin() as c:  # by hand, past the triggers
        if engine.dialect.name == "sqlite":
            c.exec_driver_sql("DROP TRIGGER drawdowns_no_update")
        else:
            c.exec_driver_sql("ALTER TABLE drawdowns DISABLE TRIGGER ALL")
        c.exec_driver_sql("UPDATE drawdowns SET amount_fen = 1000000 WHERE id = 1")
    engine.dispose()
    (folder / "loans.csv").write_text("changed", encoding="utf-8")
    status, found, _ = _run(capsys, "book", "verify", "--book", book_url, "--json")
    assert status == 4
    kinds = {(d["kind"], d["where"]) for d in found["differences"]}
    assert ("row_changed", "drawdowns 1") in kinds
    assert ("file_changed", "claim_files 1") in kinds


def test_newer_book_is_refused(tmp_path, capsys) -> None:
    path = tmp_path / "book.sqlite"
    Book(path).close()
    with sqlite3.connect(path) as c:
        c.execute(
            "INSERT INTO book_meta (schema_version, written_by, recorded_at, recorded_by, "
            "row_sha256) VALUES (99, 'relend 9', '', '', '')"
        )
    status, _, err = _run(capsys, "book", "show", "--book", str(path))
    assert status == 2
    assert "newer relend (schema version 99)" in err


def test_not_a_book_is_refused(tmp_path, capsys) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE t (x)")
    status, _, err = _run(capsys, "book", "show", "--book", str(path))
    assert status == 2 and "other tables" in err
    (tmp_path / "text.sqlite").write_text("not a database", encoding="utf-8")
    status, _, err = _run(capsys, "book", "show", "--book", str(tmp_path / "text.sqlite"))
    assert status == 2 and len(err.strip().splitlines()) == 1


def test_default_book_is_in_the_current_folder(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RELEND_BOOK", raising=False)
    assert main(["book", "history"]) == 0
    assert (tmp_path / "relend-book.sqlite").exists()
    monkeypatch.setenv("RELEND_BOOK", str(tmp_path / "env.sqlite"))
    assert main(["book", "history"]) == 0
    assert (tmp_path / "env.sqlite").exists()


_RECORD_AT_ONCE = """
import sys, time
from pathlib import Path
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
from calculators.cli import main
sys.exit(main(["book", "record", sys.argv[2], "--book", sys.argv[3]]))
"""


def test_two_processes_recording_at_once_both_land(tmp_path, book_url) -> None:
    import os
    import subprocess
    import sys
    import time

    folders = [_claim(tmp_path, lender, TECH_Q2, lender=lender) for lender in ("ICBC", "CCB")]
    Book(book_url).close()  # made (and migrated) before the race: the race is the writes
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RECORD_AT_ONCE, str(go), str(f), book_url],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in folders
    ]
    time.sleep(3)  # both processes are past their imports and polling
    go.touch()
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with Book(book_url) as book:
        claims = book.show(dt.date(2022, 8, 1)).claims
        assert sorted(claims["lender"]) == ["CCB", "ICBC"]
        assert book.verify().ok
        assert list(book.history()["action"]) == ["migrate", "record", "record"]


def _drawn_book(tmp_path: Path) -> str:
    """A book holding the 2022Q2 tech claim and 600,000.00 yuan drawn on 2022-07-15."""
    book_path = str(tmp_path / "book.sqlite")
    folder = _claim(tmp_path, "q2", TECH_Q2)
    assert main(["book", "record", str(folder), "--book", book_path]) == 0
    drawn = ["book", "drawdown", "1", "--date", "2022-07-15", "--amount", "600,000.00"]
    assert main([*drawn, "--book", book_path]) == 0
    return book_path


def test_the_ladder_as_csv_and_a_workbook_with_a_chart(tmp_path, capsys) -> None:
    import zipfile

    from openpyxl import load_workbook

    book_path = _drawn_book(tmp_path)
    out = tmp_path / "ladder"
    assert (
        main(
            [
                "book",
                "schedule",
                "--from",
                "2023-06-01",
                "--to",
                "2023-08-31",
                "--book",
                book_path,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    # 600,000.00 x 1.75% x 367/360 (2022-07-15 to Monday 2023-07-17) = 10,704.1666...
    lines = (out / "schedule.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == [
        "2023-06,0,0,0,0.00,0.00",
        '2023-07,60000000,1070417,61070417,"600,000.00","10,704.17"',
        "2023-08,0,0,0,0.00,0.00",
    ]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["total_due_fen"] == 61_070_417
    assert {f["name"] for f in summary["files"]} == {"schedule.csv", "schedule.xlsx"}
    with zipfile.ZipFile(out / "schedule.xlsx") as package:
        assert any(name.startswith("xl/charts/chart") for name in package.namelist())
    sheet = load_workbook(out / "schedule.xlsx").worksheets[0]
    assert [c.value for c in sheet[4]] == [
        "2023-07",
        60_000_000,
        1_070_417,
        61_070_417,
        600_000.0,
        10_704.17,
    ]
    # a user's own schedule.csv in the folder is never replaced
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "schedule.csv").write_text("mine", encoding="utf-8")
    assert (
        main(
            [
                "book",
                "schedule",
                "--from",
                "2023-06-01",
                "--to",
                "2023-08-31",
                "--book",
                book_path,
                "--out",
                str(tmp_path / "mine"),
            ]
        )
        == 2
    )
    assert (tmp_path / "mine" / "schedule.csv").read_text(encoding="utf-8") == "mine"


def test_the_web_app_shows_the_book(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from calculators.web import create_app

    book_path = _drawn_book(tmp_path)
    token = "book-page-token-0123456789"
    with TestClient(create_app(token, book=book_path)) as client:
        page = client.get("/book?lang=zh", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    assert "账簿" in page.text and "600,000.00 元" in page.text
