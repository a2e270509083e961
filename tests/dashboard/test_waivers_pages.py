"""Waivers on the dashboard (AppTest): the verdict says what it relies on, the project page lists
the accepted risks, the drill-down shows the waiver beside its check, the ranking counts them.

The handmade snapshot (handmade.py) gets one applied waiver: support copilot's failing incident
runbook check, accepted until 2026-12-04 (14 days after the run's as-of: a notice), and one
expired waiver of churn predictor's latency check, which blocks as measured.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dashboard.handmade import GO, NOT_YET, R2
from tests.dashboard.helpers import page, text_of

APPLIED = "waived until 2026-12-04 (approved by team-ops: runbook drafted, review pending)"
EXPIRED = "waived until 2026-11-15 (approved by Platform lead: autoscaling due)"


def add_waivers(snapshot: Path) -> Path:
    """The handmade snapshot with the two waivers of this module's docstring (as dbt judged them)."""
    with duckdb.connect(str(snapshot)) as con:
        rows = [
            (GO, "mt_runbook", "maintenance", "An incident runbook exists", "minor", "fail",
             "runbook drafted, review pending", "team-ops", date(2026, 11, 18),
             date(2026, 12, 4), 14, "applied", True, True, APPLIED,
             "counts as passed until 2026-12-04"),
            (NOT_YET, "sc_latency", "scale", "p95 latency within the SLO at target load", "major",
             "fail", "autoscaling due", "Platform lead", date(2026, 11, 1), date(2026, 11, 15),
             -5, "expired", False, False, EXPIRED,
             "expired on 2026-11-15: the check counts as measured"),
        ]  # fmt: skip
        for (project, check, gap, title, severity, measured, reason, approver, given, until,
             days, status, applied, soon, text, status_text) in rows:  # fmt: skip
            con.execute(
                "insert into waivers values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, true)",
                [f"{R2}:{project}:{check}", R2, project, check, gap, title, severity, measured,
                 reason, approver, given, until, date(2026, 11, 20), days, status, applied, soon,
                 text, status_text, "waivers.yml", 3],
            )  # fmt: skip
        con.execute(
            "update check_results set waived = true, waiver = ? "
            "where run_id = ? and project_id = ? and check_id = 'mt_runbook'",
            [APPLIED, R2, GO],
        )
        for table in ("recommendations", "project_latest"):
            con.execute(
                f"update {table} set verdict = 'go, with 1 waiver', waivers_relied_on = 1 "
                "where run_id = ? and project_id = ?",
                [R2, GO],
            )
        # Waived in one of its two projects, the runbook check no longer recurs (as dbt decides).
        con.execute("delete from recurring_blockers where check_id = 'mt_runbook'")
    return snapshot


@pytest.fixture
def waived_snapshot(handmade_snapshot: Path) -> Path:
    return add_waivers(handmade_snapshot)


def test_the_project_page_names_the_waivers_the_verdict_relies_on(waived_snapshot: Path) -> None:
    at = page("project", project=GO)
    assert not at.exception
    assert at.success[0].value.startswith("## ✅ GO, with 1 waiver\n")
    text = text_of(at)
    assert "Accepted risks: waivers" in text
    assert (
        f"**Maintenance · An incident runbook exists** (minor, measured ⛔ fail): {APPLIED}" in text
    )
    assert "*counts as passed until 2026-12-04* · **expires in 14 day(s)**" in text
    section = next(m for m in at.markdown if APPLIED in m.value)
    assert not section.proto.allow_html  # the approver's words are not drawn as HTML


def test_an_expired_waiver_is_shown_and_the_check_blocks_as_measured(
    waived_snapshot: Path,
) -> None:
    at = page("project", project=NOT_YET)
    assert at.error[0].value.startswith("## ⛔ NOT YET\n")
    text = text_of(at)
    assert EXPIRED in text and "*expired on 2026-11-15: the check counts as measured*" in text
    assert "p95 latency within the SLO at target load** (major)" in text  # still a blocker


def test_the_ranking_and_the_drill_down_show_the_waiver(waived_snapshot: Path) -> None:
    at = page("portfolio")
    table = at.dataframe[0].value.set_index("Project")
    assert table.loc["Support copilot", "Recommendation"] == "✅ Go, with 1 waiver"
    assert table.loc["Churn predictor", "Recommendation"] == "⛔ Not yet"
    at = page("gap", project=GO, gap="maintenance")
    assert not at.exception
    assert f"**Accepted risk:** {APPLIED}" in text_of(at)


def test_a_project_without_waivers_has_no_waiver_section(handmade_snapshot: Path) -> None:
    at = page("project", project=GO)
    assert "Accepted risks" not in text_of(at)
    assert at.success[0].value.startswith("## ✅ GO\n")
