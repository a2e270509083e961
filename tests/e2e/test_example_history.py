"""The example's history on a fresh install: the first run of the example portfolio assesses its
three earlier weeks (support_copilot's evidence as it was then), then the present, scored by one
dbt build; `readiness history`, `readiness diff` and the Trends page show support_copilot moving
from not yet to go, and a later run finds the history there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from typer.testing import CliRunner

from core.settings import DEFAULT_RUBRIC, get_settings
from flows import backfill
from flows.assess import assess_portfolio
from flows.cli import app
from flows.config import load_portfolio
from readmodel import history
from readmodel.snapshots import portfolio_file
from tests.conftest import copy_examples, kept_environment, use_home
from tests.dashboard.helpers import page, text_of

WEEKS = [datetime(2026, 10, 30, 9, tzinfo=UTC), datetime(2026, 11, 6, 9, tzinfo=UTC)]
WEEKS += [datetime(2026, 11, 13, 9, tzinfo=UTC), datetime(2026, 11, 20, 9, tzinfo=UTC)]
OTHERS = ["churn_predictor", "contract_review", "invoice_extraction", "sales_forecast_assistant"]


@dataclass(frozen=True)
class FirstRun:
    home: Path
    portfolio: Path
    run_id: str
    snapshot: Path
    runs: list[tuple[str, datetime]]  # (run id, as of), oldest first


@pytest.fixture(scope="module")
def first_run(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    """The example portfolio's first run on a fresh home, as `readiness run` makes it."""
    base = tmp_path_factory.mktemp("example_history")
    portfolio = copy_examples(base / "examples")
    with kept_environment(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_HOME", str(base / "home"))
        settings = use_home(base / "home")
        run_id = assess_portfolio(str(portfolio))
        snapshot = portfolio_file(settings.snapshot, "example")
        with duckdb.connect(str(snapshot), read_only=True) as con:
            rows = con.execute("select run_id, as_of from runs order by started_at").fetchall()
        runs = [(r, a.astimezone(UTC)) for r, a in rows]
        yield FirstRun(base / "home", portfolio, run_id, snapshot, runs)
    get_settings.cache_clear()


def verdicts(snapshot: Path, run_id: str) -> dict[str, str]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        rows = con.execute(
            "select project_id, recommendation from recommendations where run_id = ?", [run_id]
        ).fetchall()
    return dict(rows)


def test_the_first_run_assesses_every_week_and_ends_with_today(first_run: FirstRun) -> None:
    assert [as_of for _, as_of in first_run.runs] == WEEKS
    assert first_run.runs[-1][0] == first_run.run_id  # the summary's run is today's
    copilot = [
        verdicts(first_run.snapshot, run_id)["support_copilot"] for run_id, _ in first_run.runs
    ]
    assert copilot == ["not_yet", "not_yet", "not_yet", "go"]
    for run_id, _ in first_run.runs:
        shown = verdicts(first_run.snapshot, run_id)
        assert sorted(shown) == sorted([*OTHERS, "support_copilot"])
        assert {shown[p] for p in OTHERS} == {"not_yet"}
    # A later run finds the history in the warehouse and assesses only the present.
    loaded = load_portfolio(first_run.portfolio, DEFAULT_RUBRIC)
    settings = get_settings()
    assert backfill.pending(settings.warehouse, loaded) == []


def test_history_lists_the_weeks_with_their_as_of(first_run: FirstRun) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["history", "support_copilot", "--json"])
    assert done.exit_code == 0, done.output
    runs = json.loads(done.stdout)
    assert [r["as_of"][:10] for r in runs] == [
        "2026-11-20",
        "2026-11-13",
        "2026-11-06",
        "2026-10-30",
    ]
    assert [r["recommendation"] for r in runs] == ["go", "not_yet", "not_yet", "not_yet"]
    oldest, newest = runs[-1]["gap_scores"], runs[0]["gap_scores"]
    for gap in ("integration", "evaluation", "scale", "maintenance"):
        assert oldest[gap] < newest[gap], gap
    table = runner.invoke(app, ["history", "support_copilot"])
    assert "As of" in table.stdout and "2026-10-30 09:00" in table.stdout


def test_diff_between_the_first_and_last_week_shows_the_flip(first_run: FirstRun) -> None:
    first, last = first_run.runs[0][0], first_run.runs[-1][0]
    done = CliRunner().invoke(app, ["diff", first, last, "--project", "support_copilot", "--json"])
    assert done.exit_code == 0, done.output
    (project,) = json.loads(done.stdout)["projects"]
    assert (project["recommendation_before"], project["recommendation_after"]) == ("not_yet", "go")
    flipped = {c["check_id"]: (c["result_before"], c["result_after"]) for c in project["checks"]}
    assert flipped["sc_latency"] == ("fail", "pass")
    assert flipped["mt_monitoring"] == ("fail", "pass")
    assert flipped["ev_suite"] == ("fail", "pass")
    changed = {i["name"]: i["change"] for i in project["inputs"]}
    assert "changed" in changed.values()


def test_the_pair_queries_compare_every_consecutive_pair_as_the_marts_do(
    first_run: FirstRun,
) -> None:
    """`readiness diff` of any two runs is SQL (readmodel.queries.PAIR_*) with the definitions of
    dbt's run-to-run marts: for every consecutive pair of the example's history, every project,
    both give the same verdicts, gaps, checks and inputs."""
    compared = 0
    with duckdb.connect(str(first_run.snapshot), read_only=True) as con:
        for (before, _), (after, _) in pairwise(first_run.runs):
            for project_id in sorted(verdicts(first_run.snapshot, after)):
                marts = history.changes_since_previous(con, project_id, after)
                assert marts is not None and marts.run_before == before
                pair = history.compare_pair(con, project_id, before, after)
                assert pair == marts, (project_id, before, after)
                assert pair.to_dict() == marts.to_dict()
                compared += 1
        # Something moved between the weeks, so the equality is not one of empty lists.
        moved = [
            history.compare_pair(con, "support_copilot", b, a)
            for (b, _), (a, _) in pairwise(first_run.runs)
        ]
        assert any(d.checks for d in moved) and any(d.inputs for d in moved)
        assert any(d.changed_gaps for d in moved) and any(d.recommendation_changed for d in moved)
    assert compared == 5 * (len(first_run.runs) - 1)


def test_trends_page_shows_the_movement(first_run: FirstRun) -> None:
    get_settings.cache_clear()
    st.cache_data.clear()
    at = page("trends", project="support_copilot")
    assert not at.exception
    shown = text_of(at)
    assert "Only one run so far" not in shown
    assert "nothing to compare yet" not in shown
    assert at.selectbox(key="trend-after").value == first_run.run_id
    assert "**Recommendation:** ⛔ Not yet → ✅ Go" in shown


def test_trends_place_each_run_at_its_as_of(first_run: FirstRun) -> None:
    """The chart's time axis is when each run assessed, a week apart, not when it ran (minutes)."""
    from dashboard import queries
    from dashboard.charts import score_lines

    get_settings.cache_clear()
    st.cache_data.clear()
    history = queries.score_history("support_copilot")
    placed = sorted(
        {
            t.to_pydatetime()
            for t in history["as_of"].map(
                lambda t: t.tz_localize(None) if t.tzinfo is None else t.tz_convert(None)
            )
        }
    )
    assert placed == [w.replace(tzinfo=None) for w in WEEKS]
    chart = score_lines(history, history.iloc[0:0], "support_copilot").to_dict()
    values = next(iter(chart["datasets"].values()))
    assert len({row["when"] for row in values}) == len(WEEKS)
    assert chart["layer"][0]["encoding"]["x"]["title"] == "Assessed as of"
