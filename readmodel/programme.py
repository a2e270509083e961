"""A project's programme as the snapshot records it: its target launch and the roadmap's progress.

dbt decides both (``launch_targets``, ``roadmap_progress``); these read them back for
``readiness status`` and the reports, as typed rows (named queries below). ``status --json``
shows them as plain mappings of the same names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from readmodel.queries import typed_rows


@dataclass(frozen=True)
class LaunchTarget:
    """The target launch of a project in a run against its roadmap (``launch_targets``)."""

    target_launch: date | None
    status: str | None
    text: str | None
    roadmap_end_date: date | None
    margin_days: int | None
    days_to_target: int | None
    next_steering: date | None


@dataclass(frozen=True)
class RoadmapProgress:
    """Roadmap actions done, new and open since the previous run (``roadmap_progress``)."""

    previous_run: str | None
    done: int | None
    new: int | None
    open: int | None


@dataclass(frozen=True)
class Waiver:
    """A waiver of a run as dbt judged it (``waivers``)."""

    project: str
    check: str
    title: str
    severity: str
    status: str
    status_text: str | None
    waiver: str | None
    expires_on: date
    days_to_expiry: int | None
    expiring_soon: bool | None


TARGET = """
select target_launch, target_status as status, target_text as text, roadmap_end_date,
       margin_days, days_to_target, next_steering
from launch_targets where run_id = ? and project_id = ?
"""

PROGRESS = """
select previous_run_id as previous_run, actions_done as done, actions_new as new,
       actions_open as open
from roadmap_progress where run_id = ? and project_id = ?
"""

_WAIVER_COLUMNS = """
select project_id as project, check_id as "check", title, severity, status, status_text,
       waiver_text as waiver, expires_on, days_to_expiry, expiring_soon
from waivers
"""
#: The waivers of a run, by project, then expiry.
RUN_WAIVERS = _WAIVER_COLUMNS + "where run_id = ? order by project_id, expires_on, check_id"
#: The waivers of one project in a run, by expiry.
PROJECT_WAIVERS = (
    _WAIVER_COLUMNS
    + "where run_id = ? and project_id = ? order by project_id, expires_on, check_id"
)


def _tables(con: Any) -> set[str]:
    return {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }


def launch_target(con: Any, run_id: str, project_id: str) -> LaunchTarget | None:
    """The project's target launch in a run; None without a target (or the mart)."""
    if "launch_targets" not in _tables(con):
        return None
    found = typed_rows(con, TARGET, [run_id, project_id], LaunchTarget)
    return found[0] if found and found[0].target_launch is not None else None


def roadmap_progress(con: Any, run_id: str, project_id: str) -> RoadmapProgress | None:
    """The roadmap's progress since the previous run; None without it (or the mart)."""
    if "roadmap_progress" not in _tables(con):
        return None
    found = typed_rows(con, PROGRESS, [run_id, project_id], RoadmapProgress)
    return found[0] if found else None


def run_target(con: Any, run_id: str, project_id: str) -> dict[str, Any]:
    """The target launch and the roadmap's progress of a project in a run, for ``status --json``.

    Keys ``target`` (status, text, dates, days) and ``progress`` (actions done, new, open since
    the previous run); None where the snapshot has no such mart or row.
    """
    target = launch_target(con, run_id, project_id)
    progress = roadmap_progress(con, run_id, project_id)
    return {
        "target": asdict(target) if target else None,
        "progress": asdict(progress) if progress else None,
    }


def report_notes(con: Any, run_id: str, project_id: str) -> list[str]:
    """The report's lines on the target launch and on progress since the previous run."""
    target = launch_target(con, run_id, project_id)
    progress = roadmap_progress(con, run_id, project_id)
    notes = []
    if target:
        steering = target.next_steering
        notes.append(
            f"Target launch: {target.text}"
            + (f"; next steering committee {steering.isoformat()}" if steering else "")
            + "."
        )
    if progress and progress.previous_run:
        notes.append(
            f"Roadmap since the previous run: {progress.done} action(s) done, "
            f"{progress.new} new, {progress.open} still open."
        )
    return notes


def waivers(con: Any, run_id: str, project_id: str | None = None) -> list[Waiver]:
    """The waivers of a run (or of one project in it), as dbt judged them.

    A snapshot published before waivers existed has no ``waivers`` mart: no waivers.
    """
    if "waivers" not in _tables(con):
        return []
    if project_id:
        return typed_rows(con, PROJECT_WAIVERS, [run_id, project_id], Waiver)
    return typed_rows(con, RUN_WAIVERS, [run_id], Waiver)


def run_waivers(con: Any, run_id: str, project_id: str | None = None) -> list[dict[str, Any]]:
    """The waivers of a run (or of one project in it) for ``status --json``: expiry as ISO text."""
    return [
        {**asdict(w), "expires_on": w.expires_on.isoformat()}
        for w in waivers(con, run_id, project_id)
    ]
