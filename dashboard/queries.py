"""Every query the dashboard runs, against the published read-only snapshot only.

Each call opens the snapshot read-only, runs one query with bound parameters and closes it, so
the flow can replace the snapshot atomically under a running dashboard. Results are cached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd
import streamlit as st

from flows.settings import get_settings

CACHE_SECONDS = 60


def snapshot_path() -> Path:
    """Where the published snapshot is."""
    return get_settings().snapshot


def has_snapshot() -> bool:
    """Whether an assessment has been published."""
    return snapshot_path().is_file()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _query(path: str, mtime: float, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    # mtime is part of the cache key: a newly published snapshot invalidates cached results.
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as plain dicts."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def query(sql: str, *params: Any) -> pd.DataFrame:
    """Run one read-only query on the snapshot."""
    path = snapshot_path()
    return _query(str(path), path.stat().st_mtime, sql, params)


def latest_recommendations() -> pd.DataFrame:
    """The latest result per project, with its six gap scores as columns."""
    return query(
        """
        select r.project_id, r.project_name, r.business_unit, r.owner, r.recommendation,
               r.confidence, r.reason, r.weakest_gap, r.weakest_score, r.blocking_gaps,
               r.run_id, r.run_started_at, r.rubric_version, r.project_status,
               max(case when g.gap = 'data_quality' then g.score end) as data_quality,
               max(case when g.gap = 'integration' then g.score end) as integration,
               max(case when g.gap = 'stakeholder_alignment' then g.score end)
                   as stakeholder_alignment,
               max(case when g.gap = 'evaluation' then g.score end) as evaluation,
               max(case when g.gap = 'scale' then g.score end) as scale,
               max(case when g.gap = 'maintenance' then g.score end) as maintenance
        from recommendations as r
        left join gap_scores as g on g.run_id = r.run_id and g.project_id = r.project_id
        where r.is_latest
        group by all
        order by r.recommendation, r.project_name
        """
    )


def latest_gap_scores() -> pd.DataFrame:
    """Gap scores and statuses of every project's latest run (for the heatmap)."""
    return query(
        """
        select r.project_id, r.project_name, g.gap, g.gap_order, g.score, g.status
        from recommendations as r
        join gap_scores as g on g.run_id = r.run_id and g.project_id = r.project_id
        where r.is_latest
        order by r.project_name, g.gap_order
        """
    )


def recurring_blockers() -> pd.DataFrame:
    """Failing checks across the latest runs, by how many projects they block."""
    return query(
        """
        select c.check_id, c.title, c.gap, c.severity, count(*) as projects,
               string_agg(c.project_id, ', ' order by c.project_id) as project_ids
        from check_results as c
        join recommendations as r on r.run_id = c.run_id and r.project_id = c.project_id
        where r.is_latest and c.result = 'fail'
        group by c.check_id, c.title, c.gap, c.severity
        order by projects desc, c.severity, c.check_id
        """
    )


def latest_run() -> pd.DataFrame:
    """The newest published run."""
    return query("select * from runs order by started_at desc limit 1")


def project_recommendation(project_id: str) -> pd.DataFrame:
    """A project's latest recommendation."""
    return query("select * from recommendations where project_id = ? and is_latest", project_id)


def gap_scores(run_id: str, project_id: str) -> pd.DataFrame:
    """The six gap scores of one project in one run."""
    return query(
        "select * from gap_scores where run_id = ? and project_id = ? order by gap_order",
        run_id,
        project_id,
    )


def check_results(run_id: str, project_id: str, gap: str | None = None) -> pd.DataFrame:
    """Check results of one project in one run (optionally one gap), worst first."""
    return query(
        """
        select * from check_results
        where run_id = ? and project_id = ? and (? is null or gap = ?)
        order by case result when 'fail' then 0 when 'partial' then 1 when 'no_evidence' then 2
                 else 3 end,
                 case severity when 'critical' then 0 when 'major' then 1 else 2 end, check_id
        """,
        run_id,
        project_id,
        gap,
        gap,
    )


def roadmap(run_id: str, project_id: str) -> pd.DataFrame:
    """The prioritised roadmap of one project in one run."""
    return query(
        "select * from roadmap where run_id = ? and project_id = ? order by priority",
        run_id,
        project_id,
    )


def cost_projection(run_id: str, project_id: str) -> pd.DataFrame:
    """Cost at POC and at target volume of one project in one run."""
    return query(
        "select * from cost_projections where run_id = ? and project_id = ?", run_id, project_id
    )


def evidence_inputs(run_id: str, project_id: str) -> pd.DataFrame:
    """Every input read for one project in one run."""
    return query(
        """
        select evidence_kind, name, source, status, rows_read, rows_rejected, error,
               newest_record_at, fingerprint
        from evidence_inputs where run_id = ? and project_id = ?
        order by evidence_kind, name
        """,
        run_id,
        project_id,
    )


def rejected_rows(run_id: str, project_id: str) -> pd.DataFrame:
    """Rows refused from one project's evidence, with file, row, column and reason."""
    return query(
        """
        select evidence_kind, source, row_number, column_name, value, reason, is_skipped
        from rejected_rows where run_id = ? and project_id = ?
        order by is_skipped, source, row_number
        """,
        run_id,
        project_id,
    )


def ready_threshold(run_id: str) -> float:
    """The gap score a run counted as ready (drawn on the gap chart)."""
    run = query("select ready_threshold from runs where run_id = ?", run_id)
    return float(records(run)[0]["ready_threshold"]) if not run.empty else 80.0
