"""The web app in a real headless Chromium (Debian's chromium, driven by Playwright):
a clerk's claim from the example files, the entitlement read on the page, the workbook
downloaded and compared with the command line's, the language switched, every page
photographed, and not one request to another host."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from calculators.cli import main
from tests.paths import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "browser-token-0123456789"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed: the real-browser tests did not run",
)

# as the machine's own probe starts it: no background traffic, no sandbox as root
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from calculators.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(TOKEN), host="127.0.0.1", port=port, log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    for _ in range(200):
        if served.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("RELEND_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(
            accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.on("request", lambda r: page.requests.append(r.url))  # type: ignore[attr-defined]
        page.refused = []  # type: ignore[attr-defined]
        page.on(
            "console", lambda m: "Content Security Policy" in m.text and page.refused.append(m.text)
        )  # type: ignore[attr-defined]
        yield page
        browser.close()


def _own(page, server: str) -> None:
    assert page.refused == []  # nothing the pages do is refused by their own policy
    others = [
        u
        for u in page.requests
        if not u.startswith(server) and not u.startswith("data:") and not u.startswith("blob:")
    ]
    assert others == []


def _cell_values(path: Path) -> dict[str, list[list[object]]]:
    """Every cell, but the list file's path (where each run read it from)."""
    book = load_workbook(path, read_only=True)
    return {
        ws.title: [
            list(r)
            for r in ws.iter_rows(values_only=True)
            if not (len(r) > 1 and str(r[1]).startswith("list_files."))
        ]
        for ws in book
    }


def test_a_clerk_claims_in_the_browser(page, server, shots, tmp_path) -> None:
    page.goto(f"{server}/?token={TOKEN}")
    assert page.locator("h1").inner_text() == "再贷款申请"
    page.screenshot(path=str(shots / "claim-form-zh.png"), full_page=True)
    page.select_option("#program", "tech")
    page.fill("#period", "2022Q2")
    page.select_option("#lender", "ICBC")
    page.set_input_files("#ledger", str(ROOT / "examples/tech_ledger.csv"))
    page.set_input_files("#list-tech-eligible_borrowers", str(ROOT / "examples/tech_eligible.csv"))
    page.click("#run")
    page.wait_for_selector("#entitlement", timeout=120_000)
    assert page.locator("#entitlement").inner_text() == "350,649,386.32 元"
    assert page.locator("#deadline").inner_text().startswith("2022-07-11")
    page.wait_for_selector("#chart .main-svg", timeout=30_000)  # plotly drew the chart
    page.screenshot(path=str(shots / "claim-result-zh.png"), full_page=True)
    with page.expect_download() as got:
        page.click("#downloads >> text=claim.xlsx")
    downloaded = tmp_path / "web-claim.xlsx"
    got.value.save_as(downloaded)
    assert (
        main(
            [
                "claim",
                "tech",
                str(ROOT / "examples/tech_ledger.csv"),
                "--quarter",
                "2022Q2",
                "--lender",
                "ICBC",
                "--eligible-borrowers",
                str(ROOT / "examples/tech_eligible.csv"),
                "--lang",
                "zh",
                "--out",
                str(tmp_path / "cli"),
                "--quiet",
            ]
        )
        == 3
    )
    assert _cell_values(downloaded) == _cell_values(tmp_path / "cli" / "claim.xlsx")
    page.click("#lang-en")
    assert page.locator("h1").inner_text() == "Relending claim"
    page.screenshot(path=str(shots / "claim-result-en.png"), full_page=True)
    _own(page, server)


@pytest.mark.parametrize(
    "path,name",
    [
        ("/audit", "audit"),
        ("/deadlines?year=2026", "deadlines"),
        ("/policy?program=tech", "policy"),
        ("/facility?program=tech&amount=600,000.00&drawdown=2022-07-15&extensions=2", "facility"),
        (
            "/incentive?quarter=2022Q2&previous_balance=100,000,000.00&current_balance=123,456,789.01",
            "incentive",
        ),
    ],
)
def test_every_page_opens_in_the_browser(page, server, shots, path, name) -> None:
    page.goto(f"{server}/?token={TOKEN}")
    page.goto(f"{server}{path}")
    assert page.locator("h1").count() == 1
    assert page.locator(".error").count() == 0
    page.screenshot(path=str(shots / f"{name}-zh.png"), full_page=True)
    _own(page, server)


def test_an_audit_shows_differences_first(page, server, shots) -> None:
    page.goto(f"{server}/audit?token={TOKEN}")
    page.select_option("#program", "tech")
    page.fill("#period", "2022Q2")
    page.select_option("#lender", "ICBC")
    page.set_input_files("#ledger", str(ROOT / "examples/tech_ledger.csv"))
    page.set_input_files("#submitted", str(ROOT / "examples/tech_submitted.csv"))
    page.set_input_files("#list-tech-eligible_borrowers", str(ROOT / "examples/tech_eligible.csv"))
    page.fill("#tolerance_fen", "1")
    page.click("#run")
    page.wait_for_selector("#differences", timeout=120_000)
    assert page.locator("#differences").inner_text() == "3"
    assert page.locator("#clawback").inner_text() == "29,096,071.04 元"
    first = page.locator("#audit-rows tr").nth(1).get_attribute("class")
    assert first in ("overclaimed", "duplicate_claim")
    page.screenshot(path=str(shots / "audit-result-zh.png"), full_page=True)
    _own(page, server)
