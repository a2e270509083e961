"""The fields of few values, counted value by value (exactly) on many rows.

On a relation of many rows (more than :data:`~flows.sources.dialect.COUNTED_DISTINCT_ROWS`, or a
large CSV file measured in one pass) the audit does not count every field's distinct values: an
exact count of an id's or an email's values costs as much as the rest of the audit, and an
approximate one (HyperLogLog) can be wrong even for a field of seven values. Instead the fields of
few values have each of their values counted over every row, which gives their distinct count,
their top values and every other figure of theirs (:func:`histogram_measures`):

- which fields: every boolean; a Parquet file's columns of small dictionaries (its footers, see
  :meth:`~flows.sources.scan.DuckDBScan.small_dictionaries`); a table's or a large CSV file's
  columns whose values repeat in its first rows (:func:`read_head`, :class:`Repeating`);
- how: a table or Parquet file groups them in one query (:func:`grouped_figures`); a large CSV
  file's one pass counts them with the head's values as bins (``histogram_exact``: bounded memory
  whatever the data), and a field with values the head did not show is grouped again
  (:func:`weigh_values`). A grouping spills to disk beyond DuckDB's memory limit: a wrong guess
  costs time, never exactness or memory;
- every other field's distinct values are not counted: :func:`at_least` is what is proven.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from flows.config import FieldSpec
from flows.evidence.audit.figures import FieldFigures
from flows.evidence.audit.metrics import (
    CATEGORIES_LIMIT,
    EXAMPLES,
    TOP_VALUES_MAX_DISTINCT,
    FieldMetrics,
    count_column,
    violation_filters,
)
from flows.sources.files import lit, q
from flows.sources.scan import DuckDBScan

#: Rows read from the head of a dataset to find the fields whose values repeat (categories,
#: flags, small integers): their values are counted one by one instead of every field's.
HEAD_ROWS = 100_000
#: A Parquet column whose every dictionary page takes at most this much (compressed) holds few
#: distinct values (1,000 short labels take a few kilobytes): it is counted value by value.
DICTIONARY_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Repeating:
    """A field whose head holds few values: each of its values is counted (``histogram_exact``).

    ``bins`` are the head's values as SQL literals. DuckDB counts every other value under one
    key of the column's type (``''``, the largest integer, infinity...): a head value equal to that
    key (``sentinel``) is counted on its own instead, so that the two never mix.
    """

    bins: list[str]
    sentinel: str | None


#: A boolean field: both its values are counted, whatever its head holds.
BOOLEANS = Repeating(["cast('false' as boolean)", "cast('true' as boolean)"], None)


@dataclass(frozen=True)
class Head:
    """What the first rows of a dataset tell the measurement of the whole."""

    repeating: dict[str, Repeating]
    #: Rows read (fewer than asked: the head is the whole dataset).
    rows: int
    #: Rows of the whole dataset, estimated (a large CSV file: from its size; else the head's).
    estimated_rows: int
    #: Average length of the values of each text column, in the head.
    text_bytes: dict[str, float]
    #: The exact number of distinct values of each other column, in the head.
    seen: dict[str, int]


def read_head(
    scan: DuckDBScan, columns: list[str], allowed: dict[str, list[Any]], head_rows: int
) -> Head:
    """The head of a dataset (its first ``head_rows`` rows): its repeating fields.

    A repeating field's values are counted one by one: the head's values, and the values its
    field map allows (``allowed``, per column), even if the head did not show them. A wrong guess
    costs time, never exactness: a field with other values is counted again over the whole
    dataset (see :func:`weigh_values`). The other fields' distinct values in the head are counted
    exactly: a lower bound of the whole's.
    """
    assert scan.con is not None
    head = q(f"{scan.relation.strip(chr(34))}_head")
    scan.con.execute(f"create or replace temp table {head} as {scan.head(columns, head_rows)}")
    texts = [c for c in columns if scan.family_of(c) == "string"]
    lengths = "".join(f", avg(strlen({q(c)}))" for c in texts)
    # An estimate screens the fields (each candidate's values are listed exactly below).
    counts = "".join(f", approx_count_distinct({q(c)})" for c in columns)
    row = scan.con.execute(f"select count(*){lengths}{counts} from {head}").fetchone()
    rows = int(row[0]) if row else 0
    if not row or not rows:
        scan.con.execute(f"drop table {head}")
        flags = {c: BOOLEANS for c in columns if scan.family_of(c) == "boolean"}
        return Head(flags, 0, 0, {}, {c: 0 for c in columns if c not in flags})
    text_bytes = {c: float(n or 0) for c, n in zip(texts, row[1 : 1 + len(texts)], strict=True)}
    repeating: dict[str, Repeating] = {}
    others: dict[str, tuple[bool, str | None]] = {}
    for column, n in zip(columns, row[1 + len(texts) :], strict=True):
        if scan.family_of(column) == "boolean":
            repeating[column] = BOOLEANS  # (a boolean's two values: nothing else to count)
            continue
        # Values seen about 20 times each repeat; in a head that is the whole dataset, any few do.
        whole = rows < head_rows
        if not (1 <= int(n) <= TOP_VALUES_MAX_DISTINCT * 1.1 and (whole or n * 20 <= rows * 1.1)):
            continue
        col, kind = q(column), scan.columns[column]
        if kind not in others:
            others[kind] = other_values_key(scan.con, kind)
        usable, other = others[kind]
        if not usable:
            continue
        declared = ", ".join(
            f"cast(try_cast({lit(str(v).lower() if isinstance(v, bool) else v)} as {kind}) "
            f"as varchar)"
            for v in allowed.get(column, [])
        )
        found = scan.con.execute(
            f"select list_filter(list_distinct(list_concat(list(distinct cast({col} as varchar)) "
            f"filter (where {col} is not null), [{declared}])), lambda v: v is not null) "
            f"from {head}"
        ).fetchone()
        values = sorted(found[0] or []) if found else []
        if not (
            1 <= len(values) <= TOP_VALUES_MAX_DISTINCT and (whole or len(values) * 20 <= rows)
        ):
            continue
        sentinel = other if other in values else None
        if values == [sentinel]:
            continue  # (no bin to count beside DuckDB's key for other values)
        repeating[column] = Repeating(
            [f"cast({lit(v)} as {kind})" for v in values if v != sentinel],
            None if sentinel is None else f"cast({lit(sentinel)} as {kind})",
        )
    rest = [c for c in columns if c not in repeating]
    seen: dict[str, int] = {}
    if rest:
        exact = ", ".join(f"count(distinct {q(c)})" for c in rest)
        counted = scan.con.execute(f"select {exact} from {head}").fetchone() or ()
        seen = {c: int(n) for c, n in zip(rest, counted, strict=True)}
    scan.con.execute(f"drop table {head}")
    return Head(repeating, rows, rows, text_bytes, seen)


def at_least(head: Head, column: str, figures: FieldFigures) -> int:
    """A proven lower bound of a field's distinct values: the head's, or one if any is present."""
    return max(head.seen.get(column, 0), 1 if figures.low is not None else 0)


#: Two values that a column type reads (the first pair it reads as two different values).
PROBES = [
    ("1", "2"), ("2000-01-01", "2000-01-02"), ("00:00:01", "00:00:02"), ("true", "false"),
    ("a", "b"),
]  # fmt: skip


def other_values_key(con: duckdb.DuckDBPyConnection, kind: str) -> tuple[bool, str | None]:
    """Whether ``histogram_exact`` counts a column type, and its key for other values (as text).

    Counting one probe value against a bin of the other shows the key; there is none when DuckDB
    drops other values (booleans, intervals), which the pass's count of present values reveals.
    """
    for a, b in PROBES:
        pair = con.execute(
            f"select try_cast({lit(a)} as {kind}), try_cast({lit(b)} as {kind})"
        ).fetchone()
        if pair is None or pair[0] is None or pair[1] is None or pair[0] == pair[1]:
            continue
        try:
            keys = con.execute(
                f"select [cast(k as varchar) for k in map_keys(histogram_exact("
                f"cast({lit(a)} as {kind}), [cast({lit(b)} as {kind})]))]"
            ).fetchone()
        except duckdb.Error:
            return False, None
        return True, (str(keys[0][-1]) if keys and len(keys[0]) == 2 else None)
    return False, None


def repeating_terms(column: str, repeating: Repeating) -> dict[str, str]:
    """The one pass's aggregates of a repeating field: the count of each head value, and more.

    ``present`` (the field's non-NULL values) tells whether the head's values account for all.
    """
    terms = {
        "histogram": f"histogram_exact({q(column)}, [{', '.join(repeating.bins)}])",
        "present": f"count({q(column)})",
    }
    if repeating.sentinel is not None:
        terms["sentinel"] = f"count_if({q(column)} = {repeating.sentinel})"
    return terms


def weigh_values(
    scan: DuckDBScan,
    table: str,
    fields: dict[str, tuple[Repeating, dict[str, str]]],
) -> dict[str, str]:
    """Per repeating column, a small table of each of its values and its count over the file.

    ``fields`` maps each column to its head values and the pass's columns of its terms. The
    counts come from the pass; a column with values the head did not show is counted again
    with one more read of the file, for all such columns at once (exact either way).
    """
    assert scan.con is not None
    weighted: dict[str, str] = {}
    again: list[str] = []
    for column, (repeating, at) in fields.items():
        name = q(f"{table}_{column}")
        n = count_column(column)
        extra = (
            f" union all select {repeating.sentinel}, {at['sentinel']} from {q(table)} "
            f"where {at['sentinel']} > 0"
            if repeating.sentinel is not None
            else ""
        )
        h = at["histogram"]
        scan.con.execute(
            f"create or replace temp table {name} as select k as {q(column)}, v as {n} from "
            f"(select unnest(map_keys({h})) as k, unnest(map_values({h})) as v from {q(table)}) "
            f"where v > 0 and list_contains([{', '.join(repeating.bins)}], k){extra}"
        )
        row = scan.con.execute(
            f"select (select coalesce(sum({n}), 0) from {name}), {at['present']} from {q(table)}"
        ).fetchone()
        weighted[column] = name
        if not row or int(row[0]) != int(row[1]):
            again.append(column)
    if again:
        weighted |= group_values(scan, table, again)
    return weighted


def group_values(scan: DuckDBScan, table: str, columns: list[str]) -> dict[str, str]:
    """Per column, a small table of each of its values and its count, from one grouping read.

    Grouping sets: one hash table per column, which spills beyond DuckDB's memory limit (a
    ``histogram()`` would not), so a column of more values than expected costs time, not memory.
    The tables are named ``<table>_<column>``, as :func:`weigh_values` names its own.
    """
    assert scan.con is not None
    full = q(f"{table}_values")
    values = ", ".join(f"{q(c)} as v{i}, grouping({q(c)}) as g{i}" for i, c in enumerate(columns))
    sets = ", ".join(f"({q(c)})" for c in columns)
    scan.read_again(
        f"create or replace temp table {full} as select {values}, count(*) as n "
        f"from {{reader}} group by grouping sets ({sets})"
    )
    grouped = {}
    for i, column in enumerate(columns):
        grouped[column] = q(f"{table}_{column}")
        scan.con.execute(
            f"create or replace temp table {grouped[column]} as select v{i} as {q(column)}, "
            f"n as {count_column(column)} from {full} where g{i} = 0 and v{i} is not null"
        )
    scan.con.execute(f"drop table {full}")
    return grouped


def grouped_figures(
    scan: DuckDBScan, fields: list[FieldMetrics], top: bool
) -> dict[str, FieldFigures]:
    """The figures of fields of few values (by field name), from one grouping of their values.

    Every figure of such a field (nulls, extent, empty strings, violations with examples,
    distinct values, top values) comes from the count of each of its values, exactly.
    """
    assert scan.con is not None
    if not fields:
        return {}
    table = f"{scan.relation.strip(chr(34))}_counted"
    grouped = group_values(scan, table, [str(fm.column) for fm in fields])
    figures = {
        fm.name: histogram_measures(scan, grouped[str(fm.column)], str(fm.column), fm.spec, top)
        for fm in fields
    }
    for name in grouped.values():
        scan.con.execute(f"drop table if exists {name}")
    return figures


def histogram_measures(
    scan: DuckDBScan, weighted: str, column: str, spec: FieldSpec, top: bool
) -> FieldFigures:
    """A field's measurements from the count of each of its values (a ``weigh_values`` table).

    The values are a small table with the column's own name and type, so that the same SQL
    conditions as a row-by-row scan judge them (each value weighted by its count).
    """
    n = count_column(column)
    values = DuckDBScan(
        relation=weighted,
        display=scan.display,
        columns={column: scan.columns[column], n: "UBIGINT"},
        rows=scan.rows,
        con=scan.con,
    )
    filters = violation_filters(values, column, spec)
    low, high = values.min_max(column)
    exprs = [f"count({q(column)})", f"coalesce(sum({n}), 0)", low, high]
    if values.family_of(column) in ("string", "other"):
        exprs.append(f"coalesce(sum({n}) filter (where {values.blank(column)}), 0)")
    exprs += [f"coalesce(sum({n}) filter (where {cond}), 0)" for cond in filters.values()]
    row = values.one(f"select {', '.join(exprs)} from {weighted}") or ()
    distinct, present, low_value, high_value, *rest = row
    empty = int(rest.pop(0)) if values.family_of(column) in ("string", "other") else 0
    counts = {kind: int(n) for kind, n in zip(filters, rest, strict=True)}
    text = values.text(column)
    examples = {
        kind: [
            r[0]
            for r in values.all(
                f"select {text} as v from {weighted} where {cond} order by {n} desc, v "
                f"limit {EXAMPLES}"
            )
        ]
        for kind, cond in filters.items()
        if counts[kind]
    }
    # Every value with its count, kept for the POC comparison where the values are few.
    counted = None
    if int(distinct) <= CATEGORIES_LIMIT:
        rows = values.all(f"select {text} as v, {n} from {weighted} order by {n} desc, v")
        counted = [(str(v), int(c)) for v, c in rows]
    tops = None
    if top and counted is not None and int(distinct) <= TOP_VALUES_MAX_DISTINCT:
        tops = counted[:5]
    return FieldFigures(
        nulls=scan.rows - int(present),
        low=low_value,
        high=high_value,
        empty=empty,
        distinct=int(distinct),
        counts=counts,
        examples=examples,
        top=tops,
        values=None if counted is None else dict(counted),
    )
