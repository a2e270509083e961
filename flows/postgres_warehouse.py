"""A shared PostgreSQL warehouse: the run's raw rows pushed to PostgreSQL, the marts pulled back.

The flow still ingests into its local DuckDB working file (one writer, validated by Pandera). With
the ``postgres`` dbt target, the rows of the run are then copied to the same raw tables in
PostgreSQL, dbt builds there, and the marts come back into the DuckDB snapshot that every reader
opens. The dashboard, reports and ``readiness status`` therefore read one format whatever the
warehouse, and never hold a connection to the shared database.

Rows move in batches (``COPY`` one way, a server-side cursor the other), never a whole table in
memory. Runs on several machines are serialised by a PostgreSQL advisory lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
from psycopg import sql

from core.errors import ReadinessError
from core.settings import DBT_PROJECT_DIR
from flows.warehouse import RunInProgressError, connect

BATCH_ROWS = 50_000

#: DuckDB column type -> PostgreSQL column type for the raw tables.
_TO_POSTGRES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}

#: PostgreSQL type (``information_schema.columns.data_type``) -> DuckDB type for the marts.
_TO_DUCKDB = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "json": "JSON",
    "jsonb": "JSON",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "numeric": "DOUBLE",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "ARRAY": "VARCHAR[]",
}


_SERVER_CAST = {"numeric": "double precision", "json": "text", "jsonb": "text"}


class WarehouseSyncError(ReadinessError):
    """The shared PostgreSQL warehouse could not be reached or written."""


def mart_names(project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """The marts readers select from: every model in ``models/marts``."""
    return sorted(p.stem for p in (project_dir / "models" / "marts").glob("*.sql"))


def _connect(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        # psycopg's message names host and port, never the password.
        raise WarehouseSyncError(f"cannot connect to the PostgreSQL warehouse: {exc}") from exc


@contextmanager
def run_lock(url: str, warehouse_name: str = "readiness") -> Iterator[None]:
    """Hold a PostgreSQL advisory lock for one run: runs from other machines are refused clearly."""
    key = int.from_bytes(hashlib.sha256(warehouse_name.encode()).digest()[:8], "big", signed=True)
    with _connect(url, autocommit=True) as con:
        row = con.execute("select pg_try_advisory_lock(%s)", [key]).fetchone()
        if not row or not row[0]:
            raise RunInProgressError(
                "another assessment is running on the shared PostgreSQL warehouse; "
                "wait for it to finish and try again"
            )
        try:
            yield
        finally:
            con.execute("select pg_advisory_unlock(%s)", [key])


def _duckdb_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [
        (str(name), str(kind))
        for name, kind in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = ? and table_schema = 'main' order by ordinal_position",
            [table],
        ).fetchall()
    ]


def _postgres_columns(con: psycopg.Connection[Any], schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        [schema, table],
    ).fetchall()
    return {str(name): str(kind) for name, kind in rows}


def _ensure_table(
    con: psycopg.Connection[Any], schema: str, table: str, columns: Sequence[tuple[str, str]]
) -> None:
    """Create the raw table, or add the columns a newer version of the code introduced."""
    existing = _postgres_columns(con, schema, table)
    target = sql.Identifier(schema, table)
    if not existing:
        con.execute(
            sql.SQL("create table {} ({})").format(
                target,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(
                        sql.Identifier(name), sql.SQL(_TO_POSTGRES.get(kind, "text"))
                    )
                    for name, kind in columns
                ),
            )
        )
        return
    for name, kind in columns:
        if name not in existing:
            con.execute(
                sql.SQL("alter table {} add column {} {}").format(
                    target, sql.Identifier(name), sql.SQL(_TO_POSTGRES.get(kind, "text"))
                )
            )


def push_run(
    working: Path,
    url: str,
    run_id: str,
    schema: str = "main",
    tables: Sequence[str] | None = None,
) -> dict[str, int]:
    """Copy one run's rows of every raw table from the DuckDB working file to PostgreSQL.

    Idempotent: the run's earlier rows in PostgreSQL are replaced, in one transaction, so a push
    repeated after a fault never doubles a run. Returns the rows copied per table.
    """
    copied: dict[str, int] = {}
    with connect(working, read_only=True) as source, _connect(url) as target:
        names = tables or [
            str(row[0])
            for row in source.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_type = 'BASE TABLE' "
                "and table_name like 'raw\\_%' escape '\\' order by table_name"
            ).fetchall()
        ]
        target.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for table in names:
            columns = _duckdb_columns(source, table)
            _ensure_table(target, schema, table, columns)
            qualified = sql.Identifier(schema, table)
            target.execute(sql.SQL("delete from {} where run_id = %s").format(qualified), [run_id])
            column_list = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
            quoted = ", ".join(f'"{name}"' for name, _ in columns)
            result = source.execute(f"select {quoted} from {table} where run_id = ?", [run_id])
            count = 0
            with (
                target.cursor() as cursor,
                cursor.copy(
                    sql.SQL("copy {} ({}) from stdin").format(qualified, column_list)
                ) as copy,
            ):
                while batch := result.fetchmany(BATCH_ROWS):
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            copied[table] = count
        target.commit()
    return copied


def sync_run_records(working: Path, url: str, schema: str = "main") -> int:
    """Replace PostgreSQL's ``raw_runs`` rows of every run this working file knows.

    A run's record changes after its raw rows were pushed: it ends (succeeded, partial, failed),
    or a later run marks it interrupted. Rows of runs from other machines are left alone.
    """
    with connect(working, read_only=True) as source, _connect(url) as target:
        columns = _duckdb_columns(source, "raw_runs")
        target.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        _ensure_table(target, schema, "raw_runs", columns)
        qualified = sql.Identifier(schema, "raw_runs")
        quoted = ", ".join(f'"{name}"' for name, _ in columns)
        rows = source.execute(f"select {quoted} from raw_runs").fetchall()
        target.execute(
            sql.SQL("delete from {} where run_id = any(%s)").format(qualified),
            [[row[[name for name, _ in columns].index("run_id")] for row in rows]],
        )
        column_list = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
        with (
            target.cursor() as cursor,
            cursor.copy(sql.SQL("copy {} ({}) from stdin").format(qualified, column_list)) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        target.commit()
    return len(rows)


def pull_marts(
    url: str, snapshot: Path, schema: str = "main", marts: Sequence[str] | None = None
) -> dict[str, int]:
    """Write every mart from PostgreSQL into a new DuckDB file at ``snapshot`` (not yet published).

    Each mart becomes a DuckDB table with the same columns; rows come through a server-side cursor
    in batches. Returns the rows copied per mart.
    """
    snapshot.unlink(missing_ok=True)
    copied: dict[str, int] = {}
    with _connect(url) as source, connect(snapshot) as target:
        for mart in marts or mart_names():
            columns = _postgres_columns(source, schema, mart)
            if not columns:
                raise WarehouseSyncError(
                    f"mart {schema}.{mart} does not exist in the PostgreSQL warehouse "
                    "(did dbt build it?)"
                )
            target.execute(
                f'create table "{mart}" ('
                + ", ".join(
                    f'"{name}" {_TO_DUCKDB.get(kind, "VARCHAR")}' for name, kind in columns.items()
                )
                + ")"
            )
            # numeric and json are cast on the server: plain floats and text load into DuckDB.
            select = sql.SQL(", ").join(
                sql.SQL("{}::{}").format(sql.Identifier(name), sql.SQL(_SERVER_CAST[kind]))
                if kind in _SERVER_CAST
                else sql.Identifier(name)
                for name, kind in columns.items()
            )
            count = 0
            with source.cursor(name=f"pull_{mart}") as cursor:
                cursor.execute(
                    sql.SQL("select {} from {}").format(select, sql.Identifier(schema, mart))
                )
                while batch := cursor.fetchmany(BATCH_ROWS):
                    frame = pd.DataFrame.from_records(batch, columns=list(columns))
                    target.register("_batch", frame)
                    target.execute(f'insert into "{mart}" select * from _batch')
                    target.unregister("_batch")
                    count += len(batch)
            copied[mart] = count
        target.execute("checkpoint")
    return copied
