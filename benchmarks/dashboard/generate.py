"""Generate a large published snapshot for the dashboard benchmark: 1,000 projects x 52 weekly runs.

It starts from a real snapshot published by the flow for the example portfolio (5 projects) and
copies the latest run's marts 200 times per project (new project ids, names, business units and
owners) for each of 52 weekly runs (new run ids and dates; scores drift over the weeks so that
trends move). The marts the executive and portfolio pages read (recommendations, gap_scores,
check_results, roadmap, cost_projections, evidence_inputs, rejected_rows, runs) get every run;
the drill-down marts get the latest run only, which is all the drill-down reads.

    uv run readiness run   # once, for the template
    uv run python benchmarks/dashboard/generate.py [--source SNAPSHOT] [--target FILE]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from core.settings import get_settings

COPIES = 200  # x 5 example projects = 1,000 projects
WEEKS = 52
EVERY_RUN = [
    "recommendations",
    "gap_scores",
    "check_results",
    "roadmap",
    "cost_projections",
    "evidence_inputs",
    "rejected_rows",
]
LATEST_ONLY = [
    "check_items",
    "data_quality_fields",
    "data_quality_rules",
    "integration_systems",
    "stakeholder_questions",
    "load_test_results",
    "cost_inputs",
    "input_fingerprints",
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


def _copy(con: duckdb.DuckDBPyConnection, table: str, template: str, weeks: int) -> None:
    """One table: every row of the template run, for every copy of a project and every week."""
    columns = _columns(con, table)
    if not columns:
        return
    replace = {
        "run_id": "'bench-w' || lpad(w.w::varchar, 2, '0')",
        "project_id": "t.project_id || '-' || lpad(c.k::varchar, 3, '0')",
    }
    key = columns[0] if columns[0].endswith("_id") and columns[0] != "run_id" else None
    if key:
        replace[key] = f"{replace['run_id']} || ':' || {replace['project_id']} || ':' || t.{key}"
    if table == "recommendations":
        replace |= {
            "project_name": "t.project_name || ' ' || lpad(c.k::varchar, 3, '0')",
            "business_unit": "t.business_unit || ' ' || (c.k % 4)::varchar",
            "owner": "t.owner || ' ' || (c.k % 10)::varchar",
            "run_started_at": f"t.run_started_at - interval 7 day * ({weeks - 1} - w.w)",
            "is_latest": f"w.w = {weeks - 1}",
            "rubric_version": "case when w.w < 26 then '2026.05.0' else t.rubric_version end",
        }
    if table == "gap_scores":
        # Scores improve over the weeks towards the template's value, so trends move.
        replace["score"] = (
            f"round(t.score * (0.6 + 0.4 * w.w / {weeks - 1}) "
            "+ ((hash(c.k, t.gap) % 7)::double - 3), 1)"
        )
    select = ", ".join(f"{expr} as {name}" for name, expr in replace.items() if name in columns)
    first_week = 0 if weeks > 1 else WEEKS - 1
    con.execute(
        f"""
        create table {table} as
        select t.* replace ({select})
        from src.{table} as t
        cross join (select range as k from range({COPIES})) as c
        cross join (select range as w from range({first_week}, {first_week + weeks})) as w
        where t.run_id = ?
        """,
        [template],
    )


def generate(source: Path, target: Path) -> Path:
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
        for table in EVERY_RUN:
            _copy(con, table, template[0], WEEKS)
        for table in LATEST_ONLY:
            _copy(con, table, template[0], 1)
        con.execute(
            f"""
            create table runs as
            select r.* replace (
                'bench-w' || lpad(w.w::varchar, 2, '0') as run_id,
                r.started_at - interval 7 day * ({WEEKS - 1} - w.w) as started_at,
                r.finished_at - interval 7 day * ({WEEKS - 1} - w.w) as finished_at,
                case when w.w < 26 then '2026.05.0' else r.rubric_version end as rubric_version
            )
            from src.runs as r
            cross join (select range as w from range({WEEKS})) as w
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
    args = parser.parse_args()
    started = time.perf_counter()
    path = generate(args.source, args.target)
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
