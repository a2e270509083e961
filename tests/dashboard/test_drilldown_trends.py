"""The drill-down sections, the portfolio's filters and ranking, and the Trends page.

Against the snapshot the real flow published for the example portfolio (expected values read
from its marts), and the handmade snapshot for what needs two runs and a rubric change.
"""

from __future__ import annotations

import json
from pathlib import Path

from readmodel.vocabulary import money, number
from tests.dashboard.handmade import NOT_YET, R1, R2
from tests.dashboard.helpers import chart_data, chart_title, latest, page, read, text_of


def _titles(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [chart_title(at, i) for i in range(len(at.get("vega_lite_chart")))]


def test_data_quality_drill_down_shows_fields_thresholds_and_violating_rows(
    snapshot_path: Path,
) -> None:
    rec = latest(snapshot_path).set_index("project_id").loc["support_copilot"]
    at = page("gap", project="support_copilot", gap="data_quality")
    assert not at.exception
    items = at.dataframe[0].value
    expected = read(
        snapshot_path,
        "select * from check_items where run_id = ? and project_id = ? and gap = 'data_quality'",
        rec["run_id"],
        "support_copilot",
    )
    assert len(items) == len(expected)
    assert set(items["Result"]) <= {"✅ Pass", "⚠️ Partial", "⛔ Fail", "❔ No evidence"}
    assert items["Pass"].str.match(r"^[≥≤] ").all()  # the threshold and its direction
    fields = at.dataframe[1].value
    assert {"Dataset", "Field", "Missing values", "Invalid values", "Example violations"} <= set(
        fields.columns
    )
    agent = fields[(fields["Dataset"] == "tickets") & (fields["Field"] == "agent_email")].iloc[0]
    # A personal field's bad values are shown as masked shapes only (flows.privacy), never as
    # the value itself.
    assert "t***" in agent["Example violations"]
    assert "tom.baker" not in agent["Example violations"]
    rules = [e.label for e in at.expander if "rows break it" in e.label]
    assert any("resolved_after_created" in label and label.startswith("⛔") for label in rules)
    assert any(b.label.startswith("Download ") for b in at.get("download_button"))


def test_integration_matrix_has_every_system_and_capability_in_words(snapshot_path: Path) -> None:
    rec = latest(snapshot_path).set_index("project_id").loc["invoice_extraction"]
    at = page("gap", project="invoice_extraction", gap="integration")
    assert not at.exception
    matrix = next(d.value for d in at.dataframe if "System" in d.value.columns)
    systems = read(
        snapshot_path,
        "select * from integration_systems where run_id = ? and project_id = ?",
        rec["run_id"],
        "invoice_extraction",
    )
    assert sorted(matrix["System"]) == sorted(systems["system"])
    for column in ("Authentication", "Rollback", "Integration tests"):
        assert set(matrix[column]) <= {"✅ yes", "⛔ no", "❔ unknown"}  # never colour alone


def test_stakeholder_heatmap_shows_agreement_and_disagreement(snapshot_path: Path) -> None:
    rec = latest(snapshot_path).set_index("project_id").loc["contract_review"]
    at = page("gap", project="contract_review", gap="stakeholder_alignment")
    assert not at.exception
    index = _titles(at).index(
        "Agreement by stakeholder group and question (± = disagreement within the group)"
    )
    cells = chart_data(at, index)
    expected = read(
        snapshot_path,
        "select * from stakeholder_questions where run_id = ? and project_id = ?",
        rec["run_id"],
        "contract_review",
    )
    assert len(cells) == len(expected)
    legal = cells[cells["stakeholder_group"] == "legal"]
    assert legal["cell"].str.match(r"^\d+%( ±\d+)?$").all()  # agreement, then disagreement
    assert legal["cell"].str.contains("±").any()  # legal is divided on this example


def test_scale_charts_and_what_if_choose_among_dbts_scenarios(snapshot_path: Path) -> None:
    rec = latest(snapshot_path).set_index("project_id").loc["sales_forecast_assistant"]
    at = page("gap", project="sales_forecast_assistant", gap="scale")
    assert not at.exception
    titles = _titles(at)
    assert "Latency under load by endpoint" in titles
    assert "Errors under load by endpoint" in titles
    spec = json.loads(
        at.get("vega_lite_chart")[titles.index("Latency under load by endpoint")].proto.spec
    )
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Latency (ms)"

    grid = read(
        snapshot_path,
        "select * from cost_sensitivity where run_id = ? and project_id = ?",
        rec["run_id"],
        "sales_forecast_assistant",
    )
    cost = read(
        snapshot_path,
        "select * from cost_projections where run_id = ? and project_id = ?",
        rec["run_id"],
        "sales_forecast_assistant",
    ).iloc[0]
    currency = cost["currency"]

    def scenario(volume: float, price: float):  # type: ignore[no-untyped-def]
        pair = (grid["volume_change"].astype(float) == volume) & (
            grid["price_change"].astype(float) == price
        )
        assert pair.sum() == 1, (volume, price)
        return grid[pair].iloc[0]

    metrics = {m.label: m.value for m in at.metric}
    # Today's volume and prices: the mart's baseline, which is the cost model's figure at target.
    assert metrics["Monthly cost"] == f"{currency} {cost['monthly_cost_target']:,.0f}"
    # The controls offer exactly the steps dbt priced: a tenth of the volume to ten times it, and
    # 10% to 300% of today's prices.
    volume = at.select_slider(key="whatif-volume")
    price = at.select_slider(key="whatif-price")
    assert len(volume.options) == grid["volume_change"].nunique() == 12
    assert len(price.options) == grid["price_change"].nunique() == 9
    assert volume.options[0].endswith("(-90%)") and volume.options[-1].endswith("(+900%)")
    assert price.options[0] == "10%" and price.options[-1] == "300%"
    for volume_change, price_change in ((9.0, -0.5), (-0.9, 2.0), (1.0, 0.0)):
        at.select_slider(key="whatif-volume").set_value(volume_change).run()
        at.select_slider(key="whatif-price").set_value(price_change).run()
        assert not at.exception
        row = scenario(volume_change, price_change)
        shown = {m.label: m.value for m in at.metric}
        # Every figure is the mart's row for the chosen pair: nothing is recomputed.
        assert shown["Monthly cost"] == money(row["monthly_cost"], currency)
        assert shown["Budget used"] == f"{row['budget_use']:.0%}"
        assert shown["Cost per outcome"] == money(row["cost_per_outcome"], currency)
        assert shown["Return on cost"] == f"{number(row['return_on_cost'])}x"
        verdict = "within budget" if row["within_budget"] else "over budget"
        assert f"{1 + price_change:.0%} of today's prices" in text_of(at)
        assert f"({'✅' if row['within_budget'] else '⛔'} {verdict})" in text_of(at)
    # The sensitivity table shows the pairs dbt marks for it, as in the Sprint Zero pack.
    table = next(d.value for d in at.dataframe if "Volume" in d.value.columns)
    assert len(table) == grid[grid["in_table"]]["volume_change"].nunique()
    assert len(table.columns) - 1 == grid[grid["in_table"]]["price_change"].nunique()
    assert table["Volume"].iloc[0] == "-50% volume"


def test_portfolio_filters_ranking_and_closest_to_go(snapshot_path: Path) -> None:
    expected = latest(snapshot_path)
    at = page("portfolio")
    assert not at.exception
    ranking = at.dataframe[0].value
    assert list(ranking["Rank"]) == list(range(1, len(expected) + 1))
    go = expected[expected["recommendation"] == "go"]
    assert set(ranking["Project"].head(len(go))) == set(go["project_name"])  # go ranks first
    closest = next(d.value for d in at.dataframe if "Blocking gaps" in d.value.columns)
    assert set(closest["Project"]) <= set(
        expected[expected["recommendation"] != "go"]["project_name"]
    )

    unit = expected["business_unit"].iloc[0]
    unit_filter = next(m for m in at.multiselect if m.label == "Business unit")
    unit_filter.set_value([unit]).run()
    assert not at.exception
    in_unit = expected[expected["business_unit"] == unit]
    assert {m.label: m.value for m in at.metric}["Projects"] == str(len(in_unit))
    assert set(at.dataframe[0].value["Project"]) == set(in_unit["project_name"])
    heat = chart_data(at)
    assert set(heat["project_name"]) == set(in_unit["project_name"])

    next(m for m in at.multiselect if m.label == "Business unit").set_value([]).run()
    next(m for m in at.multiselect if m.label == "Recommendation").set_value(["not_yet"]).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["✅ Go"] == "0"
    status = next(m for m in at.multiselect if m.label == "Status (weakest gap)")
    assert "blocked" in status.options or "⛔ Blocked" in status.options


def test_trends_mark_the_rubric_change_and_compare_two_runs(handmade_snapshot: Path) -> None:
    at = page("trends", project=NOT_YET)
    assert not at.exception
    titles = _titles(at)
    assert "Churn predictor: gap scores over runs" in titles
    assert "Portfolio: mean gap score over runs" in titles
    lines = chart_data(at, 0)
    assert set(lines["run_id"]) == {R1, R2}
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Score (0–100)"
    assert len(spec["layer"]) == 3  # lines, the rubric-change rule and its label
    captions = " ".join(c.value for c in at.caption)
    assert f"Rubric changed to 2026.11.0 at run {R2}" in captions

    assert at.selectbox(key="trend-before").value == R1
    assert at.selectbox(key="trend-after").value == R2
    assert "The rubric changed between these runs (2026.10.0 → 2026.11.0)" in at.warning[0].value
    shown = text_of(at)
    assert "**Recommendation:**" in shown
    gaps = at.dataframe[0].value
    assert {"Gap", "Score before", "Score after", "Change"} <= set(gaps.columns)


def test_trends_with_one_run_say_so(snapshot_path: Path) -> None:
    runs = read(snapshot_path, "select count(distinct run_id) as n from recommendations")
    at = page("trends", project=latest(snapshot_path)["project_id"].iloc[0])
    assert not at.exception
    assert int(runs["n"][0]) == 1  # the session's flow published one run
    assert "This project has been assessed once: nothing to compare yet." in text_of(at)
    assert "Only one run so far: the trend starts with the next run." in text_of(at)


def test_tables_offer_csv_downloads(handmade_snapshot: Path) -> None:
    at = page("portfolio")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download portfolio-ranking.csv" in labels
    assert "Portfolio report (PDF)" in labels


def test_check_items_are_judged_like_their_checks(snapshot_path: Path) -> None:
    """The worst item of every judged check has the check's own result (one rule, two marts)."""
    disagree = read(
        snapshot_path,
        """
        select c.run_id, c.project_id, c.check_id, c.result
        from check_results as c
        where c.result <> 'no_evidence' and not exists (
            select 1 from check_items as i
            where i.run_id = c.run_id and i.project_id = c.project_id
                and i.check_id = c.check_id and i.result = c.result
        )
        """,
    )
    assert disagree.empty, disagree.to_dict("records")


def test_scale_drill_down_names_each_tools_results_and_the_cost_range(snapshot_path: Path) -> None:
    """The sales forecast assistant carries Locust and k6 results and LLM call logs: the load test
    table says which tool wrote each row, and the cost at target is the mean-to-p95 range."""
    rec = latest(snapshot_path).set_index("project_id").loc["sales_forecast_assistant"]
    at = page("gap", project="sales_forecast_assistant", gap="scale")
    assert not at.exception
    stats = read(
        snapshot_path,
        "select tool, count(*) as n from load_test_results where run_id = ? and project_id = ? "
        "group by tool",
        rec["run_id"],
        "sales_forecast_assistant",
    )
    shown = next(t.value for t in at.dataframe if "Tool" in t.value.columns)
    assert dict(shown["Tool"].value_counts()) == {
        {"locust": "Locust", "k6": "k6", "jmeter": "JMeter"}[t]: n
        for t, n in zip(stats["tool"], stats["n"], strict=True)
    }
    assert set(shown["Tool"]) == {"Locust", "k6"}
    cost = read(
        snapshot_path,
        "select * from cost_projections where run_id = ? and project_id = ?",
        rec["run_id"],
        "sales_forecast_assistant",
    ).iloc[0]
    assert cost["tokens_source"] == "measured"
    metrics = {m.label: m.value for m in at.metric}
    low = f"{cost['currency']} {cost['monthly_cost_target']:,.0f}"
    high = f"{cost['currency']} {cost['monthly_cost_target_p95']:,.0f}"
    assert metrics["Monthly cost (mean tokens)"] == low
    assert metrics["Monthly cost (p95 tokens)"] == high
    assert f"{low} to {high} a month (mean to p95 tokens per request, measured)" in text_of(at)
    # The project page's cost line (the one-pagers' sentence) carries the same range.
    project = page("project", project="sales_forecast_assistant")
    assert f"requests a month: {low} to {high} a month" in text_of(project)
