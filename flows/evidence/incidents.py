"""Incidents: PagerDuty's incident export (CSV), the time to acknowledge and to resolve.

Read as PagerDuty's analytics export writes an incident per row (``incident_number``,
``created_at``, ``seconds_to_first_ack``, ``seconds_to_resolve``...; ``created_on`` is taken for
``created_at``). Incidents created in the 90 days before the as-of instant are measured: their
count and the median and 90th percentile of the minutes to acknowledge and to resolve (an incident
never acknowledged, such as one resolved by its integration, has no time to acknowledge). A row
that cannot be read is refused with its line and column; the rest are measured.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

from flows.evidence import Evidence, MissingColumns, read_text
from flows.evidence.on_call import _instant

KIND = "incidents"
WINDOW_DAYS = 90
REQUIRED = ("incident_number", "created_at", "seconds_to_first_ack", "seconds_to_resolve")
_ALIASES = {"created_on": "created_at"}


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile with linear interpolation (as ``percentile_cont``); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _seconds(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if value < 0 or value != value:
        raise ValueError("expected a number of seconds >= 0")
    return value


def read_incidents(evidence: Evidence, path: Path, as_of: datetime, name: str = "") -> int:
    """One ``raw_incident_summary`` row for the file; returns the rows read.

    ``name`` is the file as the project names it (the row's ``source``).
    """
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    header = {(h or "").strip(): (h or "") for h in reader.fieldnames or []}
    named = {_ALIASES.get(k, k): v for k, v in header.items()}
    missing = [c for c in REQUIRED if c not in named]
    if missing:
        raise MissingColumns(
            path,
            f"missing column(s) {', '.join(missing)}; expected PagerDuty's incident export",
            missing,
        )
    since = as_of - timedelta(days=WINDOW_DAYS)
    acks: list[float] = []
    resolves: list[float] = []
    count = rows = 0
    for number, raw in enumerate(reader, start=2):
        rows += 1
        try:
            created = _instant(raw[named["created_at"]])
        except ValueError as exc:
            evidence.reject(KIND, path, str(exc), row=number, column=named["created_at"])
            continue
        values: dict[str, float | None] = {}
        bad = False
        for column in ("seconds_to_first_ack", "seconds_to_resolve"):
            try:
                values[column] = _seconds(raw[named[column]] or "")
            except ValueError:
                evidence.reject(
                    KIND,
                    path,
                    "expected a number of seconds >= 0",
                    row=number,
                    column=named[column],
                )
                bad = True
        if bad or not since <= created <= as_of:
            continue
        count += 1
        if values["seconds_to_first_ack"] is not None:
            acks.append(values["seconds_to_first_ack"] / 60)
        if values["seconds_to_resolve"] is not None:
            resolves.append(values["seconds_to_resolve"] / 60)
    evidence.add(
        "raw_incident_summary",
        {
            "source": name or path.name,
            "incidents": count,
            "acknowledged": len(acks),
            "resolved": len(resolves),
            "ack_median_minutes": percentile(acks, 0.5),
            "ack_p90_minutes": percentile(acks, 0.9),
            "resolve_median_minutes": percentile(resolves, 0.5),
            "resolve_p90_minutes": percentile(resolves, 0.9),
        },
    )
    return rows
