"""SQL from configuration cannot run code: rules, queries, names, values and patterns, and the
connections that would refuse them even if a check let one through (real DuckDB, real PostgreSQL).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from core.errors import ConfigError, EvidenceError
from core.settings import get_settings
from flows import sql_guard
from flows.config import CrossFieldRule, DatasetEvidence, LoadedProject, Project, parse_model
from flows.evidence import Context
from flows.evidence.data_audit import collect_datasets
from flows.sources import parse_source
from flows.sources.postgres import open_postgres
from flows.sources.scan import audit_connection
from tests.services import PostgresDatabase

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ORDERS = "order_id,customer,amount,net,status\n1,Ann,12,10,paid\n2,Bob,30,10,paid\n3,Cy,,5,o'k\n"
FIELDS = {
    "order_id": {"type": "integer"},
    "customer": {},
    "amount": {"type": "number"},
    "net": {"type": "number"},
    "status": {},
}


def audit(folder: Path, datasets: list[dict[str, Any]], rule: str | None = None) -> Any:
    """The audit's tables for a project of these datasets.

    ``rule``: one rule on the first dataset, built past the load-time check (as if it had let
    the expression through).
    """
    project = Project.model_validate({"id": "p", "name": "P", "evidence": {"datasets": datasets}})
    if rule is not None:
        first = project.evidence.datasets[0]
        checked = CrossFieldRule.model_construct(name="r", expression=rule, description="")
        field_map = first.field_map.model_copy(update={"rules": [checked]})
        evidence = project.evidence.model_copy(
            update={"datasets": [first.model_copy(update={"field_map": field_map})]}
        )
        project = project.model_copy(update={"evidence": evidence})
    context = Context("r", "p", AS_OF, "key")
    frames = collect_datasets(context, LoadedProject(path=folder / "p.yml", project=project))
    return {name: frame.to_dict("records") for name, frame in frames.frames(context).items()}


def rule_audit(folder: Path, expression: str) -> Any:
    """Audit orders.csv with one rule that got past the load-time check."""
    (folder / "orders.csv").write_text(ORDERS)
    orders = {"name": "orders", "source": "orders.csv", "field_map": {"fields": FIELDS}}
    return audit(folder, [orders], rule=expression)


def refused(expression: str) -> str:
    with pytest.raises(sql_guard.RefusedSQL) as caught:
        sql_guard.check_condition(expression)
    return str(caught.value)


# --- rule expressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "amount >= net",
        "abs(amount - net * (1 + 0.2)) < 0.05",
        "amount is null or amount >= net",
        "status not in ('paid', 'lost') or net in (0, 1)",
        "amount < 5 or try_cast(net as double) < 450",
        "date_diff('day', cast('2026-01-01' as date), cast('2026-01-03' as date)) = 2",
        "coalesce(lower(trim(status)), '') <> 'void'",
        "length(customer) between 1 and 40 and customer like '%'",
        "case when status = 'paid' then amount > 0 else true end",
        "regexp_matches(customer, '^[A-Z]') and starts_with(customer, upper(left(customer, 1)))",
        "round(amount / nullif(net, 0), 1) >= 1.0",
        "status = 'it''s'  or status <> 'x'",
        "status <> '-- not a comment' and status <> '/* nor this */' and status <> ';'",
    ],
)
def test_a_condition_over_columns_with_listed_functions_is_accepted(expression: str) -> None:
    sql_guard.check_condition(expression)


#: One call of every function docs/evidence.md lists (the list and the code must agree).
CALLS = {
    "coalesce": "coalesce(a, b) = 1", "nullif": "nullif(a, b) is null", "ifnull": "ifnull(a, 1) = 1",
    "greatest": "greatest(a, b) > 1", "least": "least(a, b) > 1", "if": "if(a > 1, true, false)",
    "lower": "lower(s) = 'x'", "upper": "upper(s) = 'x'", "length": "length(s) > 1",
    "len": "len(s) > 1", "strlen": "strlen(s) > 1", "trim": "trim(s) = ''",
    "ltrim": "ltrim(s) = ''", "rtrim": "rtrim(s) = ''", "substring": "substring(s, 1, 2) = 'x'",
    "left": "left(s, 1) = 'x'", "right": "right(s, 1) = 'x'", "starts_with": "starts_with(s, 'x')",
    "ends_with": "ends_with(s, 'x')", "contains": "contains(s, 'x')",
    "replace": "replace(s, 'a', 'b') = 'x'", "concat": "concat(s, 'a') = 'x'",
    "concat_ws": "concat_ws('-', s, 'a') = 'x'", "regexp_matches": "regexp_matches(s, 'x')",
    "regexp_full_match": "regexp_full_match(s, 'x')",
    "reverse": "reverse(s) = 'x'", "strpos": "strpos(s, 'x') > 0",
    "abs": "abs(a) > 1", "round": "round(a, 1) > 1", "floor": "floor(a) > 1", "ceil": "ceil(a) > 1",
    "sign": "sign(a) > 0", "sqrt": "sqrt(a) > 1", "ln": "ln(a) > 1", "log": "log(a) > 1",
    "exp": "exp(a) > 1", "power": "power(a, 2) > 1", "mod": "mod(a, 2) = 0", "isnan": "isnan(a)",
    "isinf": "isinf(a)", "isfinite": "isfinite(a)", "date_diff": "date_diff('day', a, b) > 1",
    "datediff": "datediff('day', a, b) > 1", "date_trunc": "date_trunc('day', a) = b",
    "date_part": "date_part('year', a) > 1", "year": "year(a) > 1", "month": "month(a) > 1",
    "day": "day(a) > 1", "hour": "hour(a) > 1", "minute": "minute(a) > 1",
    "dayofweek": "dayofweek(a) > 1", "current_date": "a < current_date",
    "current_timestamp": "a < current_timestamp", "now": "a < now()",
    "make_date": "make_date(2020, 1, 1) < a", "epoch": "epoch(a) > 1",
}  # fmt: skip


def test_every_listed_function_is_accepted_and_documented() -> None:
    assert set(CALLS) == set(sql_guard.FUNCTIONS)
    docs = (Path(__file__).parents[2] / "docs" / "evidence.md").read_text()
    for name, call in CALLS.items():
        sql_guard.check_condition(call)
        assert f" {name}" in docs or f"`{name}" in docs, name
    for syntax in ["extract(year from a) > 1", "position('x' in s) > 0", "a ** 2 > 1"]:
        sql_guard.check_condition(syntax)


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        # The attacks of issue 14: close the expression, then write or read the machine's files.
        ("true)); copy (select 1) to '/tmp/pwned.csv'; select ((true", "cannot be read as SQL"),
        ("amount > 0); copy (select 1) to '/tmp/pwned.csv' --", "cannot be read as SQL"),
        ("length(read_text('/proc/self/environ')) > 0", "function read_text is not allowed"),
        ("exists (select * from glob('/root/.*'))", "subquery"),
        ("len(glob('/root/.*')) > 0", "function glob is not allowed"),
        ("amount > (select max(amount) from orders)", "subquery"),
        ("amount in (select net from orders)", "subquery"),
        ("amount > 0; attach '/tmp/x.db'", "2 statements"),
        ("amount > 0 /* ; copy (select 1) to '/tmp/x' */", "comment"),
        ("amount > 0 -- ) or true", "comment"),
        ("getenv('READINESS_DASHBOARD_PASSWORD') is not null", "function getenv is not allowed"),
        ("current_setting('temp_directory') = ''", "function current_setting is not allowed"),
        ("(select count(*) from read_csv('/etc/passwd')) > 0", "subquery"),
        ("read_csv('/etc/passwd') is not null", "function read_csv is not allowed"),
        ("set enable_external_access = true", "statement"),
        ("pragma database_list", "statement"),
        ("copy (select 1) to '/tmp/x.csv'", "statement"),
        ("count(*) > 1", "function count is not allowed"),
        # A length of two billion exhausts the machine whatever DuckDB's memory limit says.
        ("lpad(s, 2000000000, 'x') = 'y'", "is not allowed"),
        ("rpad(s, 2000000000, 'x') = 'y'", "is not allowed"),
        ("amount + 1", "not a condition"),
        ("orders.amount > 0", "qualified name"),
        ("amount > ?", "parameter"),
        ("cast(amount as blob) is null", "cast to"),
        ("(" * 100 + "amount > 0" + ")" * 100, "deeper than"),
        ("amount > 0 and " * 400 + "true", "longer than"),
        ("", "empty"),
    ],
)
def test_anything_else_is_refused_with_what_is_not_allowed(expression: str, why: str) -> None:
    assert why in refused(expression)


def test_a_refused_rule_is_a_configuration_error_naming_file_rule_and_reason() -> None:
    data = {
        "name": "orders",
        "source": "orders.csv",
        "field_map": {
            "fields": FIELDS,
            "rules": [
                {"name": "leak", "expression": "length(read_text('/proc/self/environ')) > 0"}
            ],
        },
    }
    with pytest.raises(ConfigError) as caught:
        parse_model(DatasetEvidence, data, "project.yml")
    (problem,) = caught.value.problems
    assert problem.source == "project.yml" and problem.column == "field_map.rules.0"
    assert "rule leak: the function read_text is not allowed" in problem.message
    assert "/proc/self/environ" not in problem.message


def test_an_accepted_rule_is_rendered_from_its_tree_with_the_datasets_own_columns() -> None:
    columns = {"amount": "Amount", "net": "NET", "status": "status"}
    sql = sql_guard.render_condition("amount>=net and status='a''b'", columns.get, "duckdb")
    assert sql == '"Amount" >= "NET" AND "status" = \'a\'\'b\''
    with pytest.raises(sql_guard.RefusedSQL, match="no column 'vat'"):
        sql_guard.render_condition("amount >= net * vat", columns.get, "postgres")
    rendered = sql_guard.render_condition(
        "date_diff('day', amount, net) < 3", {"amount": "a", "net": "b"}.get, "postgres"
    )
    assert "DATE_DIFF" not in rendered.upper() and '"a"' in rendered


def test_rules_are_measured_on_the_columns_they_name(tmp_path: Path) -> None:
    tables = rule_audit(tmp_path, "AMOUNT >= net")  # a field named in another case
    (rule,) = tables["raw_dataset_rules"]
    assert (rule["rows_checked"], rule["violations"]) == (3, 0)  # NULL passes, as in a CHECK
    tables = rule_audit(tmp_path, "amount > 2 * net")
    assert tables["raw_dataset_rules"][0]["violations"] == 1


@pytest.mark.parametrize(
    "expression",
    [
        "true)); copy (select 'pwned') to '{target}'; select ((true",
        "length(read_text('{secret}')) > 0",
        "exists (select * from glob('{folder}/*'))",
    ],
)
@pytest.mark.parametrize("pasted", [False, True], ids=["rendered", "pasted-raw"])
def test_a_rule_that_got_past_the_load_check_still_cannot_touch_the_machine(
    tmp_path: Path, expression: str, pasted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: the audit renders rules from their tree, and its connection is locked.

    ``pasted-raw`` takes the rendering away (the text goes into the SQL as written, as before):
    the connection alone must refuse the file access.
    """
    if pasted:
        monkeypatch.setattr(sql_guard, "render_condition", lambda text, column, dialect: text)
    secret = tmp_path / "secret.txt"
    secret.write_text("the dashboard password")
    target = tmp_path / "pwned.csv"
    text = expression.format(target=target, secret=secret, folder=tmp_path)
    tables = rule_audit(tmp_path, text)
    assert not target.exists()
    assert tables["raw_dataset_rules"] == []
    reasons = [r["reason"] for r in tables["raw_rejected_rows"]]
    assert any("rule r: cannot evaluate" in r for r in reasons), reasons
    assert "dashboard password" not in json.dumps(tables, default=str)


# --- the audit's DuckDB connection ---------------------------------------------------------------


def test_the_audit_connection_reads_the_projects_files_and_nothing_else(tmp_path: Path) -> None:
    named = tmp_path / "orders.csv"
    named.write_text(ORDERS)
    other = tmp_path / "other.csv"
    other.write_text("secret\nthe dashboard password\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    con = audit_connection(scratch, [named])
    try:
        rows = con.execute(f"select count(*) from read_csv('{named}')").fetchone()
        assert rows == (3,)
        attempts = [
            f"select * from read_csv('{other}')",
            f"select * from read_text('{other}')",
            "select * from read_text('/proc/self/environ')",
            "select * from glob('/root/*')",
            f"copy (select 1) to '{tmp_path / 'written.csv'}'",
            f"attach '{tmp_path / 'x.duckdb'}'",
            "install httpfs",
            "load httpfs",
            "set enable_external_access = true",
            f"set allowed_paths = ['{other}']",
            "set lock_configuration = false",
            f"set temp_directory = '{tmp_path}'",
        ]
        for sql in attempts:
            with pytest.raises(duckdb.Error):
                con.execute(sql).fetchall()
        assert not (tmp_path / "written.csv").exists()
        # The scratch folder stays usable: excel copies and spilled data live there.
        (scratch / "copy.csv").write_text("a\n1\n")
        assert con.execute(f"select * from read_csv('{scratch / 'copy.csv'}')").fetchone() == (1,)
    finally:
        con.close()


def test_every_file_a_project_names_is_read_through_the_locked_connection(tmp_path: Path) -> None:
    """A folder source, a POC sample and a relationship, all on the one limited connection."""
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "a.csv").write_text("customer_id,name\n10,Ann\n")
    (tmp_path / "parts" / "b.csv").write_text("customer_id,name\n11,Bob\n")
    (tmp_path / "orders.csv").write_text("order_id,customer_id\n1,10\n2,12\n")
    (tmp_path / "poc.csv").write_text("order_id,customer_id\n1,10\n")
    relationship = {"field": "customer_id", "dataset": "customers", "to_field": "customer_id"}
    orders = {
        "name": "orders",
        "source": "orders.csv",
        "poc_sample": "poc.csv",
        "field_map": {
            "fields": {"order_id": {"type": "integer"}, "customer_id": {}},
            "relationships": [relationship],
        },
    }
    customers = {"name": "customers", "source": "parts", "field_map": {"fields": {"name": {}}}}
    tables = audit(tmp_path, [orders, customers])
    inputs = {r["name"]: r for r in tables["raw_evidence_inputs"]}
    assert {n: r["status"] for n, r in inputs.items()} == {
        "orders": "ok",
        "orders (poc sample)": "ok",
        "customers": "ok",
    }
    (orphans,) = tables["raw_dataset_rules"]
    assert orphans["violations"] == 1


# --- names, values, patterns and numbers ---------------------------------------------------------


def dataset_with(**field: Any) -> dict[str, Any]:
    return {"name": "orders", "source": "orders.csv", "field_map": {"fields": {"f": field}}}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"type": "number", "min": float("inf")}, "expected a finite number"),
        ({"type": "number", "max": float("nan")}, "expected a finite number"),
        ({"type": "number", "min": float("-inf")}, "expected a finite number"),
        ({"type": "number", "min": 5, "max": 1}, "min (5) is greater than max (1)"),
        ({"allowed": [1, float("inf")]}, "allowed values must be finite numbers"),
        ({"allowed": ["a\x00b"]}, "NUL"),
        ({"pattern": "(?<=x)y"}, "DuckDB's regular expressions (RE2) do not accept"),
        ({"pattern": r"(a)\1"}, "DuckDB's regular expressions (RE2) do not accept"),
        ({"pattern": "([a-z]"}, "not a valid regular expression"),
        ({"pattern": r"\p{L}+"}, "not a valid regular expression"),  # RE2 yes, Python no
        ({"aliases": ["ok", "bad\nname"]}, "holds a control character"),
    ],
)
def test_numbers_values_patterns_and_names_are_checked_when_loaded(
    field: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_model(DatasetEvidence, dataset_with(**field), "project.yml")
    assert message in "\n".join(p.message for p in caught.value.problems)


def test_a_field_name_with_a_control_character_is_refused() -> None:
    data = {"name": "orders", "source": "o.csv", "field_map": {"fields": {"id\x00x": {}}}}
    with pytest.raises(ConfigError, match="holds a control character"):
        parse_model(DatasetEvidence, data, "project.yml")


def test_allowed_values_and_names_with_quotes_are_measured_exactly(tmp_path: Path) -> None:
    """A value such as ``x') or ('1'='1`` is a literal (escaped), a name with quotes an identifier."""
    (tmp_path / "orders.csv").write_text(
        "id,\"we\"\"ird\",status\n1,a,x') or ('1'='1\n2,b,paid\n3,c,back\\slash\n4,d,other\n"
    )
    fields = {
        "id": {"type": "integer"},
        'we"ird': {"allowed": ["a", "b", "c"]},
        "status": {"allowed": ["x') or ('1'='1", "paid", "back\\slash"], "pattern": "[^;]+"},
    }
    orders = {"name": "orders", "source": "orders.csv", "field_map": {"fields": fields}}
    tables = audit(tmp_path, [orders])
    profiles = {r["field"]: r for r in tables["raw_field_profiles"]}
    assert profiles['we"ird']["not_allowed"] == 1
    assert profiles["status"]["not_allowed"] == 1  # only 'other'
    assert profiles["status"]["pattern_failures"] == 0


# --- PostgreSQL sources ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("delete from orders", "must be one SELECT"),
        ("select 1; drop table orders", "2 statements"),
        ("select pg_read_file('/etc/passwd')", "function pg_read_file is not allowed"),
        ("select set_config('statement_timeout', '0', false)", "function set_config"),
        ("with d as (delete from orders returning *) select * from d", "only read"),
        ("select * into copied from orders", "select ... into"),
        ("select * from orders for update", "for update"),
        ("select 1 /* ; delete from orders */", "comment"),
        ("copy orders to '/tmp/x'", "SELECT"),
    ],
)
def test_a_postgresql_query_must_be_one_select(query: str, why: str) -> None:
    data = {
        "name": "o",
        "source": "postgresql://u@h/db",
        "query": query,
        "field_map": {"fields": {}},
    }
    with pytest.raises(ConfigError) as caught:
        parse_model(DatasetEvidence, data, "project.yml")
    assert why in caught.value.problems[0].message


@pytest.fixture
def shop(postgres_database: PostgresDatabase) -> PostgresDatabase:
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute("create table orders (order_id int, status text)")
        con.execute(
            "insert into orders values (1, 'paid'), (2, 'x'') or (''1''=''1'), (3, 'lost'), "
            "(4, 'back\\')"
        )
        # A server where a backslash in a literal escapes: the audit's session must not be one.
        con.execute(
            f'alter database "{postgres_database.name}" set standard_conforming_strings = off'
        )
    return postgres_database


def test_a_postgresql_source_is_read_only_and_its_queries_time_out(
    shop: PostgresDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_SOURCE_STATEMENT_TIMEOUT", "0.5")
    get_settings.cache_clear()
    try:
        scan = open_postgres(parse_source(shop.url, table="orders"))
        try:
            for write in ("insert into orders values (9, 'new')", "create table t (a int)"):
                with pytest.raises(EvidenceError, match="read-only transaction"):
                    scan.one(write)
            with pytest.raises(EvidenceError, match="statement timeout"):
                scan.one("select pg_sleep(3)")
            # The session's settings outlive the rollback of a failed query.
            settings = scan.one(
                "select current_setting('TimeZone'), current_setting('statement_timeout'), "
                "current_setting('transaction_read_only'), "
                "current_setting('standard_conforming_strings')"
            )
            assert settings == ("UTC", "500ms", "on", "on")
        finally:
            scan.close()
    finally:
        get_settings.cache_clear()
    with psycopg.connect(shop.url) as con:
        assert con.execute("select count(*) from orders").fetchone() == (4,)


def test_a_postgresql_query_is_rendered_and_rules_run_there(
    shop: PostgresDatabase, tmp_path: Path
) -> None:
    allowed = ["paid", "x') or ('1'='1", "back\\"]
    fields = {"order_id": {"type": "integer"}, "status": {"allowed": allowed}}
    days = "date_diff('day', cast('2026-01-01' as date), cast('2026-01-03' as date)) = 2"
    orders = {
        "name": "orders",
        "source": shop.url,
        "query": "select order_id, status from orders where order_id < 10",
        "field_map": {
            "fields": fields,
            "rules": [
                {"name": "known", "expression": "STATUS in ('paid', 'lost')"},
                {"name": "days", "expression": days},
            ],
        },
    }
    tables = audit(tmp_path, [orders])
    rules = {r["rule"]: r for r in tables["raw_dataset_rules"]}
    assert rules["known"]["violations"] == 2 and rules["days"]["violations"] == 0
    (status,) = [r for r in tables["raw_field_profiles"] if r["field"] == "status"]
    assert status["not_allowed"] == 1  # 'lost'; the quoted value is a literal


def test_a_query_refused_at_the_source_never_reaches_postgresql(shop: PostgresDatabase) -> None:
    """Built past the load check, a writing query is still refused before it is sent."""
    ref = parse_source(shop.url, query="select 1; delete from orders")
    with pytest.raises(EvidenceError, match="2 statements"):
        open_postgres(ref)
    with psycopg.connect(shop.url) as con:
        assert con.execute("select count(*) from orders").fetchone() == (4,)


def test_a_pattern_postgresql_refuses_is_left_out_and_said_not_the_whole_dataset(
    shop: PostgresDatabase, tmp_path: Path
) -> None:
    """``(?i)`` passes Python and DuckDB but not PostgreSQL inside the audit's ``^(?:...)$``."""
    fields = {
        "order_id": {"type": "integer"},
        "status": {"pattern": "(?i)PAID|LOST"},
        "other": {"required": False, "pattern": "[a-z]+"},
    }
    orders = {
        "name": "orders",
        "source": shop.url,
        "table": "orders",
        "field_map": {"fields": fields},
    }
    tables = audit(tmp_path, [orders])
    (profile,) = tables["raw_dataset_profiles"]
    assert profile["readable"] and profile["row_count"] == 4
    reasons = [r["reason"] for r in tables["raw_rejected_rows"] if r["column_name"] == "status"]
    assert any("the pattern is not checked: PostgreSQL does not accept it" in r for r in reasons)
    status = next(f for f in tables["raw_field_profiles"] if f["field"] == "status")
    assert status["pattern_failures"] == 0 and status["null_count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "select * from pg_authid",
        "select name, setting from pg_settings",
        "select * from pg_catalog.pg_roles",
        "select table_name from information_schema.tables",
        "select o.id from orders o join pg_shadow s on true",
    ],
)
def test_a_query_never_reads_the_servers_catalogs(query: str) -> None:
    with pytest.raises(sql_guard.RefusedSQL, match="catalogs"):
        sql_guard.check_query(query)


@pytest.mark.parametrize(
    "table", ["pg_authid", "pg_catalog.pg_settings", "information_schema.tables"]
)
def test_a_table_option_never_names_a_servers_catalog(table: str) -> None:
    with pytest.raises(sql_guard.RefusedSQL, match="server catalog"):
        sql_guard.check_table(table)
    assert sql_guard.check_table("crm.customers") == "crm.customers"
