"""How a plan of metrics is executed: one strategy per reading of a dataset.

- :class:`TableReading`: a table, a plain file or an S3 object in DuckDB: every aggregate in one
  query, bounded queries for examples and top values, one grouping for duplicate keys;
- :class:`ParquetReading`: the same, with the nulls, minimum and maximum that the files'
  statistics answer exactly left out of the query;
- :class:`PostgresReading`: the same SQL pushed down to PostgreSQL through its dialect, with the
  patterns PostgreSQL refuses left unchecked (and said so);
- :class:`~flows.evidence.audit.large_csv.LargeCsvReading`: a large CSV file in one pass where
  it is (its own module).

Each returns :class:`Measured`: the figures of every found field and of the dataset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Container
from typing import Any

from core.errors import EvidenceError
from flows.config import FieldMap
from flows.evidence.audit import counted
from flows.evidence.audit.figures import DuplicateKey, FieldFigures, Measured
from flows.evidence.audit.metrics import (
    EXAMPLES,
    TOP_VALUES_MAX_DISTINCT,
    FieldMetrics,
    Metric,
    Plan,
    count_column,
    violation_filters,
)
from flows.sources.dialect import Scan
from flows.sources.files import lit, q
from flows.sources.scan import DuckDBScan

__all__ = [
    "DuplicateKey", "FieldFigures", "Measured", "ParquetReading", "PostgresReading", "Reading",
    "TableReading", "aggregate", "duplicate_keys", "scanned_columns",
]  # fmt: skip


def duplicate_keys(scan: Scan, key: list[str]) -> tuple[int, list[DuplicateKey]]:
    """Rows minus the number of distinct key tuples, and a few duplicated keys with their rows.

    One grouping of the key answers both (a materialized CTE, in DuckDB and PostgreSQL alike):
    the extra rows of every key that repeats, and the most repeated keys (ties by key).
    """
    scan.materialize()
    keys = ", ".join(q(k) for k in key)
    texts = ", ".join(f"{scan.text(k)} as {q(k)}" for k in key)
    n = q(count_column(*key))
    names, rows = scan.described(
        f"with repeated as materialized (select {keys}, count(*) as {n} from {scan.relation} "
        f"group by {keys} having count(*) > 1) "
        f"select (select coalesce(sum({n} - 1), 0) from repeated) as duplicates, {n}, {texts} "
        f"from (select * from repeated order by {n} desc, {keys} limit {EXAMPLES}) as d "
        f"right join (select 1 as one) as o on true"
    )
    examples = [
        {"key": dict(zip(names[2:], r[2:], strict=True)), "rows": int(r[1])}
        for r in rows
        if r[1] is not None
    ]
    return int(rows[0][0]) if rows else 0, examples


def aggregate(scan: Scan, metrics: list[Metric]) -> dict[Metric, list[Any]]:
    """Every metric's aggregates in one query over the relation; each metric's values."""
    terms = [(m, m.terms(scan)) for m in metrics]
    exprs = [t for _, ts in terms for t in ts]
    row = (scan.one(f"select {', '.join(exprs)} from {scan.relation}") or ()) if exprs else ()
    values: dict[Metric, list[Any]] = {}
    at = 0
    for metric, ts in terms:
        values[metric] = list(row[at : at + len(ts)])
        at += len(ts)
    return values


def without_blanks(scan: Scan, fm: FieldMetrics) -> FieldMetrics:
    """A field whose column holds no empty string: its violations without the test for one."""
    assert fm.column is not None
    conditions = violation_filters(scan, fm.column, fm.spec, blanks=False)
    return dataclasses.replace(
        fm,
        violations=tuple(
            dataclasses.replace(v, condition=conditions[v.kind]) for v in fm.violations
        ),
    )


def answered_by_statistics(
    scan: Scan, fm: FieldMetrics, stats: tuple[int, str | None, str | None]
) -> dict[Metric, list[Any]]:
    """Counts a column's exact statistics (nulls, min, max) answer without reading its values.

    No empty string where the smallest value is not one (an empty or spaces-only string sorts
    before ``!``); no value out of range where the smallest and largest are within it. (Every
    value NULL: neither.)
    """
    nulls, low, high = stats
    out: dict[Metric, list[Any]] = {}
    if fm.empties and scan.family_of(str(fm.column)) == "string" and (low is None or low >= "!"):
        out[fm.empties] = [0]
    for violation in fm.violations:
        if violation.kind != "out_of_range" or scan.family_of(str(fm.column)) not in (
            "integer",
            "number",
        ):
            continue
        spec = fm.spec
        if low is None or high is None:
            if nulls == scan.rows:
                out[violation] = [0]
            continue
        within = (spec.min is None or float(low) >= spec.min) and (
            spec.max is None or float(high) <= spec.max
        )
        if within:
            out[violation] = [0]
    return out


class Reading:
    """A strategy executing plans of metrics over one kind of reading of a dataset."""

    def checkable(
        self, scan: Scan, field_map: FieldMap, refuse: Callable[[str, str], None]
    ) -> FieldMap:
        """The field map this engine can check (``refuse(field, reason)`` for what it cannot)."""
        return field_map

    def measure(self, scan: Scan, plan: Plan, top: bool = True) -> Measured:
        """Execute the plan: the figures of every found field and of the dataset."""
        raise NotImplementedError

    def execute(self, scan: Scan, metrics: list[Metric]) -> dict[Metric, list[Any]]:
        """Further metrics of a dataset measured already (the POC comparison's), in one query."""
        return aggregate(scan, metrics)


class TableReading(Reading):
    """A relation queried as often as needed: one aggregate query measures every field.

    ``head_rows``: on a relation whose fields' distinct values are not all counted
    (:attr:`~flows.sources.dialect.Scan.counts_every_distinct`), the rows read first to find the
    fields whose values repeat (:mod:`~flows.evidence.audit.counted`).
    """

    def __init__(self, head_rows: int = counted.HEAD_ROWS) -> None:
        self.head_rows = head_rows

    def statistics(self, scan: Scan) -> dict[str, tuple[int, str | None, str | None]]:
        """Nulls, min and max the storage answers exactly, per column (none here)."""
        return {}

    def measure(self, scan: Scan, plan: Plan, top: bool = True) -> Measured:
        """Execute the plan: one aggregate query, then examples, top values and duplicate keys.

        What the statistics answer exactly is left out of the query; so is the distinct count of
        a key of one column, which the grouping of duplicate keys gives exactly. On many rows
        the fields of few values (:meth:`few_values`) are measured from one grouping of their
        values (:func:`~flows.evidence.audit.counted.grouped_figures`: their distinct values
        and top values too), the others' distinct values are not counted (at least the head's,
        where one was read).
        """
        stats = self.statistics(scan)
        every = scan.counts_every_distinct or not isinstance(scan, DuckDBScan)
        head = None
        few: set[str] = set()  # the columns of few values, counted value by value
        if not every:
            assert isinstance(scan, DuckDBScan)
            head, few = self.few_values(scan, plan)
        answered: dict[Metric, list[Any]] = {}
        metrics: list[Metric] = []
        lone_key = (
            plan.duplicates.columns[0]
            if plan.duplicates and len(plan.duplicates.columns) == 1
            else None
        )
        found = []
        for fm in plan.found:
            if fm.column in few:
                found.append(fm)  # measured from the counts of its values
                continue
            if fm.column in stats:
                answered |= answered_by_statistics(scan, fm, stats[fm.column])
                if fm.empties and answered.get(fm.empties) == [0]:
                    fm = without_blanks(scan, fm)  # the same field, its SQL cheaper
            found.append(fm)
            if fm.column not in stats:
                metrics += [m for m in (fm.nulls, fm.extent) if m]
            if fm.distinct and fm.column != lone_key and every:
                metrics.append(fm.distinct)
            metrics += [m for m in (fm.empties, *fm.violations) if m and m not in answered]
        if plan.recency:
            metrics.append(plan.recency)
        values = aggregate(scan, metrics) | answered
        counted_figures: dict[str, FieldFigures] = {}
        if few:
            assert isinstance(scan, DuckDBScan)
            grouped = [fm for fm in found if fm.column in few]
            counted_figures = counted.grouped_figures(scan, grouped, top)
        if plan.duplicates:
            duplicates = duplicate_keys(scan, list(plan.duplicates.columns))
        measured = Measured()
        for fm in found:
            figures = counted_figures.get(fm.name) or self.figures(scan, fm, values, stats)
            if fm.column == lone_key:
                figures.distinct = scan.rows - duplicates[0] - (1 if figures.nulls else 0)
            elif head is not None and figures.distinct is None:
                figures.at_least = counted.at_least(head, str(fm.column), figures)
            elif figures.distinct is None and figures.low is not None:
                figures.at_least = 1  # (not counted, and no head read: one value is present)
            measured.fields[fm.name] = figures
        if plan.recency:
            measured.freshness = plan.recency.read(values[plan.recency])
        if every:
            low_cardinality = [
                str(fm.column)
                for fm in plan.found
                if (measured.fields[fm.name].distinct or 0) <= TOP_VALUES_MAX_DISTINCT
            ]
            tops = scan.top_values(low_cardinality, 5) if top else {}
            for fm in plan.found:
                measured.fields[fm.name].top = tops.get(str(fm.column))
        if plan.duplicates:
            measured.duplicates = duplicates
        return measured

    def few_values(self, scan: DuckDBScan, plan: Plan) -> tuple[counted.Head | None, set[str]]:
        """On many rows, the columns of few values (and the head that showed them, if read).

        Every boolean; the columns whose values repeat in the relation's first rows.
        """
        allowed = {str(fm.column): fm.spec.allowed for fm in plan.found if fm.spec.allowed}
        columns = sorted({str(fm.column) for fm in plan.found})
        head = counted.read_head(scan, columns, allowed, self.head_rows)
        return head, set(head.repeating)

    def figures(
        self,
        scan: Scan,
        fm: FieldMetrics,
        values: dict[Metric, list[Any]],
        stats: dict[str, tuple[int, str | None, str | None]],
    ) -> FieldFigures:
        """A field's figures from the query's values (and the statistics), examples queried."""
        assert fm.column is not None
        if fm.column in stats:
            nulls, low, high = stats[fm.column]
        else:
            assert fm.nulls is not None and fm.extent is not None
            (nulls,), (low, high) = values[fm.nulls], values[fm.extent]
        counts = {v.kind: int(values[v][0]) for v in fm.violations}
        distinct = values.get(fm.distinct) if fm.distinct else None
        return FieldFigures(
            nulls=int(nulls),
            low=low,
            high=high,
            empty=int(values[fm.empties][0]) if fm.empties else 0,
            distinct=None if distinct is None else int(distinct[0]),
            counts=counts,
            examples={v.kind: v.examples(scan) for v in fm.violations if counts[v.kind]},
        )


class ParquetReading(TableReading):
    """Parquet files: exact statistics answer nulls, min and max; one query the rest."""

    def statistics(self, scan: Scan) -> dict[str, tuple[int, str | None, str | None]]:
        """The files' statistics, for the columns every row group answers exactly."""
        return scan.statistics()

    def few_values(self, scan: DuckDBScan, plan: Plan) -> tuple[counted.Head | None, set[str]]:
        """On many rows, the columns of few values: read from the files' footers, not the data.

        Every boolean, and the columns whose every chunk holds a small dictionary
        (:meth:`~flows.sources.scan.DuckDBScan.small_dictionaries`): no head is read (a Parquet
        file's first rows cost the decoding of its first pages of every column). Files written
        without dictionaries have only their booleans counted value by value.
        """
        found = {str(fm.column) for fm in plan.found}
        booleans = {c for c in found if scan.family_of(c) == "boolean"}
        return None, booleans | (scan.small_dictionaries(counted.DICTIONARY_MAX_BYTES) & found)


class PostgresReading(TableReading):
    """A PostgreSQL table or query: the same measurement, run by PostgreSQL where the data is."""

    def checkable(
        self, scan: Scan, field_map: FieldMap, refuse: Callable[[str, str], None]
    ) -> FieldMap:
        """The field map without the patterns PostgreSQL's regular expressions refuse.

        DuckDB's were checked when the configuration was loaded; PostgreSQL's differ (no ``(?i)``
        inside a group, no Unicode classes), so each pattern is tried there first. A refused one
        is reported (``refuse``) and not checked, instead of failing the whole dataset.
        """
        fields = dict(field_map.fields)
        for name, spec in field_map.fields.items():
            if spec.pattern is None:
                continue
            try:
                scan.one(f"select {scan.full_match(lit(''), spec.pattern)}")
            except EvidenceError as exc:
                refuse(
                    name,
                    f"field {name}: the pattern is not checked: PostgreSQL does not accept it "
                    f"as a regular expression ({exc.reason})",
                )
                fields[name] = spec.model_copy(update={"pattern": None})
        return field_map.model_copy(update={"fields": fields})


def scanned_columns(
    plan: Plan, answered: Container[str] = (), counted: Container[str] | None = None
) -> set[str]:
    """The columns a reading of ``plan`` scans: all but those it does not name or statistics answer.

    ``answered``: the columns whose nulls, minimum and maximum statistics answer (a Parquet file's
    footer). ``counted``: the columns whose distinct values are counted (None: every one; on
    many rows, those of few values). An S3 object read in ranges fetches only the chunks of the
    columns scanned.
    """
    metrics: list[Metric] = [
        m
        for fm in plan.found
        for m in (fm.empties, *fm.violations)
        if m and (counted is None or fm.column not in counted)
    ]
    metrics += [
        fm.distinct
        for fm in plan.found
        if fm.distinct and (counted is None or fm.column in counted)
    ]
    metrics += [
        m for fm in plan.found if fm.column not in answered for m in (fm.nulls, fm.extent) if m
    ]
    columns = {m.column for m in [*metrics, *([plan.recency] if plan.recency else [])]}
    return columns | set(plan.duplicates.columns if plan.duplicates else ())
