"""``readiness audit SOURCE``: profile one dataset where it lives, no project needed.

The numbers come from the same measurement as a portfolio run (:mod:`flows.evidence.data_audit`):
one aggregate pass over every column (nulls, empty strings, distinct, min, max), duplicate keys
and freshness, in DuckDB for files and S3 objects and in PostgreSQL for its tables and queries.
A column holding personal values (detected as a portfolio run detects them, or named with
--personal) is counted only: no minimum or maximum, duplicated keys masked.
Exit 0 when the audit ran, whatever it found (3 when a --fail-on condition holds); 1 with one line
on stderr when the source cannot be read; 2 when the command line is wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.config import FieldMap, FieldSpec
from flows.sources import dialect

if TYPE_CHECKING:  # the measurement (DuckDB, pandas) is imported when an audit runs
    import duckdb

    from flows.sources.scan import Scan

out = Console(soft_wrap=True)
if not out.is_terminal:
    # Piped or logged: wide enough that a column's type and values are not cut.
    out = Console(width=160, soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def profile(
    scan: Scan,
    key: list[str],
    timestamp: str | None,
    max_age: str | None,
    as_of: datetime,
    declared: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """The audit document of an opened dataset (the JSON printed by ``--json``).

    ``declared``: columns declared personal (True) or not (False); the others are detected.
    """
    from flows.evidence.data_audit import masked_keys, personal_columns, profile_fields

    fields = {
        name: FieldSpec(required=False, personal=(declared or {}).get(name))
        for name in scan.columns
    }
    field_map = FieldMap(fields=fields, key=key, timestamp=timestamp, max_age=max_age)
    personal = personal_columns(scan, field_map)
    measured, figures = profile_fields(scan, field_map, personal, top=False, as_of=as_of)
    fresh = figures.freshness
    max_age_seconds = field_map.max_age_seconds
    rows = scan.rows
    document: dict[str, Any] = {
        "source": scan.display,
        "engine": scan.engine,
        "rows": rows,
        "rejected_rows": scan.rejected,
        "columns": [
            {
                "name": f.field,
                "type": f.observed_type,
                "nulls": f.null_count,
                "null_rate": f.null_count / rows if rows and f.null_count is not None else None,
                "empty": f.empty_count,
                "distinct": f.distinct_count,
                "distinct_at_least": f.distinct_at_least,
                "min": f.min_value,
                "max": f.max_value,
                "personal": f.personal_reason if f.personal else None,
            }
            for f in measured
        ],
    }
    if key:
        duplicates, examples = figures.duplicates or (0, [])
        document["duplicates"] = {
            "key": key,
            "duplicate_rows": duplicates,
            "examples": masked_keys(examples, personal),
        }
    if timestamp and fresh is not None:
        document["freshness"] = {
            "column": timestamp,
            "max": fresh.newest.isoformat() if fresh.newest else None,
            "age_seconds": fresh.age_seconds,
            "max_age_seconds": max_age_seconds,
            "stale_rows": fresh.stale_rows,
            "fresh": None
            if max_age_seconds is None or fresh.age_seconds is None
            else fresh.age_seconds <= max_age_seconds,
        }
    if scan.rejects:
        document["rejected_examples"] = [
            {"file": f, "row": line, "column": column, "reason": reason}
            for f, line, column, _, reason in scan.rejects[:5]
        ]
    return document


def render(document: dict[str, Any]) -> None:
    """Print the audit as a person reads it."""
    rows = document["rows"]
    out.print(f"[bold]{document['source']}[/]: {rows:,} rows", highlight=False)
    if document["rejected_rows"]:
        out.print(
            f"[yellow]{document['rejected_rows']:,} rows could not be read[/]", highlight=False
        )
        for example in document.get("rejected_examples", []):
            out.print(
                f"  {example['file']}, row {example['row']}, column {example['column']!r}: "
                f"{example['reason']}",
                markup=False,
                highlight=False,
            )
    table = Table(show_lines=False)
    for name, justify in [
        ("column", "left"),
        ("type", "left"),
        ("nulls", "right"),
        ("null %", "right"),
        ("distinct", "right"),
        ("min", "left"),
        ("max", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in document["columns"]:
        rate = "-" if c["null_rate"] is None else f"{c['null_rate']:.1%}"
        least = c["distinct_at_least"] or 0
        distinct = (
            f"{c['distinct']:,}"
            if c["distinct"] is not None
            else f">= {least:,}"
            if least > 1
            else "not counted"
        )
        table.add_row(
            c["name"],
            str(c["type"]),
            f"{c['nulls']:,}",
            rate,
            distinct,
            "(personal)" if c["personal"] else "" if c["min"] is None else str(c["min"])[:40],
            "(personal)" if c["personal"] else "" if c["max"] is None else str(c["max"])[:40],
        )
    out.print(table)
    personal = [f"{c['name']} ({c['personal']})" for c in document["columns"] if c["personal"]]
    if personal:
        out.print(
            f"personal, counted only: {', '.join(personal)} (--not-personal to show a column)",
            markup=False,
            highlight=False,
        )
    if any(c["distinct"] is None for c in document["columns"]):
        out.print(
            "distinct values are counted exactly for fields of few values (and every field up "
            f"to {dialect.COUNTED_DISTINCT_ROWS:,} rows); the others are not counted, never "
            "estimated (>= n: at least as many as the first rows hold)",
            markup=False,
            highlight=False,
        )
    if "duplicates" in document:
        d = document["duplicates"]
        out.print(f"duplicate key rows ({', '.join(d['key'])}): {d['duplicate_rows']:,}")
    if "freshness" in document:
        f = document["freshness"]
        age = "-" if f["age_seconds"] is None else f"{f['age_seconds'] / 3600:.1f} h"
        line = f"newest {f['column']}: {f['max'] or 'none parsable'} (age {age})"
        if f["max_age_seconds"] is not None:
            verdict = {True: "fresh", False: "STALE", None: "unknown"}[f["fresh"]]
            line += f", max age {f['max_age_seconds'] / 3600:.1f} h: {verdict}"
            if f["stale_rows"] is not None:
                line += f"; {f['stale_rows']:,} records older than the max age"
        out.print(line, highlight=False)


def with_progress(
    con: duckdb.DuckDBPyConnection, show: bool, work: Callable[[Callable[[str], None]], T]
) -> T:
    """Run ``work`` with a progress bar on stderr, fed by DuckDB's own progress of each query.

    Nothing is drawn with --json or when stderr is not a terminal. PostgreSQL reports no progress:
    the bar then only names the step.
    """
    if not show:
        return work(lambda description: None)
    con.execute("set enable_progress_bar = true")
    con.execute("set enable_progress_bar_print = false")
    state: dict[str, Any] = {"description": "reading"}

    def describe(description: str) -> None:
        state["description"] = description

    def target() -> None:
        try:
            state["value"] = work(describe)
        except BaseException as exc:  # handed to the caller's thread below
            state["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task("reading", total=100)
        thread.start()
        while thread.is_alive():
            done = con.query_progress()
            progress.update(task, description=state["description"], completed=max(done, 0.0))
            thread.join(0.1)
    if "error" in state:
        raise state["error"]
    return cast(T, state["value"])
