"""Cross-field rules and relationships between datasets, measured where the data is.

A rule is a SQL condition the field map declares (rendered from its parsed expression by
:mod:`flows.sql_guard`, never pasted as written); a relationship counts the values of a field
missing from a related dataset's field. Only where the two datasets live on different engines do
values move, batch by batch, into DuckDB.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from core.errors import EvidenceError, first_line
from flows.config import DatasetEvidence, FieldMap, FieldSpec
from flows.evidence import Evidence
from flows.evidence.audit.metrics import EXAMPLES, KIND, locate
from flows.evidence.audit.profiles import masked, masked_row, scrubbed
from flows.privacy import redact
from flows.sources.files import q
from flows.sources.scan import DuckDBScan, Scan


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
            # The first three such rows: the same on every run (Scan.sample_order).
            order = scan.sample_order(list(scan.columns))
            names, sample = scan.described(
                f"select * from {scan.relation} where {condition}{order} limit 3"
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
                    else [scrubbed(r[0]) for r in sample]
                )
                if sample
                else None,
            }
        )
    return out
