"""Every page, run with Streamlit's AppTest: assertions that hold for any valid published snapshot.

Expected values are read from the snapshot itself, so these tests keep working when the fixture
``snapshot_path`` is switched to a snapshot built by the real pipeline.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from readmodel.vocabulary import GAP_IDS
from tests.dashboard.helpers import (
    APP,
    GAP_WORDS,
    chart_data,
    chart_title,
    figures,
    gap_chart,
    latest,
    page,
    read,
    text_of,
)


def test_navigation_opens_the_portfolio(snapshot_path: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "AI production readiness: portfolio"


def test_portfolio_counts_and_lists_every_latest_project(snapshot_path: Path) -> None:
    at = page("portfolio")
    assert not at.exception
    expected = latest(snapshot_path)
    go = int((expected["recommendation"] == "go").sum())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Projects"] == str(len(expected))
    assert metrics["✅ Go"] == str(go)
    assert metrics["⛔ Not yet"] == str(len(expected) - go)

    table = at.dataframe[0].value
    assert len(table) == len(expected)
    assert set(table["Project"]) == set(expected["project_name"])
    assert set(table["Recommendation"]) <= {"✅ Go", "⛔ Not yet"}  # words, never colour alone
    assert set(GAP_WORDS) <= set(table.columns)
    assert {"Business unit", "Confidence", "Weakest gap"} <= set(table.columns)


def test_portfolio_shows_the_run_heatmap_and_blockers(snapshot_path: Path) -> None:
    at = page("portfolio")
    assert not at.exception
    newest = latest(snapshot_path).sort_values("run_started_at").iloc[-1]
    caption = at.caption[0].value
    assert newest["run_id"] in caption and str(newest["rubric_version"]) in caption

    heat = chart_data(at)
    assert "Gap scores across the portfolio" in chart_title(at)
    assert set(heat["gap_text"]) <= set(GAP_WORDS)
    assert set(heat["project_name"]) == set(latest(snapshot_path)["project_name"])

    # A blocker recurs when it fails, not waived, in two or more projects (recurring_blockers).
    failing = read(snapshot_path, "select count(*) as n from recurring_blockers")
    if int(failing["n"][0]):
        blockers = at.dataframe[1].value
        assert len(blockers) == int(failing["n"][0])
        assert list(blockers["Projects"]) == sorted(blockers["Projects"], reverse=True)


def test_project_page_for_every_project(snapshot_path: Path) -> None:
    for rec in latest(snapshot_path).to_dict("records"):
        at = page("project", project=rec["project_id"])
        assert not at.exception, rec["project_id"]
        banner = (at.success if rec["recommendation"] == "go" else at.error)[0].value
        assert ("GO" if rec["recommendation"] == "go" else "NOT YET") in banner
        assert rec["reason"] in banner
        assert figures(at)["Confidence"] == f"{rec['confidence']:.0%}"
        bars = gap_chart(at)
        assert list(bars["gap_text"]) == GAP_WORDS  # the six gaps, in rubric order
        assert (
            bars["label"]
            .str.contains("Ready|At risk|Blocked|Insufficient evidence|No evidence")
            .all()
        )
        assert at.query_params["project"] == rec["project_id"]


def test_project_page_defaults_to_a_project_without_query(snapshot_path: Path) -> None:
    at = page("project")
    assert not at.exception
    assert at.query_params["project"] in set(latest(snapshot_path)["project_id"])
    assert at.error or at.success


def test_project_page_ignores_an_unknown_project(snapshot_path: Path) -> None:
    at = page("project", project="no_such_project")
    assert not at.exception
    assert at.query_params["project"] in set(latest(snapshot_path)["project_id"])


def test_gap_drill_down_lists_every_check_of_every_gap(snapshot_path: Path) -> None:
    rec = latest(snapshot_path).to_dict("records")[0]
    at = page("gap", project=rec["project_id"])
    assert not at.exception
    assert at.selectbox(key="gap").options == GAP_WORDS
    for gap in GAP_IDS:
        at.selectbox(key="gap").select(gap).run()
        assert not at.exception, gap
        checks = read(
            snapshot_path,
            "select * from check_results where run_id = ? and project_id = ? and gap = ?",
            rec["run_id"],
            rec["project_id"],
            gap,
        )
        evidence = [e for e in at.expander if e.label == "Evidence"]
        assert len(evidence) == len(checks), gap
        text = text_of(at)
        for check in checks.to_dict("records"):
            assert check["check_id"] in text
        assert at.query_params["gap"] == gap


def test_switching_pages_through_the_navigation_keeps_the_project(snapshot_path: Path) -> None:
    project_id = latest(snapshot_path)["project_id"].iloc[-1]
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.selectbox[0].select(project_id).run()
    at.button[0].click().run()
    assert not at.exception
    assert at.query_params["project"] == project_id
    assert at.error or at.success  # the verdict banner of the project page


def test_no_lock_is_left_on_the_snapshot(snapshot_path: Path) -> None:
    project_id = latest(snapshot_path)["project_id"].iloc[0]
    for name in ("portfolio", "project", "gap", "trends"):
        assert not page(name, project=project_id).exception
    # A read-write connection fails if any connection (of this process or another) is still open.
    with duckdb.connect(str(snapshot_path)) as con:
        con.execute("create table lock_probe as select 1 as x")


@pytest.mark.parametrize("name", ["portfolio", "project", "gap", "trends"])
def test_every_page_explains_a_missing_snapshot(missing_snapshot: Path, name: str) -> None:
    at = page(name)
    assert not at.exception
    assert at.info[0].value == "No assessment has been published yet. Run `readiness run`."


@pytest.mark.parametrize("name", ["portfolio", "project", "gap", "trends"])
def test_every_page_explains_an_unreadable_snapshot(missing_snapshot: Path, name: str) -> None:
    missing_snapshot.parent.mkdir(parents=True)
    duckdb.connect(str(missing_snapshot)).close()  # a DuckDB file without the marts
    at = page(name)
    assert not at.exception
    assert "could not be read" in at.error[0].value


def test_the_navigation_app_explains_a_missing_snapshot(missing_snapshot: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "No assessment has been published yet" in at.info[0].value


def test_the_scale_blocker_of_the_example_shows_its_remediation(snapshot_path: Path) -> None:
    """On the flow's own snapshot: the example built to fail on cost shows why and what to do."""
    at = page("project", project="sales_forecast_assistant")
    assert not at.exception
    shown = text_of(at)
    assert "NOT YET" in shown
    assert "Cut cost per request" in shown  # the remediation of sc_cost_budget
