"""LLM call logs and OpenAI usage exports: tokens per request, never the prompts."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.settings import REPO_ROOT
from flows.config import Evidence as ProjectEvidence
from flows.config import LlmUsageEvidence, LoadedProject, Project
from flows.evidence import Context
from flows.evidence.llm_usage import ALL, collect_llm_usage

EXAMPLE = REPO_ROOT / "examples" / "projects" / "sales_forecast_assistant" / "usage"
CALLS = EXAMPLE / "chat_completions.jsonl"
EXPORT = EXAMPLE / "openai_usage_completions.csv"
CONTEXT = Context("run-1", "assistant", datetime(2026, 12, 1, tzinfo=UTC))


def collect(*specs: LlmUsageEvidence) -> dict[str, pd.DataFrame]:
    project = LoadedProject(
        path=Path("/tmp/assistant/project.yml"),
        project=Project(
            id="assistant", name="Assistant", evidence=ProjectEvidence(llm_usage=list(specs))
        ),
    )
    return collect_llm_usage(CONTEXT, project).frames(CONTEXT)


def by_source(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {str(r["source"]): r for r in frame.to_dict("records")}


def test_call_log_and_usage_export_measure_tokens_per_request() -> None:
    frames = collect(
        LlmUsageEvidence(path=str(CALLS), format="call_log"),
        LlmUsageEvidence(path=str(EXPORT), format="openai_usage_csv"),
    )
    rows = by_source(frames["raw_llm_usage"])
    calls = [json.loads(line) for line in CALLS.read_text().splitlines()]
    usage = [c["usage"] for c in calls if "usage" in c]
    prompt = np.array([u["prompt_tokens"] for u in usage])
    completion = np.array([u["completion_tokens"] for u in usage])
    logged = rows[str(CALLS)]
    assert (logged["requests"], logged["is_aggregate"]) == (len(usage), False)
    assert logged["tokens_in_mean"] == pytest.approx(prompt.mean())
    assert logged["tokens_out_mean"] == pytest.approx(completion.mean())
    assert logged["tokens_in_p95"] == np.quantile(prompt, 0.95, method="inverted_cdf")
    assert logged["tokens_out_p95"] == np.quantile(completion, 0.95, method="inverted_cdf")
    assert logged["models"] == "gpt-4.1"  # the family: no snapshot date
    with EXPORT.open(newline="") as handle:
        buckets = list(csv.DictReader(handle))
    requests = sum(int(b["num_model_requests"]) for b in buckets)
    exported = rows[str(EXPORT)]
    assert exported["requests"] == requests
    assert exported["tokens_in_mean"] == pytest.approx(
        sum(int(b["input_tokens"]) for b in buckets) / requests
    )
    assert pd.isna(exported["tokens_in_p95"])  # sums per bucket: no percentile
    everything = rows[ALL]
    assert everything["is_aggregate"] and everything["requests"] == len(usage) + requests
    assert everything["tokens_in_p95"] == logged["tokens_in_p95"]  # over the logged calls
    assert everything["tokens_in_mean"] == pytest.approx(
        (prompt.sum() + sum(int(b["input_tokens"]) for b in buckets)) / (len(usage) + requests)
    )
    # The two calls that timed out are kept as skipped rows, by line.
    refused = frames["raw_rejected_rows"].to_dict("records")
    failed = [n for n, c in enumerate(calls, start=1) if "usage" not in c]
    assert [r["row_number"] for r in refused] == failed
    assert all(r["reason"].startswith("skipped: ") for r in refused)


def test_no_prompt_or_answer_text_is_stored() -> None:
    frames = collect(LlmUsageEvidence(path=str(CALLS)))
    answers = {
        c["choices"][0]["message"]["content"]
        for c in map(json.loads, CALLS.read_text().splitlines())
        if "choices" in c
    }
    stored = " ".join(
        str(v) for frame in frames.values() for v in frame.to_numpy().ravel() if isinstance(v, str)
    )
    assert answers and not [a for a in answers if a in stored]


def test_batch_output_and_responses_api_usage(tmp_path: Path) -> None:
    """OpenAI's Batch output (usage under response.body) and the Responses API's token names."""
    lines = [
        {
            "id": "batch_req_1",
            "custom_id": "c1",
            "response": {
                "status_code": 200,
                "body": {"model": "gpt-4o-mini", "usage": {"prompt_tokens": 100, "completion_tokens": 20}},
            },
            "error": None,
        },
        {"object": "response", "model": "gpt-4.1", "usage": {"input_tokens": 300, "output_tokens": 40}},
    ]  # fmt: skip
    path = tmp_path / "calls.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rows = by_source(collect(LlmUsageEvidence(path=str(path)))["raw_llm_usage"])
    row = rows[str(path)]
    assert (row["requests"], row["tokens_in_total"], row["tokens_out_total"]) == (2, 400, 60)
    assert row["models"] == "gpt-4.1, gpt-4o-mini"


def test_call_log_lines_without_usage_are_refused_by_line_and_json_path(tmp_path: Path) -> None:
    secret = "my card number is 4111 1111 1111 1111"
    lines = [
        json.dumps({"model": "gpt-4.1", "usage": {"prompt_tokens": 1200, "completion_tokens": 80}}),
        "{not json " + secret,
        json.dumps({"model": "gpt-4.1", "messages": [{"role": "user", "content": secret}]}),
        json.dumps({"usage": {"prompt_tokens": -3, "completion_tokens": 10}}),
        json.dumps({"usage": {"prompt_tokens": 10, "completion_tokens": "many"}}),
        json.dumps(["a list"]),
        "",
        json.dumps({"model": secret, "usage": {"prompt_tokens": 800, "completion_tokens": 40}}),
    ]
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(lines) + "\n")
    frames = collect(LlmUsageEvidence(path=str(path)))
    refused = {
        (r["row_number"], r["column_name"] if isinstance(r["column_name"], str) else None): r[
            "reason"
        ]
        for r in frames["raw_rejected_rows"].to_dict("records")
    }
    assert set(refused) == {
        (2, None),
        (3, "usage"),
        (4, "usage.prompt_tokens"),
        (5, "usage.completion_tokens"),
        (6, None),
    }
    assert refused[(2, None)].startswith("not valid JSON")
    assert "expected OpenAI's usage object" in refused[(3, "usage")]
    row = by_source(frames["raw_llm_usage"])[str(path)]
    assert (row["requests"], row["tokens_in_mean"]) == (2, 1000.0)  # the rest is assessed
    assert row["models"] == "gpt-4.1"  # a model name that is not one is not stored
    stored = " ".join(
        str(v) for frame in frames.values() for v in frame.to_numpy().ravel() if isinstance(v, str)
    )
    assert "4111" not in stored


@pytest.mark.parametrize(
    ("fmt", "text", "error"),
    [
        ("openai_usage_csv", "start_time,input_tokens,model\n1,2,x\n", "missing columns"),
        ("openai_usage_csv", "", "the file is empty"),
        ("call_log", '{"error": {"message": "timeout"}}\n', "no request with token usage"),
        ("call_log", None, "file not found"),
    ],
)
def test_unreadable_usage_files(tmp_path: Path, fmt: str, text: str | None, error: str) -> None:
    path = tmp_path / "usage.file"
    if text is not None:
        path.write_text(text)
    frames = collect(LlmUsageEvidence(path=str(path), format=fmt))  # type: ignore[arg-type]
    (record,) = frames["raw_evidence_inputs"].to_dict("records")
    assert record["status"] == "unreadable" and error in record["error"], record["error"]
    assert "raw_llm_usage" not in frames


def test_usage_export_bad_cells_are_refused_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "start_time,end_time,input_tokens,output_tokens,num_model_requests,model\n"
        "1,2,5000,500,2,gpt-4.1\n"
        "2,3,lots,500,2,gpt-4.1\n"
        "3,4,0,0,0,gpt-4.1\n"
        "4,5,3000,300,1,gpt-4.1\n"
    )
    frames = collect(LlmUsageEvidence(path=str(path), format="openai_usage_csv"))
    (refused,) = frames["raw_rejected_rows"].to_dict("records")
    assert (refused["row_number"], refused["column_name"], refused["value"]) == (
        3,
        "input_tokens",
        "lots",
    )
    row = by_source(frames["raw_llm_usage"])[str(path)]
    assert (row["requests"], row["tokens_in_mean"], row["tokens_out_mean"]) == (
        3,
        8000 / 3,
        800 / 3,
    )
