"""Typed profiles of an audited dataset and its fields, mirroring the raw tables' Pandera models.

:class:`FieldProfile` is a row of ``raw_field_profiles`` and :class:`DatasetProfile` one of
``raw_dataset_profiles``: their rows are made column by column from the Pandera models
(:class:`flows.schemas.FieldProfiles`, :class:`flows.schemas.DatasetProfiles`), so that a column
the schema gains and a profile lacks fails at once. Lists (top values, examples) stay typed here
and become JSON text only in the row. The profiles are assembled from what a reading measured
(:class:`~flows.evidence.audit.readings.Measured`), the one place where values to be stored are
screened for personal data.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flows.config import DatasetEvidence
from flows.evidence.audit.figures import DuplicateKey, Measured
from flows.evidence.audit.metrics import Freshness, Plan, locate
from flows.privacy import contains_personal, mask, redact
from flows.schemas import DatasetProfiles, FieldProfiles
from flows.sources.dialect import Scan

#: Columns every raw table has, stamped when the evidence is written.
CONTEXT_COLUMNS = ("run_id", "project_id")


@cache
def schema_columns(model: type[Any]) -> tuple[str, ...]:
    """A raw table's columns that a profile holds: its Pandera model's, but the run's context."""
    return tuple(c for c in model.to_schema().columns if c not in CONTEXT_COLUMNS)


#: The columns of the two rows, from the models (Pandera's first ``to_schema`` takes seconds: it
#: is paid when the audit is imported, not while it measures).
FIELD_COLUMNS = schema_columns(FieldProfiles)
DATASET_COLUMNS = schema_columns(DatasetProfiles)


def masked(values: list[Any]) -> list[str]:
    """Values of a personal field as their masked shapes (``a***@e***.com``), each shape once."""
    return list(dict.fromkeys(mask(str(v)) for v in values))


def masked_row(row: dict[str, Any], personal: dict[str, str]) -> dict[str, Any]:
    """An example row (or key): a personal column's values masked, any other column's scrubbed."""
    return {
        k: mask(str(v)) if k in personal and v is not None else scrubbed(v) for k, v in row.items()
    }


def scrubbed(value: Any) -> Any:
    """A value as it is, or its text with the emails, phone numbers and IP addresses it holds redacted.

    For the values of the columns not treated as personal, which were detected from a sample of
    rows: an example row or value may come from a row the sample did not hold.
    """
    if value is None or not contains_personal(str(value)):
        return value
    return redact(str(value))


def masked_keys(examples: list[DuplicateKey], personal: dict[str, str]) -> list[DuplicateKey]:
    """Duplicated keys (``duplicate_keys``' examples) with their personal columns masked."""
    return [{**e, "key": masked_row(e["key"], personal)} for e in examples]


@dataclass
class FieldProfile:
    """One field of a dataset: where it was found and its counts (a ``raw_field_profiles`` row)."""

    dataset: str | None
    field: str
    declared_type: str
    required: bool
    present: bool
    found_as: str | None
    observed_type: str | None
    #: Treated as personal (counts only, examples masked), and why (see the schema).
    personal: bool
    personal_reason: str | None
    row_count: int | None = None
    null_count: int | None = None
    empty_count: int | None = None
    distinct_count: int | None = None
    distinct_is_exact: bool | None = None
    distinct_at_least: int | None = None
    type_failures: int | None = None
    not_allowed: int | None = None
    out_of_range: int | None = None
    pattern_failures: int | None = None
    min_value: str | None = None
    max_value: str | None = None
    top_values: list[tuple[str, int]] | None = None
    #: A few values per violation kind that has some.
    examples: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The raw row: every column of the schema, lists as JSON text."""
        out = {c: getattr(self, c) for c in FIELD_COLUMNS}
        if self.present:
            out["top_values"] = (
                None
                if self.top_values is None
                else json.dumps([{"value": v, "count": int(n)} for v, n in self.top_values])
            )
            out["examples"] = json.dumps(self.examples) if self.examples else None
        else:
            out["examples"] = None
        return out


@dataclass
class DatasetProfile:
    """One dataset's measurements as a whole (a ``raw_dataset_profiles`` row).

    A dataset that cannot be read has a profile too: ``readable`` false, the reason in ``error``
    and no measurement.
    """

    dataset: str
    source: str
    readable: bool
    error: str | None = None
    row_count: int | None = None
    key_columns: list[str] | None = None
    duplicate_key_rows: int | None = None
    timestamp_column: str | None = None
    newest_timestamp: datetime | None = None
    age_seconds: float | None = None
    max_age_seconds: float | None = None
    stale_rows: int | None = None
    fields_required: int | None = None
    fields_missing: int | None = None
    duplicate_keys: list[DuplicateKey] = dataclasses.field(default_factory=list)
    missing_fields: list[str] = dataclasses.field(default_factory=list)

    def row(self) -> dict[str, Any]:
        """The raw row: every column of the schema, the key joined, examples as JSON text."""
        out = {c: None if c == "examples" else getattr(self, c) for c in DATASET_COLUMNS}
        out["key_columns"] = ",".join(self.key_columns) if self.key_columns else None
        examples: dict[str, Any] = {}
        if self.duplicate_keys:
            examples["duplicate_keys"] = self.duplicate_keys
        if self.missing_fields:
            examples["missing_fields"] = self.missing_fields
        out["examples"] = json.dumps(examples) if examples else None
        return out


def field_profiles(
    scan: Scan, plan: Plan, measured: Measured, personal: dict[str, str]
) -> list[FieldProfile]:
    """The profile of every field of the plan, values screened for personal data.

    A personal field (``personal``: column -> why) is profiled as counts only: no top values, no
    minimum or maximum, its examples masked. A field whose values to be stored turn out to hold a
    personal value becomes personal too (added to ``personal``, so that the dataset's other
    examples mask it as well).
    """
    out: list[FieldProfile] = []
    for fm in plan.fields:
        column, spec = fm.column, fm.spec
        profile = FieldProfile(
            dataset=None,
            field=fm.name,
            declared_type=spec.type,
            required=spec.required,
            present=column is not None,
            found_as=column,
            observed_type=scan.columns.get(column) if column else None,
            personal=bool(spec.personal),
            personal_reason=None
            if spec.personal is None
            else ("declared" if spec.personal else "declared not personal"),
        )
        out.append(profile)
        if column is None:
            continue
        figures = measured.fields[fm.name]
        low, high, top_values = figures.low, figures.high, figures.top
        examples = figures.examples
        reason = personal.get(column)
        if reason is None and spec.personal is None:
            stored = [low, high, *(v for v, _ in top_values or [])]
            stored += [v for values in examples.values() for v in values]
            leak = next(filter(None, (contains_personal(str(v)) for v in stored if v)), None)
            if leak:
                reason = personal[column] = f"detected: {leak} (values)"
        if reason is not None:
            # Counts only: no value of the field is stored, its examples only as masked shapes.
            low = high = top_values = None
            examples = {kind: masked(values) for kind, values in examples.items()}
            profile.personal, profile.personal_reason = True, reason
        profile.row_count = scan.rows
        profile.null_count = figures.nulls
        profile.empty_count = figures.empty
        profile.distinct_count = figures.distinct
        profile.distinct_is_exact = None if figures.distinct is None else True
        profile.distinct_at_least = figures.at_least
        profile.type_failures = figures.counts.get("type_failures", 0)
        profile.not_allowed = figures.counts.get("not_allowed", 0)
        profile.out_of_range = figures.counts.get("out_of_range", 0)
        profile.pattern_failures = figures.counts.get("pattern_failures", 0)
        profile.min_value, profile.max_value = low, high
        profile.top_values, profile.examples = top_values, examples
    return out


def dataset_profile(
    scan: Scan,
    dataset: DatasetEvidence,
    measured: Measured,
    personal: dict[str, str],
) -> DatasetProfile:
    """Duplicate keys, freshness and missing fields of a dataset (masked where personal)."""
    fm = dataset.field_map
    key = [locate(k, fm.fields[k], scan.columns) for k in fm.key]
    fresh = measured.freshness or Freshness(None, None, None)
    required = [n for n, s in fm.fields.items() if s.required]
    missing = [n for n in required if locate(n, fm.fields[n], scan.columns) is None]
    duplicates, repeated = measured.duplicates or (None, [])
    return DatasetProfile(
        dataset=dataset.name,
        source=scan.display,
        readable=True,
        row_count=scan.rows,
        key_columns=[k for k in key if k],
        duplicate_key_rows=duplicates,
        timestamp_column=fm.timestamp,
        newest_timestamp=fresh.newest,
        age_seconds=fresh.age_seconds,
        max_age_seconds=fm.max_age_seconds,
        stale_rows=fresh.stale_rows,
        fields_required=len(required),
        fields_missing=len(missing),
        duplicate_keys=masked_keys(repeated, personal),
        missing_fields=missing,
    )
