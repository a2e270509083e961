"""What each gap's drill-down shows beyond its checks.

The measured items against thresholds, data quality per dataset and field, the integration
matrix, the stakeholder heatmap, the load test charts and the what-if on cost at scale.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

import pandas as pd
import streamlit as st

from core.markdown_safe import md
from dashboard import charts, queries
from dashboard.maintenance import maintenance
from dashboard.tables import table
from readmodel.drilldowns import CostScenario, JudgedLoadTest
from readmodel.vocabulary import (
    as_float,
    comparison,
    cost_range,
    missing,
    money,
    number,
    percent,
    rate,
    result_label,
    tool_label,
)

#: A group whose answers to a question spread by this much (standard deviation of agreement)
#: is called divided on it.
DIVIDED_AT = 0.25
#: The failed examples the evaluation drill-down lists at most.
FAILED_EXAMPLES_SHOWN = 20

CAPABILITIES = {
    "authentication": "Authentication",
    "error_handling": "Error handling",
    "observability": "Observability",
    "rollback": "Rollback",
    "versioning": "Versioning",
    "integration_tests": "Integration tests",
}


def _json(text: Any) -> Any:
    if missing(text) or not str(text).strip():
        return None
    try:
        return json.loads(str(text))
    except ValueError:
        return str(text)


def measured_items(run_id: str, project_id: str, gap: str) -> None:
    """Every item measured for the gap's checks, its value against the pass/partial thresholds."""
    items = queries.check_items(run_id, project_id, gap)
    st.subheader("Measured against thresholds")
    if items.empty:
        st.write("Nothing was measured for this gap in this run.")
        return
    shown = pd.DataFrame(
        {
            "Check": items["check_id"],
            "Item": items["item"],
            "Result": items["result"].map(result_label),
            "Measured": items["value"].map(number),
            "Pass": items["direction"].map(comparison) + " " + items["pass_threshold"].map(number),
            "Partial": items["direction"].map(comparison)
            + " "
            + items["partial_threshold"].map(number),
            "Unit": items["unit"],
            "Detail": items["detail"].fillna(""),
        }
    )
    table(shown, f"{project_id}-{gap}-items")


def _examples(text: Any) -> str:
    """Example values or rows as short text."""
    value = _json(text)
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False)[:300] if not isinstance(value, str) else value


def data_quality(run_id: str, project_id: str) -> None:
    """Per dataset and field: rates measured, and example values that broke a rule."""
    fields = queries.data_quality_fields(run_id, project_id)
    st.subheader("Per dataset and field")
    if fields.empty:
        st.write("No data sample was profiled in this run.")
    else:
        shown = pd.DataFrame(
            {
                "Dataset": fields["dataset"],
                "Field": fields["field"],
                "Required": fields["required"].map({True: "yes", False: "no"}),
                "Present": fields["present"].map({True: "✅ yes", False: "⛔ missing"}),
                "Rows": fields["row_count"],
                "Missing values": fields["missing_rate"].map(percent),
                "Invalid values": fields["invalid_rate"].map(percent),
                "Wrong type": fields["type_failures"],
                "Not allowed": fields["not_allowed"],
                "Out of range": fields["out_of_range"],
                "Bad pattern": fields["pattern_failures"],
                "Example violations": fields["examples"].map(_examples),
            }
        )
        table(shown, f"{project_id}-data-quality-fields")
    rules = queries.data_quality_rules(run_id, project_id)
    st.subheader("Rules and relationships")
    if not rules:
        st.write("No cross-field rule or relationship was declared.")
        return
    for rule in rules:
        broken = int(rule.violations or 0)
        icon = "⛔" if broken else "✅"
        label = (
            f"{icon} {md(rule.dataset)}: {md(rule.rule)} ({rule.kind}): {number(broken)} of "
            f"{number(rule.rows_checked)} rows break it ({percent(rule.violation_rate)})"
        )
        with st.expander(label, expanded=False):
            examples = _json(rule.examples)
            if not examples:
                st.write("No example row recorded.")
            elif isinstance(examples, list) and all(isinstance(e, dict) for e in examples):
                st.dataframe(pd.DataFrame(examples), hide_index=True, width="stretch")
            else:
                st.json(examples)


def _yes_no(value: Any) -> str:
    if missing(value):
        return "❔ unknown"
    return "✅ yes" if bool(value) else "⛔ no"


def integration(run_id: str, project_id: str) -> None:
    """Systems by capabilities: each cell says yes, no or unknown in words."""
    systems = queries.integration_systems(run_id, project_id)
    st.subheader("Systems by capabilities")
    if systems.empty:
        st.write("No system inventory was read in this run.")
        return
    matrix = pd.DataFrame(
        {
            "System": systems["system"],
            "Role": systems["role"],
            "Status": systems["status"],
            **{label: systems[col].map(_yes_no) for col, label in CAPABILITIES.items()},
            "Rate limit (req/s)": systems["rate_limit_rps"].map(number),
            "Owner": systems["owner"].fillna("⛔ none named"),
        }
    )
    table(matrix, f"{project_id}-integration-matrix")


def stakeholders(run_id: str, project_id: str) -> None:
    """Groups by questions: agreement in each cell and the spread of answers within the group."""
    cells = queries.stakeholder_questions(run_id, project_id)
    st.subheader("Stakeholder groups by questions")
    if cells.empty:
        st.write("No survey answer was read in this run.")
        return
    # Its own width (one step per question), so that every question label and cell stays legible.
    st.altair_chart(charts.agreement_heatmap(cells), width="content")
    divided = queries.divided_cells(run_id, project_id, DIVIDED_AT)
    if divided:
        st.warning(
            "Divided groups (answers spread by 25 points or more): "
            + "; ".join(f"{md(c.stakeholder_group)} on {md(c.question_id)}" for c in divided)
        )


def _users(value: Any) -> str:
    return "–" if missing(value) else f"{number(value)} users"


def judged_sentence(row: JudgedLoadTest) -> str:
    """What a scale check judged, and why it can differ from Locust's own overall figure.

    "p95 240 ms at 40 users (the last window at target concurrency); Locust's overall p95:
    260 ms". Every figure is dbt's (the check item's detail and the file's aggregated row).
    """
    detail = _json(row.detail)
    detail = detail if isinstance(detail, dict) else {}
    # The file's name: dbt records the full path, which the table beside it shows.
    source = PurePath(row.source).name if not missing(row.source) else "the test"
    if row.check_id == "sc_latency":
        # Locust's p95 over the whole test: the stats file's aggregated row (dbt's detail names it
        # when the figure came from a history file, which is another file than the stats).
        whole = detail.get("overall_p95_ms", row.overall_p95_ms)
        tool = tool_label(detail.get("overall_tool", detail.get("tool")))
        overall = "" if missing(whole) else f"; {tool}'s overall p95: {number(whole)} ms"
        if detail.get("measured_from") == "history at target concurrency":
            return (
                f"p95 {number(detail.get('p95_ms'))} ms at {_users(detail.get('user_count'))} "
                f"(the last window at target concurrency, {source}){overall}"
            )
        return (
            f"p95 {number(detail.get('p95_ms'))} ms at {_users(detail.get('users'))} "
            f"({tool_label(detail.get('tool'))}'s final stats of {source}, the test closest to "
            f"the target concurrency of "
            f"{_users(detail.get('target_concurrency'))}; no history at target concurrency)"
        )
    return (
        f"Error rate {rate(detail.get('failure_rate'))} ({number(detail.get('failures'))} failures "
        f"in {number(detail.get('requests'))} requests) at {_users(detail.get('users'))} (the "
        f"aggregated row of {source}, the test closest to the target concurrency); error budget "
        f"{rate(detail.get('error_budget'))}"
    )


def scale(run_id: str, project_id: str) -> None:
    """Latency and error charts from the load tests, then the what-if on cost at scale."""
    stats = queries.load_test_results(run_id, project_id)
    st.subheader("Load tests")
    if stats.empty:
        st.write("No load test was read in this run.")
    else:
        judged = queries.judged_load_tests(run_id, project_id)
        if judged:
            st.markdown(
                "**What the checks judged:**  \n"
                + "  \n".join(
                    f"{result_label(r.result)} · {md(judged_sentence(r))}" for r in judged
                ),
            )
        endpoints = stats[~stats["is_aggregate"].astype(bool)]
        slo = as_float(stats["p95_latency_slo_ms"].dropna().max())
        budget = as_float(stats["error_budget"].dropna().max())
        if not endpoints.empty:
            st.altair_chart(charts.latency_bars(endpoints, slo), width="stretch")
            st.altair_chart(charts.error_bars(endpoints, budget), width="stretch")
        st.caption(
            f"p95 SLO: {number(slo)} ms · error budget: {rate(budget)} (dashed lines)."
            if slo is not None or budget is not None
            else "No SLO or error budget was declared."
        )
        judged_files = {r.source for r in judged}
        aggregated = stats["is_aggregate"].astype(bool)
        table(
            pd.DataFrame(
                {
                    "Endpoint": stats["endpoint"].where(~aggregated, "All endpoints (aggregated)"),
                    "Judged by the checks": [
                        "✅ yes" if agg and str(src) in judged_files else ""
                        for agg, src in zip(aggregated, stats["source"], strict=True)
                    ],
                    "Tool": stats["tool"].map(tool_label),
                    "Users": stats["users"],
                    "Requests": stats["request_count"],
                    "p95 (ms)": stats["p95_ms"].map(number),
                    "Within SLO": stats["within_slo"].map(_yes_no),
                    "Error rate": stats["error_rate"].map(rate),
                    "Within error budget": stats["within_error_budget"].map(_yes_no),
                    "File": stats["source"],
                }
            ),
            f"{project_id}-load-tests",
        )
    cost_at_target(run_id, project_id)
    what_if(run_id, project_id)


def cost_at_target(run_id: str, project_id: str) -> None:
    """The monthly cost at target volume as dbt's cost model gives it.

    A range from the mean to the p95 tokens per request where LLM usage measured them, else the
    assumptions' figure.
    """
    cost = queries.cost_at_target(run_id, project_id)
    if cost is None:
        return
    st.subheader("Cost at target volume")
    currency = cost.currency
    measured = cost.tokens_source == "measured"
    cols = st.columns(2)
    cols[0].metric(
        "Monthly cost (mean tokens)" if measured else "Monthly cost (assumed tokens)",
        money(cost.monthly_cost_target, currency),
    )
    if measured:
        cols[1].metric("Monthly cost (p95 tokens)", money(cost.monthly_cost_target_p95, currency))
        basis = (
            f"Tokens per request measured from {number(cost.measured_requests)} LLM requests "
            f"({cost.measured_models or 'model not recorded'}): "
            f"{number(cost.tokens_in_per_request)} in and "
            f"{number(cost.tokens_out_per_request)} out on average, "
            f"{number(cost.tokens_in_p95)} in and {number(cost.tokens_out_p95)} out "
            f"at the p95; the cost assumptions said {number(cost.assumed_tokens_in)} in and "
            f"{number(cost.assumed_tokens_out)} out."
        )
    else:
        basis = (
            "Tokens per request as assumed in the cost assumptions "
            "(no LLM call log or usage export was read): no range."
        )
    st.write(
        f"At {number(cost.requests_per_month_target)} requests a month: "
        f"{cost_range(cost)}, against a budget of {money(cost.monthly_budget, currency)}."
    )
    st.caption(basis)


def _volume_label(scenario: CostScenario) -> str:
    return f"{number(scenario.requests_per_month)} ({scenario.volume_change:+.0%})"


def _price_label(scenario: CostScenario) -> str:
    return f"{1 + scenario.price_change:.0%}"


def what_if(run_id: str, project_id: str) -> None:
    """Volume and price controls choosing among the scenarios dbt priced (cost_sensitivity).

    Nothing is recomputed here: each pair of a volume change (-90% to +900%) and a price change
    (10% to 300% of today's prices) is a row of the mart, with its monthly cost, budget use, cost
    per outcome, return on cost and whether it stays within budget.
    """
    st.subheader("What if: cost at scale")
    try:
        scenarios = queries.cost_scenarios(run_id, project_id)
    except queries.SnapshotError:
        st.write("This snapshot was published before the cost scenarios were.")
        return
    if not scenarios:
        st.write("No cost assumptions were provided for this project.")
        return
    by_pair = {(s.volume_change, s.price_change): s for s in scenarios}
    volumes = {s.volume_change: s for s in scenarios if s.price_change == 0}
    prices = {s.price_change: s for s in scenarios if s.volume_change == 0}
    cols = st.columns(2)
    volume = cols[0].select_slider(
        "Requests per month",
        options=sorted(volumes),
        value=0.0,
        format_func=lambda change: _volume_label(volumes[change]),
        key="whatif-volume",
    )
    price = cols[1].select_slider(
        "Prices per request (% of today's)",
        options=sorted(prices),
        value=0.0,
        format_func=lambda change: _price_label(prices[change]),
        key="whatif-price",
    )
    chosen = by_pair[(volume, price)]
    currency = chosen.currency
    out = st.columns(4)
    out[0].metric("Monthly cost", money(chosen.monthly_cost, currency))
    out[1].metric("Budget used", percent(chosen.budget_use))
    out[2].metric("Cost per outcome", money(chosen.cost_per_outcome, currency))
    out[3].metric(
        "Return on cost",
        "–" if missing(chosen.return_on_cost) else f"{number(chosen.return_on_cost)}x",
    )
    verdict = "✅ within budget" if chosen.within_budget else "⛔ over budget"
    st.write(
        f"At {number(chosen.requests_per_month)} requests a month and {_price_label(chosen)} of "
        f"today's prices: {money(chosen.monthly_cost, currency)} a month against a budget of "
        f"{money(chosen.monthly_budget, currency)} ({verdict})."
    )
    cost_model_inputs(run_id, project_id)
    sensitivity_grid(scenarios, project_id)


def _price(value: float | None, currency: str | None) -> str:
    """A unit price as measured (0.0025 stays 0.0025), with its currency."""
    return "–" if missing(value) else f"{currency or ''} {number(value)}".strip()


def cost_model_inputs(run_id: str, project_id: str) -> None:
    """The cost model's inputs the scenarios scale (cost_inputs), in a folded table."""
    inputs = queries.cost_model_inputs(run_id, project_id)
    if inputs is None:
        return
    currency = inputs.currency
    with st.expander("The cost model's inputs", expanded=False):
        table(
            pd.DataFrame(
                {
                    "Input": [
                        "Requests per month (target)",
                        "Tokens in per request",
                        "Tokens out per request",
                        "Price per 1k tokens in",
                        "Price per 1k tokens out",
                        "Compute seconds per request",
                        "Price per compute second",
                        "Fixed monthly cost",
                        "Monthly budget",
                        "Outcomes per request",
                        "Value per outcome",
                    ],
                    "Value": [
                        number(inputs.requests_per_month_target),
                        number(inputs.tokens_in_per_request),
                        number(inputs.tokens_out_per_request),
                        _price(inputs.price_per_1k_tokens_in, currency),
                        _price(inputs.price_per_1k_tokens_out, currency),
                        number(inputs.compute_seconds_per_request),
                        _price(inputs.price_per_compute_second, currency),
                        money(inputs.fixed_monthly_cost, currency),
                        money(inputs.monthly_budget, currency),
                        number(inputs.outcomes_per_request),
                        money(inputs.value_per_outcome, currency),
                    ],
                }
            ),
            f"{project_id}-cost-inputs",
        )


def sensitivity_grid(scenarios: list[CostScenario], project_id: str) -> None:
    """The table of volume and price changes dbt marks (cost_sensitivity.in_table), budget use in each."""
    shown = [s for s in scenarios if s.in_table]
    if not shown:
        return
    frame = pd.DataFrame(
        {
            "volume": [f"{s.volume_change:+.0%} volume" for s in shown],
            "price": [f"{s.price_change:+.0%} price" for s in shown],
            "cell": [
                f"{money(s.monthly_cost, s.currency)} ({percent(s.budget_use)}"
                f"{'' if s.within_budget else ' ⛔'})"
                for s in shown
            ],
        }
    )
    # Rows and columns in the mart's order (volume, then price, ascending), not the labels'.
    grid = frame.pivot(index="volume", columns="price", values="cell")
    grid = grid.loc[list(dict.fromkeys(frame["volume"])), list(dict.fromkeys(frame["price"]))]
    st.caption("Monthly cost and budget used as volume and prices change (⛔: over budget).")
    table(grid.reset_index().rename(columns={"volume": "Volume"}), f"{project_id}-cost-grid")


def evaluation(run_id: str, project_id: str) -> None:
    """Pass rate per metric against its bar, failures by category, failed examples, KPI series."""
    try:
        metrics = queries.evaluation_metrics(run_id, project_id)
        categories = queries.failure_categories(run_id, project_id)
        failures = queries.evaluation_failures(run_id, project_id, FAILED_EXAMPLES_SHOWN)
        points = queries.kpi_series(run_id, project_id)
    except queries.SnapshotError:
        st.write("This snapshot was published before evaluation results were read.")
        return
    st.subheader("Pass rate per metric against its bar")
    if metrics.empty:
        st.write("No evaluation result (promptfoo, Inspect, MLflow, graded examples) was read.")
    else:
        shown = pd.DataFrame(
            {
                "Metric": metrics["metric"],
                "Tool": metrics["tool"],
                "Run": metrics["eval_run"],
                "Model": metrics["model"].fillna("–"),
                "Pass rate": metrics["pass_rate"].map(percent),
                "Bar": metrics["quality_bar"].map(
                    lambda v: "no bar declared" if missing(v) else percent(v)
                ),
                "Meets bar": metrics["meets_bar"].map(
                    lambda v: "–" if missing(v) else "✅ yes" if v else "⛔ no"
                ),
                "Examples": metrics["examples"].map(number),
                "Previous run": metrics["previous_pass_rate"].map(percent),
            }
        )
        table(shown, f"{project_id}-evaluation-metrics")
    agreement = queries.check_items_of(run_id, project_id, "ev_grader_agreement")
    if agreement:
        item = agreement[0]
        detail = _json(item.detail) or {}
        st.metric(
            "Grader agreement with people (Cohen's kappa)",
            number(item.value),
            help=(
                f"{number(detail.get('pairs'))} examples graded by a tool and by people; they "
                f"agree on {percent(detail.get('agreement'))}, chance alone would on "
                f"{percent(detail.get('expected_by_chance'))}."
            ),
        )
    if not categories.empty:
        st.altair_chart(charts.failure_category_bars(categories), width="stretch")
    if not failures.empty:
        st.subheader(f"Failed examples (the first {FAILED_EXAMPLES_SHOWN})")
        st.caption("Inputs and outputs are cut short; emails and phone numbers are redacted.")
        table(
            pd.DataFrame(
                {
                    "Example": failures["example_id"],
                    "Metric": failures["metric"],
                    "Graded by": failures["grader_kind"],
                    "Category": failures["failure_category"],
                    "Input": failures["input_excerpt"].fillna("–"),
                    "Output": failures["output_excerpt"].fillna("–"),
                }
            ),
            f"{project_id}-evaluation-failures",
        )
    if not points.empty:
        st.subheader("KPIs as measured")
        for kpi in points["kpi"].drop_duplicates():
            st.altair_chart(charts.kpi_lines(points, str(kpi)), width="stretch")


#: The section each gap adds to its drill-down.
SECTIONS = {
    "data_quality": data_quality,
    "integration": integration,
    "stakeholder_alignment": stakeholders,
    "evaluation": evaluation,
    "scale": scale,
    "maintenance": maintenance,
}
