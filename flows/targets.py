"""Target dates: a project's target launch and steering dates, and the holidays, as run rows.

Working days, calendar dates of the roadmap and whether the target is on track, at risk or
missed are dbt's (``int_working_days``, ``roadmap_schedule``, ``launch_targets``); this module
only records the dates a run uses in ``raw_project_dates``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.errors import ConfigError
from flows.config import Project


def holiday_dates(text: str) -> list[date]:
    """The READINESS_HOLIDAYS setting as dates; a wrong entry is a ConfigError naming it."""
    days = []
    for index, part in enumerate(p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            raise ConfigError.one(
                "READINESS_HOLIDAYS",
                f"entry {index + 1} is not a date such as 2026-12-25",
            ) from None
    return sorted(set(days))


def date_rows(project: Project, holidays: str) -> list[dict[str, Any]]:
    """The project's ``raw_project_dates`` rows (without run and project ids)."""
    kinds: list[tuple[str, date]] = [("holiday", d) for d in holiday_dates(holidays)]
    kinds += [("steering", d) for d in sorted(set(project.steering_dates))]
    if project.target_launch:
        kinds.append(("target_launch", project.target_launch))
    return [
        {"kind": kind, "day": datetime.combine(day, datetime.min.time())} for kind, day in kinds
    ]
