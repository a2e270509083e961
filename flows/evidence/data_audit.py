"""Data samples (gap 1): measure each production dataset against its field map, where it lives.

A dataset is never loaded into pandas. Files and S3 objects are scanned by DuckDB; PostgreSQL
tables and queries are measured by PostgreSQL itself. One aggregate query, generated from the
field map through the engine's dialect (:class:`~flows.sources.scan.Scan`), measures every field
at once; a few small bounded queries add examples, top values, duplicate keys, rules,
relationships and the POC comparison. Only where values of two datasets on different engines must
be compared do rows move, batch by batch, into DuckDB.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from core.errors import EvidenceError, first_line, reading_failure
from flows import duckdb_budget
from flows.config import DatasetEvidence, FieldMap, FieldSpec, LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence
from flows.privacy import contains_personal, is_free_text, mask, personal_column, redact
from flows.schemas import DatasetProfiles
from flows.sources import CsvOptions, SourceRef, parse_source
from flows.sources.files import MAX_REJECTS, lit, q, single_pass
from flows.sources.scan import (
    KEY_PERFECT_HASH_BITS,
    DuckDBScan,
    Scan,
    audit_connection,
    configuration_locked,
    local_files,
    open_scan,
    unreadable,
)

KIND = "dataset"
#: Example values (or rows) kept per violation kind: evidence, bounded.
EXAMPLES = 5


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


@dataclass(frozen=True)
class Freshness:
    """The newest timestamp of a dataset, its age and how many records are older than allowed."""

    newest: datetime | None
    age_seconds: float | None
    stale_rows: int | None
    #: The as-of instants at which the stale count is the same: (after, until], None unbounded.
    holds: tuple[datetime | None, datetime | None] = (None, None)


def violation_filters(scan: Scan, column: str, spec: FieldSpec) -> dict[str, str]:
    """SQL conditions, per violation kind, under which a value of the field is invalid."""
    col = q(column)
    text = scan.text(column)
    # An empty string is counted once, as empty (completeness), not again as an invalid value.
    present = f"{col} is not null and not {scan.blank(column)}"
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


#: Most frequent values are kept for fields with at most this many distinct values (categories,
#: flags, small integers); for ids, emails or timestamps every value is rare and grouping them all
#: would cost more than the rest of the audit.
TOP_VALUES_MAX_DISTINCT = 1000


def examples_of(scan: Scan, column: str, condition: str) -> list[str]:
    """A few distinct example values meeting a condition (the scan stops at the first ones)."""
    rows = scan.all(
        f"select {scan.text(column)} from {scan.relation} where {condition} limit {EXAMPLES * 20}"
    )
    return list(dict.fromkeys(r[0] for r in rows))[:EXAMPLES]


#: Rows read from the start of a dataset to detect its personal columns from their values.
PERSONAL_SAMPLE_ROWS = 1000


def personal_columns(scan: Scan, field_map: FieldMap | None = None) -> dict[str, str]:
    """The columns of a dataset that hold personal values, each with why it is treated so.

    A field the field map declares ``personal: true`` is ``declared``; one it declares
    ``personal: false`` never is. Any other column (mapped or not) is detected: by its name or
    its field's name (:func:`flows.privacy.personal_column`: emails, phone numbers, IP
    addresses, people's names), else by its values, when a value of the dataset's first
    ``PERSONAL_SAMPLE_ROWS`` rows is or contains an email, a phone number or an IP address.
    """
    declared: dict[str, bool] = {}
    names: dict[str, list[str]] = {c: [c] for c in scan.columns}
    for name, spec in (field_map.fields if field_map else {}).items():
        column = locate(name, spec, scan.columns)
        if column is not None:
            names[column].append(name)
            if spec.personal is not None:
                declared[column] = spec.personal
    out = {c: "declared" for c, personal in declared.items() if personal}
    undecided = [c for c in scan.columns if c not in declared]
    for column in undecided:
        kind = next(filter(None, map(personal_column, names[column])), None)
        if kind:
            out[column] = f"detected: {kind} (column name)"
    sampled = [c for c in undecided if c not in out and scan.family_of(c) in ("string", "other")]
    if sampled:
        texts = ", ".join(scan.text(c) for c in sampled)
        rows = scan.all(f"select {texts} from {scan.relation} limit {PERSONAL_SAMPLE_ROWS}")
        for i, column in enumerate(sampled):
            kind = next(
                filter(None, (contains_personal(str(r[i])) for r in rows if r[i] is not None)),
                None,
            )
            if kind:
                out[column] = f"detected: {kind} (values)"
            elif is_free_text(str(r[i]) for r in rows if r[i] is not None):
                # Names in free text cannot be told from other words reliably: a field of
                # sentences (a ticket's body, a note) is counted only, whatever it holds.
                out[column] = "detected: free text (may hold people's names)"
    return out


def masked(values: list[Any]) -> list[str]:
    """Values of a personal field as their masked shapes (``a***@e***.com``), each shape once."""
    return list(dict.fromkeys(mask(str(v)) for v in values))


def masked_row(row: dict[str, Any], personal: dict[str, str]) -> dict[str, Any]:
    """An example row (or key) with the values of personal columns masked."""
    return {k: mask(str(v)) if k in personal and v is not None else v for k, v in row.items()}


def utc(value: datetime | None) -> datetime | None:
    """A timestamp as UTC: a naive one is UTC already (the session's time zone), a zoned one is converted."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Rows read from the head of a large CSV file to find the fields whose values repeat (categories,
#: flags, small integers): the one pass counts each of their values instead of testing every row.
HEAD_ROWS = 100_000
#: The one pass lists every key value, and duplicated keys are counted from the list afterwards,
#: when the list is estimated to take at most this much memory (a quarter of the machine's: a
#: list stays in memory, while the grouping of it spills to disk beyond DuckDB's limit). Above
#: it, the key columns are read once more into a table and grouped there.
KEY_LIST_MAX_BYTES = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4


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
    scan: DuckDBScan, columns: list[str], allowed: dict[str, list[Any]] | None = None
) -> Head:
    """The head of a large CSV file: its repeating fields, and the file's estimated row count.

    A repeating field's values are counted one by one: the head's values, and the values its
    field map allows (``allowed``, per column), even if the head did not show them. A wrong guess
    costs time, never exactness: a field with other values is counted again over the whole file
    (see :func:`weigh_values`).
    """
    assert scan.con is not None and scan.csv_stream is not None
    head = q(f"{scan.relation.strip(chr(34))}_head")
    listing = ", ".join(q(c) for c in columns) or "1 as one"
    scan.con.execute(
        f"create or replace temp table {head} as select {listing} from {scan.relation} "
        f"limit {HEAD_ROWS}"
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
            for v in (allowed or {}).get(column, [])
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


def count_column(*columns: str) -> str:
    """The name of a count beside some columns, apart from the columns' own names."""
    name = "n"
    while name in columns:
        name += "_"
    return name


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
        full = f"{table}_values"
        scan.pass_into(full, [f"histogram({q(c)})" for c in again])
        for i, column in enumerate(again):
            n = count_column(column)
            scan.con.execute(
                f"create or replace temp table {weighted[column]} as select "
                f"unnest(map_keys(e{i})) as {q(column)}, unnest(map_values(e{i})) as {n} "
                f"from {q(full)}"
            )
    return weighted


def histogram_measures(
    scan: DuckDBScan, weighted: str, column: str, spec: FieldSpec, top: bool
) -> dict[str, Any]:
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
    tops = None
    if top and int(distinct) <= TOP_VALUES_MAX_DISTINCT:
        tops = values.all(f"select {text} as v, {n} from {weighted} order by {n} desc, v limit 5")
    return {
        "nulls": scan.rows - int(present),
        "min": low_value,
        "max": high_value,
        "empty": empty,
        "distinct": int(distinct),
        "counts": counts,
        "examples": examples,
        "top": tops,
    }


def key_list_fits(scan: Scan, head: Head, key: list[str]) -> bool:
    """Whether a list of every key value of the file fits the budget (``KEY_LIST_MAX_BYTES``)."""
    width = 0.0
    for column in key:
        if scan.family_of(column) in ("string", "other"):
            # A string of up to 12 bytes is held inline in its 16 bytes; a longer one beside.
            length = head.text_bytes.get(column, 0.0)
            width += 16 + (length if length > 12 else 0)
        else:
            width += 8
    limit = min(KEY_LIST_MAX_BYTES, duckdb_budget.budget().part // 4)  # the list cannot spill
    return head.estimated_rows * width * 1.5 <= limit  # 1.5: the list's own cost


def key_value(key: list[str]) -> str:
    """A row's key: its one column, or a struct of its columns (named as they are)."""
    if len(key) == 1:
        return q(key[0])
    return f"struct_pack({', '.join(f'{q(k)} := {q(k)}' for k in key)})"


def grouped_keys(
    scan: DuckDBScan, table: str, key: list[str], listed: str | None
) -> tuple[int, list[dict[str, Any]]]:
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
        scan.con.execute(f"set perfect_ht_threshold = {KEY_PERFECT_HASH_BITS}")
    try:
        return duplicate_keys(listing, key)
    finally:
        if scoped:
            scan.con.execute("reset perfect_ht_threshold")
        scan.con.execute(f"drop table {q(keys)}")


def measure_fields(
    scan: Scan,
    field_map: FieldMap,
    top: bool = True,
    as_of: datetime | None = None,
    personal: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], Freshness | None]:
    """Per field counts in one aggregate pass, plus bounded examples and top values.

    A personal field (``personal``: column -> why, from :func:`personal_columns` by default) is
    measured as counts only: no top values, no minimum or maximum, its examples masked. A field
    whose values to be stored turn out to hold a personal value becomes personal too (added to
    ``personal``, so that the dataset's other examples mask it as well).

    Exact Parquet statistics answer nulls, min and max where every row group has them; the one
    pass computes the rest, and the dataset's freshness (newest timestamp, stale records) too.

    A large CSV file (``scan.single_pass``) is read once for everything: the pass also counts
    the rows, stores refused rows, keeps example values of each violation, counts each value of
    the fields that repeat (their measurements and top values come from those counts) and lists
    every key value for the exact count of duplicated keys and their examples (a key too large
    to list is read again on its own).
    """
    columns = scan.columns
    found = {name: locate(name, spec, columns) for name, spec in field_map.fields.items()}
    if personal is None:
        personal = personal_columns(scan, field_map)
    # The scan read in one pass (a large CSV file), or None.
    stream = scan if isinstance(scan, DuckDBScan) and scan.single_pass else None
    one_pass = stream is not None
    stats = scan.statistics()
    allowed = {
        column: spec.allowed
        for name, spec in field_map.fields.items()
        if (column := found[name]) is not None and spec.allowed is not None
    }
    head = read_head(stream, sorted({c for c in found.values() if c}), allowed) if stream else None
    hist = head.repeating if head else {}
    key = [locate(k, field_map.fields[k], columns) for k in field_map.key]
    key_columns = [k for k in key if k]
    whole_key = bool(key_columns) and len(key_columns) == len(key)
    # The one pass lists every key value when that fits in memory (see KEY_LIST_MAX_BYTES).
    listed = bool(one_pass and head and whole_key and key_list_fits(scan, head, key_columns))
    exprs: dict[str, str] = {}
    exact: dict[str, bool] = {}
    for name, spec in field_map.fields.items():
        column = found[name]
        if column is None:
            continue
        if column in hist:
            for term, sql in repeating_terms(column, hist[column]).items():
                exprs[f"{name}|{term}"] = sql
            continue
        if column not in stats:
            exprs[f"{name}|nulls"] = scan.nulls(column)
            exprs[f"{name}|min"], exprs[f"{name}|max"] = scan.min_max(column)
        if scan.family_of(column) in ("string", "other"):
            exprs[f"{name}|empty"] = scan.count_where(scan.blank(column))
        if one_pass and whole_key and key_columns == [column]:
            exact[name] = True  # counted with the duplicated keys below
        else:
            exprs[f"{name}|distinct"], exact[name] = scan.distinct(column)
        for kind, cond in violation_filters(scan, column, spec).items():
            exprs[f"{name}|{kind}"] = scan.count_where(cond)
            if one_pass:
                # CASE, not FILTER: a FILTER clause copies every row that passes, per aggregate.
                exprs[f"{name}|{kind}|examples"] = (
                    f"approx_top_k(case when {cond} then {scan.text(column)} end, {EXAMPLES})"
                )
    ts_column = (
        locate(field_map.timestamp, field_map.fields[field_map.timestamp], columns)
        if field_map.timestamp and as_of is not None
        else None
    )
    if ts_column and as_of is not None:
        max_age = field_map.max_age_seconds
        ts_sql, stale_sql = scan.freshness_terms(
            ts_column, as_of - timedelta(seconds=max_age) if max_age else None
        )
        exprs["|newest"] = f"max({ts_sql})"
        if stale_sql:
            # The nearest timestamps on each side of the cutoff bound the as-of instants at
            # which the stale count stays the same (so a cached measurement can be reused).
            exprs["|stale"] = scan.count_where(stale_sql)
            exprs["|stale_latest"] = f"max(case when {stale_sql} then {ts_sql} end)"
            exprs["|fresh_earliest"] = f"min(case when not ({stale_sql}) then {ts_sql} end)"
    if listed:
        exprs["|key_list"] = f"list({key_value(key_columns)})"
    values: dict[str, Any] = {}
    table = f"{scan.relation.strip(chr(34))}_pass"
    if stream is not None:
        # The listed keys stay in DuckDB, for the grouping below.
        stay = [i for i, name in enumerate(exprs) if name == "|key_list"]
        values = dict(zip(exprs, stream.first_pass(list(exprs.values()), table, stay), strict=True))
    elif exprs:
        row = scan.one(f"select {', '.join(exprs.values())} from {scan.relation}") or ()
        values = dict(zip(exprs, row, strict=True))
    derived: dict[str, dict[str, Any]] = {}
    if stream is not None:
        position = {name: f"e{i + 1}" for i, name in enumerate(exprs)}
        terms_at = {
            column: (
                hist[column],
                {
                    term: position[f"{name}|{term}"]
                    for term in repeating_terms(column, hist[column])
                },
            )
            for name, column in found.items()
            if column in hist and column is not None
        }
        weighted = weigh_values(stream, table, terms_at)
        for name, spec in field_map.fields.items():
            column = found[name]
            if column in hist and column is not None:
                measured = histogram_measures(stream, weighted[column], column, spec, top)
                derived[name] = measured
                values |= {
                    f"{name}|nulls": measured["nulls"],
                    f"{name}|min": measured["min"],
                    f"{name}|max": measured["max"],
                    f"{name}|empty": measured["empty"],
                    f"{name}|distinct": measured["distinct"],
                } | {f"{name}|{kind}": n for kind, n in measured["counts"].items()}
                exact[name] = True
        if whole_key:
            listing = position["|key_list"] if listed else None
            duplicates, repeated = grouped_keys(stream, table, key_columns, listing)
            scan.duplicates[tuple(key_columns)] = (duplicates, repeated)
            if len(key_columns) == 1:
                # The key's distinct count is exact: its field says so, not a sketch.
                for name in field_map.fields:
                    if found[name] == key_columns[0] and name not in derived:
                        null_key = 1 if int(values[f"{name}|nulls"]) else 0
                        values[f"{name}|distinct"] = scan.rows - duplicates - null_key
    fresh = None
    if ts_column and as_of is not None:
        newest = utc(values.get("|newest"))
        holds: tuple[datetime | None, datetime | None] = (None, None)
        if "|stale" in values and field_map.max_age_seconds:
            age = timedelta(seconds=field_map.max_age_seconds)
            latest, earliest = utc(values["|stale_latest"]), utc(values["|fresh_earliest"])
            holds = (latest + age if latest else None, earliest + age if earliest else None)
        fresh = Freshness(
            newest,
            (as_of - newest).total_seconds() if newest else None,
            None if values.get("|stale") is None or newest is None else int(values["|stale"]),
            holds,
        )
    low_cardinality = [
        found[name]
        for name in field_map.fields
        if found[name] is not None
        and name not in derived
        and int(values[f"{name}|distinct"]) <= TOP_VALUES_MAX_DISTINCT
    ]
    tops = scan.top_values([c for c in low_cardinality if c], 5) if top else {}
    for name, measured in derived.items():
        if measured["top"] is not None:
            tops[str(found[name])] = measured["top"]
    out: list[dict[str, Any]] = []
    for name, spec in field_map.fields.items():
        column = found[name]
        row_out: dict[str, Any] = {
            "dataset": None,
            "field": name,
            "declared_type": spec.type,
            "required": spec.required,
            "present": column is not None,
            "found_as": column,
            "observed_type": columns.get(column) if column else None,
            "personal": bool(spec.personal),
            "personal_reason": None
            if spec.personal is None
            else ("declared" if spec.personal else "declared not personal"),
        }
        if column is None:
            out.append(row_out)
            continue
        nulls, low, high = (
            stats[column]
            if column in stats
            else (values[f"{name}|nulls"], values[f"{name}|min"], values[f"{name}|max"])
        )
        filters = violation_filters(scan, column, spec)
        counts = {kind: int(values[f"{name}|{kind}"]) for kind in filters}
        if name in derived:
            examples = derived[name]["examples"]
        elif one_pass:
            examples = {
                kind: sorted(str(v) for v in values[f"{name}|{kind}|examples"] or [])
                for kind in filters
                if counts[kind]
            }
        else:
            examples = {
                kind: examples_of(scan, column, cond)
                for kind, cond in filters.items()
                if counts[kind]
            }
        top_values = tops.get(column)
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
            row_out.update(personal=True, personal_reason=reason)
        row_out.update(
            row_count=scan.rows,
            null_count=int(nulls),
            empty_count=int(values.get(f"{name}|empty", 0)),
            distinct_count=int(values[f"{name}|distinct"]),
            distinct_is_exact=exact[name],
            type_failures=counts.get("type_failures", 0),
            not_allowed=counts.get("not_allowed", 0),
            out_of_range=counts.get("out_of_range", 0),
            pattern_failures=counts.get("pattern_failures", 0),
            min_value=low,
            max_value=high,
            top_values=None
            if top_values is None
            else json.dumps([{"value": v, "count": int(n)} for v, n in top_values]),
            examples=json.dumps(examples) if examples else None,
        )
        out.append(row_out)
    return out, fresh


def duplicate_keys(scan: Scan, key: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """Rows minus the number of distinct key tuples, and a few duplicated keys with their rows.

    One grouping of the key answers both (a materialized CTE, in DuckDB and PostgreSQL alike):
    the extra rows of every key that repeats, and the most repeated keys (ties by key).
    """
    known = scan.duplicates.get(tuple(key))
    if known is not None:
        return known
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


def masked_keys(examples: list[dict[str, Any]], personal: dict[str, str]) -> list[dict[str, Any]]:
    """Duplicated keys (``duplicate_keys``' examples) with their personal columns masked."""
    return [{**e, "key": masked_row(e["key"], personal)} for e in examples]


def duplicate_key_rows(scan: Scan, key: list[str]) -> int:
    """Rows minus the number of distinct key tuples."""
    return duplicate_keys(scan, key)[0]


def measure_dataset(
    scan: Scan,
    dataset: DatasetEvidence,
    fresh: Freshness | None,
    personal: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Duplicate keys, freshness (measured in the fields' pass) and missing fields of a dataset.

    A duplicated key's personal columns are shown masked.
    """
    fm = dataset.field_map
    columns = scan.columns
    key = [locate(k, fm.fields[k], columns) for k in fm.key]
    duplicates = None
    examples: dict[str, Any] = {}
    if key and all(key):
        duplicates, repeated = duplicate_keys(scan, [k for k in key if k])
        if repeated:
            examples["duplicate_keys"] = masked_keys(repeated, personal or {})
    fresh = fresh or Freshness(None, None, None)
    required = [n for n, s in fm.fields.items() if s.required]
    missing = [n for n in required if locate(n, fm.fields[n], columns) is None]
    return {
        "dataset": dataset.name,
        "readable": True,
        "error": None,
        "row_count": scan.rows,
        "key_columns": ",".join(k for k in key if k) or None,
        "duplicate_key_rows": duplicates,
        "timestamp_column": fm.timestamp,
        "newest_timestamp": fresh.newest,
        "age_seconds": fresh.age_seconds,
        "max_age_seconds": fm.max_age_seconds,
        "stale_rows": fresh.stale_rows,
        "fields_required": len(required),
        "fields_missing": len(missing),
        "examples": json.dumps(examples | {"missing_fields": missing} if missing else examples)
        if examples or missing
        else None,
    }


def rule_column(field_map: FieldMap, scan: Scan, name: str) -> str | None:
    """The dataset's column a rule names: a field of the map where it is found, else a column."""
    for field, spec in field_map.fields.items():
        if field.lower() == name.lower():
            return locate(field, spec, scan.columns)
    return locate(name, FieldSpec(), scan.columns)


def measure_rules(
    scan: Scan,
    evidence: Evidence,
    dataset: DatasetEvidence,
    personal: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Cross-field rules: rows where the expression is false (NULL passes, as in a SQL CHECK).

    The example rows show personal columns masked; an engine's error is stored redacted (it may
    quote a value).
    """
    from flows import sql_guard  # sqlglot is loaded only when a dataset has rules

    out = []
    if dataset.field_map.rules:
        scan.materialize()
    for rule in dataset.field_map.rules:
        try:
            # Rendered from the parsed expression (flows.sql_guard), never pasted as written.
            expression = sql_guard.render_condition(
                rule.expression,
                lambda name: rule_column(dataset.field_map, scan, name),
                scan.engine,
            )
            condition = f"not coalesce(({expression}), true)"
            count = scan.one(f"select count(*) from {scan.relation} where {condition}")
            names, sample = scan.described(
                f"select * from {scan.relation} where {condition} limit 3"
            )
        except (duckdb.Error, EvidenceError, sql_guard.RefusedSQL) as exc:
            reason = exc.reason if isinstance(exc, EvidenceError) else first_line(exc)
            evidence.reject(
                KIND,
                scan.display,
                f"rule {rule.name}: cannot evaluate {rule.expression!r}: {redact(reason)}",
                column=rule.name,
            )
            continue
        out.append(
            {
                "dataset": dataset.name,
                "rule": rule.name,
                "kind": "rule",
                "rows_checked": scan.rows,
                "violations": int(count[0]) if count else 0,
                "examples": json.dumps(
                    [
                        masked_row(
                            {
                                n: None if v is None else str(v)
                                for n, v in zip(names, r, strict=True)
                            },
                            personal or {},
                        )
                        for r in sample
                    ]
                )
                if sample
                else None,
            }
        )
    return out


def values_in_duckdb(
    con: duckdb.DuckDBPyConnection, scan: Scan, column: str, name: str
) -> tuple[str, str]:
    """A DuckDB relation and column holding the field's values as text.

    A DuckDB scan is used as it is; from any other engine the distinct values move, batch by
    batch, into a DuckDB table (never the whole result in memory at once).
    """
    if isinstance(scan, DuckDBScan) and scan.con is con:
        return scan.relation, column
    con.execute(f"create or replace temp table {q(name)} (v varchar)")
    for chunk in scan.stream(
        f"select distinct {scan.text(column)} from {scan.relation} where {q(column)} is not null"
    ):
        append_rows(con, name, ["v"], chunk)
    return q(name), "v"


def append_rows(
    con: duckdb.DuckDBPyConnection, table: str, names: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Append one batch of rows to a DuckDB table (through Arrow: row-by-row inserts are slow)."""
    import pyarrow as pa

    batch = pa.table(
        {n: list(values) for n, values in zip(names, zip(*rows, strict=True), strict=True)}
    )
    con.register("incoming_batch", batch)
    try:
        con.execute(f"insert into {q(table)} select * from incoming_batch")
    finally:
        con.unregister("incoming_batch")


def measure_relationships(
    con: duckdb.DuckDBPyConnection,
    evidence: Evidence,
    dataset: DatasetEvidence,
    scans: dict[str, Scan],
    personal: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Orphans: values of a field missing from the related dataset's field (masked if personal)."""
    out: list[dict[str, Any]] = []
    if dataset.name not in scans:
        return out
    scan = scans[dataset.name]
    for index, rel in enumerate(dataset.field_map.relationships):
        if rel.dataset not in scans:
            continue  # the related dataset is unreadable: no evidence for this relationship
        other = scans[rel.dataset]
        scan.materialize()
        other.materialize()
        mine = locate(rel.field, dataset.field_map.fields.get(rel.field, FieldSpec()), scan.columns)
        theirs = rel.to_field if rel.to_field in other.columns else None
        if mine is None or theirs is None:
            evidence.reject(
                KIND,
                scan.display,
                f"relationship {rel.field} -> {rel.dataset}.{rel.to_field}: a field is missing",
                column=rel.field,
            )
            continue
        target, target_column = values_in_duckdb(
            con, other, theirs, f"rel_{dataset.name}_{index}_to"
        )
        same_engine = isinstance(scan, DuckDBScan) and scan.con is con
        if same_engine:
            source, column = scan.relation, mine
        else:
            # Rows of a remote dataset: count orphans per value, so duplicates count as rows.
            source, column = f"rel_{dataset.name}_{index}_from", "v"
            con.execute(f"create or replace temp table {q(source)} (v varchar, n bigint)")
            for chunk in scan.stream(
                f"select {scan.text(mine)}, count(*) from {scan.relation} "
                f"where {q(mine)} is not null group by 1"
            ):
                append_rows(con, source, ["v", "n"], chunk)
            source = q(source)
        weight = "1" if same_engine else "a.n"
        orphan = (
            f"from {source} as a where a.{q(column)} is not null and not exists "
            f"(select 1 from {target} as b "
            f"where cast(b.{q(target_column)} as varchar) = cast(a.{q(column)} as varchar))"
        )
        checked = con.execute(
            f"select coalesce(sum({weight}), 0) from {source} as a where a.{q(column)} is not null"
        ).fetchone()
        count = con.execute(f"select coalesce(sum({weight}), 0) {orphan}").fetchone()
        sample = con.execute(
            f"select distinct cast(a.{q(column)} as varchar) as v {orphan} order by v limit {EXAMPLES}"
        ).fetchall()
        out.append(
            {
                "dataset": dataset.name,
                "rule": f"{rel.field} -> {rel.dataset}.{rel.to_field}",
                "kind": "relationship",
                "rows_checked": int(checked[0]) if checked else 0,
                "violations": int(count[0]) if count else 0,
                "examples": json.dumps(
                    masked([r[0] for r in sample])
                    if mine in (personal or {})
                    else [r[0] for r in sample]
                )
                if sample
                else None,
            }
        )
    return out


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index of two distributions over the same bins."""
    eps = 1e-4
    total = 0.0
    for p, a in zip(expected, actual, strict=True):
        p, a = max(p, eps), max(a, eps)
        total += (a - p) * math.log(a / p)
    return total


def _null_rate(scan: Scan, column: str) -> float | None:
    r = scan.one(f"select count(*) filter (where {q(column)} is null) from {scan.relation}")
    return int(r[0]) / scan.rows if r and scan.rows else None


def _shares(scan: Scan, column: str, cuts: list[float]) -> list[float]:
    number = scan.number(column)
    bucket = " + ".join(f"case when {number} > {c!r} then 1 else 0 end" for c in cuts)
    counts = {
        int(b): int(n)
        for b, n in scan.all(
            f"select {bucket} as b, count(*) from {scan.relation} where {number} is not null group by 1"
        )
    }
    total = sum(counts.values()) or 1
    return [counts.get(i, 0) / total for i in range(len(cuts) + 1)]


def _categories(scan: Scan, column: str) -> dict[str, int]:
    return {
        str(v): int(n)
        for v, n in scan.all(
            f"select {scan.text(column)}, count(*) from {scan.relation} "
            f"where {q(column)} is not null group by 1 limit 1001"
        )
    }


def measure_drift(
    prod: Scan, poc: Scan, dataset: DatasetEvidence, personal: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Per field: null rates, categories production has that the POC never saw, and PSI.

    The unseen categories of a personal field are shown masked.
    """
    prod.materialize()
    poc.materialize()
    out = []
    for name, spec in dataset.field_map.fields.items():
        a = locate(name, spec, prod.columns)
        b = locate(name, spec, poc.columns)
        if a is None or b is None:
            continue
        row: dict[str, Any] = {
            "dataset": dataset.name,
            "field": name,
            "poc_null_rate": _null_rate(poc, b),
            "prod_null_rate": _null_rate(prod, a),
            "unseen_categories": None,
            "unseen_examples": None,
            "psi": None,
        }
        if spec.type in ("integer", "number") and spec.allowed is None:
            points = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
            edges = poc.one(f"select {poc.quantiles(poc.number(b), points)} from {poc.relation}")
            cuts = (
                sorted({float(e) for e in edges[0] if e is not None}) if edges and edges[0] else []
            )
            if cuts:
                row["psi"] = psi(_shares(poc, b, cuts), _shares(prod, a, cuts))
        elif spec.allowed is not None or spec.type == "boolean":
            # Categories only where the field map declares them: PSI over free text or ids is noise.
            poc_values = _categories(poc, b)
            if 0 < len(poc_values) <= 50:
                prod_values = _categories(prod, a)
                unseen = sorted(set(prod_values) - set(poc_values))
                row["unseen_categories"] = len(unseen)
                shown = masked(unseen[:EXAMPLES]) if a in (personal or {}) else unseen[:EXAMPLES]
                row["unseen_examples"] = json.dumps(shown) if unseen else None
                keys = sorted(set(poc_values) | set(prod_values))
                pt, at = sum(poc_values.values()) or 1, sum(prod_values.values()) or 1
                row["psi"] = psi(
                    [poc_values.get(k, 0) / pt for k in keys],
                    [prod_values.get(k, 0) / at for k in keys],
                )
        out.append(row)
    return out


def scan_fingerprint(scan: Scan) -> str | None:
    """The content hash of a dataset: of its file, of its files' hashes, or of its description."""
    return files_fingerprint(scan.fingerprint_files, scan.fingerprint_text)


def files_fingerprint(files: list[Path], text: str | None = None) -> str | None:
    """The content hash of one file, of several files' hashes, or of a description."""
    if len(files) == 1:
        return fingerprint_file(files[0])
    if files:
        digest = hashlib.sha256()
        for f in files:
            digest.update(f"{f.name}:{fingerprint_file(f)}\n".encode())
        return digest.hexdigest()
    if text:
        return hashlib.sha256(text.encode()).hexdigest()
    return None


def source_of(project: LoadedProject, dataset: DatasetEvidence, poc: bool = False) -> SourceRef:
    """Where a dataset (or its POC sample, always a file or an S3 object) lives."""
    if poc:
        assert dataset.poc_sample is not None
        return parse_source(dataset.poc_sample, project.path.parent)
    return parse_source(
        dataset.source, project.path.parent, table=dataset.table, query=dataset.query
    )


def csv_options(dataset: DatasetEvidence) -> CsvOptions:
    """The CSV options a dataset declares."""
    return CsvOptions(dataset.delimiter, dataset.quote, dataset.header, dataset.encoding)


def record_read_rejects(
    evidence: Evidence, scan: Scan, personal: dict[str, str] | None = None
) -> None:
    """Rows the reader refused (ragged rows, bad quoting) are kept with file, line and column.

    The refused line is kept redacted, and not at all when the dataset has personal columns (a
    ragged line cannot be told apart into columns); the reader's reason is kept redacted.
    """
    for file, line, column, value, reason in scan.rejects:
        kept = None if personal or value is None else redact(value)
        evidence.reject(KIND, file, str(redact(reason)), row=line, column=column, value=kept)
    if scan.rejected > len(scan.rejects):
        evidence.reject(
            KIND,
            scan.display,
            f"{scan.rejected - MAX_REJECTS} more rows were refused while reading "
            f"(the first {MAX_REJECTS} are listed)",
        )


def open_or_record(
    con: duckdb.DuckDBPyConnection,
    evidence: Evidence,
    name: str,
    view: str,
    ref: SourceRef,
    dataset: DatasetEvidence,
    scratch: Path,
    hashed: Future[str | None] | None = None,
    files: list[Path] | EvidenceError | None = None,
) -> Scan | None:
    """Open a source, or record it as unreadable (with the reason) and return None.

    ``hashed``: the source's content hash, when it is being computed already. ``files``: its
    local files (see :func:`locate_source`), or why there are none.
    """
    try:
        if isinstance(files, EvidenceError):
            raise files
        return open_scan(con, view, ref, scratch, dataset.format, csv_options(dataset), files)
    except Exception as exc:  # any failure to open is an unreadable input, never a traceback
        if not isinstance(exc, EvidenceError | duckdb.Error):
            exc = EvidenceError(ref.display, reading_failure(exc, ref.display))
        error = unreadable(ref, exc)
        path = Path(ref.location) if ref.kind == "file" else None
        if hashed is not None:
            fingerprint = hashed.result() if path and path.is_file() else None
        else:
            fingerprint = fingerprint_file(path) if path and path.is_file() else None
        evidence.record_input(
            KIND,
            name,
            ref.display,
            fingerprint=fingerprint,
            rows_read=None,
            rows_rejected=None,
            status="unreadable",
            error=str(error) if error.source != ref.display else error.reason,
        )
        return None


def engine_patterns(scan: Scan, evidence: Evidence, field_map: FieldMap) -> FieldMap:
    """The field map without the patterns the engine's regular expressions refuse.

    DuckDB's were checked when the configuration was loaded; PostgreSQL's differ (no ``(?i)``
    inside a group, no Unicode classes), so each pattern is tried there first. A refused one is a
    rejected row naming the field, and is not checked, instead of failing the whole dataset.
    """
    if scan.engine == "duckdb":
        return field_map
    fields = dict(field_map.fields)
    for name, spec in field_map.fields.items():
        if spec.pattern is None:
            continue
        try:
            scan.one(f"select {scan.full_match(lit(''), spec.pattern)}")
        except EvidenceError as exc:
            evidence.reject(
                KIND,
                scan.display,
                f"field {name}: the pattern is not checked: PostgreSQL does not accept it "
                f"as a regular expression ({exc.reason})",
                column=name,
            )
            fields[name] = spec.model_copy(update={"pattern": None})
    return field_map.model_copy(update={"fields": fields})


def audit_dataset(
    evidence: Evidence,
    scan: Scan,
    dataset: DatasetEvidence,
    name: str,
    as_of: datetime,
    personal: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every measurement of one opened dataset into the evidence batch; returns its profile.

    ``personal``: the dataset's personal columns (detected here when not given; completed by
    the measurement of the fields).
    """
    personal = personal_columns(scan, dataset.field_map) if personal is None else personal
    field_map = engine_patterns(scan, evidence, dataset.field_map)
    fields, fresh = measure_fields(scan, field_map, as_of=as_of, personal=personal)
    # After the fields: a large file's pass reads the rows.
    record_read_rejects(evidence, scan, personal)
    if fresh:
        evidence.holds_between(*fresh.holds)
    profile = measure_dataset(scan, dataset, fresh, personal)
    evidence.add("raw_dataset_profiles", {**profile, "source": scan.display})
    evidence.add("raw_field_profiles", [{**f, "dataset": name} for f in fields])
    for missing in json.loads(profile["examples"] or "{}").get("missing_fields", []):
        evidence.reject(
            KIND,
            scan.display,
            f"the field map needs field {missing!r}, which is missing "
            f"(columns found: {', '.join(scan.columns)})",
            column=missing,
        )
    evidence.add("raw_dataset_rules", measure_rules(scan, evidence, dataset, personal))
    return profile


#: The measured columns of a dataset profile (null when the dataset is unreadable): the schema's.
PROFILE_COLUMNS = tuple(
    column
    for column in DatasetProfiles.to_schema().columns
    if column not in ("run_id", "project_id", "dataset", "source", "readable", "error")
)


def unreadable_profile(name: str, source: str, error: str) -> dict[str, Any]:
    """The profile row of a dataset that could not be read (no measurement, the reason)."""
    return {
        "dataset": name,
        "source": source,
        "readable": False,
        "error": error,
        **dict.fromkeys(PROFILE_COLUMNS),
    }


@dataclass(frozen=True)
class Located:
    """A dataset's source and its local files, found before the audit's connection opens.

    ``ref`` is None when the source cannot be understood (``error`` says why); ``files`` is the
    EvidenceError of a source whose files cannot be had (an S3 object that cannot be fetched).
    """

    ref: SourceRef | None
    files: list[Path] | EvidenceError
    error: str | None = None


def locate_source(project: LoadedProject, dataset: DatasetEvidence, poc: bool = False) -> Located:
    """Where a dataset (or its POC sample) lives, with its local files (S3 objects fetched)."""
    try:
        ref = source_of(project, dataset, poc)
    except ValueError as exc:
        return Located(None, [], str(exc))
    try:
        return Located(ref, local_files(ref))
    except EvidenceError as exc:
        return Located(ref, exc)


def connect_for(
    scratch: Path, datasets: list[DatasetEvidence], located: list[Located]
) -> duckdb.DuckDBPyConnection:
    """The project's audit connection, which may read the files its datasets name, and no other."""
    allowed = [f for at in located if isinstance(at.files, list) for f in at.files]
    large = any(
        isinstance(at.files, list) and single_pass(at.files, dataset.format)
        for dataset, at in zip(datasets, located[: len(datasets)], strict=True)
    )
    return audit_connection(scratch, allowed, large_keys=large)


def collect_datasets(context: Context, project: LoadedProject) -> Evidence:
    """Audit every dataset of a project; an unreadable one is recorded and the others go on."""
    evidence = Evidence()
    datasets = project.project.evidence.datasets
    if not datasets:
        return evidence
    scans: dict[str, Scan] = {}
    personal: dict[str, dict[str, str]] = {}
    with duckdb_budget.audit_scratch() as scratch:  # a part of the memory budget, a spill folder
        # Every file is found (S3 objects fetched) first: the connection reads only those.
        located = [locate_source(project, d) for d in datasets]
        pocs = {
            i: locate_source(project, d, poc=True) for i, d in enumerate(datasets) if d.poc_sample
        }
        con = connect_for(Path(scratch), datasets, [*located, *pocs.values()])
        hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fingerprint")
        try:
            for index, dataset in enumerate(datasets):
                ref = located[index].ref
                if ref is None:
                    evidence.record_input(
                        KIND, dataset.name, dataset.source, fingerprint=None, rows_read=None,
                        rows_rejected=None, status="unreadable", error=located[index].error,
                    )  # fmt: skip
                    continue
                files = located[index].files
                # The content hash reads the whole file: it runs beside the measurement (hashlib
                # releases the GIL), not after it; a local file's from the start, beside the
                # opening and the head of the file, which leave a core idle.
                local = files if ref.kind == "file" and isinstance(files, list) else []
                early = hashing.submit(files_fingerprint, local) if local else None
                scan = open_or_record(
                    con, evidence, dataset.name, f"d{index}", ref, dataset, Path(scratch), early,
                    files,
                )  # fmt: skip
                if scan is None:
                    error = evidence.tables["raw_evidence_inputs"][-1]["error"]
                    evidence.add(
                        "raw_dataset_profiles", unreadable_profile(dataset.name, ref.display, error)
                    )
                    continue
                scans[dataset.name] = scan
                fingerprint = early or hashing.submit(scan_fingerprint, scan)
                try:
                    personal[dataset.name] = personal_columns(scan, dataset.field_map)
                    profile = audit_dataset(
                        evidence, scan, dataset, dataset.name, context.as_of,
                        personal[dataset.name],
                    )  # fmt: skip
                except Exception as exc:  # unreadable, never a traceback (see the log)
                    # The source opened but a measurement failed (a query the engine refuses).
                    scans.pop(dataset.name)
                    if not isinstance(exc, EvidenceError | duckdb.Error):
                        exc = EvidenceError(ref.display, reading_failure(exc, ref.display))
                    reason = unreadable(ref, exc).reason
                    evidence.record_input(
                        KIND, dataset.name, ref.display, fingerprint=None, rows_read=None,
                        rows_rejected=None, status="unreadable", error=reason,
                    )  # fmt: skip
                    evidence.add(
                        "raw_dataset_profiles",
                        unreadable_profile(dataset.name, ref.display, reason),
                    )
                    continue
                evidence.record_input(
                    KIND,
                    dataset.name,
                    ref.display,
                    fingerprint=fingerprint.result(),
                    rows_read=scan.rows,
                    rows_rejected=scan.rejected,
                    newest_record_at=profile["newest_timestamp"],
                )
                if dataset.poc_sample:
                    name = f"{dataset.name} (poc sample)"
                    poc_ref = pocs[index].ref
                    if poc_ref is None:
                        evidence.record_input(
                            KIND, name, str(dataset.poc_sample), fingerprint=None, rows_read=None,
                            rows_rejected=None, status="unreadable", error=pocs[index].error,
                        )  # fmt: skip
                        continue
                    poc = open_or_record(
                        con, evidence, name, f"d{index}_poc", poc_ref, dataset, Path(scratch),
                        files=pocs[index].files,
                    )  # fmt: skip
                    if poc is None:
                        continue
                    try:
                        poc.materialize()  # compared query by query: read it once, as a table
                    except EvidenceError as exc:
                        evidence.record_input(
                            KIND, name, poc_ref.display, fingerprint=None, rows_read=None,
                            rows_rejected=None, status="unreadable",
                            error=unreadable(poc_ref, exc).reason,
                        )  # fmt: skip
                        continue
                    evidence.record_input(
                        KIND, name, poc_ref.display, fingerprint=scan_fingerprint(poc),
                        rows_read=poc.rows,
                    )  # fmt: skip
                    evidence.add(
                        "raw_poc_drift",
                        measure_drift(scan, poc, dataset, personal.get(dataset.name)),
                    )
                    poc.close()
            for dataset in datasets:
                try:
                    rows = measure_relationships(
                        con, evidence, dataset, scans, personal.get(dataset.name)
                    )
                except EvidenceError as exc:
                    evidence.reject(KIND, exc.source, f"relationships not measured: {exc.reason}")
                    continue
                evidence.add("raw_dataset_rules", rows)
        finally:
            hashing.shutdown(wait=True)
            for scan in scans.values():
                scan.close()
            con.close()
    return evidence
