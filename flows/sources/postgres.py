"""PostgreSQL tables and queries, measured where they live.

The audit's SQL is pushed down: counts, nulls, distinct values, min/max, allowed values, ranges,
patterns (``~``), duplicate keys and freshness are computed by PostgreSQL and only the numbers come
back. Where rows must move (values compared with another dataset), they are read in batches
through a server-side cursor, never the whole result at once. The session is read-only, in UTC.
The password of the URL (or ``PGPASSWORD``, ``~/.pgpass``, as libpq reads them) is never shown:
errors go through :meth:`~flows.sources.SourceRef.scrub`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg

from core.errors import EvidenceError, first_line
from core.secrets import MissingSecretError, expand
from core.settings import get_settings
from flows import sql_guard
from flows.sources import SourceRef
from flows.sources.dialect import Scan, compatible
from flows.sources.files import lit, q

#: What a text value must look like to be cast to a type (PostgreSQL 15 has no try_cast).
TEXT_FORMS = {
    "integer": r"^\s*[+-]?[0-9]+\s*$",
    "number": r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$",
    # Compared with the lowercased text: PostgreSQL has no inline (?i:...) group.
    "boolean": r"^\s*(true|false|t|f|yes|no|y|n|1|0)\s*$",  # as DuckDB casts (no on/off)
    "date": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$",
    "timestamp": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
    r"\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$",
}
CASTS = {
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}


def relation_sql(ref: SourceRef) -> str:
    """The FROM item of a source: a (schema-qualified) table, or the query as a subquery.

    The query is one SELECT, rendered from its parsed tree (:func:`flows.sql_guard.check_query`).
    """
    try:
        if ref.table:
            parts = ref.table.split(".")
            return ".".join(q(sql_guard.check_name(part, "table name")) for part in parts)
        return f"({sql_guard.check_query(ref.query or '')}) as src"
    except sql_guard.RefusedSQL as exc:
        raise EvidenceError(ref.display, str(exc)) from None


@dataclass
class PostgresScan(Scan):
    """A table or query on a PostgreSQL connection; the measurement runs there."""

    con: psycopg.Connection[Any] | None = None
    ref: SourceRef | None = None

    def _run(self, sql: str) -> psycopg.Cursor[Any]:
        assert self.con is not None
        try:
            return self.con.execute(sql)  # generated SQL, no parameters
        except psycopg.Error as exc:
            self.con.rollback()
            raise EvidenceError(self.display, self._explain(exc)) from exc

    def _explain(self, exc: Exception) -> str:
        text = first_line(exc)
        return self.ref.scrub(text) if self.ref else text

    def one(self, sql: str) -> tuple[Any, ...] | None:
        """The first row of a query."""
        return self._run(sql).fetchone()

    def all(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of a (bounded) query."""
        return self._run(sql).fetchall()

    def described(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a (bounded) query."""
        cursor = self._run(sql)
        return [d.name for d in cursor.description or []], cursor.fetchall()

    def stream(self, sql: str, batch: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query in batches, through a server-side cursor."""
        assert self.con is not None
        name = f"readiness_{uuid.uuid4().hex[:12]}"
        try:
            with self.con.cursor(name=name) as cursor:
                cursor.itersize = batch
                cursor.execute(sql)
                while chunk := cursor.fetchmany(batch):
                    yield chunk
        except psycopg.Error as exc:
            self.con.rollback()
            raise EvidenceError(self.display, self._explain(exc)) from exc

    def close(self) -> None:
        """Close the connection."""
        if self.con is not None:
            self.con.close()

    # --- dialect -----------------------------------------------------------------------------
    def text(self, column: str) -> str:
        """A column as text."""
        return f"cast({q(column)} as text)"

    def invalid_as(self, column: str, declared: str) -> str | None:
        """Condition: present, but its text does not have the form of a ``declared`` value."""
        if compatible(declared, self.family_of(column)):
            return None
        return f"{q(column)} is not null and not ({self._form(column, declared)})"

    def _form(self, column: str, declared: str) -> str:
        """Condition: the column's text has the form of a ``declared`` value."""
        text = self.text(column)
        if declared == "boolean":
            text = f"lower({text})"
        return f"{text} ~ {lit(TEXT_FORMS[declared])}"

    def _cast_text(self, column: str, declared: str) -> str:
        return (
            f"(case when {self._form(column, declared)} "
            f"then cast({self.text(column)} as {CASTS[declared]}) end)"
        )

    def number(self, column: str) -> str:
        """A column as a double, NULL where it is not a number."""
        if self.family_of(column) in ("integer", "number"):
            return f"cast({q(column)} as double precision)"
        return self._cast_text(column, "number")

    def timestamp(self, column: str) -> str:
        """A column as timestamptz, NULL where it is not one."""
        if self.family_of(column) in ("timestamp", "date"):
            return f"cast({q(column)} as timestamptz)"
        return self._cast_text(column, "timestamp")

    def full_match(self, text: str, pattern: str) -> str:
        """Condition: the text matches the whole regular expression (PostgreSQL's ``~``)."""
        return f"({text} ~ {lit('^(?:' + pattern + ')$')})"

    def sample_order(self, columns: list[str]) -> str:
        """Rows ordered by the md5 of their values' text (it costs a sort of the rows sampled).

        PostgreSQL returns a table's rows in its storage order, which an update, a ``VACUUM
        FULL`` or a parallel or synchronized scan changes: the rows whose values hash lowest do
        not depend on it; rows of equal values tie, and are interchangeable.
        """
        if not columns:
            return ""
        return f" order by md5(cast(row({', '.join(q(c) for c in columns)}) as text))"

    def count_where(self, condition: str) -> str:
        """An aggregate counting the rows where a condition holds (PostgreSQL has no count_if)."""
        return f"count(*) filter (where {condition})"

    @property
    def counts_every_distinct(self) -> bool:
        """PostgreSQL counts every field's distinct values where the data is (exactly)."""
        return True

    def distinct(self, column: str) -> str:
        """An aggregate counting distinct values (other types through their text)."""
        if self.family_of(column) == "other":
            return f"count(distinct {self.text(column)})"
        return f"count(distinct {q(column)})"

    def min_max(self, column: str) -> tuple[str, str]:
        """Smallest and largest value as text (booleans and other types through text)."""
        kind = self.family_of(column)
        if kind == "boolean":
            return f"cast(bool_and({q(column)}) as text)", f"cast(bool_or({q(column)}) as text)"
        if kind == "other":
            return f"min({self.text(column)})", f"max({self.text(column)})"
        return f"cast(min({q(column)}) as text)", f"cast(max({q(column)}) as text)"

    def value_counts(self, column: str, limit: int) -> str:
        """A column's values as text with their rows (a scalar subquery; JSON pairs)."""
        return (
            f"(select json_agg(json_build_array(v, n) order by n desc, v) from "
            f"(select {self.text(column)} as v, count(*) as n from {self.relation} "
            f"where {q(column)} is not null group by 1 order by n desc, v limit {limit}) as s)"
        )

    def quantiles(self, expr: str, points: list[float]) -> str:
        """The quantiles of an expression, as an array."""
        listing = ", ".join(repr(p) for p in points)
        return f"percentile_cont(array[{listing}]) within group (order by {expr})"


#: URL parameters a project file's PostgreSQL source may set; any other (``host=``, ``passfile=``,
#: ``service=``, ``sslkey=``...) could make libpq use this machine's own credentials or files.
URL_PARAMETERS = frozenset(
    {"sslmode", "application_name", "connect_timeout", "target_session_attrs"}
)


def _refused_parameters(query: str) -> str | None:
    names = sorted({p.split("=", 1)[0].casefold() for p in query.split("&") if p} - URL_PARAMETERS)
    if names:
        allowed = ", ".join(sorted(URL_PARAMETERS))
        return f"no parameter but {allowed} (found: {', '.join(names)})"
    return None


def connect(ref: SourceRef) -> psycopg.Connection[Any]:
    """A read-only connection in UTC with a statement timeout, or an EvidenceError without the password.

    Every transaction is read-only (``BEGIN READ ONLY``, and the session's default too), and a
    query running longer than the ``source_statement_timeout`` setting is cancelled by the server.

    The URL may name its password (``${NAME}``, ``${secret:BLOCK}``) instead of holding it, so that
    project files carry no secret; it is resolved here, at the last moment.
    """
    try:
        url = expand(ref.location, get_settings().project_secrets())
    except MissingSecretError as exc:
        raise EvidenceError(ref.display, f"cannot connect: {exc}") from exc
    parts = urlsplit(url)
    refused = _refused_parameters(parts.query) or (
        "a host name or address (a local socket would sign in as this process's own user)"
        if not parts.hostname or parts.hostname.startswith("/") or "%2f" in parts.netloc.lower()
        else None
    )
    if refused:
        raise EvidenceError(ref.display, f"cannot connect: the URL needs {refused}")
    try:
        # Only the URL's own credentials: never PGPASSWORD, ~/.pgpass or another variable libpq
        # would otherwise add for a host the project file chose.
        con = psycopg.connect(
            url,
            connect_timeout=10,
            autocommit=False,
            password=unquote(parts.password or ""),
            passfile=os.devnull,
        )
    except psycopg.Error as exc:
        text = first_line(exc)
        password = urlsplit(url).password
        if password:
            text = text.replace(password, "***")
        raise EvidenceError(ref.display, f"cannot connect: {ref.scrub(text)}") from exc
    con.read_only = True
    timeout_ms = max(1, round(get_settings().source_statement_timeout * 1000))
    try:
        con.execute("set time zone 'UTC'")
        con.execute("set default_transaction_read_only = on")
        # Literals the audit writes double their quotes only: a backslash must stay a character.
        con.execute("set standard_conforming_strings = on")
        con.execute(f"set statement_timeout = {timeout_ms}")
        # Committed: session settings that a later failed query's rollback does not undo.
        con.commit()
    except psycopg.Error as exc:
        con.close()
        raise EvidenceError(
            ref.display, f"cannot set up the session: {ref.scrub(first_line(exc))}"
        ) from exc
    return con


def open_postgres(ref: SourceRef) -> PostgresScan:
    """Open a table or query: its columns and types, and its row count (counted by PostgreSQL)."""
    relation = relation_sql(ref)
    con = connect(ref)
    scan = PostgresScan(
        relation=relation, display=ref.display, columns={}, rows=0, engine="postgres"
    )
    scan.con, scan.ref = con, ref
    try:
        cursor = con.execute(f"select * from {scan.relation} limit 0")
    except psycopg.errors.UndefinedTable as exc:
        con.close()
        raise EvidenceError(ref.display, f"the table {ref.table or ''} does not exist") from exc
    except psycopg.Error as exc:
        con.close()
        what = "table" if ref.table else "query"
        raise EvidenceError(ref.display, f"the {what} fails: {scan._explain(exc)}") from exc
    types = con.adapters.types
    for column in cursor.description or []:
        info = types.get(column.type_code)
        scan.columns[column.name] = info.name if info else "other"
    counted = scan.one(f"select count(*) from {scan.relation}")
    scan.rows = int(counted[0]) if counted else 0
    scan.fingerprint_text = f"{ref.display}:{scan.rows}"
    return scan
