"""The project page's waivers in a real headless Chromium: the verdict names the waiver it relies
on and the accepted risks are listed, read from a served dashboard (handmade snapshot with one
applied and one expired waiver, see tests/dashboard/test_waivers_pages.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.pages import settled, shot
from tests.browser.served import served_dashboard
from tests.dashboard.handmade import GO, build_snapshot
from tests.dashboard.test_waivers_pages import APPLIED, add_waivers
from tests.services import free_port


def test_the_project_page_shows_the_waiver_the_verdict_relies_on(page: Any, tmp_path: Path) -> None:
    snapshot = add_waivers(build_snapshot(tmp_path / "published" / "readiness.duckdb"))
    with served_dashboard(snapshot, free_port()) as url:
        page.goto(f"{url}/project?project={GO}")
        page.get_by_role("heading", name="Support copilot").wait_for()
        settled(page)
        page.get_by_text("Accepted risks: waivers").wait_for()
        banner = page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
        assert banner.startswith("✅ GO, with 1 waiver")
        body = page.inner_text("body")
        assert APPLIED in body and "expires in 14 day(s)" in body
        shot(page, "waivers-project")
