"""The audit's measurements as metric objects, planned from a dataset's field map.

A metric knows the SQL aggregates that measure it over a relation (:meth:`Metric.terms`, in the
engine's dialect through :class:`~flows.sources.dialect.Scan`) and how to read its figure back from
their values. A reading (:mod:`flows.evidence.audit.readings`) packs the metrics of a plan into as
few queries as it can, or answers some from elsewhere (Parquet statistics, a one-pass count of
values), so that each figure is measured once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flows.config import FieldMap, FieldSpec
from flows.sources.dialect import Scan
from flows.sources.files import lit, q

#: The evidence kind of the audit's inputs and rejected rows.
KIND = "dataset"
#: Example values (or rows) kept per violation kind: evidence, bounded.
EXAMPLES = 5
#: Most frequent values are kept for fields with at most this many distinct values (categories,
#: flags, small integers); for ids, emails or timestamps every value is rare and grouping them all
#: would cost more than the rest of the audit.
TOP_VALUES_MAX_DISTINCT = 1000


def locate(name: str, spec: FieldSpec, columns: dict[str, str]) -> str | None:
    """The column holding a field: its name, the same name in another case, or an alias."""
    if name in columns:
        return name
    lowered = {c.lower(): c for c in columns}
    for candidate in [name, *spec.aliases]:
        if candidate in columns:
            return candidate
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def violation_filters(
    scan: Scan, column: str, spec: FieldSpec, blanks: bool = True
) -> dict[str, str]:
    """SQL conditions, per violation kind, under which a value of the field is invalid.

    ``blanks=False``: the column is known to hold no empty string (its exact statistics say so),
    and the test for one is left out (a NULL fails every condition by itself: no count, no
    example).
    """
    col = q(column)
    text = scan.text(column)
    # An empty string is counted once, as empty (completeness), not again as an invalid value.
    present = f"{col} is not null and not {scan.blank(column)}" if blanks else f"{col} is not null"
    filters: dict[str, str] = {}
    invalid = scan.invalid_as(column, spec.type) if spec.type != "string" else None
    if invalid:
        filters["type_failures"] = invalid
    if spec.allowed is not None:
        allowed = ", ".join(lit(str(v).lower() if isinstance(v, bool) else v) for v in spec.allowed)
        filters["not_allowed"] = f"{present} and {text} not in ({allowed})"
    if spec.min is not None or spec.max is not None:
        number = scan.number(column)
        bounds = []
        if spec.min is not None:
            bounds.append(f"{number} < {spec.min!r}")
        if spec.max is not None:
            bounds.append(f"{number} > {spec.max!r}")
        filters["out_of_range"] = f"({' or '.join(bounds)})"
    if spec.pattern is not None:
        filters["pattern_failures"] = f"{present} and not {scan.full_match(text, spec.pattern)}"
    return filters


def examples_of(scan: Scan, column: str, condition: str) -> list[str]:
    """A few distinct example values meeting a condition: the same on every run.

    The values of the first matching rows (:meth:`~flows.sources.dialect.Scan.sample_order`;
    in DuckDB the scan stops at them), the first ``EXAMPLES`` distinct.
    """
    rows = scan.all(
        f"select {scan.text(column)} from {scan.relation} where {condition}"
        f"{scan.sample_order(list(scan.columns))} limit {EXAMPLES * 20}"
    )
    return list(dict.fromkeys(r[0] for r in rows))[:EXAMPLES]


def count_column(*columns: str) -> str:
    """The name of a count beside some columns, apart from the columns' own names."""
    name = "n"
    while name in columns:
        name += "_"
    return name


def utc(value: datetime | None) -> datetime | None:
    """A timestamp as UTC: a naive one is UTC already (the session's time zone), a zoned one is converted."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Freshness:
    """The newest timestamp of a dataset, its age and how many records are older than allowed."""

    newest: datetime | None
    age_seconds: float | None
    stale_rows: int | None
    #: The as-of instants at which the stale count is the same: (after, until], None unbounded.
    holds: tuple[datetime | None, datetime | None] = (None, None)


@dataclass(frozen=True)
class Metric:
    """One figure of a field (or of the dataset): the SQL aggregates that measure it."""

    field: str
    column: str

    def terms(self, scan: Scan) -> list[str]:
        """The aggregates measuring the figure over ``scan.relation`` (one value each)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Nulls(Metric):
    """The field's NULLs (Parquet statistics may answer them)."""

    def terms(self, scan: Scan) -> list[str]:
        """count(*) - count(column): only the validity is read."""
        return [scan.nulls(self.column)]


@dataclass(frozen=True)
class Extent(Metric):
    """The field's smallest and largest value, as text (Parquet statistics may answer them)."""

    def terms(self, scan: Scan) -> list[str]:
        """The smallest and largest value, as text."""
        return list(scan.min_max(self.column))


@dataclass(frozen=True)
class Empties(Metric):
    """The field's empty (or spaces-only) strings: missing values that are not NULL."""

    def terms(self, scan: Scan) -> list[str]:
        """The count of blank values."""
        return [scan.count_where(scan.blank(self.column))]


@dataclass(frozen=True)
class Distinct(Metric):
    """The field's distinct values, counted exactly (planned where the reading counts them)."""

    def terms(self, scan: Scan) -> list[str]:
        """The exact count of distinct values."""
        return [scan.distinct(self.column)]


@dataclass(frozen=True)
class Violation(Metric):
    """Values of one violation kind (type, allowed values, range, pattern), with examples."""

    kind: str
    condition: str

    def terms(self, scan: Scan) -> list[str]:
        """The count of the rows that violate."""
        return [scan.count_where(self.condition)]

    def examples(self, scan: Scan) -> list[str]:
        """A few distinct violating values, from a bounded query."""
        return examples_of(scan, self.column, self.condition)


@dataclass(frozen=True)
class Recency(Metric):
    """The dataset's freshness: its newest timestamp and the records older than allowed.

    The nearest timestamps on each side of the cutoff bound the as-of instants at which the stale
    count stays the same (so that a cached measurement can be reused).
    """

    as_of: datetime
    max_age_seconds: float | None

    def terms(self, scan: Scan) -> list[str]:
        """The newest timestamp; with a maximum age, the stale count and the cutoff's neighbours."""
        cutoff = (
            self.as_of - timedelta(seconds=self.max_age_seconds) if self.max_age_seconds else None
        )
        ts_sql, stale_sql = scan.freshness_terms(self.column, cutoff)
        terms = [f"max({ts_sql})"]
        if stale_sql:
            terms += [
                scan.count_where(stale_sql),
                f"max(case when {stale_sql} then {ts_sql} end)",
                f"min(case when not ({stale_sql}) then {ts_sql} end)",
            ]
        return terms

    def read(self, values: list[Any]) -> Freshness:
        """The freshness from the values of :meth:`terms`."""
        newest = utc(values[0])
        holds: tuple[datetime | None, datetime | None] = (None, None)
        stale: int | None = None
        if len(values) > 1 and self.max_age_seconds:
            age = timedelta(seconds=self.max_age_seconds)
            latest, earliest = utc(values[2]), utc(values[3])
            holds = (latest + age if latest else None, earliest + age if earliest else None)
            stale = None if values[1] is None or newest is None else int(values[1])
        return Freshness(
            newest, (self.as_of - newest).total_seconds() if newest else None, stale, holds
        )


@dataclass(frozen=True)
class Quantiles(Metric):
    """Quantiles of a field's numbers (the POC sample's cut points for a numeric field's bins)."""

    points: tuple[float, ...]

    def terms(self, scan: Scan) -> list[str]:
        """The list of the quantiles (continuous) of the field as numbers."""
        return [scan.quantiles(scan.number(self.column), list(self.points))]

    def read(self, values: list[Any]) -> list[float]:
        """The distinct quantiles in ascending order (the bins' cut points)."""
        return sorted({float(e) for e in values[0] or [] if e is not None})


@dataclass(frozen=True)
class Shares(Metric):
    """A field's numbers per bin between cut points, as shares of its numbers.

    Bin i holds the values above i of the cuts (ascending): the numbers above each cut are
    counted, and a bin's count is the difference of two of them, exactly.
    """

    cuts: tuple[float, ...]

    def terms(self, scan: Scan) -> list[str]:
        """The count of numbers, then the count above each cut."""
        number = scan.number(self.column)
        return [f"count({number})", *(scan.count_where(f"{number} > {c!r}") for c in self.cuts)]

    def read(self, values: list[Any]) -> list[float]:
        """The share of the numbers in each of the ``len(cuts) + 1`` bins."""
        above = [int(v or 0) for v in values]
        total = above[0] or 1
        return [
            (above[i] - (above[i + 1] if i + 1 < len(above) else 0)) / total
            for i in range(len(above))
        ]


#: Values of a field counted one by one for the POC comparison, at most (the most frequent).
CATEGORIES_LIMIT = 1001


@dataclass(frozen=True)
class Categories(Metric):
    """Each value of a field (as text) with its rows, the ``CATEGORIES_LIMIT`` most frequent."""

    def terms(self, scan: Scan) -> list[str]:
        """The values and their counts, most frequent first (ties by value)."""
        return [scan.value_counts(self.column, CATEGORIES_LIMIT)]

    def read(self, values: list[Any]) -> dict[str, int]:
        """Value -> rows."""
        return {str(v): int(n) for v, n in values[0] or []}


@dataclass(frozen=True)
class DuplicateKeys:
    """Rows sharing a key: measured by grouping the key columns (or from a one-pass list)."""

    columns: tuple[str, ...]


@dataclass(frozen=True)
class FieldMetrics:
    """A field of the field map, where it was found, and its metrics (none when it is missing)."""

    name: str
    spec: FieldSpec
    column: str | None
    nulls: Nulls | None = None
    extent: Extent | None = None
    empties: Empties | None = None
    distinct: Distinct | None = None
    violations: tuple[Violation, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What to measure of one dataset: per field, and for the dataset as a whole."""

    fields: tuple[FieldMetrics, ...]
    #: The field map's key columns as found (None where a key field is missing).
    key: tuple[str | None, ...]
    #: Duplicate keys, when every key field was found.
    duplicates: DuplicateKeys | None
    recency: Recency | None

    @property
    def found(self) -> list[FieldMetrics]:
        """The fields found in the dataset."""
        return [f for f in self.fields if f.column is not None]


def plan(scan: Scan, field_map: FieldMap, as_of: datetime | None = None) -> Plan:
    """The metrics of a dataset, from its field map and its columns."""
    columns = scan.columns
    fields = []
    for name, spec in field_map.fields.items():
        column = locate(name, spec, columns)
        if column is None:
            fields.append(FieldMetrics(name, spec, None))
            continue
        textual = scan.family_of(column) in ("string", "other")
        violations = tuple(
            Violation(name, column, kind, cond)
            for kind, cond in violation_filters(scan, column, spec).items()
        )
        fields.append(
            FieldMetrics(
                name,
                spec,
                column,
                Nulls(name, column),
                Extent(name, column),
                Empties(name, column) if textual else None,
                Distinct(name, column),
                violations,
            )
        )
    key = tuple(locate(k, field_map.fields[k], columns) for k in field_map.key)
    whole = bool(key) and all(key)
    recency = None
    if field_map.timestamp and as_of is not None:
        ts_column = locate(field_map.timestamp, field_map.fields[field_map.timestamp], columns)
        if ts_column:
            recency = Recency(field_map.timestamp, ts_column, as_of, field_map.max_age_seconds)
    return Plan(
        tuple(fields),
        key,
        DuplicateKeys(tuple(k for k in key if k)) if whole else None,
        recency,
    )
