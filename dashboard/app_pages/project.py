"""Project, executive view: the verdict in ten seconds, why, what it costs and what comes next."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries
from dashboard.app_pages._common import choose_project
from dashboard.labels import RESULT_LABELS, gap_label, money, percent, verdict

rec = choose_project()
run_id, project_id = rec["run_id"], rec["project_id"]

st.title(rec["project_name"])
banner = st.success if rec["recommendation"] == "go" else st.error
banner(f"## {verdict(rec['recommendation'])}\n{rec['reason']}")
cols = st.columns(4)
cols[0].metric("Confidence", percent(rec["confidence"]))
cols[1].metric("Weakest gap", gap_label(rec["weakest_gap"]))
inputs = queries.evidence_inputs(run_id, project_id)
newest = inputs["newest_record_at"].dropna().max() if not inputs.empty else None
cols[2].metric(
    "Newest evidence", "-" if newest is None or pd.isna(newest) else f"{newest:%Y-%m-%d}"
)
cols[3].metric("Assessed", f"{rec['run_started_at']:%Y-%m-%d}")

scores = queries.gap_scores(run_id, project_id)
st.altair_chart(charts.gap_bars(scores, queries.ready_threshold(run_id)), width="stretch")

st.subheader("Top blockers")
checks = queries.check_results(run_id, project_id)
blockers = checks[(checks["result"] == "fail") & (checks["severity"] != "minor")].head(5)
if blockers.empty:
    st.write("No failing critical or major check.")
for row in queries.records(blockers):
    st.markdown(
        f"**{RESULT_LABELS[row['result']]} · {gap_label(row['gap'])} · {row['title']}**"
        f" ({row['severity']})  \n{row['remediation']}  \n"
        f"*Owner: {row['owner_role']} · effort {row['effort_days']:g} days*"
    )

cost = queries.cost_projection(run_id, project_id)
st.subheader("Cost at target scale")
if cost.empty:
    st.write("No cost assumptions were provided.")
else:
    c = cost.iloc[0]
    cc = st.columns(4)
    cc[0].metric("Monthly cost at target", money(c["monthly_cost_target"], c["currency"]))
    cc[1].metric("Monthly budget", money(c["monthly_budget"], c["currency"]))
    cc[2].metric("Budget used", percent(c["budget_use"]))
    cc[3].metric(
        "POC to production",
        f"{c['cost_multiplier']:.0f}x" if pd.notna(c["cost_multiplier"]) else "-",
    )

st.subheader("Roadmap")
plan = queries.roadmap(run_id, project_id)
if plan.empty:
    st.write("Nothing left to do.")
else:
    rc = st.columns(3)
    rc[0].metric("Total effort", f"{plan['effort_days'].sum():g} days")
    rc[1].metric("Total cost", money(plan["cost"].sum()))
    rc[2].metric("Timeline", f"{plan['end_day'].max():g} days")
    st.dataframe(
        plan.assign(result=plan["result"].map(RESULT_LABELS), gap=plan["gap"].map(gap_label))[
            [
                "priority",
                "action",
                "gap",
                "severity",
                "result",
                "owner_role",
                "effort_days",
                "cost",
                "start_day",
                "end_day",
            ]
        ],
        hide_index=True,
        width="stretch",
    )

with st.expander("Evidence used, and what we could not use"):
    st.dataframe(inputs, hide_index=True, width="stretch")
    rejected = queries.rejected_rows(run_id, project_id)
    st.write(f"{len(rejected)} row(s) refused from the evidence:")
    st.dataframe(rejected, hide_index=True, width="stretch")
