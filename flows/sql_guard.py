"""SQL that configuration supplies: parsed, checked against an allow-list, and rendered again.

Configuration is data, never code. Two kinds of SQL text come from project files:

- a field map rule's ``expression``: ONE condition over the dataset's own columns, made of
  literals, operators, ``case``, casts to plain types and the scalar functions of
  :data:`FUNCTIONS`; no statement, no subquery, no table function, no file, setting or
  environment access, no comment. It is parsed by sqlglot (DuckDB's dialect) and the query the
  audit runs is rendered from the parsed tree (for DuckDB or PostgreSQL), never pasted as written;
- a PostgreSQL source's ``query``: exactly one SELECT (no statement that writes, locks or sets
  anything, no server-file, settings or administration function), rendered from its tree too.

Names and patterns that reach SQL are checked here as well: a name holding a control character
is refused, and a pattern must compile both in Python and in DuckDB's regular-expression engine.
Every refusal is a :class:`RefusedSQL` (a ValueError) whose message says what is not allowed,
in plain words, without repeating the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

#: A rule expression or a query longer than this is refused (they are a line or a few lines).
MAX_LENGTH = 4000
#: Nesting deeper than this is refused (the parser recurses; a person never nests so deep).
MAX_DEPTH = 64


class RefusedSQL(ValueError):
    """SQL text from configuration that is not allowed; the message says why, in plain words."""


#: Scalar functions a rule may call, as a person writes them (docs/evidence.md lists the same).
FUNCTIONS = (
    # null handling and choice
    "coalesce", "nullif", "ifnull", "greatest", "least", "if",
    # text
    "lower", "upper", "length", "len", "strlen", "trim", "ltrim", "rtrim", "substring", "left",
    "right", "starts_with", "ends_with", "contains", "replace", "concat", "concat_ws",
    # (no lpad/rpad: a length of two billion exhausts the machine whatever the memory limit)
    "regexp_matches", "regexp_full_match", "reverse", "strpos",
    # numbers
    "abs", "round", "floor", "ceil", "sign", "sqrt", "ln", "log", "exp", "power", "mod",
    "isnan", "isinf", "isfinite",
    # dates and times
    "date_diff", "datediff", "date_trunc", "date_part", "year", "month", "day", "hour",
    "minute", "dayofweek", "current_date", "current_timestamp", "now", "make_date", "epoch",
)  # fmt: skip

#: Node kinds a condition may hold besides function calls: columns, literals and operators.
_NODES: tuple[type[exp.Expr], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren,
    exp.Not, exp.And, exp.Or, exp.Xor,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ,
    exp.Is, exp.In, exp.Between, exp.Like, exp.ILike, exp.Escape,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.DPipe,
    exp.Case, exp.If, exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Pow,
    exp.Extract,
    exp.Interval, exp.Var,
)  # fmt: skip

#: Nodes sqlglot models as functions that are operators or syntax of SQL itself.
_OPERATORS = (exp.Connector, exp.Case, exp.If, exp.Cast, exp.Pow, exp.Extract)

#: Types a rule may cast to.
_TYPES = frozenset(
    getattr(exp.DataType.Type, name)
    for name in (
        "TEXT", "VARCHAR", "CHAR", "TINYINT", "SMALLINT", "INT", "BIGINT", "INT128",
        "UTINYINT", "USMALLINT", "UINT", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN",
        "DATE", "TIME", "TIMESTAMP", "TIMESTAMPNTZ", "TIMESTAMPTZ", "INTERVAL",
    )
    if hasattr(exp.DataType.Type, name)
)  # fmt: skip

#: What a statement, subquery or other non-scalar node is called in a refusal.
_WHAT: dict[type[exp.Expr], str] = {
    exp.Select: "a query (select)",
    exp.Subquery: "a subquery",
    exp.Exists: "a subquery (exists)",
    exp.Star: "*",
    exp.Placeholder: "a parameter",
    exp.Parameter: "a parameter",
    exp.SessionParameter: "a setting",
    exp.Window: "a window (over ...)",
    exp.Lambda: "a lambda",
    exp.Bracket: "an index or list ([...])",
    exp.Dot: "a qualified name",
    exp.Table: "a table",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _canonical(name: str) -> str:
    """The name sqlglot gives a function written ``name`` (``len`` -> length, ``lpad`` -> pad)."""
    for args in ("x", "x, x", "x, x, x"):
        try:
            tree = sqlglot.parse_one(f"{name}({args})", read="duckdb")
        except ParseError:
            continue
        if isinstance(tree, exp.Func):
            return _function_name(tree)
    return name


def check_name(name: str, what: str = "name") -> str:
    """A dataset, field or table name: refused when it holds a control character (NUL, newline...)."""
    if _CONTROL.search(name):
        shown = name.encode("unicode_escape").decode()
        raise RefusedSQL(f"the {what} '{shown}' holds a control character")
    if not name.strip():
        raise RefusedSQL(f"the {what} is empty")
    return name


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    try:
        return node.sql_names()[0].lower()
    except (NotImplementedError, IndexError):
        return type(node).__name__.lower()


#: The allowed functions by the names of their parsed nodes (aliases parse to one node).
_ALLOWED_FUNCTIONS = frozenset({*FUNCTIONS, *(_canonical(name) for name in FUNCTIONS)})


def _depth_ok(text: str) -> bool:
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest <= MAX_DEPTH


#: What the text should look like, said after "cannot be read as SQL".
_SHAPE = {
    "expression": ": a rule is one condition, such as shipped_at >= created_at",
    "query": ": expected one SELECT",
}


def _parse(text: str, dialect: str, what: str) -> exp.Expr:
    """The one statement or expression of ``text``, parsed (RefusedSQL otherwise)."""
    if not text.strip():
        raise RefusedSQL(f"the {what} is empty")
    if len(text) > MAX_LENGTH:
        raise RefusedSQL(f"the {what} is longer than {MAX_LENGTH} characters")
    if "\x00" in text:
        raise RefusedSQL(f"the {what} holds a NUL character")
    if not _depth_ok(text):
        raise RefusedSQL(f"the {what} nests parentheses deeper than {MAX_DEPTH}")
    try:
        trees = [t for t in sqlglot.parse(text, read=dialect) if t is not None]
    except ParseError as exc:
        where = ""
        if exc.errors:
            first = exc.errors[0]
            where = f" (line {first.get('line')}, column {first.get('col')})"
        raise RefusedSQL(f"the {what} cannot be read as SQL{where}{_SHAPE[what]}") from None
    except (TokenError, RecursionError):
        raise RefusedSQL(f"the {what} cannot be read as SQL{_SHAPE[what]}") from None
    if len(trees) != 1:
        raise RefusedSQL(f"the {what} holds {len(trees)} statements (';'); one is allowed")
    tree = trees[0]
    if any(node.comments for node in tree.walk()):
        raise RefusedSQL(f"the {what} holds a comment (-- or /* */); comments are not allowed")
    return tree


def _refuse_node(node: exp.Expr) -> None:
    """Raise RefusedSQL when a node of a condition is not on the allow-list."""
    for kind, what in _WHAT.items():
        if isinstance(node, kind):
            raise RefusedSQL(f"a rule may not use {what}")
    if isinstance(node, exp.Func) and not isinstance(node, _OPERATORS):
        name = _function_name(node)
        if name not in _ALLOWED_FUNCTIONS:
            raise RefusedSQL(
                f"the function {name} is not allowed in a rule (allowed: scalar functions such "
                "as coalesce, lower, upper, length, trim, abs, round, date_diff; see "
                "docs/evidence.md)"
            )
        return
    if isinstance(node, exp.Column):
        if node.table or node.args.get("db") or node.args.get("catalog"):
            raise RefusedSQL(
                "a rule names the dataset's own columns only: a qualified name "
                f"({node.sql(comments=False)}) is not allowed"
            )
        if not isinstance(node.this, exp.Identifier):
            raise RefusedSQL("a rule names columns, not *")
        check_name(node.name, "column name")
        return
    if isinstance(node, exp.DataType):
        if node.this not in _TYPES:
            raise RefusedSQL(f"a cast to {node.sql(comments=False)} is not allowed in a rule")
        return
    if isinstance(node, exp.In) and any(node.args.get(k) for k in ("query", "unnest", "field")):
        raise RefusedSQL("a rule may not use a subquery (in (select ...))")
    if isinstance(node, exp.Var) and not isinstance(
        node.parent, exp.Interval | exp.Extract | exp.DateDiff | exp.TimestampTrunc | exp.DateTrunc
    ):
        raise RefusedSQL(f"{node.name} is not a column, a literal or an operator")
    if isinstance(node, _NODES):
        return
    if isinstance(node, exp.Query | exp.DDL | exp.DML | exp.Command):
        raise RefusedSQL("a rule is one condition, not a statement")
    raise RefusedSQL(f"{node.key.replace('_', ' ')} is not allowed in a rule")


#: Where the condition's value comes from: a comparison, a test, a boolean column or function...
_CONDITIONS: tuple[type[exp.Expr], ...] = (
    exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.Column, exp.Case, exp.If,
    exp.Coalesce, exp.Func, exp.Null,
)  # fmt: skip
_NOT_CONDITIONS: tuple[type[exp.Expr], ...] = (
    exp.Literal,
    exp.Binary,
    exp.Neg,
    exp.Interval,
    exp.Cast,
    exp.TryCast,
)


@lru_cache(maxsize=1024)
def _condition(text: str) -> exp.Expr:
    tree = _parse(text, "duckdb", "expression")
    if isinstance(tree, exp.Query | exp.DDL | exp.DML | exp.Command | exp.Set | exp.Pragma):
        raise RefusedSQL("the expression is a statement; a rule is one condition")
    for node in tree.walk():
        _refuse_node(node)
    top = tree.unnest()
    comparison = isinstance(top, exp.Predicate | exp.Connector)
    if not comparison and (isinstance(top, _NOT_CONDITIONS) or not isinstance(top, _CONDITIONS)):
        raise RefusedSQL(
            "the expression is not a condition (expected a comparison, is null, in (...), "
            "between, like, and/or/not... that is true or false for each row)"
        )
    return tree


def check_condition(text: str) -> None:
    """Refuse (RefusedSQL) a rule expression that is not one allowed condition."""
    _condition(text)


def render_condition(text: str, column: Callable[[str], str | None], dialect: str) -> str:
    """An accepted rule expression as SQL of ``dialect`` (duckdb or postgres), from its tree.

    ``column`` maps each name the expression uses to the dataset's column (quoted in the
    output), or None when the dataset has no such column (RefusedSQL names it).
    """
    tree = _condition(text).copy()

    def rename(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            found = column(node.name)
            if found is None:
                raise RefusedSQL(f"the dataset has no column {node.name!r}")
            return exp.column(found, quoted=True)
        return node

    return tree.transform(rename).sql(dialect=dialect, comments=False)


#: Functions a PostgreSQL query may not call: server files, settings, sessions, other servers.
_PG_FORBIDDEN = re.compile(
    r"^(pg_|lo_|dblink|set_config$|current_setting$|query_to_xml|cursor_to_xml|table_to_xml|"
    r"schema_to_xml|database_to_xml|txid_|nextval$|setval$)"
)


def check_query(text: str) -> str:
    """A PostgreSQL source's query: exactly one SELECT, rendered from its tree (else RefusedSQL)."""
    tree = _parse(text, "postgres", "query")
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise RefusedSQL("the query must be one SELECT (it is another kind of statement)")
    for node in tree.walk():
        if isinstance(node, exp.DDL | exp.DML | exp.Command | exp.Set | exp.Pragma | exp.Copy):
            raise RefusedSQL("the query may only read: it holds a statement that is not a SELECT")
        if isinstance(node, exp.Into):
            raise RefusedSQL("the query may only read: select ... into is not allowed")
        if isinstance(node, exp.Lock):
            raise RefusedSQL("the query may only read: for update / for share is not allowed")
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if _PG_FORBIDDEN.match(name):
                raise RefusedSQL(f"the function {name} is not allowed in a query")
        if isinstance(node, exp.Table) and _catalog_table(node):
            raise RefusedSQL(
                "the query may read the project's own tables only, not the server's catalogs "
                "(pg_*, pg_catalog, information_schema: roles, settings, files)"
            )
    return tree.sql(dialect="postgres", comments=False)


def check_table(name: str) -> str:
    """A PostgreSQL source's ``table:``: a name (no control characters), not a server catalog."""
    check_name(name, "table name")
    parts = [p.strip('"').casefold() for p in name.split(".")]
    if any(p in ("pg_catalog", "information_schema") for p in parts[:-1]) or parts[-1].startswith(
        "pg_"
    ):
        raise RefusedSQL(
            "the table must be one of the project's own, not a server catalog "
            "(pg_*, pg_catalog, information_schema)"
        )
    return name


def _catalog_table(table: exp.Table) -> bool:
    """A table of PostgreSQL's own catalogs (pg_authid, pg_settings...), in any schema."""
    parts = [str(p).strip('"').casefold() for p in (table.catalog, table.db, table.name) if p]
    return any(p in ("pg_catalog", "information_schema") for p in parts[:-1]) or (
        bool(parts) and parts[-1].startswith("pg_")
    )


def check_pattern(pattern: str) -> None:
    """A field's pattern: it must compile in Python and in DuckDB's engine (RE2), else RefusedSQL."""
    if "\x00" in pattern:
        raise RefusedSQL("the pattern holds a NUL character")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RefusedSQL(f"not a valid regular expression: {exc}") from None
    problem = _duckdb_pattern_problem(pattern)
    if problem:
        raise RefusedSQL(
            f"DuckDB's regular expressions (RE2) do not accept this pattern: {problem} "
            "(look-arounds and back-references are not supported)"
        )


@lru_cache(maxsize=256)
def _duckdb_pattern_problem(pattern: str) -> str | None:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("select regexp_full_match('', ?)", [pattern]).fetchone()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        return message.split(": ", 1)[-1]
    finally:
        con.close()
    return None
