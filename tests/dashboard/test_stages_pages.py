"""Launch stages on the dashboard (AppTest): the project page's verdict and the ranking name the
stage reached and what stands before the next (dbt's stage_text, set here in the handmade
snapshot)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from tests.dashboard.handmade import NOT_YET, R2
from tests.dashboard.helpers import page

STAGE_TEXT = (
    "ready for pilot; not yet for limited launch: Scale (Cost at target volume fits the budget)"
)


def test_the_stage_reached_shows_on_the_project_page_and_the_ranking(
    handmade_snapshot: Path,
) -> None:
    with duckdb.connect(str(handmade_snapshot)) as con:
        con.execute(
            "update recommendations set stage = 'pilot', next_stage = 'limited_launch', "
            "stage_text = ? where run_id = ? and project_id = ?",
            [STAGE_TEXT, R2, NOT_YET],
        )
        con.execute(  # the ranking reads each project's latest result (project_latest)
            "update project_latest set stage = 'pilot', next_stage = 'limited_launch', "
            "stage_text = ? where run_id = ? and project_id = ?",
            [STAGE_TEXT, R2, NOT_YET],
        )
    at = page("project", project=NOT_YET)
    assert not at.exception
    banner = at.error[0].value
    assert banner.startswith("## ⛔ NOT YET") and f"**Launch stage:** {STAGE_TEXT}" in banner
    at = page("portfolio")
    table = at.dataframe[0].value.set_index("Project")
    assert table.loc["Churn predictor", "Launch stage"] == STAGE_TEXT
    assert pd.isna(table.loc["Support copilot", "Launch stage"])  # a rubric without stages
