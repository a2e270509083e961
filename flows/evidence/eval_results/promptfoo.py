"""promptfoo's results: ``promptfoo eval --output results.json`` (or ``results.jsonl``).

Read as promptfoo writes it: the JSON file holds ``evalId``, ``metadata.promptfooVersion`` and
``results`` (format ``version`` 3: ``timestamp``, and ``results``, one per test and provider);
the JSONL file holds one such result per line, without the run's id or time (the file's name is
the run, and its time is unknown). Each assertion (``gradingResult.componentResults``) is a grade
of its ``metric`` (its type when it names none), by an automated grader (the assertion's type); a
test without assertions is one grade of the metric ``pass``. ``testCase.metadata.failure_category``
is the failure category. A results file of another format version is refused, naming it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.errors import EvidenceError
from flows.config import EvalResultsEvidence
from flows.evidence import Evidence, read_text
from flows.evidence.eval_results.records import (
    KIND,
    EvalRun,
    Example,
    Reading,
    obj,
    timestamp,
    version_text,
)

#: The results format versions this reader knows (``results.version``).
VERSIONS = (2, 3)


def read(path: Path, entry: EvalResultsEvidence, evidence: Evidence, source: str) -> Reading:
    """Read a promptfoo results file (JSON or JSONL) into one run."""
    text = read_text(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return read_jsonl(path, text, evidence)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvidenceError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict):
        raise EvidenceError(path, "$.results: expected promptfoo's results (an object)")
    version = results.get("version")
    if version not in VERSIONS:
        raise EvidenceError(
            path,
            f"$.results.version: promptfoo results format {version_text(version)} is not one this "
            f"reader knows ({', '.join(map(str, VERSIONS))}); regenerate the fixtures with the new "
            "version",
        )
    items = results.get("results")
    if not isinstance(items, list):
        raise EvidenceError(path, "$.results.results: expected a list of test results")
    metadata = obj(document.get("metadata"))
    run = EvalRun(
        eval_run=str(document.get("evalId") or path.name),
        started_at=timestamp(results.get("timestamp") or metadata.get("evaluationCreatedAt")),
        model=None,
        tool_version=str(metadata["promptfooVersion"])[:40]
        if metadata.get("promptfooVersion")
        else None,
    )
    fill(run, [(f"$.results.results[{i}]", item) for i, item in enumerate(items)], path, evidence)
    return Reading(runs=[run] if run.examples else [], rows_read=len(items))


def read_jsonl(path: Path, text: str, evidence: Evidence) -> Reading:
    """One result per line; a line that is not a JSON object is refused with its number."""
    items: list[tuple[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append((f"line {number}: $", json.loads(line)))
        except json.JSONDecodeError as exc:
            evidence.reject(
                KIND, path, f"not valid JSON (column {exc.colno}): {exc.msg}", row=number
            )
    if not items and not evidence.tables.get("raw_rejected_rows"):
        raise EvidenceError(path, "the file holds no promptfoo result")
    run = EvalRun(eval_run=path.name, started_at=None, model=None, tool_version=None)
    fill(run, items, path, evidence)
    rows = sum(1 for line in text.splitlines() if line.strip())
    return Reading(runs=[run] if run.examples else [], rows_read=rows)


def fill(run: EvalRun, items: list[tuple[str, Any]], path: Path, evidence: Evidence) -> None:
    """Add each result's grades to the run; the model is the provider of the results."""
    providers = set()
    for where, item in items:
        if not isinstance(item, dict):
            evidence.reject(KIND, path, "expected a test result (an object)", column=where)
            continue
        provider = obj(item.get("provider"))
        name = provider.get("label") or provider.get("id")
        if name:
            providers.add(str(name))
        examples = result_examples(item, where, path, evidence)
        run.examples.extend(examples)
    if len(providers) == 1:
        run.model = providers.pop()
    elif providers:
        run.model = ", ".join(sorted(providers))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("raw") or value.get("output"))
    return json.dumps(value)[:1000]


def result_examples(
    item: dict[str, Any], where: str, path: Path, evidence: Evidence
) -> list[Example]:
    """One grade per metric of one test result (its assertions of that metric all pass, or not)."""
    test = obj(item.get("testCase"))
    test_index = item.get("testIdx")
    example_id = str(test.get("description") or f"test {test_index}")
    if item.get("promptIdx"):
        example_id = f"{example_id} (prompt {item['promptIdx']})"
    metadata = obj(test.get("metadata"))
    category = metadata.get("failure_category")
    response = obj(item.get("response"))
    grading = item.get("gradingResult")
    components = grading.get("componentResults") if isinstance(grading, dict) else None
    common: dict[str, Any] = {
        "failure_category": str(category) if category else None,
        "input": _text(item.get("prompt")),
        "output": _text(response.get("output")),
    }
    if not components:
        success = item.get("success")
        if not isinstance(success, bool):
            evidence.reject(
                KIND, path, "expected success: true or false", column=f"{where}.success"
            )
            return []
        score = item.get("score")
        return [
            Example(
                example_id,
                "pass",
                success,
                float(score) if isinstance(score, int | float) else None,
                **common,
            )
        ]
    grades: dict[str, list[tuple[bool, float | None, str]]] = {}
    for index, component in enumerate(components):
        passed = component.get("pass") if isinstance(component, dict) else None
        if not isinstance(passed, bool):
            evidence.reject(
                KIND,
                path,
                "expected pass: true or false",
                column=f"{where}.gradingResult.componentResults[{index}].pass",
            )
            continue
        assertion = obj(component.get("assertion"))
        kind = str(assertion.get("type") or "assertion")
        metric = str(assertion.get("metric") or kind)
        score = component.get("score")
        grades.setdefault(metric, []).append(
            (passed, float(score) if isinstance(score, int | float) else None, kind)
        )
    return [
        Example(
            example_id,
            metric,
            all(g[0] for g in graded),
            min((g[1] for g in graded if g[1] is not None), default=None),
            grader=",".join(sorted({g[2] for g in graded}))[:64],
            **common,
        )
        for metric, graded in grades.items()
    ]
