"""A project's programme as the snapshot records it: its target launch and the roadmap's progress.

dbt decides both (``launch_targets``, ``roadmap_progress``); these read them back for
``readiness status`` and the reports.
"""

from __future__ import annotations

from typing import Any


def run_target(con: Any, run_id: str, project_id: str) -> dict[str, Any]:
    """The target launch and the roadmap's progress of a project in a run, from a snapshot.

    Keys ``target`` (status, text, dates, days) and ``progress`` (actions done, new, open since
    the previous run); None where the snapshot has no such mart or row.
    """
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    found: dict[str, Any] = {"target": None, "progress": None}
    if "launch_targets" in tables:
        row = con.execute(
            "select target_launch, target_status, target_text, roadmap_end_date, margin_days, "
            "days_to_target, next_steering from launch_targets where run_id = ? and project_id = ?",
            [run_id, project_id],
        ).fetchone()
        if row and row[0] is not None:
            keys = ("target_launch", "status", "text", "roadmap_end_date", "margin_days")
            found["target"] = {
                **dict(zip(keys, row[:5], strict=True)),
                "days_to_target": row[5],
                "next_steering": row[6],
            }
    if "roadmap_progress" in tables:
        row = con.execute(
            "select previous_run_id, actions_done, actions_new, actions_open "
            "from roadmap_progress where run_id = ? and project_id = ?",
            [run_id, project_id],
        ).fetchone()
        if row:
            found["progress"] = dict(zip(("previous_run", "done", "new", "open"), row, strict=True))
    return found


def report_notes(con: Any, run_id: str, project_id: str) -> list[str]:
    """The report's lines on the target launch and on progress since the previous run."""
    found = run_target(con, run_id, project_id)
    notes = []
    target, progress = found["target"], found["progress"]
    if target:
        steering = target["next_steering"]
        notes.append(
            f"Target launch: {target['text']}"
            + (f"; next steering committee {steering.isoformat()}" if steering else "")
            + "."
        )
    if progress and progress["previous_run"]:
        notes.append(
            f"Roadmap since the previous run: {progress['done']} action(s) done, "
            f"{progress['new']} new, {progress['open']} still open."
        )
    return notes


_IN_RUN = """
select project_id, check_id, title, severity, status, status_text, waiver_text, expires_on,
       days_to_expiry, expiring_soon
from waivers
where run_id = ?{project}
order by project_id, expires_on, check_id
"""


def run_waivers(con: Any, run_id: str, project_id: str | None = None) -> list[dict[str, Any]]:
    """The waivers of a run (or of one project in it), as dbt judged them, from a snapshot.

    A snapshot published before waivers existed has no ``waivers`` mart: no waivers.
    """
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    if "waivers" not in tables:
        return []
    sql = _IN_RUN.format(project=" and project_id = ?" if project_id else "")
    params = [run_id, project_id] if project_id else [run_id]
    columns = [
        "project",
        "check",
        "title",
        "severity",
        "status",
        "status_text",
        "waiver",
        "expires_on",
        "days_to_expiry",
        "expiring_soon",
    ]
    return [
        {**dict(zip(columns, row, strict=True)), "expires_on": row[7].isoformat()}
        for row in con.execute(sql, params).fetchall()
    ]
