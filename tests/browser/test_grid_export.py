"""The data grid's own "Download as CSV" is off in the served dashboard (a real Chromium).

The grid would hand out its cells as they are: a cell from evidence starting with ``=`` runs as a
formula in a spreadsheet. Every table has the app's own download button, whose CSV is neutralised
(tests/dashboard/test_reports.py checks that CSV).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.pages import settled
from tests.browser.served import served_dashboard
from tests.dashboard.handmade import build_snapshot
from tests.services import free_port


def test_the_grid_toolbar_offers_no_csv_download(browser: Any, tmp_path: Path) -> None:
    snapshot = build_snapshot(tmp_path / "handmade" / "readiness.duckdb")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        with served_dashboard(snapshot, free_port()) as url:
            page.goto(url)
            settled(page)
            grid = page.locator("[data-testid='stDataFrame']").first
            grid.scroll_into_view_if_needed()
            grid.hover()
            toolbar = page.locator("[data-testid='stElementToolbar']").first
            toolbar.wait_for(state="visible")
            buttons = toolbar.locator("button").evaluate_all(
                "bs => bs.map(b => b.getAttribute('aria-label') || b.innerText)"
            )
            # The toolbar is there (search, full screen), without the grid's CSV download.
            assert any("Search" in b or "Fullscreen" in b for b in buttons), buttons
            assert not [b for b in buttons if "Download" in b or "CSV" in b], buttons
            # The app's own button is offered instead.
            assert page.get_by_role("button", name="Download recurring-blockers.csv").count() == 1
    finally:
        context.close()
