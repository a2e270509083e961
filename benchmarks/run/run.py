"""Benchmark: what a person waits for `readiness run` against what the flow itself works.

Run by hand (never in tests): ``uv run python benchmarks/run/run.py [--before REV] [--rounds 3]``.

Each run is timed as a whole process, as a person waits for it (interpreter start, imports, the
Prefect server, the flow, the summary), with this checkout's interpreter and ``python -m
flows.cli run`` (no launcher counted). The flow's own work is the span of the flow run in its
own log (``Beginning flow run`` to its ``Finished in state``: ingest, write, dbt build, publish,
announce), measured in the same process; the ratio wall / flow is the figure the target is set
on (1.5). Before the flow: the time from the process's start to the flow's first line (imports,
the Prefect server); after it: from its last line to the process's exit.

Compared: ``--before REV`` (default ``HEAD``: the last commit; a tree of it is extracted with
``git archive`` and run with the same interpreter) and the working tree, each on the example
portfolio in a home of its own that one untimed run prepares (its history and cached
measurements: every timed run reuses every measurement), for the whole portfolio and for
``--project support_copilot``, round robin (load changes touch every variant alike). The working
tree's local Prefect server is started by the preparing run and reused; it is stopped at the end.
Medians; prints a table for RESULTS.md. Takes the shared benchmark lock (``/tmp/bench.lock``).
The timed processes keep the bytecode Python compiles, as on a person's machine (a sandbox that
sets ``PYTHONDONTWRITEBYTECODE`` makes every run compile every module again: ``--no-bytecode``
measures that).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
TARGET_RATIO = 1.5
#: Whether the timed processes keep compiled bytecode (``--no-bytecode``: as the environment says).
KEEP_BYTECODE = True
LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+ +\| Flow run '[^']+' - (.*)$")


def day_seconds(when: float) -> float:
    """Seconds since UTC midnight of a wall-clock instant (Prefect's log shows the time of day)."""
    moment = datetime.fromtimestamp(when, UTC)
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def flow_span(log: str) -> tuple[float, float]:
    """The flow run's first and last log instants (seconds of the day) in a run's output."""
    begin = end = None
    for line in log.splitlines():
        found = LINE.match(line)
        if not found:
            continue
        h, m, s, ms, text = found.groups()
        at = int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
        if text.startswith("Beginning flow run") and begin is None:
            begin = at
        elif text.startswith("Finished in state"):
            end = at
    if begin is None or end is None:
        raise ValueError("no flow run span in the output:\n" + log[-3000:])
    return begin, end


def timed(tree: Path, home: Path, extra: list[str]) -> dict[str, float]:
    """One whole `readiness run`: wall, the flow's span, and the time before and after it."""
    env = {
        **os.environ,
        "READINESS_HOME": str(home),
        "PREFECT_LOGGING_LEVEL": "INFO",
        "TZ": "UTC",
    }
    env.pop("PREFECT_API_URL", None)
    if KEEP_BYTECODE:
        # As on a person's machine: Python keeps the bytecode it compiles (__pycache__), so a
        # later run does not compile every module again. (Some sandboxes set this variable.)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.time()
    begin = time.monotonic()
    done = subprocess.run(
        [str(PYTHON), "-m", "flows.cli", "run", *extra],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - begin
    if done.returncode != 0:
        sys.exit(f"run {extra} in {tree} failed:\n{done.stderr[-3000:]}")
    first, last = flow_span(done.stdout + "\n" + done.stderr)
    start_of_day = day_seconds(started)
    return {
        "wall": wall,
        "flow": last - first,
        "before": first - start_of_day,
        "after": start_of_day + wall - last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="HEAD", help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--work", type=Path, help="reuse this folder (its before/ tree and homes) if it has them"
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as the environment has it (every run compiles again)",
    )
    args = parser.parse_args()
    global KEEP_BYTECODE
    KEEP_BYTECODE = not args.no_bytecode
    work = args.work or Path(tempfile.mkdtemp(prefix="readiness-run-bench-"))
    old = work / "before"
    if not old.is_dir():
        old.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.before], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    trees = {"before": old, "after": REPO}
    homes = {name: work / f"home-{name}" for name in trees}
    variants = {
        f"{name}, {label}": (name, extra)
        for label, extra in (("portfolio", []), ("--project", ["--project", "support_copilot"]))
        for name in trees
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        first_runs = {name: timed(trees[name], homes[name], []) for name in trees}
        started, load = datetime.now(UTC), os.getloadavg()[0]
        loads = [load]
        for _ in range(args.rounds):
            for variant, (name, extra) in variants.items():
                results[variant].append(timed(trees[name], homes[name], extra))
                loads.append(os.getloadavg()[0])
        stop = subprocess.run(
            [str(PYTHON), "-m", "flows.cli", "server", "stop"],
            cwd=REPO,
            env={**os.environ, "READINESS_HOME": str(homes["after"])},
            capture_output=True,
            text=True,
        )
    print(f"### {started:%Y-%m-%d %H:%M} UTC, load {min(loads):.1f} to {max(loads):.1f} "
          f"(1-minute averages, sampled between runs)\n")  # fmt: skip
    print(f"Machine: {os.cpu_count()} vCPU, {platform.platform()}, Python "
          f"{platform.python_version()}; before = {args.before}, after = working tree; "
          f"{args.rounds} rounds, medians; bytecode "
          f"{'kept (PYTHONDONTWRITEBYTECODE unset)' if KEEP_BYTECODE else 'as the environment says'}\n")  # fmt: skip
    for name, first in first_runs.items():
        print(f"- preparing run, {name}: {first['wall']:.1f} s wall, flow {first['flow']:.1f} s, "
              f"before the flow {first['before']:.1f} s")  # fmt: skip
    print(f"- server stop: {stop.stdout.strip() or stop.stderr.strip()}\n")
    print(
        "| variant | wall | flow's own work | wall / flow | before the flow | after it | target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for variant, values in results.items():
        med = {k: statistics.median(v[k] for v in values) for k in values[0]}
        ratio = med["wall"] / med["flow"]
        met = "met" if ratio <= TARGET_RATIO else "**missed**"
        print(f"| {variant} | {med['wall']:.1f} s | {med['flow']:.1f} s | {ratio:.2f} | "
              f"{med['before']:.1f} s | {med['after']:.1f} s | {met} |")  # fmt: skip


if __name__ == "__main__":
    main()
