"""What a reading measured: the figures of each found field and of the dataset.

Shared by every reading (:mod:`~flows.evidence.audit.readings`,
:mod:`~flows.evidence.audit.counted`, :mod:`~flows.evidence.audit.large_csv`) and read by the
profiles (:mod:`~flows.evidence.audit.profiles`) and the POC comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.evidence.audit.metrics import Freshness

#: A duplicated key and its rows: ``{"key": {column: value}, "rows": n}``.
DuplicateKey = dict[str, Any]


@dataclass
class FieldFigures:
    """What a reading measured of one found field (values not yet screened for personal data).

    ``distinct`` is exact or None: a large relation's fields are counted where their values
    repeat (and a one-column key from its grouping); for the others ``at_least`` is a proven
    lower bound (the distinct values of the rows read first), never an estimate.
    """

    nulls: int
    low: Any
    high: Any
    empty: int
    distinct: int | None
    #: Violations per kind, and a few example values of each kind that has some.
    counts: dict[str, int]
    examples: dict[str, list[str]]
    #: Where ``distinct`` was not counted: how many distinct values there are at least.
    at_least: int | None = None
    #: The most frequent values with their counts, for a field with few distinct values.
    top: list[tuple[str, int]] | None = None
    #: Every value (as text) with its count, where the reading counted each value (else None).
    values: dict[str, int] | None = None


@dataclass
class Measured:
    """The figures of one dataset: per found field (by field name), freshness, duplicate keys."""

    fields: dict[str, FieldFigures] = field(default_factory=dict)
    freshness: Freshness | None = None
    #: Rows minus distinct keys, and the most duplicated keys (None: no whole key).
    duplicates: tuple[int, list[DuplicateKey]] | None = None
