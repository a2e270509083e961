"""The working DuckDB warehouse: raw tables, the run record, the run lock and the published snapshot.

Only the flow writes the working file. Readers (dashboard, ``readiness status``, reports) open the
published snapshots (one file per portfolio holding only the marts readers use, see
flows/snapshots.py), each replaced atomically at the end of each successful run, so a reader never
sees a half-written run and never holds the writer's lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from core.errors import ReadinessError
from flows import snapshots
from flows.schemas import RAW_TABLES, empty_frame, validate
from readmodel.snapshots import SUFFIX


class RunInProgressError(ReadinessError):
    """Another run holds the warehouse."""


@contextmanager
def run_lock(warehouse: Path) -> Iterator[None]:
    """Hold an exclusive lock on the warehouse for one run; refuse clearly if another run holds it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_suffix(".lock")
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RunInProgressError(
                f"another assessment is running on {warehouse} ({holder}); "
                "wait for it to finish and try again"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a DuckDB file and always close it (so that dbt and the publisher can open it next)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table, and add columns that a newer version of the code introduced."""
    for table, model in RAW_TABLES.items():
        frame = validate(model, empty_frame(model))
        con.register("_empty", frame)
        con.execute(f"create table if not exists {table} as select * from _empty")
        existing = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_name = ?", [table]
            ).fetchall()
        }
        types = dict(
            con.execute("select column_name, column_type from (describe _empty)").fetchall()
        )
        for column in frame.columns:
            if column not in existing:
                con.execute(f'alter table {table} add column "{column}" {types[column]}')
        con.unregister("_empty")


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Append a validated frame to a raw table by column name; return the number of rows."""
    if table not in RAW_TABLES:
        raise KeyError(f"unknown raw table {table!r}")
    if frame.empty:
        return 0
    con.register("_batch", frame)
    try:
        con.execute(f"insert into {table} by name select * from _batch")
    finally:
        con.unregister("_batch")
    return len(frame)


def record(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> int:
    """Validate plain rows against a raw table's model and append them."""
    return append(con, table, validate(RAW_TABLES[table], pd.DataFrame(rows)))


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs left 'running' by a killed process as failed (called under the run lock)."""
    rows = con.execute(
        "update raw_runs set status = 'failed', finished_at = coalesce(finished_at, ?), "
        "message = 'interrupted: the process stopped before the run finished' "
        "where status = 'running' returning run_id",
        [datetime.now(UTC)],
    ).fetchall()
    return len(rows)


def finish_run(path: Path, run_id: str, status: str, message: str | None) -> None:
    """Record the end of a run."""
    with connect(path) as con:
        con.execute(
            "update raw_runs set status = ?, finished_at = ?, message = ? where run_id = ?",
            [status, datetime.now(UTC), message, run_id],
        )


def publish(
    working: Path, folder: Path, write: Callable[[Path], object] | None = None
) -> list[Path]:
    """Replace the published snapshots, one per portfolio, each atomically (see flows.snapshots).

    The marts come from the working warehouse, or from what ``write`` puts in the file it is given
    (the marts pulled from a shared PostgreSQL warehouse). Returns the files written.
    """
    if folder.suffix == SUFFIX or folder.is_file():
        raise ReadinessError(
            f"READINESS_SNAPSHOT_PATH names a file ({folder}): snapshots are published one per "
            "portfolio into a folder; name a folder (default: READINESS_HOME/published)"
        )
    if write is None:
        with connect(working) as con:
            con.execute("checkpoint")
        return snapshots.publish_portfolios(working, folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".pulled-marts.*.tmp"):
        stale.unlink(missing_ok=True)
    pulled = folder / f".pulled-marts.{os.getpid()}.tmp"
    try:
        write(pulled)
        return snapshots.publish_portfolios(pulled, folder)
    finally:
        pulled.unlink(missing_ok=True)
