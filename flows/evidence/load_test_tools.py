"""Load test results from k6 and JMeter, read into the tables Locust's results fill.

- **k6**: the end-of-test summary ``k6 run --summary-export=summary.json`` writes (metrics by
  name, each with its statistics: ``http_req_duration`` avg/min/med/max/p(90)/p(95),
  ``http_reqs`` count/rate, ``http_req_failed`` passes/fails/value, ``vus`` and ``vus_max``), or
  the same metrics as a ``handleSummary`` script dumps them (statistics under ``values``). Per
  endpoint rows come from the submetrics tagged ``name`` (``http_req_duration{name:/v1/chat}``
  with ``http_reqs{name:...}`` and ``http_req_failed{name:...}``), which k6 exports when a
  threshold names them. ``http_req_failed`` is a Rate: its ``passes`` count the requests that
  failed. The concurrency is the most virtual users active (``vus`` max).
- **JMeter**: JTL results in CSV with the header line (``timeStamp``, ``elapsed``, ``label``,
  ``success`` and, where saved, ``allThreads``). Percentiles are nearest-rank over the samples
  of each label and of all of them (``Aggregated``), the rate is samples over the test's duration,
  the concurrency is the most threads active. With ``allThreads``, the samples also become a
  history of 10-second windows (like Locust's ``--csv-full-history``), so the p95 is judged
  where the test ran at the target concurrency.

One bad sample or submetric is a rejected row (line and column, or JSON path) and the rest is
assessed; a file without what every row needs (a JTL missing columns, a summary of another shape)
is unreadable, and says what was expected where.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.errors import EvidenceError, reading_failure
from flows.config import LoadTestEvidence
from flows.evidence import Evidence, MissingColumns, keep_valid_rows, read_text
from flows.evidence.load_test_files import HISTORY_TABLE, KIND, TABLE, header_positions, unreadable

AGGREGATE = "Aggregated"
#: Raw meaning -> the JTL header JMeter writes for it (jmeter.save.saveservice.* defaults).
JTL_COLUMNS: dict[str, tuple[str, ...]] = {
    "timestamp": ("timeStamp",),
    "elapsed": ("elapsed",),
    "label": ("label",),
    "success": ("success",),
}
#: One JMeter sample: start (ms since the epoch), elapsed ms, label, success, active threads, line.
Sample = tuple[int, int, str, bool, int | None, int]
#: The history window over JMeter samples, in milliseconds (Locust's rolling window is 10 s).
WINDOW_MS = 10_000
_SUBMETRIC = re.compile(r"^http_req_duration\{(?P<tags>.+)\}$")


def read_tool_result(spec: LoadTestEvidence, path: Path) -> Evidence:
    """One k6 summary or JMeter JTL: a row per endpoint and an aggregate, rejected rows, record."""
    batch = Evidence()
    history: list[dict[str, Any]] = []
    lines: list[int] | None = None
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        if spec.format == "k6":
            rows, rows_read = parse_k6(batch, spec, path)
        else:
            rows, lines, history, rows_read = parse_jtl(batch, spec, path)
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
    valid = keep_valid_rows(batch, TABLE, rows, kind=KIND, source=path, row_numbers=lines)
    if valid:
        batch.add(TABLE, valid)
    kept = keep_valid_rows(batch, HISTORY_TABLE, history, kind=KIND, source=path)
    if kept:
        batch.add(HISTORY_TABLE, kept)
    batch.record_read(KIND, spec.path, path, rows_read)
    return batch


def nearest_rank(ordered: Sequence[float], q: float) -> float | None:
    """The q-quantile of sorted values by nearest rank; None when there are none.

    The smallest value with a share q of the values at or below it (as Locust's percentiles).
    """
    if not ordered:
        return None
    return float(ordered[max(0, math.ceil(q * len(ordered)) - 1)])


# --- k6 ---------------------------------------------------------------------------------------


class ShapeError(ValueError):
    """A value of a k6 summary that is missing or of the wrong type, at a JSON path."""

    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where}: expected {expected}")
        self.where = where


def metric(metrics: dict[str, Any], name: str, required: bool = True) -> dict[str, Any] | None:
    """A metric's statistics: flat (--summary-export) or under ``values`` (handleSummary)."""
    value = metrics.get(name)
    if isinstance(value, dict) and isinstance(value.get("values"), dict):
        return dict(value["values"])
    if isinstance(value, dict):
        return value
    if value is None and not required:
        return None
    found = "nothing" if value is None else f"a {type(value).__name__}"
    raise ShapeError(f"metrics.{name}", f"an object of k6 statistics, found {found}")


def statistic(stats: dict[str, Any], where: str, key: str, required: bool = True) -> float | None:
    """One statistic of a metric: a number (None when optional and absent)."""
    value = stats.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ShapeError(f"{where}.{key}", "a number")
    return float(value)


def failures(stats: dict[str, Any], where: str, requests: int) -> int:
    """Failed requests of an ``http_req_failed`` Rate: its passes (true values), else rate x n."""
    passes = statistic(stats, where, "passes", required=False)
    if passes is not None:
        return int(passes)
    rate = statistic(stats, where, "value", required=False)
    if rate is None:
        rate = statistic(stats, where, "rate")
    return round((rate or 0.0) * requests)


def k6_row(
    metrics: dict[str, Any], suffix: str, endpoint: str, method: str | None, users: int
) -> dict[str, Any]:
    """Statistics of the requests of one submetric suffix ('' for all) as a raw row."""
    duration = metric(metrics, f"http_req_duration{suffix}")
    reqs = metric(metrics, f"http_reqs{suffix}")
    failed = metric(metrics, f"http_req_failed{suffix}")
    assert duration is not None and reqs is not None and failed is not None
    where = f"metrics.http_req_duration{suffix}"
    count = statistic(reqs, f"metrics.http_reqs{suffix}", "count")
    if count is None or count < 0 or not float(count).is_integer():
        raise ShapeError(f"metrics.http_reqs{suffix}.count", "a whole number of requests")
    return {
        "users": users,
        "request_type": method,
        "endpoint": endpoint,
        "is_aggregate": suffix == "",
        "request_count": int(count),
        "failure_count": failures(failed, f"metrics.http_req_failed{suffix}", int(count)),
        "median_ms": statistic(duration, where, "med"),
        "average_ms": statistic(duration, where, "avg"),
        "p95_ms": statistic(duration, where, "p(95)"),
        "p99_ms": statistic(duration, where, "p(99)", required=False),
        "requests_per_s": statistic(reqs, f"metrics.http_reqs{suffix}", "rate", required=False),
        "tool": "k6",
    }


def k6_users(metrics: dict[str, Any], spec: LoadTestEvidence, path: Path) -> int:
    """The most virtual users active (``vus`` max, else ``vus_max``), else the declared users."""
    for name in ("vus", "vus_max"):
        stats = metric(metrics, name, required=False)
        if stats is None:
            continue
        most = statistic(stats, f"metrics.{name}", "max", required=False)
        if most is None:
            most = statistic(stats, f"metrics.{name}", "value", required=False)
        if most is not None and most > 0:
            return int(most)
    if spec.users is None:
        raise EvidenceError(path, "metrics.vus: missing, and no users declared for this load test")
    return spec.users


def parse_k6(
    batch: Evidence, spec: LoadTestEvidence, path: Path
) -> tuple[list[dict[str, Any]], int]:
    """Rows of a k6 end-of-test summary: the aggregate, then one per ``name`` submetric."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise EvidenceError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise EvidenceError(
            path,
            "metrics: expected k6's end-of-test summary (k6 run --summary-export), "
            "a JSON object whose metrics object holds http_req_duration and http_reqs",
        )
    metrics: dict[str, Any] = data["metrics"]
    try:
        users = k6_users(metrics, spec, path)
        rows = [k6_row(metrics, "", AGGREGATE, None, users)]
    except ShapeError as exc:
        raise EvidenceError(path, str(exc)) from None
    for name in sorted(metrics):
        match = _SUBMETRIC.match(name)
        if not match:
            continue
        tags = {
            key: value for key, _, value in (t.partition(":") for t in match["tags"].split(","))
        }
        if "name" not in tags:
            continue  # {expected_response:true} and the like: not an endpoint
        suffix = "{" + match["tags"] + "}"
        try:
            rows.append(k6_row(metrics, suffix, tags["name"], tags.get("method"), users))
        except ShapeError as exc:
            reason = str(exc)
            if f"metrics.http_reqs{suffix}:" in reason or f"metrics.http_req_failed{suffix}:" in (
                reason
            ):
                reason = (
                    f"skipped: {reason} (k6 exports a submetric only when a threshold names it; "
                    f"add thresholds on http_reqs{suffix} and http_req_failed{suffix})"
                )
            batch.reject(KIND, path, reason, column=exc.where)
    for row in rows:
        row["source"] = str(path)
    return rows, len(rows)


# --- JMeter -----------------------------------------------------------------------------------


def jtl_header(path: Path, header: list[str]) -> dict[str, int]:
    """Where JTL's needed columns are; a file without a header line or in XML is refused."""
    first = header[0].strip() if header else ""
    if first.startswith("<"):
        raise EvidenceError(
            path, "this is an XML JTL; write CSV (-Jjmeter.save.saveservice.output_format=csv)"
        )
    if first.isdigit():
        raise EvidenceError(
            path,
            "line 1: expected the JTL header line (timeStamp,elapsed,label,...); JMeter before 3.0 "
            "writes none unless run with -Jjmeter.save.saveservice.print_field_names=true",
        )
    return header_positions(path, header, JTL_COLUMNS, "a JMeter JTL results file")


def parse_jtl(
    batch: Evidence, spec: LoadTestEvidence, path: Path
) -> tuple[list[dict[str, Any]], list[int], list[dict[str, Any]], int]:
    """Rows per label and overall, their line numbers, the history windows, samples read."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = next(reader, None)
    if header is None:
        raise EvidenceError(path, "the file is empty")
    at = jtl_header(path, header)
    names = [h.strip() for h in header]
    threads_at = names.index("allThreads") if "allThreads" in names else None
    samples: list[Sample] = []
    first_line: dict[str, int] = {}
    rows_read = 0
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        rows_read += 1
        sample = jtl_sample(batch, path, start, header, at, threads_at, cells)
        if sample is not None:
            samples.append(sample)
            first_line.setdefault(sample[2], start)
    if not samples:
        raise EvidenceError(path, "no sample could be read (see the rejected rows)")
    users = max((s[4] or 0 for s in samples), default=0) or spec.users
    if not users:
        raise EvidenceError(path, "allThreads: missing, and no users declared for this load test")
    begin = min(s[0] for s in samples)
    seconds = max((max(s[0] + s[1] for s in samples) - begin) / 1000.0, 0.001)
    rows = [jtl_row(path, AGGREGATE, True, samples, users, seconds)]
    lines = [2]
    for label in sorted(first_line):
        mine = [s for s in samples if s[2] == label]
        rows.append(jtl_row(path, label, False, mine, users, seconds))
        lines.append(first_line[label])
    history = jtl_history(path, samples, users) if threads_at is not None else []
    return rows, lines, history, rows_read


def jtl_sample(
    batch: Evidence,
    path: Path,
    line: int,
    header: list[str],
    at: dict[str, int],
    threads_at: int | None,
    cells: list[str],
) -> Sample | None:
    """One sample, or None (with a rejected row per bad cell)."""

    def cell(index: int) -> str:
        return cells[index].strip() if index < len(cells) else ""

    def refuse(index: int, reason: str) -> None:
        batch.reject(KIND, path, reason, row=line, column=header[index], value=cell(index)[:80])

    ok = True
    numbers: dict[str, int] = {}
    for column, expected in (
        ("timestamp", "a time in milliseconds since the epoch (timestamp_format=ms)"),
        ("elapsed", "a whole number of milliseconds"),
    ):
        text = cell(at[column])
        if not text.isdigit() or (column == "timestamp" and not 0 < int(text) < 32503680000000):
            refuse(at[column], f"expected {expected}")
            ok = False
        else:
            numbers[column] = int(text)
    label = cell(at["label"])
    if not label:
        refuse(at["label"], "expected the sampler's label")
        ok = False
    success = cell(at["success"]).casefold()
    if success not in ("true", "false"):
        refuse(at["success"], "expected true or false")
        ok = False
    threads: int | None = None
    if threads_at is not None:
        text = cell(threads_at)
        if not text.isdigit():
            refuse(threads_at, "expected a whole number of active threads")
            ok = False
        else:
            threads = int(text)
    if not ok:
        return None
    return numbers["timestamp"], numbers["elapsed"], label, success == "true", threads, line


def jtl_row(
    path: Path,
    label: str,
    aggregate: bool,
    samples: list[Sample],
    users: int,
    seconds: float,
) -> dict[str, Any]:
    """Latency percentiles, failures and rate of some samples, as a raw row."""
    elapsed = sorted(s[1] for s in samples)
    return {
        "source": str(path),
        "users": users,
        "request_type": None,
        "endpoint": label,
        "is_aggregate": aggregate,
        "request_count": len(samples),
        "failure_count": sum(1 for s in samples if not s[3]),
        "median_ms": nearest_rank(elapsed, 0.5),
        "average_ms": sum(elapsed) / len(elapsed),
        "p95_ms": nearest_rank(elapsed, 0.95),
        "p99_ms": nearest_rank(elapsed, 0.99),
        "requests_per_s": len(samples) / seconds,
        "tool": "jmeter",
    }


def jtl_history(path: Path, samples: list[Sample], users: int) -> list[dict[str, Any]]:
    """Aggregated 10-second windows: threads, rate and percentiles in each, totals so far."""
    begin = min(s[0] for s in samples)
    windows: dict[int, list[Sample]] = {}
    for sample in samples:
        windows.setdefault((sample[0] - begin) // WINDOW_MS, []).append(sample)
    rows = []
    total = failed = 0
    for index in sorted(windows):
        mine = windows[index]
        elapsed = sorted(s[1] for s in mine)
        fails = sum(1 for s in mine if not s[3])
        total, failed = total + len(mine), failed + fails
        rows.append(
            {
                "source": str(path),
                "users": users,
                "sampled_at": datetime.fromtimestamp(
                    (begin + (index + 1) * WINDOW_MS) / 1000, tz=UTC
                ),
                "user_count": max(s[4] or 0 for s in mine),
                "request_type": None,
                "endpoint": AGGREGATE,
                "is_aggregate": True,
                "requests_per_s": len(mine) * 1000 / WINDOW_MS,
                "failures_per_s": fails * 1000 / WINDOW_MS,
                "p50_ms": nearest_rank(elapsed, 0.5),
                "p95_ms": nearest_rank(elapsed, 0.95),
                "p99_ms": nearest_rank(elapsed, 0.99),
                "total_request_count": total,
                "total_failure_count": failed,
                # The line of the window's first sample: where a person finds it in the JTL.
                "source_row": min(s[5] for s in mine),
            }
        )
    return rows
