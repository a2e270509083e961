"""A dataset opened for measurement: DuckDB's relations, and opening any source.

The audit (:mod:`flows.evidence.data_audit`) generates its SQL once, through the small set of
expressions a :class:`~flows.sources.dialect.Scan` provides, so that the same measurement runs in
DuckDB (files and S3 objects, scanned where they are) and is pushed down to PostgreSQL (where the
data lives). Only counts, bounded examples and a few distinct values come back to Python.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from core.errors import EvidenceError, first_line
from flows import duckdb_budget
from flows.sources import CsvOptions, SourceRef
from flows.sources.dialect import COUNTED_DISTINCT_ROWS, Scan, compatible, family
from flows.sources.files import (
    CsvStream,
    check_rows,
    collect_rejects,
    lit,
    open_files,
    q,
    source_files,
)

#: Re-exported: the dialect's names, as they were imported from here before.
__all__ = [
    "COUNTED_DISTINCT_ROWS", "KEY_PERFECT_HASH_BITS", "DuckDBScan", "Scan", "audit_connection",
    "compatible", "configuration_locked", "family", "lit", "local_files", "open_scan", "q",
    "unreadable",
]  # fmt: skip


@dataclass
class DuckDBScan(Scan):
    """A relation on a DuckDB connection (files and S3 objects, read where they are)."""

    con: duckdb.DuckDBPyConnection | None = None
    #: The Parquet files behind the relation, whose statistics may answer nulls, min and max.
    parquet_files: list[Path] = field(default_factory=list)
    #: A large CSV file read where it is; None once copied into a table (or for other sources).
    csv_stream: CsvStream | None = None

    def _con(self) -> duckdb.DuckDBPyConnection:
        assert self.con is not None
        return self.con

    @property
    def single_pass(self) -> bool:
        """Whether the dataset is a large CSV file measured in one pass where it is."""
        return self.csv_stream is not None

    def rescan(self, statement: str) -> None:
        """Run a statement reading the CSV file with refused rows stored, and collect them.

        The statement names the reader as ``{reader}``. A file that is not UTF-8 is read again as
        latin-1 (as a table read is), and the view over it is switched too.
        """
        assert self.csv_stream is not None
        con, stream = self._con(), self.csv_stream
        while True:
            con.execute(f"drop table if exists {q(stream.rejects)}")
            con.execute(f"drop table if exists {q(stream.scans)}")
            try:
                con.execute(statement.replace("{reader}", stream.reader(store_rejects=True)))
            except duckdb.Error as exc:
                raise EvidenceError(
                    self.display, f"cannot be read as CSV: {first_line(exc)}"
                ) from exc
            self.rejected, self.rejects = collect_rejects(
                con, stream.rejects, stream.scans, stream.renamed
            )
            if not stream.retry_encoding(self.rejects):
                return
            stream.pin(con)
            con.execute(
                f"create or replace view {self.relation} as select * from {stream.reader()}"
            )
            columns = {r[0]: r[1] for r in con.execute(f"describe {self.relation}").fetchall()}
            if columns != self.columns:
                # The header itself reads differently in latin-1: the measurement planned on
                # the UTF-8 reading names other columns.
                raise EvidenceError(
                    self.display,
                    "is not UTF-8 text and its header differs in latin-1: declare its encoding "
                    "(encoding: latin-1)",
                )

    def read_again(self, statement: str) -> None:
        """Run a statement naming the dataset as ``{reader}``.

        A large CSV file is read again where it is (refused rows collected: :meth:`rescan`);
        any other dataset is its relation.
        """
        if self.csv_stream is not None:
            self.rescan(statement)
        else:
            self._con().execute(statement.replace("{reader}", self.relation))

    def head(self, columns: list[str], rows: int) -> str:
        """A query of ``columns`` of the dataset's first ``rows`` rows: the same on every run.

        A large CSV file's first lines, read in order by one thread; otherwise the relation's
        first rows (:meth:`~flows.sources.dialect.Scan.sample_order`).
        """
        if self.csv_stream is not None:
            listing = ", ".join(q(c) for c in columns) or "1 as one"
            return f"select {listing} from {self.csv_stream.reader(in_order=True)} limit {rows}"
        return super().head(columns, rows)

    def first_pass(self, exprs: list[str], table: str, stay: Container[int] = ()) -> list[Any]:
        """The one pass over a large CSV file: the aggregates into ``table`` (column e<i> each).

        It also counts the rows and stores the refused ones. The table keeps values that stay in
        DuckDB (counts of values, listed keys) for the queries that derive measurements from them;
        those at the positions in ``stay`` (a list of every key, say) are not fetched (None).
        """
        self.pass_into(table, ["count(*)", *exprs])
        fetched = ", ".join(
            ["e0", *("null" if i in stay else f"e{i + 1}" for i in range(len(exprs)))]
        )
        row = self._con().execute(f"select {fetched} from {q(table)}").fetchone() or ()
        self.rows = int(row[0])
        check_rows(self.rows, self.rejected, self.rejects, list(self.columns), self.display)
        return list(row[1:])

    def pass_into(self, table: str, exprs: list[str]) -> None:
        """Read the dataset into ``table``: one row of aggregates, column e<i> each."""
        selects = ", ".join(f"{e} as e{i}" for i, e in enumerate(exprs))
        self.read_again(
            f"create or replace temp table {q(table)} as select {selects} from {{reader}}"
        )

    def materialize(self) -> None:
        """Copy a large CSV file into a table, for the measurements the one pass does not make.

        Made only when needed (rules, the POC comparison, relationships, a fallback); the rows
        are the ones the pass read (the same reader skips the same refused rows).
        """
        if self.csv_stream is None:
            return
        table = q(self.relation.strip(chr(34)) + "_rows")
        if self.rows < 0:  # nothing read yet: read it as a table read would, rejects kept
            self.rescan(f"create or replace temp table {table} as select * from {{reader}}")
            counted = self._con().execute(f"select count(*) from {table}").fetchone()
            self.rows = int(counted[0]) if counted else 0
            check_rows(self.rows, self.rejected, self.rejects, list(self.columns), self.display)
        else:
            reader = self.csv_stream.reader()
            self._con().execute(f"create or replace temp table {table} as select * from {reader}")
        self.relation, self.csv_stream = table, None

    def statistics(self) -> dict[str, tuple[int, str | None, str | None]]:
        """Nulls, min and max from Parquet statistics, for columns every row group answers exactly.

        A column qualifies only when every row group of every file has exact statistics for it
        (no truncated min/max, no NaN, a null count) and they cover every row; anything else is
        measured by the scan.
        """
        if not self.parquet_files:
            return {}
        listing = "[" + ", ".join(lit(f) for f in self.parquet_files) + "]"
        con = self._con()
        meta = f"{self.relation.strip(chr(34))}_parquet_meta"
        con.execute(
            f"create or replace temp table {q(meta)} as select path_in_schema as name, "
            "file_name, row_group_id, row_group_num_rows as rows_in_group, stats_null_count, "
            "stats_min_value, stats_max_value, min_is_exact, max_is_exact, stats_nan_count "
            f"from parquet_metadata({listing})"
        )
        groups = con.execute(
            f"select count(*) from (select distinct file_name, row_group_id from {q(meta)})"
        ).fetchone()
        candidates = con.execute(
            f"select name from {q(meta)} group by name having count(*) = ? "
            "and sum(rows_in_group) = ? and bool_and(stats_null_count is not null "
            "and coalesce(min_is_exact, false) and coalesce(max_is_exact, false) "
            "and coalesce(stats_nan_count, 0) = 0 "
            "and (stats_min_value is not null or stats_null_count = rows_in_group))",
            [groups[0] if groups else -1, self.rows],
        ).fetchall()
        usable = [
            c
            for (c,) in candidates
            if c in self.columns
            and family(self.columns[c]) != "other"
            and not self.columns[c].upper().startswith(("DECIMAL", "TIMESTAMP WITH"))
        ]
        out: dict[str, tuple[int, str | None, str | None]] = {}
        if not usable:
            return out
        # One statement for every column (each in its own type): a query per column cost more
        # in round trips than the footer's few rows.
        selects = [
            f"select {i} as i, sum(stats_null_count), "
            f"cast(min(try_cast(stats_min_value as {kind})) as varchar), "
            f"cast(max(try_cast(stats_max_value as {kind})) as varchar), "
            f"count(*) filter (where stats_min_value is not null "
            f"and (try_cast(stats_min_value as {kind}) is null "
            f"or try_cast(stats_max_value as {kind}) is null)) "
            f"from {q(meta)} where name = {lit(column)}"
            for i, (column, kind) in enumerate((c, self.columns[c]) for c in usable)
        ]
        for i, nulls, low, high, unparsed in con.execute(" union all ".join(selects)).fetchall():
            if unparsed == 0:
                out[usable[i]] = (int(nulls), low, high)
        return out

    def small_dictionaries(self, max_bytes: int) -> set[str]:
        """The Parquet files' columns of few distinct values: small dictionaries in every chunk.

        Every column chunk is dictionary-encoded, its dictionary page at most ``max_bytes``
        (compressed).

        Read from the footers, not the data. A screen, not a count: a writer stores each chunk's
        distinct values once in its dictionary page (DuckDB, Arrow and Spark by default) and
        falls back to plain pages when they are too many; a column that passes is counted value
        by value, exactly, whatever it turns out to hold.
        """
        if not self.parquet_files:
            return set()
        listing = "[" + ", ".join(lit(f) for f in self.parquet_files) + "]"
        rows = (
            self._con()
            .execute(
                f"select path_in_schema from parquet_metadata({listing}) group by path_in_schema "
                f"having bool_and(dictionary_page_offset is not null "
                f"and data_page_offset - dictionary_page_offset <= {int(max_bytes)})"
            )
            .fetchall()
        )
        return {str(r[0]) for r in rows} & set(self.columns)

    def narrow(self, columns: Container[str]) -> None:
        """Read only ``columns`` of the Parquet files; every other column is NULL of its type.

        For a Parquet object on S3 read in ranges, whose local copy lacks the other columns' bytes:
        DuckDB's plan of some queries (a correlated ``not exists``) reads every column of a view,
        used or not. The relation keeps its columns, types and rows.
        """
        listing = "[" + ", ".join(lit(f) for f in self.parquet_files) + "]"
        selects = ", ".join(
            q(c) if c in columns else f"cast(null as {kind}) as {q(c)}"
            for c, kind in self.columns.items()
        )
        self._con().execute(
            f"create or replace view {self.relation} as select {selects} "
            f"from read_parquet({listing}, union_by_name = true)"
        )

    def top_values(self, columns: list[str], k: int) -> dict[str, list[tuple[str, int]]]:
        """Most frequent values of low-cardinality columns, all in one pass (histograms)."""
        if not columns:
            return {}
        hist = ", ".join(self._histogram(c) for c in columns)
        row = self._con().execute(f"select {hist} from {self.relation}").fetchone() or ()
        out = {}
        for column, counts in zip(columns, row, strict=True):
            pairs = [(e["v"], e["n"]) for e in counts or []]
            ranked = sorted(pairs, key=lambda item: (-item[1], item[0]))
            out[column] = [(str(v), int(n)) for v, n in ranked[:k]]
        return out

    def _histogram(self, column: str) -> str:
        """A column's values as text with their rows: ``[{v, n}, ...]`` (NULLs left out).

        Integers, booleans and strings are counted as they are and only the (few) distinct values
        are cast to text: casting every row cost more than counting it. Other types are cast
        first, so that values equal as numbers but not as text (``0.0`` and ``-0.0``) stay apart.
        """
        if self.family_of(column) in ("integer", "boolean", "string"):
            return (
                f"list_transform(map_entries(histogram({q(column)})), "
                "lambda e: struct_pack(v := cast(e.key as varchar), n := e.value))"
            )
        return (
            f"list_transform(map_entries(histogram(cast({q(column)} as varchar))), "
            "lambda e: struct_pack(v := e.key, n := e.value))"
        )

    def one(self, sql: str) -> tuple[Any, ...] | None:
        """The first row of a query."""
        return self._con().execute(sql).fetchone()

    def all(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of a (bounded) query."""
        return self._con().execute(sql).fetchall()

    def described(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a (bounded) query."""
        cursor = self._con().execute(sql)
        rows = cursor.fetchall()
        return [d[0] for d in cursor.description or []], rows

    def stream(self, sql: str, batch: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query, batch by batch."""
        cursor = self._con().execute(sql)
        while chunk := cursor.fetchmany(batch):
            yield chunk


#: Bits of the key range up to which DuckDB groups integer keys with its perfect hash aggregate
#: (an array indexed by value) when a large CSV file's keys are grouped (its default is 12).
KEY_PERFECT_HASH_BITS = 24


def audit_connection(
    scratch: Path,
    allowed: Iterable[Path] | None = None,
    *,
    large_keys: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for one audit: UTC, and spilling to scratch rather than failing.

    With ``allowed`` (the files the project names), the connection reads those files and the
    scratch folder, and nothing else: external access is off (no other file, no COPY, ATTACH,
    extension or URL), and the configuration is locked, so that no statement can change that.
    ``large_keys``: a large CSV file's keys will be grouped (the perfect hash aggregate is
    widened for them, before the lock).
    """
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    duckdb_budget.apply(con, scratch)  # its part of the memory budget; spills to scratch
    if allowed is None:
        return con
    if large_keys:
        con.execute(
            f"set perfect_ht_threshold = {duckdb_budget.perfect_hash_bits(KEY_PERFECT_HASH_BITS)}"
        )
    folders = sorted({str(f).rstrip("/") + "/" for f in (scratch, scratch.resolve())})
    con.execute("set allowed_directories = ?", [folders])
    con.execute("set allowed_paths = ?", [sorted({str(p) for p in allowed})])
    con.execute("set autoinstall_known_extensions = false")
    con.execute("set autoload_known_extensions = false")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def configuration_locked(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a connection's settings are locked (an audit connection limited to its files)."""
    row = con.execute("select current_setting('lock_configuration')").fetchone()
    return bool(row and row[0])


def local_files(ref: SourceRef) -> list[Path]:
    """The local files DuckDB reads for a source (S3 objects are downloaded first; none for PostgreSQL)."""
    if ref.kind == "postgres":
        return []
    if ref.kind == "s3":
        from flows.sources.s3 import fetch

        return fetch(ref.location).files
    return source_files(Path(ref.location))


def open_scan(
    con: duckdb.DuckDBPyConnection,
    name: str,
    ref: SourceRef,
    scratch: Path,
    fmt: str | None = None,
    csv: CsvOptions | None = None,
    files: list[Path] | None = None,
) -> Scan:
    """Open a source for measurement (files and S3 in DuckDB, PostgreSQL where it is).

    ``files``: the source's local files, when :func:`local_files` gave them already.
    """
    if ref.kind == "postgres":
        from flows.sources.postgres import open_postgres

        return open_postgres(ref)
    if files is None:
        files = local_files(ref)
    opened = open_files(con, name, files, ref.display, fmt, scratch, csv)
    columns = {r[0]: r[1] for r in con.execute(f"describe {opened.relation}").fetchall()}
    return DuckDBScan(
        relation=opened.relation,
        display=ref.display,
        columns=columns,
        rows=opened.rows,
        rejects=opened.rejects,
        rejected=opened.rejected,
        fingerprint_files=files,
        con=con,
        parquet_files=opened.files if opened.kind == "parquet" else [],
        csv_stream=opened.stream,
    )


def unreadable(ref: SourceRef, exc: Exception) -> EvidenceError:
    """An EvidenceError naming the source, with any password scrubbed from the message."""
    if isinstance(exc, EvidenceError):
        return EvidenceError(ref.scrub(exc.source), ref.scrub(exc.reason))
    return EvidenceError(ref.display, ref.scrub(first_line(exc)))
