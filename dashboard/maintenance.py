"""The maintenance drill-down: alert coverage (service x signal), on-call strip, incident times.

Every figure is selected from the marts ``alert_coverage``, ``on_call_days`` and
``incident_times``; nothing is computed here but the labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.tables import table
from readmodel.vocabulary import missing, number

SIGNALS = {"latency": "Latency", "errors": "Errors", "saturation": "Saturation", "quality": "Quality / drift"}  # fmt: skip


def _cell(row: Mapping[Any, Any]) -> str:
    if bool(row["covered"]):
        return f"✅ {row['alert_names']}"
    if int(row["alerts"]) > 0:
        return f"⚠️ dead end: {row['alert_names']}"
    return "⛔ no alert"


def coverage_matrix(cells: pd.DataFrame) -> pd.DataFrame:
    """Services by signals; each cell says which alerts reach someone, or that none does."""
    records = cells.to_dict("records")
    services = sorted({r["service"] for r in records})
    signals = [s for s in SIGNALS if any(r["signal"] == s for r in records)]
    signals += sorted({r["signal"] for r in records} - set(signals))
    rows = []
    for service in services:
        row = {"Service": service}
        for signal in signals:
            found = [r for r in records if r["service"] == service and r["signal"] == signal]
            row[SIGNALS.get(signal, signal)] = _cell(found[0]) if found else "⛔ no alert"
        rows.append(row)
    return pd.DataFrame(rows)


def on_call_strip(days: pd.DataFrame) -> alt.Chart:
    """The four weeks as one bar per day: hours on call, and the gap in red."""
    data = days.assign(
        date=pd.to_datetime(days["day_start"]).dt.strftime("%a %d %b"),
        on_call=days["covered_hours"].astype("float64"),
        gap=days["gap_hours"].astype("float64"),
    ).melt(
        id_vars=["day", "date"], value_vars=["on_call", "gap"], var_name="kind", value_name="hours"
    )
    data["kind"] = data["kind"].map({"on_call": "Somebody on call", "gap": "Nobody on call"})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("date:N", sort=alt.SortField("day"), title=None, axis=alt.Axis(labelAngle=-60)),
            y=alt.Y("hours:Q", title="Hours", scale=alt.Scale(domain=[0, 24])),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(
                    domain=["Somebody on call", "Nobody on call"], range=["#2e7d32", "#c62828"]
                ),
            ),
            tooltip=[
                alt.Tooltip("date:N", title="Day"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("hours:Q"),
            ],
        )
        .properties(height=160)
    )


def _minutes(value: Any) -> str:
    return "–" if missing(value) else f"{number(value)} min"


def maintenance(run_id: str, project_id: str) -> None:
    """Alert coverage, the on-call strip and incident times, where the artifacts were read."""
    try:
        cells = queries.alert_coverage(run_id, project_id)
        days = queries.on_call_days(run_id, project_id)
        incidents = queries.incident_times(run_id, project_id)
    except queries.SnapshotError:
        st.write("This snapshot was published before operations artifacts were read.")
        return
    st.subheader("Alert coverage: services by signals")
    if cells.empty:
        st.write("No alerting rules were read in this run.")
    else:
        table(coverage_matrix(cells), f"{project_id}-alert-coverage")
    st.subheader("On call in the next four weeks")
    if days.empty:
        st.write("No on-call schedule was read in this run.")
    else:
        gap = float(days["gap_hours"].astype("float64").sum())
        people = int(days["people"].iloc[0])
        st.write(
            f"{number(gap)} hours with nobody on call in the next four weeks; "
            f"{people} {'person' if people == 1 else 'people'} in the rotation."
        )
        st.altair_chart(on_call_strip(days), width="stretch")
    st.subheader("Incidents in the last 90 days")
    if incidents.empty:
        st.write("No incident export was read in this run.")
        return
    shown = pd.DataFrame(
        {
            "Export": incidents["source"],
            "Incidents": incidents["incidents"].map(number),
            "Acknowledge, median": incidents["ack_median_minutes"].map(_minutes),
            "Acknowledge, p90": incidents["ack_p90_minutes"].map(_minutes),
            "Resolve, median": incidents["resolve_median_minutes"].map(_minutes),
            "Resolve, p90": incidents["resolve_p90_minutes"].map(_minutes),
        }
    )
    table(shown, f"{project_id}-incident-times")
