"""Evaluation results and KPI exports, read from files the real tools wrote here (promptfoo 0.121,
inspect-ai 0.3.285 with its mock model, MLflow 3.18's file store; see
tests/fixtures/evaluation/generate.sh), and what a person sees when one is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from flows.config import EvalResultsEvidence, KpiDataEvidence, LoadedProject, Project
from flows.config import Evidence as ProjectEvidence
from flows.evidence import Context
from flows.evidence.eval_results import EXCERPT_CHARS, collect_eval_results
from flows.evidence.kpi_data import collect_kpi_data

FIXTURES = Path(__file__).parents[1] / "fixtures" / "evaluation"
CONTEXT = Context("run-1", "clauses", datetime(2026, 12, 6, tzinfo=UTC))


def project(
    results: list[tuple[Path, str]] = (),  # type: ignore[assignment]
    kpis: Path | None = None,
    **extra: Any,
) -> LoadedProject:
    evidence = ProjectEvidence(
        eval_results=[EvalResultsEvidence(path=str(p), format=f) for p, f in results],  # type: ignore[arg-type]
        kpi_data=KpiDataEvidence(path=str(kpis), launch_date="2026-10-24") if kpis else None,  # type: ignore[arg-type]
    )
    return LoadedProject(
        path=FIXTURES / "project.yml",
        project=Project(id="clauses", name="Clauses", evidence=evidence, **extra),
    )


def frames(p: LoadedProject) -> dict[str, pd.DataFrame]:
    evidence = collect_eval_results(CONTEXT, p)
    evidence.extend(collect_kpi_data(CONTEXT, p))
    return evidence.frames(CONTEXT)


def rejected(out: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    table = out.get("raw_rejected_rows", pd.DataFrame())
    if table.empty:
        return []
    cols = ["row_number", "column_name", "reason"]
    return [
        tuple(None if pd.isna(v) else v for v in row) for row in table[cols].itertuples(index=False)
    ]


def test_promptfoo_json_and_jsonl_read_alike() -> None:
    out = frames(
        project(
            [
                (FIXTURES / "promptfoo" / "results.json", "promptfoo"),
                (FIXTURES / "promptfoo" / "results.jsonl", "promptfoo"),
            ],
            quality_bar={"clause_recall": 0.9},
        )
    )
    runs = out["raw_eval_runs"].set_index("tool_version", drop=False)
    assert list(out["raw_eval_runs"]["model"]) == ["contract-clauses-v2"] * 2
    assert runs.loc["0.121.20", "examples"] == 4
    assert runs.loc["0.121.20", "started_at"] is not pd.NaT
    metrics = out["raw_eval_metrics"]
    for source in metrics["source"].unique():
        by_metric = metrics[metrics["source"] == source].set_index("metric")["pass_rate"]
        assert by_metric.to_dict() == {"clause_precision": 0.0, "clause_recall": 0.75}
    assert out["raw_eval_quality_bars"][["metric", "quality_bar"]].values.tolist() == [
        ["clause_recall", 0.9]
    ]
    examples = out["raw_eval_examples"]
    failed = examples[~examples["passed"]]
    # Failed examples keep their input and output, with personal values redacted.
    law = failed[failed["example_id"] == "governing law"].iloc[0]
    assert "[email]" in law["output_excerpt"] and "[phone]" in law["output_excerpt"]
    assert "example.com" not in law["output_excerpt"] and "7946" not in law["output_excerpt"]
    assert examples[examples["passed"]]["input_excerpt"].isna().all()
    assert set(examples["grader"]) == {"icontains", "not-icontains"}
    assert set(examples["grader_kind"]) == {"automated"}


def test_inspect_log() -> None:
    out = frames(project([(FIXTURES / "inspect" / "support_answers.json", "inspect")]))
    run = out["raw_eval_runs"].iloc[0]
    assert (run["tool"], run["tool_version"], run["model"], run["examples"]) == (
        "inspect",
        "0.3.285",
        "mockllm/model",
        3,
    )
    assert out["raw_eval_metrics"][["metric", "examples", "passed"]].values.tolist() == [
        ["match", 3, 2]
    ]
    failed = out["raw_eval_examples"].query("not passed").iloc[0]
    assert failed["example_id"] == "q3"
    assert "[email]" in failed["input_excerpt"] and "[phone]" in failed["output_excerpt"]


def test_mlflow_store() -> None:
    out = frames(project([(FIXTURES / "mlruns", "mlflow")]))
    runs = out["raw_eval_runs"].set_index("eval_run")
    assert runs.loc["candidate", "model"] == "clauses-v2"
    assert runs.loc["baseline", "model"] == "clauses-v1"
    assert runs.loc["candidate", "started_at"] > runs.loc["baseline", "started_at"]
    assert runs.loc["candidate", "examples"] == 120
    metrics = out["raw_eval_metrics"].set_index(["eval_run", "metric"])["pass_rate"]
    assert metrics[("candidate", "clause_recall")] == 0.74
    assert metrics[("baseline", "clause_recall")] == 0.81
    assert "raw_eval_examples" not in out or out["raw_eval_examples"].empty
    # The user's name (an mlflow.* tag) is never read.
    assert "root" not in out["raw_eval_runs"].to_string()


def test_graded_examples_refuse_bad_rows_and_keep_the_rest() -> None:
    out = frames(project([(FIXTURES / "graded_examples.csv", "graded_examples")]))
    assert rejected(out) == [
        (9, "score", "expected a score or a pass value, found neither"),
        (
            10,
            "grader",
            "expected auto, human or the name of an automated grader (letters, digits, - _ . : /)",
        ),
        (11, "run_at", "expected a date or timestamp (ISO 8601)"),
    ]
    # A grader column holding a person's name is refused without showing it.
    assert "Jane" not in out["raw_rejected_rows"].to_string()
    runs = out["raw_eval_runs"].set_index("eval_run")
    assert runs.loc["week-48", "examples"] == 4 and runs.loc["week-48", "model"] == "clauses-v2"
    examples = out["raw_eval_examples"]
    assert sorted(examples["grader_kind"].unique()) == ["automated", "human"]
    # "human:reviewer-1": the part after human: is never kept.
    assert examples.query("grader_kind == 'human'")["grader"].isna().all()
    metrics = out["raw_eval_metrics"].set_index("eval_run")
    assert metrics.loc["week-48", "pass_rate"] == 0.5  # the tool's grades: c1, c4 of c1-c4
    record = out["raw_evidence_inputs"].iloc[0]
    assert (record["rows_read"], record["rows_rejected"], record["status"]) == (11, 3, "ok")


def test_kpi_export_refuses_unparsable_dates_and_values() -> None:
    out = frames(project(kpis=FIXTURES / "kpis.csv"))
    assert rejected(out) == [
        (11, "date", "expected a date (ISO 8601, such as 2026-03-31)"),
        (12, "value", "expected a number"),
    ]
    points = out["raw_kpi_points"]
    assert len(points) == 9
    assert set(points["cadence_days"]) == {7}
    assert points["launch_date"].iloc[0] == pd.Timestamp("2026-10-24", tz="UTC")


def test_bad_files_are_unreadable_with_file_and_json_path(tmp_path: Path) -> None:
    newer = json.loads((FIXTURES / "promptfoo" / "results.json").read_text())
    newer["results"]["version"] = 9
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    text = (FIXTURES / "promptfoo" / "results.json").read_text()
    (tmp_path / "truncated.json").write_text(text[: len(text) // 2])
    log = json.loads((FIXTURES / "inspect" / "support_answers.json").read_text())
    log["version"] = 7
    (tmp_path / "inspect.json").write_text(json.dumps(log))
    log["version"] = 2
    log["samples"][0]["scores"]["match"]["value"] = {"odd": 1}
    (tmp_path / "odd.json").write_text(json.dumps(log))
    out = frames(
        project(
            [
                (tmp_path / "newer.json", "promptfoo"),
                (tmp_path / "truncated.json", "promptfoo"),
                (tmp_path / "inspect.json", "inspect"),
                (tmp_path / "odd.json", "inspect"),
                (tmp_path / "missing.csv", "graded_examples"),
            ]
        )
    )
    inputs = out["raw_evidence_inputs"].set_index("name")
    errors = inputs["error"].to_dict()
    assert errors[str(tmp_path / "newer.json")].startswith(
        "$.results.version: promptfoo results format 9 is not one this reader knows (2, 3)"
    )
    assert errors[str(tmp_path / "truncated.json")].startswith("not valid JSON (line ")
    assert errors[str(tmp_path / "inspect.json")].startswith(
        "$.version: Inspect log format version 7 is not one this reader knows"
    )
    assert errors[str(tmp_path / "missing.csv")] == "file not found"
    # One sample with a grade that cannot be read: refused with its JSON path, the rest assessed.
    assert inputs.loc[str(tmp_path / "odd.json"), "status"] == "ok"
    assert (
        None,
        "$.samples[0].scores.match.value",
        "expected a grade: C, I, P, N, a number or true/false",
    ) in rejected(out)
    assert out["raw_eval_runs"]["examples"].tolist() == [2]


def test_excerpts_are_bounded() -> None:
    from flows.evidence.eval_results import excerpt

    long = "word " * 500 + " mail me at someone@example.org"
    assert len(excerpt(long) or "") == EXCERPT_CHARS
    assert "example.org" not in (excerpt("reach someone@example.org now") or "")


def test_a_changed_mlflow_run_changes_the_measurement_key(tmp_path: Path) -> None:
    """An MLflow store keeps its runs in sub-folders: every file below the folder is in the key."""
    import shutil

    from flows.measurements import path_signature

    store = tmp_path / "mlruns"
    shutil.copytree(FIXTURES / "mlruns", store)
    before = path_signature(store)
    metric = sorted(store.glob("*/*/metrics/clause_recall"))[0]
    metric.write_text(metric.read_text().replace("0.", "0.0", 1))
    assert path_signature(store) != before


def test_mlflow_sqlite_store_reads_like_the_file_store(tmp_path: Path) -> None:
    """MLflow 3's default store (sqlite:///mlflow.db) holds the same runs as its file store."""
    sqlite = frames(project([(FIXTURES / "mlflow.db", "mlflow")]))
    folder = frames(project([(FIXTURES / "mlruns", "mlflow")]))
    columns = ["eval_run", "metric", "pass_rate"]
    assert (
        sqlite["raw_eval_metrics"][columns].sort_values(columns).values.tolist()
        == folder["raw_eval_metrics"][columns].sort_values(columns).values.tolist()
    )
    runs = sqlite["raw_eval_runs"].set_index("eval_run")
    assert (
        runs.loc["candidate", "model"] == "clauses-v2" and runs.loc["candidate", "examples"] == 120
    )
    (tmp_path / "not.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    bad = frames(project([(tmp_path / "not.db", "mlflow")]))
    assert bad["raw_evidence_inputs"].iloc[0]["error"].startswith("not an MLflow SQLite store")


def test_a_run_at_repeated_on_many_rows_is_read_or_refused_on_each(tmp_path: Path) -> None:
    # Each run_at text is parsed once per file; every row still gets its instant or its refusal.
    rows = ["example_id,score,grader,run,run_at"]
    rows += [f"a{i},0.9,auto,r1,2026-11-10T08:00:00+01:00" for i in range(3)]
    rows += [f"b{i},0.9,auto,r2,not a date" for i in range(2)]
    path = tmp_path / "graded.csv"
    path.write_text("\n".join(rows) + "\n")
    out = frames(project([(path, "graded_examples")]))
    refused = "expected a date or timestamp (ISO 8601)"
    assert rejected(out) == [(5, "run_at", refused), (6, "run_at", refused)]
    runs = out["raw_eval_runs"].set_index("eval_run")
    assert runs.loc["r1", "started_at"] == pd.Timestamp("2026-11-10T07:00:00Z")
    assert runs.loc["r1", "examples"] == 3
