"""What ``readiness show``, ``list`` and ``export`` read: selects from the published snapshot only.

Everything here is a select from the marts dbt built (through :func:`readmodel.snapshots.open_snapshot`
and the access scope of the reader): no figure is computed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ReadinessError
from readmodel.snapshots import PUBLISHED_MARTS, open_snapshot

if TYPE_CHECKING:
    import pandas as pd


class UnknownProjectError(ReadinessError):
    """No published result for this project (in the portfolios the reader may read)."""


def narrow(
    scope: tuple[str, ...] | None, portfolios: Sequence[str] | None
) -> tuple[str, ...] | None:
    """The reader's scope (None: every portfolio) narrowed to ``--portfolio`` ids, if any."""
    if not portfolios:
        return scope
    return tuple(p for p in portfolios if scope is None or p in scope)


_CHECKS = """
select check_id, gap, title, severity, result, remediation, owner_role
from check_results
where run_id = ? and project_id = ?
order by gap, case result when 'fail' then 0 when 'partial' then 1 when 'no_evidence' then 2
    else 3 end, case severity when 'critical' then 0 when 'major' then 1 else 2 end, check_id
"""
_ROADMAP = """
select priority, title, gap, severity, action, owner_role, effort_days, cost, start_day, end_day
from roadmap
where run_id = ? and project_id = ?
order by priority
"""
_PORTFOLIO_OF = "select portfolio_id from runs where run_id = ?"
_KNOWN_RUN = "select 1 from runs where run_id = ?"
_KNOWN_PROJECT = "select 1 from recommendations where project_id = ? limit 1"


def project_detail(
    snapshot: Path, project_id: str, portfolios: Sequence[str] | None = None
) -> dict[str, Any]:
    """The latest result of one project: verdict, gaps, blockers, every check and the roadmap."""
    from flows.report import project_results

    results = [
        r for r in project_results(snapshot, portfolios=portfolios) if r["project"] == project_id
    ]
    if not results:
        raise UnknownProjectError(
            f"no published result for project {project_id!r} "
            "(`readiness list` names the projects you may read)"
        )
    # Several portfolios may hold a project of that id: the newest assessment is the one shown.
    result = max(results, key=lambda r: r["assessed_at"] or "")
    with open_snapshot(snapshot, portfolios) as con:
        run_id = result["run_id"]
        portfolio = con.execute(_PORTFOLIO_OF, [run_id]).fetchone()
        checks = _records(con.execute(_CHECKS, [run_id, project_id]))
        roadmap = _records(con.execute(_ROADMAP, [run_id, project_id]))
    return {
        **result,
        "portfolio": portfolio[0] if portfolio else None,
        "checks": checks,
        "roadmap": roadmap,
    }


def _records(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_PORTFOLIOS = """
select portfolio_id, count(*) as runs, max(started_at) as last_run_at
from runs
group by portfolio_id
order by portfolio_id
"""
_PROJECTS = """
select r.project_id, r.project_name, u.portfolio_id, r.recommendation, r.confidence,
       r.run_id, r.run_started_at
from recommendations as r
join runs as u using (run_id)
where r.is_latest
order by u.portfolio_id, r.project_id
"""


def portfolios_and_projects(
    snapshot: Path, portfolios: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Each readable portfolio with its runs and its projects' latest verdicts."""
    with open_snapshot(snapshot, portfolios) as con:
        listed = _records(con.execute(_PORTFOLIOS))
        projects = _records(con.execute(_PROJECTS))
    for portfolio in listed:
        portfolio["projects"] = [
            {k: v for k, v in p.items() if k != "portfolio_id"}
            for p in projects
            if p["portfolio_id"] == portfolio["portfolio_id"]
        ]
    return listed


def mart_frame(
    snapshot: Path,
    mart: str,
    portfolios: Sequence[str] | None = None,
    run_id: str | None = None,
    project_id: str | None = None,
) -> pd.DataFrame:
    """One published mart as a frame (optionally one run's, one project's rows)."""
    if mart not in PUBLISHED_MARTS:
        raise ValueError(
            f"{mart!r} is not a published mart: expected one of {', '.join(PUBLISHED_MARTS)}"
        )
    with open_snapshot(snapshot, portfolios) as con:
        columns = {r[0] for r in con.execute(f"describe {mart}").fetchall()}
        where, params = [], []
        if run_id is not None:
            where.append("run_id = ?")
            params.append(run_id)
        if project_id is not None and "project_id" not in columns:
            raise ValueError(f"the mart {mart} has no project_id column: drop --project")
        # An unknown run or project is an error (exit 1), not an empty file.
        if run_id is not None and not con.execute(_KNOWN_RUN, [run_id]).fetchone():
            raise UnknownProjectError(
                f"no published run {run_id!r} (`readiness history PROJECT` names the runs)"
            )
        if project_id is not None and not con.execute(_KNOWN_PROJECT, [project_id]).fetchone():
            raise UnknownProjectError(
                f"no published result for project {project_id!r} "
                "(`readiness list` names the projects you may read)"
            )
        if project_id is not None:
            where.append("project_id = ?")
            params.append(project_id)
        sql = f"select * from {mart}" + (" where " + " and ".join(where) if where else "")
        return con.execute(sql, params).df()
