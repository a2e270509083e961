"""What a one-page executive summary says, read from the published snapshot only.

A project summary: the latest recommendation with its confidence and reason, the six gap scores
with their status, the top blockers with remediation and owner, the cost at target against the
budget, the roadmap totals and the date of the newest evidence. A portfolio summary: go / not yet
counts, every project's verdict and gap scores, and the blockers that recur.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from core.errors import ReadinessError
from readmodel import programme, queries
from readmodel.drilldowns import COST_AT_TARGET, CostAtTarget
from readmodel.queries import ProjectLatest, RecurringBlocker
from readmodel.snapshots import open_snapshot
from readmodel.vocabulary import GAP_IDS


class UnknownProjectError(ReadinessError):
    """The snapshot holds no assessed result for this project."""


@dataclass(frozen=True)
class GapLine:
    gap: str
    score: float | None
    status: str | None
    #: Titles of the gap's checks that had no evidence (dbt's words), or None.
    missing_evidence: str | None = None


@dataclass(frozen=True)
class Blocker:
    check_id: str
    gap: str
    title: str
    severity: str
    remediation: str | None
    owner_role: str | None
    effort_days: float | None
    #: What the blocker is, in the respondents' words (sa_legal_blockers' detail.blockers:
    #: "Legal: the data protection impact assessment is not done"), or None.
    reasons: str | None = None
    #: The check's named owner only (the owners map), or None.
    owner: str | None = None


@dataclass(frozen=True)
class _LatestGapLine:
    run_id: str
    project_id: str
    gap: str
    score: float | None
    status: str | None
    missing_evidence: str | None


@dataclass(frozen=True)
class ProjectSummary:
    project_id: str
    project_name: str
    business_unit: str | None
    owner: str | None
    run_id: str
    assessed_at: datetime | None
    rubric_version: str | None
    recommendation: str
    confidence: float | None
    reason: str
    blocking_gaps: list[str]
    gaps: list[GapLine]
    blockers: list[Blocker]
    cost: CostAtTarget | None
    roadmap_actions: int
    roadmap_effort_days: float
    roadmap_cost: float
    roadmap_timeline_days: float
    newest_evidence: datetime | None
    ready_threshold: float | None
    #: Survey claims the evidence contradicts (dbt's count).
    claims_contradicted: int = 0
    #: The currency of the roadmap's cost, when the snapshot records it.
    roadmap_currency: str | None = None
    #: The evaluation's pass rates against their quality bars in one line (dbt's words), if any.
    pass_rate_line: str | None = None
    #: Waivers the verdict relies on (dbt's count; the reason names them).
    waivers_relied_on: int = 0
    #: The launch stage reached and what stands before the next (dbt's words), or None.
    stage_text: str | None = None
    #: The target launch and the roadmap's progress since the previous run, in words.
    programme_notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PortfolioSummary:
    run_ids: list[str]
    rubric_versions: list[str]
    projects: list[ProjectSummary]
    recurring: list[RecurringBlocker] = field(default_factory=list)

    @property
    def go(self) -> int:
        return sum(1 for p in self.projects if p.recommendation == "go")

    @property
    def claims_contradicted(self) -> int:
        """Claims contradicted by evidence across the projects (dbt counts them per project)."""
        return sum(p.claims_contradicted for p in self.projects)


#: A project's gap lines in one run, in the gaps' order.
GAPS = f"""
select {queries.columns(GapLine, casts={"score": "double"})}
from gap_scores where run_id = ? and project_id = ? order by gap_order
"""
#: The failing critical and major checks not waived, most severe first (at most ``?``; null: all).
#: ``owner_role`` is the named owner where there is one, else the role. The one-pagers and
#: ``readiness status`` read it.
BLOCKERS = """
select check_id, gap, title, severity, remediation, coalesce(owner, owner_role) as owner_role,
       cast(effort_days as double) as effort_days,
       json_extract_string(evidence, '$.detail.blockers') as reasons, owner
from check_results
where run_id = ? and project_id = ? and result = 'fail' and severity in ('critical', 'major')
    and not waived
order by case severity when 'critical' then 0 else 1 end, weight desc, check_id
limit ?
"""
#: Every project's latest gap lines at once (a portfolio may hold a thousand projects).
_LATEST_GAPS = """
select g.run_id, g.project_id, g.gap, cast(g.score as double) as score, g.status,
       g.missing_evidence
from gap_scores as g join project_latest as l using (run_id, project_id)
"""


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def _summary(row: ProjectLatest, gaps: dict[str, GapLine], **detail: Any) -> ProjectSummary:
    """A summary from a project's latest result (project_latest) and its gap lines.

    ``detail`` adds what only a project's report reads (blockers, cost, pass_rate_line,
    programme_notes).
    """
    return ProjectSummary(
        project_id=row.project_id,
        project_name=row.project_name,
        business_unit=row.business_unit,
        owner=row.owner,
        run_id=row.run_id,
        assessed_at=row.run_started_at,
        rubric_version=row.rubric_version,
        recommendation=row.recommendation,
        confidence=_f(row.confidence),
        reason=row.reason or "",
        blocking_gaps=list(row.blocking_gaps),
        gaps=[gaps.get(g, GapLine(g, None, None)) for g in GAP_IDS],
        blockers=detail.get("blockers", []),
        cost=detail.get("cost"),
        roadmap_actions=int(row.roadmap_actions),
        roadmap_effort_days=float(row.roadmap_effort_days),
        roadmap_cost=float(row.roadmap_cost),
        roadmap_timeline_days=float(row.roadmap_duration_days),
        newest_evidence=row.newest_evidence,
        ready_threshold=_f(row.ready_threshold),
        claims_contradicted=int(row.claims_contradicted or 0),
        roadmap_currency=row.roadmap_currency,
        pass_rate_line=detail.get("pass_rate_line"),
        waivers_relied_on=int(row.waivers_relied_on or 0),
        stage_text=row.stage_text,
        programme_notes=detail.get("programme_notes", []),
    )


def _project(con: duckdb.DuckDBPyConnection, row: ProjectLatest, blockers: int) -> ProjectSummary:
    pid, run_id = row.project_id, row.run_id
    gaps = {g.gap: g for g in queries.typed_rows(con, GAPS, [run_id, pid], GapLine)}
    cost = queries.typed_rows(con, COST_AT_TARGET, [run_id, pid], CostAtTarget)
    return _summary(
        row,
        gaps,
        blockers=queries.typed_rows(con, BLOCKERS, [run_id, pid, blockers], Blocker),
        cost=cost[0] if cost else None,
        pass_rate_line=_pass_rate_line(con, run_id, pid),
        programme_notes=programme.report_notes(con, run_id, pid),
    )


def _pass_rate_line(con: duckdb.DuckDBPyConnection, run_id: str, pid: str) -> str | None:
    """The pass rates against their bars in one line, as dbt wrote it (older snapshots: none)."""
    try:
        row = con.execute(
            "select pass_rate_line from evaluation_summaries where run_id = ? and project_id = ?",
            [run_id, pid],
        ).fetchone()
    except duckdb.CatalogException:
        return None
    return str(row[0]) if row else None


def project_summary(
    snapshot: Path,
    project_id: str,
    blockers: int = 5,
    portfolios: tuple[str, ...] | None = None,
) -> ProjectSummary:
    """The latest result of one project (of ``portfolios`` only, when given), as its one-pager says it."""
    with open_snapshot(snapshot, portfolios) as con:
        rows = queries.latest_projects(con, project_id)
        if not rows:
            known = [r.project_id for r in queries.latest_projects(con)]
            raise UnknownProjectError(
                f"project {project_id!r} has no published result; known projects: "
                + (", ".join(sorted(known)) or "none")
            )
        return _project(con, rows[0], blockers)


def portfolio_summary(
    snapshot: Path, portfolios: tuple[str, ...] | None = None
) -> PortfolioSummary:
    """Every project's latest verdict, gap scores and roadmap totals, and the recurring blockers.

    Read with one query per mart for all projects at once (a portfolio may hold a thousand);
    the per-project detail (blockers, cost, evidence dates) is the project report's job.
    ``portfolios`` restricts it to those portfolio ids (the dashboard passes the viewer's).
    """
    with open_snapshot(snapshot, portfolios) as con:
        rows = queries.latest_projects(con)
        gaps: dict[tuple[str, str], dict[str, GapLine]] = {}
        for line in queries.typed_rows(con, _LATEST_GAPS, [], _LatestGapLine):
            gaps.setdefault((line.run_id, line.project_id), {})[line.gap] = GapLine(
                line.gap, line.score, line.status, line.missing_evidence
            )
        projects = [_summary(row, gaps.get((row.run_id, row.project_id), {})) for row in rows]
        recurring = queries.recurring_blockers(con)
    return PortfolioSummary(
        run_ids=sorted({p.run_id for p in projects}),
        rubric_versions=sorted({str(p.rubric_version) for p in projects}),
        projects=projects,
        recurring=recurring,
    )
