"""A published folder with two portfolios, for the portfolio selector and the page across them.

The first is the snapshot the real flow published for the example portfolio (tests/conftest.py);
``emea`` is a renamed copy of it: run, project and portfolio ids renamed in every mart (the
rollups' too), so every figure in ``emea`` is one dbt computed. Its project names get an
"EMEA " prefix, so a page shows which portfolio it reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from readmodel.snapshots import portfolio_file

SECOND = "emea"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def rename_portfolio(snapshot: Path, portfolio_id: str, name_prefix: str) -> None:
    """Make a copy of a portfolio's snapshot another portfolio's: ids, names and rollups renamed."""
    with duckdb.connect(str(snapshot)) as con:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
        for table in tables:
            columns = _columns(con, table)
            sets = []
            if "run_id" in columns:
                sets.append(f"run_id = '{portfolio_id}-' || run_id")
            if "project_id" in columns:
                sets.append(f"project_id = '{portfolio_id}_' || project_id")
            if "portfolio_id" in columns:
                sets.append(f"portfolio_id = '{portfolio_id}'")
            if "project_name" in columns:
                sets.append(f"project_name = '{name_prefix}' || project_name")
            if table == "readiness_rollups":
                sets.append(
                    f"rollup_id = '{portfolio_id}:' || dimension || ':' || "
                    f"case when dimension = 'portfolio' then '{portfolio_id}' else grouped_by end"
                )
                sets.append(
                    f"grouped_by = case when dimension = 'portfolio' then '{portfolio_id}' "
                    "else grouped_by end"
                )
            if sets:
                con.execute(f"update {table} set {', '.join(sets)}")


def two_portfolios(example_snapshot: Path, folder: Path) -> Path:
    """A published folder holding the example snapshot (as published) and its copy ``emea``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(example_snapshot, folder / example_snapshot.name)
    second = portfolio_file(folder, SECOND)
    shutil.copyfile(example_snapshot, second)
    rename_portfolio(second, SECOND, "EMEA ")
    return folder
