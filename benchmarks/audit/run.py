"""Benchmark of the data-sample audit against its floor, DuckDB's own CSV read, pandas and Pandera.

Every step runs in its own process (so that its peak memory is its own) on the same files, in one
run, and is reported as a ratio against a baseline measured in that same run:

- ``floor``: one plain DuckDB scan of the Parquet file computing min and max of every column;
- ``audit_parquet``: the portfolio audit (:func:`flows.evidence.data_audit.collect_datasets`) of
  the Parquet file with the benchmark's field map: for every column nulls, distinct, min, max; the
  declared checks (allowed values on four category columns, ranges on three numeric columns, a
  pattern on the email column, duplicate keys, freshness with stale records), plus what the
  product keeps as evidence (empty strings, top values, bounded examples);
- ``csv_read``: DuckDB reading the CSV once (min and max of every column);
- ``limit_parquet`` and ``limit_csv``: the physical limit of an audit that records the file's
  hash: ``floor`` (or ``csv_read``) with the file's sha256 computed beside it, in a thread, as
  the audit computes it;
- ``audit_csv``: the same audit of the CSV file (measured in one pass where it is);
- ``audit_csv_table``: the same audit with the CSV file copied into a table first (how a CSV
  file under 256 MB is read, and how every CSV file was read before 2026-11-29);
- ``pandas`` and ``pandera``: the same checks in pandas, and as a Pandera (pandas backend) schema
  validated with ``lazy=True``, after ``pandas.read_parquet``.

    uv run python benchmarks/audit/generate.py --rows 10000000
    uv run python benchmarks/audit/run.py --rows 10000000 [--skip pandas,pandera]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from generate import CHANNELS, COUNTRIES, PLANS, STATUSES  # noqa: E402

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
EMAIL = r"[^@\s]+@[^@\s]+\.[a-z]{2,}"
RANGES = {"amount": (0, 1000), "quantity": (1, 20), "discount": (0, 0.8)}
CATEGORIES = {"status": STATUSES, "channel": CHANNELS, "country": COUNTRIES, "plan": PLANS}
TYPES = {
    "order_id": "integer", "customer_id": "integer", "amount": "number", "quantity": "integer",
    "discount": "number", "score": "number", "latitude": "number", "longitude": "number",
    "created_at": "timestamp", "updated_at": "timestamp", "is_active": "boolean",
    "age": "integer",
}  # fmt: skip
COLUMNS = [
    "order_id", "customer_id", "email", "status", "channel", "country", "plan", "amount",
    "quantity", "discount", "score", "latitude", "longitude", "created_at", "updated_at",
    "description", "is_active", "age", "product_code", "session_id",
]  # fmt: skip


def field_map() -> dict[str, Any]:
    """The benchmark's field map, as a project.yml would declare it."""
    fields: dict[str, dict[str, Any]] = {c: {"type": TYPES.get(c, "string")} for c in COLUMNS}
    for column, allowed in CATEGORIES.items():
        fields[column]["allowed"] = allowed
    for column, (low, high) in RANGES.items():
        fields[column] |= {"min": low, "max": high}
    fields["email"]["pattern"] = EMAIL
    return {"fields": fields, "key": ["order_id"], "timestamp": "updated_at", "max_age": "2d"}


def step_floor(path: Path) -> None:
    import duckdb

    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    selects = ", ".join(f"min({c}), max({c})" for c in COLUMNS)
    duckdb.connect().execute(f"select {selects} from {reader}('{path}')").fetchall()


def step_limit(path: Path) -> None:
    """One read of the file with its sha256 computed beside it (the audit's physical limit)."""
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    def sha256() -> str:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    with ThreadPoolExecutor(max_workers=1) as pool:
        hashed = pool.submit(sha256)
        step_floor(path)
        hashed.result()


def step_audit(path: Path) -> None:
    from flows.config import LoadedProject, Project
    from flows.evidence import Context
    from flows.evidence.data_audit import collect_datasets

    data = {
        "id": "bench",
        "name": "Benchmark",
        "evidence": {
            "datasets": [{"name": "orders", "source": str(path), "field_map": field_map()}]
        },
    }
    project = LoadedProject(path=path.parent / "project.yml", project=Project.model_validate(data))
    evidence = collect_datasets(Context("bench", "bench", AS_OF), project)
    inputs = evidence.tables["raw_evidence_inputs"]
    assert inputs[0]["status"] == "ok", inputs


def step_audit_table(path: Path) -> None:
    """The same audit with the CSV file copied into a table first (as files under 256 MB are)."""
    import flows.sources.files

    flows.sources.files.SINGLE_PASS_MIN_BYTES = 2**62
    step_audit(path)


def _read_pandas(path: Path) -> Any:
    import pandas as pd

    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def step_pandas(path: Path) -> None:
    import pandas as pd

    frame = _read_pandas(path)
    for column in COLUMNS:
        series = frame[column]
        series.isna().sum(), series.nunique(), series.min(skipna=True), series.max(skipna=True)
    for column, allowed in CATEGORIES.items():
        (~frame[column].isin(allowed) & frame[column].notna()).sum()
    for column, (low, high) in RANGES.items():
        ((frame[column] < low) | (frame[column] > high)).sum()
    (~frame["email"].str.fullmatch(EMAIL).fillna(True).astype(bool)).sum()
    len(frame) - len(frame.drop_duplicates(subset=["order_id"]))
    updated = pd.to_datetime(frame["updated_at"], utc=True)
    updated.max(), (updated < pd.Timestamp(AS_OF) - pd.Timedelta(days=2)).sum()


def step_pandera(path: Path) -> None:
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    frame = _read_pandas(path)
    columns: dict[str, Any] = {c: pa.Column(nullable=True) for c in COLUMNS}
    for column, allowed in CATEGORIES.items():
        columns[column] = pa.Column(str, pa.Check.isin(allowed), nullable=True)
    for column, (low, high) in RANGES.items():
        columns[column] = pa.Column(float if column != "quantity" else None,
                                    pa.Check.in_range(low, high), nullable=True)  # fmt: skip
    columns["email"] = pa.Column(str, pa.Check.str_matches(f"^(?:{EMAIL})$"), nullable=True)
    columns["order_id"] = pa.Column(int, unique=True)
    schema = pa.DataFrameSchema(columns)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        len(exc.failure_cases)
    for column in COLUMNS:  # the profile Pandera does not compute
        series = frame[column]
        series.isna().sum(), series.nunique(), series.min(skipna=True), series.max(skipna=True)


STEPS = {
    "floor": ("parquet", step_floor),
    "audit_parquet": ("parquet", step_audit),
    "csv_read": ("csv", step_floor),
    "limit_parquet": ("parquet", step_limit),
    "limit_csv": ("csv", step_limit),
    "audit_csv": ("csv", step_audit),
    "audit_csv_table": ("csv", step_audit_table),
    "pandas": ("parquet", step_pandas),
    "pandera": ("parquet", step_pandera),
}
#: Modules each step imports before its clock starts: the steps measure the work, not loading
#: the libraries (the product's modules take about 2 s to import here, DuckDB alone 0.1 s).
#: ``flows.sql_guard`` (sqlglot) is what validating the benchmark's field map imports (its
#: pattern is checked): 0.4 s, paid once per run by the product, not per audit.
AUDIT = ["flows.config", "flows.evidence", "flows.evidence.data_audit", "flows.sql_guard"]
IMPORTS = {
    "floor": ["duckdb"],
    "audit_parquet": AUDIT,
    "csv_read": ["duckdb"],
    "limit_parquet": ["duckdb"],
    "limit_csv": ["duckdb"],
    "audit_csv": AUDIT,
    "audit_csv_table": AUDIT,
    "pandas": ["pandas", "pyarrow.parquet"],
    "pandera": ["pandas", "pyarrow.parquet", "pandera.pandas"],
}


def run_step(name: str, rows: int, data: Path, parquet: Path | None = None) -> dict[str, float]:
    """Run one step in a fresh process; its wall time and peak memory."""
    extra = ["--parquet", str(parquet)] if parquet else []
    # A fresh home per step: the product remembers a large file's hash under its size and times,
    # and a remembered hash would hide the cost of hashing the file from every later step.
    with tempfile.TemporaryDirectory(prefix="readiness-bench-home-") as home:
        done = subprocess.run(
            [sys.executable, __file__, "--step", name, "--rows", str(rows), "--data", str(data),
             *extra],
            capture_output=True, text=True, check=False,
            env={**os.environ, "READINESS_HOME": home},
        )  # fmt: skip
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}  # type: ignore[dict-item]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run every step (or one, in this process, with --step)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/readiness-bench"))
    parser.add_argument("--step", choices=list(STEPS))
    parser.add_argument("--skip", default="", help="Comma-separated steps to leave out.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per step (best is kept).")
    parser.add_argument(
        "--parquet", type=Path, help="Another Parquet file or glob (e.g. 10 copies: 100M rows)."
    )
    args = parser.parse_args()
    files = {
        "parquet": args.parquet or args.data / f"orders_{args.rows}.parquet",
        "csv": args.data / f"orders_{args.rows}.csv",
    }
    if args.step:
        kind, function = STEPS[args.step]
        for module in IMPORTS[args.step]:
            importlib.import_module(module)
        started = time.perf_counter()
        function(files[kind])
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "peak_mb": peak}))
        return
    skip = set(filter(None, args.skip.split(",")))
    load = os.getloadavg()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.python_version()}, "
          f"load before {load[0]:.1f}; {args.rows:,} rows x 20 columns")  # fmt: skip
    names = [name for name in STEPS if name not in skip]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    # Round robin: every step runs once per round, so that load from other processes on a
    # shared machine falls on all of them alike; the best run of each step is kept.
    for round_number in range(args.repeat):
        for name in names:
            runs[name].append(run_step(name, args.rows, args.data, args.parquet))
            print(round_number + 1, name, json.dumps(runs[name][-1]), flush=True)
    results: dict[str, dict[str, float]] = {}
    for name in names:
        good = [r for r in runs[name] if "seconds" in r]
        results[name] = min(good, key=lambda r: r["seconds"]) if good else runs[name][-1]
    base = {
        "parquet": results.get("floor", {}).get("seconds"),
        "csv": results.get("csv_read", {}).get("seconds"),
    }
    print("\n| step | seconds | peak MB | ratio |\n| --- | ---: | ---: | --- |")
    for name, result in results.items():
        if "seconds" not in result:
            print(f"| {name} | failed: {result.get('error')} | | |")
            continue
        kind = STEPS[name][0]
        baseline = base[kind] if name not in ("pandas", "pandera") else base["parquet"]
        label = "floor" if kind == "parquet" or name in ("pandas", "pandera") else "csv_read"
        ratio = f"{result['seconds'] / baseline:.2f}x {label}" if baseline else "-"
        print(f"| {name} | {result['seconds']:.2f} | {result['peak_mb']:.0f} | {ratio} |")
    print(f"load after {os.getloadavg()[0]:.1f}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
