"""One project's hostile file never stops a portfolio run: the real flow, Prefect and dbt.

The corpus (``test_corpus.py``) shows every refusal on the readers alone; this one case runs a
whole assessment to show the refused project is recorded failed, with its problem, and the
others are assessed and published.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import warehouse
from flows.report import project_results
from tests.conftest import assess, kept_environment
from tests.hostile.harness import CANARY, Workspace
from tests.hostile.test_corpus import laughs


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_hostile_project_file_fails_that_project_only(
    prefect_server: None, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "portfolio")
    ws.copy_example("projects/support_copilot/costs.yml", "costs.yml")
    ws.copy_example("projects/support_copilot/evaluation.yml", "evaluation.yml")
    good = ws.project("good_project", {"costs": "costs.yml", "evaluation": "evaluation.yml"})
    ws.write("bad_project.yml", laughs())
    ws.write(
        "typo_project.yml", f"id: typo_project\nname: x\n# {CANARY}\nevidence: {{costs: [1]}}\n"
    )
    portfolio = ws.portfolio(projects=[good, "bad_project.yml", "typo_project.yml"])

    with kept_environment():
        run = assess(portfolio, tmp_path / "home")

    results = {r["project"]: r for r in project_results(run.snapshot, run.run_id)}
    assert set(results) == {"good_project", "bad_project", "typo_project"}
    assert results["good_project"]["project_status"] == "ok"
    for failed in ("bad_project", "typo_project"):
        assert results[failed]["project_status"] == "failed"
        assert results[failed]["recommendation"] == "not_yet"
    with warehouse.connect(run.snapshot, read_only=True) as con:
        status, message = con.execute(
            "select status, message from runs where run_id = ?", [run.run_id]
        ).fetchone() or (None, None)
        errors = dict(
            con.execute(
                "select project_id, error from project_runs where run_id = ? and status = 'failed'",
                [run.run_id],
            ).fetchall()
        )
    assert status == "partial" and message == "2 of 3 project(s) failed"
    assert "aliases expand to more than" in errors["bad_project"]
    assert "costs" in errors["typo_project"] and CANARY not in errors["typo_project"]
