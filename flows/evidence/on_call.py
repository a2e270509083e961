"""On-call: PagerDuty schedules and on-call entries (REST API JSON) and a plain on-call CSV.

Formats, as PagerDuty's REST API returns them:
- ``pagerduty_schedule``: ``GET /schedules/{id}`` (with ``since``/``until``): the entries of
  ``schedule.final_schedule.rendered_schedule_entries`` (``start``, ``end``, ``user``);
- ``pagerduty_oncalls``: ``GET /oncalls``: ``oncalls`` entries (``start``, ``end``, ``user``,
  ``escalation_level``); only the first level counts (whoever is paged first), and an entry
  without ``start`` and ``end`` is on call for good (an escalation policy naming a user);
- ``csv``: our own, columns ``start``, ``end``, ``person`` (ISO 8601 instants with an offset).

Measured over the four weeks from the as-of instant: the hours somebody is on call, per day (the
strip the dashboard shows, with the gaps), and the people of the rotation, each only as a keyed
pseudonym (the survey's HMAC, :func:`flows.evidence.survey.pseudonym`): names, emails and user ids
are never stored. An entry that cannot be read is refused (file, JSON path or line, reason); the
other entries are still measured.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.errors import EvidenceError
from flows.evidence import Evidence, read_text
from flows.evidence.survey import pseudonym

KIND = "on_call"
WINDOW_DAYS = 28
_FOREVER_START = datetime(1970, 1, 1, tzinfo=UTC)
_FOREVER_END = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Shift:
    """Somebody on call from ``start`` to ``end`` (``person`` is a pseudonym)."""

    start: datetime
    end: datetime
    person: str


def _instant(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a date and time such as 2026-03-01T09:00:00Z")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError("expected a date and time such as 2026-03-01T09:00:00Z") from exc
    if moment.tzinfo is None:
        raise ValueError("expected a date and time with its offset, such as 2026-03-01T09:00:00Z")
    return moment.astimezone(UTC)


def _person(user: Any, key: str) -> str:
    if not isinstance(user, dict):
        raise ValueError("expected a user object with an id")
    identity = user.get("id") or user.get("email") or user.get("summary")
    if not isinstance(identity, str) or not identity.strip():
        raise ValueError("expected a user object with an id")
    return pseudonym(key, identity)


def _json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise EvidenceError(path, f"not JSON (line {exc.lineno}, column {exc.colno})") from exc


def _entries(data: Any, path: Path, keys: list[str]) -> list[Any]:
    current, where = data, "$"
    for key in keys:
        if not isinstance(current, dict) or key not in current:
            raise EvidenceError(
                path, f"expected {where}.{key}: not a PagerDuty API answer of this kind"
            )
        current, where = current[key], f"{where}.{key}"
    if not isinstance(current, list):
        raise EvidenceError(path, f"expected a list at {where}")
    return current


def read_shifts(evidence: Evidence, path: Path, fmt: str, key: str) -> tuple[list[Shift], int]:
    """The shifts of one file (refused entries go to ``evidence``) and how many entries it had."""
    if fmt == "csv":
        return _csv_shifts(evidence, path, key)
    data = _json(path)
    keys = (
        ["schedule", "final_schedule", "rendered_schedule_entries"]
        if fmt == "pagerduty_schedule"
        else ["oncalls"]
    )
    entries = _entries(data, path, keys)
    where = "$." + ".".join(keys)
    shifts = []
    for index, entry in enumerate(entries):
        at = f"{where}[{index}]"
        try:
            if not isinstance(entry, dict):
                raise ValueError("expected an object with start, end and user")
            if fmt == "pagerduty_oncalls":
                if entry.get("escalation_level", 1) != 1:
                    continue
                if entry.get("start") is None and entry.get("end") is None:
                    shifts.append(
                        Shift(_FOREVER_START, _FOREVER_END, _person(entry.get("user"), key))
                    )
                    continue
            start, end = _instant(entry.get("start")), _instant(entry.get("end"))
            if end <= start:
                raise ValueError("expected end after start")
            shifts.append(Shift(start, end, _person(entry.get("user"), key)))
        except ValueError as exc:
            evidence.reject(KIND, path, str(exc), column=at)
    return shifts, len(entries)


def _csv_shifts(evidence: Evidence, path: Path, key: str) -> tuple[list[Shift], int]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    header = [h.strip().casefold() for h in reader.fieldnames or []]
    missing = [c for c in ("start", "end", "person") if c not in header]
    if missing:
        raise EvidenceError(
            path, f"missing column(s) {', '.join(missing)}; expected start, end, person"
        )
    shifts, count = [], 0
    for number, raw in enumerate(reader, start=2):
        count += 1
        row = {(k or "").strip().casefold(): (v or "") for k, v in raw.items()}
        for column in ("start", "end"):
            try:
                _instant(row[column])
            except ValueError as exc:
                evidence.reject(KIND, path, str(exc), row=number, column=column)
        try:
            start, end = _instant(row["start"]), _instant(row["end"])
        except ValueError:
            continue
        if end <= start:
            evidence.reject(KIND, path, "expected end after start", row=number, column="end")
        elif not row["person"].strip():
            evidence.reject(KIND, path, "expected a person", row=number, column="person")
        else:
            shifts.append(Shift(start, end, pseudonym(key, row["person"])))
    return shifts, count


def coverage(evidence: Evidence, shifts: list[Shift], as_of: datetime) -> None:
    """``raw_on_call_days`` (hours covered per day of the four weeks) and ``raw_on_call_people``."""
    window_end = as_of + timedelta(days=WINDOW_DAYS)
    days = []
    for day in range(WINDOW_DAYS):
        low, high = as_of + timedelta(days=day), as_of + timedelta(days=day + 1)
        spans = sorted(
            (max(s.start, low), min(s.end, high)) for s in shifts if s.start < high and s.end > low
        )
        covered, reach = timedelta(), low
        for start, end in spans:
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        hours = covered.total_seconds() / 3600
        days.append(
            {
                "day": day + 1,
                "day_start": low,
                "covered_hours": round(hours, 4),
                "gap_hours": round(24 - hours, 4),
            }
        )
    evidence.add("raw_on_call_days", days)
    people: dict[str, float] = {}
    for shift in shifts:
        start, end = max(shift.start, as_of), min(shift.end, window_end)
        if end > start:
            people[shift.person] = (
                people.get(shift.person, 0.0) + (end - start).total_seconds() / 3600
            )
    evidence.add(
        "raw_on_call_people",
        [{"handle": handle, "hours": round(hours, 4)} for handle, hours in sorted(people.items())],
    )
