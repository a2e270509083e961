"""Altair charts of the dashboard: each has a title and axis labels, and writes status in words."""

from __future__ import annotations

import altair as alt
import pandas as pd

from readmodel.vocabulary import GAP_LABELS, STATUS_COLOURS, STATUS_SYMBOLS, gap_label, missing

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
        title="Gap scores across the portfolio (✓ ready, ! at risk, ✕ blocked, ~ insufficient evidence, ? no evidence)",
        height=alt.Step(36),
    )


def agreement_heatmap(cells: pd.DataFrame) -> alt.LayerChart:
    """Stakeholder groups by questions: mean agreement written in each cell, spread as ± text."""
    data = cells.assign(
        agreement_pct=(cells["agreement"].astype("float64") * 100).round(0),
        spread_pct=(cells["disagreement"].astype("float64") * 100).round(0),
    )
    data = data.assign(
        cell=data["agreement_pct"].map(lambda v: f"{v:.0f}%")
        + data["spread_pct"].map(lambda v: f" ±{v:.0f}" if v >= 1 else ""),
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "question_id:N",
            title="Question",
            axis=alt.Axis(labelAngle=-40, labelOverlap=False, labelLimit=160),
        ),
        y=alt.Y("stakeholder_group:N", title="Stakeholder group"),
    )
    cells_mark = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "agreement_pct:Q",
            title="Agreement (%)",
            scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen"),
        ),
        tooltip=[
            alt.Tooltip("stakeholder_group:N", title="Group"),
            alt.Tooltip("question_text:N", title="Question"),
            alt.Tooltip("agreement_pct:Q", title="Agreement (%)"),
            alt.Tooltip("spread_pct:Q", title="Disagreement (± points)"),
            alt.Tooltip("respondents:Q", title="Respondents"),
        ],
    )
    text = base.mark_text(color=TEXT_COLOUR, fontSize=10).encode(text="cell:N")
    return alt.LayerChart(
        layer=[cells_mark, text],
        title="Agreement by stakeholder group and question (± = disagreement within the group)",
        height=alt.Step(34),
        width=alt.Step(54),
    )


def limit_line(x: float, label: str) -> list[alt.Chart]:
    """A dashed vertical line at ``x`` with its label written at the top (an SLO, a budget)."""
    line = pd.DataFrame({"x": [x], "label": [label]})
    return [
        alt.Chart(line).mark_rule(strokeDash=[4, 4], color=TEXT_COLOUR).encode(x="x:Q"),
        alt.Chart(line)
        .mark_text(align="left", dx=3, dy=-4, baseline="bottom", color=TEXT_COLOUR)
        .encode(x="x:Q", y=alt.value(0), text="label:N"),
    ]


def latency_bars(stats: pd.DataFrame, slo_ms: float | None) -> alt.LayerChart:
    """Median, p95 and p99 latency per endpoint from the load tests, with the SLO line if known."""
    long = stats.melt(
        id_vars=["endpoint"],
        value_vars=["median_ms", "p95_ms", "p99_ms"],
        var_name="percentile",
        value_name="latency_ms",
    )
    long = long.assign(
        percentile=long["percentile"].map({"median_ms": "median", "p95_ms": "p95", "p99_ms": "p99"})
    )
    long = long.assign(
        label=long["percentile"]
        + " "
        + long["latency_ms"].map(lambda v: "–" if missing(v) else f"{v:,.0f} ms")
    )
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("latency_ms:Q", title="Latency (ms)"),
            y=alt.Y("endpoint:N", title="Endpoint"),
            yOffset=alt.YOffset("percentile:N", sort=["median", "p95", "p99"]),
            color=alt.Color("percentile:N", title="Percentile", sort=["median", "p95", "p99"]),
            tooltip=["endpoint:N", "percentile:N", alt.Tooltip("latency_ms:Q", title="ms")],
        )
    )
    text = (
        alt.Chart(long)
        .mark_text(align="left", dx=3, color=TEXT_COLOUR)
        .encode(
            x="latency_ms:Q",
            y="endpoint:N",
            yOffset=alt.YOffset("percentile:N", sort=["median", "p95", "p99"]),
            text="label:N",
        )
    )
    layers: list[alt.Chart] = [bars, text]
    if slo_ms is not None:
        layers += limit_line(slo_ms, f"p95 SLO {slo_ms:,.0f} ms")
    return alt.LayerChart(layer=layers, title="Latency under load by endpoint")


def error_bars(stats: pd.DataFrame, budget: float | None) -> alt.LayerChart:
    """Error rate per endpoint from the load tests, written as % on each bar, with the budget."""
    data = stats.assign(
        error_pct=stats["error_rate"].astype("float64").fillna(0.0) * 100,
    )
    data = data.assign(label=data["error_pct"].map(lambda v: f"{v:.2f}%"))
    bars = (
        alt.Chart(data)
        .mark_bar(color="#90a4ae")
        .encode(
            x=alt.X("error_pct:Q", title="Error rate (% of requests)"),
            y=alt.Y("endpoint:N", title="Endpoint"),
            tooltip=["endpoint:N", "request_count:Q", "failure_count:Q", "label:N"],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=3, color=TEXT_COLOUR)
        .encode(x="error_pct:Q", y="endpoint:N", text="label:N")
    )
    layers: list[alt.Chart] = [bars, text]
    if budget is not None:
        layers += limit_line(budget * 100, f"error budget {budget:.1%}")
    return alt.LayerChart(layer=layers, title="Errors under load by endpoint")


def _assessed_at(runs: pd.DataFrame) -> pd.Series:
    """When each run assessed: its as-of, else (a snapshot from before as-of was kept) its start."""
    if "as_of" not in runs:
        return runs["run_started_at"]
    return runs["as_of"].where(runs["as_of"].notna(), runs["run_started_at"])


def score_lines(history: pd.DataFrame, rubric_changes: pd.DataFrame, title: str) -> alt.LayerChart:
    """Gap scores over runs, one line per gap (points labelled), rubric changes as rules."""
    data = history.assign(
        gap_text=history["gap"].map(gap_label),
        when=pd.to_datetime(_assessed_at(history)),
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("when:T", title="Assessed as of"),
            y=alt.Y("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("gap_text:N", title="Gap", sort=list(GAP_LABELS.values())),
            strokeDash=alt.StrokeDash("gap_text:N", title="Gap", sort=list(GAP_LABELS.values())),
            tooltip=[
                alt.Tooltip("when:T", title="Assessed as of", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("run_id:N", title="Run"),
                alt.Tooltip("gap_text:N", title="Gap"),
                alt.Tooltip("score:Q", title="Score", format=".0f"),
                alt.Tooltip("rubric_version:N", title="Rubric"),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    if not rubric_changes.empty:
        marks = rubric_changes.assign(when=pd.to_datetime(_assessed_at(rubric_changes)))
        marks = marks.assign(label="rubric " + marks["rubric_version"].astype(str))
        layers.append(
            alt.Chart(marks).mark_rule(strokeDash=[6, 3], color=TEXT_COLOUR).encode(x="when:T")
        )
        layers.append(
            alt.Chart(marks)
            .mark_text(align="left", dx=3, dy=-4, baseline="bottom", color=TEXT_COLOUR)
            .encode(x="when:T", y=alt.value(0), text="label:N")
        )
    return alt.LayerChart(layer=layers, title=title)


def failure_category_bars(categories: pd.DataFrame) -> alt.LayerChart:
    """Failed grades per failure category of the newest evaluation runs, each count written."""
    bars = (
        alt.Chart(categories)
        .mark_bar(color="#90a4ae")
        .encode(
            x=alt.X("failures:Q", title="Failed grades"),
            y=alt.Y("failure_category:N", title="Failure category", sort="-x"),
            tooltip=["failure_category:N", "failures:Q"],
        )
    )
    text = (
        alt.Chart(categories)
        .mark_text(align="left", dx=3, color=TEXT_COLOUR)
        .encode(x="failures:Q", y=alt.Y("failure_category:N", sort="-x"), text="failures:Q")
    )
    return alt.LayerChart(layer=[bars, text], title="Failures by category (newest evaluation runs)")


def kpi_lines(points: pd.DataFrame, kpi: str) -> alt.LayerChart:
    """One KPI's measured points over time, with its baseline and target as labelled lines."""
    data = points[points["kpi"] == kpi]
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("measured_on:T", title="Measured on"),
            y=alt.Y("value:Q", title=kpi, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("measured_on:T", title="Measured on"), "value:Q"],
        )
    )
    layers: list[alt.Chart] = [line]
    first = data.iloc[0] if not data.empty else None
    for column, label in (("baseline", "baseline"), ("target", "target")):
        if first is None or missing(first[column]):
            continue
        level = pd.DataFrame({"y": [float(first[column])], "label": [f"{label} {first[column]:g}"]})
        layers += [
            alt.Chart(level).mark_rule(strokeDash=[4, 4], color=TEXT_COLOUR).encode(y="y:Q"),
            alt.Chart(level)
            .mark_text(align="left", dx=3, dy=-4, baseline="bottom", color=TEXT_COLOUR)
            .encode(y="y:Q", x=alt.value(0), text="label:N"),
        ]
    return alt.LayerChart(layer=layers, title=f"{kpi}: measured, with baseline and target")
