"""Portfolio: every project's latest verdict, the gap heatmap and the blockers that recur."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries
from dashboard.app_pages._common import render
from dashboard.labels import GAP_LABELS, NO_SNAPSHOT, gap_label, minute, verdict

TITLE = "AI production readiness: portfolio"
PROJECT_PAGE = "app_pages/project.py"


def run_caption() -> None:
    """Which run the page shows: its date and rubric version (and a note when runs differ)."""
    runs = queries.latest_runs()
    newest = queries.first(runs)
    if newest is None:
        return
    text = (
        f"Latest run {newest['run_id']} · {minute(newest['started_at'])} UTC · "
        f"rubric {newest['rubric_version']}"
    )
    if len(runs) > 1:
        text += f" · projects' latest results come from {len(runs)} runs"
    st.caption(text)
    if runs["rubric_version"].nunique() > 1:
        st.warning("Projects were scored with different rubric versions; compare with care.")


def verdict_counts(projects: pd.DataFrame) -> None:
    """How many projects are go and not yet."""
    go = int((projects["recommendation"] == "go").sum())
    cols = st.columns(3)
    cols[0].metric("Projects", len(projects))
    cols[1].metric("✅ Go", go)
    cols[2].metric("⛔ Not yet", len(projects) - go)


def failed_projects(projects: pd.DataFrame) -> None:
    """Name the projects whose assessment failed (they count as not yet)."""
    failed = projects[projects["project_status"] == "failed"]
    for row in queries.records(failed):
        st.warning(
            f"{row['project_name']} could not be assessed: {row['project_error'] or 'no detail'}"
        )


def projects_table(projects: pd.DataFrame) -> pd.DataFrame:
    """The table people sort: verdict in words, confidence in %, six gap scores, weakest gap."""
    table = projects.assign(
        recommendation=projects["recommendation"].map(verdict),
        confidence=(projects["confidence"].astype("float64") * 100).round(0),
        weakest_gap=projects["weakest_gap"].map(gap_label),
    )
    columns = {
        "project_name": "Project",
        "business_unit": "Business unit",
        "recommendation": "Recommendation",
        "confidence": "Confidence",
        **GAP_LABELS,
        "weakest_gap": "Weakest gap",
    }
    return table.rename(columns=columns)[list(columns.values())]


def show_projects(projects: pd.DataFrame) -> None:
    """The sortable table of projects."""
    st.subheader("Projects")
    scores = {
        label: st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f")
        for label in GAP_LABELS.values()
    }
    st.dataframe(
        projects_table(projects),
        hide_index=True,
        width="stretch",
        column_config={"Confidence": st.column_config.NumberColumn(format="%d%%"), **scores},
    )
    st.caption("Click a column header to sort. Gap scores run from 0 to 100.")


def show_heatmap() -> None:
    """Projects by gaps, score and status in each cell."""
    scores = queries.latest_gap_scores()
    if not scores.empty:
        st.altair_chart(charts.heatmap(scores), width="stretch")


def show_blockers() -> None:
    """Failing checks that recur across projects."""
    st.subheader("Blockers that recur across projects")
    blockers = queries.recurring_blockers()
    if blockers.empty:
        st.write("No check fails in the latest results.")
        return
    table = blockers.assign(gap=blockers["gap"].map(gap_label)).rename(
        columns={
            "check_id": "Check",
            "title": "What fails",
            "gap": "Gap",
            "severity": "Severity",
            "projects": "Projects",
            "project_names": "Which projects",
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def open_project(projects: pd.DataFrame) -> None:
    """Pick a project and open its executive view (the URL carries ``?project=<id>``)."""
    st.subheader("Open a project")
    names = dict(zip(projects["project_id"], projects["project_name"], strict=True))
    choice = st.selectbox("Project to open", list(names), format_func=lambda p: f"{names[p]} ({p})")
    if st.button("Open the project's page"):
        st.switch_page(PROJECT_PAGE, query_params={"project": str(choice)})


def page() -> None:
    """The portfolio page."""
    projects = queries.latest_projects()
    if projects.empty:
        st.info(NO_SNAPSHOT)
        return
    run_caption()
    verdict_counts(projects)
    failed_projects(projects)
    show_projects(projects)
    show_heatmap()
    show_blockers()
    open_project(projects)


render(page, title=TITLE)
