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

import json
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.config import FieldMap, FieldSpec, parse_duration
from flows.errors import EvidenceError
from flows.sources import CsvOptions, SourceRef, parse_source

if TYPE_CHECKING:  # the measurement (DuckDB, pandas) is imported when an audit runs
    import duckdb

    from flows.sources.scan import Scan

out = Console(soft_wrap=True)
if not out.is_terminal:
    # Piped or logged: wide enough that a column's type and values are not cut.
    out = Console(width=160, soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


# The source a command reads where it lives (``audit``, ``suggest``): one definition of each.
SourceArgument = Annotated[
    str,
    typer.Argument(
        help="A path, folder or glob; s3://bucket/key-or-prefix; or a postgresql:// URL "
        "(with --table or --query)."
    ),
]
TableOption = Annotated[
    str | None, typer.Option("--table", help="PostgreSQL table ([schema.]name).")
]
QueryOption = Annotated[str | None, typer.Option("--query", help="PostgreSQL query.")]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, parquet, json, ndjson or excel (default: by extension)."),
]
FORMATS = ("csv", "parquet", "json", "ndjson", "excel")


def format_problem(file_format: str | None) -> str | None:
    """What is wrong with a ``--format`` value, or None."""
    if file_format is None or file_format in FORMATS:
        return None
    return f"--format {file_format!r}: expected {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"


def _fail(code: int, message: str) -> typer.Exit:
    err.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def _columns(scan: Scan, names: list[str], option: str) -> list[str]:
    """The dataset's columns for names given on the command line (case-insensitive)."""
    from flows.evidence.data_audit import locate

    found = []
    for name in names:
        column = locate(name, FieldSpec(), scan.columns)
        if column is None:
            raise _fail(
                2,
                f"{scan.display}: {option} {name!r} is not a column "
                f"(columns: {', '.join(scan.columns)})",
            )
        found.append(column)
    return found


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
                "distinct_exact": f.distinct_is_exact,
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
        distinct = f"{c['distinct']:,}" + ("" if c["distinct_exact"] else " ~")
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
    if any(not c["distinct_exact"] for c in document["columns"]):
        out.print("~ approximate distinct count (HyperLogLog, about 2% error)")
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


def audit(
    source: SourceArgument,
    key: Annotated[
        str | None, typer.Option("--key", help="Key column(s), comma-separated.")
    ] = None,
    timestamp: Annotated[
        str | None, typer.Option("--timestamp", help="Timestamp column for freshness.")
    ] = None,
    max_age: Annotated[
        str | None, typer.Option("--max-age", help="Maximum age, e.g. 36h, 7d (needs --timestamp).")
    ] = None,
    file_format: FormatOption = None,
    table: TableOption = None,
    query: QueryOption = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: detected).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="CSV encoding: utf-8, utf-16 or latin-1 (default: detected).")
    ] = None,
    personal: Annotated[
        str | None,
        typer.Option(
            "--personal", help="Column(s) holding personal values, comma-separated (counted only)."
        ),
    ] = None,
    not_personal: Annotated[
        str | None,
        typer.Option(
            "--not-personal",
            help="Column(s) wrongly detected as personal, comma-separated (shown in full).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 3 when the newest --timestamp is older than --max-age (stale), rows could "
            "not be read (violations) or rows share a --key (duplicates); repeatable.",
            metavar="stale|violations|duplicates",
        ),
    ] = None,
) -> None:
    """Audit one dataset: rows, per column nulls/distinct/min/max, duplicate keys, freshness."""
    from flows.gates import AUDIT_GATES, GATE_FAILED, audit_findings, unknown_gate
    from flows.sources.scan import audit_connection, open_scan, unreadable

    if (wrong := format_problem(file_format)) is not None:
        raise _fail(2, wrong)
    for gate in fail_on or []:
        if (wrong := unknown_gate(gate, AUDIT_GATES)) is not None:
            raise _fail(2, wrong)
    if "stale" in (fail_on or []) and not max_age:
        raise _fail(2, "--fail-on stale needs --timestamp and --max-age")
    if "duplicates" in (fail_on or []) and not key:
        raise _fail(2, "--fail-on duplicates needs --key")
    if max_age and not timestamp:
        raise _fail(2, "--max-age needs --timestamp")
    try:
        parse_duration(max_age) if max_age else None
        ref: SourceRef = parse_source(source, Path.cwd(), table=table, query=query)
    except ValueError as exc:
        raise _fail(2, str(exc)) from exc
    as_of = datetime.now(UTC)
    csv = CsvOptions(delimiter=delimiter, encoding=encoding)
    with tempfile.TemporaryDirectory(prefix="readiness-audit-") as scratch:
        con = audit_connection(Path(scratch))
        holder: list[Scan] = []

        def work(describe: Callable[[str], None]) -> dict[str, Any]:
            scan = open_scan(con, "dataset", ref, Path(scratch), file_format, csv)
            holder.append(scan)
            rows = f"{scan.rows:,} rows" if scan.rows >= 0 else "a large CSV file, in one pass"
            describe(f"measuring {len(scan.columns)} columns of {rows}")
            keys = _columns(scan, key.split(",") if key else [], "--key")
            (column,) = _columns(scan, [timestamp], "--timestamp") if timestamp else (None,)
            declared = dict.fromkeys(
                _columns(scan, personal.split(",") if personal else [], "--personal"), True
            ) | dict.fromkeys(
                _columns(scan, not_personal.split(",") if not_personal else [], "--not-personal"),
                False,
            )
            return profile(scan, keys, column, max_age, as_of, declared)

        try:
            document = with_progress(con, not as_json and err.is_terminal, work)
        except EvidenceError as exc:
            error = unreadable(ref, exc)
            raise _fail(1, f"cannot audit {error.source}: {error.reason}") from exc
        finally:
            for scan in holder:
                scan.close()
            con.close()
    findings = [(gate, f) for gate in fail_on or [] for f in audit_findings(document, gate)]
    if fail_on:
        document["gate"] = {
            "fail_on": fail_on,
            "failed": bool(findings),
            "findings": [f for _, f in findings],
        }
    if as_json:
        typer.echo(json.dumps(document, default=str))
    else:
        render(document)
    if findings:
        for gate, finding in findings:
            err.print(f"--fail-on {gate}: {finding}", markup=False, highlight=False)
        raise typer.Exit(GATE_FAILED)
