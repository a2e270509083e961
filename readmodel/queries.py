"""Named, bound queries on the published snapshot's presentation marts, returning typed rows.

Every surface (dashboard, reports, ``readiness status``, alerts) reads a project's latest result,
the portfolio's figures and the recurring blockers from here: dbt computed them once
(dbt_project/models/marts/presentation); nothing here totals, ranks or orders anything itself.
SQL text is constant; values travel only as bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

import duckdb

Row = TypeVar("Row")


@dataclass(frozen=True)
class ProjectLatest:
    """One project's latest result (``project_latest``), in the portfolio's order."""

    portfolio_id: str
    project_id: str
    project_name: str
    business_unit: str | None
    owner: str | None
    run_id: str
    run_started_at: datetime | None
    as_of: datetime | None
    rubric_version: str | None
    project_status: str
    project_error: str | None
    recommendation: str
    verdict: str
    confidence: float | None
    reason: str | None
    blocking_gaps: list[str]
    blocking_checks: list[str]
    weakest_gap: str | None
    weakest_score: float | None
    weakest_status: str | None
    data_quality: float | None
    integration: float | None
    stakeholder_alignment: float | None
    evaluation: float | None
    scale: float | None
    maintenance: float | None
    gaps_not_ready: int
    roadmap_actions: int
    roadmap_effort_days: float
    roadmap_cost: float
    roadmap_duration_days: float
    roadmap_currency: str | None
    claims_contradicted: int
    waivers_relied_on: int
    stage: str | None
    next_stage: str | None
    stage_text: str | None
    unnamed_owner_roles: int
    ready_threshold: float | None
    newest_evidence: datetime | None
    display_order: int
    closest_to_go_rank: int | None


@dataclass(frozen=True)
class PortfolioLatest:
    """A portfolio's latest figures (``portfolio_latest``)."""

    portfolio_id: str
    projects: int
    projects_go: int
    projects_not_yet: int
    projects_failed: int
    roadmap_actions: int
    roadmap_effort_days: float
    roadmap_cost: float
    roadmap_duration_days: float
    claims_contradicted: int
    run_ids: list[str]
    rubric_versions: list[str]
    newest_evidence: datetime | None
    closest_to_go: str | None
    closest_to_go_name: str | None


@dataclass(frozen=True)
class RecurringBlocker:
    """A check failing, not waived, in two or more projects of a portfolio (``recurring_blockers``)."""

    portfolio_id: str
    check_id: str
    title: str
    gap: str
    severity: str
    severity_rank: int
    projects: int
    project_ids: list[str]
    project_names: list[str]
    blocker_order: int


def _columns(cls: type[Any]) -> str:
    return ", ".join(f.name for f in fields(cls))


#: Each project's latest result, in the portfolio's order; one project when the id is bound.
LATEST_PROJECTS = f"""
select {_columns(ProjectLatest)}
from project_latest
where ?::varchar is null or project_id = ?
order by display_order
"""

#: The dashboard's ranking table: the latest results of the portfolios in scope (two bound
#: parameters: the portfolio ids, or null for all), with the names its pages use.
LATEST_PROJECTS_IN_SCOPE = f"""
select {_columns(ProjectLatest)},
    roadmap_effort_days as effort_days,
    roadmap_duration_days as timeline_days
from project_latest
where ?::varchar[] is null or list_contains(?::varchar[], portfolio_id)
order by display_order
"""

#: Each portfolio's latest figures.
PORTFOLIOS = f"""
select {_columns(PortfolioLatest)}
from portfolio_latest
order by portfolio_id
"""

#: The recurring blockers of every portfolio, each portfolio's in its order.
RECURRING_BLOCKERS = f"""
select {_columns(RecurringBlocker)}
from recurring_blockers
order by portfolio_id, blocker_order
"""


def _typed(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], cls: type[Row]
) -> list[Row]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [cls(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def latest_projects(
    con: duckdb.DuckDBPyConnection, project_id: str | None = None
) -> list[ProjectLatest]:
    """Every project's latest result (or one project's), in the portfolio's order."""
    return _typed(con, LATEST_PROJECTS, [project_id, project_id], ProjectLatest)


def portfolios(con: duckdb.DuckDBPyConnection) -> list[PortfolioLatest]:
    """Each portfolio's latest figures."""
    return _typed(con, PORTFOLIOS, [], PortfolioLatest)


def recurring_blockers(con: duckdb.DuckDBPyConnection) -> list[RecurringBlocker]:
    """The blockers that recur in each portfolio, most projects first."""
    return _typed(con, RECURRING_BLOCKERS, [], RecurringBlocker)
