"""Benchmark: a generated portfolio of N projects (default 50), cold run and unchanged re-run.

Run by hand (never in tests): ``uv run python benchmarks/portfolio/run.py [--projects 50]``.

It starts a local Prefect server (``prefect server start`` on loopback, its own PREFECT_HOME),
generates the portfolio by copying the five example projects under new ids (so every project has
real, messy evidence), then measures in the same session:

- baseline: the example portfolio (5 projects), cold, in a fresh home;
- cold: the generated portfolio in a fresh home;
- re-run: the generated portfolio again, nothing changed (every project's measurements cached);
- one changed: one project's dataset loses a row, the rest unchanged.

Where the time goes comes from the Prefect task runs of each flow run: ingest (reading and
measuring evidence, data audits included; wall time of the parallel ingest), write (raw tables),
dbt (build-marts), publish and announce (artifacts, alerts). The ingest is the span from the cache
lookup of every project (``reuse-measurements``) to the last project measured (``ingest-project``).
Results are printed as a markdown table for benchmarks/RESULTS.md.

Long benchmarks (500 projects) go in several calls: ``--work DIR`` keeps the generated portfolio,
the homes and the Prefect server's database in DIR between calls, ``--generate-only`` only
generates the portfolio there, and ``--runs`` names the runs of this call (``baseline``, ``cold``:
a fresh home, ``rerun``, ``changed``), e.g. ``--work /tmp/p500 --runs baseline,cold`` and then
``--work /tmp/p500 --runs rerun``.

Python keeps the bytecode it compiles, as on a person's machine and in the product's image
(``UV_COMPILE_BYTECODE=1``): a sandbox that sets ``PYTHONDONTWRITEBYTECODE`` would make every
call (and every Dask worker) compile every module from source again. The benchmark re-executes
itself with ``PYTHONPYCACHEPREFIX`` (``DIR/pycache`` with ``--work``, so later calls reuse it) and
without ``PYTHONDONTWRITEBYTECODE``; ``--no-bytecode`` keeps the environment as it is. The tree
the script lives in is the one imported (``PYTHONPATH``), so a ``git archive`` of an earlier
commit with this script copied in measures that commit.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PHASES = {
    # The cache lookup of every project (one task), then the projects measured (a task each).
    "ingest": ("reuse-measurements", "ingest-project"),
    "write": ("write-evidence",),
    "dbt": ("build-marts",),
    "publish": ("publish-snapshot",),
    "announce": ("announce-run",),
}


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A local Prefect server on a free loopback port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2):
                return server, api
        except OSError:
            time.sleep(1)
    raise RuntimeError("the Prefect server did not start")


def generate(target: Path, projects: int) -> Path:
    """A portfolio of ``projects`` projects, each a copy of one example project under a new id."""
    examples = REPO / "examples"
    shutil.copytree(examples, target, ignore=shutil.ignore_patterns("__pycache__"))
    portfolio = yaml.safe_load((target / "portfolio.yml").read_text())
    sources = [Path(p).parent.name for p in portfolio["projects"]]
    entries = []
    for index in range(projects):
        source = sources[index % len(sources)]
        new_id = f"{source}_{index:03d}"
        folder = target / "projects" / new_id
        shutil.copytree(target / "projects" / source, folder)
        config = yaml.safe_load((folder / "project.yml").read_text())
        config["id"] = new_id
        config["name"] = f"{config['name']} #{index}"
        (folder / "project.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        entries.append(f"projects/{new_id}/project.yml")
    portfolio["projects"] = entries
    portfolio.pop("history", None)  # the examples' earlier weeks are measured in benchmarks/history
    path = target / "portfolio.yml"
    path.write_text(yaml.safe_dump(portfolio, sort_keys=False))
    return path


def phases(flow_run_id: object) -> dict[str, float]:
    """Seconds per phase, from the flow run's task runs (ingest: wall time of the parallel tasks)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs: list = []
        while True:  # the API answers at most 200 task runs a page
            page = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                limit=200,
                offset=len(runs),
            )
            runs.extend(page)
            if len(page) < 200:
                break
    out: dict[str, float] = {}
    for phase, prefixes in PHASES.items():
        mine = [r for r in runs if r.name.startswith(prefixes) and r.start_time and r.end_time]
        if mine:
            start = min(r.start_time for r in mine)  # type: ignore[type-var]
            end = max(r.end_time for r in mine)  # type: ignore[type-var]
            out[phase] = (end - start).total_seconds()  # type: ignore[operator]
    return out


def assess(portfolio: Path, home: Path, history: bool = False) -> dict[str, float]:
    """One run of the real flow into ``home``; total wall time and the phases.

    ``history``: make the earlier assessments the portfolio declares (off: one run, as before).
    """
    os.environ["READINESS_HOME"] = str(home)
    from core.settings import get_settings
    from flows.assess import assess_portfolio

    get_settings.cache_clear()
    began = time.perf_counter()
    state = assess_portfolio(str(portfolio), None, history=history, return_state=True)
    total = time.perf_counter() - began
    if not state.is_completed():
        raise RuntimeError(f"the run failed: {state}")
    return {"total": total, **phases(state.state_details.flow_run_id)}


RUNS = ("baseline", "cold", "rerun", "changed")


def keep_bytecode(work: Path | None) -> None:
    """Re-execute with Python keeping its bytecode (under a cache folder) and this tree first."""
    if os.environ.get("READINESS_BENCH_REEXEC"):
        return
    cache = (work or Path(tempfile.gettempdir()) / "bench-portfolio-pycache").resolve()
    env = {**os.environ, "READINESS_BENCH_REEXEC": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache" if work else cache)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument(
        "--task-runner", choices=["threads", "dask"], default="threads",
        help="how projects are ingested in parallel (READINESS_TASK_RUNNER)",
    )  # fmt: skip
    parser.add_argument("--no-changed", action="store_true", help="skip the one-changed run")
    parser.add_argument(
        "--work", type=Path, help="keep the portfolio, homes and server state here (reused)"
    )
    parser.add_argument("--generate-only", action="store_true", help="only generate the portfolio")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as the environment has it (every call compiles again)",
    )
    parser.add_argument(
        "--runs", default=",".join(RUNS), help=f"the runs of this call, of {', '.join(RUNS)}"
    )
    args = parser.parse_args()
    runs = [r for r in args.runs.split(",") if r and not (r == "changed" and args.no_changed)]
    if unknown := set(runs) - set(RUNS):
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")
    if not args.no_bytecode:
        keep_bytecode(args.work)
    os.environ["READINESS_TASK_RUNNER"] = args.task_runner
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-portfolio-"))
    work.mkdir(parents=True, exist_ok=True)
    portfolio = work / "portfolio" / "portfolio.yml"
    if not portfolio.is_file():
        shutil.rmtree(work / "portfolio", ignore_errors=True)
        portfolio = generate(work / "portfolio", args.projects)
    if args.generate_only:
        print(f"generated {portfolio}")
        return
    server, api = start_server(work / "prefect")
    os.environ["PREFECT_API_URL"] = api
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, float]] = {}
    try:
        if "baseline" in runs:
            shutil.rmtree(work / "base", ignore_errors=True)
            results["baseline (5 projects, cold)"] = assess(
                REPO / "examples" / "portfolio.yml", work / "base"
            )
        if "cold" in runs:
            shutil.rmtree(work / "home", ignore_errors=True)
            results[f"{args.projects} projects, cold"] = assess(portfolio, work / "home")
        if "rerun" in runs:
            results[f"{args.projects} projects, unchanged re-run"] = assess(
                portfolio, work / "home"
            )
        if "changed" in runs:
            # One project's dataset changes (a row fewer): only that project is measured again.
            changed = portfolio.parent / "projects" / "support_copilot_000" / "data" / "tickets.csv"
            lines = changed.read_text().splitlines(keepends=True)
            changed.write_text("".join(lines[:-1]))
            results[f"{args.projects} projects, one changed"] = assess(portfolio, work / "home")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    base = results.get("baseline (5 projects, cold)", {}).get("total")
    load = os.getloadavg()[0]
    print(
        f"Machine: {os.cpu_count()} CPU, {platform.platform()}, Python {platform.python_version()}"
    )
    print(
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load_before:.1f} before, "
        f"{load:.1f} after"
    )
    print(f"Task runner: {args.task_runner}; tree {REPO}; bytecode kept: {not args.no_bytecode}")
    print()
    columns = ["total", *PHASES]
    print("| run | " + " | ".join(columns) + " | ratio to baseline |")
    print("| --- |" + " ---: |" * (len(columns) + 1))
    for name, figures in results.items():
        cells = [f"{figures[c]:.1f} s" if c in figures else "-" for c in columns]
        ratio = f"{figures['total'] / base:.2f}" if base else "-"
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
