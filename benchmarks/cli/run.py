"""Benchmark: commands that answer at once (``--help``, ``status --json``, ``show``, ``history``,
``diff``).

Run by hand (never in tests): ``uv run python benchmarks/cli/run.py [--home DIR] [--rounds 5]``.

Each command is timed as a whole process, as a person waits for it (interpreter start and imports
included), with ``.venv/bin/readiness`` so that no launcher (``uv run``) is counted. The baseline
is ``python -c pass`` with the same interpreter, in the same rounds (round robin, so load changes
touch every command alike). Beside the wall time, the CPU time each process used (user + system,
from ``getrusage`` of the children): on a shared machine the wall time grows with the load, the CPU
time much less, so it says what the command costs when the machine is quiet. The home is the example portfolio assessed twice (a second run gives
``diff`` two runs to compare); ``--home`` reuses one. Medians; prints a table for RESULTS.md.
Takes the shared benchmark lock (``/tmp/bench.lock``).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
TARGET_SECONDS = 1.0


def assessed_home(home: Path) -> None:
    """The example portfolio assessed twice into ``home`` (skipped when it holds two runs)."""
    env = {**os.environ, "READINESS_HOME": str(home)}
    runs = home / "published"
    if runs.exists() and len(_run_ids(env)) >= 2:
        return
    for extra in ([], ["--refresh"]):
        subprocess.run([str(BIN / "readiness"), "run", *extra], env=env, check=True,
                       capture_output=True)  # fmt: skip


def _run_ids(env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [str(BIN / "readiness"), "history", "support_copilot", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return []
    return [r["run_id"] for r in json.loads(done.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="readiness-cli-bench-"))
    env = {**os.environ, "READINESS_HOME": str(home)}
    assessed_home(home)
    newest, older = _run_ids(env)[:2]
    readiness = str(BIN / "readiness")
    commands = {
        "python -c pass (baseline)": [str(BIN / "python"), "-c", "pass"],
        "readiness --help": [readiness, "--help"],
        "readiness status --json": [readiness, "status", "--json"],
        "readiness show support_copilot": [readiness, "show", "support_copilot"],
        "readiness show support_copilot --json": [readiness, "show", "support_copilot", "--json"],
        "readiness history support_copilot --json": [
            readiness,
            "history",
            "support_copilot",
            "--json",
        ],
        "readiness diff A B --json": [readiness, "diff", older, newest, "--json"],
        "readiness diff A B --fail-on regression": [
            readiness,
            "diff",
            older,
            newest,
            "--fail-on",
            "regression",
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started, load = datetime.now(UTC), os.getloadavg()[0]
        for _ in range(args.rounds):
            for name, command in commands.items():
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                begin = time.monotonic()
                done = subprocess.run(command, env=env, capture_output=True)
                times[name].append(time.monotonic() - begin)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
                if done.returncode not in (0, 3):  # 3: the gate found a regression
                    sys.exit(f"{name} failed: {done.stderr.decode()}")
        load_after = os.getloadavg()[0]
    # The preparing runs started a local Prefect server that later runs would reuse: stop it.
    subprocess.run([readiness, "server", "stop"], env=env, capture_output=True)
    baseline = statistics.median(times["python -c pass (baseline)"])
    print(f"### {started:%Y-%m-%d %H:%M} UTC, load {load:.1f} before, {load_after:.1f} after\n")
    print(f"Machine: {os.cpu_count()} vCPU, {platform.platform()}, Python {platform.python_version()}; "
          f"{args.rounds} rounds, medians\n")  # fmt: skip
    print(
        "| command | wall (median) | x python -c pass | CPU (median) | target 1 s |\n"
        "| --- | ---: | ---: | ---: | --- |"
    )
    for name, values in times.items():
        median = statistics.median(values)
        met = (
            ""
            if name.startswith("python")
            else ("met" if median <= TARGET_SECONDS else "**missed**")
        )
        used = statistics.median(cpu[name])
        print(f"| `{name}` | {median:.2f} s | {median / baseline:.1f} | {used:.2f} s | {met} |")


if __name__ == "__main__":
    main()
