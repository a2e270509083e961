"""Hostile SQL in project files: rule expressions, PostgreSQL queries, names, values, patterns.

Every case is a project file that tries to make the audit run code (read the machine's files or
environment, write a file, run a statement) or to reach SQL with a value that breaks it. Each is
refused when the project is loaded, in plain words naming the rule or key, and the good project
beside it is still read. Effects (no file written, no secret read) are shown in
tests/flows/test_sql_guard.py, which also runs the attacks past the load check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# Imported while collecting, so that a case's time limit is not spent importing Prefect.
import flows.measurements  # noqa: F401
from tests.hostile.harness import CANARY, Case, Workspace, run_cases

ORDERS = "order_id,amount,net,status\n1,12,10,paid\n2,30,10,lost\n"
FIELDS: dict[str, Any] = {
    "order_id": {"type": "integer"},
    "amount": {"type": "number"},
    "net": {"type": "number"},
    "status": {},
}


def with_dataset(**changes: Any) -> Callable[[Workspace], Path]:
    """A portfolio of a good project and one whose dataset carries the hostile value."""

    def build(ws: Workspace) -> Path:
        ws.write("orders.csv", ORDERS)
        good = ws.project("good_project")
        dataset: dict[str, Any] = {
            "name": "orders",
            "source": "orders.csv",
            "field_map": {"fields": dict(FIELDS)},
        }
        for key, value in changes.items():
            if key == "fields":
                dataset["field_map"]["fields"] = {**FIELDS, **value}
            elif key in ("rules", "key", "relationships"):
                dataset["field_map"][key] = value
            else:
                dataset[key] = value
        bad = ws.project("bad_project", evidence={"datasets": [dataset]})
        return ws.portfolio(projects=[good, bad])

    return build


def rule(expression: str) -> Callable[[Workspace], Path]:
    return with_dataset(rules=[{"name": "hostile", "expression": expression}])


def query(text: str) -> Callable[[Workspace], Path]:
    return with_dataset(source="postgresql://reader@127.0.0.1:9/shop", query=text)


GOOD = ("good_project",)
NOT_ALLOWED = "is not allowed in a rule"

CASES = [
    # Issue 14: the expression closed, then COPY writes a file anywhere.
    Case(
        "rule-copy-after-closing",
        "project",
        rule(f"true)); copy (select '{CANARY}') to '/tmp/{CANARY}.csv'; select ((true"),
        "rule hostile: the expression cannot be read as SQL",
        also_read=GOOD,
    ),
    Case(
        "rule-copy-statement",
        "project",
        rule(f"copy (select 1) to '/tmp/{CANARY}.csv'"),
        "rule hostile: the expression is a statement",
        also_read=GOOD,
    ),
    Case(
        "rule-read-environment",
        "project",
        rule("length(read_text('/proc/self/environ')) > 0"),
        f"function read_text {NOT_ALLOWED}",
        also_read=GOOD,
    ),
    Case(
        "rule-glob-table-function",
        "project",
        rule("exists (select * from glob('/root/.*'))"),
        "may not use a subquery",
        also_read=GOOD,
    ),
    Case(
        "rule-glob-scalar",
        "project",
        rule("len(glob('/root/.*')) > 0"),
        f"function glob {NOT_ALLOWED}",
        also_read=GOOD,
    ),
    Case(
        "rule-read-csv",
        "project",
        rule("read_csv('/etc/passwd') is not null"),
        f"function read_csv {NOT_ALLOWED}",
        also_read=GOOD,
    ),
    Case(
        "rule-subquery",
        "project",
        rule("amount > (select max(amount) from orders)"),
        "may not use a subquery",
        also_read=GOOD,
    ),
    Case(
        "rule-in-subquery",
        "project",
        rule("order_id in (select order_id from read_parquet('/etc/*.parquet'))"),
        "subquery",
        also_read=GOOD,
    ),
    Case(
        "rule-second-statement",
        "project",
        rule(f"amount > 0; attach '/tmp/{CANARY}.duckdb'"),
        "holds 2 statements",
        also_read=GOOD,
    ),
    Case(
        "rule-comment-hides-code",
        "project",
        rule(f"amount > 0 /* {CANARY}; copy (select 1) to '/tmp/x' */"),
        "comments are not allowed",
        also_read=GOOD,
    ),
    Case(
        "rule-line-comment",
        "project",
        rule(f"amount > 0 -- {CANARY}"),
        "comments are not allowed",
        also_read=GOOD,
    ),
    Case(
        "rule-getenv",
        "project",
        rule("getenv('READINESS_DASHBOARD_PASSWORD') is not null"),
        f"function getenv {NOT_ALLOWED}",
        also_read=GOOD,
    ),
    Case(
        "rule-current-setting",
        "project",
        rule("current_setting('temp_directory') <> ''"),
        f"function current_setting {NOT_ALLOWED}",
        also_read=GOOD,
    ),
    Case(
        "rule-set-setting",
        "project",
        rule("set enable_external_access = true"),
        "statement",
        also_read=GOOD,
    ),
    Case("rule-pragma", "project", rule("pragma database_list"), "statement", also_read=GOOD),
    Case(
        "rule-aggregate",
        "project",
        rule("count(*) > 1"),
        f"function count {NOT_ALLOWED}",
        also_read=GOOD,
    ),
    Case(
        "rule-not-a-condition",
        "project",
        rule("amount + 1"),
        "the expression is not a condition",
        also_read=GOOD,
    ),
    Case(
        "rule-other-table",
        "project",
        rule("information_schema.tables.table_name is not null"),
        "qualified name",
        also_read=GOOD,
    ),
    Case(
        "rule-deep-nesting",
        "project",
        rule("(" * 1000 + "amount > 0" + ")" * 1000),
        "nests parentheses deeper than",
        also_read=GOOD,
    ),
    Case(
        "rule-too-long",
        "project",
        rule("amount > 0 and " * 1000 + "true"),
        "longer than",
        also_read=GOOD,
    ),
    Case(
        "rule-unknown-column",
        "project",
        rule("no_such_column > 1"),
        "the dataset has no column 'no_such_column'",
    ),
    # PostgreSQL queries named in a project file: one SELECT that only reads.
    Case(
        "query-delete",
        "project",
        query("delete from orders"),
        "the query must be one SELECT",
        also_read=GOOD,
    ),
    Case(
        "query-second-statement",
        "project",
        query("select * from orders; drop table orders"),
        "the query holds 2 statements",
        also_read=GOOD,
    ),
    Case(
        "query-server-file",
        "project",
        query("select pg_read_file('/etc/passwd') as orders"),
        "function pg_read_file is not allowed in a query",
        also_read=GOOD,
    ),
    Case(
        "query-writing-cte",
        "project",
        query("with gone as (delete from orders returning *) select * from gone"),
        "the query may only read",
        also_read=GOOD,
    ),
    Case(
        "query-select-into",
        "project",
        query("select * into stolen from orders"),
        "select ... into is not allowed",
        also_read=GOOD,
    ),
    Case(
        "query-settings",
        "project",
        query("select set_config('statement_timeout', '0', false)"),
        "function set_config is not allowed",
        also_read=GOOD,
    ),
    # Names, values, patterns and numbers that reach SQL.
    Case(
        "field-name-nul",
        "project",
        with_dataset(fields={"id\x00name": {}}),
        "holds a control character",
        also_read=GOOD,
    ),
    Case(
        "table-name-newline",
        "project",
        with_dataset(source="postgresql://reader@127.0.0.1:9/shop", table="orders\ndrop"),
        "holds a control character",
        also_read=GOOD,
    ),
    Case(
        "min-infinite",
        "project",
        with_dataset(fields={"amount": {"type": "number", "min": float("inf")}}),
        "expected a finite number",
        also_read=GOOD,
    ),
    Case(
        "max-not-a-number",
        "project",
        with_dataset(fields={"amount": {"type": "number", "max": float("nan")}}),
        "expected a finite number",
        also_read=GOOD,
    ),
    Case(
        "allowed-infinite",
        "project",
        with_dataset(fields={"net": {"allowed": [1.5, float("-inf")]}}),
        "allowed values must be finite numbers",
        also_read=GOOD,
    ),
    Case(
        "pattern-duckdb-refuses",
        "project",
        with_dataset(fields={"status": {"pattern": "(?<=p)aid"}}),
        "DuckDB's regular expressions (RE2) do not accept this pattern",
        also_read=GOOD,
    ),
    Case(
        "pattern-invalid",
        "project",
        with_dataset(fields={"status": {"pattern": "([a-z]+"}}),
        "not a valid regular expression",
        also_read=GOOD,
    ),
]

test_sql_cases = run_cases(CASES)
