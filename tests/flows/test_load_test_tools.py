"""k6 end-of-test summaries and JMeter JTL results, read into the tables Locust's results fill.

The JMeter fixture is real: ``tests/fixtures/jmeter/make_fixtures.py`` runs JMeter against a
loopback server (and the last test runs it again); the k6 summary is written as k6 writes it (k6
does not install here, see ``tests/fixtures/k6/README.md``).
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from flows.config import Evidence as ProjectEvidence
from flows.config import LoadedProject, LoadTestEvidence, Project
from flows.evidence import Context
from flows.evidence.load_tests import collect_load_tests
from tests.fixtures.jmeter import make_fixtures
from tests.services import missing

FIXTURES = Path(__file__).parents[1] / "fixtures"
K6 = FIXTURES / "k6" / "summary.json"
JTL = FIXTURES / "jmeter" / "results.jtl"
CONTEXT = Context("run-1", "assistant", datetime(2026, 12, 1, tzinfo=UTC))


def collect(*specs: LoadTestEvidence) -> dict[str, pd.DataFrame]:
    project = LoadedProject(
        path=Path("/tmp/assistant/project.yml"),
        project=Project(
            id="assistant", name="Assistant", evidence=ProjectEvidence(load_tests=list(specs))
        ),
    )
    return collect_load_tests(CONTEXT, project).frames(CONTEXT)


def by_endpoint(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {
        str(r["endpoint"]): {k: (None if pd.isna(v) else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    }


def test_k6_summary_overall_and_per_endpoint() -> None:
    frames = collect(LoadTestEvidence(path=str(K6), format="k6"))
    rows = by_endpoint(frames["raw_load_test_stats"])
    summary = json.loads(K6.read_text())["metrics"]
    overall = rows["Aggregated"]
    assert overall["is_aggregate"] and overall["tool"] == "k6"
    assert overall["users"] == summary["vus"]["max"] == 60  # the most VUs active, not declared
    assert overall["request_count"] == summary["http_reqs"]["count"]
    assert overall["failure_count"] == summary["http_req_failed"]["passes"] == 87
    assert overall["p95_ms"] == summary["http_req_duration"]["p(95)"]
    assert overall["median_ms"] == summary["http_req_duration"]["med"]
    assert overall["p99_ms"] == summary["http_req_duration"]["p(99)"]
    assert overall["requests_per_s"] == summary["http_reqs"]["rate"]
    chat = rows["/v1/chat"]
    assert (chat["request_count"], chat["failure_count"]) == (6198, 43)
    assert chat["p95_ms"] == summary["http_req_duration{name:/v1/chat}"]["p(95)"]
    # The third endpoint has a duration threshold only: k6 exported no count for it.
    assert "/v1/forecast/explain" not in rows
    (refused,) = frames["raw_rejected_rows"].to_dict("records")
    assert refused["column_name"] == "metrics.http_reqs{name:/v1/forecast/explain}"
    assert refused["reason"].startswith("skipped: ") and "threshold" in refused["reason"]
    (record,) = frames["raw_evidence_inputs"].to_dict("records")
    assert (record["status"], record["rows_read"], record["rows_rejected"]) == ("ok", 3, 1)


def test_k6_handle_summary_data_and_declared_users(tmp_path: Path) -> None:
    """handleSummary's data (statistics under ``values``) reads the same; no VU gauge: declared."""
    data = {
        "metrics": {
            "http_req_duration": {"type": "trend", "values": {"med": 90, "avg": 95, "p(95)": 180}},
            "http_reqs": {"type": "counter", "values": {"count": 1000, "rate": 16.6}},
            "http_req_failed": {"type": "rate", "values": {"rate": 0.012, "passes": 12}},
        }
    }
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(data))
    (row,) = collect(LoadTestEvidence(path=str(path), format="k6", users=25))[
        "raw_load_test_stats"
    ].to_dict("records")
    assert (row["users"], row["request_count"], row["failure_count"], row["p95_ms"]) == (
        25,
        1000,
        12,
        180.0,
    )
    assert pd.isna(row["p99_ms"])  # not among k6's default trend statistics


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"metrics": {"http_req', "not valid JSON (line 1, column 14)"),
        ("[1, 2]", "metrics: expected k6's end-of-test summary"),
        (
            '{"metrics": {"http_req_duration": {"med": 1, "avg": 1, "p(95)": 2}, "vus": {"max": 5}}}',
            "metrics.http_reqs: expected an object of k6 statistics, found nothing",
        ),
        (
            '{"metrics": {"http_req_duration": {"med": 1, "avg": "fast"}, "vus": {"max": 5},'
            ' "http_reqs": {"count": 3}, "http_req_failed": {"passes": 0}}}',
            "metrics.http_req_duration.avg: expected a number",
        ),
        (
            '{"metrics": {"http_req_duration": {"med": 1, "avg": 1, "p(95)": 1},'
            ' "http_reqs": {"count": 3}, "http_req_failed": {"passes": 0}}}',
            "metrics.vus: missing, and no users declared",
        ),
    ],
)
def test_k6_summary_of_the_wrong_shape_names_the_json_path(
    tmp_path: Path, text: str, error: str
) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text)
    frames = collect(LoadTestEvidence(path=str(path), format="k6"))
    (record,) = frames["raw_evidence_inputs"].to_dict("records")
    assert record["status"] == "unreadable" and record["source"] == str(path)
    assert error in record["error"], record["error"]
    assert "raw_load_test_stats" not in frames


def jtl_samples() -> list[dict[str, str]]:
    with JTL.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_jmeter_jtl_overall_and_per_label() -> None:
    frames = collect(LoadTestEvidence(path=str(JTL), format="jmeter"))
    rows = by_endpoint(frames["raw_load_test_stats"])
    samples = jtl_samples()
    assert set(rows) == {"Aggregated"} | {s["label"] for s in samples}
    for name, row in rows.items():
        mine = [s for s in samples if name == "Aggregated" or s["label"] == name]
        elapsed = np.array([int(s["elapsed"]) for s in mine])
        assert row["tool"] == "jmeter"
        assert row["users"] == max(int(s["allThreads"]) for s in samples)
        assert row["request_count"] == len(mine)
        assert row["failure_count"] == sum(s["success"] == "false" for s in mine)
        for column, q in (("median_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
            assert row[column] == np.quantile(elapsed, q, method="inverted_cdf"), (name, column)
        assert row["average_ms"] == pytest.approx(elapsed.mean())
    assert rows["/v1/chat"]["failure_count"] > 0  # the server fails every 7th chat request
    history = frames["raw_load_test_history"]
    assert history["is_aggregate"].all() and history["total_request_count"].max() == len(samples)
    assert history["user_count"].max() == rows["Aggregated"]["users"]


def test_jmeter_history_windows_follow_the_threads(tmp_path: Path) -> None:
    """A ramp from 2 to 10 threads, 10 s apart: one window each, its own percentiles."""
    lines = ["timeStamp,elapsed,label,responseCode,success,grpThreads,allThreads"]
    start = 1_790_000_000_000
    for window, threads, ms in ((0, 2, 100), (1, 5, 200), (2, 10, 900)):
        for i in range(20):
            ok = "false" if window == 2 and i < 2 else "true"
            at = start + window * 10_000 + i * 400
            lines.append(f"{at},{ms + i},/a,200,{ok},{threads},{threads}")
    path = tmp_path / "ramp.jtl"
    path.write_text("\n".join(lines) + "\n")
    history = collect(LoadTestEvidence(path=str(path), format="jmeter"))["raw_load_test_history"]
    points = history.sort_values("sampled_at").to_dict("records")
    assert [p["user_count"] for p in points] == [2, 5, 10]
    assert [p["p95_ms"] for p in points] == [118, 218, 918]
    assert [p["total_request_count"] for p in points] == [20, 40, 60]
    assert [p["total_failure_count"] for p in points] == [0, 0, 2]
    assert [p["source_row"] for p in points] == [2, 22, 42]  # each window's first line
    assert points[0]["sampled_at"] == pd.Timestamp(start + 10_000, unit="ms", tz="UTC")


def test_jtl_bad_samples_are_refused_by_line_and_column(tmp_path: Path) -> None:
    text = JTL.read_text().splitlines()
    header = text[0].split(",")
    broken = list(text)
    cells = broken[5].split(",")
    cells[header.index("elapsed")] = "slow"
    broken[5] = ",".join(cells)
    cells = broken[9].split(",")
    cells[header.index("success")] = "maybe"
    broken[9] = ",".join(cells)
    path = tmp_path / "results.jtl"
    path.write_text("\n".join(broken) + "\n")
    frames = collect(LoadTestEvidence(path=str(path), format="jmeter"))
    refused = frames["raw_rejected_rows"].to_dict("records")
    assert {(r["row_number"], r["column_name"], r["reason"]) for r in refused} == {
        (6, "elapsed", "expected a whole number of milliseconds"),
        (10, "success", "expected true or false"),
    }
    aggregate = by_endpoint(frames["raw_load_test_stats"])["Aggregated"]
    assert aggregate["request_count"] == len(text) - 1 - 2  # the rest is assessed


@pytest.mark.parametrize(
    ("text", "error", "missing_columns"),
    [
        ("timeStamp,label,responseCode\n1,a,200\n", "missing columns", ["elapsed", "success"]),
        ("1796524167566,175,/a,200,OK,t 1-3,text,true,156,7,7,174\n", "line 1: expected", []),
        ('<?xml version="1.0"?>\n<testResults/>\n', "this is an XML JTL", []),
        ("", "the file is empty", []),
    ],
)
def test_jtl_without_what_every_row_needs_is_unreadable(
    tmp_path: Path, text: str, error: str, missing_columns: list[str]
) -> None:
    path = tmp_path / "results.jtl"
    path.write_text(text)
    frames = collect(LoadTestEvidence(path=str(path), format="jmeter"))
    (record,) = frames["raw_evidence_inputs"].to_dict("records")
    assert record["status"] == "unreadable" and error in record["error"], record["error"]
    refused = frames.get("raw_rejected_rows", pd.DataFrame(columns=["column_name", "row_number"]))
    assert sorted(refused["column_name"]) == missing_columns
    assert set(refused["row_number"]) <= {1}


def test_a_locust_file_needs_users_and_only_locust_has_a_history() -> None:
    with pytest.raises(ValidationError, match="needs users"):
        LoadTestEvidence(path="stats.csv")
    with pytest.raises(ValidationError, match="only format locust"):
        LoadTestEvidence(path="summary.json", format="k6", history_path="history.csv")
    assert LoadTestEvidence(path="summary.json", format="k6").users is None


def test_real_jmeter_run_on_loopback(tmp_path: Path) -> None:
    """JMeter itself (Debian's jmeter and jmeter-http) writes the JTL that is then read."""
    if make_fixtures.jmeter_command() is None or shutil.which("java") is None:
        missing("jmeter", "the Debian packages jmeter and jmeter-http are not installed")
    jtl = make_fixtures.make(tmp_path)
    rows = by_endpoint(
        collect(LoadTestEvidence(path=str(jtl), format="jmeter"))["raw_load_test_stats"]
    )
    per_label = make_fixtures.THREADS * make_fixtures.LOOPS
    assert set(rows) == {"Aggregated", *make_fixtures.ENDPOINTS}
    assert rows["Aggregated"]["request_count"] == per_label * len(make_fixtures.ENDPOINTS)
    assert rows["/v1/chat"]["failure_count"] == per_label // 7
    assert rows["/v1/pipeline/summary"]["failure_count"] == 0
    # The server waits 60 ms on every explain request: no sample can be faster.
    assert rows["/v1/forecast/explain"]["median_ms"] >= 60
    # The most threads JMeter had active at once: all of them unless the first finished its loops
    # before the ramp-up started the last (a loaded machine), never more.
    assert 1 <= rows["Aggregated"]["users"] <= make_fixtures.THREADS
