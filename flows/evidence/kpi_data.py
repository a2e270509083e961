"""A KPI export (CSV: ``date``, ``kpi``, ``value``) -> ``raw_kpi_points``.

Each row is one measured point of a business KPI. The export's cadence and the launch date come
from the project file (``evidence.kpi_data``) and ride along on every point: dbt judges whether the
points keep the cadence up to the run's as-of, and measures the baseline from the points before the
launch date. A row whose date cannot be read, whose value is no number or whose KPI is empty is
refused with the file, its line and the column; the rest is assessed.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from core.errors import EvidenceError
from flows.config import LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence, keep_valid_rows, read_text

KIND = "kpi_data"
TABLE = "raw_kpi_points"
COLUMNS = ("date", "kpi", "value")


def collect_kpi_data(context: Context, project: LoadedProject) -> Evidence:
    """Read the project's KPI export; none gives no evidence."""
    entry = project.project.evidence.kpi_data
    evidence = Evidence()
    if entry is None:
        return evidence
    path = project.resolve(entry.path)
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        text = read_text(path)
    except EvidenceError as exc:
        return evidence.record_unreadable(KIND, entry.path, path, exc.reason)
    except UnicodeDecodeError as exc:
        return evidence.record_unreadable(
            KIND, entry.path, path, f"not UTF-8 text (byte {exc.start + 1})"
        )
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        for column in missing:
            evidence.reject(KIND, path, "expected this column", column=column)
        return evidence.record_unreadable(
            KIND, entry.path, path, f"missing column(s): {', '.join(missing)}"
        )
    launch = (
        datetime(entry.launch_date.year, entry.launch_date.month, entry.launch_date.day, tzinfo=UTC)
        if entry.launch_date
        else None
    )
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    read = 0
    for raw in reader:
        read += 1
        line = reader.line_num
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        point = parse_point(row, evidence, path, line)
        if point is None:
            continue
        point.update(source=str(path), cadence_days=entry.cadence_days, launch_date=launch)
        rows.append(point)
        lines.append(line)
    kept = keep_valid_rows(evidence, TABLE, rows, kind=KIND, source=path, row_numbers=lines)
    if kept:
        evidence.add(TABLE, kept)
    evidence.record_input(
        KIND,
        entry.path,
        path,
        fingerprint=fingerprint_file(path),
        rows_read=read,
        rows_rejected=len(evidence.tables.get("raw_rejected_rows", [])),
        newest_record_at=max((r["measured_on"] for r in kept), default=None),
    )
    return evidence


def parse_point(
    row: dict[str, str], evidence: Evidence, path: Any, line: int
) -> dict[str, Any] | None:
    """One point (kpi, measured_on, value), or None when refused (each problem a rejected row)."""
    ok = True
    kpi = row.get("kpi", "")
    if not kpi:
        evidence.reject(KIND, path, "expected the KPI's name, found none", row=line, column="kpi")
        ok = False
    stamp = pd.to_datetime(row.get("date", ""), utc=True, errors="coerce", format="ISO8601")
    if pd.isna(stamp):
        evidence.reject(
            KIND,
            path,
            "expected a date (ISO 8601, such as 2026-03-31)",
            row=line,
            column="date",
            value=row.get("date", "")[:30],
        )
        ok = False
    try:
        value = float(row.get("value", ""))
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        evidence.reject(
            KIND,
            path,
            "expected a number",
            row=line,
            column="value",
            value=row.get("value", "")[:30],
        )
        ok = False
    if not ok:
        return None
    return {"kpi": kpi, "measured_on": stamp.to_pydatetime(), "value": value}
