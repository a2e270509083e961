"""Hostile evaluation results and KPI exports: what a person reads, and nothing of the file echoed.

A newer or unknown format version, truncated or binary files, results without a grade, graders that
are no tool's name (a person's, perhaps), KPI rows with dates or values that cannot be read: each
named with its file and its row, line or JSON path; a good project beside them is still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from core.settings import REPO_ROOT
from tests.hostile.harness import CANARY, Case, Workspace, run_cases

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "evaluation"
BINARY = bytes(range(256)) * 64 + CANARY.encode()
GRADED_HEADER = "example_id,input,output,score,pass,grader,failure_category\n"


def results(relative: str, fmt: str, content: str | bytes) -> Callable[[Workspace], Path]:
    """One project naming one hostile results file, beside a good project."""

    def build(ws: Workspace) -> Path:
        ws.write(relative, content)
        hostile = ws.project(evidence={"eval_results": [{"path": relative, "format": fmt}]})
        return ws.portfolio(projects=[hostile, ws.project("good_project")])

    return build


def kpis(content: str) -> Callable[[Workspace], Path]:
    def build(ws: Workspace) -> Path:
        ws.write("kpis.csv", content)
        return ws.portfolio(evidence={"kpi_data": {"path": "kpis.csv"}})

    return build


def promptfoo_version(version: object) -> str:
    document = json.loads((FIXTURES / "promptfoo" / "results.json").read_text())
    document["results"]["version"] = version
    return json.dumps(document)


TRUNCATED = (FIXTURES / "promptfoo" / "results.json").read_text()[:3000] + CANARY
INSPECT = json.loads((FIXTURES / "inspect" / "support_answers.json").read_text())
INSPECT["samples"][1]["scores"]["match"]["value"] = CANARY

CASES = [
    Case(
        "promptfoo-newer-version",
        "eval_results",
        results("results.json", "promptfoo", promptfoo_version(4)),
        "$.results.version: promptfoo results format 4 is not one this reader knows",
        also_read=("good_project",),
    ),
    Case(
        "promptfoo-version-is-text",
        "eval_results",
        results("results.json", "promptfoo", promptfoo_version(CANARY)),
        "promptfoo results format (not a number)",
    ),
    Case(
        "promptfoo-truncated",
        "eval_results",
        results("results.json", "promptfoo", TRUNCATED),
        "not valid JSON (line ",
        also_read=("good_project",),
    ),
    Case(
        "promptfoo-jsonl-garbage-line",
        "eval_results",
        results("results.jsonl", "promptfoo", f"{{{CANARY}\n"),
        "row 1: not valid JSON",
    ),
    Case(
        "inspect-binary",
        "eval_results",
        results("log.json", "inspect", BINARY),
        "not UTF-8 text",
    ),
    Case(
        "inspect-unreadable-grade",
        "eval_results",
        results("log.json", "inspect", json.dumps(INSPECT)),
        "column '$.samples[1].scores.match.value': expected a grade",
    ),
    Case(
        "mlflow-not-a-store",
        "eval_results",
        results("mlruns.txt", "mlflow", CANARY),
        "not an MLflow SQLite store",
    ),
    Case(
        "graded-without-score",
        "eval_results",
        results("graded.csv", "graded_examples", GRADED_HEADER + f"e1,{CANARY},{CANARY},,,auto,\n"),
        "row 2, column 'score': expected a score or a pass value",
    ),
    Case(
        "graded-unknown-grader",
        "eval_results",
        results("graded.csv", "graded_examples", GRADED_HEADER + f"e1,a,b,1,,Jane {CANARY},\n"),
        "column 'grader': expected auto, human or the name of an automated grader",
    ),
    Case(
        "graded-missing-columns",
        "eval_results",
        results("graded.csv", "graded_examples", f"id,{CANARY}\n1,2\n"),
        "missing column example_id",
    ),
    Case(
        "kpi-unparsable-date",
        "kpi_data",
        kpis(f"date,kpi,value\n{CANARY},Handling time,12\n2026-11-02,Handling time,11\n"),
        "row 2, column 'date': expected a date",
    ),
    Case(
        "kpi-missing-columns",
        "kpi_data",
        kpis(f"day,{CANARY}\n1,2\n"),
        "missing column(s): date, kpi, value",
    ),
]

test_evaluation_inputs = run_cases(CASES)
