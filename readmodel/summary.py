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
from readmodel import programme
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
    cost: dict[str, Any] | None
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
    recurring: list[dict[str, Any]] = field(default_factory=list)

    @property
    def go(self) -> int:
        return sum(1 for p in self.projects if p.recommendation == "go")

    @property
    def claims_contradicted(self) -> int:
        """Claims contradicted by evidence across the projects (dbt counts them per project)."""
        return sum(p.claims_contradicted for p in self.projects)


_REC = """
select project_id, project_name, business_unit, owner, run_id, run_started_at, rubric_version,
       recommendation, confidence, reason, blocking_gaps, claims_contradicted, waivers_relied_on,
       stage_text
from recommendations
where is_latest and (?::varchar is null or project_id = ?)
    and (
        ?::varchar[] is null
        or run_id in (select run_id from runs where list_contains(?::varchar[], portfolio_id))
    )
qualify row_number() over (partition by project_id order by run_started_at desc, run_id desc) = 1
order by recommendation = 'go', project_name, project_id
"""
_GAPS = """
select gap, score, status, missing_evidence
from gap_scores where run_id = ? and project_id = ? order by gap_order
"""
_BLOCKERS = """
select check_id, gap, title, severity, remediation, coalesce(owner, owner_role), effort_days,
       json_extract_string(evidence, '$.detail.blockers') as reasons
from check_results
where run_id = ? and project_id = ? and result = 'fail' and severity in ('critical', 'major')
    and not waived
order by case severity when 'critical' then 0 else 1 end, weight desc, check_id
limit ?
"""
_COST = """
select currency, requests_per_month_target, monthly_cost_target, monthly_budget, budget_use,
       cost_per_outcome, value_per_outcome, monthly_cost_target_p95, tokens_source
from cost_projections where run_id = ? and project_id = ? limit 1
"""
_ROADMAP = """
select count(*), coalesce(sum(effort_days), 0), coalesce(sum(cost), 0), coalesce(max(end_day), 0)
from roadmap where run_id = ? and project_id = ?
"""
_NEWEST = """
select max(newest_record_at) from evidence_inputs where run_id = ? and project_id = ?
"""
# Every column, so that a snapshot published before runs recorded thresholds still reads.
_RUN = "select * from runs where run_id = ?"
_RECURRING = """
with latest as (
    select * from recommendations
    where is_latest and (
        ?::varchar[] is null
        or run_id in (select run_id from runs where list_contains(?::varchar[], portfolio_id))
    )
    qualify row_number() over (
        partition by project_id order by run_started_at desc, run_id desc
    ) = 1
)
select c.check_id, any_value(c.title), any_value(c.gap), any_value(c.severity),
       count(distinct c.project_id) as projects,
       array_to_string(list_slice(list(distinct l.project_name order by l.project_name), 1, 5), ', ')
           || case when count(distinct c.project_id) > 5
               then ' and ' || (count(distinct c.project_id) - 5) || ' more' else '' end
from check_results as c
join latest as l on l.run_id = c.run_id and l.project_id = c.project_id
where c.result = 'fail' and not c.waived
group by c.check_id
having count(distinct c.project_id) > 1
order by projects desc, c.check_id
limit 10
"""


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def _summary(
    row: tuple[Any, ...],
    gaps: dict[str, GapLine],
    plan: tuple[Any, Any, Any, Any],
    **detail: Any,
) -> ProjectSummary:
    """A summary from a ``_REC`` row, its gap lines and its roadmap totals.

    ``plan`` is (actions, effort, cost, timeline); ``detail`` adds what only a project's report
    reads (blockers, cost, newest_evidence, ready_threshold, roadmap_currency).
    """
    pid, name, unit, owner, run_id, started, rubric, verdict, confidence, reason, blocking = row[
        :11
    ]
    claims, waivers, stage_text = row[11], row[12], row[13]
    actions, effort, cost, timeline = plan
    return ProjectSummary(
        project_id=pid,
        project_name=name,
        business_unit=unit,
        owner=owner,
        run_id=run_id,
        assessed_at=started,
        rubric_version=rubric,
        recommendation=verdict,
        confidence=_f(confidence),
        reason=reason or "",
        blocking_gaps=[g for g in (blocking or "").split(",") if g],
        gaps=[gaps.get(g, GapLine(g, None, None)) for g in GAP_IDS],
        blockers=detail.get("blockers", []),
        cost=detail.get("cost"),
        roadmap_actions=int(actions),
        roadmap_effort_days=float(effort),
        roadmap_cost=float(cost),
        roadmap_timeline_days=float(timeline),
        newest_evidence=detail.get("newest_evidence"),
        ready_threshold=detail.get("ready_threshold"),
        claims_contradicted=int(claims or 0),
        roadmap_currency=detail.get("roadmap_currency"),
        pass_rate_line=detail.get("pass_rate_line"),
        waivers_relied_on=int(waivers or 0),
        stage_text=stage_text,
        programme_notes=detail.get("programme_notes", []),
    )


def _project(con: duckdb.DuckDBPyConnection, row: tuple[Any, ...], blockers: int) -> ProjectSummary:
    pid, run_id = row[0], row[4]
    gaps = {
        g: GapLine(g, _f(s), st, m) for g, s, st, m in con.execute(_GAPS, [run_id, pid]).fetchall()
    }
    cost_row = con.execute(_COST, [run_id, pid]).fetchone()
    cost_keys = (
        "currency",
        "requests_per_month_target",
        "monthly_cost_target",
        "monthly_budget",
        "budget_use",
        "cost_per_outcome",
        "value_per_outcome",
        "monthly_cost_target_p95",
        "tokens_source",
    )
    plan = con.execute(_ROADMAP, [run_id, pid]).fetchone() or (0, 0, 0, 0)
    newest = (con.execute(_NEWEST, [run_id, pid]).fetchone() or (None,))[0]
    run = con.execute(_RUN, [run_id])
    names = [d[0] for d in run.description or []]
    recorded = dict(zip(names, run.fetchone() or (), strict=False))
    return _summary(
        row,
        gaps,
        plan,
        blockers=[
            Blocker(c, g, t, s, r, o, _f(e), why)
            for c, g, t, s, r, o, e, why in con.execute(
                _BLOCKERS, [run_id, pid, blockers]
            ).fetchall()
        ],
        cost=dict(zip(cost_keys, cost_row, strict=True)) if cost_row else None,
        newest_evidence=newest,
        ready_threshold=_f(recorded.get("ready_threshold")),
        # The day rate's currency, once runs record it (a snapshot before that has none).
        roadmap_currency=recorded.get("day_rate_currency"),
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
        row = con.execute(_REC, [project_id, project_id, None, None]).fetchone()
        if row is None:
            known = [r[0] for r in con.execute(_REC, [None, None, None, None]).fetchall()]
            raise UnknownProjectError(
                f"project {project_id!r} has no published result; known projects: "
                + (", ".join(sorted(known)) or "none")
            )
        return _project(con, row, blockers)


def portfolio_summary(
    snapshot: Path, portfolios: tuple[str, ...] | None = None
) -> PortfolioSummary:
    """Every project's latest verdict, gap scores and roadmap totals, and the recurring blockers.

    Read with one query per table for all projects at once (a portfolio may hold a thousand);
    the per-project detail (blockers, cost, evidence dates) is the project report's job.
    ``portfolios`` restricts it to those portfolio ids (the dashboard passes the viewer's).
    """
    scope = None if portfolios is None else list(portfolios)
    with open_snapshot(snapshot, portfolios) as con:
        rows = con.execute(_REC, [None, None, scope, scope]).fetchall()
        # The same projects as ``rows``: the recommendations query as a common table expression.
        chosen = f"with _chosen as (select run_id, project_id from ({_REC})) "
        params = [None, None, scope, scope]
        gaps: dict[tuple[str, str], dict[str, GapLine]] = {}
        for run_id, pid, gap, score, status, missing in con.execute(
            chosen + "select g.run_id, g.project_id, g.gap, g.score, g.status, "
            "g.missing_evidence from gap_scores as g join _chosen using (run_id, project_id)",
            params,
        ).fetchall():
            gaps.setdefault((run_id, pid), {})[gap] = GapLine(gap, _f(score), status, missing)
        plans = {
            (run_id, pid): (int(n), float(effort), float(cost), float(timeline))
            for run_id, pid, n, effort, cost, timeline in con.execute(
                chosen
                + "select p.run_id, p.project_id, count(*), coalesce(sum(p.effort_days), 0), "
                "coalesce(sum(p.cost), 0), coalesce(max(p.end_day), 0) from roadmap as p "
                "join _chosen using (run_id, project_id) group by p.run_id, p.project_id",
                params,
            ).fetchall()
        }
        projects = [
            _summary(row, gaps.get((row[4], row[0]), {}), plans.get((row[4], row[0]), (0, 0, 0, 0)))
            for row in rows
        ]
        recurring = [
            {
                "check_id": c,
                "title": t,
                "gap": g,
                "severity": s,
                "projects": int(n),
                "project_names": names,
            }
            for c, t, g, s, n, names in con.execute(_RECURRING, [scope, scope]).fetchall()
        ]
    return PortfolioSummary(
        run_ids=sorted({p.run_id for p in projects}),
        rubric_versions=sorted({str(p.rubric_version) for p in projects}),
        projects=projects,
        recurring=recurring,
    )
