"""The evaluation drill-down judged on the tools' results: pass rate per metric against its bar,
failures by category, grader agreement, a bounded list of failed examples (redacted), the KPI
series with baseline and target; and the pass-rate line of the project page and its report.

Against the snapshot the real flow published for the example portfolio: contract_review's
production evaluation fails its bar.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.drilldown import FAILED_EXAMPLES_SHOWN
from tests.dashboard.helpers import chart_data, chart_title, latest, page, read, text_of


def test_evaluation_drill_down_shows_what_the_tools_measured(snapshot_path: Path) -> None:
    rec = latest(snapshot_path).set_index("project_id").loc["contract_review"]
    at = page("gap", project="contract_review", gap="evaluation")
    assert not at.exception
    tables = {tuple(d.value.columns)[:2]: d.value for d in at.dataframe}
    metrics = tables[("Metric", "Tool")]
    expected = read(
        snapshot_path,
        "select metric, pass_rate, quality_bar from evaluation_metrics "
        "where run_id = ? and project_id = ? order by metric",
        rec["run_id"],
        "contract_review",
    )
    assert list(metrics["Metric"]) == list(expected["metric"])
    recall = metrics.set_index("Metric").loc["clause_recall"]
    assert recall["Bar"] == "90%" and recall["Meets bar"] == "⛔ no"
    assert (
        recall["Pass rate"]
        == f"{expected.set_index('metric').loc['clause_recall', 'pass_rate']:.0%}"
    )
    failures = tables[("Example", "Metric")]
    assert 0 < len(failures) <= FAILED_EXAMPLES_SHOWN
    assert "uncategorised" in set(failures["Category"]) or set(failures["Category"]) <= {
        "missed_clause",
        "wrong_jurisdiction",
        "ocr_noise",
    }
    titles = [chart_title(at, i) for i in range(len(at.get("vega_lite_chart")))]
    bars = chart_data(at, titles.index("Failures by category (newest evaluation runs)"))
    assert {"missed_clause", "wrong_jurisdiction", "ocr_noise"} <= set(bars["failure_category"])
    kpi = "Review time per contract (hours)"
    line = chart_data(at, titles.index(f"{kpi}: measured, with baseline and target"))
    assert len(line) == len(
        read(
            snapshot_path,
            "select * from kpi_series where run_id = ? and project_id = ? and kpi = ?",
            rec["run_id"],
            "contract_review",
            kpi,
        )
    )
    assert "Grader agreement with people (Cohen's kappa)" in [m.label for m in at.metric]


def test_failed_examples_are_redacted(snapshot_path: Path) -> None:
    at = page("gap", project="support_copilot", gap="evaluation")
    assert not at.exception
    failures = next(d.value for d in at.dataframe if "Example" in d.value.columns)
    shown = " ".join(failures["Input"]) + " ".join(failures["Output"])
    assert "[email]" in shown and "@example.com" not in shown


def test_project_page_states_the_pass_rate_against_the_bar(snapshot_path: Path) -> None:
    at = page("project", project="contract_review")
    assert not at.exception
    assert "Pass rate vs bar: 2 of 2 below: clause_recall" in text_of(at)


def test_the_report_states_the_pass_rate_against_the_bar(snapshot_path: Path) -> None:
    from readmodel.render import render_project
    from readmodel.summary import project_summary

    summary = project_summary(snapshot_path, "contract_review")
    assert summary.pass_rate_line is not None
    assert summary.pass_rate_line.startswith("Pass rate vs bar: 2 of 2 below: clause_recall")
    for fmt in ("md", "html"):
        assert "Pass rate vs bar" in render_project(summary, fmt).decode()
    assert project_summary(snapshot_path, "churn_predictor").pass_rate_line is None
