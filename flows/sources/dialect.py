"""The SQL dialect of an engine that measures a dataset: :class:`Scan` and column type families.

The audit generates its SQL once, through the small set of expressions a :class:`Scan` provides
(DuckDB's here; :class:`flows.sources.postgres.PostgresScan` overrides them for PostgreSQL), so
that the same measurement runs in DuckDB and is pushed down to PostgreSQL. This module imports
neither engine's reader: :mod:`flows.sources.scan` (DuckDB, opening sources) and
:mod:`flows.sources.postgres` both build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.sources.files import lit, q

#: Up to this many rows the audit counts every field's distinct values (exactly); above, only the
#: fields whose values repeat (see :mod:`flows.evidence.audit.counted`), never approximately.
COUNTED_DISTINCT_ROWS = 1_000_000

FAMILIES = {
    "integer": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "UHUGEINT", "INT2", "INT4", "INT8", "SERIAL", "BIGSERIAL"),
    "number": ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC", "FLOAT4", "FLOAT8",
               "DOUBLE PRECISION"),
    "boolean": ("BOOLEAN", "BOOL"),
    "date": ("DATE",),
    "timestamp": ("TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS",
                  "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITHOUT TIME ZONE"),
    "string": ("VARCHAR", "TEXT", "CHAR", "BPCHAR", "CHARACTER VARYING", "NAME", "CITEXT"),
}  # fmt: skip


def family(engine_type: str | None) -> str:
    """The field-map type family of an engine's column type (``other`` when none fits)."""
    base = re.sub(r"\(.*\)", "", (engine_type or "").upper()).strip()
    for name, types in FAMILIES.items():
        if base in types:
            return name
    return "other"


def compatible(declared: str, observed: str) -> bool:
    """Whether every value of a column of the observed family is a valid ``declared`` value."""
    if declared == observed or declared == "string":
        return True
    return (declared, observed) in {("number", "integer"), ("timestamp", "date")}


@dataclass
class Scan:
    """A relation an engine can measure: a DuckDB view or table, or a PostgreSQL table or query."""

    relation: str
    display: str
    columns: dict[str, str]
    rows: int
    engine: str = "duckdb"
    #: Evidence of reading: rows refused while reading (file, row, column, value, reason).
    rejects: list[tuple[str, int | None, str | None, str | None, str]] = field(default_factory=list)
    rejected: int = 0
    fingerprint_files: list[Path] = field(default_factory=list)
    fingerprint_text: str | None = None

    @property
    def single_pass(self) -> bool:
        """Whether the dataset is measured in one pass where it is (a large CSV file)."""
        return False

    def materialize(self) -> None:
        """Make the relation cheap to query again (a no-op unless the data is read in one pass)."""

    # --- running queries (each engine) ---------------------------------------------------
    def one(self, sql: str) -> tuple[Any, ...] | None:
        """The first row of a query."""
        raise NotImplementedError

    def all(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of a (bounded) query."""
        raise NotImplementedError

    def described(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a (bounded) query."""
        raise NotImplementedError

    def stream(self, sql: str, batch: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of an unbounded query, batch by batch."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection, if the scan owns one."""

    # --- the dialect (DuckDB here; PostgreSQL overrides) ----------------------------------
    def family_of(self, column: str) -> str:
        """The type family of a column."""
        return family(self.columns.get(column))

    def text(self, column: str) -> str:
        """A column as text."""
        if self.family_of(column) == "string":
            return q(column)
        return f"cast({q(column)} as varchar)"

    def sample_order(self, columns: list[str]) -> str:
        """The ORDER BY clause making a ``limit`` keep the same rows every run; "" if none is needed.

        By the values of ``columns``, with its leading space. Empty in DuckDB: the audit's
        connections keep the insertion order (see :func:`flows.duckdb_budget.apply`), so a limit
        keeps the relation's first rows, in its files' order, whatever order the threads read
        them in, and stops reading there.
        """
        return ""

    def head(self, columns: list[str], rows: int) -> str:
        """A query of ``columns`` of ``rows`` rows of the dataset: the same rows on every run."""
        listing = ", ".join(q(c) for c in columns) or "1 as one"
        return (
            f"select {listing} from {self.relation}{self.sample_order(columns)} limit {int(rows)}"
        )

    def blank(self, column: str) -> str:
        """Condition: an empty (or spaces-only) string; the cheap test first, trim only if needed."""
        text = self.text(column)
        # A CASE evaluates lazily; an OR evaluates both sides, and trimming every value of a
        # text column made the whole audit four times slower.
        return (
            f"(case when {text} = '' then true when {text} like ' %' then trim({text}) = '' "
            f"else false end)"
        )

    def statistics(self) -> dict[str, tuple[int, str | None, str | None]]:
        """Nulls, min and max (as text) that the storage answers exactly, per column (none here)."""
        return {}

    def top_values(self, columns: list[str], k: int) -> dict[str, list[tuple[str, int]]]:
        """The k most frequent values of each column, with their counts (ties by value)."""
        out = {}
        for column in columns:
            out[column] = [
                (v, int(n))
                for v, n in self.all(
                    f"select {self.text(column)} as v, count(*) as n from {self.relation} "
                    f"where {q(column)} is not null group by 1 order by n desc, v limit {k}"
                )
            ]
        return out

    def invalid_as(self, column: str, declared: str) -> str | None:
        """Condition: a value is present but is not a valid ``declared`` value (None: cannot be)."""
        if compatible(declared, self.family_of(column)):
            return None
        target = {"integer": "bigint", "number": "double", "boolean": "boolean",
                  "date": "date", "timestamp": "timestamptz"}[declared]  # fmt: skip
        return f"{q(column)} is not null and try_cast({self.text(column)} as {target}) is null"

    def number(self, column: str) -> str:
        """A column as a double, NULL where it is not a number."""
        if self.family_of(column) in ("integer", "number"):
            return f"cast({q(column)} as double)"
        return f"try_cast({self.text(column)} as double)"

    def timestamp(self, column: str) -> str:
        """A column as a UTC timestamp, NULL where it is not one."""
        if self.family_of(column) in ("timestamp", "date"):
            return f"cast({q(column)} as timestamptz)"
        return f"try_cast({self.text(column)} as timestamptz)"

    def full_match(self, text: str, pattern: str) -> str:
        """Condition: the text matches the whole regular expression."""
        return f"regexp_full_match({text}, {lit(pattern)})"

    def count_where(self, condition: str) -> str:
        """An aggregate counting the rows where a condition holds.

        DuckDB's ``count_if`` counts a column of booleans; a FILTER clause would first copy the
        rows that pass, for every such count.
        """
        return f"count_if({condition})"

    def nulls(self, column: str) -> str:
        """An aggregate counting the NULLs of a column (count(col) reads only the validity)."""
        return f"count(*) - count({q(column)})"

    @property
    def counts_every_distinct(self) -> bool:
        """Whether the audit counts the distinct values of every field of this relation.

        Not on many rows (or rows not counted yet: a large CSV file measured in one pass): an
        exact count of each field's values costs as much as the rest of the audit, and an
        approximate one (HyperLogLog) can be wrong even for a field of seven values.
        """
        return 0 <= self.rows <= COUNTED_DISTINCT_ROWS

    def distinct(self, column: str) -> str:
        """An aggregate counting a column's distinct values (exactly)."""
        return f"count(distinct {q(column)})"

    def min_max(self, column: str) -> tuple[str, str]:
        """Expressions of the smallest and largest value, as text."""
        return f"cast(min({q(column)}) as varchar)", f"cast(max({q(column)}) as varchar)"

    def value_counts(self, column: str, limit: int) -> str:
        """An expression (a scalar subquery) listing a column's values as text with their rows.

        The ``limit`` most frequent, ties by value, NULLs left out: ``[(value, rows), ...]``.
        """
        return (
            f"(select list((v, n) order by n desc, v) from (select {self.text(column)} as v, "
            f"count(*) as n from {self.relation} where {q(column)} is not null group by 1 "
            f"order by n desc, v limit {limit}))"
        )

    def quantiles(self, expr: str, points: list[float]) -> str:
        """An aggregate giving the list of quantiles of an expression."""
        return f"quantile_cont({expr}, [{', '.join(repr(p) for p in points)}])"

    def instant(self, moment: datetime) -> str:
        """A timestamp-with-time-zone literal."""
        return f"cast({lit(moment.isoformat())} as timestamptz)"

    def naive_timestamp(self, column: str) -> bool:
        """Whether a column holds timestamps without time zone (read as UTC: the session is)."""
        kind = (self.columns.get(column) or "").upper()
        return family(kind) == "timestamp" and kind not in (
            "TIMESTAMPTZ",
            "TIMESTAMP WITH TIME ZONE",
        )

    def freshness_terms(self, column: str, cutoff: datetime | None) -> tuple[str, str | None]:
        """The timestamp expression of a column and the stale-record condition (older than cutoff).

        A timestamp column without time zone is compared as it is, against a UTC literal:
        converting every value to a zoned timestamp cost more than the rest of the scan.
        """
        if self.naive_timestamp(column):
            stale = None
            if cutoff is not None:
                naive = cutoff.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
                stale = f"{q(column)} < cast({lit(naive)} as timestamp)"
            return q(column), stale
        ts = self.timestamp(column)
        return ts, None if cutoff is None else f"{ts} < {self.instant(cutoff)}"
