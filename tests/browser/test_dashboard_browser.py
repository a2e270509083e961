"""The served dashboard in a real headless Chromium: move through the pages, check what they
show, and save a screenshot of each under ``test-artifacts/browser/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.served import ARTIFACTS
from tests.conftest import Assessed
from tests.dashboard.helpers import read

TIMEOUT_MS = 60_000


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def _settled(page: Any) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' status left)."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS
    )


def _shot(page: Any, name: str) -> None:
    """The page as the user sees it, and each chart on it (Streamlit scrolls inside the page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    for index, chart in enumerate(page.locator("[data-testid='stVegaLiteChart']").all()):
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(ARTIFACTS / f"{name}-chart{index + 1}.png"))


def test_portfolio_page(page: Any, dashboard_url: str, assessed_examples: Assessed) -> None:
    latest = read(assessed_examples.snapshot, "select * from recommendations where is_latest")
    page.goto(dashboard_url)
    page.get_by_role("heading", name="AI production readiness: portfolio").wait_for()
    _settled(page)
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
    _shot(page, "01-portfolio")


def test_project_page_through_the_navigation(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    _settled(page)
    page.get_by_role("link", name="Project").first.click()
    page.wait_for_url("**/project**")
    _settled(page)
    page.goto(f"{dashboard_url}/project?project=sales_forecast_assistant")
    page.get_by_role("heading", name="Sales forecast assistant").wait_for()
    _settled(page)
    # The report downloads are the page's last elements: once they are drawn, the page is.
    page.get_by_text("Report (PDF)").first.wait_for()
    body = page.inner_text("body")
    assert "NOT YET" in body
    assert "Why: readiness by gap" in body
    assert "What it costs at scale" in body
    assert "Total effort" in body and "Timeline" in body
    assert "Report (PDF)" in body
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    _shot(page, "02-project")


def test_gap_drill_down_and_what_if(page: Any, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}/gap?project=sales_forecast_assistant&gap=scale")
    page.get_by_role("heading", name="What if: cost at scale").wait_for()
    _settled(page)
    body = page.inner_text("body")
    assert "Load tests" in body and "Measured against thresholds" in body
    slider_before = page.inner_text("body")
    volume = page.get_by_label("Requests per month")
    volume.fill("0")
    volume.press("Enter")
    page.wait_for_function(
        "() => document.body.innerText.includes('At 0 requests a month')", timeout=TIMEOUT_MS
    )
    assert slider_before != page.inner_text("body")
    _shot(page, "03-gap-scale")
    page.goto(f"{dashboard_url}/gap?project=contract_review&gap=stakeholder_alignment")
    page.get_by_role("heading", name="Stakeholder groups by questions").wait_for()
    _settled(page)
    _shot(page, "04-gap-stakeholders")


def test_trends_page(page: Any, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}/trends?project=churn_predictor")
    page.get_by_role("heading", name="What changed between two runs").wait_for()
    _settled(page)
    body = page.inner_text("body")
    assert "Churn predictor: scores over runs" in body
    assert "Portfolio: mean gap scores over runs" in body
    _shot(page, "05-trends")


def test_with_login_on_a_browser_that_has_not_signed_in_sees_no_data(
    browser: Any, assessed_examples: Assessed, tmp_path: Any
) -> None:
    import shutil

    from tests.browser.served import served_dashboard
    from tests.services import free_port

    snapshot = tmp_path / "readiness.duckdb"
    shutil.copyfile(assessed_examples.snapshot, snapshot)
    names = read(snapshot, "select distinct project_name from recommendations")["project_name"]
    env = {
        "READINESS_DASHBOARD_LOGIN": "true",
        "READINESS_DASHBOARD_USER": "exec",
        "READINESS_DASHBOARD_PASSWORD": "browser-secret",
    }
    with served_dashboard(snapshot, free_port(), env=env) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        for path in ("", "/project?project=support_copilot", "/gap?project=support_copilot"):
            page.goto(url + path)
            page.get_by_text("Sign in to see the assessments.").wait_for()
            _settled(page)
            body = page.inner_text("body")
            assert not any(name in body for name in names), path
            assert page.locator("[data-testid='stDataFrame']").count() == 0
        _shot(page, "06-login")
        page.get_by_role("textbox", name="User name").fill("exec")
        page.get_by_role("textbox", name="Password").fill("browser-secret")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as exec").wait_for()
        page.locator("[data-testid='stMetric']").first.wait_for()
        assert any(name in page.inner_text("body") for name in names)
        context.close()
