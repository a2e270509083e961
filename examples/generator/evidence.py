"""Evidence builders several projects share: inventories, costs, graded examples, KPI exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from .common import one, pick, some
from .writers import Writer

# --- inventories ------------------------------------------------------------------------------

CAPABILITIES = ("authentication", "error_handling", "observability", "rollback", "versioning", "integration_tests")  # fmt: skip


@dataclass(frozen=True)
class System:
    """One system of an inventory."""

    system: str
    role: str
    status: str
    owner: str | None
    missing: tuple[str, ...] = ()  # capabilities not solved
    rate_limit_rps: float | None = None


def inventory_yaml(systems: Sequence[System], rng: np.random.Generator) -> dict[str, Any]:
    """Our YAML inventory; some capability flags are written as yes/no text, as people do."""
    out = []
    for s in systems:
        capabilities: dict[str, Any] = {}
        for capability in CAPABILITIES:
            solved = capability not in s.missing
            capabilities[capability] = (
                ("yes" if solved else "no") if rng.random() < 0.15 else solved
            )
            if capability == "authentication" and s.rate_limit_rps is not None:
                capabilities["rate_limit_rps"] = s.rate_limit_rps
        item: dict[str, Any] = {"system": s.system, "role": s.role, "status": s.status}
        if s.owner:
            item["owner"] = s.owner
        item["capabilities"] = capabilities
        out.append(item)
    return {"systems": out}


def inventory_csv_rows(systems: Sequence[System], rng: np.random.Generator) -> list[list[Any]]:
    """Our CSV inventory rows, with flags in mixed spellings."""
    rows = []
    for s in systems:
        flags = {}
        for capability in CAPABILITIES:
            solved = capability not in s.missing
            flags[capability] = one(
                rng, ("yes", "Yes", "y", "TRUE", "1") if solved else ("no", "No", "n", "false", "")
            )
        rows.append(
            [
                s.system,
                s.role,
                s.status,
                flags["authentication"],
                "" if s.rate_limit_rps is None else f"{s.rate_limit_rps:g}",
                flags["error_handling"],
                flags["observability"],
                flags["rollback"],
                flags["versioning"],
                flags["integration_tests"],
                s.owner or "",
            ]
        )
    return rows


INVENTORY_CSV_HEADER = [
    "system", "role", "status", "authentication", "rate_limit_rps", "error_handling",
    "observability", "rollback", "versioning", "integration_tests", "owner",
]  # fmt: skip


# --- costs ------------------------------------------------------------------------------------


def cost_per_request(c: dict[str, float]) -> float:
    """Tokens in and out at their price, plus compute seconds at theirs."""
    return (
        c.get("tokens_in_per_request", 0) / 1000 * c.get("price_per_1k_tokens_in", 0)
        + c.get("tokens_out_per_request", 0) / 1000 * c.get("price_per_1k_tokens_out", 0)
        + c.get("compute_seconds_per_request", 0) * c.get("price_per_compute_second", 0)
    )


def monthly_cost(c: dict[str, float]) -> float:
    """Projected monthly cost at target volume."""
    return c["requests_per_month_target"] * cost_per_request(c) + c.get("fixed_monthly_cost", 0)


def write_costs(w: Writer, project_id: str, costs: dict[str, Any], comment: str) -> None:
    """``costs.yml``, with the projection written in the comment for the reader."""
    monthly = monthly_cost(costs)
    note = (
        f"{comment.strip()}\n"
        f"Projection at target: {cost_per_request(costs):.5f} {costs['currency']} per request, "
        f"{monthly:,.0f} {costs['currency']} per month = {monthly / costs['monthly_budget']:.2f} x budget."
    )
    w.yaml(f"projects/{project_id}/costs.yml", costs, note)


# --- evaluation artifacts (graded examples and KPI exports) -----------------------------------


def graded_rows(
    rng: np.random.Generator,
    run: str,
    run_at: datetime,
    model: str,
    metrics: dict[str, float],
    n: int,
    human: int,
    human_flips: int,
    categories: dict[str, float],
    uncategorised: float,
    prompt: Callable[[int], tuple[str, str]],
) -> list[list[Any]]:
    """Graded examples of one run: an automated grade per metric, and people's grades.

    People grade the first ``human`` examples; ``human_flips`` of them disagree with the tool.
    """
    rows: list[list[Any]] = []
    flips = set(some(rng, human, human_flips)) if human_flips else set()
    for i in range(n):
        question, answer = prompt(i)
        example = f"{run}-{i + 1:03d}"
        for metric, rate in metrics.items():
            passed = bool(rng.random() < rate)
            category = ""
            if not passed and rng.random() >= uncategorised:
                category = pick(rng, categories, 1)[0]
            score = round(float(rng.uniform(0.7, 1.0) if passed else rng.uniform(0.0, 0.45)), 2)
            base = [example, question, "", answer if not passed else "", score, "", "llm-judge"]
            rows.append([*base, category, metric, run, run_at.date().isoformat(), model])
            if i < human:
                verdict = passed != (i in flips)
                # People label the failures they find (the tool's category when it had one).
                label = category or ("" if verdict else pick(rng, categories, 1)[0])
                rows.append([example, question, "", "", "", "yes" if verdict else "no", "human",
                             label, metric, run, run_at.date().isoformat(), model])  # fmt: skip
    return rows


GRADED_HEADER = ["example_id", "input", "expected", "output", "score", "pass", "grader", "failure_category", "metric", "run", "run_at", "model"]  # fmt: skip


def kpi_points(
    rng: np.random.Generator,
    kpis: dict[str, tuple[float, float, float]],
    first: datetime,
    last: datetime,
    launch: datetime,
    every_days: int,
    missing_after: datetime | None = None,
) -> list[list[Any]]:
    """A KPI export: each KPI at its cadence, near its baseline before launch, then moving on.

    ``kpis`` maps a name to (baseline, target, noise); no points after ``missing_after``.
    """
    rows: list[list[Any]] = []
    day = first
    while day <= last:
        if missing_after is None or day <= missing_after:
            for name, (baseline, target, noise) in kpis.items():
                progress = 0.0 if day < launch else min(1.0, (day - launch).days / 90)
                value = baseline + (target - baseline) * progress * 0.8 + rng.normal(0, noise)
                rows.append([day.date().isoformat(), name, round(float(value), 3)])
        day += timedelta(days=every_days)
    return rows
