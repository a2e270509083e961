"""Every query the dashboard runs, against the published read-only snapshot and nothing else.

Each call opens the snapshots of the session's portfolios read-only (readmodel.snapshots: one file
per portfolio; a session never opens another portfolio's file), runs one query with bound
parameters (``?``) and closes them, so the flow can replace a file atomically under a running
dashboard. Results are cached for a minute and keyed by the files' modification times, so a newly
published snapshot is read at once. SQL text is constant: values only ever travel as parameters.

"Latest" is the ``project_latest`` mart's: dbt decides which run is a project's latest, its
roadmap totals and its place in the ranking; the named queries of ``readmodel.queries`` read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb
import pandas as pd
import streamlit as st

from core.settings import get_settings
from dashboard import access
from readmodel import drilldowns as dq
from readmodel import queries as rq
from readmodel import snapshots

CACHE_SECONDS = 60
Row = TypeVar("Row")


class SnapshotError(RuntimeError):
    """The published snapshot exists but cannot be read (being replaced, or incomplete)."""


class MissingMartError(SnapshotError):
    """A snapshot published by an older version lacks a mart the query reads."""


def snapshot_path() -> Path:
    """Where the published snapshots are (a folder, or one snapshot file)."""
    return get_settings().snapshot


def _readable() -> snapshots.Readable:
    """The snapshot files this session may open (its portfolios' only)."""
    return snapshots.readable(snapshot_path(), access.scope())


def has_snapshot() -> bool:
    """Whether an assessment of a portfolio this session may see has been published."""
    try:
        _readable()
    except snapshots.NoSnapshotError:
        return False
    return True


def _files() -> tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...] | None]:
    """The session's files, their modification times (they key the caches) and row filter."""
    what = _readable()
    return (
        tuple(str(p) for p in what.files),
        tuple(p.stat().st_mtime_ns for p in what.files),
        what.only,
    )


def _open(files: tuple[str, ...], only: tuple[str, ...] | None) -> Any:
    return snapshots.open_readable(snapshots.Readable(tuple(Path(f) for f in files), only))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _query(
    files: tuple[str, ...],
    modified_ns: tuple[int, ...],
    only: tuple[str, ...] | None,
    sql: str,
    params: tuple[Any, ...],
) -> pd.DataFrame:
    # modified_ns only keys the cache: a newly published snapshot is a new file with a new mtime.
    with _open(files, only) as con:
        # Tuples are hashable for the cache; DuckDB binds lists to ``varchar[]``.
        values = [list(p) if isinstance(p, tuple) else p for p in params]
        return con.execute(sql, values).df()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _rows(
    files: tuple[str, ...],
    modified_ns: tuple[int, ...],
    only: tuple[str, ...] | None,
    sql: str,
    params: tuple[Any, ...],
    _cls: type[Any],  # not hashed: each named query selects its own row type
) -> list[Any]:
    with _open(files, only) as con:
        return rq.typed_rows(con, sql, list(params), _cls)


def rows(cls: type[Row], sql: str, *params: Any) -> list[Row]:
    """A named query of readmodel as typed rows; a failure becomes a :class:`SnapshotError`."""
    try:
        return cast(list[Row], _rows(*_files(), sql, params, cls))
    except duckdb.CatalogException as err:
        raise MissingMartError(str(err)) from err
    except (OSError, duckdb.Error) as err:
        raise SnapshotError(str(err)) from err


def query(sql: str, *params: Any) -> pd.DataFrame:
    """Run one read-only query on the snapshots; a failure becomes a :class:`SnapshotError`."""
    try:
        return _query(*_files(), sql, params)
    except (OSError, duckdb.Error) as err:  # NoSnapshotError is an OSError
        raise SnapshotError(str(err)) from err


def query_files(what: snapshots.Readable, sql: str, *params: Any) -> pd.DataFrame:
    """Run one read-only query on the given snapshot files; a failure becomes a SnapshotError.

    For a page that names its own scope, such as the page across portfolios.
    """
    files = tuple(str(p) for p in what.files)
    try:
        modified = tuple(p.stat().st_mtime_ns for p in what.files)
        return _query(files, modified, what.only, sql, params)
    except duckdb.CatalogException as err:
        raise MissingMartError(str(err)) from err
    except (OSError, duckdb.Error) as err:
        raise SnapshotError(str(err)) from err


def scoped(sql: str, *params: Any) -> pd.DataFrame:
    """A query whose first two parameters are the session's portfolios (see ``_IN_SCOPE``)."""
    portfolios = access.scope()
    return query(sql, portfolios, portfolios, *params)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as plain dicts."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def first(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The first row of a frame as a dict, or None when it is empty."""
    rows = records(frame.head(1))
    return rows[0] if rows else None


#: Runs of the portfolios this session may see (two bound parameters, see :func:`scoped`).
_IN_SCOPE = """(
    ?::varchar[] is null
    or run_id in (select run_id from runs where list_contains(?::varchar[], portfolio_id))
)"""

#: Each project's latest result is project_latest's (dbt decides which run is the latest).
_LATEST = (
    """
with latest as (
    select r.*
    from recommendations as r
    inner join project_latest as l on r.run_id = l.run_id and r.project_id = l.project_id
    where """
    + _IN_SCOPE.replace("run_id", "r.run_id")
    + """
)
"""
)


def latest_projects() -> pd.DataFrame:
    """Each project's latest result with its six gap scores as columns, in the portfolio's ranking.

    Every figure is project_latest's (readmodel.queries.LATEST_PROJECTS names its columns): the
    roadmap totals, the weakest gap and its status, the ranking and closest-to-go order.
    """
    return query(rq.LATEST_PROJECTS_IN_SCOPE, *(access.scope(),) * 2)


def latest_runs() -> pd.DataFrame:
    """The runs the latest recommendations come from, newest first (usually exactly one)."""
    return scoped(
        _LATEST
        + """
        select
            l.run_id,
            max(l.run_started_at) as started_at,
            max(l.as_of) as as_of,
            string_agg(distinct l.rubric_version, ', ') as rubric_version,
            count(*) as projects,
            any_value(r.status) as status
        from latest as l
        left join runs as r on r.run_id = l.run_id
        group by l.run_id
        order by started_at desc, l.run_id desc
        """
    )


def latest_gap_scores(project_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Gap scores and statuses of every project's latest run (of the given projects only)."""
    return scoped(
        _LATEST
        + """
        select l.project_id, l.project_name, g.gap, g.gap_order, g.score, g.status
        from latest as l
        join gap_scores as g on g.run_id = l.run_id and g.project_id = l.project_id
        where ?::varchar[] is null or list_contains(?::varchar[], l.project_id)
        order by l.project_name, g.gap_order
        """,
        project_ids,
        project_ids,
    )


def recurring_blockers(project_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The recurring blockers that fail in any of the given projects, with the portfolio's figures.

    recurring_blockers: a check failing, not waived, in two or more projects of a portfolio.
    """
    return query(
        """
        select check_id, title, gap, severity, projects, project_names
        from recurring_blockers
        where (?::varchar[] is null or list_contains(?::varchar[], portfolio_id))
            and (?::varchar[] is null or list_has_any(project_ids, ?::varchar[]))
        order by portfolio_id, blocker_order
        """,
        *(access.scope(),) * 2,
        project_ids,
        project_ids,
    )


def project_recommendation(project_id: str) -> pd.DataFrame:
    """One project's latest recommendation (one row, or none)."""
    return scoped(_LATEST + "select * from latest where project_id = ?", project_id)


def run(run_id: str) -> pd.DataFrame:
    """One run as the runs mart records it (every column, so newer columns are used if there)."""
    return query("select * from runs where run_id = ?", run_id)


def gap_scores(run_id: str, project_id: str) -> pd.DataFrame:
    """The gap scores of one project in one run, in rubric order."""
    return query(
        "select * from gap_scores where run_id = ? and project_id = ? order by gap_order, gap",
        run_id,
        project_id,
    )


def check_results(run_id: str, project_id: str, gap: str | None = None) -> pd.DataFrame:
    """Check results of one project in one run (of one gap when given), worst first."""
    return query(
        """
        select *
        from check_results
        where run_id = ? and project_id = ? and (?::varchar is null or gap = ?)
        order by
            case result when 'fail' then 0 when 'partial' then 1 when 'no_evidence' then 2
                else 3 end,
            case severity when 'critical' then 0 when 'major' then 1 else 2 end,
            weight desc,
            check_id
        """,
        run_id,
        project_id,
        gap,
        gap,
    )


def top_blockers(run_id: str, project_id: str, limit: int = 5) -> pd.DataFrame:
    """Failing critical and major checks of one project in one run, critical first.

    ``reasons`` is what the respondents wrote beside a blocker (sa_legal_blockers' evidence:
    "Legal: the data protection impact assessment is not done").
    """
    return query(
        """
        select check_id, gap, title, severity, result, remediation, owner_role, effort_days,
               json_extract_string(evidence, '$.detail.blockers') as reasons, owner
        from check_results
        where run_id = ? and project_id = ? and result = 'fail'
            and severity in ('critical', 'major') and not waived
        order by case severity when 'critical' then 0 else 1 end, weight desc, check_id
        limit ?
        """,
        run_id,
        project_id,
        limit,
    )


def roadmap(run_id: str, project_id: str) -> pd.DataFrame:
    """The prioritised roadmap of one project in one run."""
    return query(
        "select * from roadmap where run_id = ? and project_id = ? order by priority, start_day",
        run_id,
        project_id,
    )


def roadmap_totals(run_id: str, project_id: str) -> pd.DataFrame:
    """The roadmap's totals of one project in one run, as dbt computed them (one row, or none)."""
    return query(
        """
        select roadmap_actions, roadmap_effort_days, roadmap_cost, roadmap_duration_days
        from recommendations
        where run_id = ? and project_id = ?
        """,
        run_id,
        project_id,
    )


def cost_projection(run_id: str, project_id: str) -> pd.DataFrame:
    """Cost at POC and at target volume of one project in one run (one row, or none)."""
    return query(
        "select * from cost_projections where run_id = ? and project_id = ? limit 1",
        run_id,
        project_id,
    )


def cost_at_target(run_id: str, project_id: str) -> dq.CostProjection | None:
    """The cost at target of one project in one run (readmodel.drilldowns.COST_PROJECTION)."""
    found = rows(dq.CostProjection, dq.COST_PROJECTION, run_id, project_id)
    return found[0] if found else None


def cost_scenarios(run_id: str, project_id: str) -> list[dq.CostScenario]:
    """Every volume and price pair dbt priced (cost_sensitivity), volume then price ascending."""
    return rows(dq.CostScenario, dq.COST_SCENARIOS, run_id, project_id)


def evidence_inputs(run_id: str, project_id: str) -> pd.DataFrame:
    """Every input read for one project in one run, unreadable ones first."""
    return query(
        """
        select evidence_kind, name, source, status, rows_read, rows_rejected, error,
               newest_record_at, fingerprint
        from evidence_inputs
        where run_id = ? and project_id = ?
        order by status = 'ok', evidence_kind, name
        """,
        run_id,
        project_id,
    )


def rejected_rows(run_id: str, project_id: str) -> pd.DataFrame:
    """Rows refused from one project's evidence: file, row, column, value and reason."""
    return query(
        """
        select evidence_kind, source, row_number, column_name, value, reason
        from rejected_rows
        where run_id = ? and project_id = ?
        order by source, row_number, column_name
        """,
        run_id,
        project_id,
    )


def check_items(run_id: str, project_id: str, gap: str) -> pd.DataFrame:
    """Every measured item behind the checks of one gap, judged against the thresholds."""
    return query(
        """
        select check_id, title, severity, item, value, direction, pass_threshold,
               partial_threshold, unit, result, detail
        from check_items
        where run_id = ? and project_id = ? and gap = ?
        order by
            check_id,
            case result when 'fail' then 0 when 'partial' then 1 when 'no_evidence' then 2
                else 3 end,
            item
        """,
        run_id,
        project_id,
        gap,
    )


def data_quality_fields(run_id: str, project_id: str) -> pd.DataFrame:
    """Per dataset and field: measured rates and example values that broke a rule."""
    return query(
        """
        select dataset, field, declared_type, required, present, row_count, null_count,
               empty_count, missing_rate, null_rate, invalid_rate, type_failures, not_allowed, out_of_range,
               pattern_failures, min_value, max_value, examples
        from data_quality_fields
        where run_id = ? and project_id = ?
        order by invalid_rate desc nulls last, null_rate desc nulls last, dataset, field
        """,
        run_id,
        project_id,
    )


def data_quality_rules(run_id: str, project_id: str) -> list[dq.DataQualityRule]:
    """Cross-field rules and relationships per dataset, with example violating rows."""
    return rows(dq.DataQualityRule, dq.DATA_QUALITY_RULES, run_id, project_id)


def integration_systems(run_id: str, project_id: str) -> pd.DataFrame:
    """The system inventory of one project in one run (the systems x capabilities matrix)."""
    return query(
        """
        select system, role, status, authentication, rate_limit_rps, error_handling,
               observability, rollback, versioning, integration_tests, owner
        from integration_systems
        where run_id = ? and project_id = ?
        order by role, system
        """,
        run_id,
        project_id,
    )


def stakeholder_questions(run_id: str, project_id: str) -> pd.DataFrame:
    """Agreement and disagreement per stakeholder group and question."""
    return query(
        """
        select stakeholder_group, question_id, question_text, respondents, agreement,
               disagreement, lowest_agreement, highest_agreement
        from stakeholder_questions
        where run_id = ? and project_id = ?
        order by stakeholder_group, question_id
        """,
        run_id,
        project_id,
    )


def load_test_results(run_id: str, project_id: str) -> pd.DataFrame:
    """Load test latency and errors per file and endpoint, each file's aggregated row first."""
    return query(
        """
        select source, users, request_type, endpoint, coalesce(is_aggregate, false) as is_aggregate,
               request_count, failure_count, error_rate, median_ms, p95_ms, p99_ms,
               requests_per_s, p95_latency_slo_ms, within_slo, error_budget, within_error_budget,
               tool
        from load_test_results
        where run_id = ? and project_id = ?
        order by source, coalesce(is_aggregate, false) desc, endpoint
        """,
        run_id,
        project_id,
    )


def judged_load_tests(run_id: str, project_id: str) -> list[dq.JudgedLoadTest]:
    """The load-test figures the scale checks judged, beside the aggregated row of their file.

    dbt picks them (int_check_items_scale): the latency of the last history window at target
    concurrency, or else the final stats of the test closest to it; the error rate of that test's
    aggregated row.
    """
    return rows(dq.JudgedLoadTest, dq.JUDGED_LOAD_TESTS, run_id, project_id)


def divided_cells(run_id: str, project_id: str, spread: float) -> list[dq.DividedCell]:
    """The stakeholder groups whose answers to a question spread by ``spread`` or more."""
    return rows(dq.DividedCell, dq.DIVIDED_CELLS, run_id, project_id, spread)


def check_items_of(run_id: str, project_id: str, check_id: str) -> list[dq.MeasuredItem]:
    """The items one check measured, with dbt's detail."""
    return rows(dq.MeasuredItem, dq.CHECK_ITEMS_OF, run_id, project_id, check_id)


def cost_model_inputs(run_id: str, project_id: str) -> dq.CostInputs | None:
    """The cost model's inputs of one project in one run (readmodel.drilldowns.COST_INPUTS)."""
    found = rows(dq.CostInputs, dq.COST_INPUTS, run_id, project_id)
    return found[0] if found else None


def score_history(project_id: str | None = None) -> pd.DataFrame:
    """Gap scores of every run (of one project when given), oldest as-of first, with rubric versions.

    A run is placed at the instant it assessed (its as-of), not when it ran: a portfolio's
    earlier weeks (flows/backfill.py) run minutes apart but assess weeks apart.
    """
    return scoped(
        "with r as (select * from recommendations where "
        + _IN_SCOPE
        + """)
        select
            g.run_id, r.run_started_at, r.as_of, g.project_id, r.project_name, r.rubric_version,
            g.gap, g.gap_order, g.score, g.status, r.recommendation
        from gap_scores as g
        join r on r.run_id = g.run_id and r.project_id = g.project_id
        where (?::varchar is null or g.project_id = ?)
        order by r.as_of, r.run_started_at, g.run_id, g.project_id, g.gap_order
        """,
        project_id,
        project_id,
    )


def portfolio_history() -> pd.DataFrame:
    """Per run: projects assessed, go count and the mean score per gap, oldest first."""
    return scoped(
        "with r as (select * from recommendations where "
        + _IN_SCOPE
        + """)
        select
            g.run_id, min(r.run_started_at) as run_started_at, min(r.as_of) as as_of,
            string_agg(distinct r.rubric_version, ', ') as rubric_version,
            g.gap, min(g.gap_order) as gap_order, avg(g.score) as score,
            count(distinct g.project_id) as projects
        from gap_scores as g
        join r on r.run_id = g.run_id and r.project_id = g.project_id
        group by g.run_id, g.gap
        order by as_of, run_started_at, g.run_id, gap_order
        """
    )


def project_runs(project_id: str) -> pd.DataFrame:
    """Every run that assessed one project, newest first, with its verdict and rubric version."""
    return query(
        """
        select run_id, run_started_at, as_of, rubric_version, recommendation, confidence
        from recommendations
        where project_id = ?
        order by as_of desc, run_started_at desc, run_id desc
        """,
        project_id,
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _project_diff(
    files: tuple[str, ...],
    modified_ns: tuple[int, ...],
    only: tuple[str, ...] | None,
    project_id: str,
    run_before: str,
    run_after: str,
) -> Any:
    # The comparison itself lives in readmodel.history (shared with `readiness diff` and the alerts),
    # so that a change between runs is computed in one place.
    from readmodel.history import compare_project

    with _open(files, only) as con:
        return compare_project(con, project_id, run_before, run_after)


def project_diff(project_id: str, run_before: str, run_after: str) -> Any:
    """What changed for one project between two runs (a ``readmodel.history.ProjectDiff``)."""
    try:
        return _project_diff(*_files(), project_id, run_before, run_after)
    except (OSError, duckdb.Error) as err:
        raise SnapshotError(str(err)) from err


def evaluation_metrics(run_id: str, project_id: str) -> pd.DataFrame:
    """Pass rate per metric of the newest evaluation runs, with its quality bar and previous run."""
    return query(
        """
        select tool, eval_run, model, metric, pass_rate, examples, quality_bar, meets_bar,
               previous_pass_rate, pass_rate_drop
        from evaluation_metrics
        where run_id = ? and project_id = ?
        order by metric, tool
        """,
        run_id,
        project_id,
    )


def evaluation_failures(run_id: str, project_id: str, limit: int = 20) -> pd.DataFrame:
    """The first failed examples of the newest evaluation runs (truncated, redacted by the reader)."""
    return query(
        """
        select example_id, metric, grader_kind, failure_category, input_excerpt, output_excerpt
        from evaluation_failures
        where run_id = ? and project_id = ?
        order by failure_number
        limit ?
        """,
        run_id,
        project_id,
        limit,
    )


def failure_categories(run_id: str, project_id: str) -> pd.DataFrame:
    """Failed grades per failure category of the newest evaluation runs, largest first."""
    return query(
        """
        select distinct failure_category, category_failures as failures
        from evaluation_failures
        where run_id = ? and project_id = ?
        order by failures desc, failure_category
        """,
        run_id,
        project_id,
    )


def kpi_series(run_id: str, project_id: str) -> pd.DataFrame:
    """Measured points of each KPI with its baseline, target and launch date."""
    return query(
        """
        select kpi, measured_on, value, baseline, target, launch_date
        from kpi_series
        where run_id = ? and project_id = ?
        order by kpi, measured_on
        """,
        run_id,
        project_id,
    )


def evaluation_summary(run_id: str, project_id: str) -> pd.DataFrame:
    """The one line of pass rates against their bars (none when no metric has a bar)."""
    return query(
        "select pass_rate_line from evaluation_summaries where run_id = ? and project_id = ?",
        run_id,
        project_id,
    )


def alert_coverage(run_id: str, project_id: str) -> pd.DataFrame:
    """Alert coverage per service and signal (the service x signal matrix)."""
    return query(
        """
        select service, signal, alerts, delivering_alerts, covered, alert_names
        from alert_coverage
        where run_id = ? and project_id = ?
        order by service, signal
        """,
        run_id,
        project_id,
    )


def on_call_days(run_id: str, project_id: str) -> pd.DataFrame:
    """Hours on call and gaps per day of the four weeks from the run's as-of (the on-call strip)."""
    return query(
        """
        select day, day_start, covered_hours, gap_hours, people
        from on_call_days
        where run_id = ? and project_id = ?
        order by day
        """,
        run_id,
        project_id,
    )


def incident_times(run_id: str, project_id: str) -> pd.DataFrame:
    """Incidents of the last 90 days and minutes to acknowledge and resolve, per export."""
    return query(
        """
        select source, incidents, acknowledged, resolved, ack_median_minutes, ack_p90_minutes,
               resolve_median_minutes, resolve_p90_minutes
        from incident_times
        where run_id = ? and project_id = ?
        order by source
        """,
        run_id,
        project_id,
    )


def waivers(run_id: str, project_id: str) -> pd.DataFrame:
    """The waivers of one project in one run as dbt judged them (applied first, then by expiry)."""
    return query(
        """
        select check_id, gap, title, severity, measured_result, status, status_text, waiver_text,
               expires_on, days_to_expiry, expiring_soon
        from waivers
        where run_id = ? and project_id = ?
        order by status <> 'applied', expires_on, check_id
        """,
        run_id,
        project_id,
    )


def launch_target(run_id: str, project_id: str) -> pd.DataFrame:
    """The project's target launch against its roadmap on the calendar (one row, or none)."""
    return query(
        "select * from launch_targets where run_id = ? and project_id = ?", run_id, project_id
    )


def roadmap_progress(project_id: str) -> pd.DataFrame:
    """Roadmap actions done, new and still open at each assessed run of a project, newest first."""
    return query(
        """
        select p.run_id, r.run_started_at, p.previous_run_id, p.actions_done, p.actions_new,
               p.actions_open
        from roadmap_progress as p
        join recommendations as r on r.run_id = p.run_id and r.project_id = p.project_id
        where p.project_id = ?
        order by r.run_started_at desc, p.run_id desc
        """,
        project_id,
    )
