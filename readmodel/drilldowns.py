"""Named, bound queries for the gap drill-downs, each returning typed rows.

The dashboard's gap page (``dashboard/drilldown.py``) reads what dbt computed for one project in
one run through these: the cost what-if chooses among the scenarios of ``cost_sensitivity`` (it
recomputes nothing), the cost at target is ``cost_projections``' row. Every query takes the run id
and the project id as its two bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from readmodel.queries import columns


@dataclass(frozen=True)
class CostScenario:
    """One pair of a volume change and a price change (``cost_sensitivity``), as dbt priced it."""

    currency: str | None
    volume_change: float
    price_change: float
    requests_per_month: float | None
    cost_per_request: float | None
    monthly_cost: float | None
    monthly_budget: float | None
    budget_use: float | None
    within_budget: bool | None
    cost_per_outcome: float | None
    return_on_cost: float | None
    is_baseline: bool
    in_table: bool


@dataclass(frozen=True)
class CostProjection:
    """The monthly cost at target volume of one project (``cost_projections``).

    The drill-down's cost at target and the one-pagers' cost sentence.
    """

    currency: str | None
    requests_per_month_target: float | None
    monthly_cost_target: float | None
    monthly_cost_target_p95: float | None
    monthly_budget: float | None
    budget_use: float | None
    cost_per_outcome: float | None
    value_per_outcome: float | None
    tokens_source: str | None
    tokens_in_per_request: float | None
    tokens_out_per_request: float | None
    tokens_in_p95: float | None
    tokens_out_p95: float | None
    assumed_tokens_in: float | None
    assumed_tokens_out: float | None
    measured_requests: int | None
    measured_models: str | None


@dataclass(frozen=True)
class CostInputs:
    """The cost model's inputs of one project (``cost_inputs``): what the scenarios scale."""

    currency: str | None
    requests_per_month_target: float | None
    tokens_in_per_request: float | None
    tokens_out_per_request: float | None
    price_per_1k_tokens_in: float | None
    price_per_1k_tokens_out: float | None
    compute_seconds_per_request: float | None
    price_per_compute_second: float | None
    fixed_monthly_cost: float | None
    monthly_budget: float | None
    outcomes_per_request: float | None
    value_per_outcome: float | None


#: Every volume and price pair dbt priced for one project in one run, volume then price ascending.
COST_SCENARIOS = f"""
select {columns(CostScenario, casts={"volume_change": "double", "price_change": "double"})}
from cost_sensitivity
where run_id = ? and project_id = ?
order by volume_change, price_change
"""

#: The cost at target of one project in one run (one row, or none).
COST_PROJECTION = f"""
select {columns(CostProjection)}
from cost_projections
where run_id = ? and project_id = ?
limit 1
"""

#: The cost model's inputs of one project in one run (one row, or none).
COST_INPUTS = f"""
select {columns(CostInputs)}
from cost_inputs
where run_id = ? and project_id = ?
limit 1
"""
