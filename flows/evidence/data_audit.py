"""Data samples (gap 1): measure each production dataset against its field map, in DuckDB.

The dataset is never loaded into pandas: DuckDB scans the file(s) and one aggregate query,
generated from the field map, measures every field at once; a few small bounded queries add
examples, duplicate keys, rules, relationships and the POC comparison.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from typing import Any

import duckdb

from flows.config import DatasetEvidence, FieldMap, FieldSpec, LoadedProject, fingerprint_file
from flows.errors import EvidenceError
from flows.evidence import Context, Evidence

KIND = "dataset"
CAST = {
    "string": "varchar",
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}
EXAMPLES = 5


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: Any) -> str:
    """A SQL string literal (for values written in configuration, not user rows)."""
    return "'" + str(value).replace("'", "''") + "'"


def source_files(path: Path) -> list[Path]:
    """The files of a dataset: one file, every file of a folder, or a glob."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if any(ch in str(path) for ch in "*?["):
        return sorted(Path(p) for p in glob(str(path)) if Path(p).is_file())
    return [path] if path.is_file() else []


def file_format(path: Path, declared: str | None) -> str:
    """The format of a file, declared or from its extension."""
    if declared:
        return declared
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".gzip")]
    ext = suffixes[-1] if suffixes else ""
    return {
        ".csv": "csv",
        ".tsv": "csv",
        ".txt": "csv",
        ".parquet": "parquet",
        ".json": "json",
        ".ndjson": "ndjson",
        ".jsonl": "ndjson",
        ".xlsx": "excel",
    }.get(ext, "csv")


def excel_to_parquet(path: Path, folder: Path) -> Path:
    """Stream an Excel sheet into a Parquet file (DuckDB's excel extension is not available)."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise EvidenceError(path, "the workbook's first sheet is empty")
    names = [str(h) if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    target = folder / (path.stem + ".parquet")
    writer = None
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        nonlocal writer
        columns = (
            {
                n: [None if v is None else str(v) for v in col]
                for n, col in zip(names, zip(*batch, strict=False), strict=False)
            }
            if batch
            else {n: [] for n in names}
        )
        table = pa.table({n: pa.array(columns.get(n, []), type=pa.string()) for n in names})
        if writer is None:
            writer = pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
        batch.clear()

    for row in rows:
        batch.append(tuple(row) + (None,) * (len(names) - len(row)))
        if len(batch) >= 50_000:
            flush()
    flush()
    if writer is not None:
        writer.close()
    book.close()
    return target


def scan_sql(files: list[Path], fmt: str, scratch: Path, encoding: str | None = None) -> str:
    """A DuckDB table function reading the files."""
    if fmt == "excel":
        files = [excel_to_parquet(f, scratch) for f in files]
        fmt = "parquet"
    listing = "[" + ", ".join(lit(f) for f in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({listing}, union_by_name = true)"
    if fmt in ("json", "ndjson"):
        kind = "newline_delimited" if fmt == "ndjson" else "auto"
        return f"read_json_auto({listing}, format = {lit(kind)}, union_by_name = true)"
    options = "auto_detect = true, union_by_name = true, null_padding = true"
    if encoding:
        options += f", encoding = {lit(encoding)}"
    return f"read_csv({listing}, {options})"


def open_dataset(
    con: duckdb.DuckDBPyConnection, view: str, path: Path, fmt: str | None, scratch: Path
) -> int:
    """Create a view over the dataset's files; return its row count or raise EvidenceError."""
    files = source_files(path)
    if not files:
        raise EvidenceError(path, "file not found" if "*" not in str(path) else "no file matches")
    empty = [f for f in files if f.stat().st_size == 0]
    if empty:
        raise EvidenceError(empty[0], "the file is empty (0 bytes)")
    kind = file_format(files[0], fmt)
    last: Exception | None = None
    for encoding in (None, "latin-1") if kind == "csv" else (None,):
        try:
            con.execute(
                f"create or replace view {q(view)} as select * from {scan_sql(files, kind, scratch, encoding)}"
            )
            row = con.execute(f"select count(*) from {q(view)}").fetchone()
            return int(row[0]) if row else 0
        except duckdb.Error as exc:
            last = exc
    message = str(last).splitlines()[0] if last else "unreadable"
    raise EvidenceError(path, f"cannot be read as {kind}: {message}")


def columns_of(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column name -> DuckDB type of a view."""
    return {r[0]: r[1] for r in con.execute(f"describe {q(view)}").fetchall()}


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


def violation_filters(column: str, spec: FieldSpec) -> dict[str, str]:
    """SQL conditions, per violation kind, under which a value of the field is invalid."""
    col = q(column)
    text = f"cast({col} as varchar)"
    filters: dict[str, str] = {}
    if spec.type != "string":
        filters["type_failures"] = (
            f"{col} is not null and try_cast({text} as {CAST[spec.type]}) is null"
        )
    if spec.allowed is not None:
        allowed = ", ".join(lit(str(v).lower() if isinstance(v, bool) else v) for v in spec.allowed)
        filters["not_allowed"] = f"{col} is not null and {text} not in ({allowed})"
    if spec.min is not None or spec.max is not None:
        number = f"try_cast({text} as double)"
        bounds = []
        if spec.min is not None:
            bounds.append(f"{number} < {spec.min!r}")
        if spec.max is not None:
            bounds.append(f"{number} > {spec.max!r}")
        filters["out_of_range"] = f"({' or '.join(bounds)})"
    if spec.pattern is not None:
        filters["pattern_failures"] = (
            f"{col} is not null and not regexp_full_match({text}, {lit(spec.pattern)})"
        )
    return filters


def measure_fields(
    con: duckdb.DuckDBPyConnection,
    view: str,
    field_map: FieldMap,
    columns: dict[str, str],
    rows: int,
) -> list[dict[str, Any]]:
    """Per field counts in one aggregate pass, plus bounded examples and top values."""
    found = {name: locate(name, spec, columns) for name, spec in field_map.fields.items()}
    selects: list[str] = []
    for name, spec in field_map.fields.items():
        column = found[name]
        if column is None:
            continue
        col = q(column)
        selects += [
            f"count(*) filter (where {col} is null)",
            f"count(*) filter (where trim(cast({col} as varchar)) = '')",
            f"approx_count_distinct({col})" if rows > 1_000_000 else f"count(distinct {col})",
            f"cast(min({col}) as varchar)",
            f"cast(max({col}) as varchar)",
        ]
        selects += [
            f"count(*) filter (where {cond})" for cond in violation_filters(column, spec).values()
        ]
    values = (
        list(con.execute(f"select {', '.join(selects)} from {q(view)}").fetchone() or [])
        if selects
        else []
    )
    out: list[dict[str, Any]] = []
    for name, spec in field_map.fields.items():
        column = found[name]
        row: dict[str, Any] = {
            "dataset": None,
            "field": name,
            "declared_type": spec.type,
            "required": spec.required,
            "present": column is not None,
            "found_as": column,
            "observed_type": columns.get(column) if column else None,
        }
        if column is None:
            out.append(row)
            continue
        nulls, empty, distinct, low, high = values[:5]
        values = values[5:]
        filters = violation_filters(column, spec)
        counts = dict(zip(filters, values[: len(filters)], strict=True))
        values = values[len(filters) :]
        examples = {
            kind: [
                r[0]
                for r in con.execute(
                    f"select distinct cast({q(column)} as varchar) from {q(view)} where {cond} limit {EXAMPLES}"
                ).fetchall()
            ]
            for kind, cond in filters.items()
            if counts[kind]
        }
        top = con.execute(
            f"select cast({q(column)} as varchar) as v, count(*) as n from {q(view)} "
            f"where {q(column)} is not null group by 1 order by n desc, v limit 5"
        ).fetchall()
        row.update(
            row_count=rows,
            null_count=nulls,
            empty_count=empty,
            distinct_count=distinct,
            distinct_is_exact=rows <= 1_000_000,
            type_failures=counts.get("type_failures", 0),
            not_allowed=counts.get("not_allowed", 0),
            out_of_range=counts.get("out_of_range", 0),
            pattern_failures=counts.get("pattern_failures", 0),
            min_value=low,
            max_value=high,
            top_values=json.dumps([{"value": v, "count": n} for v, n in top]),
            examples=json.dumps(examples) if examples else None,
        )
        out.append(row)
    return out


def measure_dataset(
    con: duckdb.DuckDBPyConnection,
    view: str,
    dataset: DatasetEvidence,
    columns: dict[str, str],
    rows: int,
    as_of: datetime,
) -> dict[str, Any]:
    """Duplicate keys, freshness and missing fields of one dataset."""
    fm = dataset.field_map
    key = [locate(k, fm.fields[k], columns) for k in fm.key]
    duplicates = None
    if key and all(key):
        tuple_sql = ", ".join(q(k) for k in key if k)
        distinct = con.execute(
            f"select count(*) from (select distinct {tuple_sql} from {q(view)})"
        ).fetchone()
        duplicates = rows - int(distinct[0]) if distinct else None
    newest = age = stale = None
    if fm.timestamp:
        column = locate(fm.timestamp, fm.fields[fm.timestamp], columns)
        if column:
            ts = f"try_cast(cast({q(column)} as varchar) as timestamptz)"
            result = con.execute(f"select max({ts}) from {q(view)}").fetchone()
            if result and result[0] is not None:
                newest = result[0].astimezone(UTC)
                age = (as_of - newest).total_seconds()
                if fm.max_age_seconds:
                    cutoff = as_of.timestamp() - fm.max_age_seconds
                    count = con.execute(
                        f"select count(*) from {q(view)} where epoch({ts}) < ?", [cutoff]
                    ).fetchone()
                    stale = int(count[0]) if count else None
    required = [n for n, s in fm.fields.items() if s.required]
    missing = [n for n in required if locate(n, fm.fields[n], columns) is None]
    return {
        "dataset": dataset.name,
        "readable": True,
        "error": None,
        "row_count": rows,
        "key_columns": ",".join(k for k in key if k) or None,
        "duplicate_key_rows": duplicates,
        "timestamp_column": fm.timestamp,
        "newest_timestamp": newest,
        "age_seconds": age,
        "max_age_seconds": fm.max_age_seconds,
        "stale_rows": stale,
        "fields_required": len(required),
        "fields_missing": len(missing),
        "examples": json.dumps({"missing_fields": missing}) if missing else None,
    }


def measure_rules(
    con: duckdb.DuckDBPyConnection,
    evidence: Evidence,
    view: str,
    dataset: DatasetEvidence,
    source: Path,
    rows: int,
) -> list[dict[str, Any]]:
    """Cross-field rules: rows where the expression is false (NULL passes, as in a SQL CHECK)."""
    out = []
    for rule in dataset.field_map.rules:
        condition = f"not coalesce(({rule.expression}), true)"
        try:
            count = con.execute(f"select count(*) from {q(view)} where {condition}").fetchone()
            sample = con.execute(f"select * from {q(view)} where {condition} limit 3").fetchall()
            names = [d[0] for d in con.description or []]
        except duckdb.Error as exc:
            evidence.reject(
                KIND,
                source,
                f"rule {rule.name}: cannot evaluate {rule.expression!r}: {str(exc).splitlines()[0]}",
                column=rule.name,
            )
            continue
        out.append(
            {
                "dataset": dataset.name,
                "rule": rule.name,
                "kind": "rule",
                "rows_checked": rows,
                "violations": int(count[0]) if count else 0,
                "examples": json.dumps(
                    [
                        {n: None if v is None else str(v) for n, v in zip(names, r, strict=True)}
                        for r in sample
                    ]
                )
                if sample
                else None,
            }
        )
    return out


def measure_relationships(
    con: duckdb.DuckDBPyConnection,
    evidence: Evidence,
    dataset: DatasetEvidence,
    views: dict[str, tuple[str, dict[str, str]]],
    source: Path,
) -> list[dict[str, Any]]:
    """Orphans: values of a field missing from the related dataset's field."""
    out: list[dict[str, Any]] = []
    if dataset.name not in views:
        return out
    view, columns = views[dataset.name]
    for rel in dataset.field_map.relationships:
        if rel.dataset not in views:
            continue  # the related dataset is unreadable: no evidence for this relationship
        other, other_columns = views[rel.dataset]
        mine = locate(rel.field, dataset.field_map.fields.get(rel.field, FieldSpec()), columns)
        theirs = rel.to_field if rel.to_field in other_columns else None
        if mine is None or theirs is None:
            evidence.reject(
                KIND,
                source,
                f"relationship {rel.field} -> {rel.dataset}.{rel.to_field}: a field is missing",
                column=rel.field,
            )
            continue
        orphan = (
            f"from {q(view)} as a where a.{q(mine)} is not null and not exists "
            f"(select 1 from {q(other)} as b where cast(b.{q(theirs)} as varchar) = cast(a.{q(mine)} as varchar))"
        )
        checked = con.execute(
            f"select count(*) from {q(view)} where {q(mine)} is not null"
        ).fetchone()
        count = con.execute(f"select count(*) {orphan}").fetchone()
        sample = con.execute(
            f"select distinct cast(a.{q(mine)} as varchar) {orphan} limit {EXAMPLES}"
        ).fetchall()
        out.append(
            {
                "dataset": dataset.name,
                "rule": f"{rel.field} -> {rel.dataset}.{rel.to_field}",
                "kind": "relationship",
                "rows_checked": int(checked[0]) if checked else 0,
                "violations": int(count[0]) if count else 0,
                "examples": json.dumps([r[0] for r in sample]) if sample else None,
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


def measure_drift(
    con: duckdb.DuckDBPyConnection,
    prod: str,
    poc: str,
    dataset: DatasetEvidence,
    prod_columns: dict[str, str],
    poc_columns: dict[str, str],
) -> list[dict[str, Any]]:
    """Per field: null rates, categories production has that the POC never saw, and PSI."""
    out = []
    for name, spec in dataset.field_map.fields.items():
        a = locate(name, spec, prod_columns)
        b = locate(name, spec, poc_columns)
        if a is None or b is None:
            continue
        rates = []
        for view, column in ((poc, b), (prod, a)):
            r = con.execute(
                f"select count(*) filter (where {q(column)} is null) * 1.0 / greatest(count(*), 1) from {q(view)}"
            ).fetchone()
            rates.append(float(r[0]) if r else None)
        row: dict[str, Any] = {
            "dataset": dataset.name,
            "field": name,
            "poc_null_rate": rates[0],
            "prod_null_rate": rates[1],
            "unseen_categories": None,
            "unseen_examples": None,
            "psi": None,
        }
        numeric = spec.type in ("integer", "number") and spec.allowed is None
        if numeric:
            edges = con.execute(
                f"select quantile_cont(try_cast({q(b)} as double), [0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]) from {q(poc)}"
            ).fetchone()
            cuts = sorted(set(edges[0])) if edges and edges[0] else []
            if cuts:

                def shares(view: str, column: str, cuts: list[float] = cuts) -> list[float]:
                    bucket = " + ".join(
                        f"case when try_cast({q(column)} as double) > {c!r} then 1 else 0 end"
                        for c in cuts
                    )
                    counts = dict(
                        con.execute(
                            f"select {bucket} as b, count(*) from {q(view)} where try_cast({q(column)} as double) is not null group by 1"
                        ).fetchall()
                    )
                    total = sum(counts.values()) or 1
                    return [counts.get(i, 0) / total for i in range(len(cuts) + 1)]

                row["psi"] = psi(shares(poc, b), shares(prod, a))
        elif spec.allowed is not None or spec.type == "boolean":
            # Categories only where the field map declares them: PSI over free text or ids is noise.
            poc_values = dict(
                con.execute(
                    f"select cast({q(b)} as varchar), count(*) from {q(poc)} where {q(b)} is not null group by 1"
                ).fetchall()
            )
            if 0 < len(poc_values) <= 50:
                prod_values = dict(
                    con.execute(
                        f"select cast({q(a)} as varchar), count(*) from {q(prod)} where {q(a)} is not null group by 1"
                    ).fetchall()
                )
                unseen = sorted(set(prod_values) - set(poc_values))
                row["unseen_categories"] = len(unseen)
                row["unseen_examples"] = json.dumps(unseen[:EXAMPLES]) if unseen else None
                keys = sorted(set(poc_values) | set(prod_values))
                pt, at = sum(poc_values.values()) or 1, sum(prod_values.values()) or 1
                row["psi"] = psi(
                    [poc_values.get(k, 0) / pt for k in keys],
                    [prod_values.get(k, 0) / at for k in keys],
                )
        out.append(row)
    return out


def dataset_fingerprint(path: Path) -> str | None:
    """The content hash of a dataset: of its file, or of its files' hashes."""
    files = source_files(path)
    if len(files) == 1:
        return fingerprint_file(files[0])
    if not files:
        return None
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.name}:{fingerprint_file(f)}\n".encode())
    return digest.hexdigest()


def collect_datasets(context: Context, project: LoadedProject) -> Evidence:
    """Audit every dataset of a project; an unreadable one is recorded and the others go on."""
    evidence = Evidence()
    datasets = project.project.evidence.datasets
    if not datasets:
        return evidence
    con = duckdb.connect()
    views: dict[str, tuple[str, dict[str, str]]] = {}
    sources: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="readiness-audit-") as scratch:
        for index, dataset in enumerate(datasets):
            path = project.resolve(dataset.source)
            sources[dataset.name] = path
            view = f"d{index}"
            try:
                rows = open_dataset(con, view, path, dataset.format, Path(scratch))
            except EvidenceError as exc:
                evidence.record_unreadable(KIND, dataset.name, path, exc.reason)
                evidence.add(
                    "raw_dataset_profiles",
                    {
                        "dataset": dataset.name,
                        "source": str(path),
                        "readable": False,
                        "error": exc.reason,
                    },
                )
                continue
            columns = columns_of(con, view)
            views[dataset.name] = (view, columns)
            profile = measure_dataset(con, view, dataset, columns, rows, context.as_of)
            evidence.add("raw_dataset_profiles", {**profile, "source": str(path)})
            fields = measure_fields(con, view, dataset.field_map, columns, rows)
            evidence.add("raw_field_profiles", [{**f, "dataset": dataset.name} for f in fields])
            evidence.add(
                "raw_dataset_rules", measure_rules(con, evidence, view, dataset, path, rows)
            )
            evidence.record_input(
                KIND,
                dataset.name,
                path,
                fingerprint=dataset_fingerprint(path),
                rows_read=rows,
                rows_rejected=0,
                newest_record_at=profile["newest_timestamp"],
            )
            if dataset.poc_sample:
                poc_path = project.resolve(dataset.poc_sample)
                name = f"{dataset.name} (poc sample)"
                try:
                    poc_rows = open_dataset(
                        con, f"{view}_poc", poc_path, dataset.format, Path(scratch)
                    )
                except EvidenceError as exc:
                    evidence.record_unreadable(KIND, name, poc_path, exc.reason)
                    continue
                evidence.record_input(
                    KIND,
                    name,
                    poc_path,
                    fingerprint=dataset_fingerprint(poc_path),
                    rows_read=poc_rows,
                )
                evidence.add(
                    "raw_poc_drift",
                    measure_drift(
                        con, view, f"{view}_poc", dataset, columns, columns_of(con, f"{view}_poc")
                    ),
                )
        for dataset in datasets:
            evidence.add(
                "raw_dataset_rules",
                measure_relationships(con, evidence, dataset, views, sources[dataset.name]),
            )
    con.close()
    return evidence
