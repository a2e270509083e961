"""Pure helpers of the dashboard, and a guard that every query keeps values out of the SQL text."""

from __future__ import annotations

import ast
import math

import pandas as pd
import pytest

from dashboard import labels
from flows.settings import REPO_ROOT


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


def test_verdicts_and_statuses_are_words_not_colours() -> None:
    assert labels.verdict("go") == "✅ Go" and labels.verdict("not_yet") == "⛔ Not yet"
    assert labels.verdict_banner("not_yet") == "⛔ NOT YET"
    assert labels.gap_label("stakeholder_alignment") == "Stakeholder alignment"
    assert labels.gap_label("unknown_gap") == "unknown_gap"
    assert labels.status_label("at_risk") == "⚠️ At risk"
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
