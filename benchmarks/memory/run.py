"""Benchmark of the data audit's peak memory within a memory budget (READINESS_MEMORY_BUDGET).

Generates files of ``--rows`` rows whose keys are all distinct but for ``DUPLICATES`` that appear
twice (the hardest case for the exact duplicate count: one group per row), as Parquet and as CSV,
then audits each in a fresh process (the portfolio audit, :func:`collect_datasets`, with a key)
and records the process's peak resident memory (``ru_maxrss``) against the target, with the
figures the audit gave (the duplicate count must be exact at every budget):

- ``parquet`` / ``csv``: one audit of the file within the budget (one part: max_workers 1);
- ``parquet_unbounded``: the same with DuckDB's default (80 % of the machine), for comparison;
- ``parquet_x3`` / ``csv_x3``: three audits of the file at once in one process (threads,
  max_workers 3), sharing the budget as a portfolio run's projects do.

    uv run python benchmarks/memory/run.py --rows 10000000 --budget 1.5GB [--keep]

``--generate-only`` writes the files and keeps them (nothing is measured), so that a later call
with ``--keep`` measures them without generating again (or a last call without it deletes them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

#: Keys that appear twice; every other key once.
DUPLICATES = 1_000
AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
FIELDS: dict[str, Any] = {
    "order_id": {"type": "integer"},
    "customer_id": {"type": "integer"},
    "status": {"allowed": ["new", "paid", "shipped", "lost"]},
    "amount": {"type": "number", "min": 0, "max": 1000},
    "created_at": {"type": "timestamp"},
    "note": {},
}


def generate(folder: Path, rows: int, kinds: set[str]) -> dict[str, Path]:
    """The Parquet and CSV files of ``rows`` rows (DuckDB writes those of ``kinds``)."""
    import duckdb

    select = (
        f"select i % {rows - DUPLICATES} as order_id, (i * 7919) % 1000003 as customer_id, "
        "['new', 'paid', 'shipped', 'lost'][1 + i % 4] as status, "
        "round((i * 31) % 100000 / 100.0, 2) as amount, "
        "timestamp '2026-01-01' + to_seconds(i % 25000000) as created_at, "
        "'note ' || (i % 9973) as note "
        f"from range({rows}) t(i)"
    )
    files = {"parquet": folder / f"keys_{rows}.parquet", "csv": folder / f"keys_{rows}.csv"}
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    con.execute(f"set temp_directory = '{folder}'")
    for kind, path in files.items():
        if kind in kinds and not path.exists():
            options = (
                "(format parquet, row_group_size 1000000)" if kind == "parquet" else "(header)"
            )
            con.execute(f"copy ({select}) to '{path}' {options}")
    con.close()
    return files


def audit(path: Path, copies: int) -> dict[str, Any]:
    """Audit ``path`` ``copies`` times at once (threads), as the projects of a portfolio run."""
    from flows.config import LoadedProject, Project
    from flows.evidence import Context
    from flows.evidence.data_audit import collect_datasets

    dataset = {
        "name": "orders",
        "source": str(path),
        "field_map": {"fields": FIELDS, "key": ["order_id"]},
    }
    data = {"id": "bench", "name": "Benchmark", "evidence": {"datasets": [dataset]}}
    project = LoadedProject(path=path.parent / "project.yml", project=Project.model_validate(data))

    def one(_: int) -> dict[str, Any]:
        evidence = collect_datasets(Context("bench", "bench", AS_OF), project)
        inputs = evidence.tables["raw_evidence_inputs"][0]
        assert inputs["status"] == "ok", inputs
        profile = evidence.tables["raw_dataset_profiles"][0]
        return {"rows": inputs["rows_read"], "duplicate_key_rows": profile["duplicate_key_rows"]}

    with ThreadPoolExecutor(max_workers=copies) as pool:
        results = list(pool.map(one, range(copies)))
    assert all(r == results[0] for r in results), results
    return results[0]


STEPS = {
    "parquet": ("parquet", 1, True),
    "csv": ("csv", 1, True),
    "parquet_x3": ("parquet", 3, True),
    "parquet_unbounded": ("parquet", 1, False),
    "csv_x3": ("csv", 3, True),
}


def run_step(name: str, files: dict[str, Path], budget: str) -> dict[str, Any]:
    """One step in a fresh process (its own home and spill folder): seconds, peak MB, figures."""
    kind, copies, bounded = STEPS[name]
    with tempfile.TemporaryDirectory(prefix="readiness-bench-home-", dir=files[kind].parent) as h:
        env = {
            **os.environ,
            "READINESS_HOME": h,
            "READINESS_MAX_WORKERS": str(copies),
            "READINESS_MEMORY_BUDGET": budget if bounded else "80%",
        }
        done = subprocess.run(
            [sys.executable, __file__, "--step", str(files[kind]), "--copies", str(copies)],
            capture_output=True, text=True, check=False, env=env,
        )  # fmt: skip
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--budget", default="1.5GB", help="READINESS_MEMORY_BUDGET of the steps.")
    parser.add_argument("--target-mb", type=float, default=2000, help="Peak memory target (MB).")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--skip", default="", help="Comma-separated steps to leave out.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated files.")
    parser.add_argument(
        "--generate-only", action="store_true", help="Only generate the files (kept), no audit."
    )
    parser.add_argument("--step", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--copies", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        import flows.evidence.data_audit  # noqa: F401  (imports before the clock)

        started = time.perf_counter()
        figures = audit(args.step, args.copies)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak), **figures}))
        return
    import duckdb

    folder = args.data / f"readiness-memory-bench-{args.rows}"
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1e9:.1f} GB, Python "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}; load before {load[0]:.1f}; "
        f"{args.rows:,} rows, {args.rows - DUPLICATES:,} distinct keys; budget {args.budget}"
    )
    try:
        skip = set(filter(None, args.skip.split(",")))
        kinds = {STEPS[name][0] for name in STEPS if name not in skip}
        started = time.perf_counter()
        files = generate(folder, args.rows, kinds)
        sizes = ", ".join(
            f"{k} {p.stat().st_size / 1e9:.2f} GB" for k, p in files.items() if p.exists()
        )
        print(f"generated in {time.perf_counter() - started:.0f} s: {sizes}", flush=True)
        if args.generate_only:
            return
        print("\n| step | seconds | peak MB | within target | rows | duplicate key rows |")
        print("| --- | ---: | ---: | --- | ---: | ---: |")
        for name in (n for n in STEPS if n not in skip):
            result = run_step(name, files, args.budget)
            if "error" in result:
                print(f"| {name} | failed: {result['error']} | | | | |", flush=True)
                continue
            exact = result["duplicate_key_rows"] == DUPLICATES and result["rows"] == args.rows
            within = "yes" if result["peak_mb"] <= args.target_mb else "no"
            print(
                f"| {name} | {result['seconds']} | {result['peak_mb']} | {within} | "
                f"{result['rows']:,} | {result['duplicate_key_rows']:,}"
                f"{'' if exact else ' (WRONG)'} |",
                flush=True,
            )
    finally:
        if not (args.keep or args.generate_only):
            shutil.rmtree(folder, ignore_errors=True)
    print(f"load after {os.getloadavg()[0]:.1f}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
