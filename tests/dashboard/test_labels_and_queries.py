"""Pure helpers of the dashboard, and a guard that every query keeps values out of the SQL text."""

from __future__ import annotations

import ast
import math

import pandas as pd
import pytest

from core.settings import REPO_ROOT
from dashboard.drilldown import judged_sentence
from readmodel import vocabulary as labels
from readmodel.drilldowns import JudgedLoadTest


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "–"), (math.nan, "–"), (pd.NA, "–"), (12.0, "12"), (1234567.8, "1,234,568"),
     (0.04567, "0.0457"), (1.5, "1.5"), ("n/a", "n/a")],
)  # fmt: skip
def test_number(value: object, shown: str) -> None:
    assert labels.number(value) == shown


def test_formats() -> None:
    assert labels.percent(0.853) == "85%" and labels.percent(None) == "–"
    assert labels.money(45000, "EUR") == "EUR 45,000"
    assert labels.money(4.5, "EUR") == "EUR 4.50"
    assert labels.money(22500.0) == "22,500"
    assert labels.days(1) == "1 day" and labels.days(25.0) == "25 days"
    assert labels.day(pd.Timestamp("2026-11-20 14:30")) == "2026-11-20"
    assert labels.day(pd.NaT) == "–"
    assert labels.gap_list("data_quality, scale") == "Data quality, Scale"
    assert labels.gap_list("") == "" and labels.gap_list(None) == ""
    assert labels.comparison("lower_is_better") == "≤"
    # A measured rate to two decimals: 2.54 % is never shown as 3 %.
    assert labels.rate(0.0254) == "2.54 %" and labels.rate(0.01) == "1.00 %"
    assert labels.rate(None) == "–"


def test_judged_load_test_figures_say_why_they_differ_from_locust() -> None:
    # The detail documents int_check_items_scale writes (dbt), as check_items publishes them.
    history = judged_sentence(
        JudgedLoadTest(
            check_id="sc_latency",
            source="load/run_stats_history.csv",
            result="pass",
            detail='{"p95_ms": 240, "slo_p95_ms": 800, "user_count": 40, '
            '"target_concurrency": 40, "measured_from": "history at target concurrency", '
            '"overall_p95_ms": 260}',
        )
    )
    assert history == (
        "p95 240 ms at 40 users (the last window at target concurrency, "
        "run_stats_history.csv); Locust's overall p95: 260 ms"
    )
    final = judged_sentence(
        JudgedLoadTest(
            check_id="sc_latency",
            source="load/run_stats.csv",
            result="fail",
            overall_p95_ms=900.0,
            detail='{"p95_ms": 900, "users": 50, "target_concurrency": 40, '
            '"measured_from": "final stats"}',
        )
    )
    assert final.startswith("p95 900 ms at 50 users (Locust's final stats of run_stats.csv")
    errors = judged_sentence(
        JudgedLoadTest(
            check_id="sc_error_rate",
            source="load/run_stats.csv",
            result="fail",
            detail='{"failures": 127, "requests": 5000, "failure_rate": 0.0254, '
            '"error_budget": 0.01, "users": 50}',
        )
    )
    assert errors.startswith("Error rate 2.54 % (127 failures in 5,000 requests) at 50 users")
    assert errors.endswith("error budget 1.00 %")


def test_verdicts_and_statuses_are_words_not_colours() -> None:
    assert labels.verdict("go") == "✅ Go" and labels.verdict("not_yet") == "⛔ Not yet"
    assert labels.verdict_banner("not_yet") == "⛔ NOT YET"
    assert labels.gap_label("stakeholder_alignment") == "Stakeholder alignment"
    assert labels.gap_label("unknown_gap") == "unknown_gap"
    assert labels.status_label("at_risk") == "⚠️ At risk"
    assert labels.status_label("insufficient_evidence") == "🔍 Insufficient evidence"
    assert labels.result_label("no_evidence") == "❔ No evidence"


def test_queries_never_format_values_into_sql() -> None:
    tree = ast.parse((REPO_ROOT / "dashboard" / "queries.py").read_text())
    formatted: list[ast.AST] = [n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)]
    formatted += [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "format"
    ]
    formatted += [
        n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod)
    ]
    assert not formatted, "queries.py must bind values with ? parameters"


def test_only_queries_touches_duckdb() -> None:
    for path in (REPO_ROOT / "dashboard").rglob("*.py"):
        if path.name != "queries.py":
            assert "duckdb" not in path.read_text(), path
