"""Cost assumptions (unit economics, YAML) -> one ``raw_cost_assumptions`` row.

The file is validated with :class:`flows.config.CostAssumptions`, which also refuses negative and
absurd values. A file that does not validate is recorded ``unreadable`` and every problem becomes a
rejected row naming the file, the line and the key, so that a person sees all of them at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from core.errors import ConfigError, Problem, reading_failure
from flows import safe_yaml
from flows.config import CostAssumptions, LoadedProject, fingerprint_file, load_model
from flows.evidence import Context, Evidence, keep_valid_rows

KIND = "costs"
TABLE = "raw_cost_assumptions"
M = TypeVar("M", bound=BaseModel)


def collect_costs(context: Context, project: LoadedProject) -> Evidence:
    """Read the project's cost assumptions; none gives no evidence."""
    evidence = Evidence()
    relative = project.project.evidence.costs
    if relative is None:
        return evidence
    path = project.resolve(relative)
    costs = read_model_input(evidence, KIND, relative, path, CostAssumptions)
    if costs is None:
        return evidence
    valid = keep_valid_rows(evidence, TABLE, [costs.model_dump()], kind=KIND, source=path)
    if valid:
        evidence.add(TABLE, valid)
    evidence.record_input(
        KIND,
        relative,
        path,
        fingerprint=fingerprint_file(path),
        rows_read=1,
        rows_rejected=1 - len(valid),
    )
    return evidence


def read_model_input(
    evidence: Evidence,
    kind: str,
    name: str,
    path: Path,
    model: type[M],
    place_missing: bool = False,
) -> M | None:
    """Validate a YAML evidence file as ``model``; if it fails, record it unreadable and say why.

    Each problem is a rejected row (file, dotted key and its line, message); the input record
    lists them too. ``place_missing``: a missing key is placed on the line of the mapping it is
    missing from (else it has no line).
    """
    try:
        return load_model(model, path)
    except ConfigError as exc:
        problems = exc.problems
    except Exception as exc:  # a file no check foresaw must not stop the project (see the log)
        problems = [Problem(str(path), reading_failure(exc, path))]
    lines = key_lines(path)
    for problem in problems:
        evidence.reject(
            kind,
            problem.source,
            problem.message,
            row=lines.get(problem.column or "") or (problem.line if place_missing else None),
            column=problem.column,
        )
    evidence.record_input(
        kind,
        name,
        path,
        fingerprint=fingerprint_file(path) if path.is_file() else None,
        rows_read=None,
        rows_rejected=len(problems),
        status="unreadable",
        error="; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems),
    )
    return None


def key_lines(path: Path) -> dict[str, int]:
    """The 1-based line of every key of a YAML file, by dotted path (``kpis.0.baseline``).

    Empty when the file cannot be parsed (its problem then has no line to point at).
    """
    try:
        node = safe_yaml.compose(safe_yaml.read_text(path))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[str, int] = {}

    def walk(current: Any, prefix: str) -> None:
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                dotted = f"{prefix}{key.value}"
                lines[dotted] = key.start_mark.line + 1
                walk(value, dotted + ".")
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[f"{prefix}{index}"] = item.start_mark.line + 1
                walk(item, f"{prefix}{index}.")

    walk(node, "")
    return lines
