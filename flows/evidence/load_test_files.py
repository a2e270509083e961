"""What every load test reader shares: the raw tables, Locust's column names, an unreadable input.

Locust's results are read by :mod:`flows.evidence.load_tests`, k6's and JMeter's by
:mod:`flows.evidence.load_test_tools`; both fill the same tables and report a file they cannot read
the same way. Kept below both so that they do not import each other.
"""

from __future__ import annotations

from pathlib import Path

from flows.config import LoadTestEvidence
from flows.evidence import Evidence, MissingColumns

KIND = "load_test"
TABLE = "raw_load_test_stats"
HISTORY_TABLE = "raw_load_test_history"
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
#: Raw column of ``raw_load_test_history`` -> the header Locust writes in ``*_stats_history.csv``.
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "sampled_at": ("Timestamp",),
    "user_count": ("User Count",),
    "request_type": ("Type",),
    "endpoint": ("Name",),
    "requests_per_s": ("Requests/s",),
    "failures_per_s": ("Failures/s",),
    "p50_ms": ("50%",),
    "p95_ms": ("95%",),
    "p99_ms": ("99%",),
    "total_request_count": ("Total Request Count",),
    "total_failure_count": ("Total Failure Count",),
}


def unreadable(
    spec: LoadTestEvidence,
    path: Path,
    reason: str,
    missing: list[str] | None = None,
    name: str | None = None,
) -> Evidence:
    """A batch holding only the record of an input that could not be read.

    A missing column is also a rejected row (header line 1, that column), so that the refusal
    shows where every refused row shows.
    """
    batch = Evidence()
    for column in missing or []:
        batch.reject(KIND, path, f"missing column {column!r}: {reason}", row=1, column=column)
    batch.record_unreadable(KIND, name or spec.path, path, reason)
    return batch


def header_positions(
    path: Path,
    header: list[str],
    columns: dict[str, tuple[str, ...]] = LOCUST_COLUMNS,
    what: str = "a Locust stats file",
) -> dict[str, int]:
    """Where each needed column is; missing columns make the file unreadable, all named at once."""
    names = [h.strip().casefold() for h in header]
    positions: dict[str, int] = {}
    missing = []
    for column, aliases in columns.items():
        found = next((names.index(a.casefold()) for a in aliases if a.casefold() in names), None)
        if found is None:
            missing.append(aliases[0])
        else:
            positions[column] = found
    if missing:
        hint = ""
        if columns is LOCUST_COLUMNS and "user count" in names:
            hint = " (this looks like *_stats_history.csv; point history_path at it, path at *_stats.csv)"
        elif columns is HISTORY_COLUMNS and "request count" in names:
            hint = " (this looks like *_stats.csv; point path at it, history_path at *_stats_history.csv)"
        raise MissingColumns(
            path, f"missing columns of {what}: {', '.join(missing)}{hint}", missing
        )
    return positions
