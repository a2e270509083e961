"""What the Sprint Zero pack says, read from the published snapshot's marts only.

The pack is the assessment's four deliverables for one project (its latest run): the stakeholder
alignment report, the technical feasibility assessment, the prioritised roadmap and the
recommendation. Every figure is a mart's (dbt's): this module selects rows and never computes a
total, a rate or an order of its own. Free text a person typed (a blocker's reason, a waiver's
reason) is redacted of personal values here (flows.privacy), so that no renderer can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from flows.privacy import redact
from readmodel.snapshots import open_snapshot
from readmodel.summary import ProjectSummary, project_summary

Row = dict[str, Any]

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
select json_extract_string(detail, '$.silent_groups'), json_extract_string(detail, '$.required_groups')
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
class Pack:
    """The four deliverables of one project's latest run, as the marts give them."""

    summary: ProjectSummary
    questions: list[Row]
    groups: list[Row]
    silent_groups: str | None
    required_groups: int | None
    fields: list[Row]
    rules: list[Row]
    systems: list[Row]
    load_tests: list[Row]
    target_points: list[Row]
    cost: Row | None
    sensitivity: list[Row]
    schedule: list[Row]
    target: Row | None
    unnamed_owner_roles: int
    as_of: Any
    stages: list[Row]
    waivers: list[Row]
    evidence: list[Row] = field(default_factory=list)

    @property
    def small_groups(self) -> str | None:
        """The note dbt wrote of the groups merged (or left out) for being too small, if any."""
        return next((g["small_groups"] for g in self.groups if g["small_groups"]), None)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[Row]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _redacted(rows: list[Row], *columns: str) -> list[Row]:
    return [{**r, **{c: redact(r[c]) for c in columns}} for r in rows]


def read_pack(snapshot: Path, project_id: str, portfolios: tuple[str, ...] | None = None) -> Pack:
    """The pack of a project's latest run (of ``portfolios`` only, when given)."""
    summary = project_summary(snapshot, project_id, PACK_BLOCKERS, portfolios)
    summary = _redacted_summary(summary)
    key = (summary.run_id, summary.project_id)
    with open_snapshot(snapshot, portfolios) as con:
        silent = con.execute(_SILENT, list(key)).fetchone() or (None, None)
        cost = _rows(con, _COST, *key)
        target = _rows(con, _TARGET, *key)
        programme = _rows(con, _PROGRAMME, *key)
        return Pack(
            summary=summary,
            questions=_rows(con, _QUESTIONS, *key),
            groups=_rows(con, _GROUPS, *key),
            silent_groups=silent[0],
            required_groups=None if silent[1] is None else int(silent[1]),
            fields=_rows(con, _FIELDS, *key),
            rules=_rows(con, _RULES, *key),
            systems=_rows(con, _SYSTEMS, *key),
            load_tests=_rows(con, _LOAD, *key),
            target_points=_rows(con, _TARGET_POINT, *key),
            cost=cost[0] if cost else None,
            sensitivity=_rows(con, _SENSITIVITY, *key),
            schedule=_redacted(_rows(con, _SCHEDULE, *key), "action"),
            target=target[0] if target else None,
            unnamed_owner_roles=int((programme[0]["unnamed_owner_roles"] if programme else 0) or 0),
            as_of=programme[0]["as_of"] if programme else None,
            stages=_rows(con, _STAGES, *key),
            waivers=_redacted(_rows(con, _WAIVERS, *key), "waiver_text", "status_text"),
            evidence=_rows(con, _EVIDENCE, *key),
        )


def _redacted_summary(summary: ProjectSummary) -> ProjectSummary:
    """The summary with the blockers' reasons (respondents' words) redacted of personal values."""
    from dataclasses import replace

    return replace(
        summary,
        blockers=[replace(b, reasons=redact(b.reasons)) for b in summary.blockers],
        reason=redact(summary.reason) or "",
    )
