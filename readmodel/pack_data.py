"""What the Sprint Zero pack says, read from the published snapshot's marts only.

The pack is the assessment's four deliverables for one project (its latest run): the stakeholder
alignment report, the technical feasibility assessment, the prioritised roadmap and the
recommendation. Every figure is a mart's (dbt's): this module selects rows and never computes a
total, a rate or an order of its own. Free text a person typed (a blocker's reason, a waiver's
reason) is redacted of personal values here (flows.privacy), so that no renderer can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from flows.privacy import redact
from readmodel.queries import typed_rows
from readmodel.snapshots import open_snapshot
from readmodel.summary import ProjectSummary, project_summary

R = TypeVar("R")

#: Blockers the pack lists (the one-pager lists the top five).
PACK_BLOCKERS = 50

_QUESTIONS = """
select stakeholder_group, question_id, question_text, respondents, agreement, disagreement
from stakeholder_questions where run_id = ? and project_id = ?
order by question_id, stakeholder_group
"""
# The groups as readers see them (small groups merged: int_stakeholder_groups_reported), with
# their agreement, spread and dbt's note of what was merged; the silent required groups.
_GROUPS = """
select a.item as stakeholder_group,
       cast(json_extract_string(a.detail, '$.respondents') as integer) as respondents,
       a.value as agreement, a.result as agreement_result,
       d.value as disagreement, d.result as disagreement_result,
       json_extract_string(a.detail, '$.small_groups') as small_groups
from check_items as a
left join check_items as d
    on d.run_id = a.run_id and d.project_id = a.project_id and d.item = a.item
    and d.check_id = 'sa_disagreement'
where a.run_id = ? and a.project_id = ? and a.check_id = 'sa_agreement'
order by a.item = 'other groups', a.item
"""
_SILENT = """
select json_extract_string(detail, '$.silent_groups') as silent_groups,
       json_extract_string(detail, '$.required_groups') as required_groups
from check_items where run_id = ? and project_id = ? and check_id = 'sa_groups_responded'
"""
_FIELDS = """
select dataset, field, declared_type, required, present, row_count, null_rate, invalid_rate
from data_quality_fields where run_id = ? and project_id = ?
order by dataset, field
"""
_RULES = """
select dataset, rule, kind, rows_checked, violations, violation_rate
from data_quality_rules where run_id = ? and project_id = ?
order by dataset, rule
"""
_SYSTEMS = """
select system, role, status, authentication, rate_limit_rps, error_handling, observability,
       rollback, versioning, integration_tests, owner
from integration_systems where run_id = ? and project_id = ?
order by role, system
"""
_LOAD = """
select source, tool, users, target_concurrency, request_count, error_rate, p95_ms,
       p95_latency_slo_ms, within_slo, error_budget, within_error_budget
from load_test_results where run_id = ? and project_id = ? and is_aggregate
order by source
"""
_TARGET_POINT = """
select source, user_count, p95_ms, p95_latency_slo_ms, p95_vs_slo
from load_test_history where run_id = ? and project_id = ? and is_target_point and is_aggregate
order by source
"""
_COST = """
select currency, requests_per_month_poc, requests_per_month_target, cost_per_request,
       monthly_cost_poc, monthly_cost_target, cost_multiplier, monthly_budget, budget_use,
       cost_per_outcome, value_per_outcome, return_on_cost, fixed_monthly_cost, tokens_source
from cost_projections where run_id = ? and project_id = ? limit 1
"""
_SENSITIVITY = """
select cast(volume_change as double) as volume_change,
       cast(price_change as double) as price_change,
       monthly_cost, budget_use, within_budget, is_baseline, currency
from cost_sensitivity where run_id = ? and project_id = ? and in_table
order by volume_change, price_change
"""
_SCHEDULE = """
select s.priority, s.gap, s.title, s.action, s.owner_role, s.owner, r.owner_named,
       s.effort_days, s.cost, s.start_date, s.end_date
from roadmap_schedule as s
left join roadmap as r using (roadmap_item_id)
where s.run_id = ? and s.project_id = ?
order by s.priority
"""
_TARGET = """
select as_of_date, target_launch, next_steering, roadmap_end_date, days_to_target, margin_days,
       target_status, target_text
from launch_targets where run_id = ? and project_id = ?
"""
_PROGRAMME = """
select unnamed_owner_roles, stage, next_stage, as_of
from recommendations where run_id = ? and project_id = ?
"""
_STAGES = """
select stage_title, reached, requirements, requirements_met, missing
from project_stages where run_id = ? and project_id = ?
order by stage_order
"""
_WAIVERS = """
select title, gap, severity, status, applied, expiring_soon, waiver_text, status_text, expires_on
from waivers where run_id = ? and project_id = ?
order by expires_on, title
"""
_EVIDENCE = """
select evidence_kind, name, status, rows_read, rows_rejected, newest_record_at
from evidence_inputs where run_id = ? and project_id = ?
order by evidence_kind, name
"""


@dataclass(frozen=True)
class QuestionCell:
    """Agreement and disagreement of one group on one question (``stakeholder_questions``)."""

    stakeholder_group: str
    question_id: str
    question_text: str | None
    respondents: int | None
    agreement: float | None
    disagreement: float | None


@dataclass(frozen=True)
class GroupLine:
    """A group as readers see it (small groups merged), its agreement and spread (``check_items``)."""

    stakeholder_group: str
    respondents: int | None
    agreement: float | None
    agreement_result: str | None
    disagreement: float | None
    disagreement_result: str | None
    small_groups: str | None


@dataclass(frozen=True)
class SilentGroups:
    silent_groups: str | None
    required_groups: str | None


@dataclass(frozen=True)
class FieldLine:
    """One field of a dataset as audited (``data_quality_fields``)."""

    dataset: str
    field: str
    declared_type: str | None
    required: bool | None
    present: bool | None
    row_count: int | None
    null_rate: float | None
    invalid_rate: float | None


@dataclass(frozen=True)
class RuleLine:
    """A cross-field rule or relationship (``data_quality_rules``)."""

    dataset: str
    rule: str
    kind: str
    rows_checked: int | None
    violations: int | None
    violation_rate: float | None


@dataclass(frozen=True)
class SystemLine:
    """A system of the inventory and its capabilities (``integration_systems``)."""

    system: str
    role: str
    status: str | None
    authentication: bool | None
    rate_limit_rps: float | None
    error_handling: bool | None
    observability: bool | None
    rollback: bool | None
    versioning: bool | None
    integration_tests: bool | None
    owner: str | None


@dataclass(frozen=True)
class LoadTestLine:
    """A load test's aggregated row (``load_test_results``)."""

    source: str
    tool: str | None
    users: int | None
    target_concurrency: int | None
    request_count: int | None
    error_rate: float | None
    p95_ms: float | None
    p95_latency_slo_ms: float | None
    within_slo: bool | None
    error_budget: float | None
    within_error_budget: bool | None


@dataclass(frozen=True)
class TargetPoint:
    """The p95 at target concurrency (``load_test_history``)."""

    source: str
    user_count: int | None
    p95_ms: float | None
    p95_latency_slo_ms: float | None
    p95_vs_slo: float | None


@dataclass(frozen=True)
class CostModel:
    """The cost model at the proof of concept and at target (``cost_projections``)."""

    currency: str | None
    requests_per_month_poc: float | None
    requests_per_month_target: float | None
    cost_per_request: float | None
    monthly_cost_poc: float | None
    monthly_cost_target: float | None
    cost_multiplier: float | None
    monthly_budget: float | None
    budget_use: float | None
    cost_per_outcome: float | None
    value_per_outcome: float | None
    return_on_cost: float | None
    fixed_monthly_cost: float | None
    tokens_source: str | None


@dataclass(frozen=True)
class SensitivityCell:
    """One pair of the sensitivity table (``cost_sensitivity`` where ``in_table``)."""

    volume_change: float
    price_change: float
    monthly_cost: float | None
    budget_use: float | None
    within_budget: bool | None
    is_baseline: bool
    currency: str | None


@dataclass(frozen=True)
class ScheduledAction:
    """A roadmap action on the calendar (``roadmap_schedule``)."""

    priority: int
    gap: str
    title: str
    action: str | None
    owner_role: str | None
    owner: str | None
    owner_named: bool | None
    effort_days: float | None
    cost: float | None
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class TargetLine:
    """The target launch against the roadmap (``launch_targets``)."""

    as_of_date: date | None
    target_launch: date | None
    next_steering: date | None
    roadmap_end_date: date | None
    days_to_target: int | None
    margin_days: int | None
    target_status: str | None
    target_text: str | None


@dataclass(frozen=True)
class ProgrammeLine:
    unnamed_owner_roles: int | None
    stage: str | None
    next_stage: str | None
    as_of: datetime | None


@dataclass(frozen=True)
class StageLine:
    """A launch stage: reached, and what is missing (``project_stages``)."""

    stage_title: str
    reached: bool | None
    requirements: int | None
    requirements_met: int | None
    missing: str | None


@dataclass(frozen=True)
class WaiverLine:
    """A waiver the verdict relies on or not (``waivers``)."""

    title: str
    gap: str
    severity: str
    status: str
    applied: bool | None
    expiring_soon: bool | None
    waiver_text: str | None
    status_text: str | None
    expires_on: date | None


@dataclass(frozen=True)
class EvidenceLine:
    """An input read (``evidence_inputs``)."""

    evidence_kind: str
    name: str
    status: str
    rows_read: int | None
    rows_rejected: int | None
    newest_record_at: datetime | None


@dataclass(frozen=True)
class Pack:
    """The four deliverables of one project's latest run, as the marts give them."""

    summary: ProjectSummary
    questions: list[QuestionCell]
    groups: list[GroupLine]
    silent_groups: str | None
    required_groups: int | None
    fields: list[FieldLine]
    rules: list[RuleLine]
    systems: list[SystemLine]
    load_tests: list[LoadTestLine]
    target_points: list[TargetPoint]
    cost: CostModel | None
    sensitivity: list[SensitivityCell]
    schedule: list[ScheduledAction]
    target: TargetLine | None
    unnamed_owner_roles: int
    as_of: Any
    stages: list[StageLine]
    waivers: list[WaiverLine]
    evidence: list[EvidenceLine] = field(default_factory=list)

    @property
    def small_groups(self) -> str | None:
        """The note dbt wrote of the groups merged (or left out) for being too small, if any."""
        return next((g.small_groups for g in self.groups if g.small_groups), None)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, cls: type[R], *params: Any) -> list[R]:
    return typed_rows(con, sql, list(params), cls)


def _redacted(rows: list[R], *columns: str) -> list[R]:
    return [replace(r, **{c: redact(getattr(r, c)) for c in columns}) for r in rows]  # type: ignore[type-var]


def read_pack(snapshot: Path, project_id: str, portfolios: tuple[str, ...] | None = None) -> Pack:
    """The pack of a project's latest run (of ``portfolios`` only, when given)."""
    summary = project_summary(snapshot, project_id, PACK_BLOCKERS, portfolios)
    summary = _redacted_summary(summary)
    key = (summary.run_id, summary.project_id)
    with open_snapshot(snapshot, portfolios) as con:
        silent = _rows(con, _SILENT, SilentGroups, *key)
        cost = _rows(con, _COST, CostModel, *key)
        target = _rows(con, _TARGET, TargetLine, *key)
        programme = _rows(con, _PROGRAMME, ProgrammeLine, *key)
        required = silent[0].required_groups if silent else None
        return Pack(
            summary=summary,
            questions=_rows(con, _QUESTIONS, QuestionCell, *key),
            groups=_rows(con, _GROUPS, GroupLine, *key),
            silent_groups=silent[0].silent_groups if silent else None,
            required_groups=None if required is None else int(required),
            fields=_rows(con, _FIELDS, FieldLine, *key),
            rules=_rows(con, _RULES, RuleLine, *key),
            systems=_rows(con, _SYSTEMS, SystemLine, *key),
            load_tests=_rows(con, _LOAD, LoadTestLine, *key),
            target_points=_rows(con, _TARGET_POINT, TargetPoint, *key),
            cost=cost[0] if cost else None,
            sensitivity=_rows(con, _SENSITIVITY, SensitivityCell, *key),
            schedule=_redacted(_rows(con, _SCHEDULE, ScheduledAction, *key), "action"),
            target=target[0] if target else None,
            unnamed_owner_roles=int((programme[0].unnamed_owner_roles if programme else 0) or 0),
            as_of=programme[0].as_of if programme else None,
            stages=_rows(con, _STAGES, StageLine, *key),
            waivers=_redacted(_rows(con, _WAIVERS, WaiverLine, *key), "waiver_text", "status_text"),
            evidence=_rows(con, _EVIDENCE, EvidenceLine, *key),
        )


def _redacted_summary(summary: ProjectSummary) -> ProjectSummary:
    """The summary with the blockers' reasons (respondents' words) redacted of personal values."""
    return replace(
        summary,
        blockers=[replace(b, reasons=redact(b.reasons)) for b in summary.blockers],
        reason=redact(summary.reason) or "",
    )
