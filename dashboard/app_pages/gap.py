"""Gap drill-down: every check of one gap, its result, its metric against thresholds and evidence."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from core.markdown_safe import md
from dashboard import drilldown, queries
from dashboard.app_pages._common import choose_gap, choose_project, failed_notice, render
from readmodel.vocabulary import (
    comparison,
    days,
    gap_label,
    missing,
    number,
    result_label,
    status_label,
    verdict,
)


def measurement(check: dict[str, Any]) -> str:
    """'Measured 0.91 (share of rows filled). Pass ≥ 0.98, partial ≥ 0.9.'."""
    unit = "" if missing(check.get("unit")) else f" ({check['unit']})"
    if missing(check.get("metric")):
        measured = f"Nothing measured: no evidence{unit}"
    else:
        measured = f"Measured **{number(check['metric'])}**{unit}"
    sign = comparison(check.get("direction"))
    return (
        f"{measured}. Pass {sign} {number(check.get('pass_threshold'))}, "
        f"partial {sign} {number(check.get('partial_threshold'))}."
    )


def evidence(check: dict[str, Any]) -> None:
    """The check's evidence document, readable (JSON as a tree, anything else as text)."""
    text = check.get("evidence")
    with st.expander("Evidence"):
        if missing(text) or not str(text).strip():
            st.write("No evidence was recorded for this check.")
            return
        try:
            st.json(json.loads(str(text)))
        except ValueError:
            st.code(str(text), language=None)


def check_card(check: dict[str, Any]) -> None:
    """One check: result in words, what was measured against which thresholds, what to do."""
    with st.container(border=True):
        st.markdown(
            f"**{result_label(check['result'])} · {md(check['title'])}**  \n"
            f"`{check['check_id']}` · {check['severity']} · weight {number(check.get('weight'))}"
        )
        st.markdown(measurement(check))
        if not missing(check.get("waiver")):
            st.markdown(f"**Accepted risk:** {md(check['waiver'])}")
        if check["result"] != "pass" and not missing(check.get("remediation")):
            st.markdown(
                f"**Remediation:** {md(check['remediation'])}  \n"
                f"*Owner: {check.get('owner_role') or '–'} · "
                f"effort {days(check.get('effort_days'))}*"
            )
        evidence(check)


def gap_summary(rec: dict[str, Any], gap: str) -> None:
    """The gap's score and status in this run."""
    scores = queries.gap_scores(str(rec["run_id"]), str(rec["project_id"]))
    row = queries.first(scores[scores["gap"] == gap])
    if row is None:
        st.write(f"{gap_label(gap)} was not scored in this run.")
        return
    score = "–" if missing(row.get("score")) else number(round(float(row["score"])))
    cols = st.columns(3)
    cols[0].metric("Gap score", score)
    cols[1].metric("Status", status_label(row.get("status")))
    cols[2].metric(
        "Checks with evidence",
        f"{number(row.get('checks_with_evidence'))} of {number(row.get('checks_total'))}",
    )


def page() -> None:
    """The drill-down into one gap of one project."""
    rec = choose_project()
    if rec is None:
        return
    gap = choose_gap()
    st.caption(
        f"{rec['project_name']} · {verdict(rec['recommendation'])} · {gap_label(gap)} · "
        f"run {rec['run_id']} · rubric {rec.get('rubric_version')}"
    )
    failed_notice(rec)
    gap_summary(rec, gap)
    run_id, project_id = str(rec["run_id"]), str(rec["project_id"])
    checks = queries.check_results(run_id, project_id, gap)
    st.subheader("Checks")
    if checks.empty:
        st.write(f"No check of {gap_label(gap)} was judged in this run.")
    for check in queries.records(checks):
        check_card(check)
    drilldown.measured_items(run_id, project_id, gap)
    section = drilldown.SECTIONS.get(gap)
    if section is not None:
        section(run_id, project_id)


render(page, title="Gap drill-down")
