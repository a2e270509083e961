"""Every dashboard page, run with Streamlit's AppTest against the snapshot the real flow published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from flows.report import project_results
from flows.settings import REPO_ROOT, get_settings
from tests.conftest import Assessed

PAGES = REPO_ROOT / "dashboard" / "app_pages"


@pytest.fixture
def snapshot(assessed_examples: Assessed, monkeypatch: pytest.MonkeyPatch) -> Iterator[Assessed]:
    monkeypatch.setenv("READINESS_HOME", str(assessed_examples.home))
    get_settings.cache_clear()
    st.cache_data.clear()
    yield assessed_examples
    get_settings.cache_clear()
    st.cache_data.clear()


def page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_navigation_app_runs(snapshot: Assessed) -> None:
    at = AppTest.from_file(
        str(REPO_ROOT / "dashboard" / "streamlit_app.py"), default_timeout=60
    ).run()
    assert not at.exception
    assert at.title[0].value == "AI production readiness: portfolio"


def test_portfolio_lists_every_project_with_counts(snapshot: Assessed) -> None:
    at = page("portfolio")
    assert not at.exception
    results = project_results(snapshot.snapshot)
    metrics = {m.label: m.value for m in at.metric}
    go = sum(r["recommendation"] == "go" for r in results)
    assert metrics == {
        "Projects": str(len(results)),
        "✅ Go": str(go),
        "⛔ Not yet": str(len(results) - go),
    }
    table = at.dataframe[0].value
    assert len(table) == len(results)
    assert set(table["Recommendation"]) <= {"✅ GO", "⛔ NOT YET"}  # never colour alone
    assert {
        "Data quality",
        "Integration",
        "Stakeholder alignment",
        "Evaluation",
        "Scale",
        "Maintenance",
    } <= set(table.columns)
    blockers = at.dataframe[1].value
    assert "sc_cost_budget" in set(blockers["Check"])


@pytest.mark.parametrize(
    ("project", "verdict"), [("support_copilot", "GO"), ("sales_forecast_assistant", "NOT YET")]
)
def test_project_page_shows_verdict_reason_cost_and_roadmap(
    snapshot: Assessed, project: str, verdict: str
) -> None:
    at = page("project", project=project)
    assert not at.exception
    result = next(r for r in project_results(snapshot.snapshot) if r["project"] == project)
    banner = (at.success if verdict == "GO" else at.error)[0].value
    assert verdict in banner and result["reason"] in banner
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Confidence"] == f"{result['confidence']:.0%}"
    assert metrics["Monthly cost at target"].startswith("EUR")
    assert metrics["Newest evidence"] != "-"
    if verdict == "NOT YET":
        assert "Total effort" in metrics and "Timeline" in metrics
        assert "Cut cost per request" in text_of(at)  # the blocker's remediation


def test_gap_drill_down_shows_every_check_with_evidence(snapshot: Assessed) -> None:
    at = page("gap", project="churn_predictor")
    assert not at.exception
    at.selectbox[1].select("data_quality").run()
    text = text_of(at)
    assert "dq_freshness" in text and "⛔ Fail" in text
    assert "Measured" in text and "Pass <=" in text
    assert len(at.json) >= 7  # one evidence document per data-quality check with evidence


def test_every_page_explains_an_empty_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        for name in ("portfolio", "project", "gap"):
            at = page(name)
            assert not at.exception, name
            assert "No assessment has been published yet" in at.info[0].value
    finally:
        get_settings.cache_clear()
