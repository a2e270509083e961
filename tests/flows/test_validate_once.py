"""Rows that keep_valid_rows validated are not validated again by Evidence.frames.

The frames put together from the validated rows must be exactly what validating the table's rows
gives (flows/evidence/__init__.py): compared here on every example project's real evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from core.settings import DEFAULT_RUBRIC, REPO_ROOT
from flows.config import load_portfolio
from flows.evidence import Context, Evidence, keep_valid_rows
from flows.measurements import collect_project

AS_OF = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Context, Evidence]]:
    from tests.conftest import kept_environment, use_home

    with kept_environment():
        use_home(tmp_path_factory.mktemp("home"))
        loaded = load_portfolio(REPO_ROOT / "examples" / "portfolio.yml", DEFAULT_RUBRIC)
        out = []
        for project in loaded.projects:
            context = Context("run-1", project.project.id, AS_OF, "key")
            out.append((context, collect_project(context, loaded, project)))
        return out


def test_frames_from_validated_rows_equal_validating_them_again(
    collected: list[tuple[Context, Evidence]],
) -> None:
    reused = set()
    for context, evidence in collected:
        assert evidence.checked, context.project_id  # the readers' rows were validated once
        fast = evidence.frames(context)
        plain = Evidence(evidence.tables, evidence.holds).frames(context)  # nothing marked
        assert fast.keys() == plain.keys()
        for table in plain:
            pd.testing.assert_frame_equal(fast[table], plain[table], obj=table)
            if evidence._checked_frame(table, context) is not None:
                reused.add(table)
    # Readers of several kinds: load tests, costs, the evaluation plan, survey answers...
    assert {"raw_load_test_stats", "raw_cost_assumptions", "raw_survey_answers"} <= reused


def row(endpoint: str, **extra: object) -> dict[str, object]:
    return {
        "source": "stats.csv",
        "users": 10,
        "request_type": "GET",
        "endpoint": endpoint,
        "is_aggregate": False,
        "request_count": 5,
        "failure_count": 0,
        "median_ms": 1.0,
        "average_ms": 1.0,
        "p95_ms": 2.0,
        "p99_ms": 3,
        "requests_per_s": None,
        "tool": "locust",
        **extra,
    }


def test_rows_not_validated_or_changed_tables_are_validated(tmp_path: Path) -> None:
    context = Context("run-1", "p", AS_OF)
    table = "raw_load_test_stats"
    evidence = Evidence()
    first = [row("/a"), row("/b")]
    evidence.add(table, keep_valid_rows(evidence, table, first, kind="load_test", source="x"))
    second = Evidence()
    rows = [row("/c")]
    second.add(table, keep_valid_rows(second, table, rows, kind="load_test", source="y"))
    evidence.extend(second)  # marks travel with the rows
    assert evidence._checked_frame(table, context) is not None
    assert list(evidence.frames(context)[table]["endpoint"]) == ["/a", "/b", "/c"]
    evidence.add(table, row("/d"))  # added without validation: the table is validated whole
    assert evidence._checked_frame(table, context) is None
    frame = evidence.frames(context)[table]
    assert list(frame["endpoint"]) == ["/a", "/b", "/c", "/d"]
    assert set(frame["project_id"]) == {"p"} and set(frame["run_id"]) == {"run-1"}
    # A refused row is left out; the rows kept are validated with the table.
    refused = Evidence()
    kept = keep_valid_rows(
        refused, table, [row("/e"), row("/f", users=0)], kind="load_test", source="z"
    )
    assert [r["endpoint"] for r in kept] == ["/e"]
    assert refused._checked_frame(table, context) is None
