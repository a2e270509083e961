"""The shared PostgreSQL warehouse, against a real PostgreSQL server: push a run, pull the marts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psycopg
import pytest

from flows import postgres_warehouse as pgw
from flows import warehouse
from flows.warehouse import RunInProgressError
from tests.services import PostgresDatabase

STARTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def run_row(run_id: str, status: str = "running") -> dict[str, object]:
    return {
        "run_id": run_id,
        "portfolio_id": "demo",
        "started_at": STARTED,
        "finished_at": None,
        "as_of": STARTED,
        "status": status,
        "rubric_version": "2026.1",
        "rubric_fingerprint": "abc",
        "code_version": "test",
        "min_confidence": 0.75,
        "ready_threshold": 80.0,
        "at_risk_threshold": 50.0,
        "day_rate": 900.0,
        "message": None,
    }


def working_file(path: Path, run_ids: list[str]) -> Path:
    with warehouse.connect(path) as con:
        warehouse.ensure_raw_tables(con)
        warehouse.record(con, "raw_runs", [run_row(r) for r in run_ids])
        warehouse.record(
            con,
            "raw_project_requirements",
            [
                {"run_id": r, "project_id": "p1", "kind": "system_role", "name": role}
                for r in run_ids
                for role in ("auth", "crm")
            ],
        )
    return path


def test_push_copies_one_run_and_a_repeated_push_replaces_it(
    tmp_path: Path, postgres_database: PostgresDatabase
) -> None:
    working = working_file(tmp_path / "w.duckdb", ["run-a", "run-b"])
    copied = pgw.push_run(working, postgres_database.url, "run-a")
    assert copied["raw_runs"] == 1 and copied["raw_project_requirements"] == 2
    assert set(copied) >= {"raw_runs", "raw_rejected_rows", "raw_survey_answers"}

    # The run ends: its row changes, and the push is repeated. Nothing is doubled.
    with warehouse.connect(working) as con:
        con.execute("update raw_runs set status = 'succeeded' where run_id = 'run-a'")
    pgw.push_run(working, postgres_database.url, "run-a", tables=["raw_runs"])
    pgw.push_run(working, postgres_database.url, "run-b")
    with psycopg.connect(postgres_database.url) as con:
        rows = con.execute(
            "select run_id, status, started_at from main.raw_runs order by run_id"
        ).fetchall()
        assert rows == [("run-a", "succeeded", STARTED), ("run-b", "running", STARTED)]
        assert con.execute("select count(*) from main.raw_project_requirements").fetchone() == (4,)
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'main' and table_name = 'raw_runs'"
            ).fetchall()
        )
    assert types["started_at"] == "timestamp with time zone"
    assert types["min_confidence"] == "double precision"


def test_push_adds_columns_a_newer_version_introduced(
    tmp_path: Path, postgres_database: PostgresDatabase
) -> None:
    with psycopg.connect(postgres_database.url) as con:
        con.execute("create schema main")
        con.execute("create table main.raw_runs (run_id text, portfolio_id text)")
    working = working_file(tmp_path / "w.duckdb", ["run-a"])
    pgw.push_run(working, postgres_database.url, "run-a", tables=["raw_runs"])
    with psycopg.connect(postgres_database.url) as con:
        assert con.execute("select rubric_version from main.raw_runs").fetchone() == ("2026.1",)


def test_pull_marts_writes_a_duckdb_snapshot_with_the_same_rows_and_types(
    tmp_path: Path, postgres_database: PostgresDatabase
) -> None:
    with psycopg.connect(postgres_database.url) as con:
        con.execute("create schema main")
        con.execute(
            "create table main.scores as select 'r' || g as run_id, g::numeric / 3 as score, "
            "json_build_object('n', g) as evidence, (g % 2 = 0) as ready, "
            "timestamptz '2026-03-02 09:30:00+00' as measured_at "
            "from generate_series(1, 120000) as g"
        )
        con.execute("create view main.ready_runs as select run_id from main.scores where ready")
    snapshot = tmp_path / "snapshot.duckdb"
    copied = pgw.pull_marts(postgres_database.url, snapshot, marts=["scores", "ready_runs"])
    assert copied == {"scores": 120000, "ready_runs": 60000}
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = 'scores'"
            ).fetchall()
        ) == {
            "run_id": "VARCHAR",
            "score": "DOUBLE",
            "evidence": "JSON",
            "ready": "BOOLEAN",
            "measured_at": "TIMESTAMP WITH TIME ZONE",
        }
        row = con.execute(
            "select score, evidence ->> 'n', ready, measured_at from scores where run_id = 'r3'"
        ).fetchone()
        assert row is not None
        assert row[0] == pytest.approx(1.0) and row[1] == "3" and row[2] is False
        assert row[3] == STARTED
    finally:
        con.close()


def test_pulling_a_mart_dbt_did_not_build_names_it(
    tmp_path: Path, postgres_database: PostgresDatabase
) -> None:
    with pytest.raises(pgw.WarehouseSyncError, match=r"main\.gap_scores does not exist"):
        pgw.pull_marts(postgres_database.url, tmp_path / "s.duckdb", marts=["gap_scores"])


def test_a_second_run_on_the_shared_warehouse_is_refused(
    postgres_database: PostgresDatabase,
) -> None:
    with (
        pgw.run_lock(postgres_database.url),
        pytest.raises(RunInProgressError, match="another assessment is running"),
        pgw.run_lock(postgres_database.url),
    ):
        pass
    with pgw.run_lock(postgres_database.url):  # released: the next run goes ahead
        pass


def test_an_unreachable_warehouse_is_one_clear_error_without_the_password() -> None:
    url = "postgresql://reader:hunter2-secret@127.0.0.1:1/nowhere"
    with pytest.raises(pgw.WarehouseSyncError) as caught:
        pgw.pull_marts(url, Path("/tmp/never.duckdb"), marts=["x"])
    assert "cannot connect to the PostgreSQL warehouse" in str(caught.value)
    assert "hunter2-secret" not in str(caught.value)


def test_mart_names_are_the_models_in_the_marts_folder() -> None:
    names = pgw.mart_names()
    assert {"check_results", "gap_scores", "recommendations", "runs"} <= set(names)
