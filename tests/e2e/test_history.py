"""History and diff on the real pipeline: two runs of the examples, one evidence file changed
between them; `readiness history` lists both runs and `readiness diff` names exactly what changed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from core.gaps import GAP_IDS
from core.settings import get_settings
from flows.cli import app
from readmodel.history import UnknownRunError, compare_runs, project_history
from tests.conftest import Assessed

runner = CliRunner()


pytestmark = pytest.mark.xdist_group("budget_cut")


@pytest.fixture(scope="module")
def two_runs(
    assessed_examples: Assessed, budget_cut_run: Assessed
) -> Iterator[tuple[Assessed, Assessed]]:
    """The session's run of the examples, then a run of support_copilot with its budget cut
    (``budget_cut_run`` in tests/conftest.py: both runs are in its home)."""
    second = budget_cut_run
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_HOME", str(second.home))
        first = Assessed(second.home, second.portfolio, assessed_examples.run_id, second.settings)
        yield first, second
    get_settings.cache_clear()


def test_history_lists_every_run_of_a_project_newest_first(
    two_runs: tuple[Assessed, Assessed],
) -> None:
    first, second = two_runs
    runs = project_history(second.snapshot, "support_copilot")
    assert [r.run_id for r in runs] == [second.run_id, first.run_id]
    newest, oldest = runs
    assert (oldest.recommendation, newest.recommendation) == ("go", "not_yet")
    for run in runs:
        assert run.run_status == "succeeded" and run.project_status == "ok"
        assert run.rubric_version and run.code_version
        assert run.started_at and run.finished_at and run.started_at < run.finished_at
        assert set(run.gap_scores) == set(GAP_IDS)
    assert newest.gap_scores["scale"] < oldest.gap_scores["scale"]  # type: ignore[operator]
    # A project the second run did not assess keeps only its first run.
    assert [r.run_id for r in project_history(second.snapshot, "churn_predictor")] == [first.run_id]
    with pytest.raises(UnknownRunError, match="no_such_project"):
        project_history(second.snapshot, "no_such_project")


def test_diff_names_the_flipped_checks_moved_gap_and_changed_input(
    two_runs: tuple[Assessed, Assessed],
) -> None:
    first, second = two_runs
    diff = compare_runs(second.snapshot, first.run_id, second.run_id)
    assert [p.project_id for p in diff.projects] == ["support_copilot"]
    assert set(diff.only_before) == {
        "churn_predictor",
        "contract_review",
        "sales_forecast_assistant",
        "invoice_extraction",
    }
    assert diff.only_after == []
    project = diff.projects[0]
    assert project.recommendation_changed
    assert (project.recommendation_before, project.recommendation_after) == ("go", "not_yet")
    assert not project.rubric_changed
    assert [g.gap for g in project.changed_gaps] == ["scale"]
    scale = project.changed_gaps[0]
    assert scale.delta is not None and scale.delta < 0
    assert (scale.status_before, scale.status_after) == ("ready", "blocked")
    flipped = {c.check_id: (c.result_before, c.result_after) for c in project.checks}
    assert flipped.get("sc_cost_budget") == ("pass", "fail")
    assert {c.gap for c in project.checks} == {"scale"}
    # Only the costs file changed: same evidence, configuration and rubric otherwise.
    assert [(i.input_kind, i.change) for i in project.inputs] == [("costs", "changed")]
    change = project.inputs[0]
    assert change.fingerprint_before and change.fingerprint_after
    assert change.fingerprint_before != change.fingerprint_after
    # The same run compared with itself: nothing changed.
    same = compare_runs(second.snapshot, second.run_id, second.run_id)
    assert all(p.unchanged for p in same.projects)
    with pytest.raises(UnknownRunError, match="not in the published snapshot"):
        compare_runs(second.snapshot, "20000101T000000Z-00000000", second.run_id)
    with pytest.raises(UnknownRunError, match="did not assess project 'churn_predictor'"):
        compare_runs(second.snapshot, first.run_id, second.run_id, "churn_predictor")


def test_history_and_diff_commands(
    two_runs: tuple[Assessed, Assessed], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_runs
    monkeypatch.setenv("READINESS_HOME", str(second.home))
    get_settings.cache_clear()
    result = runner.invoke(app, ["history", "support_copilot", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["run_id"] for r in rows] == [second.run_id, first.run_id]
    assert rows[0]["recommendation"] == "not_yet" and rows[0]["code_version"]

    result = runner.invoke(app, ["history", "support_copilot"])
    assert result.exit_code == 0, result.output
    assert second.run_id in result.stdout and first.run_id in result.stdout

    result = runner.invoke(app, ["diff", first.run_id, second.run_id])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "recommendation: GO -> NOT YET" in text
    assert "gap scale:" in text and "ready ->" in text and "blocked" in text
    assert "check sc_cost_budget (critical, scale): pass -> fail" in text
    assert "input costs costs.yml: changed" in text
    assert "churn_predictor: only in" in text

    result = runner.invoke(app, ["diff", first.run_id, second.run_id, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["projects"][0]["recommendation_changed"] is True
    assert [g["gap"] for g in payload["projects"][0]["gaps"]] == ["scale"]

    result = runner.invoke(app, ["diff", "nope", second.run_id])
    assert result.exit_code == 1
    assert "run 'nope' is not in the published snapshot" in result.stderr
    result = runner.invoke(app, ["history", "nope"])
    assert result.exit_code == 1 and "no assessed run" in result.stderr
    get_settings.cache_clear()


def test_diff_fail_on_gates_exit_3_on_a_regression_or_any_change(
    two_runs: tuple[Assessed, Assessed], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_runs
    monkeypatch.setenv("READINESS_HOME", str(second.home))
    get_settings.cache_clear()
    # support_copilot went from go to not yet, its scale gap fell and a critical check now fails.
    result = runner.invoke(app, ["diff", first.run_id, second.run_id, "--fail-on", "regression"])
    assert result.exit_code == 3, result.output
    assert "recommendation went from GO to NOT YET" in result.stderr
    assert 'critical check "Monthly cost at target volume is within budget"' in result.stderr
    result = runner.invoke(
        app, ["diff", first.run_id, second.run_id, "--fail-on", "regression", "--json"]
    )
    assert result.exit_code == 3
    gate = json.loads(result.stdout)["gate"]
    assert gate["fail_on"] == "regression" and gate["failed"] is True
    assert any("dropped" in finding for finding in gate["findings"])
    # A gap drop smaller than --gap-drop is no regression; the verdict flip still is.
    result = runner.invoke(
        app,
        ["diff", first.run_id, second.run_id, "--fail-on", "regression", "--gap-drop", "100"],
    )
    assert result.exit_code == 3 and "dropped" not in result.stderr
    # The reverse (not yet -> go) is an improvement: no regression, but a change.
    result = runner.invoke(app, ["diff", second.run_id, first.run_id, "--fail-on", "regression"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["diff", second.run_id, first.run_id, "--fail-on", "any"])
    assert result.exit_code == 3 and "support_copilot: changed" in result.stderr
    # A run compared with itself: nothing changed.
    result = runner.invoke(app, ["diff", second.run_id, second.run_id, "--fail-on", "any"])
    assert result.exit_code == 0, result.output
    # A gate that cannot be checked is not a pass: an unknown run is 1, a wrong gate 2.
    result = runner.invoke(app, ["diff", "nope", second.run_id, "--fail-on", "any"])
    assert result.exit_code == 1
    result = runner.invoke(app, ["diff", first.run_id, second.run_id, "--fail-on", "worse"])
    assert result.exit_code == 2 and "expected regression or any" in result.stderr
    get_settings.cache_clear()
