"""Every query the dashboard runs, against the published read-only snapshot and nothing else.

Each call opens the snapshot read-only, runs one query with bound parameters (``?``) and closes
it, so the flow can replace the file atomically under a running dashboard. Results are cached
for a minute and keyed by the file's modification time, so a newly published snapshot is read at
once. SQL text is constant: values only ever travel as parameters.

"Latest" means ``recommendations.is_latest``; should a snapshot ever hold two latest rows for one
project, the newest run wins (the ``_LATEST`` common table expression).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd
import streamlit as st

from flows.settings import get_settings

CACHE_SECONDS = 60


class SnapshotError(RuntimeError):
    """The published snapshot exists but cannot be read (being replaced, or incomplete)."""


def snapshot_path() -> Path:
    """Where the published snapshot is."""
    return get_settings().snapshot


def has_snapshot() -> bool:
    """Whether an assessment has been published."""
    return snapshot_path().is_file()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _query(path: str, modified_ns: int, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    # modified_ns only keys the cache: a newly published snapshot is a new file with a new mtime.
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def query(sql: str, *params: Any) -> pd.DataFrame:
    """Run one read-only query on the snapshot; a failure becomes a :class:`SnapshotError`."""
    path = snapshot_path()
    try:
        return _query(str(path), path.stat().st_mtime_ns, sql, params)
    except (OSError, duckdb.Error) as err:
        raise SnapshotError(str(err)) from err


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as plain dicts."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def first(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The first row of a frame as a dict, or None when it is empty."""
    rows = records(frame.head(1))
    return rows[0] if rows else None


_LATEST = """
with latest as (
    select *
    from recommendations
    where is_latest
    qualify row_number() over (
        partition by project_id order by run_started_at desc, run_id desc
    ) = 1
)
"""


def latest_projects() -> pd.DataFrame:
    """Each project's latest recommendation with its six gap scores as columns, not yet first."""
    return query(
        _LATEST
        + """,
        scores as (
            select
                g.run_id,
                g.project_id,
                max(g.score) filter (where g.gap = 'data_quality') as data_quality,
                max(g.score) filter (where g.gap = 'integration') as integration,
                max(g.score) filter (where g.gap = 'stakeholder_alignment')
                    as stakeholder_alignment,
                max(g.score) filter (where g.gap = 'evaluation') as evaluation,
                max(g.score) filter (where g.gap = 'scale') as scale,
                max(g.score) filter (where g.gap = 'maintenance') as maintenance
            from gap_scores as g
            join latest as l on l.run_id = g.run_id and l.project_id = g.project_id
            group by g.run_id, g.project_id
        )
        select
            l.project_id, l.project_name, l.business_unit, l.owner, l.recommendation,
            l.confidence, l.reason, l.weakest_gap, l.weakest_score, l.blocking_gaps,
            l.project_status, l.project_error, l.run_id, l.run_started_at, l.rubric_version,
            s.data_quality, s.integration, s.stakeholder_alignment, s.evaluation, s.scale,
            s.maintenance
        from latest as l
        left join scores as s on s.run_id = l.run_id and s.project_id = l.project_id
        order by l.recommendation = 'go', l.project_name, l.project_id
        """
    )


def latest_runs() -> pd.DataFrame:
    """The runs the latest recommendations come from, newest first (usually exactly one)."""
    return query(
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


def latest_gap_scores() -> pd.DataFrame:
    """Gap scores and statuses of every project's latest run (the heatmap)."""
    return query(
        _LATEST
        + """
        select l.project_id, l.project_name, g.gap, g.gap_order, g.score, g.status
        from latest as l
        join gap_scores as g on g.run_id = l.run_id and g.project_id = l.project_id
        order by l.project_name, g.gap_order
        """
    )


def recurring_blockers() -> pd.DataFrame:
    """Failing checks in the latest runs, with how many projects each one fails in."""
    return query(
        _LATEST
        + """
        select
            c.check_id,
            any_value(c.title) as title,
            any_value(c.gap) as gap,
            any_value(c.severity) as severity,
            count(distinct c.project_id) as projects,
            string_agg(distinct l.project_name, ', ' order by l.project_name) as project_names
        from check_results as c
        join latest as l on l.run_id = c.run_id and l.project_id = c.project_id
        where c.result = 'fail'
        group by c.check_id
        order by
            projects desc,
            min(case c.severity when 'critical' then 0 when 'major' then 1 else 2 end),
            c.check_id
        """
    )


def project_recommendation(project_id: str) -> pd.DataFrame:
    """One project's latest recommendation (one row, or none)."""
    return query(_LATEST + "select * from latest where project_id = ?", project_id)


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
    """Failing critical and major checks of one project in one run, critical first."""
    return query(
        """
        select check_id, gap, title, severity, result, remediation, owner_role, effort_days
        from check_results
        where run_id = ? and project_id = ? and result = 'fail'
            and severity in ('critical', 'major')
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


def cost_projection(run_id: str, project_id: str) -> pd.DataFrame:
    """Cost at POC and at target volume of one project in one run (one row, or none)."""
    return query(
        "select * from cost_projections where run_id = ? and project_id = ? limit 1",
        run_id,
        project_id,
    )


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
