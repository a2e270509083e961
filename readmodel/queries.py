"""Named, bound queries on the published snapshot's presentation marts, returning typed rows.

Every surface (dashboard, reports, ``readiness status``, alerts) reads a project's latest result,
the portfolio's figures and the recurring blockers from here: dbt computed them once
(dbt_project/models/marts/presentation); nothing here totals, ranks or orders anything itself.
SQL text is constant; values travel only as bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from numbers import Real
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


def columns(cls: type[Any], casts: dict[str, str] | None = None) -> str:
    """A typed row's fields as a select list (a field cast where ``casts`` names its type)."""
    casts = casts or {}
    return ", ".join(
        f"cast({f.name} as {casts[f.name]}) as {f.name}" if f.name in casts else f.name
        for f in fields(cls)
    )


_columns = columns


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


def typed_rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], cls: type[Row]
) -> list[Row]:
    """A named query's rows as ``cls`` (its columns are the fields' names)."""
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [cls(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


_typed = typed_rows


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


# --- Two runs of a project compared: `readiness diff`, the Trends page ------------------------
# The same definitions as the run_changes, run_gap_changes, run_check_changes and
# run_input_changes marts (dbt_project/models/marts/presentation/), which compare each run with
# its previous one; these compare any two runs of a project. For a consecutive pair both give the
# same rows (tests/e2e/test_example_history.py checks every pair of the example's history): change
# a definition in both places. Bound parameters, in order: the earlier run, the later run, the
# project.


def _pair_rows(mart: str) -> str:
    """The CTEs every pair query starts with: ``earlier`` and ``later``, a project's rows of a mart.

    ``mart`` is one of this module's per-run marts (a constant); the rows are those of the earlier
    and the later run (parameters: the earlier run, the later run, the project).
    """
    return f"""
with pair as (select ?::varchar as run_before, ?::varchar as run_after, ?::varchar as project_id),
earlier as (
    select mart.* from {mart} as mart
    inner join pair on mart.run_id = pair.run_before and mart.project_id = pair.project_id
),
later as (
    select mart.* from {mart} as mart
    inner join pair on mart.run_id = pair.run_after and mart.project_id = pair.project_id
)"""


#: The verdict, confidence and rubric of a project in both runs (run_changes' columns).
PAIR_RESULTS = """
select
    earlier.recommendation as recommendation_before,
    later.recommendation as recommendation_after,
    cast(earlier.confidence as double) as confidence_before,
    cast(later.confidence as double) as confidence_after,
    earlier.rubric_version as rubric_before,
    later.rubric_version as rubric_after
from recommendations as earlier
inner join recommendations as later on earlier.project_id = later.project_id
where earlier.run_id = ? and later.run_id = ? and earlier.project_id = ?
"""

#: Each gap's score and status in both runs, in the gaps' order (run_gap_changes' rows).
PAIR_GAP_CHANGES = (
    _pair_rows("gap_scores")
    + """
select
    coalesce(later.gap, earlier.gap) as gap,
    cast(earlier.score as double) as score_before,
    cast(later.score as double) as score_after,
    earlier.status as status_before,
    later.status as status_after
from later
full outer join earlier on later.gap = earlier.gap
order by coalesce(later.gap_order, earlier.gap_order), gap
"""
)

#: The checks whose result differs between the runs (run_check_changes' rows); a null result:
#: the check was not in that run.
PAIR_CHECK_CHANGES = (
    _pair_rows("check_results")
    + """
select
    coalesce(later.check_id, earlier.check_id) as check_id,
    coalesce(later.gap, earlier.gap) as gap,
    coalesce(later.severity, earlier.severity) as severity,
    coalesce(later.title, earlier.title) as title,
    earlier.result as result_before,
    later.result as result_after
from later
full outer join earlier on later.check_id = earlier.check_id
where coalesce(earlier.result, '') <> coalesce(later.result, '')
order by check_id
"""
)

#: The inputs whose fingerprint changed, or that only one run read (run_input_changes' rows).
PAIR_INPUT_CHANGES = (
    _pair_rows("input_fingerprints")
    + """
select
    coalesce(later.input_kind, earlier.input_kind) as input_kind,
    coalesce(later.name, earlier.name) as name,
    case
        when earlier.name is null then 'added'
        when later.name is null then 'removed'
        else 'changed'
    end as change,
    earlier.source as source_before,
    later.source as source_after,
    earlier.fingerprint as fingerprint_before,
    later.fingerprint as fingerprint_after
from later
full outer join earlier on later.input_kind = earlier.input_kind and later.name = earlier.name
where coalesce(earlier.fingerprint, '') <> coalesce(later.fingerprint, '')
order by input_kind, name
"""
)


#: Words for what may change in a rubric check (run_rubric_check_changes.changed_fields).
_RUBRIC_FIELDS = {
    "gap": "gap",
    "severity": "severity",
    "weight": "weight",
    "direction": "direction",
    "pass_threshold": "pass threshold",
    "partial_threshold": "partial threshold",
}


@dataclass(frozen=True)
class RubricCheckChange:
    """A rubric check added, removed or changed since the previous run (``run_rubric_check_changes``)."""

    check_id: str
    title: str | None
    change: str  # "added", "removed" or "changed"
    changed_fields: list[str]
    gap_before: str | None
    gap_after: str | None
    severity_before: str | None
    severity_after: str | None
    weight_before: float | None
    weight_after: float | None
    direction_before: str | None
    direction_after: str | None
    pass_threshold_before: float | None
    pass_threshold_after: float | None
    partial_threshold_before: float | None
    partial_threshold_after: float | None

    def text(self) -> str:
        """``sc_p95: weight 2 -> 3, pass threshold 0.9 -> 0.95`` (or ``sc_p95 added``)."""
        if self.change != "changed":
            return f"{self.check_id} {self.change}"
        moves = []
        for name in self.changed_fields:
            before, after = getattr(self, f"{name}_before"), getattr(self, f"{name}_after")
            moves.append(f"{_RUBRIC_FIELDS.get(name, name)} {_plain(before)} -> {_plain(after)}")
        return f"{self.check_id}: {', '.join(moves)}"


def _plain(value: Any) -> str:
    """A value as the rubric writes it: 3, 0.95, major (``-``: none)."""
    if value is None:
        return "-"
    return f"{float(value):g}" if isinstance(value, Real | Decimal) else str(value)


@dataclass(frozen=True)
class RubricChange:
    """A run's rubric against its previous run's (``run_rubric_changes``), with the checks that differ."""

    run_id: str
    project_id: str
    previous_run_id: str
    rubric_version_before: str | None
    rubric_version_after: str | None
    rubric_fingerprint_before: str | None
    rubric_fingerprint_after: str | None
    checks_added: int
    checks_removed: int
    checks_changed: int
    checks: list[RubricCheckChange]

    def text(self) -> str:
        """``rubric changed: 2026.1 -> 2026.2: sc_new added, sc_p95: weight 2 -> 3``."""
        version = (
            f"{self.rubric_version_before} -> {self.rubric_version_after}"
            if self.rubric_version_before != self.rubric_version_after
            else f"{self.rubric_version_after} (fingerprint "
            f"{(self.rubric_fingerprint_before or '-')[:12]} -> "
            f"{(self.rubric_fingerprint_after or '-')[:12]})"
        )
        what = "; ".join(c.text() for c in self.checks) or (
            "no check's gap, severity, weight, direction or thresholds changed"
        )
        return f"rubric changed: {version}: {what}"


_RUBRIC_CHANGE_COLUMNS = ", ".join(f"c.{f.name}" for f in fields(RubricChange)[:-1])

#: The rubric changes of a project's runs, oldest first: each run whose rubric differs from its
#: previous run's. Bound: the earlier run (exclusive, or null), the later run (inclusive, or
#: null), the project; so a diff of two runs lists every change between them.
RUBRIC_CHANGES = f"""
select {_RUBRIC_CHANGE_COLUMNS}
from run_rubric_changes as c
inner join runs as r on c.run_id = r.run_id
left join runs as a on a.run_id = ?
left join runs as b on b.run_id = ?
where c.project_id = ? and c.rubric_changed
    and (a.run_id is null or r.started_at > a.started_at
        or (r.started_at = a.started_at and r.run_id > a.run_id))
    and (b.run_id is null or r.started_at < b.started_at
        or (r.started_at = b.started_at and r.run_id <= b.run_id))
order by r.started_at, r.run_id
"""

#: The checks that differ in one run's rubric from its previous run's (run id, project id).
RUBRIC_CHECK_CHANGES = f"""
select {_columns(RubricCheckChange)}
from run_rubric_check_changes
where run_id = ? and project_id = ?
order by case change when 'added' then 1 when 'removed' then 2 else 3 end, check_id
"""


def rubric_changes(
    con: duckdb.DuckDBPyConnection,
    project_id: str,
    after: str | None = None,
    upto: str | None = None,
) -> list[RubricChange]:
    """Each run of the project whose rubric differs from its previous run's, oldest first.

    Only the runs after ``after`` and up to ``upto`` when given; empty for a snapshot without them.
    """
    try:
        rows = con.execute(RUBRIC_CHANGES, [after, upto, project_id]).fetchall()
    except duckdb.CatalogException:
        return []
    changes = []
    for row in rows:
        checks = _typed(con, RUBRIC_CHECK_CHANGES, [row[0], project_id], RubricCheckChange)
        names = [f.name for f in fields(RubricChange)[:-1]]
        changes.append(RubricChange(**dict(zip(names, row, strict=True)), checks=checks))
    return changes
