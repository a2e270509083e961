"""The shared warehouse end to end: the example portfolio assessed with dbt on a real PostgreSQL
server gives exactly the results DuckDB gives, and readers still open a DuckDB snapshot."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.settings import get_settings
from tests.conftest import Assessed, assess, copy_examples
from tests.services import PostgresDatabase

# What a reader compares: every mart that decides something, keyed without the run id.
COMPARED = {
    "check_results": (
        "select project_id, check_id, gap, severity, result, points, metric "
        "from check_results where run_id = ? order by project_id, check_id"
    ),
    "gap_scores": (
        "select project_id, gap, score, status from gap_scores where run_id = ? "
        "order by project_id, gap"
    ),
    "recommendations": (
        "select project_id, recommendation, verdict, confidence, blocking_gaps, blocking_checks "
        "from recommendations where run_id = ? order by project_id"
    ),
    "roadmap": (
        "select project_id, priority, check_id, owner_role, effort_days, cost, start_day, end_day "
        "from roadmap where run_id = ? order by project_id, priority"
    ),
}


def rows(snapshot: Path, query: str, run_id: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return [
            tuple(round(v, 9) if isinstance(v, float) and not math.isnan(v) else v for v in row)
            for row in con.execute(query, [run_id]).fetchall()
        ]
    finally:
        con.close()


@pytest.mark.slow
def test_postgres_warehouse_gives_the_results_duckdb_gives(
    assessed_examples: Assessed,
    postgres_database: PostgresDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved = dict(os.environ)
    monkeypatch.setenv("READINESS_DBT_TARGET", "postgres")
    monkeypatch.setenv("READINESS_POSTGRES_URL", postgres_database.url)
    try:
        on_postgres = assess(copy_examples(tmp_path / "examples"), tmp_path / "home")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()

    for mart, query in COMPARED.items():
        expected = rows(assessed_examples.snapshot, query, assessed_examples.run_id)
        got = rows(on_postgres.snapshot, query, on_postgres.run_id)
        assert expected, mart
        assert got == expected, mart

    # The marts were built in PostgreSQL (not locally) and the raw rows of the run are there.
    import psycopg

    with psycopg.connect(postgres_database.url) as con:
        built = con.execute(
            "select count(*) from main.recommendations where run_id = %s", [on_postgres.run_id]
        ).fetchone()
        raw = con.execute(
            "select status from main.raw_runs where run_id = %s", [on_postgres.run_id]
        ).fetchone()
    assert built == (5,)
    assert raw == ("succeeded",)
