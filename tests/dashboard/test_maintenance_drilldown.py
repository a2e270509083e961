"""The maintenance drill-down: alert coverage matrix, on-call strip and incident times (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.maintenance import coverage_matrix
from tests.dashboard.helpers import chart_data, page, read


def test_the_matrix_says_in_words_what_reaches_someone() -> None:
    cells = pd.DataFrame(
        [
            {
                "service": "api",
                "signal": "latency",
                "alerts": 1,
                "delivering_alerts": 1,
                "covered": True,
                "alert_names": "Slow",
            },
            {
                "service": "api",
                "signal": "errors",
                "alerts": 1,
                "delivering_alerts": 0,
                "covered": False,
                "alert_names": "Errors (dead end)",
            },
            {
                "service": "api",
                "signal": "quality",
                "alerts": 0,
                "delivering_alerts": 0,
                "covered": False,
                "alert_names": None,
            },
        ]
    )
    matrix = coverage_matrix(cells)
    assert list(matrix.columns) == ["Service", "Latency", "Errors", "Quality / drift"]
    row = matrix.iloc[0]
    assert row["Latency"] == "✅ Slow"
    assert row["Errors"].startswith("⚠️ dead end")
    assert row["Quality / drift"] == "⛔ no alert"


def test_the_example_churn_predictor_shows_its_operations(snapshot_path: Path) -> None:
    at = page("gap", project="churn_predictor")
    at.selectbox(key="gap").select("maintenance").run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    matrix = next(t for t in tables if "Service" in t.columns)
    assert list(matrix["Service"]) == ["churn-api", "churn-batch"]
    assert all(str(v).startswith("✅") for v in matrix.drop(columns="Service").to_numpy().ravel())
    strip = chart_data(at, index=-1)
    assert len(strip) == 2 * 28 and set(strip["kind"]) == {"Somebody on call", "Nobody on call"}
    incidents = next(t for t in tables if "Export" in t.columns)
    expected = read(
        snapshot_path,
        "select * from incident_times where project_id = 'churn_predictor' order by run_id desc limit 1",
    )
    assert incidents["Incidents"].tolist() == [str(int(expected["incidents"][0]))]
    assert incidents["Acknowledge, p90"].iloc[0].endswith(" min")
