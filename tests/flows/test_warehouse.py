"""The warehouse: raw tables from the schemas, one run at a time, an atomic published snapshot."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import duckdb
import pytest

from flows import warehouse
from flows.schemas import RAW_TABLES


def test_raw_tables_match_the_schemas_and_creation_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_raw_tables(con)
        warehouse.ensure_raw_tables(con)
        for table, model in RAW_TABLES.items():
            columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
            assert columns == list(model.to_schema().columns), table


def test_a_column_added_by_newer_code_is_added_to_an_old_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_raw_tables(con)
        con.execute("alter table raw_runs drop column message")
        warehouse.ensure_raw_tables(con)
        assert "message" in [r[0] for r in con.execute("describe raw_runs").fetchall()]


def test_record_validates_rows(tmp_path: Path) -> None:
    import pandera.errors

    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_raw_tables(con)
        row = {
            "run_id": "r1",
            "project_id": "p",
            "requirement": "x",
        }
        with pytest.raises(pandera.errors.SchemaErrors):
            warehouse.record(con, "raw_project_requirements", [row])
        ok = {"run_id": "r1", "project_id": "p", "kind": "system_role", "name": "auth"}
        assert warehouse.record(con, "raw_project_requirements", [ok]) == 1


def _hold_lock(
    path: str, ready: multiprocessing.synchronize.Event, stop: multiprocessing.synchronize.Event
) -> None:  # type: ignore[name-defined]
    with warehouse.run_lock(Path(path)):
        ready.set()
        stop.wait(30)


def test_a_second_run_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(db), ready, stop))
    holder.start()
    try:
        assert ready.wait(10)
        with (
            pytest.raises(warehouse.RunInProgressError, match=f"pid {holder.pid}"),
            warehouse.run_lock(db),
        ):
            pass
    finally:
        stop.set()
        holder.join(10)
    with warehouse.run_lock(db):  # free again once the other run ended
        pass


def test_interrupted_runs_are_marked_failed(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    db = tmp_path / "w.duckdb"
    now = datetime.now(UTC)
    with warehouse.connect(db) as con:
        warehouse.ensure_raw_tables(con)
        base = {
            "portfolio_id": "p",
            "started_at": now,
            "finished_at": None,
            "as_of": now,
            "rubric_version": "1",
            "rubric_fingerprint": "x",
            "code_version": "c",
            "min_confidence": 0.5,
            "ready_threshold": 80,
            "at_risk_threshold": 50,
            "day_rate": 1,
            "message": None,
        }
        warehouse.record(
            con,
            "raw_runs",
            [
                {**base, "run_id": "a", "status": "succeeded"},
                {**base, "run_id": "b", "status": "running"},
            ],
        )
        assert warehouse.mark_interrupted_runs(con) == 1
        rows = con.execute("select run_id, status, message from raw_runs order by 1").fetchall()
    assert rows[0][:2] == ("a", "succeeded")
    assert rows[1][:2] == ("b", "failed") and "interrupted" in rows[1][2]


def test_publish_replaces_the_snapshot_atomically(tmp_path: Path) -> None:
    db, folder = tmp_path / "w.duckdb", tmp_path / "pub"
    snap = folder / "p.duckdb"
    with warehouse.connect(db) as con:
        con.execute("create table runs as select 'r1' as run_id, 'p' as portfolio_id")
        con.execute("create table gap_scores as select 'r1' as run_id, 1 as score")
    warehouse.publish(db, folder)
    reader = duckdb.connect(str(snap), read_only=True)  # a reader keeps the old file open
    with warehouse.connect(db) as con:
        con.execute("update gap_scores set score = 2")
    inode = os.stat(snap).st_ino
    warehouse.publish(db, folder)
    assert os.stat(snap).st_ino != inode  # a new file was renamed into place
    assert reader.execute("select score from gap_scores").fetchone() == (1,)  # undisturbed
    reader.close()
    with warehouse.connect(snap, read_only=True) as con:
        assert con.execute("select score from gap_scores").fetchone() == (2,)
    assert [p.name for p in folder.iterdir()] == ["p.duckdb"]  # no partial file left
