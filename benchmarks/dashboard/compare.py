"""Old against new code: the project page of two checkouts, both served at once, loads alternated.

On a machine shared with other work the load moves from one minute to the next; measuring both
versions in the same run, in alternating order, keeps their ratio fair. Each version is served by
its own ``readiness dashboard`` on the large snapshot (``generate.py``) and warmed up; then each
round loads the project page once per version (a full page load, as ``run.py`` measures it) and
moves to it once through the app's navigation. ``--polled`` also times the full load the way
``run.py`` did before 2026-11-29 (Playwright's ``wait_for``, which polls with a back-off of up to
500 ms), to show what that way of waiting added.

    git archive <commit> | tar -x -C /tmp/old      # the old code, outside this work tree
    uv run python benchmarks/dashboard/compare.py /tmp/old [--rounds 10] [--polled]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from playwright.sync_api import sync_playwright

from benchmarks.dashboard.run import (
    GAP_CHART,
    TIMEOUT_MS,
    VEGA_CHART,
    load_project,
    switch_to_project,
)
from core.settings import REPO_ROOT, get_settings
from tests.browser.served import served_dashboard
from tests.services import CHROMIUM_ARGS, chromium_path, free_port

#: Older versions drew the gap chart with Vega, newer ones as inline SVG: either counts as drawn.
ANY_GAP_CHART = f"{VEGA_CHART}, {GAP_CHART}"
WARM_UP = 3


def load_project_polled(page: Any, url: str, project_id: str) -> float:
    """A full load of the project page timed with the waits ``run.py`` used before 2026-11-29."""
    started = time.perf_counter()
    page.goto(f"{url}/project?project={project_id}")
    page.get_by_text("Report (PDF)").wait_for(timeout=TIMEOUT_MS)
    page.locator(ANY_GAP_CHART).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="a checkout of the old code")
    parser.add_argument(
        "--large", type=Path, default=get_settings().home / "bench" / "dashboard.duckdb"
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--polled", action="store_true")
    args = parser.parse_args()
    with duckdb.connect(str(args.large), read_only=True) as con:
        project = str(
            (
                con.execute(
                    "select project_id from recommendations "
                    "where is_latest and recommendation <> 'go' order by project_id limit 1"
                ).fetchone()
                or ("",)
            )[0]
        )
    measures: dict[str, Callable[[Any, str], float]] = {
        "project warm (full page load)": lambda page, url: load_project(
            page, url, project, ANY_GAP_CHART
        ),
        "project switch warm (in-app navigation)": lambda page, url: switch_to_project(
            page, ANY_GAP_CHART
        ),
    }
    if args.polled:
        measures["project warm, timed as before (polled)"] = lambda page, url: load_project_polled(
            page, url, project
        )
    versions = {"old": args.old.resolve(), "new": REPO_ROOT}
    times: dict[tuple[str, str], list[float]] = {(m, v): [] for m in measures for v in versions}
    with (
        served_dashboard(args.large, free_port(), root=versions["old"]) as old_url,
        served_dashboard(args.large, free_port(), root=versions["new"]) as new_url,
        sync_playwright() as playwright,
    ):
        urls = {"old": old_url, "new": new_url}
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            pages = {}
            for version, url in urls.items():
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                pages[version] = context.new_page()
                for _ in range(WARM_UP):
                    load_project(pages[version], url, project, ANY_GAP_CHART)
            for index in range(args.rounds):
                order = list(versions) if index % 2 == 0 else list(versions)[::-1]
                for name, measure in measures.items():
                    for version in order:
                        times[name, version].append(measure(pages[version], urls[version]))
        finally:
            browser.close()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {args.rounds} rounds · project {project}")
    print("| measure | old | new | new / old |")
    print("| --- | ---: | ---: | ---: |")
    for name in measures:
        old = statistics.median(times[name, "old"])
        new = statistics.median(times[name, "new"])
        print(f"| {name} | {old:.2f} s | {new:.2f} s | {new / old:.2f} |")


if __name__ == "__main__":
    main()
