"""An Inspect (``inspect-ai``) eval log: the JSON log (``--log-format json``) or the ``.eval`` archive.

Read as Inspect writes it (log format version 2): the run is ``eval`` (``eval_id``, ``created``,
``model``, ``packages.inspect_ai``), each sample's ``scores`` hold one grade per scorer (``C``/``I``
for correct/incorrect, ``P`` partial, ``N`` no answer, or a number 0..1 or a boolean). Each scorer
is a metric; every grade of a scorer is automated. A sample's ``metadata.failure_category`` (or its
score's) is its failure category. A log of a newer format version is refused, naming the version.
"""

from __future__ import annotations

import json
import zipfile
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

#: The log format versions this reader knows.
VERSIONS = (1, 2)
PASS_LETTERS = {"C": True, "I": False, "P": False, "N": False}


def read(path: Path, entry: EvalResultsEvidence, evidence: Evidence, source: str) -> Reading:
    """Read one Inspect log into one run."""
    log = load(path)
    version = log.get("version")
    if version not in VERSIONS:
        raise EvidenceError(
            path,
            f"$.version: Inspect log format version {version_text(version)} is not one this reader "
            f"knows ({', '.join(map(str, VERSIONS))}); regenerate the fixtures with the new version",
        )
    header = log.get("eval")
    if not isinstance(header, dict):
        raise EvidenceError(path, "$.eval: expected the eval's description (an object)")
    packages = obj(header.get("packages"))
    run = EvalRun(
        eval_run=str(header.get("eval_id") or header.get("run_id") or path.name),
        started_at=timestamp(header.get("created")),
        model=str(header["model"]) if header.get("model") else None,
        tool_version=str(packages.get("inspect_ai")) if packages.get("inspect_ai") else None,
    )
    samples = log.get("samples") or []
    if not isinstance(samples, list):
        raise EvidenceError(path, "$.samples: expected a list of samples")
    for index, sample in enumerate(samples):
        run.examples.extend(sample_examples(sample, f"$.samples[{index}]", entry, path, evidence))
    return Reading(runs=[run] if run.examples else [], rows_read=len(samples))


def load(path: Path) -> dict[str, Any]:
    """The log as one object: the JSON file, or the ``.eval`` archive's header and samples."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "header.json" not in names:
                raise EvidenceError(path, "not an Inspect .eval log (no header.json inside)")
            log = json.loads(archive.read("header.json"))
            log["samples"] = [
                json.loads(archive.read(name))
                for name in sorted(names)
                if name.startswith("samples/") and name.endswith(".json")
            ]
            return dict(log)
    try:
        value = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise EvidenceError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if not isinstance(value, dict):
        raise EvidenceError(path, "$: expected an Inspect eval log (a JSON object)")
    return value


def grade(value: Any, pass_score: float) -> tuple[bool, float | None] | None:
    """A score's value as (passed, score), or None when it cannot be read as a grade."""
    if isinstance(value, bool):
        return value, float(value)
    if isinstance(value, int | float):
        return float(value) >= pass_score, float(value)
    if isinstance(value, str) and value in PASS_LETTERS:
        return PASS_LETTERS[value], 1.0 if value == "C" else 0.5 if value == "P" else 0.0
    return None


def _text(value: Any) -> str | None:
    """An input, target or output as text (a list of chat messages is joined)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [_text(v.get("content") if isinstance(v, dict) else v) for v in value]
        return " ".join(p for p in parts if p)
    return None


def sample_examples(
    sample: Any, where: str, entry: EvalResultsEvidence, path: Path, evidence: Evidence
) -> list[Example]:
    """One example per scorer of a sample; a grade that cannot be read is refused with its path."""
    if not isinstance(sample, dict):
        evidence.reject(KIND, path, "expected a sample (an object)", column=where)
        return []
    scores = sample.get("scores")
    if not isinstance(scores, dict) or not scores:
        evidence.reject(KIND, path, "the sample has no score", column=f"{where}.scores")
        return []
    completion = obj(sample.get("output")).get("completion")
    metadata = obj(sample.get("metadata"))
    example_id = str(sample.get("id"))
    epoch = sample.get("epoch")
    if isinstance(epoch, int) and epoch > 1:
        example_id = f"{example_id}#{epoch}"
    out = []
    for scorer, score in scores.items():
        value = score.get("value") if isinstance(score, dict) else None
        graded = grade(value, entry.pass_score)
        if graded is None:
            evidence.reject(
                KIND,
                path,
                "expected a grade: C, I, P, N, a number or true/false",
                column=f"{where}.scores.{scorer}.value",
            )
            continue
        score_meta = obj(score.get("metadata"))
        category = score_meta.get("failure_category") or metadata.get("failure_category")
        out.append(
            Example(
                example_id=example_id,
                metric=str(scorer),
                passed=graded[0],
                score=graded[1],
                grader=str(scorer),
                failure_category=str(category) if category else None,
                input=_text(sample.get("input")),
                output=_text(completion),
            )
        )
    return out
