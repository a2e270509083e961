"""Generate a large published snapshot for the dashboard benchmark: 1,000 projects x 52 weekly runs.

It starts from a real snapshot published by the flow for the example portfolio (5 projects) and
copies the latest run's marts 200 times per project (new project ids, names, business units and
owners) for each of 52 weekly runs (``--weeks``: 104 for two years; new run ids and dates; scores
drift over the weeks so that trends move). The marts the executive and portfolio pages read
(recommendations, gap_scores, check_results, roadmap, cost_projections, evidence_inputs,
rejected_rows, runs) get every run; every other mart of a run (the drill-down's) gets the latest
run only, which is all the drill-down reads; ``project_latest`` gets each project copy at the
latest run, and the portfolio's own marts (``portfolio_latest``, ``recurring_blockers``,
``readiness_rollups``) are copied as they are. A larger template (the 50-project portfolio
``benchmarks/history/weekly.py --prepare`` publishes) takes ``--copies 20`` for 1,000 projects.

    uv run readiness run   # once, for the template
    uv run python benchmarks/dashboard/generate.py [--source SNAPSHOT] [--target FILE] [--weeks N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from core.settings import get_settings

COPIES = 200  # x 5 example projects = 1,000 projects
WEEKS = 52
#: The presentation marts of one row per project: each project copy's row, at the latest run.
PER_PROJECT = ["project_latest"]
EVERY_RUN = [
    "recommendations",
    "gap_scores",
    "check_results",
    "roadmap",
    "cost_projections",
    "evidence_inputs",
    "rejected_rows",
]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = 'src' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def _run_id(week: str) -> str:
    return f"'bench-w' || lpad({week}::varchar, 3, '0')"


def _copy(
    con: duckdb.DuckDBPyConnection, table: str, template: str, weeks: int, total: int, copies: int
) -> None:
    """One table: every row of the template run, for every copy of a project and every week."""
    columns = _columns(con, table)
    if not columns:
        return
    replace = {
        "run_id": _run_id("w.w"),
        "project_id": "t.project_id || '-' || lpad(c.k::varchar, 3, '0')",
    }
    key = (
        columns[0]
        if columns[0].endswith("_id") and columns[0] not in ("run_id", "portfolio_id")
        else None
    )
    if key:
        replace[key] = f"{replace['run_id']} || ':' || {replace['project_id']} || ':' || t.{key}"
    if table in ("recommendations", *PER_PROJECT):
        replace |= {
            "project_name": "t.project_name || ' ' || lpad(c.k::varchar, 3, '0')",
            "business_unit": "t.business_unit || ' ' || (c.k % 4)::varchar",
            "owner": "t.owner || ' ' || (c.k % 10)::varchar",
            "run_started_at": f"t.run_started_at - interval 7 day * ({total - 1} - w.w)",
            "is_latest": f"w.w = {total - 1}",
            "rubric_version": "case when w.w < 26 then '2026.05.0' else t.rubric_version end",
        }
    if table == "gap_scores":
        # Scores improve over the weeks towards the template's value, so trends move.
        replace["score"] = (
            f"round(t.score * (0.6 + 0.4 * w.w / {total - 1}) "
            "+ ((hash(c.k, t.gap) % 7)::double - 3), 1)"
        )
    select = ", ".join(f"{expr} as {name}" for name, expr in replace.items() if name in columns)
    first_week = 0 if weeks > 1 else total - 1
    con.execute(
        f"""
        create table {table} as
        select t.* replace ({select})
        from src.{table} as t
        cross join (select range as k from range({copies})) as c
        cross join (select range as w from range({first_week}, {first_week + weeks})) as w
        where t.run_id = ?
        """,
        [template],
    )


def generate(source: Path, target: Path, weeks: int = WEEKS, copies: int = COPIES) -> Path:
    """Write the large snapshot to ``target`` (replaced if it exists)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        template = con.execute(
            "select run_id from src.recommendations where is_latest "
            "order by run_started_at desc limit 1"
        ).fetchone()
        if template is None:
            raise SystemExit(f"{source} holds no assessed run; run `readiness run` first")
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'src'"
            ).fetchall()
        }
        per_run = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.columns where table_catalog = 'src' "
                "and column_name = 'run_id' intersect select table_name "
                "from information_schema.columns where table_catalog = 'src' "
                "and column_name = 'project_id'"
            ).fetchall()
        }
        for table in sorted(tables - {"runs"}):
            if table in EVERY_RUN:
                _copy(con, table, template[0], weeks, weeks, copies)
            elif table in per_run:  # the drill-down's marts and project_latest: the latest run
                _copy(con, table, template[0], 1, weeks, copies)
            else:  # the portfolio's own rows
                con.execute(f"create table {table} as select * from src.{table}")
        con.execute(
            f"""
            create table runs as
            select r.* replace (
                {_run_id("w.w")} as run_id,
                r.started_at - interval 7 day * ({weeks - 1} - w.w) as started_at,
                r.finished_at - interval 7 day * ({weeks - 1} - w.w) as finished_at,
                case when w.w < 26 then '2026.05.0' else r.rubric_version end as rubric_version
            )
            from src.runs as r
            cross join (select range as w from range({weeks})) as w
            where r.run_id = ?
            """,
            [template[0]],
        )
        con.execute("detach src")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=get_settings().snapshot / "example.duckdb")
    parser.add_argument(
        "--target", type=Path, default=get_settings().home / "bench" / "dashboard.duckdb"
    )
    parser.add_argument("--weeks", type=int, default=WEEKS, help="weekly runs (104: two years)")
    parser.add_argument(
        "--copies", type=int, default=COPIES, help="copies of each project of the template"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    path = generate(args.source, args.target, args.weeks, args.copies)
    with duckdb.connect(str(path), read_only=True) as con:
        projects, runs = con.execute(
            "select count(distinct project_id), count(distinct run_id) from recommendations"
        ).fetchone() or (0, 0)
        checks = (con.execute("select count(*) from check_results").fetchone() or (0,))[0]
    print(
        f"{path}: {projects} projects x {runs} runs, {checks:,} check results, "
        f"{path.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
