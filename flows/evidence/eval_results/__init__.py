"""Evaluation results as the tools write them -> ``raw_eval_runs``, ``raw_eval_metrics``, ``raw_eval_examples``.

One module per format reads a file (or an MLflow store) into :class:`EvalRun` records: promptfoo
results (JSON or JSONL), an Inspect eval log, an MLflow tracking store, our graded-examples CSV or
JSONL. This module turns them into raw rows: a metric's pass rate is the share of its examples that
passed (MLflow logs the value itself); inputs and outputs are kept only for failed examples,
truncated and with personal values redacted. A problem names the file and the row, line or JSON
path; refused examples are kept in ``raw_rejected_rows`` and the rest is assessed. The project's
quality bar (``quality_bar:``) becomes ``raw_eval_quality_bars``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import EvidenceError, reading_failure
from flows.config import EvalResultsEvidence, LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence, keep_valid_rows
from flows.evidence.eval_results.records import (
    KIND,
    EvalRun,
    Reader,
    Reading,
)
from flows.privacy import redact

#: Inputs and outputs of failed examples are cut to this many characters (after redaction).
EXCERPT_CHARS = 200


def excerpt(text: str | None) -> str | None:
    """A failed example's input or output as kept: personal values redacted, then cut short."""
    if text is None:
        return None
    cleaned = redact(" ".join(str(text).split())) or ""
    return cleaned if len(cleaned) <= EXCERPT_CHARS else cleaned[: EXCERPT_CHARS - 1] + "…"


def run_rows(source: str, tool: str, run: EvalRun) -> dict[str, Any]:
    """The raw_eval_runs row of one run."""
    examples = len({(e.example_id, e.metric) for e in run.examples})
    return {
        "source": source,
        "tool": tool,
        "tool_version": run.tool_version,
        "eval_run": run.eval_run,
        "started_at": run.started_at,
        "model": run.model,
        "examples": len({e.example_id for e in run.examples})
        if examples
        else (run.declared_examples or 0),
    }


def metric_rows(source: str, run: EvalRun) -> list[dict[str, Any]]:
    """Pass rate per metric: logged (MLflow), or the share of the run's automated grades that passed."""
    if run.metrics:
        return [
            {
                "source": source,
                "eval_run": run.eval_run,
                "metric": name,
                "pass_rate": value,
                "examples": run.declared_examples,
                "passed": None,
            }
            for name, value in sorted(run.metrics.items())
        ]
    graded: dict[str, list[bool]] = {}
    human_only: dict[str, list[bool]] = {}
    for example in run.examples:
        target = graded if example.grader_kind == "automated" else human_only
        target.setdefault(example.metric, []).append(example.passed)
    # A metric graded only by people is still a pass rate; where a tool graded it, the tool counts.
    for metric, grades in human_only.items():
        graded.setdefault(metric, grades)
    return [
        {
            "source": source,
            "eval_run": run.eval_run,
            "metric": metric,
            "pass_rate": sum(grades) / len(grades),
            "examples": len(grades),
            "passed": sum(grades),
        }
        for metric, grades in sorted(graded.items())
    ]


def example_rows(source: str, run: EvalRun) -> list[dict[str, Any]]:
    """One row per grade; inputs and outputs only for failed examples."""
    return [
        {
            "source": source,
            "eval_run": run.eval_run,
            # Ids and categories are free text a person wrote: personal values are redacted too.
            "example_id": redact(e.example_id) or e.example_id,
            "metric": e.metric,
            "passed": e.passed,
            "score": e.score,
            "grader_kind": e.grader_kind,
            "grader": e.grader,
            "failure_category": redact(e.failure_category),
            "input_excerpt": None if e.passed else excerpt(e.input),
            "output_excerpt": None if e.passed else excerpt(e.output),
        }
        for e in run.examples
    ]


def readers() -> dict[str, Reader]:
    """Format -> the module function that reads it."""
    from flows.evidence.eval_results import graded, inspect_log, mlflow_store, promptfoo

    return {
        "promptfoo": promptfoo.read,
        "inspect": inspect_log.read,
        "mlflow": mlflow_store.read,
        "graded_examples": graded.read,
    }


def collect_eval_results(context: Context, project: LoadedProject) -> Evidence:
    """Read every evaluation result the project names, and its quality bar."""
    evidence = Evidence()
    bars = [
        {"metric": metric, "quality_bar": bar}
        for metric, bar in sorted(project.project.quality_bar.items())
    ]
    if bars:
        evidence.add("raw_eval_quality_bars", bars)
    for index, entry in enumerate(project.project.evidence.eval_results):
        if entry.tracking_uri:
            evidence.extend(read_server(entry, f"evidence.eval_results.{index}"))
        else:
            evidence.extend(read_one(project, entry))
    return evidence


def read_server(entry: EvalResultsEvidence, field: str) -> Evidence:
    """The runs of an experiment on an MLflow tracking server, or an unreadable record."""
    from flows.evidence.eval_results import mlflow_server

    evidence = Evidence()
    shown = mlflow_server.display(entry)
    try:
        reading = mlflow_server.read_server(entry, field)
    except EvidenceError as exc:
        return unreadable(evidence, shown, shown, None, exc.reason)
    return add_reading(evidence, reading, shown, entry.format, shown, shown, fingerprint=None)


def read_one(project: LoadedProject, entry: EvalResultsEvidence) -> Evidence:
    """One results file or store: runs, metrics and examples, or an unreadable record."""
    evidence = Evidence()
    assert entry.path is not None  # a file entry (a server entry is read by read_server)
    path = project.resolve(entry.path)
    source = str(path)
    try:
        if not path.exists():
            raise EvidenceError(path, "file not found")
        reading = readers()[entry.format](path, entry, evidence, source)
    except EvidenceError as exc:
        return Evidence().record_unreadable(KIND, entry.path, path, exc.reason)
    except (OSError, ValueError) as exc:
        return Evidence().record_unreadable(KIND, entry.path, path, reading_failure(exc, path))
    fingerprint = fingerprint_file(path) if path.is_file() else None
    return add_reading(evidence, reading, source, entry.format, entry.path, path, fingerprint)


def add_reading(
    evidence: Evidence,
    reading: Reading,
    source: str,
    tool: str,
    name: str,
    path: str | Path,
    fingerprint: str | None,
) -> Evidence:
    """A reading's runs, metrics and examples as raw rows, and the input's record."""
    tables: dict[str, list[dict[str, Any]]] = {
        "raw_eval_runs": [],
        "raw_eval_metrics": [],
        "raw_eval_examples": [],
    }
    for run in reading.runs:
        tables["raw_eval_runs"].append(run_rows(source, tool, run))
        tables["raw_eval_metrics"].extend(metric_rows(source, run))
        tables["raw_eval_examples"].extend(example_rows(source, run))
    for table, rows in tables.items():
        kept = keep_valid_rows(evidence, table, rows, kind=KIND, source=source)
        if kept:
            evidence.add(table, kept)
    if not reading.runs:
        # Nothing left to assess: unreadable, with every refused item kept beside the reason.
        refused = evidence.tables.get("raw_rejected_rows", [])
        reason = (
            f"every item was refused ({len(refused)} problem(s); see the rejected rows)"
            if refused
            else "no evaluation run with a graded example or a metric was found"
        )
        out = Evidence()
        if refused:
            out.add("raw_rejected_rows", refused)
        return unreadable(out, name, path, fingerprint, reason)
    evidence.record_input(
        KIND,
        name,
        path,
        fingerprint=fingerprint,
        rows_read=reading.rows_read,
        rows_rejected=len(evidence.tables.get("raw_rejected_rows", [])),
        newest_record_at=max((r.started_at for r in reading.runs if r.started_at), default=None),
    )
    return evidence


def unreadable(
    evidence: Evidence, name: str, path: str | Path, fingerprint: str | None, reason: str
) -> Evidence:
    """Record an input that could not be read (a file, a store or a tracking server)."""
    evidence.record_input(
        KIND,
        name,
        path,
        fingerprint=fingerprint,
        rows_read=None,
        rows_rejected=None,
        status="unreadable",
        error=reason,
    )
    return evidence
