"""A rubric changed between two runs is shown where a verdict flip is read (issue 15).

The session's example assessment is copied; the portfolio is given its own rubric, in which the
completeness check (critical, passed by support_copilot at 99.7 %) asks 99.9 % with a heavier
weight and the latency check becomes major; support_copilot alone is assessed again. Its verdict
flips from go to not yet, and the rubric's change is in the marts (run_rubric_changes,
run_rubric_check_changes), `readiness diff` (text and --json), `readiness history` and the
comparison the trends page shows.
"""

from __future__ import annotations

import json

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from core.settings import REPO_ROOT
from flows.cli import app
from readmodel.history import compare_runs
from tests.conftest import Assessed, assess, kept_environment, release_dbt_connection

pytestmark = pytest.mark.slow

PROJECT = "support_copilot"


def _changed_rubric(assessed: Assessed) -> str:
    """The portfolio's own rubric: completeness stricter and heavier, latency major. Its version."""
    folder = assessed.portfolio.parent
    rubric = yaml.safe_load((REPO_ROOT / "rubric" / "rubric.yml").read_text(encoding="utf-8"))
    rubric["version"] = f"{rubric['version']}-stricter"
    for check in rubric["checks"]:
        if check["id"] == "dq_completeness":
            check.update({"pass": 0.999, "partial": 0.998, "weight": 4})
        elif check["id"] == "sc_latency":
            check["severity"] = "major"
    (folder / "rubric.yml").write_text(yaml.safe_dump(rubric, sort_keys=False), encoding="utf-8")
    portfolio = yaml.safe_load(assessed.portfolio.read_text(encoding="utf-8"))
    portfolio["rubric"] = "rubric.yml"
    assessed.portfolio.write_text(yaml.safe_dump(portfolio, sort_keys=False), encoding="utf-8")
    return str(rubric["version"])


def test_a_verdict_flip_under_a_changed_rubric_shows_the_rubric_change(
    assessed_home_copy: Assessed, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = assessed_home_copy
    version = _changed_rubric(before)
    with kept_environment():
        after = assess(before.portfolio, before.home, [PROJECT])
    release_dbt_connection()
    snapshot = after.snapshot

    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        flip = con.execute(
            "select previous_run_id, recommendation_before, recommendation_after "
            "from run_changes where run_id = ? and project_id = ?",
            [after.run_id, PROJECT],
        ).fetchone()
        rubric = con.execute(
            "select previous_run_id, rubric_version_before, rubric_version_after, rubric_changed, "
            "checks_added, checks_removed, checks_changed, "
            "rubric_fingerprint_before <> rubric_fingerprint_after "
            "from run_rubric_changes where run_id = ? and project_id = ?",
            [after.run_id, PROJECT],
        ).fetchone()
        checks = con.execute(
            "select check_id, change, changed_fields, weight_before, weight_after, "
            "pass_threshold_before, pass_threshold_after, severity_before, severity_after "
            "from run_rubric_check_changes where run_id = ? and project_id = ? order by check_id",
            [after.run_id, PROJECT],
        ).fetchall()
        # The session's own run had no earlier run: no rubric change is invented for it.
        first = con.execute(
            "select count(*) from run_rubric_changes where run_id = ?", [before.run_id]
        ).fetchone()
    finally:
        con.close()

    assert flip == (before.run_id, "go", "not_yet")
    assert rubric is not None
    assert rubric[:7] == (before.run_id, version.removesuffix("-stricter"), version, True, 0, 0, 2)
    assert rubric[7] is True
    stricter = ["weight", "pass_threshold", "partial_threshold"]
    assert checks == [
        ("dq_completeness", "changed", stricter, 3.0, 4.0, 0.98, 0.999, "critical", "critical"),
        ("sc_latency", "changed", ["severity"], 3.0, 3.0, 1.0, 1.0, "critical", "major"),
    ]
    assert first == (0,)

    monkeypatch.setenv("READINESS_HOME", str(after.home))
    from core.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    text = runner.invoke(app, ["diff", before.run_id, after.run_id, "-p", PROJECT])
    assert text.exit_code == 0, text.output
    assert "recommendation: GO -> NOT YET" in text.output
    line = next(x for x in text.output.splitlines() if "rubric changed:" in x)
    assert f"{version.removesuffix('-stricter')} -> {version}" in line
    assert (
        "dq_completeness: weight 3 -> 4, pass threshold 0.98 -> 0.999, "
        "partial threshold 0.95 -> 0.998; sc_latency: severity critical -> major"
    ) in line

    as_json = runner.invoke(app, ["diff", before.run_id, after.run_id, "-p", PROJECT, "--json"])
    assert as_json.exit_code == 0, as_json.output
    (project,) = json.loads(as_json.output)["projects"]
    (change,) = project["rubric_changes"]
    assert change["rubric_version_after"] == version and change["checks_changed"] == 2
    assert [c["check_id"] for c in change["checks"]] == ["dq_completeness", "sc_latency"]
    assert change["checks"][0]["pass_threshold_after"] == 0.999

    history = runner.invoke(app, ["history", PROJECT])
    assert history.exit_code == 0, history.output
    assert f"{after.run_id}: rubric changed:" in history.output
    assert f"{before.run_id}: rubric changed" not in history.output
    listed = json.loads(runner.invoke(app, ["history", PROJECT, "--json"]).output)
    assert listed[0]["rubric_change"]["checks_changed"] == 2 and listed[1]["rubric_change"] is None

    # What the trends page compares (readmodel.history, as dashboard.queries.project_diff does).
    diff = compare_runs(after.settings.snapshot, before.run_id, after.run_id, PROJECT)
    assert [c.text() for c in diff.projects[0].rubric_changes] == [line.strip().split(": ", 1)[1]]
    get_settings.cache_clear()
