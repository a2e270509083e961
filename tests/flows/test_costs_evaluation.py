"""Cost assumptions and evaluation plans: validated YAML, each problem named by file and key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from flows.config import Evidence as ProjectEvidence
from flows.config import LoadedProject, Project
from flows.evidence import Context
from flows.evidence.costs import collect_costs
from flows.evidence.evaluation import collect_evaluation

FIXTURES = Path(__file__).parents[1] / "fixtures" / "costs"
CONTEXT = Context("run-1", "claims", datetime(2025, 3, 10, tzinfo=UTC))


def project(costs: Path | None = None, evaluation: Path | None = None) -> LoadedProject:
    evidence = ProjectEvidence(
        costs=str(costs) if costs else None, evaluation=str(evaluation) if evaluation else None
    )
    return LoadedProject(
        path=Path("/tmp/claims/project.yml"),
        project=Project(id="claims", name="Claims", evidence=evidence),
    )


def test_no_costs_or_plan_is_no_evidence() -> None:
    assert collect_costs(CONTEXT, project()).tables == {}
    assert collect_evaluation(CONTEXT, project()).tables == {}


def test_costs() -> None:
    frames = collect_costs(CONTEXT, project(costs=FIXTURES / "costs.yml")).frames(CONTEXT)
    row = frames["raw_cost_assumptions"].iloc[0].to_dict()
    assert row == {
        "run_id": "run-1",
        "project_id": "claims",
        "currency": "EUR",
        "requests_per_month_poc": 12000.0,
        "requests_per_month_target": 900000.0,
        "peak_to_average": 4.0,
        "tokens_in_per_request": 1800.0,
        "tokens_out_per_request": 350.0,
        "price_per_1k_tokens_in": 0.0025,
        "price_per_1k_tokens_out": 0.01,
        "compute_seconds_per_request": 0.0,
        "price_per_compute_second": 0.0,
        "fixed_monthly_cost": 1500.0,
        "monthly_budget": 12000.0,
        "maintenance_budget_monthly": 3000.0,
        "users_target": 450.0,
        "outcomes_per_request": 0.2,
        "value_per_outcome": 4.5,
    }
    record = frames["raw_evidence_inputs"].iloc[0]
    assert (record.evidence_kind, record.status, record.rows_read, record.rows_rejected) == (
        "costs",
        "ok",
        1,
        0,
    )


def test_invalid_costs_list_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "costs.yml"
    path.write_text(
        "currency: EUR\n"
        "requests_per_month_poc: -10\n"
        "requests_per_month_target: 900000\n"
        "peak_to_average: 5000\n"
        "value_per_outcome: 4.5\n"
        "price_per_token: 0.1\n"
    )
    frames = collect_costs(CONTEXT, project(costs=path)).frames(CONTEXT)
    assert "raw_cost_assumptions" not in frames
    rejected = frames["raw_rejected_rows"]
    assert set(rejected["source"]) == {str(path)}
    assert set(rejected["evidence_kind"]) == {"costs"}
    problems = dict(zip(rejected["column_name"], rejected["reason"], strict=True))
    assert problems == {
        "requests_per_month_poc": "expected a number of at least 0 (got -10)",
        "peak_to_average": "expected a number of at most 100 (got 5000)",
        "monthly_budget": "required key is missing",
        "price_per_token": "unknown key",
    }
    lines = {
        column: None if pd.isna(line) else int(line)
        for column, line in zip(rejected["column_name"], rejected["row_number"], strict=True)
    }
    assert lines == {
        "requests_per_month_poc": 2,
        "peak_to_average": 4,
        "monthly_budget": None,  # a missing key has no line
        "price_per_token": 6,
    }
    record = frames["raw_evidence_inputs"].iloc[0]
    assert (record.status, record.rows_rejected) == ("unreadable", 4)
    assert "monthly_budget: required key is missing" in record.error


def test_absurd_costs_are_refused_with_their_line(tmp_path: Path) -> None:
    """Unit mistakes (a price per token times 1000, seconds as milliseconds) are refused."""
    path = tmp_path / "costs.yml"
    path.write_text(
        "currency: euro\n"
        "requests_per_month_poc: 12000\n"
        "requests_per_month_target: 5e13\n"
        "tokens_in_per_request: 1800\n"
        "price_per_1k_tokens_in: 2500\n"
        "compute_seconds_per_request: 350000\n"
        "monthly_budget: 12000\n"
        "value_per_outcome: 4.5\n"
    )
    frames = collect_costs(CONTEXT, project(costs=path)).frames(CONTEXT)
    assert "raw_cost_assumptions" not in frames
    rejected = frames["raw_rejected_rows"]
    found = {
        (row.column_name, row.row_number): row.reason for row in rejected.itertuples(index=False)
    }
    assert set(found) == {
        ("currency", 1),
        ("requests_per_month_target", 3),
        ("price_per_1k_tokens_in", 5),
        ("compute_seconds_per_request", 6),
    }
    assert "expected a three-letter currency code" in found[("currency", 1)]
    assert found[("price_per_1k_tokens_in", 5)] == ("expected a number of at most 100 (got 2500)")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (None, "file not found"),
        ("currency: [EUR\n", "not valid YAML"),
        ("- 1\n", "expected a mapping"),
    ],
)
def test_unreadable_costs(tmp_path: Path, text: str | None, error: str) -> None:
    path = tmp_path / "costs.yml"
    if text is not None:
        path.write_text(text)
    frames = collect_costs(CONTEXT, project(costs=path)).frames(CONTEXT)
    record = frames["raw_evidence_inputs"].iloc[0]
    assert record.status == "unreadable"
    assert error in record.error
    assert frames["raw_rejected_rows"].iloc[0]["source"] == str(path)


def test_evaluation_plan() -> None:
    evidence = collect_evaluation(CONTEXT, project(evaluation=FIXTURES / "evaluation.yml"))
    frames = evidence.frames(CONTEXT)
    plan = frames["raw_evaluation_plans"].iloc[0]
    assert (
        plan.owner,
        plan.automated_grading,
        plan.failure_taxonomy,
        plan.regression_set_size,
    ) == ("Head of Claims Operations", True, False, 250)
    kpis = (
        frames["raw_evaluation_kpis"]
        .astype(object)
        .where(frames["raw_evaluation_kpis"].notna(), None)
    )
    assert [
        (k.kpi, k.baseline, k.target, k.instrumented, k.kpi_source) for k in kpis.itertuples()
    ] == [
        ("Average handling time (minutes)", 14.5, 9.0, True, "ServiceNow claims dashboard"),
        ("First-contact resolution rate", 0.62, 0.75, False, None),
        ("Customer satisfaction", None, None, False, None),
    ]
    record = frames["raw_evidence_inputs"].iloc[0]
    assert (record.evidence_kind, record.status, record.rows_read, record.rows_rejected) == (
        "evaluation",
        "ok",
        4,
        0,
    )


def test_plan_without_owner_or_kpis(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.yml"
    path.write_text("automated_grading: false\n")
    frames = collect_evaluation(CONTEXT, project(evaluation=path)).frames(CONTEXT)
    assert pd.isna(frames["raw_evaluation_plans"].iloc[0].owner)
    assert "raw_evaluation_kpis" not in frames


def test_invalid_plan(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.yml"
    path.write_text("owner: Ops\nregression_set_size: -3\nkpis:\n  - baseline: 1\n")
    frames = collect_evaluation(CONTEXT, project(evaluation=path)).frames(CONTEXT)
    rejected = frames["raw_rejected_rows"]
    assert sorted(rejected["column_name"]) == ["kpis.0.name", "regression_set_size"]
    assert frames["raw_evidence_inputs"].iloc[0].status == "unreadable"
