"""The records every evaluation-results format module fills, and the small readers they share.

A format module (promptfoo, Inspect, MLflow, graded examples) imports these and returns a
:class:`Reading`; the package (``flows.evidence.eval_results``) turns readings into raw rows.
Kept below the package so that the package and its format modules do not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from flows.config import EvalResultsEvidence
from flows.evidence import Evidence

KIND = "eval_results"


@dataclass
class Example:
    """One grade of one example, as the tool wrote it."""

    example_id: str
    metric: str
    passed: bool
    score: float | None = None
    grader_kind: str = "automated"  # automated or human
    grader: str | None = None
    failure_category: str | None = None
    input: str | None = None
    output: str | None = None


@dataclass
class EvalRun:
    """One evaluation run: its examples, or (MLflow) the metrics it logged."""

    eval_run: str
    started_at: datetime | None
    model: str | None
    tool_version: str | None
    examples: list[Example] = field(default_factory=list)
    #: Metric -> value logged by the tool (MLflow); otherwise computed from the examples.
    metrics: dict[str, float] = field(default_factory=dict)
    #: Examples declared by the tool when it does not list them (an MLflow ``examples`` param).
    declared_examples: int | None = None


@dataclass
class Reading:
    """What a format module returns: runs, and the items it refused (counted as rows read)."""

    runs: list[EvalRun] = field(default_factory=list)
    rows_read: int = 0


Reader = Callable[[Path, EvalResultsEvidence, Evidence, str], Reading]


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one when the value is anything else."""
    return value if isinstance(value, dict) else {}


def timestamp(value: Any) -> datetime | None:
    """A tool's ISO 8601 time as UTC, or None when there is none or it cannot be read."""
    if not isinstance(value, str):
        return None
    stamp = pd.to_datetime(value, utc=True, errors="coerce")
    return None if pd.isna(stamp) else stamp.to_pydatetime().astimezone(UTC)


def version_text(value: Any) -> str:
    """A format version as a message may show it: a number, never other text from the file."""
    return (
        str(value) if isinstance(value, int) and not isinstance(value, bool) else "(not a number)"
    )
