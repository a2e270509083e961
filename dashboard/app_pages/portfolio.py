"""Portfolio: every project's latest verdict, the gap heatmap and the blockers that recur."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from core.csv_safe import to_csv_bytes
from dashboard import charts, downloads, queries
from dashboard.app_pages._common import render
from dashboard.tables import table
from readmodel.render import claims_sentence
from readmodel.vocabulary import (
    GAP_LABELS,
    NO_SNAPSHOT,
    STATUS_LABELS,
    days,
    gap_label,
    gap_list,
    minute,
    money,
    name_list,
    status_label,
    verdict,
    waiver_suffix,
)

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
    """How many projects are go and not yet, and how many survey claims evidence contradicts."""
    go = int((projects["recommendation"] == "go").sum())
    claims = int(projects["claims_contradicted"].fillna(0).sum())
    cols = st.columns(4)
    cols[0].metric("Projects", len(projects))
    cols[1].metric("✅ Go", go)
    cols[2].metric("⛔ Not yet", len(projects) - go)
    cols[3].metric("Claims contradicted by evidence", claims)
    if claims:
        st.caption(
            f"{claims_sentence(claims)}: each lowers its project's confidence and is named in its "
            "reason."
        )


def failed_projects(projects: pd.DataFrame) -> None:
    """Name the projects whose assessment failed (they count as not yet)."""
    failed = projects[projects["project_status"] == "failed"]
    for row in queries.records(failed):
        st.warning(
            f"{row['project_name']} could not be assessed: {row['project_error'] or 'no detail'}"
        )


def rank(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects in the portfolio's ranking (project_latest.display_order), numbered from 1.

    dbt ranks them: go first, then by weakest gap score, then by confidence.
    """
    ranked = projects.sort_values("display_order", kind="stable").reset_index(drop=True)
    return ranked.assign(rank=range(1, len(ranked) + 1))


def projects_table(projects: pd.DataFrame) -> pd.DataFrame:
    """The ranking people sort: verdict in words, confidence in %, six gap scores, weakest gap."""
    ranked = rank(projects)
    table = ranked.assign(
        recommendation=ranked["recommendation"].map(verdict)
        + ranked["waivers_relied_on"].map(waiver_suffix),
        confidence=(ranked["confidence"].astype("float64") * 100).round(0),
        weakest_gap=ranked["weakest_gap"].map(gap_label),
        weakest_status=ranked["weakest_status"].map(status_label),
    )
    columns = {
        "rank": "Rank",
        "project_name": "Project",
        "business_unit": "Business unit",
        "owner": "Owner",
        "recommendation": "Recommendation",
        "stage_text": "Launch stage",
        "confidence": "Confidence",
        **GAP_LABELS,
        "weakest_gap": "Weakest gap",
        "weakest_status": "Status",
    }
    return table.rename(columns=columns)[list(columns.values())]


def show_projects(projects: pd.DataFrame) -> None:
    """The ranking of projects, sortable, with a CSV download."""
    st.subheader("Ranking")
    scores = {
        label: st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f")
        for label in GAP_LABELS.values()
    }
    table(
        projects_table(projects),
        "portfolio-ranking",
        column_config={"Confidence": st.column_config.NumberColumn(format="%d%%"), **scores},
    )
    st.caption(
        "Ranked go first, then by the weakest gap's score, then by confidence. Click a column "
        "header to sort otherwise. Gap scores run from 0 to 100."
    )


def _options(projects: pd.DataFrame, column: str) -> list[str]:
    return sorted({str(v) for v in projects[column].dropna()})


def filters(projects: pd.DataFrame) -> pd.DataFrame:
    """Filters by business unit, owner, status and recommendation (empty means all)."""
    cols = st.columns(4)
    units = cols[0].multiselect("Business unit", _options(projects, "business_unit"))
    owners = cols[1].multiselect("Owner", _options(projects, "owner"))
    statuses = cols[2].multiselect(
        "Status (weakest gap)",
        [s for s in STATUS_LABELS if s in set(projects["weakest_status"].dropna())],
        format_func=status_label,
    )
    verdicts = cols[3].multiselect(
        "Recommendation", ["go", "not_yet"], format_func=lambda r: verdict(r)
    )
    chosen = projects
    if units:
        chosen = chosen[chosen["business_unit"].isin(units)]
    if owners:
        chosen = chosen[chosen["owner"].isin(owners)]
    if statuses:
        chosen = chosen[chosen["weakest_status"].isin(statuses)]
    if verdicts:
        chosen = chosen[chosen["recommendation"].isin(verdicts)]
    if len(chosen) < len(projects):
        st.caption(f"Showing {len(chosen)} of {len(projects)} projects.")
    return chosen


def closest_to_go(projects: pd.DataFrame, limit: int = 5) -> None:
    """Not-yet projects with the least left to do: fewest blocking gaps, then shortest roadmap."""
    st.subheader("Closest to go")
    waiting = projects[projects["recommendation"] != "go"]
    if waiting.empty:
        st.write("Every project shown is go.")
        return
    ordered = waiting.sort_values("closest_to_go_rank", kind="stable")
    rows = []
    for row in queries.records(ordered.head(limit)):
        rows.append(
            {
                "Project": row["project_name"],
                "Blocking gaps": gap_list(row["blocking_gaps"]) or "insufficient evidence",
                "Roadmap effort": days(row["effort_days"]),
                "Roadmap cost": money(row["roadmap_cost"]),
                "Timeline": days(row["timeline_days"]),
            }
        )
    table(pd.DataFrame(rows), "closest-to-go")
    st.caption("Fewest blocking gaps first, then the shortest roadmap timeline.")


#: More rows than this make a heatmap nobody reads (and a page that renders slowly).
HEATMAP_PROJECTS = 40


def show_heatmap(ranked_ids: tuple[str, ...]) -> None:
    """Projects by gaps, score and status in each cell (the lowest ranked first when many)."""
    shown = ranked_ids[-HEATMAP_PROJECTS:] if len(ranked_ids) > HEATMAP_PROJECTS else ranked_ids
    scores = queries.latest_gap_scores(shown)
    if scores.empty:
        return
    st.altair_chart(charts.heatmap(scores), width="stretch")
    if len(shown) < len(ranked_ids):
        st.caption(
            f"The heatmap shows the {len(shown)} lowest ranked of {len(ranked_ids)} projects; "
            "use the filters above to see others."
        )


def show_blockers(project_ids: tuple[str, ...]) -> None:
    """Failing checks that recur across projects."""
    st.subheader("Blockers that recur across projects")
    blockers = queries.recurring_blockers(project_ids)
    if blockers.empty:
        st.write("No check fails in more than one project's latest result.")
        return
    blockers = blockers.assign(project_names=blockers["project_names"].map(name_list))
    # The check id is for the drill-down and the CSV; the page names the check by its title.
    table = blockers.assign(gap=blockers["gap"].map(gap_label)).rename(
        columns={
            "check_id": "Check id",
            "title": "What fails",
            "gap": "Gap",
            "severity": "Severity",
            "projects": "Projects",
            "project_names": "Which projects",
        }
    )
    st.dataframe(table.drop(columns=["Check id"]), hide_index=True, width="stretch")
    st.download_button(
        "Download recurring-blockers.csv",
        data=partial(to_csv_bytes, table),
        file_name="recurring-blockers.csv",
        mime="text/csv",
        on_click="ignore",
    )


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
    shown = filters(projects)
    if shown.empty:
        st.info("No project matches these filters.")
        return
    ids = tuple(str(p) for p in shown["project_id"])
    verdict_counts(shown)
    failed_projects(shown)
    show_projects(shown)
    show_heatmap(tuple(str(p) for p in rank(shown)["project_id"]))
    show_blockers(ids)
    closest_to_go(shown)
    open_project(shown)
    st.subheader("Reports to hand around")
    st.caption("The one-page portfolio summary covers every project, whatever the filters.")
    downloads.portfolio_reports()


render(page, title=TITLE)
