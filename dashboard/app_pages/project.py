"""Project, executive view: go or not yet, why, what it costs at scale, and what must happen next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pandas as pd
import streamlit as st

from core.markdown_safe import md
from dashboard import blocks, downloads, queries, tables
from dashboard.app_pages._common import choose_project, failed_notice, render
from readmodel.drilldowns import CostAtTarget
from readmodel.render import claims_sentence, cost_sentence, evidence_notes, gap_chart_svg
from readmodel.summary import GapLine
from readmodel.vocabulary import (
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
    waiver_suffix,
)

DEFAULT_READY_THRESHOLD = 80.0


def verdict_section(rec: dict[str, Any]) -> None:
    """The verdict banner: GO / NOT YET, the reason, the confidence and what blocks."""
    banner_text = verdict_banner(rec["recommendation"]) + waiver_suffix(
        rec.get("waivers_relied_on")
    )
    lines = [f"## {banner_text}", str(rec.get("reason") or "")]
    blocking = gap_list(rec.get("blocking_gaps"))
    if blocking and rec["recommendation"] != "go":
        lines.append(f"**Blocking gaps:** {blocking}")
    if not missing(rec.get("stage_text")):
        lines.append(f"**Launch stage:** {md(rec['stage_text'])}")
    lines.append(f"**Confidence:** {percent(rec.get('confidence'))} of the evidence was available")
    claims = as_float(rec.get("claims_contradicted"))
    if claims:
        lines.append(f"**{claims_sentence(int(claims))}** (named in the reason above)")
    banner = st.success if rec["recommendation"] == "go" else st.error
    banner("\n\n".join(lines))


def headline_figures(rec: dict[str, Any], inputs: pd.DataFrame) -> None:
    """Confidence, weakest gap, newest evidence and when the assessment ran."""
    newest = inputs["newest_record_at"].max() if not inputs.empty else None
    weakest = gap_label(rec.get("weakest_gap"))
    if not missing(rec.get("weakest_score")):
        weakest = f"{weakest} ({number(round(float(rec['weakest_score'])))})"
    blocks.block(
        blocks.figures(
            [
                ("Confidence", percent(rec.get("confidence"))),
                ("Weakest gap", weakest),
                ("Newest evidence", day(newest)),
                ("Assessed", day(rec.get("run_started_at"))),
            ]
        )
    )


def ready_threshold(run_id: str) -> float:
    """The run's ready threshold when the runs mart records it, else the rubric's default."""
    row = queries.first(queries.run(run_id)) or {}
    threshold = as_float(row.get("ready_threshold"))
    return DEFAULT_READY_THRESHOLD if threshold is None else threshold


def day_rate_currency(run_id: str) -> str | None:
    """The currency of the run's day rate (the roadmap's cost), when the runs mart records it."""
    currency = (queries.first(queries.run(run_id)) or {}).get("day_rate_currency")
    return None if missing(currency) else str(currency)


def gaps_section(run_id: str, project_id: str) -> None:
    """Why: the six gap scores with their status in words and the ready line.

    The chart is the HTML report's drawing (inline SVG): a Vega chart made the browser load and
    start Vega for one small bar chart on every full page load.
    """
    heading = "Why: readiness by gap"
    scores = queries.gap_scores(run_id, project_id)
    if scores.empty:
        blocks.section(heading, "No gap was scored in this run.")
        return
    gaps = [
        GapLine(
            str(row["gap"]),
            as_float(row["score"]),
            None if missing(row["status"]) else str(row["status"]),
            None if missing(row.get("missing_evidence")) else str(row["missing_evidence"]),
        )
        for row in queries.records(scores)
    ]
    # What evidence a gap without enough of it lacks, in dbt's words (check titles).
    blocks.section(
        heading,
        blocks.chart(gap_chart_svg(gaps, ready_threshold(run_id))),
        *(blocks.paragraph(note) for note in evidence_notes(gaps)),
    )


def blockers_section(run_id: str, project_id: str) -> None:
    """What must happen next: failing critical and major checks with remediation and owner."""
    heading = "What must happen next: top blockers"
    blockers = queries.top_blockers(run_id, project_id)
    if blockers.empty:
        blocks.section(heading, "No critical or major check is failing.")
        return
    # One block of text, not one element per blocker: the browser draws each element on its own.
    blocks.section(
        heading,
        *(
            f"**{result_label(row['result'])} · {gap_label(row['gap'])} · {row['title']}** "
            f"({row['severity']})  \n"
            + ("" if missing(row.get("reasons")) else f"**{row['reasons']}**  \n")
            + f"{row['remediation'] or 'No remediation recorded.'}  \n"
            f"*Owner: {row['owner'] or row['owner_role'] or '–'} · effort {days(row['effort_days'])}*"
            for row in queries.records(blockers)
        ),
        allow_html=False,  # the rubric's and the snapshot's words, written as Markdown
    )


def waivers_section(run_id: str, project_id: str) -> None:
    """Accepted risks: each waiver in dbt's words, whether it applied, and the ones expiring soon."""
    found = queries.waivers(run_id, project_id)
    if found.empty:
        return
    blocks.section(
        "Accepted risks: waivers",
        *(
            f"**{gap_label(row['gap'])} · {md(row['title'])}** ({row['severity']}, measured "
            f"{result_label(row['measured_result']).lower()}): {md(row['waiver_text'])}  \n"
            f"*{row['status_text']}*"
            + (
                f" · **expires in {int(row['days_to_expiry'])} day(s)**"
                if not missing(row["expiring_soon"]) and bool(row["expiring_soon"])
                else ""
            )
            for row in queries.records(found)
        ),
        allow_html=False,  # the approver's and the reason's words, written as Markdown
    )


def cost_at_target(cost: dict[str, Any]) -> CostAtTarget:
    """The cost_projections row as the one-pagers read it (a column an older snapshot lacks: None)."""
    values = {f.name: cost.get(f.name) for f in fields(CostAtTarget)}
    return CostAtTarget(**{name: None if missing(v) else v for name, v in values.items()})


def cost_section(run_id: str, project_id: str) -> None:
    """What it costs at scale: monthly cost at target volume against the budget."""
    heading = "What it costs at scale"
    cost = queries.first(queries.cost_projection(run_id, project_id))
    if cost is None:
        blocks.section(heading, "No cost assumptions were provided for this project.")
        return
    currency = cost.get("currency")
    multiplier = cost.get("cost_multiplier")
    outcome = (
        f"Cost per outcome {money(cost.get('cost_per_outcome'), currency)} against a value of "
        f"{money(cost.get('value_per_outcome'), currency)} per outcome; "
        f"return on cost {number(cost.get('return_on_cost'))}."
    )
    blocks.section(
        heading,
        # The one-pagers' sentence, from the same mart row (readmodel.render.cost_sentence).
        blocks.paragraph(cost_sentence(cost_at_target(cost))),
        blocks.figures(
            [
                ("Monthly cost at target", money(cost.get("monthly_cost_target"), currency)),
                ("Monthly budget", money(cost.get("monthly_budget"), currency)),
                ("Budget used", percent(cost.get("budget_use"))),
                ("Cost POC → target", "–" if missing(multiplier) else f"×{number(multiplier)}"),
            ]
        ),
        blocks.paragraph(outcome, small=True),
    )


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


#: How the static roadmap table writes its numbers (the CSV and the grid keep them as numbers).
ROADMAP_FORMATS: dict[str, Callable[[Any], str]] = {
    "Priority": number,
    "Effort (days)": number,
    "Cost": money,
    "Start day": number,
    "End day": number,
}
#: Key of the roadmap's expander: its interactive table is drawn only once opened.
ROADMAP_KEY = "project-roadmap-grid"


def roadmap_section(run_id: str, project_id: str) -> None:
    """The roadmap: total effort, cost and timeline, then every action in order.

    The actions are a static table with its CSV download; the interactive table (sort, search,
    full screen) is drawn when its expander is opened, so a page load does not start a data grid.
    """
    heading = "Roadmap"
    plan = queries.roadmap(run_id, project_id)
    if plan.empty:
        blocks.section(heading, "Nothing left to do: every check passes.")
        return
    # The owner's name where the project's owners map gives one (a snapshot from before names
    # were recorded has only the role).
    named = plan["owner"].fillna(plan["owner_role"]) if "owner" in plan else plan["owner_role"]
    table = plan.assign(
        gap=plan["gap"].map(gap_label), result=plan["result"].map(result_label), owner_role=named
    ).rename(columns=ROADMAP_COLUMNS)[list(ROADMAP_COLUMNS.values())]
    currency = day_rate_currency(run_id)
    # The totals are dbt's (recommendations' roadmap columns), not summed again here.
    totals = queries.first(queries.roadmap_totals(run_id, project_id)) or {}
    blocks.section(
        heading,
        blocks.figures(
            [
                ("Total effort", days(totals.get("roadmap_effort_days"))),
                ("Total cost", money(totals.get("roadmap_cost"), currency)),
                ("Timeline", days(totals.get("roadmap_duration_days"))),
            ]
        ),
        blocks.table(table, {**ROADMAP_FORMATS, "Cost": lambda v: money(v, currency)}),
    )
    target = queries.first(queries.launch_target(run_id, project_id)) or {}
    if not missing(target.get("target_text")):
        steering = target.get("next_steering")
        blocks.block(
            blocks.paragraph(
                f"Target launch: {target['target_text']}"
                + ("" if missing(steering) else f"; next steering committee {day(steering)}")
                + "."
            )
        )
    unnamed = as_float(
        (queries.first(queries.project_recommendation(project_id)) or {}).get("unnamed_owner_roles")
    )
    if unnamed:
        blocks.block(
            blocks.paragraph(
                f"{int(unnamed)} owner role(s) without a name in the owners map of the project: "
                "shown as the role."
            )
        )
    tables.csv_download(table, f"{project_id}-roadmap")
    roadmap_grid(table)


@st.fragment
def roadmap_grid(table: pd.DataFrame) -> None:
    """The roadmap as an interactive table, drawn once its expander is opened (this part only)."""
    grid = st.expander("Sort and search the roadmap", key=ROADMAP_KEY, on_change="rerun")
    if grid.open:
        grid.dataframe(table, hide_index=True, width="stretch")


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
    rejected = queries.rejected_rows(run_id, project_id)
    unreadable = inputs[inputs["status"] != "ok"] if not inputs.empty else inputs
    blocks.section(
        "Evidence",
        f"{len(inputs)} input(s), of which {len(unreadable)} unreadable; "
        f"{len(rejected)} row(s) refused.",
    )
    for row in queries.records(unreadable):
        st.warning(
            f"Unreadable: {md(row['name'])} ({md(row['source'])}): "
            f"{md(row['error'] or 'no detail')}"
        )
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


def pass_rate_line(run_id: str, project_id: str) -> None:
    """The evaluation's pass rates against their bars, in one line (none without a bar)."""
    try:
        line = queries.first(queries.evaluation_summary(run_id, project_id))
    except queries.SnapshotError:  # a snapshot published before evaluation results were read
        return
    if line is not None:
        st.write(str(line["pass_rate_line"]))


def page() -> None:
    """The executive view of one project."""
    rec = choose_project()
    if rec is None:
        return
    run_id, project_id = str(rec["run_id"]), str(rec["project_id"])
    st.title(md(rec["project_name"]))
    st.caption(
        f"{md(rec.get('business_unit') or '–')} · owner {md(rec.get('owner') or '–')} · "
        f"assessed {minute(rec.get('run_started_at'))} · rubric {md(rec.get('rubric_version'))}"
    )
    failed_notice(rec)
    verdict_section(rec)
    inputs = queries.evidence_inputs(run_id, project_id)
    headline_figures(rec, inputs)
    gaps_section(run_id, project_id)
    pass_rate_line(run_id, project_id)
    blockers_section(run_id, project_id)
    waivers_section(run_id, project_id)
    cost_section(run_id, project_id)
    roadmap_section(run_id, project_id)
    evidence_section(run_id, project_id, inputs)
    blocks.section("Reports to hand around")
    downloads.project_reports(project_id)


render(page)
