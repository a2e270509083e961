"""Benchmark: a run's dbt build after 104 weekly runs of 50 projects, against after one run.

Run by hand (never in tests): ``uv run python benchmarks/history/weekly.py [--runs 104]``, or in
two steps on a shared machine: ``--prepare DIR`` (assess, fill and build both homes once, kept in
DIR; not timed) then ``--work DIR`` (the timing; ``--only one|many`` splits it further, and
``--work DIR --rebuild`` builds the homes again after the dbt project changed). Each timed build
runs on fresh copies of the prepared homes, and the incremental build's slowest dbt nodes are
listed (dbt's ``run_results.json``).

One real run of the flow (a local Prefect server, as ``benchmarks/portfolio/run.py`` starts it)
assesses the generated 50-project portfolio into a fresh home. Its raw rows are then copied under
new run ids, one week earlier each, until the warehouse holds ``--runs`` runs: the history a
portfolio assessed every week for two years leaves (every raw table is keyed by ``run_id``). For
each of the two warehouses (one run, ``--runs`` runs) the marts are built once, one more run's raw
rows are added, and the next build is timed twice on copies of the same file:

- incremental: ``dbt build`` as a scheduled run does it (the per-run marts process only the new
  run: ``dbt_project/macros/new_runs.sql``);
- full: ``dbt build --full-refresh`` (every mart over the whole history: what every build did
  before the marts were incremental).

Both builds' marts are then compared table by table (they must hold the same rows).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import signal
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "portfolio_run", REPO / "benchmarks/portfolio/run.py"
)
assert _spec and _spec.loader
portfolio_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(portfolio_run)


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables keyed by run_id."""
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.columns where column_name = 'run_id' "
            "and table_name like 'raw\\_%' escape '\\' and table_schema = 'main' "
            "and table_name in (select table_name from information_schema.tables "
            "where table_type = 'BASE TABLE') order by table_name"
        ).fetchall()
    ]


def copy_run(con: duckdb.DuckDBPyConnection, source: str, run_id: str, shift: timedelta) -> None:
    """Copy every raw row of run ``source`` under ``run_id``, its times moved by ``shift``."""
    for table in raw_tables(con):
        if table == "raw_runs":
            con.execute(
                "insert into raw_runs select * replace (? as run_id, started_at + ? as started_at, "
                "finished_at + ? as finished_at, as_of + ? as as_of) from raw_runs where run_id = ?",
                [run_id, shift, shift, shift, source],
            )
        else:
            con.execute(
                f"insert into {table} select * replace (? as run_id) from {table} where run_id = ?",
                [run_id, source],
            )


def fill(path: Path, runs: int) -> str:
    """Make ``runs`` weekly runs of the one run in ``path``; returns the original run's id."""
    with duckdb.connect(str(path)) as con:
        (source,) = con.execute("select run_id from raw_runs").fetchone()  # type: ignore[misc]
        for week in range(1, runs):
            copy_run(con, source, f"{week:04d}w-{source}", -timedelta(weeks=week))
        con.execute("checkpoint")
    return str(source)


def build(home: Path, full: bool | None) -> float:
    """One ``dbt build`` of the marts in ``home`` (as a scheduled run does it); seconds."""
    os.environ["READINESS_HOME"] = str(home)
    from core.settings import get_settings
    from flows import dbt

    get_settings.cache_clear()
    began = time.perf_counter()
    dbt.build(get_settings(), full_refresh=full)
    return time.perf_counter() - began


def node_times(home: Path) -> dict[str, float]:
    """Each dbt node's execution time in the last build in ``home`` (dbt's run_results.json)."""
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())
    return {
        r["unique_id"].split(".", 2)[-1]: float(r["execution_time"]) for r in results["results"]
    }


def _copy(path: Path) -> Path:
    """A copy of a DuckDB file and its write-ahead log."""
    copy = path.with_name(path.stem + "-compared.duckdb")
    for suffix in ("", ".wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copy(f"{path}{suffix}", f"{copy}{suffix}")
    return copy


def marts_differ(left: Path, right: Path) -> list[str]:
    """The marts whose rows differ between two warehouses (as sets of rows with counts)."""
    differ = []
    # dbt-duckdb keeps both files attached in this process: compare copies.
    left, right = (_copy(left), _copy(right))
    with duckdb.connect(str(left)) as con:
        con.execute(f"attach '{right}' as other (read_only)")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = "
                "current_database() and table_schema = 'main' and table_type = 'BASE TABLE' "
                "and table_name not like 'raw\\_%' escape '\\'"
            ).fetchall()
        ]
        for table in tables:
            n = con.execute(
                f"select count(*) from ((select * from main.{table} except all "
                f"select * from other.main.{table}) union all (select * from other.main.{table} "
                f"except all select * from main.{table}))"
            ).fetchone()
            if n and n[0]:
                differ.append(f"{table} ({n[0]} rows)")
    return differ


def prepare(home: Path) -> None:
    """Build every mart of a filled home once (the state a scheduled run finds)."""
    build(home, full=True)


def measure(work: Path, home: Path, label: str, source: str) -> dict[str, Any]:
    """On copies of a prepared home, add one run and time the next build incrementally and in full."""
    timed = {}
    for kind in ("incremental", "full"):
        copy = work / f"{label}-{kind}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(home, copy)
        with duckdb.connect(str(copy / "warehouse.duckdb")) as con:
            copy_run(con, source, f"9999n-{source}", timedelta(days=1))
            con.execute("checkpoint")
        timed[kind] = copy
    incremental = build(timed["incremental"], full=None)
    nodes = node_times(timed["incremental"])
    full = build(timed["full"], full=True)
    differ = marts_differ(
        timed["incremental"] / "warehouse.duckdb", timed["full"] / "warehouse.duckdb"
    )
    if differ:
        raise RuntimeError(f"{label}: incremental and full marts differ: {', '.join(differ)}")
    return {"incremental": incremental, "full": full, "nodes": nodes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--runs", type=int, default=104)
    parser.add_argument(
        "--prepare",
        type=Path,
        help="only assess, fill and build both homes once, kept in this folder (time later "
        "with --work)",
    )
    parser.add_argument(
        "--work", type=Path, help="a folder --prepare made: time its homes' next builds"
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="with --work: build both homes' marts again (after the dbt project changed), no timing",
    )
    parser.add_argument(
        "--only", choices=("one", "many"), help="time only the one-run or the filled home"
    )
    parser.add_argument("--nodes", type=int, default=12, help="slowest dbt nodes listed")
    parser.add_argument("--no-lock", action="store_true", help="do not wait for /tmp/bench.lock")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if args.work:
        work = args.work
        if args.rebuild:  # the dbt project changed since --prepare: build both homes whole again
            for label in ("one", "many"):
                prepare(work / label)
            return
        with duckdb.connect(str(work / "one" / "warehouse.duckdb"), read_only=True) as con:
            (source,) = con.execute("select min(run_id) from raw_runs").fetchone()  # type: ignore[misc]
    else:
        work = args.prepare or Path(tempfile.mkdtemp(prefix="bench-weekly-"))
        work.mkdir(parents=True, exist_ok=True)
        server, api = portfolio_run.start_server(work / "prefect")
        os.environ["PREFECT_API_URL"] = api
        try:
            portfolio = portfolio_run.generate(work / "portfolio", args.projects)
            portfolio_run.assess(portfolio, work / "one")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        shutil.copytree(work / "one", work / "many")
        source = fill(work / "many" / "warehouse.duckdb", args.runs)
        for label in ("one", "many"):
            prepare(work / label)
        if args.prepare:
            print(f"prepared in {work}")
            return
    labels = {"one": "1 run", "many": f"{args.runs} runs"}
    if args.only:
        labels = {args.only: labels[args.only]}
    import fcntl

    with open("/tmp/bench.lock", "a") as lock:
        if not args.no_lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the shared benchmark lock (others time runs too)
        # Untimed: dbt's imports and first parse in this process, which a scheduled run's build
        # does not pay twice (and which would otherwise fall on the first timed build).
        warm = work / "warm-up"
        shutil.rmtree(warm, ignore_errors=True)
        shutil.copytree(work / "one", warm)
        build(warm, full=None)
        load = os.getloadavg()[0]
        results = {
            name: measure(work, work / label, label, source) for label, name in labels.items()
        }
        load_after = os.getloadavg()[0]
    import dbt.version

    print(
        f"Machine: {os.cpu_count()} CPU, {platform.platform()}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, dbt-core {dbt.version.__version__}"
    )
    print(
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load:.1f} before, "
        f"{load_after:.1f} after; {args.projects} projects"
    )
    print()
    print(
        "| history before the run | dbt build, incremental | dbt build, full | full / incremental |"
    )
    print("| --- | ---: | ---: | ---: |")
    for name, r in results.items():
        print(
            f"| {name} | {r['incremental']:.1f} s | {r['full']:.1f} s | "
            f"{r['full'] / r['incremental']:.2f} |"
        )
    if len(results) == 2:
        first, last = results["1 run"], results[f"{args.runs} runs"]
        print()
        print(
            f"{args.runs} runs / 1 run: incremental "
            f"{last['incremental'] / first['incremental']:.2f}, full {last['full'] / first['full']:.2f}"
        )
    for name, r in results.items():
        nodes = sorted(r["nodes"].items(), key=lambda kv: -kv[1])
        total = sum(r["nodes"].values())
        print(f"\n{name}, incremental: {total:.1f} s in {len(nodes)} nodes; slowest:")
        for node, seconds in nodes[: args.nodes]:
            print(f"  {seconds:6.2f} s  {node}")
    if not args.work and not args.prepare:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
