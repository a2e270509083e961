"""Trends: gap scores over runs, per project and for the portfolio.

Rubric version changes are marked on the charts; what changed between two runs of a project is
computed by ``readmodel.history`` (shared with ``readiness diff``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.markdown_safe import md
from dashboard import charts, queries
from dashboard.app_pages._common import choose_project, render
from dashboard.tables import table
from readmodel.vocabulary import (
    gap_label,
    minute,
    missing,
    number,
    percent,
    result_label,
    status_label,
    verdict,
)


def rubric_changes(history: pd.DataFrame) -> pd.DataFrame:
    """The first run under each new rubric version (where comparisons across runs need care)."""
    columns = ["run_id", "run_started_at", "rubric_version"] + (
        ["as_of"] if "as_of" in history else []
    )
    runs = (
        history[columns]
        .drop_duplicates("run_id")
        .sort_values([c for c in ("as_of", "run_started_at", "run_id") if c in columns])
    )
    changed = runs["rubric_version"] != runs["rubric_version"].shift()
    return runs[changed].iloc[1:]


def trend_chart(history: pd.DataFrame, title: str) -> None:
    """Scores over runs with rubric changes marked, or a sentence when there is one run only."""
    runs = history["run_id"].nunique()
    changes = rubric_changes(history)
    st.altair_chart(charts.score_lines(history, changes, title), width="stretch")
    if runs < 2:
        st.caption("Only one run so far: the trend starts with the next run.")
    for row in queries.records(changes):
        st.caption(
            f"Rubric changed to {row['rubric_version']} at run {row['run_id']} "
            f"({minute(row['run_started_at'])}): scores before and after are not strictly "
            "comparable (dashed line on the chart)."
        )


def _run_label(runs: pd.DataFrame) -> dict[str, str]:
    return {
        str(r["run_id"]): f"as of {minute(r.get('as_of') or r['run_started_at'])} · "
        f"{verdict(r['recommendation'])} · "
        f"rubric {r['rubric_version']}"
        for r in queries.records(runs)
    }


def _score(value: Any) -> str:
    return "–" if value is None else number(round(float(value)))


def what_changed(project_id: str) -> None:
    """Two runs of the project side by side: verdict, gap scores, checks that flipped, inputs."""
    st.subheader("What changed between two runs")
    runs = queries.project_runs(project_id)
    if len(runs) < 2:
        st.write("This project has been assessed once: nothing to compare yet.")
        return
    labels = _run_label(runs)
    ids = list(labels)
    cols = st.columns(2)
    before: str = cols[0].selectbox(
        "Earlier run", ids, index=1, format_func=lambda r: labels[r], key="trend-before"
    )
    after: str = cols[1].selectbox(
        "Later run", ids, index=0, format_func=lambda r: labels[r], key="trend-after"
    )
    if before == after:
        st.info("Choose two different runs.")
        return
    diff = queries.project_diff(project_id, str(before), str(after))
    if diff.rubric_changed:
        st.warning(
            f"The rubric changed between these runs ({diff.rubric_before} → {diff.rubric_after})."
        )
    for rubric in diff.rubric_changes:
        st.warning(md(f"Run {rubric.run_id}: {rubric.text()}"))
    st.markdown(
        f"**Recommendation:** {verdict(diff.recommendation_before)} → "
        f"{verdict(diff.recommendation_after)} · **Confidence:** "
        f"{percent(diff.confidence_before)} → {percent(diff.confidence_after)}"
    )
    if diff.unchanged:
        st.write("Nothing changed between these runs.")
        return
    if diff.changed_gaps:
        table(
            pd.DataFrame(
                {
                    "Gap": [gap_label(g.gap) for g in diff.changed_gaps],
                    "Score before": [_score(g.score_before) for g in diff.changed_gaps],
                    "Score after": [_score(g.score_after) for g in diff.changed_gaps],
                    "Change": [
                        "–" if g.delta is None else f"{g.delta:+.0f}" for g in diff.changed_gaps
                    ],
                    "Status before": [status_label(g.status_before) for g in diff.changed_gaps],
                    "Status after": [status_label(g.status_after) for g in diff.changed_gaps],
                }
            ),
            f"{project_id}-gap-changes",
        )
    if diff.checks:
        table(
            pd.DataFrame(
                {
                    "Check": [c.check_id for c in diff.checks],
                    "Gap": [gap_label(c.gap) for c in diff.checks],
                    "What": [c.title for c in diff.checks],
                    "Before": [result_label(c.result_before) for c in diff.checks],
                    "After": [result_label(c.result_after) for c in diff.checks],
                }
            ),
            f"{project_id}-check-changes",
        )
    if diff.inputs:
        table(
            pd.DataFrame(
                {
                    "Kind": [i.input_kind for i in diff.inputs],
                    "Input": [i.name for i in diff.inputs],
                    "Change": [i.change for i in diff.inputs],
                    "Source": [i.source_after or i.source_before for i in diff.inputs],
                }
            ),
            f"{project_id}-input-changes",
        )


def roadmap_progress(project_id: str) -> None:
    """Roadmap actions done, new and still open since each run's previous one (dbt's counts)."""
    progress = queries.roadmap_progress(project_id)
    if progress.empty:
        return
    st.subheader("Roadmap progress across runs")
    rows = [
        f"- {minute(row['run_started_at'])}: "
        + (
            f"{int(row['actions_done'])} done, {int(row['actions_new'])} new, "
            f"{int(row['actions_open'])} still open since the previous run"
            if not missing(row["previous_run_id"])
            else f"first run: {int(row['actions_new'])} action(s)"
        )
        for row in queries.records(progress)
    ]
    st.markdown("\n".join(rows))


def page() -> None:
    """Trends of one project, then of the portfolio."""
    rec = choose_project()
    if rec is None:
        return
    project_id = str(rec["project_id"])
    st.subheader(f"{md(rec['project_name'])}: scores over runs")
    trend_chart(queries.score_history(project_id), f"{rec['project_name']}: gap scores over runs")
    what_changed(project_id)
    roadmap_progress(project_id)
    st.subheader("Portfolio: mean gap scores over runs")
    trend_chart(queries.portfolio_history(), "Portfolio: mean gap score over runs")


render(page, title="Trends")
