"""Load test results (Locust's ``*_stats.csv``) -> ``raw_load_test_stats``, one row per endpoint.

Locust writes one row per request type and name, plus an ``Aggregated`` row (``Type`` empty) over
all of them; dbt reads the aggregate for the p95 latency and error rate checks. The concurrency the
test ran at is not in the file: it comes from the project's ``users``. ``*_stats_history.csv`` is
not read (the final stats carry every number the checks use).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from flows.config import LoadedProject, LoadTestEvidence
from flows.errors import EvidenceError
from flows.evidence import Context, Evidence, keep_valid_rows

KIND = "load_test"
TABLE = "raw_load_test_stats"
#: Raw column -> the header names Locust has used for it (current first; older releases second).
LOCUST_COLUMNS: dict[str, tuple[str, ...]] = {
    "request_type": ("Type", "Method"),
    "endpoint": ("Name",),
    "request_count": ("Request Count", "# requests"),
    "failure_count": ("Failure Count", "# failures"),
    "median_ms": ("Median Response Time",),
    "average_ms": ("Average Response Time",),
    "p95_ms": ("95%",),
    "p99_ms": ("99%",),
    "requests_per_s": ("Requests/s",),
}
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
        evidence.extend(read_load_test(spec, project.resolve(spec.path)))
    return evidence


def read_load_test(spec: LoadTestEvidence, path: Path) -> Evidence:
    """One Locust stats file: a row per endpoint, rejected rows, and the input record."""
    batch = Evidence()
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        rows, lines, rows_read = parse_stats(batch, path, spec.users)
    except (OSError, UnicodeDecodeError) as exc:
        return unreadable(spec, path, f"cannot read the file: {exc}")
    except csv.Error as exc:
        return unreadable(spec, path, f"not a valid CSV file: {exc}")
    except EvidenceError as exc:
        return unreadable(spec, path, exc.reason)
    valid = keep_valid_rows(batch, TABLE, rows, kind=KIND, source=path, row_numbers=lines)
    if valid:
        batch.add(TABLE, valid)
    batch.record_read(KIND, spec.path, path, rows_read)
    return batch


def unreadable(spec: LoadTestEvidence, path: Path, reason: str) -> Evidence:
    """A batch holding only the record of an input that could not be read."""
    return Evidence().record_unreadable(KIND, spec.path, path, reason)


def header_positions(path: Path, header: list[str]) -> dict[str, int]:
    """Where each needed column is; missing columns make the file unreadable, all named at once."""
    names = [h.strip().casefold() for h in header]
    positions: dict[str, int] = {}
    missing = []
    for column, aliases in LOCUST_COLUMNS.items():
        found = next((names.index(a.casefold()) for a in aliases if a.casefold() in names), None)
        if found is None:
            missing.append(aliases[0])
        else:
            positions[column] = found
    if missing:
        hint = ""
        if "user count" in names:
            hint = " (this looks like *_stats_history.csv; point path at *_stats.csv)"
        raise EvidenceError(
            path, f"missing columns of a Locust stats file: {', '.join(missing)}{hint}"
        )
    return positions


def parse_stats(
    batch: Evidence, path: Path, users: int
) -> tuple[list[dict[str, Any]], list[int], int]:
    """Rows of the stats file with their line numbers; rows with bad numbers are refused."""
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    header = next(reader, None)
    if header is None:
        raise EvidenceError(path, "the file is empty")
    at = header_positions(path, header)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    rows_read = 0
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        rows_read += 1
        row = stats_row(batch, path, start, header, at, cells, users)
        if row is not None:
            rows.append(row)
            lines.append(start)
    return rows, lines, rows_read


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
    row: dict[str, Any] = {"source": str(path), "users": users}
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


def count(text: str) -> int:
    """A request or failure count: a whole number."""
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise ValueError("expected a whole number of requests")
    return int(number)


def measure(text: str) -> float | None:
    """A time in milliseconds or a rate; N/A (no request) is no measurement."""
    if text.casefold() in _NOT_MEASURED:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError("expected a number, or N/A") from None
