"""End to end: the example portfolio in, the expected recommendation per project out, on the real
stack (Prefect server, Pandera, DuckDB, dbt build, published snapshot); then one evidence file is
changed and the affected gap score and recommendation move."""

from __future__ import annotations

import os

import duckdb
import pytest

from flows.report import project_results
from tests.conftest import Assessed

GAPS = {
    "data_quality",
    "integration",
    "stakeholder_alignment",
    "evaluation",
    "scale",
    "maintenance",
}

# What each example project is built to show (examples/README.md).
EXPECTED = {
    "support_copilot": ("go", set()),
    "churn_predictor": ("not_yet", {"data_quality"}),
    "contract_review": ("not_yet", {"stakeholder_alignment"}),
    "sales_forecast_assistant": ("not_yet", {"scale"}),
    "invoice_extraction": ("not_yet", {"integration", "maintenance"}),
}


def test_each_example_project_gets_its_expected_recommendation(assessed_examples: Assessed) -> None:
    results = {r["project"]: r for r in project_results(assessed_examples.snapshot)}
    assert set(results) == set(EXPECTED)
    for project, (recommendation, must_block) in EXPECTED.items():
        result = results[project]
        assert result["recommendation"] == recommendation, (project, result["reason"])
        assert set(result["gaps"]) == GAPS
        assert all(0 <= s <= 100 for s in result["gaps"].values() if s is not None), result
        assert must_block <= set(result["blocking_gaps"]), (project, result["blocking_gaps"])
        assert result["run_id"] == assessed_examples.run_id
    assert results["support_copilot"]["confidence"] >= 0.75
    assert results["support_copilot"]["blocking_gaps"] == []


def test_the_run_is_recorded_with_rubric_code_version_and_input_fingerprints(
    assessed_examples: Assessed,
) -> None:
    con = duckdb.connect(str(assessed_examples.snapshot), read_only=True)
    try:
        status, rubric_version, code_version, assessed, failed = (
            con.execute(
                "select status, rubric_version, code_version, projects_assessed, projects_failed "
                "from runs where run_id = ?",
                [assessed_examples.run_id],
            ).fetchone()
            or (None,) * 5
        )
        assert status == "succeeded"
        assert rubric_version and code_version
        assert (assessed, failed) == (len(EXPECTED), 0)
        kinds = {
            row[0]
            for row in con.execute(
                "select distinct evidence_kind from evidence_inputs "
                "where run_id = ? and fingerprint is not null",
                [assessed_examples.run_id],
            ).fetchall()
        }
        assert {"dataset", "inventory", "survey", "load_test", "costs", "evaluation"} <= kinds
        checks = con.execute(
            "select count(distinct check_id), count(*) from check_results where run_id = ?",
            [assessed_examples.run_id],
        ).fetchone()
        assert checks is not None and checks[1] == checks[0] * len(EXPECTED)
        # The deliberately bad survey rows of the examples are kept with their reason.
        rejected = con.execute(
            "select count(*) from rejected_rows where run_id = ? and reason <> ''",
            [assessed_examples.run_id],
        ).fetchone()
        assert rejected is not None and rejected[0] > 0
    finally:
        con.close()


@pytest.mark.xdist_group("budget_cut")
def test_changing_one_evidence_file_moves_the_score_and_the_recommendation(
    assessed_examples: Assessed, budget_cut_run: Assessed
) -> None:
    """Cut the support copilot's budget: its scale gap drops and the go becomes a not yet."""
    second = budget_cut_run  # a second run, in a copy of the session's home (tests/conftest.py)
    # dbt's variables were set for its invocation only: nothing pins later runs to this warehouse.
    assert "READINESS_WAREHOUSE_PATH" not in os.environ

    before = project_results(second.snapshot, assessed_examples.run_id)
    after = project_results(second.snapshot, second.run_id)
    assert [r["project"] for r in after] == ["support_copilot"]
    old = next(r for r in before if r["project"] == "support_copilot")
    new = after[0]
    assert old["recommendation"] == "go"
    assert new["recommendation"] == "not_yet"
    assert "scale" in new["blocking_gaps"]
    assert new["gaps"]["scale"] < old["gaps"]["scale"]
    # Only the gap whose evidence changed moved.
    for gap in GAPS - {"scale"}:
        assert new["gaps"][gap] == old["gaps"][gap], gap
    latest = {r["project"]: r for r in project_results(second.snapshot)}
    assert latest["support_copilot"]["run_id"] == second.run_id
    assert latest["churn_predictor"]["run_id"] == assessed_examples.run_id
