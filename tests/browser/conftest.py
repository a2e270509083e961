"""Fixtures of the browser tests: the flow's snapshot served by ``readiness dashboard`` and a real
headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.pages import TIMEOUT_MS
from tests.browser.served import served_dashboard
from tests.conftest import Assessed
from tests.services import CHROMIUM_ARGS, chromium_path, free_port


@pytest.fixture(scope="module")
def dashboard_url(
    assessed_examples: Assessed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The dashboard served on a free port, reading a copy of the flow's published snapshot."""
    snapshot = tmp_path_factory.mktemp("browser") / "readiness.duckdb"
    shutil.copyfile(assessed_examples.snapshot, snapshot)
    with served_dashboard(snapshot, free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A real headless Chromium."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new browser context (no cookies) and a page in it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()
