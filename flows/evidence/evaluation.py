"""The evaluation plan (YAML) -> one ``raw_evaluation_plans`` row and a ``raw_evaluation_kpis`` row per KPI.

Validated with :class:`flows.config.EvaluationPlan`; a file that does not validate is recorded
``unreadable`` with every problem as a rejected row naming the file and the key.
"""

from __future__ import annotations

from typing import Any

from flows.config import EvaluationPlan, LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence, keep_valid_rows
from flows.evidence.costs import read_model_input

KIND = "evaluation"


def collect_evaluation(context: Context, project: LoadedProject) -> Evidence:
    """Read the project's evaluation plan; none gives no evidence."""
    evidence = Evidence()
    relative = project.project.evidence.evaluation
    if relative is None:
        return evidence
    path = project.resolve(relative)
    plan = read_model_input(evidence, KIND, relative, path, EvaluationPlan)
    if plan is None:
        return evidence
    plans = keep_valid_rows(
        evidence, "raw_evaluation_plans", [plan_row(plan)], kind=KIND, source=path
    )
    kpis = keep_valid_rows(evidence, "raw_evaluation_kpis", kpi_rows(plan), kind=KIND, source=path)
    for table, rows in (("raw_evaluation_plans", plans), ("raw_evaluation_kpis", kpis)):
        if rows:
            evidence.add(table, rows)
    read = 1 + len(plan.kpis)
    evidence.record_input(
        KIND,
        relative,
        path,
        fingerprint=fingerprint_file(path),
        rows_read=read,
        rows_rejected=read - len(plans) - len(kpis),
    )
    return evidence


def plan_row(plan: EvaluationPlan) -> dict[str, Any]:
    """The evaluation suite and its owner (an empty owner is no owner)."""
    return {
        "owner": plan.owner.strip() or None,
        "automated_grading": plan.automated_grading,
        "failure_taxonomy": plan.failure_taxonomy,
        "regression_set_size": plan.regression_set_size,
    }


def kpi_rows(plan: EvaluationPlan) -> list[dict[str, Any]]:
    """One row per business KPI, with its baseline, target and instrumentation."""
    return [
        {
            "kpi": kpi.name,
            "baseline": kpi.baseline,
            "target": kpi.target,
            "instrumented": kpi.instrumented,
            "kpi_source": kpi.source.strip() or None,
        }
        for kpi in plan.kpis
    ]
