"""Benchmark: where the README's first command spends its time on a fresh clone.

Run by hand (never in tests): ``uv run python benchmarks/first_run/run.py [--cold-cache]``.

The README's first command is ``python3 -m pip install uv && uv run readiness run && uv run
readiness dashboard``. This script runs it, step by step, in a fresh ``git clone`` of this
checkout (its ``HEAD``), as a person waits for it, and splits the time:

- ``pip install uv``: the README's first step (a no-op where uv is already installed);
- install: ``uv sync --locked`` (what ``uv run`` does first on a fresh clone), with uv's cache as
  this machine has it, or with ``--cold-cache`` an empty cache (every package downloaded);
- the run (``uv run readiness run``, the example portfolio, a fresh ``READINESS_HOME``: the
  example's three earlier weeks are assessed first, then today), split by the instants of its
  own output lines: the process's start to its first line (the interpreter and the imports), the
  local Prefect server's start, each assessed week's flow run (from its ``Beginning flow run``
  to its last line), dbt's build, and the end;
- the dashboard: ``uv run readiness dashboard`` to the first HTTP 200 of its health endpoint.

The baseline is ``python -c pass`` in the same run. Prints a markdown table for
benchmarks/RESULTS.md, and the run's timed output lines with ``--lines``. Takes the shared
benchmark lock (``/tmp/bench.lock``).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: Prefect's console lines: ``HH:MM:SS.mmm | LEVEL | Flow run 'name' - message``.
FLOW = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} \| \w+ +\| Flow run '([^']+)' - (.*)$")


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds a whole process takes; its output kept quiet (it fails loudly)."""
    begin = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.monotonic() - begin


def lines_of(
    command: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, list[tuple[float, str]]]:
    """Run a process; every output line with the seconds since its start when it was printed."""
    begin = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    seen = [(time.monotonic() - begin, line.rstrip("\n")) for line in process.stdout]
    code = process.wait()
    wall = time.monotonic() - begin
    if code != 0:
        sys.exit(f"{' '.join(command)} failed:\n" + "\n".join(t for _, t in seen[-40:]))
    return wall, seen


def phases(wall: float, seen: list[tuple[float, str]]) -> list[tuple[str, float]]:
    """The run's output split into phases by its own lines (see the module's text)."""
    marks: list[tuple[str, float]] = []
    first_line = seen[0][0] if seen else wall
    marks.append(("start: interpreter and imports, to the first line", first_line))
    flows: dict[str, list[float]] = {}
    server_ready = None
    dbt_start = dbt_end = None
    for at, text in seen:
        found = FLOW.match(text)
        if found:
            flows.setdefault(found.group(1), []).append(at)
            continue
        lowered = text.lower()
        if server_ready is None and ("prefect server" in lowered or "api_url" in lowered):
            server_ready = at
        if "dbt" in lowered and ("running with dbt" in lowered or "build-marts" in lowered):
            dbt_start = dbt_start or at
        if "dbt" in lowered and (
            "finished running" in lowered or "completed successfully" in lowered
        ):
            dbt_end = at
    previous = first_line
    if flows:
        first_flow = min(times[0] for times in flows.values())
        marks.append(
            (
                "to the first flow run (the local Prefect server's start among it)",
                first_flow - previous,
            )
        )
        previous = first_flow
        for name, times in sorted(flows.items(), key=lambda item: item[1][0]):
            marks.append((f"flow run {name}", times[-1] - max(times[0], previous)))
            previous = times[-1]
    marks.append(("after the last flow line: the summary and the exit", wall - previous))
    if dbt_start is not None and dbt_end is not None:
        marks.append(("(of which dbt's build, within the flow runs)", dbt_end - dbt_start))
    return marks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dashboard(cwd: Path, env: dict[str, str]) -> float:
    """Seconds from ``uv run readiness dashboard`` to its health endpoint's first 200."""
    port = free_port()
    begin = time.monotonic()
    process = subprocess.Popen(
        ["uv", "run", "readiness", "dashboard", "--port", str(port)],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # uv, the CLI and Streamlit: stopped together below
    )  # fmt: skip
    try:
        while time.monotonic() - begin < 180:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as r:
                    if r.status == 200:
                        return time.monotonic() - begin
            except OSError:
                time.sleep(0.2)
        sys.exit("the dashboard did not answer within 180 s")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("unreachable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold-cache", action="store_true", help="install with an empty uv cache")
    parser.add_argument("--lines", action="store_true", help="print the run's timed output lines")
    parser.add_argument("--keep", type=Path, help="clone into this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="readiness-first-run-"))
    clone = work / "clone"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("READINESS_", "PREFECT_", "VIRTUAL_ENV"))
    }
    env["TZ"] = "UTC"
    if args.cold_cache:
        env["UV_CACHE_DIR"] = str(work / "uv-cache")
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started, load = datetime.now(UTC), os.getloadavg()[0]
        baseline = timed([sys.executable, "-c", "pass"], REPO, env)
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        system_python = str(Path(sys.base_prefix) / "bin" / "python3")  # the README's python3
        pip_uv = timed([system_python, "-m", "pip", "install", "-q", "uv"], clone, env)
        install = timed(["uv", "sync", "--locked", "-q"], clone, env)
        wall, seen = lines_of(["uv", "run", "readiness", "run"], clone, env)
        served = dashboard(clone, env)
        timed(["uv", "run", "readiness", "server", "stop"], clone, env)  # the run's local server
        load_after = os.getloadavg()[0]
    print(f"### {started:%Y-%m-%d %H:%M} UTC, load {load:.1f} before, {load_after:.1f} after\n")
    print(
        f"Machine: {os.cpu_count()} vCPU, {platform.platform()}, Python {platform.python_version()}; "
        f"uv cache: {'empty (every package downloaded)' if args.cold_cache else 'as on this machine'}; "
        f"baseline `python -c pass` {baseline:.2f} s\n"
    )
    rows = [("`pip install uv`", pip_uv), ("install: `uv sync --locked`", install)]
    rows += [(f"run: {name}", seconds) for name, seconds in phases(wall, seen)]
    rows += [
        ("run, whole (`uv run readiness run`)", wall),
        ("dashboard: to its first HTTP 200", served),
    ]
    total = pip_uv + install + wall + served
    print("| step | seconds | share of the whole |")
    print("| --- | ---: | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {seconds / total:.0%} |")
    print(f"| **whole first command** | **{total:.1f}** | 100% |")
    if args.lines:
        print()
        for at, text in seen:
            print(f"{at:7.2f}  {text[:160]}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
