"""Altair charts of the dashboard: each has a title and axis labels, and writes status in words."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.labels import GAP_LABELS, STATUS_COLOURS, STATUS_SYMBOLS, gap_label, missing

TEXT_COLOUR = "#212121"


def _status_colour(title: str = "Status") -> alt.Color:
    """Status as colour, with the legend in words, so colour is never the only cue."""
    return alt.Color(
        "status_text:N",
        title=title,
        scale=alt.Scale(
            domain=[STATUS_SYMBOLS[s] for s in STATUS_COLOURS],
            range=list(STATUS_COLOURS.values()),
        ),
    )


def _with_labels(scores: pd.DataFrame) -> pd.DataFrame:
    """Gap words, status words and a printable score added to a frame of gap scores."""
    return scores.assign(
        gap_text=scores["gap"].map(gap_label),
        status_text=scores["status"].map(lambda s: STATUS_SYMBOLS.get(s, str(s))),
        score_text=scores["score"].map(lambda s: "–" if missing(s) else f"{s:.0f}"),
        shown=scores["score"].astype("float64").fillna(0.0),
    )


def gap_bars(scores: pd.DataFrame, ready_threshold: float) -> alt.LayerChart:
    """One horizontal bar per gap with its score and status written, and the ready line."""
    data = _with_labels(scores)
    data = data.assign(label=data["score_text"] + " · " + data["status_text"])
    y = alt.Y("gap_text:N", title=None, sort=list(GAP_LABELS.values()))
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("shown:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100])),
            y=y,
            color=_status_colour(),
            tooltip=[
                alt.Tooltip("gap_text:N", title="Gap"),
                alt.Tooltip("score_text:N", title="Score"),
                alt.Tooltip("status_text:N", title="Status"),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, color=TEXT_COLOUR)
        .encode(x="shown:Q", y=y, text="label:N")
    )
    line = pd.DataFrame({"ready": [ready_threshold], "label": [f"Ready at {ready_threshold:g}"]})
    rule = alt.Chart(line).mark_rule(strokeDash=[4, 4], color=TEXT_COLOUR).encode(x="ready:Q")
    rule_text = (
        alt.Chart(line)
        .mark_text(align="left", dx=3, dy=-6, color=TEXT_COLOUR, baseline="bottom")
        .encode(x="ready:Q", y=alt.value(0), text="label:N")
    )
    return alt.LayerChart(
        layer=[bars, text, rule, rule_text], title="Readiness by gap", height=alt.Step(34)
    )


def heatmap(scores: pd.DataFrame) -> alt.LayerChart:
    """Projects by gaps: the score and status written in each cell, the status as colour too."""
    data = _with_labels(scores)
    data = data.assign(cell=data["score_text"] + " " + data["status_text"].str.slice(0, 1))
    base = alt.Chart(data).encode(
        x=alt.X(
            "gap_text:N",
            title="Gap",
            sort=list(GAP_LABELS.values()),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("project_name:N", title="Project"),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=_status_colour(),
        tooltip=[
            alt.Tooltip("project_name:N", title="Project"),
            alt.Tooltip("gap_text:N", title="Gap"),
            alt.Tooltip("score_text:N", title="Score"),
            alt.Tooltip("status_text:N", title="Status"),
        ],
    )
    text = base.mark_text(color=TEXT_COLOUR, fontWeight="bold").encode(text="cell:N")
    return alt.LayerChart(
        layer=[cells, text],
        title="Gap scores across the portfolio (✓ ready, ! at risk, ✕ blocked, ? no evidence)",
        height=alt.Step(36),
    )
