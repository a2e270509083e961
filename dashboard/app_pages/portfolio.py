"""Portfolio: every project's latest verdict, the gap heatmap and the blockers that recur."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, queries
from dashboard.labels import GAP_LABELS, NO_SNAPSHOT, gap_label, verdict

st.title("AI production readiness: portfolio")
if not queries.has_snapshot():
    st.info(NO_SNAPSHOT)
    st.stop()

projects = queries.latest_recommendations()
run = queries.latest_run()
if projects.empty:
    st.info(NO_SNAPSHOT)
    st.stop()
if not run.empty:
    latest = run.iloc[0]
    st.caption(
        f"Latest run {latest['run_id']} · {latest['started_at']:%Y-%m-%d %H:%M} UTC · "
        f"rubric {latest['rubric_version']} · status {latest['status']}"
    )

go = int((projects["recommendation"] == "go").sum())
cols = st.columns(3)
cols[0].metric("Projects", len(projects))
cols[1].metric("✅ Go", go)
cols[2].metric("⛔ Not yet", len(projects) - go)

table = projects.assign(
    Recommendation=projects["recommendation"].map(verdict),
    Confidence=(projects["confidence"] * 100).round(0),
    **{"Weakest gap": projects["weakest_gap"].map(gap_label)},
)[
    [
        "project_name",
        "business_unit",
        "Recommendation",
        "Confidence",
        *GAP_LABELS,
        "Weakest gap",
    ]
].rename(columns={"project_name": "Project", "business_unit": "Business unit", **GAP_LABELS})
st.subheader("Projects")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Confidence": st.column_config.NumberColumn(format="%d%%"),
        **{
            label: st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f")
            for label in GAP_LABELS.values()
        },
    },
)

st.altair_chart(charts.heatmap(queries.latest_gap_scores()), width="stretch")

st.subheader("Blockers that recur across projects")
blockers = queries.recurring_blockers()
if blockers.empty:
    st.write("No failing check in the latest runs.")
else:
    st.dataframe(
        blockers.assign(gap=blockers["gap"].map(gap_label)).rename(
            columns={
                "check_id": "Check",
                "title": "What",
                "gap": "Gap",
                "severity": "Severity",
                "projects": "Projects",
                "project_ids": "Which",
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("Open a project")
choice: str = st.selectbox(
    "Project",
    projects["project_id"],
    format_func=lambda p: projects.set_index("project_id").loc[p, "project_name"],
)
if st.button("Open project page"):
    st.query_params["project"] = choice
    st.switch_page("app_pages/project.py")
