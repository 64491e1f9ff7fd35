"""The web app in-process: the token, CSRF, the upload cap, 404s, bad input, every page
in both languages, and the API's answers against the command line's for the same
inputs."""

from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from calculators.cli import main
from calculators.web import create_app
from calculators.web._guard import csrf_token
from tests.paths import ROOT

TOKEN = "test-token-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client():
    with TestClient(create_app(TOKEN, max_upload_mb=1)) as c:
        yield c


def _files(**paths: str) -> dict:
    return {name: (Path(p).name, (ROOT / p).read_bytes()) for name, p in paths.items()}


def _wait(client: TestClient, kind: str, run_id: str) -> dict:
    for _ in range(240):
        state = client.get(f"/api/{kind}/{run_id}", headers=BEARER).json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.25)
    raise AssertionError("the run did not end")


def test_every_request_needs_the_token(client) -> None:
    assert client.get("/api/deadline?period=2022Q2").status_code == 401
    wrong = {"Authorization": "Bearer " + "x" * 26}
    refused = client.get("/api/deadline?period=2022Q2", headers=wrong)
    assert refused.status_code == 401
    assert refused.json()["exit_code"] == 2 and "Bearer" in refused.json()["error"]
    page = client.get("/claim", headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    assert page.status_code == 401 and "令牌" in page.text
    assert client.get("/api/deadline?period=2022Q2", headers=BEARER).status_code == 200


def test_the_token_once_then_a_strict_cookie(client) -> None:
    first = client.get(f"/claim?token={TOKEN}&lang=en", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/claim?lang=en"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/claim").status_code == 200  # the cookie now


def test_form_posts_need_the_csrf_token(client) -> None:
    client.get(f"/?token={TOKEN}")
    files = _files(ledger="examples/tech_ledger.csv")
    form = {"program": "tech", "period": "2022Q2", "lender": "ICBC"}
    assert client.post("/claim", data=form, files=files).status_code == 403
    assert client.post("/api/claims", data=form, files=files).status_code == 403
    other = client.post(
        "/claim",
        data={**form, "csrf": csrf_token(TOKEN)},
        files=files,
        headers={"Origin": "http://evil.example"},
    )
    assert other.status_code == 403
    ok = client.post(
        "/claim", data={**form, "csrf": csrf_token(TOKEN)}, files=files, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/claims/")
    # the bearer token is not a browser's: no CSRF token needed
    assert client.post("/api/claims", data=form, files=files, headers=BEARER).status_code == 202


def test_uploads_over_the_cap_are_refused_before_stored(client) -> None:
    big = {"ledger": ("big.csv", b"x" * (1024 * 1024 + 1))}
    form = {"program": "tech", "period": "2022Q2", "lender": "ICBC"}
    refused = client.post("/api/claims", data=form, files=big, headers=BEARER)
    assert refused.status_code == 413
    assert refused.json()["exit_code"] == 2
    runs = client.app.app.state.runs if hasattr(client.app, "app") else None
    if runs is not None:
        assert list(runs.root.iterdir()) == []

    def chunks():  # no Content-Length: counted as it comes
        for _ in range(3):
            yield b"y" * (512 * 1024)

    streamed = client.post(
        "/api/claims",
        content=chunks(),
        headers={**BEARER, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413


def test_unknown_runs_and_files_are_404(client) -> None:
    assert client.get("/api/claims/nope", headers=BEARER).status_code == 404
    files = _files(
        ledger="examples/tech_ledger.csv", eligible_borrowers="examples/tech_eligible.csv"
    )
    made = client.post(
        "/api/claims",
        headers=BEARER,
        files=files,
        data={"program": "tech", "period": "2022Q2", "lender": "ICBC"},
    )
    run_id = made.json()["id"]
    assert len(run_id) >= 32
    assert client.get(f"/api/audits/{run_id}", headers=BEARER).status_code == 404
    _wait(client, "claims", run_id)
    missing = client.get(f"/api/claims/{run_id}/files/..%2Fstdout", headers=BEARER)
    assert missing.status_code == 404
    assert client.get(f"/api/claims/{run_id}/files/stdout", headers=BEARER).status_code == 404
    assert client.delete(f"/api/claims/{run_id}", headers=BEARER).status_code == 204
    assert client.get(f"/api/claims/{run_id}", headers=BEARER).status_code == 404


def _cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_bad_input_is_the_command_lines_line_and_status(client, capsys) -> None:
    files = _files(
        ledger="examples/tech_ledger.csv", eligible_borrowers="examples/tech_eligible.csv"
    )
    made = client.post(
        "/api/claims",
        headers=BEARER,
        files=files,
        data={"program": "tech", "period": "2022Q2", "lender": "NOBANK", "lang": "en"},
    )
    state = _wait(client, "claims", made.json()["id"])
    status, _, err = _cli(
        capsys,
        [
            "claim",
            "tech",
            str(ROOT / "examples/tech_ledger.csv"),
            "--period",
            "2022Q2",
            "--lender",
            "NOBANK",
            "--eligible-borrowers",
            str(ROOT / "examples/tech_eligible.csv"),
            "--lang",
            "en",
        ],
    )
    assert (state["status"], state["exit_code"]) == ("failed", status) == ("failed", 2)
    assert "relend: error: " + state["error"] == err.strip()
    early = client.post("/api/claims", headers=BEARER, data={"program": "nope"})
    assert early.status_code == 400 and early.json()["exit_code"] == 2
    assert "Traceback" not in early.text


README_CLAIMS = [
    line.strip().rstrip("\\").strip()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    if line.strip().startswith("relend claim ")
]


def _readme_claims() -> list[list[str]]:
    out = []
    for line in README_CLAIMS:
        words = shlex.split(line.split("#")[0])[1:]
        if "--book" in words or "--sheet" in words:
            continue
        out.append(words)
    return out


@pytest.mark.parametrize("words", _readme_claims(), ids=lambda w: w[1])
def test_api_answers_as_the_command_line_for_the_readme(client, words, tmp_path, capsys) -> None:
    words = [w for w in words if w not in ("--json",)]
    if "--out" in words:
        at = words.index("--out")
        del words[at : at + 2]
    program, ledger = words[1], words[2]
    options = dict(zip(words[3::2], words[4::2], strict=False))
    data = {
        "program": program,
        "lang": "zh",
        "period": options.get("--quarter") or options.get("--period"),
        "lender": options["--lender"],
    }
    files = {"ledger": (Path(ledger).name, (ROOT / ledger).read_bytes())}
    for option, value in options.items():
        if option not in ("--quarter", "--period", "--lender", "--lang"):
            files[option[2:].replace("-", "_")] = (Path(value).name, (ROOT / value).read_bytes())
    made = client.post("/api/claims", headers=BEARER, data=data, files=files)
    assert made.status_code == 202, made.text
    state = _wait(client, "claims", made.json()["id"])
    argv = [*words[:2], str(ROOT / ledger)]
    for option, value in options.items():
        if option == "--lang":
            continue
        argv += [
            option,
            value if option in ("--quarter", "--period", "--lender") else str(ROOT / value),
        ]
    status, out, _ = _cli(capsys, [*argv, "--lang", "zh", "--json", "--out", str(tmp_path)])
    assert state["exit_code"] == status
    ours, theirs = state["summary"], json.loads(out)
    for summary in (ours, theirs):  # where each read its lists from
        for found in summary["list_files"].values():
            if found:
                found.pop("file")
        for written in summary["files"]:  # the workbook names those paths too
            if written["name"].endswith(".xlsx"):
                written.pop("sha256")
    assert ours == theirs
    loans = client.get(state["files"]["loans.csv"], headers=BEARER).content
    assert loans == (tmp_path / "loans.csv").read_bytes()


def test_deadline_and_policy_objects_are_the_command_lines(client, capsys) -> None:
    for period, calendar in (("2022Q2", "prc"), ("2026Q3", "sse"), ("2023-02", "prc")):
        _, out, _ = _cli(capsys, ["deadline", period, "--calendar", calendar, "--json"])
        got = client.get(f"/api/deadline?period={period}&calendar={calendar}", headers=BEARER)
        assert got.json() == json.loads(out)
    _, out, _ = _cli(
        capsys, ["policy", "show", "tech", "--version", "tech-2024", "--json", "--lang", "en"]
    )
    got = client.get("/api/policy/tech?version=tech-2024&lang=en", headers=BEARER)
    assert got.json() == json.loads(out)
    assert client.get("/api/policy/nope", headers=BEARER).status_code == 400


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/claim",
        "/audit",
        "/deadlines?year=2026",
        "/policy",
        "/facility?program=tech&amount=600,000.00&drawdown=2022-07-15",
        "/incentive?quarter=2022Q2&previous_balance=100,000,000.00&current_balance=123,456,789.01",
        "/book",
    ],
)
def test_every_page_in_both_languages(client, path, lang) -> None:
    sep = "&" if "?" in path else "?"
    page = client.get(f"{path}{sep}lang={lang}", headers=BEARER)
    assert page.status_code == 200
    assert ("再贷款申请" in page.text) == (lang == "zh")
    assert ("Relending claim" in page.text) == (lang == "en")
    assert 'src="http' not in page.text and 'href="http' not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_deadline_calendar_marks_holidays_makeup_days_and_deadlines(client) -> None:
    page = client.get("/deadlines?year=2022&lang=zh", headers=BEARER).text
    # 2022-07-10 is a Sunday: 2022Q2's deadline is Monday 2022-07-11
    assert re.search(r'class=" due" title="2022Q2, 2022-06"\s+data-date="2022-07-11"', page)
    assert re.search(r'class="holiday"\s+data-date="2022-10-03"', page)  # National Day
    assert re.search(r'class="makeup"\s+data-date="2022-10-08"', page)  # a working Saturday
    assert not re.search(r'class="(holiday|makeup)[^"]*"\s+data-date="2022-07-11"', page)
    assert "已发布" in page or "published" in page


def test_openapi_documents_the_api(client) -> None:
    spec = client.get("/openapi.json", headers=BEARER).json()
    for path in (
        "/api/claims",
        "/api/claims/{run_id}",
        "/api/claims/{run_id}/files/{name}",
        "/api/audits",
        "/api/deadline",
        "/api/policy/{program}",
    ):
        assert path in spec["paths"], path
    body = spec["paths"]["/api/claims"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert {"program", "period", "lender", "ledger", "eligible_borrowers", "dishonest"} <= set(
        body["schema"]["properties"]
    )


def test_two_users_at_once_each_get_their_own_results(client) -> None:
    ledger = _files(
        ledger="examples/tech_ledger.csv", eligible_borrowers="examples/tech_eligible.csv"
    )
    started = {
        lender: client.post(
            "/api/claims",
            headers=BEARER,
            files=ledger,
            data={"program": "tech", "period": "2022Q2", "lender": lender},
        )
        for lender in ("ICBC", "CCB")
    }  # both running before either is read
    results = {
        lender: _wait(client, "claims", made.json()["id"]) for lender, made in started.items()
    }
    assert {k: v["summary"]["lender"] for k, v in results.items()} == {"ICBC": "ICBC", "CCB": "CCB"}
    for lender, state in results.items():
        loans = client.get(state["files"]["loans.csv"], headers=BEARER).content
        summary = client.get(state["files"]["summary.json"], headers=BEARER).json()
        assert summary["lender"] == lender and len(loans) > 0
    assert results["ICBC"]["id"] != results["CCB"]["id"]


def test_the_facility_page_without_a_program_names_the_programs(client) -> None:
    # no program is assumed: the page says which ones there are
    page = client.get("/facility?amount=600,000.00&drawdown=2022-07-15", headers=BEARER)
    assert page.status_code == 200
    error = page.text.split('id="error">')[1].split("</p>")[0]
    assert error.startswith("工具 program=&#39;&#39; 不符合要求：应为以下之一：")  # Chinese first
    assert "tech" in error and "transport" in error


def test_the_policy_page_shows_figures_as_a_person_reads_them(client) -> None:
    # tech-2022 by its notice: 60% of the principal, relending at 1.75% from 2022-04-01,
    # claimed quarterly; tech-2024 has no last disbursement day yet
    page = client.get("/policy?program=tech&lang=zh", headers=BEARER).text
    assert "<td>60%</td>" in page
    assert "1.75%（自 2022-04-01 起）" in page
    assert "<td>按季度</td>" in page
    assert "<td>未定</td>" in page
    assert "\\u" not in page and "&#34;rate&#34;" not in page and '"rate"' not in page
    english = client.get("/policy?program=tech&lang=en", headers=BEARER).text
    assert "1.75% from 2022-04-01" in english and "<td>open</td>" in english


def test_programs_and_lenders_are_chosen_by_name_in_the_pages_language(client) -> None:
    # a clerk picks 科技创新再贷款 from a list of names, its code beside it in Chinese
    # brackets; the English page gives the English names
    page = client.get("/policy?program=carbon&lang=zh", headers=BEARER).text
    assert '<option value="tech" >科技创新再贷款（tech）</option>' in page
    assert '<option value="carbon" selected>碳减排支持工具（carbon）</option>' in page
    assert '<option value="microloan" >普惠小微贷款支持工具（microloan）</option>' in page
    assert ">tech</option>" not in page
    english = client.get("/policy?program=tech&lang=en", headers=BEARER).text
    assert '<option value="tech" selected>tech-innovation relending (tech)</option>' in english
    form = client.get("/claim?lang=zh", headers=BEARER).text
    assert ">科技创新再贷款（tech）</option>" in form and ">中国工商银行（ICBC）</option>" in form
    assert " (tech)" not in form and " (ICBC)" not in form
