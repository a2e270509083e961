"""A KPI export (CSV: ``date``, ``kpi``, ``value``), or any dataset source -> ``raw_kpi_points``.

The source (``source:``, with ``table:``/``query:`` and ``columns:``) is opened by the data audit's
source layer (:mod:`flows.sources`: files, S3 objects, PostgreSQL tables or queries), never by a
second reader; its three columns are read as text and parsed like an export's lines.

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
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import EvidenceError, reading_failure
from flows.config import KpiDataEvidence, LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence, keep_valid_rows, read_text
from flows.privacy import redact

KIND = "kpi_data"
TABLE = "raw_kpi_points"
COLUMNS = ("date", "kpi", "value")


def collect_kpi_data(context: Context, project: LoadedProject) -> Evidence:
    """Read the project's KPI export or KPI source; none gives no evidence."""
    entry = project.project.evidence.kpi_data
    evidence = Evidence()
    if entry is None:
        return evidence
    if entry.source is not None:
        read = read_source(project, entry, evidence)
    else:
        read = read_export(project, entry, evidence)
    if read is None:
        return evidence
    launch = (
        datetime(entry.launch_date.year, entry.launch_date.month, entry.launch_date.day, tzinfo=UTC)
        if entry.launch_date
        else None
    )
    for point in read.points:
        point.update(source=read.source, cadence_days=entry.cadence_days, launch_date=launch)
    kept = keep_valid_rows(
        evidence,
        TABLE,
        read.points,
        kind=KIND,
        source=read.source,
        row_numbers=read.rows,
        column_names={
            "measured_on": read.column_names.get("date", "date"),
            "kpi": read.column_names.get("kpi", "kpi"),
            "value": read.column_names.get("value", "value"),
        },
    )
    if kept:
        evidence.add(TABLE, kept)
    evidence.record_input(
        KIND,
        read.name,
        read.source,
        fingerprint=read.fingerprint,
        rows_read=read.read,
        rows_rejected=len(evidence.tables.get("raw_rejected_rows", [])),
        newest_record_at=max((r["measured_on"] for r in kept), default=None),
    )
    return evidence


@dataclass
class Points:
    """The points read from a KPI export or source, with where each one was."""

    name: str
    source: str
    fingerprint: str | None
    points: list[dict[str, Any]] = field(default_factory=list)
    #: The row (file line, or position in the order read) of each point.
    rows: list[int] = field(default_factory=list)
    read: int = 0
    #: Raw column -> the column as the source names it (``columns:`` maps them).
    column_names: dict[str, str] = field(default_factory=dict)

    def add(self, row: dict[str, str], evidence: Evidence, number: int) -> None:
        """Parse one row; a refused one is a rejected row (with the source's column names)."""
        self.read += 1
        point = parse_point(row, evidence, self.source, number, self.column_names)
        if point is not None:
            self.points.append(point)
            self.rows.append(number)


def read_export(
    project: LoadedProject, entry: KpiDataEvidence, evidence: Evidence
) -> Points | None:
    """The KPI export (CSV: date, kpi, value), each point with its line; None when unreadable."""
    assert entry.path is not None
    path = project.resolve(entry.path)
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        text = read_text(path)
    except EvidenceError as exc:
        evidence.record_unreadable(KIND, entry.path, path, exc.reason)
        return None
    except UnicodeDecodeError as exc:
        evidence.record_unreadable(KIND, entry.path, path, f"not UTF-8 text (byte {exc.start + 1})")
        return None
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        for column in missing:
            evidence.reject(KIND, path, "expected this column", column=column)
        evidence.record_unreadable(
            KIND, entry.path, path, f"missing column(s): {', '.join(missing)}"
        )
        return None
    read = Points(entry.path, str(path), fingerprint_file(path))
    for raw in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        read.add(row, evidence, reader.line_num)
    return read


def read_source(
    project: LoadedProject, entry: KpiDataEvidence, evidence: Evidence
) -> Points | None:
    """KPI points from a dataset source (files, S3, PostgreSQL), read as the data audit reads it.

    The columns ``columns:`` names are read as text, so that a date or value the source cannot
    give as one is refused with its row (its position in the order read) like a CSV line.
    """
    import duckdb

    from flows.sources import CsvOptions, parse_source
    from flows.sources.scan import Scan, audit_connection, local_files, open_scan, unreadable

    assert entry.source is not None
    ref = parse_source(entry.source, project.path.parent, table=entry.table, query=entry.query)
    names = {"date": entry.columns.date, "kpi": entry.columns.kpi, "value": entry.columns.value}
    scan: Scan | None = None
    with tempfile.TemporaryDirectory(prefix="readiness-kpi-") as folder:
        scratch = Path(folder)
        try:
            files = local_files(ref)
            con = audit_connection(scratch, files)
            try:
                scan = open_scan(con, "kpi_points", ref, scratch, entry.format, CsvOptions(), files)
                fingerprint = (
                    fingerprint_file(files[0]) if len(files) == 1 else scan.fingerprint_text
                )
                read = Points(ref.display, ref.display, fingerprint, column_names=names)
                missing = [c for c in names.values() if c not in scan.columns]
                if missing:
                    for column in missing:
                        evidence.reject(KIND, ref.display, "expected this column", column=column)
                    raise EvidenceError(
                        ref.display,
                        f"missing column(s): {', '.join(missing)} "
                        "(evidence.kpi_data.columns names the columns holding date, kpi and value)",
                    )
                for file, line, where, _, reason in scan.rejects:
                    evidence.reject(KIND, file, str(redact(reason)), row=line, column=where)
                texts = ", ".join(scan.text(names[c]) for c in COLUMNS)
                number = 0
                for batch in scan.stream(f"select {texts} from {scan.relation}"):
                    for values in batch:
                        number += 1
                        row = {
                            c: "" if v is None else str(v).strip()
                            for c, v in zip(COLUMNS, values, strict=True)
                        }
                        read.add(row, evidence, number)
            finally:
                if scan is not None:
                    scan.close()
                con.close()
        except Exception as exc:  # any failure to open or read is an unreadable input
            if not isinstance(exc, EvidenceError | duckdb.Error):
                exc = EvidenceError(ref.display, reading_failure(exc, ref.display))
            error = unreadable(ref, exc)
            evidence.record_input(
                KIND,
                ref.display,
                ref.display,
                fingerprint=None,
                rows_read=None,
                rows_rejected=None,
                status="unreadable",
                error=error.reason,
            )
            return None
    return read


def parse_point(
    row: dict[str, str],
    evidence: Evidence,
    path: Any,
    line: int,
    names: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """One point (kpi, measured_on, value), or None when refused (each problem a rejected row).

    ``names``: how the source names the columns date, kpi and value, for the messages.
    """
    names = names or {}
    ok = True
    kpi = row.get("kpi", "")
    if not kpi:
        evidence.reject(
            KIND,
            path,
            "expected the KPI's name, found none",
            row=line,
            column=names.get("kpi", "kpi"),
        )
        ok = False
    stamp = pd.to_datetime(row.get("date", ""), utc=True, errors="coerce", format="ISO8601")
    if pd.isna(stamp):
        evidence.reject(
            KIND,
            path,
            "expected a date (ISO 8601, such as 2026-03-31)",
            row=line,
            column=names.get("date", "date"),
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
            column=names.get("value", "value"),
            value=row.get("value", "")[:30],
        )
        ok = False
    if not ok:
        return None
    return {"kpi": kpi, "measured_on": stamp.to_pydatetime(), "value": value}
