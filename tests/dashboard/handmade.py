"""A handmade published snapshot: two projects (one go, one not yet) over two runs.

The tables carry exactly the columns of the marts the dashboard reads; :func:`build_snapshot`
writes them to a new DuckDB file and closes it, so no lock is left behind.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

R1, R2 = "run-2026-11-01", "run-2026-11-20"
GO, NOT_YET = "support_copilot", "churn_predictor"
RUBRIC = "2026.11.0"
GO_REASON = "Every gap is ready and 92% of the weighted checks had evidence."
#: What legal wrote beside its blocker answer (dbt's detail.blockers of sa_legal_blockers).
LEGAL_BLOCKER = "Legal: the data protection impact assessment is not done"
#: What dbt writes (INTERFACES B): gap names and check titles, never check ids.
NOT_YET_REASON = (
    "Not yet: Data quality is blocked (failed: Production data is fresh); Stakeholder alignment "
    f"is blocked ({LEGAL_BLOCKER}); Evaluation has insufficient evidence (missing: Business KPIs "
    "have a baseline and a target); Scale is blocked (failed: Cost at target volume fits the "
    "budget)."
)
#: Titles of the evaluation checks without evidence (gap_scores.missing_evidence).
MISSING_EVALUATION = "Business KPIs have a baseline and a target"
COST_REMEDIATION = (
    "Cut cost per request: cache answers and send simple requests to a smaller model."
)

TABLES: dict[str, str] = {
    "runs": """
        run_id varchar, portfolio_id varchar, started_at timestamp, finished_at timestamp,
        status varchar, rubric_version varchar, code_version varchar, as_of timestamp,
        projects_assessed integer, projects_failed integer, projects_go integer,
        projects_not_yet integer, message varchar, day_rate_currency varchar,
        lock_fingerprint varchar, package_versions varchar, portfolio_path varchar,
        archive varchar""",
    "recommendations": """
        recommendation_id varchar, run_id varchar, project_id varchar, project_name varchar,
        business_unit varchar, owner varchar, run_started_at timestamp, as_of timestamp,
        recommendation varchar, reason varchar, confidence double, blocking_gaps varchar,
        blocking_checks varchar, weakest_gap varchar, weakest_score double,
        project_status varchar, project_error varchar, rubric_version varchar,
        is_latest boolean, claims_contradicted integer, insufficient_gaps varchar,
        verdict varchar, waivers_relied_on integer, stage varchar, next_stage varchar,
        stage_text varchar, unnamed_owner_roles integer""",
    "gap_scores": """
        gap_score_id varchar, run_id varchar, project_id varchar, gap varchar, gap_order integer,
        score double, status varchar, checks_total integer, checks_with_evidence integer,
        checks_failed integer, critical_failed integer, evidence_share double,
        missing_evidence varchar""",
    "check_results": """
        check_result_id varchar, run_id varchar, project_id varchar, gap varchar,
        check_id varchar, title varchar, severity varchar, weight double, direction varchar,
        pass_threshold double, partial_threshold double, unit varchar, metric double,
        result varchar, points double, evidence varchar, remediation varchar,
        effort_days double, owner_role varchar, rubric_version varchar, waived boolean,
        waiver varchar, owner varchar, owner_named boolean""",
    "roadmap": """
        roadmap_item_id varchar, run_id varchar, project_id varchar, priority integer,
        check_id varchar, gap varchar, title varchar, severity varchar, result varchar,
        action varchar, owner_role varchar, effort_days double, cost double,
        score_gain double, gain_per_day double, start_day double, end_day double""",
    "cost_projections": """
        cost_projection_id varchar, run_id varchar, project_id varchar, currency varchar,
        requests_per_month_poc double, requests_per_month_target double,
        cost_per_request double, monthly_cost_poc double, monthly_cost_target double,
        cost_multiplier double, monthly_budget double, budget_use double,
        cost_per_outcome double, value_per_outcome double, cost_per_user double,
        return_on_cost double, target_peak_rps double, monthly_cost_target_p95 double,
        tokens_source varchar""",
    "evidence_inputs": """
        run_id varchar, project_id varchar, evidence_kind varchar, name varchar,
        source varchar, fingerprint varchar, rows_read integer, rows_rejected integer,
        status varchar, error varchar, newest_record_at timestamp""",
    "load_test_results": """
        run_id varchar, project_id varchar, source varchar, users bigint,
        request_type varchar, endpoint varchar, is_aggregate boolean, request_count bigint,
        failure_count bigint, error_rate double, median_ms double, p95_ms double,
        p99_ms double, requests_per_s double, p95_latency_slo_ms double, within_slo boolean,
        error_budget double, within_error_budget boolean, target_concurrency bigint,
        tool varchar""",
    "check_items": """
        check_item_id varchar, run_id varchar, project_id varchar, check_id varchar,
        gap varchar, title varchar, severity varchar, item varchar, value double,
        direction varchar, pass_threshold double, partial_threshold double, unit varchar,
        detail varchar, result varchar""",
    "rejected_rows": """
        run_id varchar, project_id varchar, evidence_kind varchar, source varchar,
        row_number integer, column_name varchar, value varchar, reason varchar""",
}


#: Marts of the drill-down and of run comparison, present but empty here: the pages must say
#: plainly that nothing was measured rather than fail.
EMPTY_TABLES: dict[str, str] = {
    "data_quality_fields": """
        run_id varchar, project_id varchar, dataset varchar, field varchar,
        declared_type varchar, required boolean, present boolean, row_count bigint,
        null_count bigint, empty_count bigint, missing_rate double, null_rate double,
        invalid_rate double,
        type_failures bigint, not_allowed bigint, out_of_range bigint,
        pattern_failures bigint, min_value varchar, max_value varchar, examples varchar""",
    "data_quality_rules": """
        run_id varchar, project_id varchar, dataset varchar, rule varchar, kind varchar,
        rows_checked bigint, violations bigint, violation_rate double, examples varchar""",
    "integration_systems": """
        run_id varchar, project_id varchar, system varchar, role varchar, status varchar,
        authentication boolean, rate_limit_rps double, error_handling boolean,
        observability boolean, rollback boolean, versioning boolean,
        integration_tests boolean, owner varchar""",
    "stakeholder_questions": """
        run_id varchar, project_id varchar, stakeholder_group varchar, question_id varchar,
        question_text varchar, respondents bigint, agreement double, disagreement double,
        lowest_agreement double, highest_agreement double""",
    "cost_inputs": """
        run_id varchar, project_id varchar, currency varchar""",
    "input_fingerprints": """
        run_id varchar, project_id varchar, input_kind varchar, name varchar, source varchar,
        fingerprint varchar""",
    "launch_targets": """
        launch_target_id varchar, run_id varchar, project_id varchar, as_of_date date,
        target_launch date, next_steering date, roadmap_end_date date, days_to_target integer,
        margin_days integer, target_status varchar, target_text varchar""",
    "roadmap_progress": """
        roadmap_progress_id varchar, run_id varchar, project_id varchar,
        previous_run_id varchar, actions_done integer, actions_new integer,
        actions_open integer""",
    "waivers": """
        waiver_id varchar, run_id varchar, project_id varchar, check_id varchar, gap varchar,
        title varchar, severity varchar, measured_result varchar, reason varchar,
        approver varchar, given_on date, expires_on date, as_of_date date,
        days_to_expiry integer, status varchar, applied boolean, expiring_soon boolean,
        waiver_text varchar, status_text varchar, source varchar, line integer,
        is_latest boolean""",
}


def _runs() -> list[tuple[Any, ...]]:
    return [
        (R1, "example", datetime(2026, 11, 1, 9), datetime(2026, 11, 1, 9, 5), "completed",
         "2026.10.0", "abc123", datetime(2026, 11, 1, 9), 2, 0, 0, 2, None, "EUR",
         None, None, None, None),
        (R2, "example", datetime(2026, 11, 20, 14, 30), datetime(2026, 11, 20, 14, 36),
         "completed", RUBRIC, "def456", datetime(2026, 11, 20, 14, 30), 2, 0, 1, 1, None, "EUR",
         "9" * 64, '{"duckdb": "1.1.3"}', "/portfolios/portfolio.yml", None),
    ]  # fmt: skip


def _recommendation(run: str, project: str, **values: Any) -> tuple[Any, ...]:
    names = {GO: ("Support copilot", "Customer service", "Ana Ruiz"),
             NOT_YET: ("Churn predictor", "Marketing", "Ben Okafor")}  # fmt: skip
    started = datetime(2026, 11, 1, 9) if run == R1 else datetime(2026, 11, 20, 14, 30)
    return (
        f"{run}:{project}", run, project, *names[project], started, started,
        values["recommendation"], values["reason"], values["confidence"],
        values.get("blocking_gaps", ""), values.get("blocking_checks", ""),
        values["weakest_gap"], values["weakest_score"], "ok", None,
        RUBRIC if run == R2 else "2026.10.0", run == R2, values.get("claims", 0),
        values.get("insufficient_gaps", ""),
        "go" if values["recommendation"] == "go" else "not yet", 0, None, None, None, 0,
    )  # fmt: skip


def _recommendations() -> list[tuple[Any, ...]]:
    return [
        _recommendation(R1, GO, recommendation="not_yet", reason="Old: evaluation missing.",
                        confidence=0.6, blocking_gaps="evaluation", weakest_gap="evaluation",
                        weakest_score=20.0),
        _recommendation(R1, NOT_YET, recommendation="not_yet", reason="Old: scale blocked.",
                        confidence=0.7, blocking_gaps="scale", weakest_gap="scale",
                        weakest_score=30.0),
        _recommendation(R2, GO, recommendation="go", reason=GO_REASON, confidence=0.92,
                        weakest_gap="evaluation", weakest_score=82.0),
        _recommendation(R2, NOT_YET, recommendation="not_yet", reason=NOT_YET_REASON,
                        confidence=0.8,
                        blocking_gaps="data_quality,stakeholder_alignment,evaluation,scale",
                        blocking_checks="dq_freshness,sa_legal_blockers,sc_cost_budget",
                        weakest_gap="scale", weakest_score=35.0, claims=2,
                        insufficient_gaps="evaluation"),
    ]  # fmt: skip


GAPS = [
    "data_quality",
    "integration",
    "stakeholder_alignment",
    "evaluation",
    "scale",
    "maintenance",
]
#: (score, status) per gap, in rubric order.
SCORES: dict[tuple[str, str], list[tuple[int | None, str]]] = {
    (R1, GO): [(90, "ready"), (85, "ready"), (80, "ready"), (20, "blocked"), (85, "ready"),
               (90, "ready")],
    (R1, NOT_YET): [(70, "at_risk"), (80, "ready"), (60, "at_risk"), (None, "no_evidence"),
                    (30, "blocked"), (85, "ready")],
    (R2, GO): [(95, "ready"), (88, "ready"), (90, "ready"), (82, "ready"), (85, "ready"),
               (100, "ready")],
    (R2, NOT_YET): [(45, "blocked"), (85, "ready"), (40, "blocked"),
                    (None, "insufficient_evidence"), (35, "blocked"), (90, "ready")],
}  # fmt: skip


def _gap_scores() -> list[tuple[Any, ...]]:
    rows = []
    for (run, project), scores in SCORES.items():
        for order, (gap, (score, status)) in enumerate(zip(GAPS, scores, strict=True), start=1):
            evidence = 0 if score is None else 2
            missing = MISSING_EVALUATION if gap == "evaluation" and score is None else None
            rows.append((f"{run}:{project}:{gap}", run, project, gap, order, score, status,
                         2, evidence, int(status == "blocked"), int(status == "blocked"),
                         evidence / 2, missing))  # fmt: skip
    return rows


def _evidence(**values: Any) -> str:
    return json.dumps(values)


#: check_id: gap, title, severity, weight, direction, pass, partial, unit, remediation, effort, owner
CHECKS: dict[str, tuple[Any, ...]] = {
    "dq_completeness": ("data_quality", "Required fields are filled", "critical", 3,
                        "higher_is_better", 0.98, 0.9, "share of required values filled",
                        "Fix the extract so required fields are filled.", 3, "data_engineering"),
    "dq_freshness": ("data_quality", "Production data is fresh", "critical", 3, "lower_is_better",
                     24, 72, "hours since the newest record",
                     "Schedule the nightly extract so data is never older than a day.", 3,
                     "data_engineering"),
    "in_auth": ("integration", "Authentication is solved", "critical", 3, "higher_is_better", 1,
                0.5, "share of systems with authentication solved",
                "Integrate single sign-on.", 5, "platform"),
    "sa_legal": ("stakeholder_alignment", "Legal agrees", "critical", 3, "higher_is_better", 0.8,
                 0.6, "mean agreement of legal (0 to 1)", "Run a legal review.", 4, "legal"),
    "sa_legal_blockers": ("stakeholder_alignment", "No open blocker from legal or compliance",
                          "critical", 3, "lower_is_better", 0, 0,
                          "blockers raised by legal or compliance respondents",
                          "Resolve each legal or compliance blocker before any launch date.", 15,
                          "legal"),
    "ev_kpis": ("evaluation", "Business KPIs have a baseline and a target", "major", 2,
                "higher_is_better", 1, 0.5, "share of KPIs with baseline and target",
                "Define the KPIs with a baseline and a target.", 2, "product"),
    "sc_cost_budget": ("scale", "Cost at target volume fits the budget", "critical", 3,
                       "lower_is_better", 1.0, 1.2, "share of the monthly budget",
                       COST_REMEDIATION, 10, "ml_engineering"),
    "sc_latency": ("scale", "p95 latency within the SLO at target load", "major", 2,
                   "lower_is_better", 800, 1200, "milliseconds (p95)",
                   "Add autoscaling and a response cache.", 5, "platform"),
    "mt_runbook": ("maintenance", "An incident runbook exists", "minor", 1, "higher_is_better",
                   1, 0.5, "runbook present (1) or not (0)", "Write the incident runbook.", 1,
                   "operations"),
}  # fmt: skip
#: (run, project): check_id -> (metric, result, evidence text)
RESULTS: dict[tuple[str, str], dict[str, tuple[Any, str, str | None]]] = {
    (R2, NOT_YET): {
        "dq_completeness": (0.99, "pass", _evidence(worst_item="customers.plan", value=0.99)),
        "dq_freshness": (240, "fail", _evidence(worst_item="customers.csv", value=240, items=2)),
        "in_auth": (1, "pass", "see the inventory"),  # not JSON: shown as text
        "sa_legal": (0.7, "partial", _evidence(group="legal", respondents=3, value=0.7)),
        "sa_legal_blockers": (
            1,
            "fail",
            _evidence(worst="legal and compliance", value=1, detail={"blockers": LEGAL_BLOCKER}),
        ),
        "ev_kpis": (None, "no_evidence", None),
        "sc_cost_budget": (1.5, "fail", _evidence(monthly_cost=45000, budget=30000)),
        "sc_latency": (1500, "fail", _evidence(p95_ms=1500, users=200)),
        "mt_runbook": (0, "fail", _evidence(runbook=False)),
    },
    (R2, GO): {
        "dq_completeness": (1.0, "pass", _evidence(value=1.0)),
        "dq_freshness": (6, "pass", _evidence(value=6)),
        "in_auth": (1, "pass", _evidence(value=1)),
        "sa_legal": (0.9, "pass", _evidence(value=0.9)),
        "ev_kpis": (1, "pass", _evidence(value=1)),
        "sc_cost_budget": (0.625, "pass", _evidence(monthly_cost=5000, budget=8000)),
        "sc_latency": (600, "pass", _evidence(p95_ms=600)),
        "mt_runbook": (0, "fail", _evidence(runbook=False)),
    },
    (R1, NOT_YET): {"sc_cost_budget": (2.0, "fail", _evidence(value=2.0))},
}
POINTS = {"pass": 1.0, "partial": 0.5, "fail": 0.0, "no_evidence": None}


def _check_results() -> list[tuple[Any, ...]]:
    rows = []
    for (run, project), results in RESULTS.items():
        for check_id, (metric, result, evidence) in results.items():
            gap, title, severity, weight, direction, pass_, partial, unit, fix, effort, owner = (
                CHECKS[check_id]
            )
            rows.append((f"{run}:{project}:{check_id}", run, project, gap, check_id, title,
                         severity, weight, direction, pass_, partial, unit, metric, result,
                         POINTS[result], evidence, fix, effort, owner, RUBRIC, False,
                         None, owner, False))  # fmt: skip
    return rows


def _roadmap() -> list[tuple[Any, ...]]:
    # check_id, result, effort, start, end (cost = 900 a day)
    items = {
        (R2, NOT_YET): [("dq_freshness", "fail", 3, 0, 3), ("sc_cost_budget", "fail", 10, 0, 10),
                        ("sa_legal_blockers", "fail", 15, 0, 15),
                        ("sa_legal", "partial", 4, 0, 4), ("sc_latency", "fail", 5, 0, 5),
                        ("ev_kpis", "no_evidence", 2, 0, 2), ("mt_runbook", "fail", 1, 0, 1)],
        (R2, GO): [("mt_runbook", "fail", 1, 0, 1)],
    }  # fmt: skip
    rows = []
    for (run, project), plan in items.items():
        for priority, (check_id, result, effort, start, end) in enumerate(plan, start=1):
            gap, title, severity, *_, fix, _, owner = CHECKS[check_id]
            # dbt writes the blockers' reasons into the action (INTERFACES B).
            action = f"{fix} ({LEGAL_BLOCKER})" if check_id == "sa_legal_blockers" else fix
            rows.append((f"{run}:{project}:{check_id}", run, project, priority, check_id, gap,
                         title, severity, result, action, owner, effort, effort * 900.0, 10.0,
                         10.0 / effort, start, end))  # fmt: skip
    return rows


def _cost_projections() -> list[tuple[Any, ...]]:
    return [
        (f"{R2}:{NOT_YET}", R2, NOT_YET, "EUR", 10_000, 1_200_000, 0.0375, 375, 45_000, 120,
         30_000, 1.5, 4.5, 3.0, 0.9, 0.67, 12.0, 45_000, "assumed"),
        (f"{R2}:{GO}", R2, GO, "EUR", 20_000, 500_000, 0.01, 200, 5_000, 25, 8_000, 0.625, 0.5,
         2.0, 0.1, 4.0, 5.0, 5_000, "assumed"),
    ]  # fmt: skip


def _evidence_inputs() -> list[tuple[Any, ...]]:
    return [
        (R2, NOT_YET, "data_sample", "customers", "data/customers.csv", "sha256:aa", 1000, 3, "ok",
         None, datetime(2026, 11, 10, 8)),
        (R2, NOT_YET, "survey", "stakeholders", "survey/answers.csv", "sha256:bb", 40, 0, "ok",
         None, None),
        (R2, NOT_YET, "load_test", "checkout", "load/locust_stats.csv", None, 0, 0, "unreadable",
         "file not found: load/locust_stats.csv", None),
        (R2, GO, "data_sample", "tickets", "data/tickets.parquet", "sha256:cc", 500, 0, "ok",
         None, datetime(2026, 11, 18, 23)),
        # an older run saw newer data: the project page must not use it
        (R1, NOT_YET, "data_sample", "customers", "data/customers.csv", "sha256:dd", 900, 1, "ok",
         None, datetime(2026, 12, 1)),
    ]  # fmt: skip


def _rejected_rows() -> list[tuple[Any, ...]]:
    return [
        (R2, NOT_YET, "data_sample", "data/customers.csv", 17, "signup_date", "2026-13-01",
         "not a date (expected YYYY-MM-DD)"),
        (R2, NOT_YET, "data_sample", "data/customers.csv", 42, "plan", "platinum",
         "not an allowed value (basic, pro, enterprise)"),
        (R2, NOT_YET, "data_sample", "data/customers.csv", 43, "customer_id", "",
         "required field is empty"),
        (R1, NOT_YET, "data_sample", "data/customers.csv", 5, "plan", "gold", "old run"),
    ]  # fmt: skip


#: The go project's load test: its aggregated row (the one the checks judge) and one endpoint.
LOAD_TEST = "load/copilot_stats.csv"


def _load_test_results() -> list[tuple[Any, ...]]:
    return [
        (R2, GO, LOAD_TEST, 50, None, "Aggregated", True, 5000, 127, 0.0254, 300, 310, 600,
         40.0, 800, True, 0.01, False, 40, "locust"),
        (R2, GO, LOAD_TEST, 50, "POST", "/answer", False, 5000, 127, 0.0254, 300, 310, 600,
         40.0, 800, True, 0.01, False, 40, "locust"),
    ]  # fmt: skip


def _check_items() -> list[tuple[Any, ...]]:
    latency = _evidence(p95_ms=310, slo_p95_ms=800, users=50, target_concurrency=40,
                        requests=5000, measured_from="final stats")  # fmt: skip
    errors = _evidence(
        failures=127, requests=5000, failure_rate=0.0254, error_budget=0.01, users=50
    )
    return [
        (f"{R2}:{GO}:sc_latency", R2, GO, "sc_latency", "scale",
         "p95 latency within the SLO at target load", "major", LOAD_TEST, 0.3875,
         "lower_is_better", 1.0, 1.5, "p95 / SLO", latency, "pass"),
        (f"{R2}:{GO}:sc_error_rate", R2, GO, "sc_error_rate", "scale",
         "Error rate under load is within the error budget", "major", LOAD_TEST, 2.54,
         "lower_is_better", 1.0, 2.0, "error rate / budget", errors, "fail"),
    ]  # fmt: skip


ROWS = {
    "runs": _runs,
    "recommendations": _recommendations,
    "gap_scores": _gap_scores,
    "check_results": _check_results,
    "roadmap": _roadmap,
    "cost_projections": _cost_projections,
    "evidence_inputs": _evidence_inputs,
    "rejected_rows": _rejected_rows,
    "load_test_results": _load_test_results,
    "check_items": _check_items,
}


def build_snapshot(path: Path) -> Path:
    """Write the handmade marts into a new DuckDB file, and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        for table, columns in TABLES.items():
            con.execute(f"create table {table} ({columns})")
            rows = ROWS[table]()
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into {table} values ({marks})", rows)
        for table, columns in EMPTY_TABLES.items():
            con.execute(f"create table {table} ({columns})")
        con.execute(PRESENTATION)
    return path


#: The presentation marts (dbt_project/models/marts/presentation) of the handmade rows: the
#: roadmap's totals on recommendations, each project's latest result ranked as dbt ranks it, the
#: portfolio's figures and the checks failing unwaived in both projects. Written out here because a
#: handmade snapshot has no dbt run behind it; tests/e2e/test_one_read_model.py checks the real
#: marts against every surface.
PRESENTATION = """
alter table recommendations add column roadmap_actions bigint;
alter table recommendations add column roadmap_effort_days double;
alter table recommendations add column roadmap_cost double;
alter table recommendations add column roadmap_duration_days double;
update recommendations as r set
    roadmap_actions = (select count(*) from roadmap as m
        where m.run_id = r.run_id and m.project_id = r.project_id),
    roadmap_effort_days = (select coalesce(sum(effort_days), 0) from roadmap as m
        where m.run_id = r.run_id and m.project_id = r.project_id),
    roadmap_cost = (select coalesce(sum(cost), 0) from roadmap as m
        where m.run_id = r.run_id and m.project_id = r.project_id),
    roadmap_duration_days = (select coalesce(max(end_day), 0) from roadmap as m
        where m.run_id = r.run_id and m.project_id = r.project_id);
create table project_latest as
with gaps as (
    select run_id, project_id,
        max(score) filter (where gap = 'data_quality') as data_quality,
        max(score) filter (where gap = 'integration') as integration,
        max(score) filter (where gap = 'stakeholder_alignment') as stakeholder_alignment,
        max(score) filter (where gap = 'evaluation') as evaluation,
        max(score) filter (where gap = 'scale') as scale,
        max(score) filter (where gap = 'maintenance') as maintenance,
        sum(case when status = 'ready' then 0 else 1 end) as gaps_not_ready
    from gap_scores group by all
),
joined as (
    select runs.portfolio_id, r.project_id, r.project_name, r.business_unit, r.owner, r.run_id,
        r.run_started_at, r.as_of, r.rubric_version, r.project_status, r.project_error,
        r.recommendation, r.verdict, r.confidence, r.reason,
        case when r.blocking_gaps = '' then [] else string_split(r.blocking_gaps, ',') end
            as blocking_gaps,
        case when r.blocking_checks = '' then [] else string_split(r.blocking_checks, ',') end
            as blocking_checks,
        r.weakest_gap, r.weakest_score, w.status as weakest_status,
        g.data_quality, g.integration, g.stakeholder_alignment, g.evaluation, g.scale,
        g.maintenance, g.gaps_not_ready, r.roadmap_actions, r.roadmap_effort_days,
        r.roadmap_cost, r.roadmap_duration_days, runs.day_rate_currency as roadmap_currency,
        r.claims_contradicted, r.waivers_relied_on, r.stage, r.next_stage, r.stage_text,
        r.unnamed_owner_roles, null::double as ready_threshold,
        (select max(newest_record_at) from evidence_inputs as e
            where e.run_id = r.run_id and e.project_id = r.project_id) as newest_evidence
    from recommendations as r
    join runs using (run_id)
    left join gaps as g using (run_id, project_id)
    left join gap_scores as w
        on w.run_id = r.run_id and w.project_id = r.project_id and w.gap = r.weakest_gap
    where r.is_latest
)
select *,
    row_number() over (order by recommendation = 'go' desc, weakest_score desc,
        confidence desc, project_name, project_id) as display_order,
    case when recommendation <> 'go' then row_number() over (
        partition by recommendation = 'go' order by gaps_not_ready, roadmap_duration_days,
        roadmap_effort_days, project_name, project_id) end as closest_to_go_rank
from joined;
create table portfolio_latest as
select portfolio_id, count(*) as projects,
    sum(case when recommendation = 'go' then 1 else 0 end) as projects_go,
    sum(case when recommendation = 'go' then 0 else 1 end) as projects_not_yet,
    sum(case when project_status = 'ok' then 0 else 1 end) as projects_failed,
    sum(roadmap_actions) as roadmap_actions, sum(roadmap_effort_days) as roadmap_effort_days,
    sum(roadmap_cost) as roadmap_cost, max(roadmap_duration_days) as roadmap_duration_days,
    sum(claims_contradicted) as claims_contradicted,
    list(distinct run_id order by run_id) as run_ids,
    list(distinct rubric_version order by rubric_version) as rubric_versions,
    max(newest_evidence) as newest_evidence,
    min(case when closest_to_go_rank = 1 then project_id end) as closest_to_go,
    min(case when closest_to_go_rank = 1 then project_name end) as closest_to_go_name
from project_latest group by portfolio_id;
create table recurring_blockers as
select l.portfolio_id, c.check_id, any_value(c.title) as title, any_value(c.gap) as gap,
    any_value(c.severity) as severity,
    min(case c.severity when 'critical' then 1 when 'major' then 2 else 3 end) as severity_rank,
    count(*) as projects, list(c.project_id order by l.display_order) as project_ids,
    list(l.project_name order by l.display_order) as project_names,
    row_number() over (partition by l.portfolio_id order by count(*) desc,
        min(case c.severity when 'critical' then 1 when 'major' then 2 else 3 end), c.check_id)
        as blocker_order
from check_results as c
join project_latest as l using (run_id, project_id)
where c.result = 'fail' and not c.waived
group by l.portfolio_id, c.check_id
having count(*) > 1;
"""
