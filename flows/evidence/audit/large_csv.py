"""The one-pass reading of a large CSV file: every measurement in one read where the file is.

A CSV file of ``SINGLE_PASS_MIN_BYTES`` or more (:mod:`flows.sources.files`) is not copied into a
table: the plan's aggregates run in one pass over the file, which also counts the rows, stores
refused rows, keeps example values of each violation (:func:`examples_term`), counts each value
of the fields that repeat in the file's head (their figures, distinct values and top values come
from those counts: :mod:`~flows.evidence.audit.counted`), and lists every key value for the
exact count of duplicated keys and their examples (a key too large to list is read again on its
own). The other fields' distinct values are not counted.
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path
from typing import Any

from flows import duckdb_budget
from flows.evidence.audit.counted import (
    Head,
    at_least,
    histogram_measures,
    read_head,
    repeating_terms,
    weigh_values,
)
from flows.evidence.audit.figures import DuplicateKey, FieldFigures, Measured
from flows.evidence.audit.metrics import (
    EXAMPLES,
    FieldMetrics,
    Metric,
    Plan,
    Violation,
)
from flows.evidence.audit.readings import Reading, duplicate_keys
from flows.sources.files import q
from flows.sources.scan import KEY_PERFECT_HASH_BITS, DuckDBScan, Scan, configuration_locked


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
        assert scan.csv_stream is not None
        estimated = sum(estimated_lines(f) for f in scan.csv_stream.files)
        head = dataclasses.replace(head, estimated_rows=max(estimated, head.rows))
        hist = head.repeating
        key = list(plan.duplicates.columns) if plan.duplicates else []
        listed = bool(key) and key_list_fits(scan, head, key, self.key_list_max_bytes)
        # The pass's aggregates, named: each metric's terms, examples, the head's counts.
        exprs: dict[tuple[Any, ...], str] = {}
        for fm in found:
            column = str(fm.column)
            if column in hist:
                for term, sql in repeating_terms(column, hist[column]).items():
                    exprs[(fm.name, term)] = sql
                continue
            # Distinct values are not counted (a lone key's come from its grouping): the head
            # proves how many there are at least.
            metrics: list[Metric | None] = [fm.nulls, fm.extent, fm.empties]
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
                measured.fields[fm.name] = figures = self.figures(scan, fm, values)
                if head.rows == scan.rows and column in head.seen:
                    figures.distinct = head.seen[column]  # the head was the whole file
                else:
                    figures.at_least = at_least(head, column, figures)
        if key:
            measured.duplicates = grouped_keys(
                scan, table, key, position[("key_list",)] if listed else None
            )
            if len(key) == 1:
                # The key's distinct values are counted by its grouping (exact).
                duplicates = measured.duplicates[0]
                for fm in found:
                    figures = measured.fields[fm.name]
                    if fm.column == key[0] and fm.column not in hist:
                        figures.distinct = scan.rows - duplicates - (1 if figures.nulls else 0)
                        figures.at_least = None
        if plan.recency:
            n = len(plan.recency.terms(scan))
            measured.freshness = plan.recency.read([values[(plan.recency, i)] for i in range(n)])
        return measured

    def figures(self, scan: Scan, fm: FieldMetrics, values: dict[Any, Any]) -> FieldFigures:
        """A field's figures from the pass's values (examples kept by the pass)."""
        assert fm.nulls is not None and fm.extent is not None
        counts = {v.kind: int(values[(v, 0)]) for v in fm.violations}
        return FieldFigures(
            nulls=int(values[(fm.nulls, 0)]),
            low=values[(fm.extent, 0)],
            high=values[(fm.extent, 1)],
            empty=int(values[(fm.empties, 0)]) if fm.empties else 0,
            distinct=None,
            counts=counts,
            examples={
                v.kind: kept_examples(values[(v, "examples")])
                for v in fm.violations
                if counts[v.kind]
            },
        )
