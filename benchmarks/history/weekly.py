"""Benchmark: a run's dbt build after 104 weekly runs of 50 projects, against after one run.

Run by hand (never in tests): ``uv run python benchmarks/history/weekly.py [--runs 104]``.

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
import os
import platform
import shutil
import signal
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def measure(work: Path, home: Path, label: str, source: str) -> dict[str, float]:
    """Build, add one run, then time the next build incrementally and in full."""
    build(home, full=True)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        copy_run(con, source, f"9999n{time.time_ns()}-{source}", timedelta(days=1))
        con.execute("checkpoint")
    full_home = work / f"{label}-full"
    shutil.rmtree(full_home, ignore_errors=True)
    shutil.copytree(home, full_home)
    incremental = build(home, full=None)
    full = build(full_home, full=True)
    differ = marts_differ(home / "warehouse.duckdb", full_home / "warehouse.duckdb")
    if differ:
        raise RuntimeError(f"{label}: incremental and full marts differ: {', '.join(differ)}")
    return {"incremental": incremental, "full": full}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--runs", type=int, default=104)
    parser.add_argument("--keep", type=Path, help="keep the filled homes in this folder")
    parser.add_argument(
        "--work", type=Path, help="a folder an earlier run kept (--keep): reuse its filled homes"
    )
    parser.add_argument("--no-lock", action="store_true", help="do not wait for /tmp/bench.lock")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if args.work:
        work = args.work
        one, many = work / "one", work / "many"
        with duckdb.connect(str(one / "warehouse.duckdb"), read_only=True) as con:
            (source,) = con.execute("select min(run_id) from raw_runs").fetchone()  # type: ignore[misc]
        for home in (one, many):  # without the runs an earlier measurement added
            with duckdb.connect(str(home / "warehouse.duckdb")) as con:
                for table in raw_tables(con):
                    con.execute(f"delete from {table} where run_id like '9999n%'")
    else:
        work = Path(tempfile.mkdtemp(prefix="bench-weekly-"))
        server, api = portfolio_run.start_server(work / "prefect")
        os.environ["PREFECT_API_URL"] = api
        try:
            portfolio = portfolio_run.generate(work / "portfolio", args.projects)
            one = work / "one"
            portfolio_run.assess(portfolio, one)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        many = work / "many"
        shutil.copytree(one, many)
        source = fill(many / "warehouse.duckdb", args.runs)
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
    import fcntl

    with open("/tmp/bench.lock", "a") as lock:
        if not args.no_lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the shared benchmark lock (others time runs too)
        load = os.getloadavg()[0]
        results = {
            "1 run": measure(work, one, "one", source),
            f"{args.runs} runs": measure(work, many, "many", source),
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
    first, last = results["1 run"], results[f"{args.runs} runs"]
    print()
    print(
        f"{args.runs} runs / 1 run: incremental {last['incremental'] / first['incremental']:.2f}, "
        f"full {last['full'] / first['full']:.2f}"
    )
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
