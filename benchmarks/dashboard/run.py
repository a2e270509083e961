"""Dashboard benchmark: the portfolio and project pages measured in a real headless Chromium.

Each snapshot is served by ``readiness dashboard`` on a free port (a fresh server, so caches
start cold). For each page: the first load (cold: the server's query cache is empty) and the
median of several further loads in new browser sessions (warm: cached query results). A page is
"fully rendered" when its last element is on screen, its charts (and on the portfolio its tables)
are drawn, no element is still a placeholder and Streamlit reports that the script has finished.
That condition is checked on every animation frame: Playwright's own waits (``locator.wait_for``)
poll with a back-off of up to 500 ms between checks, which added that much to a figure at random.

The baseline is the example portfolio (5 projects, the flow's own snapshot), measured in the same
run; the large snapshot comes from ``generate.py`` (1,000 projects x 52 weekly runs, or
``--weeks 104``).

    uv run readiness run
    uv run python benchmarks/dashboard/generate.py
    uv run python benchmarks/dashboard/run.py [--baseline SNAPSHOT] [--large SNAPSHOT]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from playwright.sync_api import sync_playwright

from core.settings import get_settings
from tests.browser.served import served_dashboard
from tests.services import CHROMIUM_ARGS, chromium_path, free_port

WARM_REPEATS = 5
TIMEOUT_MS = 120_000


#: A Vega chart once drawn (the portfolio's heatmap), and the project page's gap chart (inline SVG).
VEGA_CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
GAP_CHART = "svg[data-chart='gap-scores']"
#: Fully rendered: the page's last element (a download button) and a chart are on screen, the
#: data grid too when asked, no element is a placeholder (a skeleton while its code loads) and
#: the script has finished (Streamlit's "Running..." status is gone).
DRAWN = """([last, chart, grid]) => {
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const any = (selector) => [...document.querySelectorAll(selector)].some(shown);
  const buttons = [...document.querySelectorAll("[data-testid='stDownloadButton'] button")];
  return buttons.some((b) => b.innerText.trim() === last && shown(b))
    && any(chart)
    && (!grid || any("[data-testid='stDataFrame']"))
    && !document.querySelector("[data-testid='stSkeleton']")
    && !document.querySelector("[data-testid='stStatusWidget']");
}"""


def drawn(page: Any, last: str, chart: str, grid: bool = False) -> None:
    """Wait until the page is fully rendered, checked on every animation frame."""
    page.wait_for_function(DRAWN, arg=[last, chart, grid], polling="raf", timeout=TIMEOUT_MS)


def load_portfolio(page: Any, url: str) -> float:
    """Seconds until the portfolio page is fully rendered."""
    started = time.perf_counter()
    page.goto(url)
    drawn(page, "Portfolio report (PDF)", VEGA_CHART, grid=True)
    return time.perf_counter() - started


def load_project(page: Any, url: str, project_id: str, chart: str = GAP_CHART) -> float:
    """Seconds until a project's executive view is fully rendered."""
    started = time.perf_counter()
    page.goto(f"{url}/project?project={project_id}")
    drawn(page, "Report (PDF)", chart)
    return time.perf_counter() - started


def switch_to_project(page: Any, chart: str = GAP_CHART) -> float:
    """Seconds from clicking "Project" in the app's navigation (no page reload, as a user moves
    between pages) until the project's executive view is fully rendered."""
    page.get_by_role("link", name="Portfolio").first.click()
    drawn(page, "Portfolio report (PDF)", VEGA_CHART, grid=True)
    started = time.perf_counter()
    page.get_by_role("link", name="Project").first.click()
    drawn(page, "Report (PDF)", chart)
    return time.perf_counter() - started


def measure(browser: Any, snapshot: Path) -> dict[str, float]:
    """Cold and warm seconds of both pages on one snapshot.

    Cold: a fresh server (empty query cache) and a fresh browser (empty HTTP cache). Warm: the
    median of further loads of the same page by the same browser (each a full page load).
    """
    with duckdb.connect(str(snapshot), read_only=True) as con:
        project = (
            con.execute(
                "select project_id from recommendations where is_latest and recommendation <> 'go' "
                "order by project_id limit 1"
            ).fetchone()
            or ("",)
        )[0]
    result: dict[str, float] = {}
    for name, load in (
        ("portfolio", lambda page, url: load_portfolio(page, url)),
        ("project", lambda page, url: load_project(page, url, project)),
    ):
        with served_dashboard(snapshot, free_port()) as url:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            result[f"{name}_cold"] = load(page, url)
            result[f"{name}_warm"] = statistics.median(load(page, url) for _ in range(WARM_REPEATS))
            if name == "project":
                result["project_switch_warm"] = statistics.median(
                    switch_to_project(page) for _ in range(WARM_REPEATS)
                )
            context.close()
    return result


def _size(snapshot: Path) -> str:
    """A snapshot's projects and runs, in words."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        projects, runs = con.execute(
            "select count(distinct project_id), count(distinct run_id) from recommendations"
        ).fetchone() or (0, 0)
    return f"{projects:,} projects x {runs} runs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=get_settings().snapshot / "example.duckdb")
    parser.add_argument(
        "--large", type=Path, default=get_settings().home / "bench" / "dashboard.duckdb"
    )
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            baseline = measure(browser, args.baseline)
            large = measure(browser, args.large)
        finally:
            browser.close()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.platform()} · "
        f"{platform.processor() or platform.machine()}"
    )
    print(f"| measure | baseline ({_size(args.baseline)}) | {_size(args.large)} | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for key in (
        "portfolio_cold",
        "portfolio_warm",
        "project_cold",
        "project_warm",
        "project_switch_warm",
    ):
        print(
            f"| {key.replace('_', ' ')} | {baseline[key]:.2f} s | {large[key]:.2f} s | "
            f"{large[key] / baseline[key]:.2f} |"
        )


if __name__ == "__main__":
    main()
