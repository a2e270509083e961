"""Launch stages: the rubric's pilot, limited launch... as rows a run records for dbt to judge.

A rubric may name stages in order, each with the gaps that must be ready and the checks that must
pass (or be waived) for it. This module only turns them into ``raw_rubric_stages`` rows; which
stage a project reached, and what stands between it and the next, is dbt's
(``project_stages``, ``recommendations.stage_text``).
"""

from __future__ import annotations

from typing import Any

from flows.config import Rubric


def stage_rows(run_id: str, rubric: Rubric) -> list[dict[str, Any]]:
    """One row per stage and requirement; a stage without any requirement gets none (see dbt)."""
    rows: list[dict[str, Any]] = []
    for order, stage in enumerate(rubric.stages, start=1):
        needs = [("gap", g) for g in stage.gaps] + [("check", c) for c in stage.checks]
        rows += [
            {
                "run_id": run_id,
                "stage_id": stage.id,
                "stage_order": order,
                "stage_title": stage.title,
                "requirement_kind": kind,
                "requirement": name,
            }
            for kind, name in needs
        ]
    return rows
