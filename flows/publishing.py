"""A run's publish, recorded: a run whose publish failed or was killed is recorded failed, with why.

The run's final status is written before the snapshots are copied (the published ``runs`` mart
is a view over the run record, so the snapshot carries it). While the copy is made a marker file
beside the working warehouse names the run. A publish that fails (a full disk) records the run
``failed`` with the reason at once; a publisher killed mid-way leaves the marker, and the next
run (under the run lock, so no publisher is at work) records that run ``failed`` as well. Either
way the partial copy is removed and the previous snapshot stays as it was (flows/snapshots.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.errors import first_line
from flows import storage, warehouse

INTERRUPTED = "interrupted while publishing: the snapshot was not replaced"


def marker(working: Path) -> Path:
    """The file that names the run being published."""
    return working.with_suffix(".publishing")


def failure_message(exc: BaseException) -> str:
    """What a failed publish records: the product's words, never a class name."""
    if isinstance(exc, storage.StorageError):
        return str(exc)
    reason = storage.storage_reason(exc)
    if reason is not None:
        return f"publishing failed: {reason}; the previous snapshot is unchanged"
    if isinstance(exc, KeyboardInterrupt):
        return "publishing was interrupted; the previous snapshot is unchanged"
    return f"publishing failed ({first_line(exc)}); the previous snapshot is unchanged"


@contextmanager
def recorded(working: Path, run_id: str, folder: Path) -> Iterator[None]:
    """Publish inside this block: a failure records the run failed with the reason, then raises."""
    flag = marker(working)
    try:
        flag.write_text(run_id, encoding="utf-8")
        yield
    except BaseException as exc:
        message = failure_message(exc)
        try:
            warehouse.finish_run(working, run_id, "failed", message)
        except Exception:
            pass  # the marker stays: the next run records the failure
        else:
            flag.unlink(missing_ok=True)
        if isinstance(exc, Exception) and not isinstance(exc, storage.StorageError):
            failure = storage.publish_failure(exc, folder)
            if failure is not None:
                raise failure from None
        raise
    flag.unlink(missing_ok=True)


def mark_unpublished(con: duckdb.DuckDBPyConnection, working: Path) -> int:
    """Record the run a killed publisher left behind as failed (called under the run lock)."""
    flag = marker(working)
    if not flag.is_file():
        return 0
    run_id = flag.read_text(encoding="utf-8").strip()
    rows = con.execute(
        "update raw_runs set status = 'failed', message = ? "
        "where run_id = ? and status in ('succeeded', 'partial') returning run_id",
        [INTERRUPTED, run_id],
    ).fetchall()
    flag.unlink(missing_ok=True)
    return len(rows)
