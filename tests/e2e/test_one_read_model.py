"""Done when (issue 15): every surface shows the same figures, because each reads them from the
presentation marts through readmodel.

The example portfolio, assessed once for the session (tests/conftest.py), is rendered on every
surface - the dashboard's portfolio and project pages (Streamlit AppTest), the portfolio report
as Markdown, HTML and PDF text, ``readiness status --json``, ``readiness diff --json`` and the
alert's changes - and each shared figure is compared with what dbt decided (project_latest,
recurring_blockers): verdict, gap scores, roadmap totals, recurring blockers and project order.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest
import streamlit as st
from pypdf import PdfReader
from typer.testing import CliRunner

from core.settings import get_settings
from flows import alerts
from flows.cli import app
from readmodel import queries
from readmodel.render import render_portfolio
from readmodel.snapshots import open_snapshot
from readmodel.summary import portfolio_summary, project_summary
from readmodel.vocabulary import GAP_IDS, GAP_LABELS, days, money, name_list
from tests.conftest import Assessed
from tests.dashboard.helpers import figures, page

pytestmark = pytest.mark.slow


@pytest.fixture
def published(assessed_examples: Assessed, monkeypatch: pytest.MonkeyPatch) -> Assessed:
    """The session's assessment as every surface's settings find it."""
    monkeypatch.setenv("READINESS_HOME", str(assessed_examples.home))
    monkeypatch.delenv("READINESS_SNAPSHOT_PATH", raising=False)
    get_settings.cache_clear()
    st.cache_data.clear()
    yield assessed_examples
    get_settings.cache_clear()
    st.cache_data.clear()


class _Rows(HTMLParser):
    """The cells of every table row of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _score(score: float | None) -> str:
    return "–" if score is None else f"{score:.0f}"


def test_every_surface_shows_the_figures_dbt_decided(published: Assessed) -> None:
    with open_snapshot(published.settings.snapshot) as con:
        truth = queries.latest_projects(con)
        recurring = queries.recurring_blockers(con)
        (portfolio,) = queries.portfolios(con)
    assert len(truth) == 5 and recurring, "the example portfolio has five projects and blockers"
    names = [p.project_name for p in truth]
    verdicts = {p.project_id: p.recommendation for p in truth}
    scores = {p.project_id: [getattr(p, g) for g in GAP_IDS] for p in truth}

    # The portfolio's figures are the sums of its projects' (dbt's invariant test says so too).
    assert portfolio.projects == len(truth)
    assert portfolio.projects_go == sum(v == "go" for v in verdicts.values())
    assert portfolio.roadmap_actions == sum(p.roadmap_actions for p in truth)
    assert (
        portfolio.closest_to_go
        == min(
            (p for p in truth if p.closest_to_go_rank), key=lambda p: p.closest_to_go_rank or 0
        ).project_id
    )

    # --- the dashboard ------------------------------------------------------------------------
    at = page("portfolio")
    assert not at.exception
    ranking = at.dataframe[0].value
    assert list(ranking["Project"]) == names
    assert list(ranking["Rank"]) == list(range(1, len(truth) + 1))
    for row, project in zip(ranking.to_dict("records"), truth, strict=True):
        assert row["Recommendation"].endswith("Go") == (project.recommendation == "go")
        for gap in GAP_IDS:
            shown, expected = row[GAP_LABELS[gap]], getattr(project, gap)
            assert (shown is None or shown != shown) if expected is None else shown == expected
    blockers = at.dataframe[1].value
    assert list(blockers["What fails"]) == [r.title for r in recurring]
    assert list(blockers["Projects"]) == [r.projects for r in recurring]
    assert list(blockers["Which projects"]) == [name_list(r.project_names) for r in recurring]
    for project in truth:
        shown = figures(page("project", project=project.project_id))
        if project.roadmap_actions:
            assert shown["Total effort"] == days(project.roadmap_effort_days)
            assert shown["Total cost"] == money(project.roadmap_cost, project.roadmap_currency)
            assert shown["Timeline"] == days(project.roadmap_duration_days)

    # --- the reports --------------------------------------------------------------------------
    summary = portfolio_summary(published.settings.snapshot)
    assert [p.project_id for p in summary.projects] == [p.project_id for p in truth]
    assert summary.recurring == recurring
    for line, project in zip(summary.projects, truth, strict=True):
        assert line.recommendation == project.recommendation
        assert [g.score for g in line.gaps] == scores[project.project_id]
        one = project_summary(published.settings.snapshot, project.project_id)
        assert (one.roadmap_actions, one.roadmap_effort_days, one.roadmap_cost) == (
            project.roadmap_actions,
            project.roadmap_effort_days,
            project.roadmap_cost,
        )
        assert one.roadmap_timeline_days == project.roadmap_duration_days
        assert one.blocking_gaps == project.blocking_gaps
    parser = _Rows()
    parser.feed(render_portfolio(summary, "html").decode("utf-8"))
    rows = [r for r in parser.rows if r]
    assert [r[0] for r in rows] == names
    for row, project in zip(rows, truth, strict=True):
        assert row[1].lower().startswith("go" if project.recommendation == "go" else "not yet")
        assert [cell.split(" ")[0] for cell in row[3:9]] == [
            _score(s) for s in scores[project.project_id]
        ]
        assert row[9] == days(project.roadmap_duration_days)
    markdown = render_portfolio(summary, "md").decode("utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line]
    assert [line.split(" | ")[0].lstrip("| ") for line in table[1:]] == names
    pdf = " ".join(
        page.extract_text() or ""
        for page in PdfReader(io.BytesIO(render_portfolio(summary, "pdf"))).pages
    )
    flat = re.sub(r"\s+", " ", pdf)
    positions = [flat.find(name) for name in names]
    assert -1 not in positions and positions == sorted(positions), "the PDF lists the ranking"
    for blocker in recurring:
        assert blocker.title[:30] in flat

    # --- the command line ---------------------------------------------------------------------
    runner = CliRunner()
    status = runner.invoke(app, ["status", "--json"])
    assert status.exit_code == 0, status.output
    listed = json.loads(status.output)
    assert [r["project"] for r in listed] == [p.project_id for p in truth]
    for result in listed:
        assert result["recommendation"] == verdicts[result["project"]]
        assert [result["gaps"][g] for g in GAP_IDS] == scores[result["project"]]
        assert result["blocking_gaps"] == next(
            p.blocking_gaps for p in truth if p.project_id == result["project"]
        )
    diff = runner.invoke(app, ["diff", published.run_id, published.run_id, "--json"])
    assert diff.exit_code == 0, diff.output
    compared = json.loads(diff.output)["projects"]
    assert {p["project_id"]: p["recommendation_after"] for p in compared} == verdicts

    # --- the alert ----------------------------------------------------------------------------
    changes = alerts.run_changes(published.settings.snapshot, published.run_id)
    assert {c.project_id: c.recommendation for c in changes} == verdicts
