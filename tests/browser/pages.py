"""What the browser tests do on a Streamlit page: wait until it is drawn, save screenshots, and
check that a page shows none of the data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.browser.served import ARTIFACTS

TIMEOUT_MS = 60_000
SIGN_IN_PROMPT = "Sign in to see the assessments."


def settled(page: Any, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished running the script (no 'Running...' status left)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )


def shot(page: Any, name: str) -> None:
    """The page as the user sees it, and each chart on it (Streamlit scrolls inside the page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    charts = page.locator("[data-testid='stVegaLiteChart'], svg[data-chart]")
    for index, chart in enumerate(charts.all()):
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(ARTIFACTS / f"{name}-chart{index + 1}.png"))


def shows_no_data(page: Any, names: Iterable[str], where: str = "") -> None:
    """The sign-in prompt is shown, and no project name, table or chart is on the page."""
    page.get_by_text(SIGN_IN_PROMPT).wait_for()
    settled(page)
    body = page.inner_text("body")
    shown = [name for name in names if name in body]
    assert not shown, f"{where}: {shown} shown before sign-in"
    for element in ("stDataFrame", "stVegaLiteChart", "stMetric"):
        assert page.locator(f"[data-testid='{element}']").count() == 0, f"{where}: {element}"
    for drawn in ("svg[data-chart]", "dl.figures", "[data-testid='stMarkdown'] table"):
        assert page.locator(drawn).count() == 0, f"{where}: {drawn}"
