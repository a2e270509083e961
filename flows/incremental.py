"""When the incremental marts can take only the new runs, and when they must be rebuilt whole.

The per-run marts are dbt incremental models: a build processes only the runs their table does not
hold yet (``dbt_project/macros/new_runs.sql``), because a finished run's raw rows never change. A
few things do change rows of earlier runs, and then the next build is a full refresh (every mart
over the whole history, as every build was before):

- the dbt project changed (a model, macro or ``dbt_project.yml``: its fingerprint differs);
- a run the marts counted is gone from ``raw_runs`` or has been marked failed since (a run killed
  or unpublished after dbt built it: failed runs score nothing);
- raw rows of earlier runs were erased or rewritten (``readiness forget``, survey retention,
  scrubbing audited values): those call :func:`invalidate`;
- the working file is new (``readiness repair``, a first run) or the last build failed.

What the last successful build saw is kept in the working warehouse's ``marts_built_runs`` table
(one row per run: whether it counted, and the dbt project's fingerprint). During an incremental
build, ``marts_new_runs`` lists the runs it adds (those the last build did not see): the
incremental models build those runs (``new_runs()`` in ``dbt_project/macros/new_runs.sql``) and
their data tests check only their rows (``tested_runs()``); without it (a full refresh, dbt run by
hand) the models take the runs their table holds no row of, and the tests check every row.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:
    import duckdb

STATE_TABLE = "marts_built_runs"
NEW_RUNS_TABLE = "marts_new_runs"


@cache
def project_fingerprint(project: Path = DBT_PROJECT_DIR) -> str:
    """The content hash of the dbt project's models, macros and project file."""
    digest = hashlib.sha256()
    files = [project / "dbt_project.yml"]
    for folder in ("models", "macros"):
        files.extend(sorted(p for p in (project / folder).rglob("*") if p.is_file()))
    for path in files:
        digest.update(path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = ? "
        "and table_schema = 'main' and table_catalog = current_database()",
        [table],
    ).fetchone()
    return bool(row and row[0])


def full_refresh_reason(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the next build must rebuild every mart whole; None when the new runs are enough."""
    if not _has_table(con, STATE_TABLE):
        return "no incremental build recorded in this warehouse"
    fingerprints = {
        r[0] for r in con.execute(f"select distinct fingerprint from {STATE_TABLE}").fetchall()
    }
    if fingerprints and fingerprints != {project_fingerprint()}:
        return "the dbt project changed"
    if not _has_table(con, "raw_runs"):
        return "no raw_runs table"
    row = con.execute(
        f"select count(*) from {STATE_TABLE} built left join raw_runs using (run_id) "
        "where built.counted and (raw_runs.run_id is null or raw_runs.status = 'failed')"
    ).fetchone()
    if row and row[0]:
        return f"{row[0]} run(s) the marts counted were removed or have failed since"
    return None


def invalidate(con: duckdb.DuckDBPyConnection) -> None:
    """Make the next build a full refresh (rows of earlier runs changed)."""
    con.execute(f"drop table if exists {STATE_TABLE}")


def record_built(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the runs the marts now hold, and the dbt project that built them."""
    con.execute(
        f"create or replace table {STATE_TABLE} as select run_id, status <> 'failed' as counted, "
        "? as fingerprint from raw_runs",
        [project_fingerprint()],
    )


def mark_new_runs(con: duckdb.DuckDBPyConnection, incremental: bool) -> None:
    """Before a build: list the runs an incremental build adds (what its models build and tests check).

    On a full refresh nothing is listed, so the tests check every row.
    """
    con.execute(f"drop table if exists {NEW_RUNS_TABLE}")
    if incremental and _has_table(con, STATE_TABLE):
        con.execute(
            f"create table {NEW_RUNS_TABLE} as select run_id from raw_runs "
            f"except select run_id from {STATE_TABLE}"
        )


def clear_new_runs(con: duckdb.DuckDBPyConnection) -> None:
    """After a build (whatever its outcome): no runs listed, so dbt run by hand tests every row."""
    con.execute(f"drop table if exists {NEW_RUNS_TABLE}")
