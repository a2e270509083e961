"""Waivers on the real pipeline: a waiver expiring between two runs flips the verdict back.

support_copilot's budget is cut to a tenth (its cost checks fail: not yet); the portfolio's
rubric lets critical checks be waived, and the finance lead waives its cost checks until
2026-11-20 (the budget one fails, the unit economics one passes anyway). Run 1 (as of
2026-11-20 09:00): "go, with 1 waiver", notices (both expire within 14 days), the waivers
recorded, the target launch on track. Run 2 (as of 2026-11-21 01:00, the data still fresh): the
waivers expired, not yet again; a new action makes the roadmap slip past the target.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from core.settings import DEFAULT_RUBRIC, get_settings
from flows.cli import app
from tests.conftest import Assessed, assess, copy_examples

runner = CliRunner()
PROJECT = "support_copilot"
TARGET = date(2026, 12, 7)
HOLIDAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def two_runs(
    assessed_examples: Assessed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Assessed, Assessed]]:
    base = tmp_path_factory.mktemp("waivers")
    portfolio = copy_examples(base / "examples")
    home = base / "home"
    # dbt's adapter may still hold the session's warehouse open in this process: closed first,
    # so that the copy is taken of a file no connection is writing to.
    from tests.conftest import release_dbt_connection

    release_dbt_connection()
    shutil.copytree(assessed_examples.home, home)
    folder = portfolio.parent
    costs_path = folder / "projects" / PROJECT / "costs.yml"
    costs = yaml.safe_load(costs_path.read_text())
    costs["monthly_budget"] = costs["monthly_budget"] / 10
    costs_path.write_text(yaml.safe_dump(costs, sort_keys=False))
    # Named owners: the product owner's actions go to a team handle; other roles stay roles.
    project_path = folder / "projects" / PROJECT / "project.yml"
    project = yaml.safe_load(project_path.read_text())
    project_path.write_text(
        yaml.safe_dump(
            {
                **project,
                "owners": {"product_owner": "team-copilot-product"},
                "target_launch": TARGET.isoformat(),
                "steering_dates": ["2026-12-01", "2027-01-12"],
            }
        )
    )
    rubric = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    rubric["thresholds"]["waive_critical"] = True
    (folder / "rubric.yml").write_text(yaml.safe_dump(rubric, sort_keys=False))
    config = yaml.safe_load(portfolio.read_text())
    config["rubric"] = "rubric.yml"
    waiver = {
        "reason": "pilot budget approved for the first quarter",
        "approver": "Finance lead",
        "given": "2026-11-15",
        "until": "2026-11-20",
    }
    (folder / "waivers.yml").write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {"project": PROJECT, "check": check, **waiver}
                    for check in ("sc_cost_budget", "sc_unit_economics")
                ]
            },
            sort_keys=False,
        )
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_HOME", str(home))
        patch.setenv("READINESS_HOLIDAYS", HOLIDAY.isoformat())
        portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
        first = assess(portfolio, home, [PROJECT])
        # 16 hours later (the data still fresh): the waivers have expired, and the evaluation
        # plan lost its owner, a new action for the product owner after the budget one (a slip).
        portfolio.write_text(
            yaml.safe_dump({**config, "as_of": "2026-11-21T01:00:00Z"}, sort_keys=False)
        )
        plan_path = folder / "projects" / PROJECT / "evaluation.yml"
        plan = yaml.safe_load(plan_path.read_text())
        plan.pop("owner")
        plan_path.write_text(yaml.safe_dump(plan, sort_keys=False))
        second = assess(portfolio, home, [PROJECT])
        yield first, second
    get_settings.cache_clear()


def recommendation(snapshot: Path, run_id: str) -> tuple[str, str, str, int, int]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        row = con.execute(
            "select recommendation, verdict, reason, waivers_relied_on, waivers_expiring "
            "from recommendations where run_id = ? and project_id = ?",
            [run_id, PROJECT],
        ).fetchone()
    assert row is not None
    return row


def test_a_waiver_expiring_between_two_runs_flips_the_verdict_back(
    two_runs: tuple[Assessed, Assessed],
) -> None:
    first, second = two_runs
    go, verdict, reason, relied, expiring = recommendation(second.snapshot, first.run_id)
    # The budget check fails and is waived; a waiver in force counts as a notice (both expire in
    # 10 days) whether or not its check needed it.
    assert (go, relied, expiring) == ("go", 1, 2)
    assert verdict == "go, with 1 waiver"
    assert "waived until 2026-11-20 (approved by Finance lead: pilot budget approved" in reason
    go, verdict, reason, relied, expiring = recommendation(second.snapshot, second.run_id)
    assert (go, verdict, relied, expiring) == ("not_yet", "not yet", 0, 0)
    assert "Monthly cost at target volume is within budget" in reason and "waived" not in reason
    with duckdb.connect(str(second.snapshot), read_only=True) as con:
        judged = con.execute(
            "select run_id, check_id, status, measured_result, days_to_expiry, expiring_soon "
            "from waivers where project_id = ? and run_id in (?, ?) order by run_id, check_id",
            [PROJECT, first.run_id, second.run_id],
        ).fetchall()
        checks = dict(
            con.execute(
                "select check_id, waived from check_results where run_id = ? and project_id = ? "
                "and check_id = 'sc_cost_budget'",
                [first.run_id, PROJECT],
            ).fetchall()
        )
    # History keeps who accepted which risk when: both runs record both waivers.
    assert [(r[0], r[1]) for r in judged] == [
        (first.run_id, "sc_cost_budget"),
        (first.run_id, "sc_unit_economics"),
        (second.run_id, "sc_cost_budget"),
        (second.run_id, "sc_unit_economics"),
    ]
    assert [r[2:] for r in judged] == [
        ("applied", "fail", 0, True),
        ("not_needed", "pass", 0, True),
        ("expired", "fail", -1, False),
        ("expired", "pass", -1, False),
    ]
    assert checks == {"sc_cost_budget": True}


def test_status_json_the_report_and_the_run_summary_show_waivers_and_stages(
    two_runs: tuple[Assessed, Assessed], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_runs
    from flows.waivers import notice_lines, notice_markdown

    lines = notice_lines(second.snapshot, first.run_id)
    assert lines and lines[0].startswith(f"{PROJECT}: ")
    assert "waived until 2026-11-20 (approved by Finance lead:" in lines[0]
    assert "expires in 0 day(s)" in lines[0]
    assert "## Waivers expiring soon" in notice_markdown(second.snapshot, first.run_id)
    assert notice_lines(second.snapshot, second.run_id) == []
    monkeypatch.setenv("READINESS_HOME", str(second.home))
    get_settings.cache_clear()
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    latest = {r["project"]: r for r in json.loads(result.stdout)}[PROJECT]
    assert latest["verdict"] == "not yet" and latest["waivers_relied_on"] == 0
    assert {w["status"] for w in latest["waivers"]} == {"expired"}
    assert latest["waivers"][0]["expires_on"] == "2026-11-20"
    # Launch stages (the bundled rubric's): the waiver held every stage; expired, the project is
    # back to pilot, its scale gap standing before the limited launch.
    assert (latest["stage"], latest["next_stage"]) == ("pilot", "limited_launch")
    assert latest["stage_text"].startswith("ready for pilot; not yet for limited launch: Scale (")
    assert "Monthly cost at target volume is within budget" in latest["stage_text"]
    with duckdb.connect(str(second.snapshot), read_only=True) as con:
        before = con.execute(
            "select stage, stage_text from recommendations where run_id = ? and project_id = ?",
            [first.run_id, PROJECT],
        ).fetchone()
    assert before == ("production", "ready for production")
    # The blocker (the budget check, the product owner's) carries the owner's name.
    blocker = next(b for b in latest["blockers"] if b["check"] == "sc_cost_budget")
    assert blocker["owner"] == "team-copilot-product"
    assert latest["unnamed_owner_roles"] >= 1  # the roadmap's other roles have no name
    result = runner.invoke(app, ["report", "--project", PROJECT])
    assert result.exit_code == 0, result.output
    assert f"**Launch stage:** {latest['stage_text']}." in result.stdout
    assert "Owner: team-copilot-product" in result.stdout
    get_settings.cache_clear()


def working_day(after: date, number: int, holidays: set[date]) -> date:
    """The number-th working day after a day (weekends and holidays skipped): the test's oracle."""
    day, counted = after, 0
    while counted < number:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            counted += 1
    return day


def test_the_target_moves_from_on_track_to_at_risk_as_the_roadmap_slips(
    two_runs: tuple[Assessed, Assessed],
) -> None:
    first, second = two_runs
    with duckdb.connect(str(second.snapshot), read_only=True) as con:
        targets = {
            run: con.execute(
                "select target_status, roadmap_end_date, margin_days, next_steering, target_text "
                "from launch_targets where run_id = ? and project_id = ?",
                [run, PROJECT],
            ).fetchone()
            for run in (first.run_id, second.run_id)
        }
        ends = dict(
            con.execute(
                "select run_id, max(end_day) from roadmap where project_id = ? "
                "and run_id in (?, ?) group by run_id",
                [PROJECT, first.run_id, second.run_id],
            ).fetchall()
        )
        progress = con.execute(
            "select actions_done, actions_new, actions_open from roadmap_progress "
            "where run_id = ? and project_id = ?",
            [second.run_id, PROJECT],
        ).fetchone()
        dates = con.execute(
            "select min(start_date), max(end_date) from roadmap_schedule "
            "where run_id = ? and project_id = ?",
            [first.run_id, PROJECT],
        ).fetchone()
    # Run 1 (as of Friday 2026-11-20, Thanksgiving a holiday): the roadmap ends on the target.
    end = working_day(date(2026, 11, 20), math.ceil(ends[first.run_id]), {HOLIDAY})
    status, roadmap_end, margin, steering, text = targets[first.run_id]
    assert (status, roadmap_end, margin, steering) == (
        "on_track",
        end,
        (TARGET - end).days,
        date(2026, 12, 1),
    )
    assert text.startswith(f"on track: the roadmap ends {end.isoformat()}")
    assert dates == (date(2026, 11, 23), end)
    # Run 2 (as of Saturday 2026-11-21): a new action follows the budget one: the end slips.
    assert ends[second.run_id] > ends[first.run_id]
    end = working_day(date(2026, 11, 21), math.ceil(ends[second.run_id]), {HOLIDAY})
    status, roadmap_end, margin, steering, text = targets[second.run_id]
    assert (status, roadmap_end, steering) == ("at_risk", end, date(2026, 12, 1))
    assert margin == (TARGET - end).days < 0
    assert text == (
        f"at risk: the roadmap ends {end.isoformat()}, {-margin} day(s) after the target launch "
        f"{TARGET.isoformat()}"
    )
    done, new, still_open = progress  # run 1's actions, and the evaluation owner's
    assert (done, new) == (0, 1) and still_open >= 1
