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
class CostAtTarget:
    """The monthly cost at target volume against the budget (``cost_projections``).

    What the one-pagers' cost sentence says (readmodel.render.cost_sentence).
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


@dataclass(frozen=True)
class CostProjection(CostAtTarget):
    """The cost at target with the tokens per request it rests on: the drill-down's."""

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

#: The cost at target of one project in one run against its budget (one row, or none).
COST_AT_TARGET = f"""
select {columns(CostAtTarget)}
from cost_projections
where run_id = ? and project_id = ?
limit 1
"""

#: The cost at target with its tokens per request (one row, or none).
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


@dataclass(frozen=True)
class DataQualityRule:
    """A cross-field rule or relationship of a dataset, with example violating rows (JSON)."""

    dataset: str
    rule: str
    kind: str
    rows_checked: int | None
    violations: int | None
    violation_rate: float | None
    examples: str | None


#: The rules and relationships of one project in one run, most broken first.
DATA_QUALITY_RULES = f"""
select {columns(DataQualityRule, casts={"violation_rate": "double"})}
from data_quality_rules
where run_id = ? and project_id = ?
order by violations desc, dataset, rule
"""


@dataclass(frozen=True)
class JudgedLoadTest:
    """A load-test figure a scale check judged, beside the aggregated row of its file.

    ``detail`` is dbt's JSON of the judged figure (int_check_items_scale); ``overall_p95_ms`` is
    the tool's p95 over the whole test, which can differ from the judged one.
    """

    check_id: str
    source: str
    result: str | None
    detail: str | None
    overall_p95_ms: float | None = None


#: The figures sc_latency and sc_error_rate judged, with their file's aggregated row.
JUDGED_LOAD_TESTS = """
select c.check_id, c.item as source, c.result, c.detail,
       cast(a.p95_ms as double) as overall_p95_ms
from check_items as c
left join load_test_results as a
    on a.run_id = c.run_id and a.project_id = c.project_id and a.source = c.item
    and a.is_aggregate
where c.run_id = ? and c.project_id = ? and c.check_id in ('sc_latency', 'sc_error_rate')
order by c.check_id, c.item
"""


@dataclass(frozen=True)
class DividedCell:
    """A stakeholder group whose answers to a question spread by at least the bound share."""

    stakeholder_group: str
    question_id: str
    disagreement: float


#: The divided cells of one project in one run (a third bound parameter: the spread from which a
#: group counts as divided).
DIVIDED_CELLS = """
select stakeholder_group, question_id, cast(disagreement as double) as disagreement
from stakeholder_questions
where run_id = ? and project_id = ? and disagreement >= ?
order by stakeholder_group, question_id
"""


@dataclass(frozen=True)
class MeasuredItem:
    """One item a check measured (``check_items``): its value and dbt's JSON detail."""

    check_id: str
    item: str
    value: float | None
    result: str | None
    detail: str | None


#: The items one check measured for one project in one run (a third bound parameter: the check).
CHECK_ITEMS_OF = """
select check_id, item, cast(value as double) as value, result, detail
from check_items
where run_id = ? and project_id = ? and check_id = ?
order by item
"""
