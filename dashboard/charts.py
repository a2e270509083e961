"""Altair charts of the dashboard; every chart has a title and axis labels."""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from dashboard.labels import GAP_LABELS, STATUS_COLOURS, STATUS_LABELS


def _status_scale() -> alt.Scale:
    return alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))


def gap_bars(scores: pd.DataFrame, ready_threshold: float) -> alt.LayerChart:
    """Six horizontal bars with the score and the status in words, and the ready threshold."""
    data = scores.assign(
        gap_label=scores["gap"].map(GAP_LABELS),
        status_label=scores["status"].map(STATUS_LABELS),
        shown=scores["score"].fillna(0),
        text=scores.apply(
            lambda r: (
                f"{r['score']:.0f} · {STATUS_LABELS[r['status']]}"
                if pd.notna(r["score"])
                else STATUS_LABELS[r["status"]]
            ),
            axis=1,
        ),
    )
    order = list(GAP_LABELS.values())
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("shown:Q", title="Score (0-100)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("gap_label:N", title="Gap", sort=order),
            color=alt.Color("status:N", title="Status", scale=_status_scale()),
            tooltip=["gap_label", "score", "status_label", "checks_with_evidence", "checks_total"],
        )
    )
    text = bars.mark_text(align="left", dx=4).encode(text="text:N", color=alt.value("#222"))
    rule = (
        alt.Chart(pd.DataFrame({"ready": [ready_threshold]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x="ready:Q")
    )
    chart = alt.layer(bars, text, rule).properties(title="Readiness by gap", height=220)
    return cast(alt.LayerChart, chart)


def heatmap(scores: pd.DataFrame) -> alt.LayerChart:
    """Projects by gaps, the score written in each cell and the status as colour and tooltip."""
    data = scores.assign(
        gap_label=scores["gap"].map(GAP_LABELS),
        status_label=scores["status"].map(STATUS_LABELS),
        text=scores["score"].map(lambda s: "-" if pd.isna(s) else f"{s:.0f}"),
    )
    base = alt.Chart(data).encode(
        x=alt.X("gap_label:N", title="Gap", sort=list(GAP_LABELS.values())),
        y=alt.Y("project_name:N", title="Project"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("status:N", title="Status", scale=_status_scale()),
        tooltip=["project_name", "gap_label", "score", "status_label"],
    )
    text = base.mark_text(color="white", fontWeight="bold").encode(text="text:N")
    chart = alt.layer(cells, text).properties(title="Gap scores across the portfolio")
    return cast(alt.LayerChart, chart)
