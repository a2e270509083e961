"""The audit benchmark's steps on two checkouts, interleaved: does a change make a step slower?

Each round runs every step (``benchmarks/audit/run.py --step``, one fresh process each, a fresh
``READINESS_HOME``) from the baseline checkout, then from this one, so that load from other
processes on a shared machine falls on both alike. Each step is reported as its ratio to its
baseline in the same round (``floor`` for the Parquet steps, ``csv_read`` for the CSV ones), the
median over the rounds, for both checkouts, and the change of that median ratio. The run holds
the shared benchmark lock (``/tmp/bench.lock``) from its first round to its last.

    uv run python benchmarks/audit/generate.py --rows 2000000 --out /tmp/audit-bench
    git worktree add /tmp/baseline main   # or: git archive main | tar -x -C /tmp/baseline
    uv run python benchmarks/audit/compare.py --baseline /tmp/baseline --rows 2000000 \\
        --data /tmp/audit-bench --rounds 5 [--steps floor,audit_parquet]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = ["floor", "limit_parquet", "audit_parquet", "csv_read", "limit_csv", "audit_csv",
         "audit_csv_table"]  # fmt: skip
BASE = {
    "limit_parquet": "floor",
    "audit_parquet": "floor",
    "limit_csv": "csv_read",
    "audit_csv": "csv_read",
    "audit_csv_table": "csv_read",
}


def step(checkout: Path, name: str, rows: int, data: Path) -> float:
    """One step's seconds, from a checkout's own run.py in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="readiness-bench-home-") as home:
        done = subprocess.run(
            [sys.executable, str(checkout / "benchmarks/audit/run.py"), "--step", name,
             "--rows", str(rows), "--data", str(data)],
            capture_output=True, text=True, check=True,
            env={**os.environ, "READINESS_HOME": home},
        )  # fmt: skip
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    """Run the rounds and print a table for RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", type=Path, required=True, help="The other checkout.")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/readiness-bench"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--steps", default=",".join(STEPS), help="Comma-separated steps (default: every one)."
    )
    args = parser.parse_args()
    steps = [s for s in STEPS if s in args.steps.split(",")]
    checkouts = {"baseline": args.baseline.resolve(), "change": ROOT}
    seconds: dict[str, dict[str, list[float]]] = {k: {s: [] for s in steps} for k in checkouts}
    loads = []
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        print(f"lock taken {datetime.now(UTC):%H:%M:%S} UTC", flush=True)
        for number in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for name in steps:
                for label, checkout in checkouts.items():
                    seconds[label][name].append(step(checkout, name, args.rows, args.data))
            print(number + 1, json.dumps(seconds), f"load {loads[-1]:.1f}", flush=True)
    print(f"\n{args.rows:,} rows, {args.rounds} rounds, load (1 min) at each round's start: "
          f"{', '.join(f'{x:.1f}' for x in loads)}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")  # fmt: skip
    print("| step | baseline s | change s | baseline ratio | change ratio | change of ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in steps:
        row = [name]
        for label in checkouts:
            row.append(f"{statistics.median(seconds[label][name]):.2f}")
        if name in BASE and BASE[name] in steps:
            ratios = {
                label: statistics.median(
                    s / b
                    for s, b in zip(seconds[label][name], seconds[label][BASE[name]], strict=True)
                )
                for label in checkouts
            }
            row += [f"{ratios['baseline']:.2f}x", f"{ratios['change']:.2f}x",
                    f"{ratios['change'] / ratios['baseline'] - 1:+.1%}"]  # fmt: skip
        else:
            row += ["", "", ""]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
