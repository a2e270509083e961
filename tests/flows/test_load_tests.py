"""Locust stats files: one row per endpoint plus the aggregate; bad rows and files are reported."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows.config import Evidence as ProjectEvidence
from flows.config import LoadedProject, LoadTestEvidence, Project
from flows.evidence import Context
from flows.evidence.load_tests import collect_load_tests

FIXTURES = Path(__file__).parents[1] / "fixtures" / "locust"
CONTEXT = Context("run-1", "claims", datetime(2025, 3, 10, tzinfo=UTC))
HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def collect(*tests: tuple[Path, int], history: Path | None = None) -> dict[str, pd.DataFrame]:
    specs = [LoadTestEvidence(path=str(path), users=users) for path, users in tests]
    if history is not None:
        specs[0] = LoadTestEvidence(
            path=specs[0].path, users=specs[0].users, history_path=str(history)
        )
    project = LoadedProject(
        path=Path("/tmp/claims/project.yml"),
        project=Project(id="claims", name="Claims", evidence=ProjectEvidence(load_tests=specs)),
    )
    return collect_load_tests(CONTEXT, project).frames(CONTEXT)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, missing values as None."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in clean.to_dict("records")]


def rows(frames: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    frame = (
        frames["raw_load_test_stats"]
        .astype(object)
        .where(frames["raw_load_test_stats"].notna(), None)
    )
    return [
        (
            r.users,
            r.request_type,
            r.endpoint,
            r.is_aggregate,
            r.request_count,
            r.failure_count,
            r.median_ms,
            r.average_ms,
            r.p95_ms,
            r.p99_ms,
            r.requests_per_s,
        )
        for r in frame.itertuples()
    ]


def test_no_load_test_is_no_evidence() -> None:
    assert collect() == {}


def test_locust_stats() -> None:
    frames = collect((FIXTURES / "checkout_stats.csv", 200))
    assert rows(frames) == [
        (200, "GET", "/health", False, 1200, 0, 4.0, 5.21, 11.0, 21.0, 20.0),
        (200, "POST", "/v1/classify", False, 4800, 24, 310.0, 342.87, 640.0, 990.0, 80.0),
        (200, "POST", "/v1/explain", False, 0, 0, 0.0, 0.0, None, None, 0.0),
        (200, None, "Aggregated", True, 6000, 24, 250.0, 275.33, 600.0, 950.0, 100.0),
    ]
    assert list(frames["raw_load_test_stats"]["source"].unique()) == [
        str(FIXTURES / "checkout_stats.csv")
    ]
    record = frames["raw_evidence_inputs"].iloc[0]
    assert (record.evidence_kind, record.status, record.rows_read, record.rows_rejected) == (
        "load_test",
        "ok",
        4,
        0,
    )
    assert len(record.fingerprint) == 64
    assert "raw_rejected_rows" not in frames


def test_bad_numbers_refuse_their_row(tmp_path: Path) -> None:
    path = tmp_path / "run_stats.csv"
    path.write_text(
        f"{HEADER}\n"
        "GET,/a,ten,0,4,5,1,48,17,20,0,4,5,6,6,8,11,15,21,40,48,48\n"
        "GET,/b,10,-1,4,5,1,48,17,20,0,4,5,6,6,8,11,15,21,40,48,48\n"
        "GET,/c,10,0,4,5,1,48,17,20,0,4,5,6,6,8,slow,15,21,40,48,48\n"
        "GET,,10,0,4,5,1,48,17,20,0,4,5,6,6,8,11,15,21,40,48,48\n"
        ",Aggregated,30,0,4,5,1,48,17,60,0,4,5,6,6,8,11,15,21,40,48,48\n"
    )
    frames = collect((path, 50))
    assert [r[2] for r in rows(frames)] == ["Aggregated"]
    rejected = frames["raw_rejected_rows"]
    assert [
        (r["row_number"], r["column_name"], r["value"], r["reason"]) for r in records(rejected)
    ] == [
        (2, "Request Count", "ten", "expected a whole number of requests"),
        (4, "95%", "slow", "expected a number, or N/A"),
        (5, "Name", None, "expected the request name"),
        (3, "Failure Count", "-1", "expected a value >= 0"),
    ]
    assert set(rejected["source"]) == {str(path)}
    assert frames["raw_evidence_inputs"].iloc[0].rows_rejected == 4


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "Type,Name,Request Count,Requests/s\nGET,/a,1,1\n",
            "missing columns of a Locust stats file: Failure Count, Median Response Time, "
            "Average Response Time, 95%, 99%",
        ),
        (
            "Timestamp,User Count,Type,Name,Requests/s\n1700000000,10,,Aggregated,3\n",
            "this looks like *_stats_history.csv",
        ),
        ("", "the file is empty"),
        (None, "file not found"),
    ],
)
def test_unreadable_files_are_recorded(tmp_path: Path, text: str | None, error: str) -> None:
    path = tmp_path / "run_stats.csv"
    if text is not None:
        path.write_text(text)
    frames = collect((path, 10), (FIXTURES / "checkout_stats.csv", 10))
    records = frames["raw_evidence_inputs"]
    assert list(records["status"]) == ["unreadable", "ok"]
    assert error in records.iloc[0].error
    assert len(frames["raw_load_test_stats"]) == 4  # the readable file is still read


def test_missing_columns_are_rejected_rows_naming_each_column(tmp_path: Path) -> None:
    path = tmp_path / "run_stats.csv"
    path.write_text("Type,Name,Request Count,Failure Count,Requests/s\nGET,/a,1,0,1\n")
    frames = collect((path, 10))
    rejected = records(frames["raw_rejected_rows"])
    assert [(r["source"], r["row_number"], r["column_name"]) for r in rejected] == [
        (str(path), 1, column)
        for column in ("Median Response Time", "Average Response Time", "95%", "99%")
    ]
    assert all("missing column" in r["reason"] for r in rejected)
    assert frames["raw_evidence_inputs"].iloc[0].status == "unreadable"


HISTORY_HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size"
)


def test_locust_history_with_full_history() -> None:
    """Every sample (per endpoint and aggregated) with its user count and rolling percentiles."""
    frames = collect(
        (FIXTURES / "checkout_stats.csv", 200), history=FIXTURES / "checkout_stats_history.csv"
    )
    history = records(frames["raw_load_test_history"])
    assert (FIXTURES / "checkout_stats_history.csv").read_text().splitlines()[0] == HISTORY_HEADER
    assert len(history) == 11
    first, last = history[0], history[-1]
    assert (first["user_count"], first["is_aggregate"], first["p95_ms"]) == (0, True, None)
    assert first["sampled_at"] == pd.Timestamp("2025-03-10 10:00:00", tz="UTC")
    assert (
        last["user_count"],
        last["endpoint"],
        last["request_type"],
        last["p50_ms"],
        last["p95_ms"],
        last["p99_ms"],
        last["requests_per_s"],
        last["failures_per_s"],
        last["total_request_count"],
        last["total_failure_count"],
        last["source_row"],
    ) == (200, "Aggregated", None, 290.0, 620.0, 960.0, 100.2, 0.5, 3410, 19, 12)
    classify = [h for h in history if h["endpoint"] == "/v1/classify"]
    assert [h["request_type"] for h in classify] == ["POST"] * 5
    assert [h["users"] for h in history] == [200] * 11  # the configured concurrency
    inputs = records(frames["raw_evidence_inputs"])
    assert [(i["name"], i["status"], i["rows_read"]) for i in inputs] == [
        (str(FIXTURES / "checkout_stats.csv"), "ok", 4),
        (str(FIXTURES / "checkout_stats_history.csv"), "ok", 11),
    ]


def test_history_bad_cells_and_missing_columns(tmp_path: Path) -> None:
    bad = tmp_path / "run_stats_history.csv"
    bad.write_text(
        f"{HISTORY_HEADER}\n"
        "yesterday,10,,Aggregated,1,0,1,1,1,1,1,1,1,1,1,1,1,10,0,1,1,1,1,1\n"
        "1741600805,ten,,Aggregated,1,0,1,1,1,1,1,1,1,1,1,1,1,10,0,1,1,1,1,1\n"
        "1741600815,10,,Aggregated,1,0,1,1,1,1,1,fast,1,1,1,1,1,10,0,1,1,1,1,1\n"
        "1741600825,10,,Aggregated,1,0,1,1,1,1,1,1,1,1,1,1,1,20,0,1,1,1,1,1\n"
    )
    frames = collect((FIXTURES / "checkout_stats.csv", 10), history=bad)
    assert len(frames["raw_load_test_history"]) == 1
    rejected = records(frames["raw_rejected_rows"])
    assert [(r["row_number"], r["column_name"], r["value"], r["reason"]) for r in rejected] == [
        (2, "Timestamp", "yesterday", "expected a Unix timestamp in seconds"),
        (3, "User Count", "ten", "expected a whole number of users"),
        (4, "95%", "fast", "expected a number, or N/A"),
    ]
    stats_instead = tmp_path / "other_stats_history.csv"
    stats_instead.write_text((FIXTURES / "checkout_stats.csv").read_text())
    frames = collect((FIXTURES / "checkout_stats.csv", 10), history=stats_instead)
    record = frames["raw_evidence_inputs"].iloc[1]
    assert record.status == "unreadable"
    assert "this looks like *_stats.csv" in record.error
    assert "Timestamp" in set(frames["raw_rejected_rows"]["column_name"])
