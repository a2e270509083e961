"""A damaged working warehouse: found before a run, and rebuilt by ``readiness repair``.

A truncated or overwritten working DuckDB file stops every run. :func:`check_working`
(flows/storage.py) opens it and reads every table before a run starts, and says what happened
and what to do, in one line.

``readiness repair`` rebuilds the working file from what survives it: the published snapshots.
A snapshot holds the marts of every run of its portfolio, not the raw evidence, so the rebuilt
file holds empty raw tables (the next run measures the evidence again) and the published marts
of every earlier run as ``history_<mart>`` tables. Publishing adds those rows to each snapshot
(flows/snapshots.py), so the history, the comparisons and the trends that readers see survive
the repair. The damaged file is kept beside it (``<file>.damaged-<time>``) for inspection.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core.errors import ReadinessError
from flows import storage

# A damaged file is found before a run by a storage check (flows/storage.py); the run and
# ``readiness repair`` import it from here, beside the repair it points to.
from flows.storage import DamagedWarehouseError as DamagedWarehouseError
from flows.storage import check_working as check_working


@dataclass
class Repaired:
    """What a repair did."""

    kept: Path | None
    runs: int
    portfolios: list[str] = field(default_factory=list)


def _union(parts: list[str]) -> str:
    return " union all by name ".join(parts)


def _build(fresh: Path, published: Path, portfolios: list[str]) -> int:
    """Write the rebuilt warehouse into ``fresh``; return the number of earlier runs it keeps."""
    import duckdb

    from flows import warehouse
    from readmodel import snapshots

    con = duckdb.connect(str(fresh))
    try:
        warehouse.ensure_raw_tables(con)
        files = [snapshots.portfolio_file(published, p) for p in portfolios]
        present: dict[str, list[str]] = {}
        for i, path in enumerate(files):
            alias = f"snapshot_{i}"
            con.execute(f"attach '{snapshots._quoted(path)}' as {alias} (read_only)")
            for table in snapshots._tables(con, alias):
                if table in snapshots.PUBLISHED_MARTS:
                    present.setdefault(table, []).append(alias)
        for mart, aliases in present.items():
            con.execute(
                f"create table {snapshots.HISTORY_PREFIX}{mart} as "
                + _union([f"select * from {alias}.main.{mart}" for alias in aliases])
            )
        row = con.execute(f"select count(*) from {snapshots.HISTORY_PREFIX}runs").fetchone()
        runs = int(row[0]) if row and "runs" in present else 0
        for i in range(len(files)):
            con.execute(f"detach snapshot_{i}")
        con.execute("checkpoint")
    finally:
        con.close()
    return runs


def rebuild(working: Path, published: Path) -> Repaired:
    """Rebuild the working file from the published snapshots (call under the run lock)."""
    from readmodel import snapshots

    portfolios = snapshots.published_portfolios(published)
    if not portfolios:
        raise ReadinessError(
            f"no published snapshot in {published} to rebuild the working warehouse from; "
            f"move {working} away and run `readiness run` to start a new history"
        )
    fresh = working.with_name(f".{working.name}.repairing")
    partial = (fresh, fresh.with_name(fresh.name + ".wal"))
    for leftover in partial:
        leftover.unlink(missing_ok=True)
    try:
        runs = _build(fresh, published, portfolios)
    except BaseException as exc:
        for leftover in partial:  # a full disk: the damaged file stays, no partial copy beside it
            leftover.unlink(missing_ok=True)
        reason = storage.storage_reason(exc)
        if reason is None:
            raise
        raise storage.StorageError(
            f"rebuilding {working} failed: {reason}; nothing was changed: free space in "
            f"{working.parent} and run `readiness repair` again"
        ) from None
    kept = None
    if working.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = working.with_name(f"{working.name}.damaged-{stamp}")
        os.replace(working, kept)
        wal = working.with_name(working.name + ".wal")
        if wal.exists():
            os.replace(wal, kept.with_name(kept.name + ".wal"))
    os.replace(fresh, working)
    return Repaired(kept=kept, runs=runs, portfolios=portfolios)
