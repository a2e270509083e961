"""The rollups across portfolios: the ``readiness_rollups`` mart of every snapshot the session may read.

dbt rolls each project's latest result up by portfolio, business unit and owner, within each
portfolio (dbt_project/models/marts/readiness_rollups.sql); every portfolio's snapshot holds its
own rows (readmodel/snapshots.py, ``PORTFOLIO_MARTS``). This module only selects them, across the
permitted snapshots (never one the session may not read), and names the columns: no figure is
computed here. A business unit or owner with projects in two portfolios has a row in each.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from core.settings import get_settings
from dashboard import access, queries
from readmodel import snapshots
from readmodel.vocabulary import GAP_LABELS

CACHE_SECONDS = 60
MART = "readiness_rollups"

#: The mart's dimensions, with the words people read.
DIMENSIONS = {"portfolio": "Portfolio", "business_unit": "Business unit", "owner": "Owner"}

#: The mart's figures in the order shown, with their column titles.
FIGURES = {
    "projects": "Projects",
    "projects_go": "Go",
    "share_go": "Share go",
    **GAP_LABELS,
    "blockers": "Blockers",
    "waivers": "Waivers",
    "targets_at_risk": "Targets at risk or missed",
    "mean_days_to_target": "Mean days to target",
}

_SQL = (
    "select portfolio_id, dimension, grouped_by, "
    + ", ".join(FIGURES)
    + f" from {MART} where dimension = ? order by portfolio_id, grouped_by"
)


class RollupsError(RuntimeError):
    """The snapshots cannot be read, or were published before the rollups were."""


def rollups(dimension: str) -> pd.DataFrame:
    """The mart's rows of one dimension, of every portfolio the session may read."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"{dimension!r} is not one of {', '.join(DIMENSIONS)}")
    try:
        what = snapshots.readable(get_settings().snapshot, access.permitted())
        return queries.query_files(what, _SQL, dimension)
    except queries.MissingMartError as err:
        raise RollupsError(
            "the published snapshots hold no rollups yet (they were published by an older "
            "version): run `readiness run` again"
        ) from err
    except (OSError, queries.SnapshotError) as err:  # NoSnapshotError is an OSError
        raise RollupsError(str(err)) from err


def table(rows: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The rows as shown and downloaded: portfolio, the group (unless by portfolio), figures."""
    columns: dict[str, Any] = {"portfolio_id": "Portfolio"}
    if dimension != "portfolio":
        columns["grouped_by"] = DIMENSIONS[dimension]
    columns.update(FIGURES)
    return rows.rename(columns=columns)[list(columns.values())].reset_index(drop=True)


def share_go_chart(rows: pd.DataFrame, dimension: str) -> alt.LayerChart:
    """Share of projects that are go per group, with "n of m go" written beside each bar."""
    label = DIMENSIONS[dimension]
    data = rows.assign(
        group=rows["grouped_by"]
        if dimension == "portfolio"
        else rows["grouped_by"].astype(str) + " (" + rows["portfolio_id"].astype(str) + ")",
        text=rows["projects_go"].astype(str) + " of " + rows["projects"].astype(str) + " go",
    )
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", title=label, sort=None),
        x=alt.X(
            "share_go:Q",
            title="Share go",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("portfolio_id:N", title="Portfolio"),
        tooltip=[
            alt.Tooltip("group:N", title=label),
            alt.Tooltip("portfolio_id:N", title="Portfolio"),
            alt.Tooltip("projects:Q", title="Projects"),
            alt.Tooltip("projects_go:Q", title="Go"),
            alt.Tooltip("share_go:Q", title="Share go", format=".0%"),
        ],
    )
    text = base.mark_text(align="left", dx=4, color="#212121").encode(text="text:N")
    return alt.LayerChart(
        layer=[bars, text], title=f"Share of projects that are go, by {label.lower()}"
    )
