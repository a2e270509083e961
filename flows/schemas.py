"""Pandera models of every raw table: the boundary between the Python side and dbt.

Each model is one raw table in DuckDB (``raw_<name>``, see :data:`RAW_TABLES`). Evidence readers
return frames that are validated here (``strict``, ``coerce``, ``lazy``) before the warehouse
writes them; dbt's staging models read exactly these columns. Every table carries ``run_id`` and
``project_id`` so that runs never overwrite each other.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from flows.pandera_pandas import pandas_only
from flows.pandera_text import TextModel

pandas_only()  # schemas built without importing Dask's dataframe (flows/pandera_pandas.py)

UtcTimestamp = Annotated[pd.DatetimeTZDtype, "ns", "UTC"]
EVIDENCE_KINDS = (
    "dataset",
    "inventory",
    "survey",
    "question_bank",
    "load_test",
    "costs",
    "llm_usage",
    "evaluation",
    "eval_results",
    "kpi_data",
    "alert_rules",
    "alertmanager",
    "on_call",
    "incidents",
    "runbook",
    "retraining",
    "waivers",
)


class _Raw(TextModel):
    run_id: Series[str]
    project_id: Series[str]

    class Config:
        strict = True
        coerce = True


class Runs(TextModel):
    """One row per flow run (written at start, updated at the end)."""

    run_id: Series[str] = pa.Field(unique=True)
    portfolio_id: Series[str]
    started_at: Series[UtcTimestamp]
    finished_at: Series[UtcTimestamp] = pa.Field(nullable=True)
    as_of: Series[UtcTimestamp]
    status: Series[str] = pa.Field(isin=["running", "succeeded", "partial", "failed"])
    rubric_version: Series[str]
    rubric_fingerprint: Series[str]
    code_version: Series[str]
    min_confidence: Series[float] = pa.Field(ge=0, le=1)
    ready_threshold: Series[float] = pa.Field(ge=0, le=100)
    at_risk_threshold: Series[float] = pa.Field(ge=0, le=100)
    day_rate: Series[float] = pa.Field(ge=0)
    message: Series[str] = pa.Field(nullable=True)
    # The rubric's evidence rules (null in runs recorded before them: dbt judges those without).
    min_gap_evidence: Series[float] | None = pa.Field(nullable=True, ge=0, le=1)
    major_fail_caps_gap: Series[pd.BooleanDtype] | None = pa.Field(nullable=True)
    claim_penalty: Series[float] | None = pa.Field(nullable=True, ge=0, le=1)
    refused_critical: Series[str] | None = pa.Field(nullable=True, isin=["no_evidence", "fail"])
    min_group_respondents: Series[pd.Int64Dtype] | None = pa.Field(nullable=True, ge=1)
    # The day rate's currency (null in runs recorded before it).
    day_rate_currency: Series[str] | None = pa.Field(nullable=True)
    # What the run ran on (flows/provenance.py) and where its inputs were (readiness reproduce);
    # null in runs recorded before them.
    lock_fingerprint: Series[str] | None = pa.Field(nullable=True)
    package_versions: Series[str] | None = pa.Field(nullable=True)
    portfolio_path: Series[str] | None = pa.Field(nullable=True)
    archive: Series[str] | None = pa.Field(nullable=True)
    # The rubric's waiver rules (null in runs recorded before them).
    waive_critical: Series[pd.BooleanDtype] | None = pa.Field(nullable=True)
    waiver_notice_days: Series[pd.Int64Dtype] | None = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = True


class RubricChecks(TextModel):
    """The rubric's checks as used by one run (so every result can be reproduced)."""

    run_id: Series[str]
    check_id: Series[str]
    gap: Series[str]
    title: Series[str]
    severity: Series[str] = pa.Field(isin=["critical", "major", "minor"])
    weight: Series[float] = pa.Field(gt=0)
    direction: Series[str] = pa.Field(isin=["higher_is_better", "lower_is_better"])
    pass_threshold: Series[float]
    partial_threshold: Series[float]
    unit: Series[str]
    remediation: Series[str]
    effort_days: Series[float] = pa.Field(ge=0)
    owner_role: Series[str]

    class Config:
        strict = True
        coerce = True


class ProjectRuns(_Raw):
    """One row per project per run: who it is, what it requires, and whether its ingest worked."""

    project_name: Series[str]
    business_unit: Series[str]
    owner: Series[str]
    status: Series[str] = pa.Field(isin=["ok", "failed"])
    error: Series[str] = pa.Field(nullable=True)
    config_fingerprint: Series[str]
    p95_latency_slo_ms: Series[float] = pa.Field(nullable=True, gt=0)
    max_error_rate: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    target_concurrency: Series[float] = pa.Field(nullable=True, gt=0)
    model_version: Series[str] | None = pa.Field(nullable=True)  # the model under assessment


class ProjectRequirements(_Raw):
    """What a project requires: a system role to be mapped, or a stakeholder group to respond."""

    kind: Series[str] = pa.Field(isin=["system_role", "stakeholder_group"])
    name: Series[str]


class EvidenceInputs(_Raw):
    """Every input file or source read for a project, with its fingerprint and outcome."""

    evidence_kind: Series[str] = pa.Field(isin=list(EVIDENCE_KINDS))
    name: Series[str]
    source: Series[str]
    fingerprint: Series[str] = pa.Field(nullable=True)
    rows_read: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    rows_rejected: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    status: Series[str] = pa.Field(isin=["ok", "unreadable"])
    error: Series[str] = pa.Field(nullable=True)
    newest_record_at: Series[UtcTimestamp] = pa.Field(nullable=True)


class RejectedRows(_Raw):
    """Input rows that were refused, with where they were and why: nothing disappears silently."""

    evidence_kind: Series[str] = pa.Field(isin=list(EVIDENCE_KINDS))
    source: Series[str]
    row_number: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    column_name: Series[str] = pa.Field(nullable=True)
    value: Series[str] = pa.Field(nullable=True)
    reason: Series[str]


class DatasetProfiles(_Raw):
    """Per dataset measurements of one audit."""

    dataset: Series[str]
    source: Series[str]
    readable: Series[bool]
    error: Series[str] = pa.Field(nullable=True)
    row_count: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    key_columns: Series[str] = pa.Field(nullable=True)
    duplicate_key_rows: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    timestamp_column: Series[str] = pa.Field(nullable=True)
    newest_timestamp: Series[UtcTimestamp] = pa.Field(nullable=True)
    age_seconds: Series[float] = pa.Field(nullable=True)
    max_age_seconds: Series[float] = pa.Field(nullable=True, gt=0)
    stale_rows: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fields_required: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fields_missing: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    examples: Series[str] = pa.Field(nullable=True)


class FieldProfiles(_Raw):
    """Per field measurements of one audit (counts over the dataset's rows)."""

    dataset: Series[str]
    field: Series[str]
    declared_type: Series[str]
    required: Series[bool]
    present: Series[bool]
    found_as: Series[str] = pa.Field(nullable=True)
    observed_type: Series[str] = pa.Field(nullable=True)
    row_count: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    null_count: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    empty_count: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    distinct_count: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    distinct_is_exact: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    distinct_at_least: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    type_failures: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    not_allowed: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    out_of_range: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    pattern_failures: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    min_value: Series[str] = pa.Field(nullable=True)
    max_value: Series[str] = pa.Field(nullable=True)
    top_values: Series[str] = pa.Field(nullable=True)
    examples: Series[str] = pa.Field(nullable=True)
    #: Treated as personal (counts only, examples masked), and why: "declared",
    #: "detected: email (values)", "detected: name (column name)"; "declared not personal".
    personal: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    personal_reason: Series[str] = pa.Field(nullable=True)


class DatasetRules(_Raw):
    """Cross-field rules and relationships between datasets, with their violations."""

    dataset: Series[str]
    rule: Series[str]
    kind: Series[str] = pa.Field(isin=["rule", "relationship"])
    rows_checked: Series[pd.Int64Dtype] = pa.Field(ge=0)
    violations: Series[pd.Int64Dtype] = pa.Field(ge=0)
    examples: Series[str] = pa.Field(nullable=True)


class PocDrift(_Raw):
    """Production against the POC sample, per field."""

    dataset: Series[str]
    field: Series[str]
    poc_null_rate: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    prod_null_rate: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    unseen_categories: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    unseen_examples: Series[str] = pa.Field(nullable=True)
    psi: Series[float] = pa.Field(nullable=True, ge=0)


class InventorySystems(_Raw):
    """The systems a project must live inside, and what each has solved."""

    system: Series[str]
    role: Series[str]
    status: Series[str] = pa.Field(isin=["not_started", "in_progress", "tested", "in_production"])
    authentication: Series[bool]
    rate_limit_rps: Series[float] = pa.Field(nullable=True, ge=0)
    error_handling: Series[bool]
    observability: Series[bool]
    rollback: Series[bool]
    versioning: Series[bool]
    integration_tests: Series[bool]
    owner: Series[str] = pa.Field(nullable=True)
    source: Series[str]
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)


class SurveyQuestions(_Raw):
    """The question bank as used by one run."""

    question_id: Series[str]
    question_text: Series[str]
    gap: Series[str]
    stakeholder_group: Series[str] = pa.Field(nullable=True)
    weight: Series[float] = pa.Field(gt=0)
    kind: Series[str] = pa.Field(isin=["likert", "blocker"])
    reverse: Series[bool]
    topic: Series[str] = pa.Field(nullable=True)


class SurveyAnswers(_Raw):
    """One answer per respondent and question; respondents are pseudonymised (keyed HMAC).

    ``comment`` is free text stored redacted (a blocker's reason); ``score`` is the answer's
    position from 0 to 1 on a scale the question declares (null on a plain Likert scale).
    """

    respondent: Series[str]
    stakeholder_group: Series[str]
    question_id: Series[str]
    answer_value: Series[float]
    scale_points: Series[pd.Int64Dtype] = pa.Field(ge=2)
    comment: Series[str] = pa.Field(nullable=True)
    source: Series[str]
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    score: Series[float] = pa.Field(nullable=True, ge=0, le=1)


class SurveyRefused(_Raw):
    """An answer to a bank question that was refused, and why (never the answer itself)."""

    question_id: Series[str]
    stakeholder_group: Series[str] = pa.Field(nullable=True)
    source: Series[str]
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    column_name: Series[str] = pa.Field(nullable=True)
    reason: Series[str]


class LoadTestStats(_Raw):
    """Locust statistics per endpoint (``is_aggregate`` marks Locust's ``Aggregated`` row)."""

    source: Series[str]
    users: Series[pd.Int64Dtype] = pa.Field(gt=0)
    request_type: Series[str] = pa.Field(nullable=True)
    endpoint: Series[str]
    is_aggregate: Series[bool]
    request_count: Series[pd.Int64Dtype] = pa.Field(ge=0)
    failure_count: Series[pd.Int64Dtype] = pa.Field(ge=0)
    median_ms: Series[float] = pa.Field(nullable=True, ge=0)
    average_ms: Series[float] = pa.Field(nullable=True, ge=0)
    p95_ms: Series[float] = pa.Field(nullable=True, ge=0)
    p99_ms: Series[float] = pa.Field(nullable=True, ge=0)
    requests_per_s: Series[float] = pa.Field(nullable=True, ge=0)
    #: The tool that wrote the results: locust, k6 or jmeter.
    tool: Series[str] = pa.Field(isin=["locust", "k6", "jmeter"])


class LoadTestHistory(_Raw):
    """Locust's ``*_stats_history.csv``: one row per sample (and endpoint with full history).

    With ``--csv-full-history`` the percentiles are Locust's "current" ones (a rolling window of the
    last 10 seconds), so the p95 at a point in time is the latency at the user count of that moment;
    without it they are cumulative since the start.
    """

    source: Series[str]
    users: Series[pd.Int64Dtype] = pa.Field(gt=0)
    sampled_at: Series[UtcTimestamp]
    user_count: Series[pd.Int64Dtype] = pa.Field(ge=0)
    request_type: Series[str] = pa.Field(nullable=True)
    endpoint: Series[str]
    is_aggregate: Series[bool]
    requests_per_s: Series[float] = pa.Field(nullable=True, ge=0)
    failures_per_s: Series[float] = pa.Field(nullable=True, ge=0)
    p50_ms: Series[float] = pa.Field(nullable=True, ge=0)
    p95_ms: Series[float] = pa.Field(nullable=True, ge=0)
    p99_ms: Series[float] = pa.Field(nullable=True, ge=0)
    total_request_count: Series[pd.Int64Dtype] = pa.Field(ge=0)
    total_failure_count: Series[pd.Int64Dtype] = pa.Field(ge=0)
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)


class CostAssumptions(_Raw):
    """Unit economics inputs (see :class:`flows.config.CostAssumptions`)."""

    currency: Series[str]
    requests_per_month_poc: Series[float] = pa.Field(ge=0)
    requests_per_month_target: Series[float] = pa.Field(gt=0)
    peak_to_average: Series[float] = pa.Field(ge=1)
    tokens_in_per_request: Series[float] = pa.Field(ge=0)
    tokens_out_per_request: Series[float] = pa.Field(ge=0)
    price_per_1k_tokens_in: Series[float] = pa.Field(ge=0)
    price_per_1k_tokens_out: Series[float] = pa.Field(ge=0)
    compute_seconds_per_request: Series[float] = pa.Field(ge=0)
    price_per_compute_second: Series[float] = pa.Field(ge=0)
    fixed_monthly_cost: Series[float] = pa.Field(ge=0)
    monthly_budget: Series[float] = pa.Field(gt=0)
    maintenance_budget_monthly: Series[float] = pa.Field(ge=0)
    users_target: Series[float] = pa.Field(nullable=True, gt=0)
    outcomes_per_request: Series[float] = pa.Field(ge=0)
    value_per_outcome: Series[float] = pa.Field(ge=0)


class LlmUsage(_Raw):
    """Tokens per LLM request measured from call logs or a usage export.

    One row per file, and one ``is_aggregate`` row over all of the project's files. Only counts:
    never a prompt.
    """

    source: Series[str]
    format: Series[str] = pa.Field(isin=["call_log", "openai_usage_csv", "all"])
    is_aggregate: Series[bool]
    #: The models the requests went to (distinct, comma-separated).
    models: Series[str] = pa.Field(nullable=True)
    requests: Series[pd.Int64Dtype] = pa.Field(gt=0)
    tokens_in_total: Series[pd.Int64Dtype] = pa.Field(ge=0)
    tokens_out_total: Series[pd.Int64Dtype] = pa.Field(ge=0)
    tokens_in_mean: Series[float] = pa.Field(ge=0)
    tokens_out_mean: Series[float] = pa.Field(ge=0)
    #: The 95th percentile per request; none from a usage export (it holds sums, not requests).
    tokens_in_p95: Series[float] = pa.Field(nullable=True, ge=0)
    tokens_out_p95: Series[float] = pa.Field(nullable=True, ge=0)
    #: Requests the percentiles were taken over (the call logs' requests).
    requests_with_percentiles: Series[pd.Int64Dtype] = pa.Field(ge=0)


class EvaluationKpis(_Raw):
    """Business KPIs with their baseline, target and instrumentation."""

    kpi: Series[str]
    baseline: Series[float] = pa.Field(nullable=True)
    target: Series[float] = pa.Field(nullable=True)
    instrumented: Series[bool]
    kpi_source: Series[str] = pa.Field(nullable=True)


class EvaluationPlans(_Raw):
    """The evaluation suite and its owner, one row per project."""

    owner: Series[str] = pa.Field(nullable=True)
    automated_grading: Series[bool]
    failure_taxonomy: Series[bool]
    regression_set_size: Series[pd.Int64Dtype] = pa.Field(ge=0)


class EvalRuns(_Raw):
    """One evaluation run of a results file or store: when it ran, on which model, by which tool."""

    source: Series[str]
    tool: Series[str] = pa.Field(isin=["promptfoo", "inspect", "mlflow", "graded_examples"])
    tool_version: Series[str] = pa.Field(nullable=True)
    eval_run: Series[str]
    started_at: Series[UtcTimestamp] = pa.Field(nullable=True)
    model: Series[str] = pa.Field(nullable=True)
    examples: Series[pd.Int64Dtype] = pa.Field(ge=0)


class EvalMetrics(_Raw):
    """A metric of an evaluation run: the share of its examples that passed, or the value logged."""

    source: Series[str]
    eval_run: Series[str]
    metric: Series[str]
    pass_rate: Series[float]
    examples: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    passed: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)


class EvalExamples(_Raw):
    """One graded example (one grade of it: an example graded by a tool and by a person is two rows).

    Inputs and outputs are kept only for failed examples, truncated and with personal values
    redacted.
    """

    source: Series[str]
    eval_run: Series[str]
    example_id: Series[str]
    metric: Series[str]
    passed: Series[bool]
    score: Series[float] = pa.Field(nullable=True)
    grader_kind: Series[str] = pa.Field(isin=["automated", "human"])
    grader: Series[str] = pa.Field(nullable=True)
    failure_category: Series[str] = pa.Field(nullable=True)
    input_excerpt: Series[str] = pa.Field(nullable=True)
    output_excerpt: Series[str] = pa.Field(nullable=True)


class EvalQualityBars(_Raw):
    """The project's declared quality bar: the lowest pass rate of each evaluation metric."""

    metric: Series[str]
    quality_bar: Series[float] = pa.Field(ge=0, le=1)


class KpiPoints(_Raw):
    """One measured point of a business KPI, with the export's cadence and the launch date."""

    source: Series[str]
    kpi: Series[str]
    measured_on: Series[UtcTimestamp]
    value: Series[float]
    cadence_days: Series[pd.Int64Dtype] = pa.Field(gt=0)
    launch_date: Series[UtcTimestamp] = pa.Field(nullable=True)


class AlertRules(_Raw):
    """Each alerting rule that covers a service of the project: its signals and where it routes."""

    service: Series[str]
    source: Series[str]
    group_name: Series[str]
    alert: Series[str]
    line_number: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    signals: Series[str] = pa.Field(nullable=True)
    receivers: Series[str] = pa.Field(nullable=True)
    delivers: Series[bool]


class AlertCoverage(_Raw):
    """Per service and signal: the alerts that cover it, and those routed to a delivering receiver."""

    service: Series[str]
    signal: Series[str]
    alerts: Series[int] = pa.Field(ge=0)
    delivering_alerts: Series[int] = pa.Field(ge=0)


class OnCallDays(_Raw):
    """Each day of the four weeks from as-of: hours with somebody on call, and the gap."""

    day: Series[int] = pa.Field(ge=1, le=28)
    day_start: Series[UtcTimestamp]
    covered_hours: Series[float] = pa.Field(ge=0, le=24)
    gap_hours: Series[float] = pa.Field(ge=0, le=24)


class OnCallPeople(_Raw):
    """The people on call in the four weeks, as keyed pseudonyms, with their hours."""

    handle: Series[str]
    hours: Series[float] = pa.Field(ge=0)


class IncidentSummary(_Raw):
    """Per incident export: incidents of the last 90 days, minutes to acknowledge and resolve."""

    source: Series[str]
    incidents: Series[int] = pa.Field(ge=0)
    acknowledged: Series[int] = pa.Field(ge=0)
    resolved: Series[int] = pa.Field(ge=0)
    ack_median_minutes: Series[float] = pa.Field(nullable=True, ge=0)
    ack_p90_minutes: Series[float] = pa.Field(nullable=True, ge=0)
    resolve_median_minutes: Series[float] = pa.Field(nullable=True, ge=0)
    resolve_p90_minutes: Series[float] = pa.Field(nullable=True, ge=0)


class Runbooks(_Raw):
    """Each runbook the project lists: usable (a file not empty, a well-formed URL) or why not."""

    runbook: Series[str]
    is_url: Series[bool]
    usable: Series[bool]
    problem: Series[str] = pa.Field(nullable=True)


class RetrainingSchedules(_Raw):
    """Each retraining file read: the schedules found in it for the model."""

    source: Series[str]
    format: Series[str] = pa.Field(isin=["prefect", "cron", "airflow"])
    model: Series[str]
    schedules: Series[str] = pa.Field(nullable=True)
    found: Series[bool]


class Waivers(_Raw):
    """The waivers a run read (flows/waivers.py): who accepted which failing check, why, until when."""

    check_id: Series[str]
    reason: Series[str]
    approver: Series[str]
    given_on: Series[pa.DateTime]
    expires_on: Series[pa.DateTime]
    source: Series[str]
    line: Series[pd.Int64Dtype] = pa.Field(nullable=True)


class RubricStages(TextModel):
    """The rubric's launch stages as used by one run: one row per stage and requirement."""

    run_id: Series[str]
    stage_id: Series[str]
    stage_order: Series[pd.Int64Dtype] = pa.Field(ge=1)
    stage_title: Series[str]
    requirement_kind: Series[str] = pa.Field(isin=["gap", "check"])
    requirement: Series[str]

    class Config:
        strict = True
        coerce = True


class ProjectOwners(_Raw):
    """Who owns each role's actions in a project (its ``owners:``): a name or a team handle."""

    role: Series[str]
    owner: Series[str]


class ProjectDates(_Raw):
    """A project's target launch and steering-committee dates, and the run's holidays."""

    kind: Series[str] = pa.Field(isin=["target_launch", "steering", "holiday"])
    day: Series[pa.DateTime]


#: Raw table name -> Pandera model. The warehouse creates these tables; dbt declares them as sources.
RAW_TABLES: dict[str, type[pa.DataFrameModel]] = {
    "raw_runs": Runs,
    "raw_rubric_checks": RubricChecks,
    "raw_project_runs": ProjectRuns,
    "raw_project_requirements": ProjectRequirements,
    "raw_evidence_inputs": EvidenceInputs,
    "raw_rejected_rows": RejectedRows,
    "raw_dataset_profiles": DatasetProfiles,
    "raw_field_profiles": FieldProfiles,
    "raw_dataset_rules": DatasetRules,
    "raw_poc_drift": PocDrift,
    "raw_inventory_systems": InventorySystems,
    "raw_survey_questions": SurveyQuestions,
    "raw_survey_answers": SurveyAnswers,
    "raw_survey_refused": SurveyRefused,
    "raw_load_test_stats": LoadTestStats,
    "raw_load_test_history": LoadTestHistory,
    "raw_cost_assumptions": CostAssumptions,
    "raw_llm_usage": LlmUsage,
    "raw_evaluation_kpis": EvaluationKpis,
    "raw_evaluation_plans": EvaluationPlans,
    "raw_eval_runs": EvalRuns,
    "raw_eval_metrics": EvalMetrics,
    "raw_eval_examples": EvalExamples,
    "raw_eval_quality_bars": EvalQualityBars,
    "raw_kpi_points": KpiPoints,
    "raw_alert_rules": AlertRules,
    "raw_alert_coverage": AlertCoverage,
    "raw_on_call_days": OnCallDays,
    "raw_on_call_people": OnCallPeople,
    "raw_incident_summary": IncidentSummary,
    "raw_runbooks": Runbooks,
    "raw_retraining_schedules": RetrainingSchedules,
    "raw_waivers": Waivers,
    "raw_rubric_stages": RubricStages,
    "raw_project_owners": ProjectOwners,
    "raw_project_dates": ProjectDates,
}


def empty_frame(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An empty frame with the model's columns and dtypes (to create tables and to concatenate)."""
    schema = model.to_schema()
    return pd.DataFrame(
        {name: pd.Series(dtype=column.dtype.type) for name, column in schema.columns.items()}
    )


@cache
def _validated_empty(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """The model's empty frame as Pandera validates it (its columns, in order, and dtypes)."""
    return model.validate(empty_frame(model), lazy=True)


def validate(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a frame lazily (every problem at once); an empty frame gets the model's dtypes."""
    if len(frame) == 0:
        # No row to check (a column the model lacks is dropped): the same frame every time.
        return _validated_empty(model).copy()
    if frame.empty:
        frame = pd.concat([empty_frame(model), frame], ignore_index=True)[
            list(model.to_schema().columns)
        ]
    return model.validate(frame, lazy=True)
