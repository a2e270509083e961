"""Benchmark: the example portfolio's first run on a fresh home, with its history.

Run by hand (never in tests): ``uv run python benchmarks/history/run.py``.

With a local Prefect server (as ``benchmarks/portfolio/run.py`` starts it), three runs of the real
flow, each into its own fresh home except the last:

- baseline: the example portfolio without its history (one run: what a first run cost before);
- first run: with its history (three earlier weeks, then today; one dbt build);
- later run: the same home again (the weeks are there: only today, its measurements cached).

Where the time goes comes from the flow run's Prefect task runs, per assessed week: start (the
run's record, retention and scrubbing), ingest (wall time of the parallel measurement), write;
then once for all weeks: dbt, publish and announce.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "portfolio_run", REPO / "benchmarks/portfolio/run.py"
)
assert _spec and _spec.loader
portfolio_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(portfolio_run)
STEPS = {"start": "start-run", "ingest": "ingest-project", "write": "write-evidence"}
ONCE = {"dbt": "build-marts", "publish": "publish-snapshot", "announce": "announce-run"}


def task_runs(flow_run_id: object) -> list[Any]:
    """Every task run of one flow run, oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])), limit=200
        )
    return sorted((r for r in runs if r.start_time and r.end_time), key=lambda r: r.start_time)


def span(runs: list[Any], prefix: str) -> float:
    mine = [r for r in runs if r.name.startswith(prefix)]
    if not mine:
        return 0.0
    return (max(r.end_time for r in mine) - min(r.start_time for r in mine)).total_seconds()


def run(home: Path, history: bool) -> dict[str, Any]:
    """One flow run of the examples into ``home``: total, per-week steps and the once-only steps."""
    os.environ["READINESS_HOME"] = str(home)
    from core.settings import get_settings
    from flows.assess import assess_portfolio

    get_settings.cache_clear()
    began = time.perf_counter()
    state = assess_portfolio(
        str(REPO / "examples" / "portfolio.yml"), history=history, return_state=True
    )
    total = time.perf_counter() - began
    if not state.is_completed():
        raise RuntimeError(f"the run failed: {state}")
    runs = task_runs(state.state_details.flow_run_id)
    starts = [i for i, r in enumerate(runs) if r.name.startswith("start-run")]
    weeks = [runs[a:b] for a, b in zip(starts, [*starts[1:], len(runs)], strict=True)]
    return {
        "total": total,
        "weeks": [{step: span(week, prefix) for step, prefix in STEPS.items()} for week in weeks],
        **{step: span(runs, prefix) for step, prefix in ONCE.items()},
    }


def main() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    server, api = portfolio_run.start_server(work / "prefect")
    os.environ["PREFECT_API_URL"] = api
    try:
        results = {
            "baseline: no history (1 run)": run(work / "base", history=False),
            "first run: 3 weeks + today": run(work / "home", history=True),
            "later run: today only": run(work / "home", history=True),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {os.getloadavg()[0]:.1f}")
    print()
    print("| run | total | runs | start | ingest | write | dbt | publish | announce |")
    print("| --- | ---: | ---: | --- | --- | --- | ---: | ---: | ---: |")
    for name, r in results.items():
        per_week = {step: " + ".join(f"{w[step]:.1f}" for w in r["weeks"]) + " s" for step in STEPS}
        print(
            f"| {name} | {r['total']:.1f} s | {len(r['weeks'])} | {per_week['start']} | "
            f"{per_week['ingest']} | {per_week['write']} | {r['dbt']:.1f} s | "
            f"{r['publish']:.1f} s | {r['announce']:.1f} s |"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
