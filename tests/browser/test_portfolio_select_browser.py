"""The portfolio selector and the page across portfolios in a real headless Chromium: choosing a
portfolio in the sidebar changes the page and the URL; the rollups page lists both portfolios
(two published portfolios: the example and its renamed copy, see tests/dashboard/portfolios.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.pages import TIMEOUT_MS, settled, shot
from tests.browser.served import served_dashboard
from tests.conftest import Assessed
from tests.dashboard.portfolios import SECOND, two_portfolios
from tests.services import free_port


def _opened_project(page: Any) -> str:
    """The project the portfolio page's "Project to open" box shows (its name and id)."""
    box = page.get_by_role("combobox", name="Project to open")
    box.wait_for()
    return str(box.input_value())


def test_choosing_a_portfolio_changes_every_page(
    page: Any, assessed_examples: Assessed, tmp_path: Path
) -> None:
    folder = two_portfolios(assessed_examples.snapshot, tmp_path / "published")
    with served_dashboard(folder, free_port()) as url:
        walk(page, url, assessed_examples.snapshot.stem)


def walk(page: Any, url: str, example: str) -> None:
    """Choose the other portfolio on the portfolio page, open a link, open the page across."""
    page.goto(url)
    page.get_by_role("heading", name="Open a project").wait_for()
    settled(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    selector = sidebar.get_by_role("combobox", name="Portfolio")
    assert selector.input_value() == SECOND  # the first portfolio in id order
    assert "EMEA " in _opened_project(page)
    assert sidebar.get_by_role("link", name="Across portfolios").count() == 1
    shot(page, "portfolio-select-emea")

    selector.click()
    page.get_by_role("option", name=example, exact=True).click()
    page.wait_for_url(f"**portfolio={example}**")
    page.wait_for_function(
        "() => !document.querySelector('input[aria-label=\"Project to open\"]')"
        ".value.startsWith('EMEA ')",
        timeout=TIMEOUT_MS,
    )
    settled(page)
    assert selector.input_value() == example
    assert "EMEA " not in _opened_project(page)
    shot(page, "portfolio-select-example")

    # A link opens the same portfolio: the project page offers its projects only.
    page.goto(f"{url}/project?portfolio={SECOND}")
    page.get_by_text("Report (PDF)").first.wait_for()
    settled(page)
    assert "EMEA " in page.locator("h1").first.inner_text()

    sidebar.get_by_role("link", name="Across portfolios").click()
    page.wait_for_url("**/portfolios**")
    page.get_by_role("heading", name="AI production readiness: across portfolios").wait_for()
    page.locator("[data-testid='stDataFrame']").wait_for()
    page.locator("[data-testid='stVegaLiteChart']").wait_for()
    settled(page)
    page.get_by_text("Download rollups-by-portfolio.csv").wait_for()
    assert page.locator("[data-testid='stVegaLiteChart']").bounding_box()["width"] > 300
    shot(page, "portfolio-across")
