"""Load test results from Locust: final stats per endpoint, and the history over time.

k6 and JMeter results are read by :mod:`flows.evidence.load_test_tools` into the same tables.

``*_stats.csv`` becomes ``raw_load_test_stats`` (one row per endpoint) and, when given,
``*_stats_history.csv`` becomes ``raw_load_test_history`` (one row per sample).

Locust writes one row per request type and name, plus an ``Aggregated`` row (``Type`` empty) over
all of them; dbt reads the aggregate for the p95 latency and error rate checks. The concurrency the
test ran at is not in the stats file: it comes from the project's ``users``. The history file holds
the user count of each sample and its percentiles (current ones, over Locust's rolling window, with
``--csv-full-history``; cumulative without), so dbt can read the p95 at the moment the test ran at
the target concurrency rather than over a step load that went beyond it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import EvidenceError, reading_failure
from flows.config import LoadedProject, LoadTestEvidence
from flows.evidence import Context, Evidence, MissingColumns, keep_valid_rows, read_text
from flows.evidence.load_test_files import (
    HISTORY_COLUMNS,
    HISTORY_TABLE,
    KIND,
    LOCUST_COLUMNS,
    TABLE,
    header_positions,
    unreadable,
)
from flows.evidence.load_test_tools import read_tool_result

HISTORY_COUNTS = ("user_count", "total_request_count", "total_failure_count")
HISTORY_MEASURES = ("requests_per_s", "failures_per_s", "p50_ms", "p95_ms", "p99_ms")
COUNTS = ("request_count", "failure_count")
MEASURES = ("median_ms", "average_ms", "p95_ms", "p99_ms", "requests_per_s")
# Locust writes N/A for a percentile of an endpoint that had no request.
_NOT_MEASURED = frozenset({"", "n/a", "na", "none"})
# Locust names its aggregate row "Aggregated" (older releases: "Total", with method "None").
_AGGREGATE_NAMES = frozenset({"aggregated", "total"})


def collect_load_tests(context: Context, project: LoadedProject) -> Evidence:
    """Read every load test result of the project; none gives no evidence."""
    evidence = Evidence()
    for spec in project.project.evidence.load_tests:
        if spec.format != "locust":
            evidence.extend(read_tool_result(spec, project.resolve(spec.path)))
            continue
        evidence.extend(read_load_test(spec, project.resolve(spec.path)))
        if spec.history_path:
            evidence.extend(read_history(spec, project.resolve(spec.history_path)))
    return evidence


def read_load_test(spec: LoadTestEvidence, path: Path) -> Evidence:
    """One Locust stats file: a row per endpoint, rejected rows, and the input record."""
    batch = Evidence()
    if spec.users is None:
        return unreadable(spec, path, "a Locust stats file needs users: the concurrency it ran at")
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        rows, lines, rows_read, headers = parse_stats(batch, path, spec.users)
    except (OSError, UnicodeDecodeError) as exc:
        return unreadable(spec, path, f"cannot read the file: {exc}")
    except csv.Error as exc:
        return unreadable(spec, path, f"not a valid CSV file: {exc}")
    except MissingColumns as exc:
        return unreadable(spec, path, exc.reason, exc.missing)
    except EvidenceError as exc:
        return unreadable(spec, path, exc.reason)
    except Exception as exc:  # a file no check foresaw must not stop the project (see the log)
        return unreadable(spec, path, reading_failure(exc, path))
    valid = keep_valid_rows(
        batch, TABLE, rows, kind=KIND, source=path, row_numbers=lines, column_names=headers
    )
    if valid:
        batch.add(TABLE, valid)
    batch.record_read(KIND, spec.path, path, rows_read)
    return batch


RowReader = Callable[
    [Evidence, Path, int, list[str], dict[str, int], list[str], int], dict[str, Any] | None
]


def parse_rows(
    batch: Evidence,
    path: Path,
    users: int,
    read_row: RowReader,
    columns: dict[str, tuple[str, ...]],
    what: str,
) -> tuple[list[dict[str, Any]], list[int], int, dict[str, str]]:
    """Rows of a Locust CSV with their line numbers, and the header of each raw column."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = next(reader, None)
    if header is None:
        raise EvidenceError(path, "the file is empty")
    at = header_positions(path, header, columns, what)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    rows_read = 0
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        rows_read += 1
        row = read_row(batch, path, start, header, at, cells, users)
        if row is not None:
            rows.append(row)
            lines.append(start)
    return rows, lines, rows_read, {column: header[i] for column, i in at.items()}


def parse_stats(
    batch: Evidence, path: Path, users: int
) -> tuple[list[dict[str, Any]], list[int], int, dict[str, str]]:
    """Rows of the stats file with their line numbers, and the header of each raw column."""
    return parse_rows(batch, path, users, stats_row, LOCUST_COLUMNS, "a Locust stats file")


def stats_row(
    batch: Evidence,
    path: Path,
    line: int,
    header: list[str],
    at: dict[str, int],
    cells: list[str],
    users: int,
) -> dict[str, Any] | None:
    """One endpoint's statistics, or None (with a rejected row per bad cell)."""

    def text(column: str) -> str:
        index = at[column]
        return cells[index].strip() if index < len(cells) else ""

    ok = True
    row: dict[str, Any] = {"source": str(path), "users": users, "tool": "locust"}
    request_type = text("request_type")
    endpoint = text("endpoint")
    if not endpoint:
        batch.reject(
            KIND, path, "expected the request name", row=line, column=header[at["endpoint"]]
        )
        ok = False
    aggregate = endpoint.casefold() in _AGGREGATE_NAMES and request_type in ("", "None")
    row["request_type"] = None if aggregate or not request_type else request_type
    row["endpoint"] = endpoint
    row["is_aggregate"] = aggregate
    for column in (*COUNTS, *MEASURES):
        value = text(column)
        try:
            row[column] = count(value) if column in COUNTS else measure(value)
        except ValueError as exc:
            batch.reject(KIND, path, str(exc), row=line, column=header[at[column]], value=value)
            ok = False
    return row if ok else None


def count(text: str, what: str = "requests") -> int:
    """A request, failure or user count: a whole number."""
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise ValueError(f"expected a whole number of {what}")
    return int(number)


def measure(text: str) -> float | None:
    """A time in milliseconds or a rate; N/A (no request) is no measurement."""
    if text.casefold() in _NOT_MEASURED:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError("expected a number, or N/A") from None


# --- *_stats_history.csv ----------------------------------------------------------------------


def read_history(spec: LoadTestEvidence, path: Path) -> Evidence:
    """One Locust history file: a row per sample (and endpoint), rejected rows, the input record."""
    name = str(spec.history_path)
    batch = Evidence()
    if spec.users is None:
        return unreadable(spec, path, "a Locust history needs users: the concurrency it ran at")
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        rows, lines, rows_read, headers = parse_history(batch, path, spec.users)
    except (OSError, UnicodeDecodeError) as exc:
        return unreadable(spec, path, f"cannot read the file: {exc}", name=name)
    except csv.Error as exc:
        return unreadable(spec, path, f"not a valid CSV file: {exc}", name=name)
    except MissingColumns as exc:
        return unreadable(spec, path, exc.reason, exc.missing, name=name)
    except EvidenceError as exc:
        return unreadable(spec, path, exc.reason, name=name)
    except Exception as exc:  # a file no check foresaw must not stop the project (see the log)
        return unreadable(spec, path, reading_failure(exc, path), name=name)
    valid = keep_valid_rows(
        batch, HISTORY_TABLE, rows, kind=KIND, source=path, row_numbers=lines, column_names=headers
    )
    if valid:
        batch.add(HISTORY_TABLE, valid)
    batch.record_read(KIND, name, path, rows_read)
    return batch


def parse_history(
    batch: Evidence, path: Path, users: int
) -> tuple[list[dict[str, Any]], list[int], int, dict[str, str]]:
    """Samples of the history file with their line numbers, and the header of each raw column."""
    return parse_rows(
        batch, path, users, history_row, HISTORY_COLUMNS, "a Locust stats history file"
    )


def history_row(
    batch: Evidence,
    path: Path,
    line: int,
    header: list[str],
    at: dict[str, int],
    cells: list[str],
    users: int,
) -> dict[str, Any] | None:
    """One sample, or None (with a rejected row per bad cell)."""

    def text(column: str) -> str:
        index = at[column]
        return cells[index].strip() if index < len(cells) else ""

    ok = True
    request_type = text("request_type")
    endpoint = text("endpoint")
    aggregate = endpoint.casefold() in _AGGREGATE_NAMES and request_type in ("", "None")
    row: dict[str, Any] = {
        "source": str(path),
        "users": users,
        "request_type": None if aggregate or not request_type else request_type,
        "endpoint": endpoint,
        "is_aggregate": aggregate,
        "source_row": line,
    }
    if not endpoint:
        batch.reject(
            KIND, path, "expected the request name", row=line, column=header[at["endpoint"]]
        )
        ok = False
    try:
        row["sampled_at"] = timestamp(text("sampled_at"))
    except ValueError as exc:
        batch.reject(
            KIND,
            path,
            str(exc),
            row=line,
            column=header[at["sampled_at"]],
            value=text("sampled_at"),
        )
        ok = False
    for column in (*HISTORY_COUNTS, *HISTORY_MEASURES):
        value = text(column)
        try:
            if column == "user_count":
                row[column] = count(value, "users")
            else:
                row[column] = count(value) if column in HISTORY_COUNTS else measure(value)
        except ValueError as exc:
            batch.reject(KIND, path, str(exc), row=line, column=header[at[column]], value=value)
            ok = False
    return row if ok else None


def timestamp(text: str) -> datetime:
    """Locust's sample time: seconds since the epoch (UTC)."""
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError("expected a Unix timestamp in seconds") from None
    if not 0 < seconds < 32503680000:  # before the year 3000
        raise ValueError("expected a Unix timestamp in seconds")
    return datetime.fromtimestamp(seconds, tz=UTC)
