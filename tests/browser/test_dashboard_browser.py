"""The served dashboard in a real headless Chromium: move through the pages, check what they
show, and save a screenshot of each under ``test-artifacts/browser/``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from core.access import hash_password
from tests.browser.pages import TIMEOUT_MS, settled, shot, shows_no_data
from tests.browser.served import served_dashboard
from tests.conftest import Assessed
from tests.dashboard.helpers import read
from tests.services import free_port


def test_portfolio_page(page: Any, dashboard_url: str, assessed_examples: Assessed) -> None:
    latest = read(assessed_examples.snapshot, "select * from recommendations where is_latest")
    page.goto(dashboard_url)
    page.get_by_role("heading", name="AI production readiness: portfolio").wait_for()
    settled(page)
    go = int((latest["recommendation"] == "go").sum())
    # Streamlit draws elements one by one: wait until the counts are on the page, then read them.
    page.wait_for_function(
        "(n) => [...document.querySelectorAll(\"[data-testid='stMetric']\")]"
        ".some(m => m.innerText.startsWith('Projects') && m.innerText.trim().endsWith(n))",
        arg=str(len(latest)),
    )
    page.wait_for_function(
        "(n) => [...document.querySelectorAll(\"[data-testid='stMetric']\")]"
        ".some(m => m.innerText.includes('Go') && m.innerText.trim().endsWith(n))",
        arg=str(go),
    )
    metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
    assert any(m.startswith("Projects") and m.endswith(str(len(latest))) for m in metrics)
    assert any("Go" in m and m.endswith(str(go)) for m in metrics)
    page.locator(
        "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
    ).first.wait_for()
    body = page.inner_text("body")
    for heading in ("Ranking", "Blockers that recur across projects", "Closest to go"):
        assert heading in body
    shot(page, "01-portfolio")


def test_project_page_through_the_navigation(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    settled(page)
    page.get_by_role("link", name="Project").first.click()
    page.wait_for_url("**/project**")
    settled(page)
    page.goto(f"{dashboard_url}/project?project=sales_forecast_assistant")
    page.get_by_role("heading", name="Sales forecast assistant").wait_for()
    settled(page)
    # The report downloads are the page's last elements: once they are drawn, the page is.
    page.get_by_text("Report (PDF)").first.wait_for()
    body = page.inner_text("body")
    assert "NOT YET" in body
    assert "Why: readiness by gap" in body
    assert "What it costs at scale" in body
    assert "Total effort" in body and "Timeline" in body
    assert "Report (PDF)" in body
    # The gap chart (the report's SVG): title, axis label, and each gap's score and status.
    chart = page.locator("svg[data-chart='gap-scores']")
    chart.wait_for()
    drawn = chart.evaluate("c => c.textContent")
    assert "Readiness by gap" in drawn and "Score (0-100)" in drawn
    assert "Scale" in drawn and "Blocked" in drawn
    assert chart.bounding_box()["width"] > 300
    # The roadmap: a static table of its actions and its CSV, the interactive table on demand.
    roadmap = page.locator("[data-testid='stMarkdown'] table").first
    assert "Priority" in roadmap.inner_text()
    page.get_by_text("Download sales_forecast_assistant-roadmap.csv").wait_for()
    shot(page, "02-project")
    # The tables are drawn once their expander is opened (only that section reruns).
    tables = page.locator("[data-testid='stDataFrame']")
    assert tables.count() == 0
    page.get_by_text("Sort and search the roadmap").click()
    tables.nth(0).wait_for()
    page.get_by_text("Inputs read (").click()
    tables.nth(1).wait_for()
    page.get_by_text("What we could not use (").click()
    page.get_by_text("No row was refused.").or_(tables.nth(2)).wait_for()
    assert "Sales forecast assistant" in page.inner_text("h1")


def test_gap_drill_down_and_what_if(page: Any, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}/gap?project=sales_forecast_assistant&gap=scale")
    page.get_by_role("heading", name="What if: cost at scale").wait_for()
    settled(page)
    body = page.inner_text("body")
    assert "Load tests" in body and "Measured against thresholds" in body
    slider_before = page.inner_text("body")
    # The volume control steps through the scenarios dbt priced: one step down (-25%) shows that
    # scenario's figures instead of today's.
    sentence = page.get_by_text(re.compile(r"requests a month and \d+% of today's prices"))
    before = sentence.inner_text()
    volume = page.get_by_role("slider").first
    volume.focus()
    volume.press("ArrowLeft")
    page.wait_for_function(
        "(before) => !document.body.innerText.includes(before)", arg=before, timeout=TIMEOUT_MS
    )
    assert "and 100% of today's prices" in sentence.inner_text()
    assert "(-25%)" in page.inner_text("body")
    assert slider_before != page.inner_text("body")
    shot(page, "03-gap-scale")
    page.goto(f"{dashboard_url}/gap?project=contract_review&gap=stakeholder_alignment")
    page.get_by_role("heading", name="Stakeholder groups by questions").wait_for()
    settled(page)
    shot(page, "04-gap-stakeholders")


def test_trends_page(page: Any, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}/trends?project=churn_predictor")
    # The portfolio's trend is the page's last section: once it is drawn, the page is.
    page.get_by_role("heading", name="Portfolio: mean gap scores over runs").wait_for()
    settled(page)
    body = page.inner_text("body")
    assert "What changed between two runs" in body
    assert "Churn predictor: scores over runs" in body
    assert "Portfolio: mean gap scores over runs" in body
    shot(page, "05-trends")


def test_with_login_on_a_browser_that_has_not_signed_in_sees_no_data(
    page: Any, assessed_examples: Assessed, tmp_path: Path
) -> None:
    snapshot = tmp_path / "readiness.duckdb"
    shutil.copyfile(assessed_examples.snapshot, snapshot)
    names = read(snapshot, "select distinct project_name from recommendations")["project_name"]
    env = {
        "READINESS_DASHBOARD_LOGIN": "true",
        "READINESS_DASHBOARD_USER": "exec",
        "READINESS_DASHBOARD_PASSWORD": hash_password("browser-secret"),
    }
    with served_dashboard(snapshot, free_port(), env=env) as url:
        for path in ("", "/project?project=support_copilot", "/gap?project=support_copilot"):
            page.goto(url + path)
            shows_no_data(page, names, path)
        shot(page, "06-login")
        page.get_by_role("textbox", name="User name").fill("exec")
        page.get_by_role("textbox", name="Password").fill("browser-secret")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as exec").wait_for()
        page.locator("[data-testid='stMetric']").first.wait_for()
        assert any(name in page.inner_text("body") for name in names)
