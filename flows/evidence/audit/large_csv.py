"""The one-pass reading of a large CSV file: every measurement in one read where the file is.

A CSV file of ``SINGLE_PASS_MIN_BYTES`` or more (:mod:`flows.sources.files`) is not copied into a
table: the plan's aggregates run in one pass over the file, which also counts the rows, stores
refused rows, keeps example values of each violation (:func:`examples_term`), counts each value
of the fields that repeat in the file's head (their figures and top values come from those
counts), and lists every key value for the exact count of duplicated keys and their examples (a
key too large to list is read again on its own).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from flows import duckdb_budget
from flows.config import FieldSpec
from flows.evidence.audit.metrics import (
    CATEGORIES_LIMIT,
    EXAMPLES,
    TOP_VALUES_MAX_DISTINCT,
    FieldMetrics,
    Metric,
    Plan,
    Violation,
    count_column,
    violation_filters,
)
from flows.evidence.audit.readings import (
    DuplicateKey,
    FieldFigures,
    Measured,
    Reading,
    duplicate_keys,
)
from flows.sources.files import lit, q
from flows.sources.scan import KEY_PERFECT_HASH_BITS, DuckDBScan, Scan, configuration_locked


@dataclass(frozen=True)
class Repeating:
    """A field whose head holds few values: the one pass counts each of them (``histogram_exact``).

    ``bins`` are the head's values as SQL literals. DuckDB counts every other value under one
    key of the column's type (``''``, the largest integer, infinity...): a head value equal to that
    key (``sentinel``) is counted on its own instead, so that the two never mix.
    """

    bins: list[str]
    sentinel: str | None


@dataclass(frozen=True)
class Head:
    """What the first rows of a large CSV file tell the one pass."""

    repeating: dict[str, Repeating]
    #: Rows of the whole file, estimated from its size and the length of its first lines.
    estimated_rows: int
    #: Average length of the values of each text column, in the head.
    text_bytes: dict[str, float]


def read_head(
    scan: DuckDBScan, columns: list[str], allowed: dict[str, list[Any]], head_rows: int
) -> Head:
    """The head of a large CSV file (``head_rows``): its repeating fields, its estimated rows.

    A repeating field's values are counted one by one: the head's values, and the values its
    field map allows (``allowed``, per column), even if the head did not show them. A wrong guess
    costs time, never exactness: a field with other values is counted again over the whole file
    (see :func:`weigh_values`).
    """
    assert scan.con is not None and scan.csv_stream is not None
    head = q(f"{scan.relation.strip(chr(34))}_head")
    listing = ", ".join(q(c) for c in columns) or "1 as one"
    # The file's first rows, read in order by one thread: the same head on every run (a
    # parallel read's ``limit`` keeps whichever rows its threads read first).
    reader = scan.csv_stream.reader()
    scan.con.execute(
        f"create or replace temp table {head} as select {listing} "
        f"from {reader[:-1]}, parallel = false) limit {head_rows}"
    )
    texts = [c for c in columns if scan.family_of(c) == "string"]
    lengths = "".join(f", avg(strlen({q(c)}))" for c in texts)
    # An estimate screens the fields (each candidate's values are listed exactly below).
    counts = "".join(f", approx_count_distinct({q(c)})" for c in columns)
    row = scan.con.execute(f"select count(*){lengths}{counts} from {head}").fetchone()
    if not row or not row[0]:
        return Head({}, 0, {})
    rows = int(row[0])
    text_bytes = {c: float(n or 0) for c, n in zip(texts, row[1 : 1 + len(texts)], strict=True)}
    repeating: dict[str, Repeating] = {}
    others: dict[str, tuple[bool, str | None]] = {}
    for column, n in zip(columns, row[1 + len(texts) :], strict=True):
        if not (2 <= int(n) <= TOP_VALUES_MAX_DISTINCT * 1.1 and int(n) * 20 <= rows * 1.1):
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
        if not (2 <= len(values) <= TOP_VALUES_MAX_DISTINCT and len(values) * 20 <= rows):
            continue
        sentinel = other if other in values else None
        repeating[column] = Repeating(
            [f"cast({lit(v)} as {kind})" for v in values if v != sentinel],
            None if sentinel is None else f"cast({lit(sentinel)} as {kind})",
        )
    scan.con.execute(f"drop table {head}")
    estimated = sum(estimated_lines(f) for f in scan.csv_stream.files)
    return Head(repeating, max(estimated, rows), text_bytes)


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


def estimated_lines(path: Path, sample: int = 2**20) -> int:
    """The lines of a text file, estimated from its size and the length of its first lines.

    A gzip file's size is its compressed size: its text is counted as eight times larger.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        start = handle.read(sample)
    lines = start.count(b"\n")
    if not lines:
        return 1
    size = path.stat().st_size * (8 if path.suffix == ".gz" else 1)
    return int(size / (len(start) / lines))


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
        # One more read groups each such column's values (grouping sets: one hash table per
        # column, which spills beyond DuckDB's memory limit; a histogram() would not).
        full = q(f"{table}_values")
        values = ", ".join(f"{q(c)} as v{i}, grouping({q(c)}) as g{i}" for i, c in enumerate(again))
        sets = ", ".join(f"({q(c)})" for c in again)
        scan.rescan(
            f"create or replace temp table {full} as select {values}, count(*) as n "
            f"from {{reader}} group by grouping sets ({sets})"
        )
        for i, column in enumerate(again):
            scan.con.execute(
                f"create or replace temp table {weighted[column]} as select v{i} as {q(column)}, "
                f"n as {count_column(column)} from {full} where g{i} = 0 and v{i} is not null"
            )
        scan.con.execute(f"drop table {full}")
    return weighted


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
        exact=True,
        counts=counts,
        examples=examples,
        top=tops,
        values=None if counted is None else dict(counted),
    )


def examples_term(scan: Scan, violation: Violation) -> str:
    """The pass's aggregate keeping a violation's example rows: the value of the first by hash.

    The violating rows whose content hashes lowest (``EXAMPLES * 20`` of them, as a table read
    keeps its first violating rows), with the value of each: the same rows on every run, whatever
    order the threads read the file in (``approx_top_k``, the sketch the pass kept before, went
    by that order), and a value repeated in many rows is not each of them. CASE, not FILTER: a
    FILTER clause copies every row that passes, per aggregate.
    """
    row = ", ".join(q(c) for c in scan.columns)
    value = scan.text(violation.column)
    return (
        f"min(case when {violation.condition} then struct_pack(h := hash({row}), v := {value}) "
        f"end, {EXAMPLES * 20})"
    )


def kept_examples(rows: list[dict[str, Any]] | None) -> list[str]:
    """The first ``EXAMPLES`` distinct values of :func:`examples_term`'s rows, in value order."""
    values = dict.fromkeys(str(r["v"]) for r in rows or [] if r["v"] is not None)
    return sorted(list(values)[:EXAMPLES])


def key_list_fits(scan: Scan, head: Head, key: list[str], budget: int) -> bool:
    """Whether a list of every key value of the file fits the budget (bytes)."""
    width = 0.0
    for column in key:
        if scan.family_of(column) in ("string", "other"):
            # A string of up to 12 bytes is held inline in its 16 bytes; a longer one beside.
            length = head.text_bytes.get(column, 0.0)
            width += 16 + (length if length > 12 else 0)
        else:
            width += 8
    return head.estimated_rows * width * 1.5 <= budget  # 1.5: the list's own cost


def key_value(key: list[str]) -> str:
    """A row's key: its one column, or a struct of its columns (named as they are)."""
    if len(key) == 1:
        return q(key[0])
    return f"struct_pack({', '.join(f'{q(k)} := {q(k)}' for k in key)})"


def grouped_keys(
    scan: DuckDBScan, table: str, key: list[str], listed: str | None
) -> tuple[int, list[DuplicateKey]]:
    """Duplicate key rows and the most duplicated keys of a large CSV file (``duplicate_keys``).

    The key columns come from the pass's list of every key (``listed``, a column of ``table``),
    or from reading them once more. Integer keys spanning up to 2^24 values are grouped by
    DuckDB's perfect hash aggregate (an array indexed by value, no hashing).
    """
    assert scan.con is not None
    keys = f"{table}_keys"
    if listed is None:
        columns = ", ".join(q(k) for k in key)
        scan.rescan(f"create or replace temp table {q(keys)} as select {columns} from {{reader}}")
    else:
        unnested = (
            f"unnest({listed}) as {q(key[0])}"
            if len(key) == 1
            else (f"unnest({listed}, recursive := true)")
        )
        scan.con.execute(
            f"create or replace temp table {q(keys)} as select {unnested} from {q(table)}"
        )
    listing = DuckDBScan(
        relation=q(keys),
        display=scan.display,
        columns={k: scan.columns[k] for k in key},
        rows=scan.rows,
        con=scan.con,
    )
    # A locked audit connection was set up for grouping large keys (see audit_connection).
    scoped = not configuration_locked(scan.con)
    if scoped:
        bits = duckdb_budget.perfect_hash_bits(KEY_PERFECT_HASH_BITS)  # within the budget
        scan.con.execute(f"set perfect_ht_threshold = {bits}")
    try:
        return duplicate_keys(listing, key)
    finally:
        if scoped:
            scan.con.execute("reset perfect_ht_threshold")
        scan.con.execute(f"drop table {q(keys)}")


class LargeCsvReading(Reading):
    """A large CSV file measured in one pass where it is (see the module's docstring).

    ``head_rows``: rows read from the head to find the fields whose values repeat.
    ``key_list_max_bytes``: the one pass lists every key value, and duplicated keys are counted
    from the list afterwards, when the list is estimated to take at most this much memory (a
    list stays in memory, while the grouping of it spills to disk beyond DuckDB's limit); above
    it, the key columns are read once more into a table and grouped there.
    """

    def __init__(self, head_rows: int, key_list_max_bytes: int) -> None:
        self.head_rows = head_rows
        self.key_list_max_bytes = key_list_max_bytes

    def measure(self, scan: Scan, plan: Plan, top: bool = True) -> Measured:
        """Execute the plan in one pass over the file, then derive what the pass kept."""
        assert isinstance(scan, DuckDBScan)
        found = plan.found
        allowed = {str(fm.column): fm.spec.allowed for fm in found if fm.spec.allowed is not None}
        head = read_head(scan, sorted({str(fm.column) for fm in found}), allowed, self.head_rows)
        hist = head.repeating
        key = list(plan.duplicates.columns) if plan.duplicates else []
        listed = bool(key) and key_list_fits(scan, head, key, self.key_list_max_bytes)
        # The pass's aggregates, named: each metric's terms, examples, the head's counts.
        exprs: dict[tuple[Any, ...], str] = {}
        exact: dict[str, bool] = {}
        for fm in found:
            column = str(fm.column)
            if column in hist:
                for term, sql in repeating_terms(column, hist[column]).items():
                    exprs[(fm.name, term)] = sql
                continue
            metrics: list[Metric | None] = [fm.nulls, fm.extent, fm.empties]
            if key != [column]:  # a lone key's distinct values are counted with its duplicates
                metrics.append(fm.distinct)
                # Rows not counted yet are many: the pass sketches distinct values.
                exact[fm.name] = fm.distinct.exact(scan) if fm.distinct else True
            for metric in filter(None, metrics):
                for i, sql in enumerate(metric.terms(scan)):
                    exprs[(metric, i)] = sql
            for v in fm.violations:
                exprs[(v, 0)] = v.terms(scan)[0]
                exprs[(v, "examples")] = examples_term(scan, v)
        if plan.recency:
            for i, sql in enumerate(plan.recency.terms(scan)):
                exprs[(plan.recency, i)] = sql
        if listed:
            exprs[("key_list",)] = f"list({key_value(key)})"
        table = f"{scan.relation.strip(chr(34))}_pass"
        # The listed keys stay in DuckDB, for the grouping below.
        stay = [i for i, name in enumerate(exprs) if name == ("key_list",)]
        values = dict(zip(exprs, scan.first_pass(list(exprs.values()), table, stay), strict=True))
        position = {name: f"e{i + 1}" for i, name in enumerate(exprs)}
        measured = Measured()
        terms_at = {
            str(fm.column): (
                hist[str(fm.column)],
                {
                    t: position[(fm.name, t)]
                    for t in repeating_terms(str(fm.column), hist[str(fm.column)])
                },
            )
            for fm in found
            if str(fm.column) in hist
        }
        weighted = weigh_values(scan, table, terms_at)
        for fm in found:
            column = str(fm.column)
            if column in hist:
                measured.fields[fm.name] = histogram_measures(
                    scan, weighted[column], column, fm.spec, top
                )
            else:
                measured.fields[fm.name] = self.figures(scan, fm, values, exact.get(fm.name, True))
        if key:
            measured.duplicates = grouped_keys(
                scan, table, key, position[("key_list",)] if listed else None
            )
            if len(key) == 1:
                # The key's distinct count is exact: its field says so, not a sketch.
                duplicates = measured.duplicates[0]
                for fm in found:
                    figures = measured.fields[fm.name]
                    if fm.column == key[0] and fm.column not in hist:
                        figures.distinct = scan.rows - duplicates - (1 if figures.nulls else 0)
        if plan.recency:
            n = len(plan.recency.terms(scan))
            measured.freshness = plan.recency.read([values[(plan.recency, i)] for i in range(n)])
        low_cardinality = [
            str(fm.column)
            for fm in found
            if str(fm.column) not in hist
            and measured.fields[fm.name].distinct <= TOP_VALUES_MAX_DISTINCT
        ]
        tops = scan.top_values(low_cardinality, 5) if top else {}
        for fm in found:
            if str(fm.column) not in hist:
                measured.fields[fm.name].top = tops.get(str(fm.column))
        return measured

    def figures(
        self, scan: Scan, fm: FieldMetrics, values: dict[Any, Any], exact: bool
    ) -> FieldFigures:
        """A field's figures from the pass's values (examples kept by the pass)."""
        assert fm.nulls is not None and fm.extent is not None and fm.distinct is not None
        counts = {v.kind: int(values[(v, 0)]) for v in fm.violations}
        return FieldFigures(
            nulls=int(values[(fm.nulls, 0)]),
            low=values[(fm.extent, 0)],
            high=values[(fm.extent, 1)],
            empty=int(values[(fm.empties, 0)]) if fm.empties else 0,
            distinct=int(values.get((fm.distinct, 0), 0)),
            exact=exact,
            counts=counts,
            examples={
                v.kind: kept_examples(values[(v, "examples")])
                for v in fm.violations
                if counts[v.kind]
            },
        )
