"""Measured tokens per LLM request: call logs and a provider's usage export -> ``raw_llm_usage``.

- ``call_log``: JSON lines, one call per line, holding OpenAI's ``usage`` object: a Chat
  Completions response (``usage.prompt_tokens``, ``usage.completion_tokens``, ``model``), a
  Responses API response (``usage.input_tokens``, ``usage.output_tokens``), or a line of a Batch
  API output file (the same under ``response.body``).
- ``openai_usage_csv``: OpenAI's completions usage (the Usage API's ``organization.usage.
  completions.result`` buckets as CSV: ``start_time``, ``end_time``, ``input_tokens``,
  ``output_tokens``, ``num_model_requests``, ``model``...). It holds sums per bucket, so it gives
  the mean tokens per request but no percentile.

Call logs hold prompts and answers, and exports name users and API keys: only counts, token
numbers and model names (without their snapshot date) are read, and a refused line is described
without its content. One row
per file and one ``is_aggregate`` row over all of them (its p95 over every logged call) go to
dbt, which puts the measured tokens in place of the assumed ones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from core.errors import EvidenceError, reading_failure
from flows.config import LlmUsageEvidence, LoadedProject
from flows.evidence import Context, Evidence, MissingColumns, keep_valid_rows, read_text
from flows.evidence.load_test_files import header_positions
from flows.evidence.load_test_tools import nearest_rank

KIND = "llm_usage"
TABLE = "raw_llm_usage"
ALL = "all LLM usage files"
#: Raw meaning -> the header of OpenAI's completions usage export.
USAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "tokens_in": ("input_tokens",),
    "tokens_out": ("output_tokens",),
    "requests": ("num_model_requests",),
}
#: A model name as providers write them; anything else is not stored.
_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,99}$")
#: A snapshot date at the end of a model name (gpt-4.1-2025-04-14, claude-3-5-sonnet-20241022).
_SNAPSHOT = re.compile(r"[-@](?:\d{4}-\d{2}-\d{2}|\d{8})$")
#: Where a call log line may hold its usage and model: the call itself, or a Batch output line.
_PLACES = (("usage", "model"), ("response.body.usage", "response.body.model"))


class Usage:
    """What one file measured: token counts per call (call logs) or summed (exports)."""

    def __init__(self, spec: LlmUsageEvidence, path: Path) -> None:
        self.spec, self.path = spec, path
        self.tokens_in: list[int] = []
        self.tokens_out: list[int] = []
        self.requests = 0
        self.total_in = 0
        self.total_out = 0
        self.models: set[str] = set()

    def add(self, tokens_in: int, tokens_out: int, requests: int, model: Any) -> None:
        """Count one call (or a bucket of ``requests`` calls, summed)."""
        self.requests += requests
        self.total_in += tokens_in
        self.total_out += tokens_out
        if isinstance(model, str) and _MODEL.match(model):
            self.models.add(model_family(model))


def model_family(model: str) -> str:
    """A model's name without its snapshot date (``gpt-4.1-2025-04-14`` -> ``gpt-4.1``).

    The price is the family's; and a date beside digits reads as a phone number to the privacy
    scan, which must never find one in the warehouse.
    """
    return _SNAPSHOT.sub("", model)


def collect_llm_usage(context: Context, project: LoadedProject) -> Evidence:
    """Read every call log and usage export of the project; none gives no evidence."""
    evidence = Evidence()
    measured: list[Usage] = []
    for spec in project.project.evidence.llm_usage:
        batch, usage = read_usage(spec, project.resolve(spec.path))
        evidence.extend(batch)
        if usage is not None and usage.requests > 0:
            measured.append(usage)
    if measured:
        evidence.add(TABLE, aggregate(measured))
    return evidence


def read_usage(spec: LlmUsageEvidence, path: Path) -> tuple[Evidence, Usage | None]:
    """One file: its row, rejected lines and the input record (or unreadable, and why)."""
    batch = Evidence()
    usage = Usage(spec, path)
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        if spec.format == "call_log":
            rows_read = parse_call_log(batch, usage)
        else:
            rows_read = parse_usage_csv(batch, usage)
    except (OSError, UnicodeDecodeError) as exc:
        return unreadable(spec, path, f"cannot read the file: {exc}"), None
    except csv.Error as exc:
        return unreadable(spec, path, f"not a valid CSV file: {exc}"), None
    except MissingColumns as exc:
        return unreadable(spec, path, exc.reason, exc.missing), None
    except EvidenceError as exc:
        return unreadable(spec, path, exc.reason), None
    except Exception as exc:  # a file no check foresaw must not stop the project (see the log)
        return unreadable(spec, path, reading_failure(exc, path)), None
    if usage.requests == 0:
        batch.record_unreadable(
            KIND, spec.path, path, "no request with token usage (see the rejected rows)"
        )
        return batch, None
    valid = keep_valid_rows(batch, TABLE, [row(usage)], kind=KIND, source=path)
    if valid:
        batch.add(TABLE, valid)
    batch.record_read(KIND, spec.path, path, rows_read)
    return batch, usage


def unreadable(
    spec: LlmUsageEvidence, path: Path, reason: str, missing: list[str] | None = None
) -> Evidence:
    """A batch holding only the record of a file that could not be read (and its missing columns)."""
    batch = Evidence()
    for column in missing or []:
        batch.reject(KIND, path, f"missing column {column!r}: {reason}", row=1, column=column)
    return batch.record_unreadable(KIND, spec.path, path, reason)


def dig(value: Any, dotted: str) -> Any:
    """The value at a dotted path of nested objects, or None."""
    for key in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def tokens(usage: dict[str, Any], names: tuple[str, str]) -> int | None:
    """A token count under either name: a whole number >= 0, else None."""
    for name in names:
        value = usage.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
    return None


def parse_call_log(batch: Evidence, usage: Usage) -> int:
    """Each line's usage; a line without it is refused by line and JSON path, unquoted."""
    path = usage.path
    rows_read = 0
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        rows_read += 1
        try:
            call = json.loads(line)
        except json.JSONDecodeError as exc:
            batch.reject(KIND, path, f"not valid JSON (column {exc.colno}): {exc.msg}", row=number)
            continue
        if not isinstance(call, dict):
            batch.reject(KIND, path, "expected a JSON object (one call per line)", row=number)
            continue
        place = next(((u, m) for u, m in _PLACES if isinstance(dig(call, u), dict)), None)
        if place is None:
            reason = (
                "expected OpenAI's usage object (usage, or response.body.usage in Batch output)"
            )
            if dig(call, "error") and not dig(call, "response.body"):
                reason = "skipped: the call failed (error), so it used no tokens to count"
            batch.reject(KIND, path, reason, row=number, column="usage")
            continue
        found = dig(call, place[0])
        tokens_in = tokens(found, ("prompt_tokens", "input_tokens"))
        tokens_out = tokens(found, ("completion_tokens", "output_tokens"))
        if tokens_in is None or tokens_out is None:
            which = "prompt_tokens" if tokens_in is None else "completion_tokens"
            batch.reject(
                KIND,
                path,
                "expected a whole number of tokens >= 0 (prompt_tokens and completion_tokens, "
                "or input_tokens and output_tokens)",
                row=number,
                column=f"{place[0]}.{which}",
            )
            continue
        usage.add(tokens_in, tokens_out, 1, dig(call, place[1]))
        usage.tokens_in.append(tokens_in)
        usage.tokens_out.append(tokens_out)
    return rows_read


def parse_usage_csv(batch: Evidence, usage: Usage) -> int:
    """Each bucket's summed tokens and requests; a bad cell is refused by line and column."""
    path = usage.path
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = next(reader, None)
    if header is None:
        raise EvidenceError(path, "the file is empty")
    at = header_positions(path, header, USAGE_COLUMNS, "OpenAI's completions usage export")
    names = [h.strip() for h in header]
    model_at = names.index("model") if "model" in names else None
    rows_read = 0
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        rows_read += 1
        numbers: dict[str, int] = {}
        for column, index in at.items():
            text = cells[index].strip() if index < len(cells) else ""
            if not text.isdigit():
                batch.reject(
                    KIND,
                    path,
                    "expected a whole number >= 0",
                    row=start,
                    column=header[index],
                    value=text[:40],
                )
                continue
            numbers[column] = int(text)
        if len(numbers) < len(at) or numbers["requests"] == 0:
            continue
        model = cells[model_at].strip() if model_at is not None and model_at < len(cells) else None
        usage.add(numbers["tokens_in"], numbers["tokens_out"], numbers["requests"], model)
    return rows_read


def row(usage: Usage, source: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    """The raw row of what was measured: totals, means and (from call logs) the p95."""
    tokens_in, tokens_out = sorted(usage.tokens_in), sorted(usage.tokens_out)
    return {
        "source": source or str(usage.path),
        "format": fmt or usage.spec.format,
        "is_aggregate": source is not None,
        "models": ", ".join(sorted(usage.models))[:500] or None,
        "requests": usage.requests,
        "tokens_in_total": usage.total_in,
        "tokens_out_total": usage.total_out,
        "tokens_in_mean": usage.total_in / usage.requests,
        "tokens_out_mean": usage.total_out / usage.requests,
        "tokens_in_p95": nearest_rank(tokens_in, 0.95),
        "tokens_out_p95": nearest_rank(tokens_out, 0.95),
        "requests_with_percentiles": len(tokens_in),
    }


def aggregate(measured: list[Usage]) -> dict[str, Any]:
    """One row over every file: summed means, the p95 over every logged call."""
    everything = Usage(measured[0].spec, measured[0].path)
    for usage in measured:
        everything.requests += usage.requests
        everything.total_in += usage.total_in
        everything.total_out += usage.total_out
        everything.models |= usage.models
        everything.tokens_in += usage.tokens_in
        everything.tokens_out += usage.tokens_out
    return row(everything, source=ALL, fmt="all")
