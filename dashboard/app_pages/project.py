"""Project, executive view: go or not yet, why, what it costs at scale, and what must happen next."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, downloads, queries, tables
from dashboard.app_pages._common import choose_project, failed_notice, render
from dashboard.labels import (
    INPUT_STATUS_LABELS,
    as_float,
    day,
    days,
    gap_label,
    gap_list,
    minute,
    missing,
    money,
    number,
    percent,
    result_label,
    verdict_banner,
)

DEFAULT_READY_THRESHOLD = 80.0


def verdict_section(rec: dict[str, Any]) -> None:
    """The verdict banner: GO / NOT YET, the reason, the confidence and what blocks."""
    lines = [f"## {verdict_banner(rec['recommendation'])}", str(rec.get("reason") or "")]
    blocking = gap_list(rec.get("blocking_gaps"))
    if blocking and rec["recommendation"] != "go":
        lines.append(f"**Blocking gaps:** {blocking}")
    lines.append(f"**Confidence:** {percent(rec.get('confidence'))} of the evidence was available")
    banner = st.success if rec["recommendation"] == "go" else st.error
    banner("\n\n".join(lines))


def headline_metrics(rec: dict[str, Any], inputs: pd.DataFrame) -> None:
    """Confidence, weakest gap, newest evidence and when the assessment ran."""
    newest = inputs["newest_record_at"].max() if not inputs.empty else None
    weakest = gap_label(rec.get("weakest_gap"))
    if not missing(rec.get("weakest_score")):
        weakest = f"{weakest} ({number(round(float(rec['weakest_score'])))})"
    cols = st.columns(4)
    cols[0].metric("Confidence", percent(rec.get("confidence")))
    cols[1].metric("Weakest gap", weakest)
    cols[2].metric("Newest evidence", day(newest))
    cols[3].metric("Assessed", day(rec.get("run_started_at")))


def ready_threshold(run_id: str) -> float:
    """The run's ready threshold when the runs mart records it, else the rubric's default."""
    row = queries.first(queries.run(run_id)) or {}
    threshold = as_float(row.get("ready_threshold"))
    return DEFAULT_READY_THRESHOLD if threshold is None else threshold


@st.cache_data(ttl=queries.CACHE_SECONDS, show_spinner=False)
def gap_chart(scores: pd.DataFrame, ready_threshold: float) -> dict[str, Any]:
    """The gap chart's spec, built by Altair once per project and run.

    Building and validating it on every run of the page was the page's largest cost in Python.
    """
    return charts.vega_lite_spec(charts.gap_bars(scores, ready_threshold))


def gaps_section(run_id: str, project_id: str) -> None:
    """Why: the six gap scores with their status in words and the ready line."""
    st.subheader("Why: readiness by gap")
    scores = queries.gap_scores(run_id, project_id)
    if scores.empty:
        st.write("No gap was scored in this run.")
        return
    st.vega_lite_chart(gap_chart(scores, ready_threshold(run_id)), width="stretch")


def blockers_section(run_id: str, project_id: str) -> None:
    """What must happen next: failing critical and major checks with remediation and owner."""
    st.subheader("What must happen next: top blockers")
    blockers = queries.top_blockers(run_id, project_id)
    if blockers.empty:
        st.write("No critical or major check is failing.")
        return
    # One block of text, not one element per blocker: the browser draws each element on its own.
    st.markdown(
        "\n\n".join(
            f"**{result_label(row['result'])} · {gap_label(row['gap'])} · {row['title']}** "
            f"({row['severity']}, `{row['check_id']}`)  \n"
            f"{row['remediation'] or 'No remediation recorded.'}  \n"
            f"*Owner: {row['owner_role'] or '–'} · effort {days(row['effort_days'])}*"
            for row in queries.records(blockers)
        )
    )


def cost_sentence(cost: dict[str, Any]) -> str:
    """One sentence an executive reads: the monthly cost at target against the budget."""
    currency = cost.get("currency")
    sentence = (
        f"At {number(cost.get('requests_per_month_target'))} requests a month, running it would "
        f"cost {money(cost.get('monthly_cost_target'), currency)} a month"
    )
    if missing(cost.get("monthly_budget")):
        return sentence + " (no budget was given)."
    use = as_float(cost.get("budget_use"))
    verdict = "over" if use is not None and use > 1 else "within"
    return (
        f"{sentence}: {percent(use)} of the {money(cost.get('monthly_budget'), currency)} "
        f"monthly budget ({verdict} budget)."
    )


def cost_section(run_id: str, project_id: str) -> None:
    """What it costs at scale: monthly cost at target volume against the budget."""
    st.subheader("What it costs at scale")
    cost = queries.first(queries.cost_projection(run_id, project_id))
    if cost is None:
        st.write("No cost assumptions were provided for this project.")
        return
    currency = cost.get("currency")
    st.write(cost_sentence(cost))
    cols = st.columns(4)
    cols[0].metric("Monthly cost at target", money(cost.get("monthly_cost_target"), currency))
    cols[1].metric("Monthly budget", money(cost.get("monthly_budget"), currency))
    cols[2].metric("Budget used", percent(cost.get("budget_use")))
    multiplier = cost.get("cost_multiplier")
    cols[3].metric("Cost POC → target", "–" if missing(multiplier) else f"×{number(multiplier)}")
    outcome = (
        f"Cost per outcome {money(cost.get('cost_per_outcome'), currency)} against a value of "
        f"{money(cost.get('value_per_outcome'), currency)} per outcome; "
        f"return on cost {number(cost.get('return_on_cost'))}."
    )
    st.caption(outcome)


ROADMAP_COLUMNS = {
    "priority": "Priority",
    "action": "Action",
    "gap": "Gap",
    "severity": "Severity",
    "result": "Result now",
    "owner_role": "Owner",
    "effort_days": "Effort (days)",
    "cost": "Cost",
    "start_day": "Start day",
    "end_day": "End day",
}


def roadmap_section(run_id: str, project_id: str) -> None:
    """The roadmap: total effort, cost and timeline, then every action in order."""
    st.subheader("Roadmap")
    plan = queries.roadmap(run_id, project_id)
    if plan.empty:
        st.write("Nothing left to do: every check passes.")
        return
    cols = st.columns(3)
    cols[0].metric("Total effort", days(plan["effort_days"].sum()))
    cols[1].metric("Total cost", money(plan["cost"].sum()))
    cols[2].metric("Timeline", days(plan["end_day"].max()))
    table = plan.assign(
        gap=plan["gap"].map(gap_label), result=plan["result"].map(result_label)
    ).rename(columns=ROADMAP_COLUMNS)[list(ROADMAP_COLUMNS.values())]
    tables.table(table, f"{project_id}-roadmap")


INPUT_COLUMNS = {
    "evidence_kind": "Kind",
    "name": "Name",
    "source": "File",
    "status": "Status",
    "rows_read": "Rows read",
    "rows_rejected": "Rows refused",
    "newest_record_at": "Newest record",
    "error": "Error",
}
REJECTED_COLUMNS = {
    "source": "File",
    "row_number": "Row",
    "column_name": "Column",
    "value": "Value",
    "reason": "Reason",
    "evidence_kind": "Kind",
}


#: Keys of the evidence section's two expanders: their tables are drawn only once opened.
INPUTS_KEY = "project-evidence-inputs"
REJECTED_KEY = "project-evidence-rejected"


@st.fragment
def evidence_section(run_id: str, project_id: str, inputs: pd.DataFrame) -> None:
    """Evidence used, with unreadable inputs and refused rows in plain sight.

    The counts and every unreadable input are always shown; the table of inputs and the refused
    rows are drawn when their expander is opened, and opening one runs only this section again
    (a fragment), so the executive view does not pay for two tables nobody opened.
    """
    st.subheader("Evidence")
    rejected = queries.rejected_rows(run_id, project_id)
    unreadable = inputs[inputs["status"] != "ok"] if not inputs.empty else inputs
    st.write(
        f"{len(inputs)} input(s), of which {len(unreadable)} unreadable; "
        f"{len(rejected)} row(s) refused."
    )
    for row in queries.records(unreadable):
        st.warning(f"Unreadable: {row['name']} ({row['source']}): {row['error'] or 'no detail'}")
    listed = st.expander(f"Inputs read ({len(inputs)})", key=INPUTS_KEY, on_change="rerun")
    if listed.open:
        if inputs.empty:
            listed.write("No input was read.")
        else:
            shown = inputs.assign(
                status=inputs["status"].map(lambda s: INPUT_STATUS_LABELS.get(s, s)),
                newest_record_at=inputs["newest_record_at"].map(minute),
            ).rename(columns=INPUT_COLUMNS)[list(INPUT_COLUMNS.values())]
            listed.dataframe(shown, hide_index=True, width="stretch")
    refused = st.expander(
        f"What we could not use ({len(rejected)} refused rows)", key=REJECTED_KEY, on_change="rerun"
    )
    if refused.open:
        if rejected.empty:
            refused.write("No row was refused.")
        else:
            table = rejected.rename(columns=REJECTED_COLUMNS)[list(REJECTED_COLUMNS.values())]
            refused.dataframe(table, hide_index=True, width="stretch")


def page() -> None:
    """The executive view of one project."""
    rec = choose_project()
    if rec is None:
        return
    run_id, project_id = str(rec["run_id"]), str(rec["project_id"])
    st.title(str(rec["project_name"]))
    st.caption(
        f"{rec.get('business_unit') or '–'} · owner {rec.get('owner') or '–'} · "
        f"assessed {minute(rec.get('run_started_at'))} · rubric {rec.get('rubric_version')}"
    )
    failed_notice(rec)
    verdict_section(rec)
    inputs = queries.evidence_inputs(run_id, project_id)
    headline_metrics(rec, inputs)
    gaps_section(run_id, project_id)
    blockers_section(run_id, project_id)
    cost_section(run_id, project_id)
    roadmap_section(run_id, project_id)
    evidence_section(run_id, project_id, inputs)
    st.subheader("Reports to hand around")
    downloads.project_reports(project_id)


render(page)
