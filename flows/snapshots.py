"""Publishing the snapshots: one read-only DuckDB file per portfolio, holding only the marts readers use.

The flow writes them here (:func:`publish_portfolios`, at the end of each successful run); what a
file holds and how a reader opens it is :mod:`readmodel.snapshots`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from flows import storage
from readmodel.snapshots import (
    HISTORY_PREFIX,
    PORTFOLIO_MARTS,
    PRESENTATION_MARTS,
    PUBLISHED_MARTS,
    _quoted,
    _tables,
    portfolio_file,
    published_portfolios,
)

# --- publishing -------------------------------------------------------------------------------


def _atomic_replace(partial: Path, target: Path) -> None:
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def write_portfolio(con: duckdb.DuckDBPyConnection, portfolio_id: str, target: Path) -> None:
    """Write one portfolio's rows of the published marts (of ``con``'s database) to a new file."""
    target.unlink(missing_ok=True)
    available = _tables(con, _database(con))
    con.execute(f"attach '{_quoted(target)}' as published (read_write)")
    try:
        for mart in PUBLISHED_MARTS:
            if mart not in available:
                continue
            mine = (
                "portfolio_id = ?"
                if mart in PORTFOLIO_MARTS
                else "run_id in (select run_id from runs where portfolio_id = ?)"
            )
            query, parameters = f"select * from {mart} where {mine}", [portfolio_id]
            history = f"{HISTORY_PREFIX}{mart}"
            if (
                history in available
                and f"{HISTORY_PREFIX}runs" in available
                and mart not in PRESENTATION_MARTS  # runs' own rows: kept; figures: recomputed
            ):
                # Runs whose raw rows were lost (`readiness repair`): their published rows.
                query += (
                    f" union all by name select * from {history} where run_id in "
                    f"(select run_id from {HISTORY_PREFIX}runs where portfolio_id = ?) "
                    "and run_id not in (select run_id from runs)"
                )
                parameters.append(portfolio_id)
            con.execute(f"create table published.main.{mart} as {query}", parameters)
        con.execute("checkpoint published")
    finally:
        con.execute("detach published")


def _database(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else "memory"


def publish_portfolios(marts: Path, folder: Path) -> list[Path]:
    """Replace each portfolio's snapshot in ``folder`` from the marts of the DuckDB file ``marts``.

    Every portfolio that has a run gets its file, replaced atomically (a reader sees the old file
    or the new one, never half); a portfolio's file whose runs are all gone is removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    # A publisher killed mid-write leaves its partial file behind; the run lock guarantees no
    # other publisher is writing now, so every partial file is stale.
    # DuckDB keeps a write-ahead log beside a file it writes: a killed writer leaves that too.
    for stale in [*folder.glob(".*.partial"), *folder.glob(".*.partial.wal")]:
        stale.unlink(missing_ok=True)
    written: list[Path] = []
    # Opened as itself (not attached under another name): dbt's views name their database. Opened
    # as dbt opens it (read-write, under the run lock): DuckDB refuses a second connection with
    # another configuration while dbt's adapter still holds one in this process.
    con = duckdb.connect(str(marts))
    try:
        tables = _tables(con, _database(con))
        if "runs" not in tables:
            return []
        kept = f" union select portfolio_id from {HISTORY_PREFIX}runs" * (
            f"{HISTORY_PREFIX}runs" in tables
        )
        ids = [
            r[0]
            for r in con.execute(
                f"select distinct portfolio_id from (select portfolio_id from runs{kept}) "
                "where portfolio_id is not null order by 1"
            ).fetchall()
        ]
        for portfolio_id in ids:
            target = portfolio_file(folder, portfolio_id)
            partial = folder / f".{target.name}.{os.getpid()}.partial"
            try:
                write_portfolio(con, portfolio_id, partial)
                _atomic_replace(partial, target)
            except BaseException as exc:
                # A full disk, a killed writer: the partial copy goes, the previous file stays.
                for leftover in (partial, partial.with_name(partial.name + ".wal")):
                    leftover.unlink(missing_ok=True)
                failure = storage.publish_failure(exc, folder)
                if failure is not None:
                    raise failure from None
                raise
            written.append(target)
        for gone in set(published_portfolios(folder)) - set(ids):
            portfolio_file(folder, gone).unlink(missing_ok=True)
    finally:
        con.close()
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return written
