"""Our graded-examples file (CSV or JSONL): one grade of one example per row or line.

Columns (keys in JSONL): ``example_id`` (required), ``input``, ``expected``, ``output``, ``score``
(0..1) or ``pass`` (true/false, yes/no, 1/0; at least one of the two), ``grader`` (``auto``,
``human`` or ``human:<anything>``, or the name of an automated grader such as ``llm-judge``),
``failure_category``, and optionally ``metric`` (default ``pass``), ``run`` (default: the file's
name), ``run_at`` (when the run was graded) and ``model`` (the model version evaluated). An
example graded by a tool and by a person is two rows with the same ``example_id``. A refused row
names the file, its line and the column; the rest is assessed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import EvidenceError
from flows.config import EvalResultsEvidence
from flows.evidence import Evidence, MissingColumns, read_text
from flows.evidence.eval_results.records import KIND, EvalRun, Example, Reading

#: A grader's name (an automated grader); anything else (a person's name, an email) is refused.
GRADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.:/-]{0,63}$")
TRUE = {"true", "yes", "y", "1", "pass", "passed"}
FALSE = {"false", "no", "n", "0", "fail", "failed"}
GRADER_EXPECTED = (
    "expected auto, human or the name of an automated grader (letters, digits, - _ . : /)"
)


def read(path: Path, entry: EvalResultsEvidence, evidence: Evidence, source: str) -> Reading:
    """Read a graded-examples CSV or JSONL file into runs (one per ``run`` value)."""
    text = read_text(path)
    records = (
        jsonl_records(path, text, evidence)
        if path.suffix.lower() in (".jsonl", ".ndjson")
        else csv_records(path, text)
    )
    runs: dict[str, EvalRun] = {}
    # Each run_at text parsed once: a run's examples share it (pandas parses one in ~0.1 ms).
    stamps: dict[str, datetime | None] = {}
    for line, record, where in records:
        parsed = parse_record(record, entry, path, line, where, evidence, stamps)
        if parsed is None:
            continue
        run_name, run_at, model, example = parsed
        run = runs.setdefault(run_name, EvalRun(run_name, None, None, None))
        if run_at is not None and (run.started_at is None or run_at > run.started_at):
            run.started_at = run_at
        run.model = run.model or model
        run.examples.append(example)
    return Reading(runs=list(runs.values()), rows_read=len(records))


def csv_records(path: Path, text: str) -> list[tuple[int, dict[str, Any], str]]:
    """Rows of the CSV with their line numbers (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "example_id" not in header:
        raise MissingColumns(path, "missing column example_id", ["example_id"])
    if "score" not in header and "pass" not in header:
        raise MissingColumns(path, "missing column score or pass (one of them)", ["score", "pass"])
    out = []
    for row in reader:
        record = {(k or "").strip(): v for k, v in row.items()}
        out.append((reader.line_num, record, "column"))
    return out


def jsonl_records(
    path: Path, text: str, evidence: Evidence
) -> list[tuple[int, dict[str, Any], str]]:
    """Objects of the JSONL file with their line numbers; a line that is no object is refused."""
    out: list[tuple[int, dict[str, Any], str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            evidence.reject(
                KIND, path, f"not valid JSON (column {exc.colno}): {exc.msg}", row=number
            )
            out.append((number, {}, "skip"))
            continue
        if not isinstance(value, dict):
            evidence.reject(KIND, path, "expected a JSON object per line", row=number, column="$")
            out.append((number, {}, "skip"))
            continue
        out.append((number, value, "key"))
    if not out:
        raise EvidenceError(path, "the file holds no graded example")
    return out


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def parse_record(
    record: dict[str, Any],
    entry: EvalResultsEvidence,
    path: Path,
    line: int,
    where: str,
    evidence: Evidence,
    stamps: dict[str, datetime | None] | None = None,
) -> tuple[str, datetime | None, str | None, Example] | None:
    """One example, or None when refused (each problem a rejected row: file, line, column).

    ``stamps``: run_at texts already parsed in this file, and their instants (None: refused).
    """
    if where == "skip":
        return None

    def refuse(column: str, reason: str, value: Any = None) -> None:
        name = column if where == "column" else f"$.{column}"
        evidence.reject(KIND, path, reason, row=line, column=name, value=value)

    problems = 0
    example_id = _text(record.get("example_id"))
    if example_id is None:
        refuse("example_id", "expected an example id, found none")
        problems += 1
    passed = _text(record.get("pass"))
    passed_value: bool | None = None
    if isinstance(record.get("pass"), bool):
        passed_value = record["pass"]
    elif passed is not None:
        if passed.lower() in TRUE:
            passed_value = True
        elif passed.lower() in FALSE:
            passed_value = False
        else:
            refuse("pass", "expected true or false", passed[:20])
            problems += 1
    score_text = _text(record.get("score"))
    score: float | None = None
    if score_text is not None:
        try:
            score = float(score_text)
        except ValueError:
            refuse("score", "expected a number from 0 to 1", score_text[:20])
            problems += 1
        else:
            if not 0 <= score <= 1:
                refuse("score", "expected a number from 0 to 1", score_text[:20])
                problems += 1
                score = None
    if passed_value is None and score is None and problems == 0:
        refuse("score", "expected a score or a pass value, found neither")
        problems += 1
    grader_text = _text(record.get("grader")) or ""
    grader_kind, grader = "automated", None
    lowered = grader_text.lower()
    if lowered == "auto" or lowered == "automated":
        grader = None
    elif lowered == "human" or lowered.startswith("human:"):
        grader_kind = "human"  # a person's name after "human:" is never kept
    elif GRADER_NAME.match(grader_text):
        grader = grader_text
    else:
        # The value is not shown: a grader column that is not a tool's name may hold a person's.
        refuse("grader", GRADER_EXPECTED)
        problems += 1
    run_at: datetime | None = None
    run_at_text = _text(record.get("run_at"))
    if run_at_text is not None:
        known = stamps if stamps is not None else {}
        if run_at_text not in known:
            stamp = pd.to_datetime(run_at_text, utc=True, errors="coerce")
            known[run_at_text] = None if pd.isna(stamp) else stamp.to_pydatetime().astimezone(UTC)
        run_at = known[run_at_text]
        if run_at is None:
            refuse("run_at", "expected a date or timestamp (ISO 8601)", run_at_text[:30])
            problems += 1
    if problems:
        return None
    assert example_id is not None
    if passed_value is None:
        passed_value = score is not None and score >= entry.pass_score
    example = Example(
        example_id=example_id,
        metric=_text(record.get("metric")) or "pass",
        passed=passed_value,
        score=score,
        grader_kind=grader_kind,
        grader=grader,
        failure_category=_text(record.get("failure_category")),
        input=_text(record.get("input")),
        output=_text(record.get("output")),
    )
    run = _text(record.get("run")) or path.name
    return run, run_at, _text(record.get("model")), example
