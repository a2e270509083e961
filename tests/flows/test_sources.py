"""Sources of data samples, against real parts: files, a real S3 endpoint (moto server), real PostgreSQL."""

from __future__ import annotations

import bz2
import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
import requests

from core.errors import EvidenceError
from core.settings import get_settings
from flows.config import LoadedProject, Project
from flows.evidence import Context
from flows.evidence.data_audit import collect_datasets
from flows.sources import mask_url, parse_source
from flows.sources import s3 as s3_source
from tests.services import PostgresDatabase, S3Endpoint

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ORDERS = """order_id,customer_id,status,amount,email,created_at
1,10,shipped,10.5,a@x.com,2026-11-20T10:00:00Z
2,10,shipped,20,b@x.com,2026-11-20T09:00:00Z
2,11,lost,-5,not-an-email,2026-11-10T09:00:00Z
3,99,,abc,,2026-11-19T09:00:00Z
4,,pending,30,c@x.com,
"""
CUSTOMERS = "customer_id,name\n10,Ann\n11,Bob\n"


def orders(source: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "orders",
        "source": source,
        "field_map": {
            "fields": {
                "order_id": {"type": "integer"},
                "customer_id": {"type": "integer"},
                "status": {"allowed": ["shipped", "pending"]},
                "amount": {"type": "number", "min": 0, "max": 25},
                "email": {"pattern": r"[^@]+@[^@]+\.[a-z]+", "required": False},
                "created_at": {"type": "timestamp"},
            },
            "key": ["order_id"],
            "timestamp": "created_at",
            "max_age": "24h",
            "rules": [{"name": "positive", "expression": "customer_id > 0"}],
            "relationships": [
                {"field": "customer_id", "dataset": "customers", "to_field": "customer_id"}
            ],
        },
        **extra,
    }


def customers(source: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "customers",
        "source": source,
        "field_map": {"fields": {"customer_id": {"type": "integer"}, "name": {}}},
        **extra,
    }


def audit(folder: Path, datasets: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    data = {"id": "p", "name": "P", "evidence": {"datasets": datasets}}
    project = LoadedProject(path=folder / "project.yml", project=Project.model_validate(data))
    context = Context("r", "p", AS_OF, "salt")
    frames = collect_datasets(context, project).frames(context)
    return {name: frame.to_dict("records") for name, frame in frames.items()}


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def assert_orders_measured(tables: dict[str, list[dict[str, Any]]]) -> None:
    """The same exact numbers whatever the source (files, S3, PostgreSQL)."""
    profile = by(tables["raw_dataset_profiles"], "dataset")["orders"]
    assert profile["readable"], profile["error"]
    assert profile["row_count"] == 5
    assert profile["duplicate_key_rows"] == 1
    assert profile["newest_timestamp"] == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert profile["age_seconds"] == 7200
    assert profile["stale_rows"] == 2
    assert json.loads(profile["examples"]) == {
        "duplicate_keys": [{"key": {"order_id": "2"}, "rows": 2}]
    }
    fields = by([f for f in tables["raw_field_profiles"] if f["dataset"] == "orders"], "field")
    assert fields["status"]["not_allowed"] == 1
    assert fields["status"]["null_count"] + fields["status"]["empty_count"] >= 1
    assert fields["amount"]["out_of_range"] == 2
    assert fields["email"]["pattern_failures"] == 1
    assert fields["customer_id"]["null_count"] == 1
    assert fields["order_id"]["distinct_count"] == 4 and fields["order_id"]["distinct_is_exact"]
    assert fields["order_id"]["max_value"] == "4"
    rules = by(tables["raw_dataset_rules"], "rule")
    relation = rules["customer_id -> customers.customer_id"]
    assert (relation["violations"], relation["rows_checked"]) == (1, 4)
    assert json.loads(relation["examples"]) == ["99"]


# --- source references --------------------------------------------------------------------


def test_a_password_is_masked_and_scrubbed() -> None:
    url = "postgresql://alice:s3cr%40t@db.example.com:5433/sales"
    assert mask_url(url) == "postgresql://alice:***@db.example.com:5433/sales"
    ref = parse_source(url, table="public.orders")
    assert "s3cr" not in ref.display and ref.display.endswith("table public.orders")
    assert ref.scrub("failed for s3cr%40t") == "failed for ***"
    with pytest.raises(ValueError, match="exactly one of table or query"):
        parse_source(url)
    assert parse_source("s3://b/k").kind == "s3"
    assert parse_source("data/x.csv", Path("/base")).location == "/base/data/x.csv"


def test_a_password_never_reaches_a_configuration_error() -> None:
    from flows.config import ConfigError, parse_model

    data = {
        "id": "p",
        "name": "P",
        "evidence": {"datasets": [orders("postgresql://u:hunter2@h/db")]},
    }
    with pytest.raises(ConfigError) as caught:
        parse_model(Project, data, "project.yml")
    assert "hunter2" not in str(caught.value)
    assert "exactly one of table or query" in str(caught.value)


# --- local files ---------------------------------------------------------------------------


def test_declared_csv_options(tmp_path: Path) -> None:
    text = "10;'Ann; the first'\n11;'Bob'\n"
    (tmp_path / "c.txt").write_bytes(text.replace("Ann", "Zoë").encode("latin-1"))
    dataset = customers(
        "c.txt", delimiter=";", quote="'", header=False, encoding="latin-1", format="csv"
    )
    dataset["field_map"]["fields"] = {"column0": {"type": "integer"}, "column1": {}}
    tables = audit(tmp_path, [dataset])
    fields = by(tables["raw_field_profiles"], "field")
    assert tables["raw_dataset_profiles"][0]["row_count"] == 2
    assert fields["column1"]["max_value"] == "Zoë; the first"
    assert fields["column0"]["type_failures"] == 0


def test_ragged_rows_are_kept_with_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("customer_id,name\n10,Ann\n11\n12,Cy,extra\n13,Di\n")
    tables = audit(tmp_path, [customers("c.csv")])
    assert tables["raw_dataset_profiles"][0]["row_count"] == 2
    rejected = sorted(tables["raw_rejected_rows"], key=lambda r: r["row_number"])
    assert [r["row_number"] for r in rejected] == [3, 4]
    assert rejected[0]["source"].endswith("c.csv") and rejected[0]["column_name"] == "name"
    assert "missing columns" in rejected[0]["reason"]
    # The refused lines are not kept: the dataset has a personal column (name), which a ragged
    # line cannot be told apart from.
    assert all(r["value"] is None or r["value"] != r["value"] for r in rejected)
    assert "too many columns" in rejected[1]["reason"]
    inputs = by(tables["raw_evidence_inputs"], "name")
    assert inputs["customers"]["rows_rejected"] == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty (0 bytes)"),
        (b"customer_id,name\n", "has a header (customer_id, name) but no data rows"),
        (b"customer_id|name\n10|Ann\n", "declare delimiter: '|'"),
        (bz2.compress(CUSTOMERS.encode()), "compressed with bzip2; only gzip is read"),
        (gzip.compress(b""), "gzip file holds no data"),
    ],
    ids=["empty", "header_only", "wrong_delimiter", "bzip2", "empty_gzip"],
)
def test_bad_files_are_unreadable_with_a_clear_reason(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / "bad.csv").write_bytes(content)
    (tmp_path / "good.csv").write_text(CUSTOMERS)
    extra = {"delimiter": ","} if "delimiter" in expected else {}
    bad = customers("bad.csv", **extra) | {"name": "bad"}
    tables = audit(tmp_path, [bad, customers("good.csv")])
    inputs = by(tables["raw_evidence_inputs"], "name")
    assert inputs["bad"]["status"] == "unreadable"
    assert expected in inputs["bad"]["error"], inputs["bad"]["error"]
    assert "bad.csv" in inputs["bad"]["source"]
    assert inputs["customers"]["status"] == "ok"  # the other dataset goes on


def test_a_wrong_delimiter_names_the_likely_one(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("customer_id;name\n10;Ann\n")
    tables = audit(tmp_path, [customers("c.csv", delimiter=",")])
    error = tables["raw_evidence_inputs"][0]["error"]
    assert "declared delimiter ','" in error and "delimiter: ';'" in error


def test_unparsable_timestamps_and_a_missing_field_are_named(tmp_path: Path) -> None:
    (tmp_path / "o.csv").write_text(
        "order_id,created_at\n1,2026-11-20T10:00:00Z\n2,yesterday\n3,2026-13-45\n"
    )
    dataset = {
        "name": "orders",
        "source": "o.csv",
        "field_map": {
            "fields": {"order_id": {"type": "integer"}, "created_at": {"type": "timestamp"},
                       "status": {}},
            "timestamp": "created_at",
        },
    }  # fmt: skip
    tables = audit(tmp_path, [dataset])
    fields = by(tables["raw_field_profiles"], "field")
    assert fields["created_at"]["type_failures"] == 2
    assert sorted(json.loads(fields["created_at"]["examples"])["type_failures"]) == [
        "2026-13-45",
        "yesterday",
    ]
    assert tables["raw_dataset_profiles"][0]["newest_timestamp"] == datetime(
        2026, 11, 20, 10, tzinfo=UTC
    )
    missing = [r for r in tables["raw_rejected_rows"] if r["column_name"] == "status"]
    assert missing and "needs field 'status', which is missing" in missing[0]["reason"]


# --- S3 ------------------------------------------------------------------------------------


@pytest.fixture
def s3(s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh bucket on the real endpoint; credentials and endpoint as a user sets them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_endpoint.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_endpoint.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", s3_endpoint.region)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint.url)
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    client = boto3.client("s3", endpoint_url=s3_endpoint.url)
    bucket = f"b{tmp_path.name.replace('_', '-').lower()[-40:]}".strip("-")
    client.create_bucket(Bucket=bucket)
    client.bucket = bucket
    yield client
    get_settings.cache_clear()


def test_s3_object_and_prefix_are_audited_like_files(s3: Any, tmp_path: Path) -> None:
    s3.put_object(Bucket=s3.bucket, Key="shop/orders.csv", Body=ORDERS.encode())
    s3.put_object(
        Bucket=s3.bucket, Key="crm/customers/part-1.csv", Body=b"customer_id,name\n10,A\n"
    )
    s3.put_object(
        Bucket=s3.bucket, Key="crm/customers/part-2.csv", Body=b"customer_id,name\n11,B\n"
    )
    tables = audit(
        tmp_path,
        [orders(f"s3://{s3.bucket}/shop/orders.csv"), customers(f"s3://{s3.bucket}/crm/customers")],
    )
    assert_orders_measured(tables)
    inputs = by(tables["raw_evidence_inputs"], "name")
    assert inputs["customers"]["rows_read"] == 2
    assert inputs["orders"]["source"] == f"s3://{s3.bucket}/shop/orders.csv"


def test_s3_listing_is_paginated(s3: Any) -> None:
    for i in range(5):
        s3.put_object(Bucket=s3.bucket, Key=f"p/{i}.csv", Body=b"a\n1\n")
    pages: list[int] = []
    client = s3_source.client()
    client.meta.events.register(
        "after-call.s3.ListObjectsV2", lambda parsed, **_: pages.append(parsed.get("KeyCount", 0))
    )
    objects = s3_source.list_objects(client, s3.bucket, "p/", page_size=2)
    assert [o.key for o in objects] == [f"p/{i}.csv" for i in range(5)]
    assert pages == [2, 2, 1]


def test_s3_unchanged_object_is_not_downloaded_again(s3: Any, tmp_path: Path) -> None:
    url = f"s3://{s3.bucket}/c.csv"
    s3.put_object(Bucket=s3.bucket, Key="c.csv", Body=CUSTOMERS.encode())
    first = s3_source.fetch(url)
    again = s3_source.fetch(url)
    assert (first.downloaded, again.downloaded, again.reused) == (1, 0, 1)
    assert again.files == first.files
    s3.put_object(Bucket=s3.bucket, Key="c.csv", Body=(CUSTOMERS + "12,Cy\n").encode())
    changed = s3_source.fetch(url)
    assert changed.downloaded == 1 and changed.files != first.files
    assert changed.files[0].read_text().endswith("12,Cy\n")
    assert not first.files[0].exists()  # the old version is not kept


def test_s3_endpoint_setting_wins(
    s3: Any, monkeypatch: pytest.MonkeyPatch, s3_endpoint: S3Endpoint
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("READINESS_S3_ENDPOINT_URL", s3_endpoint.url)
    get_settings.cache_clear()
    s3.put_object(Bucket=s3.bucket, Key="c.csv", Body=CUSTOMERS.encode())
    assert s3_source.fetch(f"s3://{s3.bucket}/c.csv").downloaded == 1


def test_s3_errors_are_clear(s3: Any, tmp_path: Path) -> None:
    s3.put_object(Bucket=s3.bucket, Key="empty.csv", Body=b"")
    cases = {
        f"s3://{s3.bucket}/missing.csv": "no such object",
        f"s3://no-such-bucket-{s3.bucket}/x.csv": "the bucket does not exist",
        f"s3://{s3.bucket}/empty.csv": "the object is empty (0 bytes)",
    }
    for url, expected in cases.items():
        with pytest.raises(EvidenceError, match=re.escape(expected)) as caught:
            s3_source.fetch(url)
        assert caught.value.source.startswith("s3://")
    tables = audit(tmp_path, [customers(f"s3://{s3.bucket}/missing.csv")])
    row = tables["raw_evidence_inputs"][0]
    assert row["status"] == "unreadable" and "no such object" in row["error"]


def test_s3_access_denied_and_bad_credentials(
    s3: Any, s3_endpoint: S3Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3.put_object(Bucket=s3.bucket, Key="c.csv", Body=CUSTOMERS.encode())
    iam = boto3.client("iam", endpoint_url=s3_endpoint.url)
    user = f"reader-{s3.bucket}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    # The real server checks signatures and IAM policies from now on (moto's auth switch).
    previous = requests.post(f"{s3_endpoint.url}/moto-api/reset-auth", data=b"0", timeout=5)
    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        with pytest.raises(EvidenceError, match="access denied"):
            s3_source.fetch(f"s3://{s3.bucket}/c.csv")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOTAREALKEY00000")
        with pytest.raises(EvidenceError, match="bad credentials"):
            s3_source.fetch(f"s3://{s3.bucket}/c.csv")
    finally:
        restore = str(previous.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]).encode()
        requests.post(f"{s3_endpoint.url}/moto-api/reset-auth", data=restore, timeout=5)


# --- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def shop(postgres_database: PostgresDatabase) -> PostgresDatabase:
    """The orders of the file tests as real PostgreSQL tables (typed and text)."""
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute(
            "create table orders (order_id int, customer_id int, status text, amount text,"
            " email text, created_at timestamptz)"
        )
        con.execute(
            "insert into orders values"
            " (1, 10, 'shipped', '10.5', 'a@x.com', '2026-11-20T10:00:00Z'),"
            " (2, 10, 'shipped', '20', 'b@x.com', '2026-11-20T09:00:00Z'),"
            " (2, 11, 'lost', '-5', 'not-an-email', '2026-11-10T09:00:00Z'),"
            " (3, 99, '', 'abc', null, '2026-11-19T09:00:00Z'),"
            " (4, null, 'pending', '30', 'c@x.com', null)"
        )
        con.execute("create schema crm")
        con.execute("create table crm.customers (customer_id int primary key, name text)")
        con.execute("insert into crm.customers values (10, 'Ann'), (11, 'Bob')")
    return postgres_database


def test_postgres_table_and_query_are_measured_in_postgres(
    shop: PostgresDatabase, tmp_path: Path
) -> None:
    tables = audit(
        tmp_path,
        [
            orders(shop.url, table="orders"),
            customers(shop.url, query="select customer_id, name from crm.customers"),
        ],
    )
    assert_orders_measured(tables)
    fields = by([f for f in tables["raw_field_profiles"] if f["dataset"] == "orders"], "field")
    assert fields["amount"]["type_failures"] == 1  # 'abc', judged by its text form
    assert fields["status"]["empty_count"] == 1
    assert json.loads(fields["status"]["examples"]) == {"not_allowed": ["lost"]}
    assert json.loads(fields["status"]["top_values"])[0] == {"value": "shipped", "count": 2}
    rules = by(tables["raw_dataset_rules"], "rule")
    assert rules["positive"]["violations"] == 0


POC_ORDERS = """order_id,customer_id,status,amount,email,created_at
1,10,shipped,5,a@x.com,2026-11-20T10:00:00Z
2,10,pending,15,b@x.com,2026-11-20T09:00:00Z
3,11,shipped,25,c@x.com,2026-11-19T09:00:00Z
4,11,shipped,8,d@x.com,2026-11-19T08:00:00Z
"""


def test_postgres_production_is_compared_with_its_poc_sample_where_it_lives(
    shop: PostgresDatabase, tmp_path: Path
) -> None:
    """The POC comparison's metrics pushed down to PostgreSQL give the file's figures."""
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "poc.csv").write_text(POC_ORDERS)
    drift = {}
    for where, source in [
        ("postgres", orders(shop.url, table="orders")),
        ("file", orders("orders.csv")),
    ]:
        source["field_map"] = {**source["field_map"], "rules": [], "relationships": []}
        tables = audit(tmp_path, [{**source, "poc_sample": "poc.csv"}])
        drift[where] = by(tables["raw_poc_drift"], "field")
    pg, file = drift["postgres"], drift["file"]
    for field in ("order_id", "customer_id", "amount"):  # numbers between the POC's deciles
        assert pg[field]["psi"] == file[field]["psi"] and pg[field]["psi"] > 0
        assert pg[field]["poc_null_rate"] == file[field]["poc_null_rate"]
        assert pg[field]["prod_null_rate"] == file[field]["prod_null_rate"]
    assert file["customer_id"]["prod_null_rate"] == 0.2
    # PostgreSQL keeps the empty status ('' is a value there; the CSV reads it as NULL).
    assert pg["status"]["unseen_categories"] == 2 and file["status"]["unseen_categories"] == 1
    assert json.loads(pg["status"]["unseen_examples"]) == ["", "lost"]
    assert json.loads(file["status"]["unseen_examples"]) == ["lost"]
    assert pg["status"]["psi"] > 0.25 and file["status"]["psi"] > 0.25


def test_postgres_relationship_with_a_file_moves_values_in_batches(
    shop: PostgresDatabase, tmp_path: Path
) -> None:
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    tables = audit(tmp_path, [orders(shop.url, table="orders"), customers("customers.csv")])
    relation = by(tables["raw_dataset_rules"], "rule")["customer_id -> customers.customer_id"]
    assert (relation["violations"], relation["rows_checked"]) == (1, 4)


def test_postgres_problems_are_clear_and_never_show_the_password(
    shop: PostgresDatabase, tmp_path: Path
) -> None:
    wrong = shop.url.replace("postgres:postgres@", "postgres:wrong-secret@")
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    tables = audit(
        tmp_path,
        [
            customers(shop.url, table="no_such_table") | {"name": "missing"},
            customers(wrong, table="orders") | {"name": "denied"},
            customers(shop.url, query="select nonsense from orders") | {"name": "broken"},
            customers("customers.csv"),
        ],
    )
    inputs = by(tables["raw_evidence_inputs"], "name")
    assert "the table no_such_table does not exist" in inputs["missing"]["error"]
    assert "cannot connect" in inputs["denied"]["error"]
    assert "the query fails" in inputs["broken"]["error"]
    assert inputs["customers"]["status"] == "ok"
    text = json.dumps(tables, default=str)
    assert "wrong-secret" not in text and ":postgres@" not in text
    assert ":***@" in inputs["denied"]["source"]


# --- Parquet statistics --------------------------------------------------------------------


def test_parquet_statistics_answer_exactly_what_the_scan_would(tmp_path: Path) -> None:
    import duckdb

    from flows.config import FieldMap, FieldSpec
    from flows.evidence.data_audit import measure_fields
    from flows.sources.scan import DuckDBScan, audit_connection, open_scan

    target = tmp_path / "t.parquet"
    duckdb.sql(
        "copy (select case when i % 7 = 0 then null else i end as n, "
        "case when i % 5 = 0 then null else 'v' || (i % 13) end as s, "
        "timestamp '2026-01-01' + to_seconds(i) as ts, i % 2 = 0 as b, i / 3.0 as d "
        f"from range(5000) as t(i)) to '{target}' (format parquet, row_group_size 1000)"
    )
    con = audit_connection(tmp_path)
    scan = open_scan(con, "t", parse_source(str(target)), tmp_path)
    assert isinstance(scan, DuckDBScan)
    stats = scan.statistics()
    assert set(stats) == {"n", "s", "ts", "b", "d"}
    field_map = FieldMap(fields={c: FieldSpec() for c in scan.columns})
    with_stats, _ = measure_fields(scan, field_map)
    scan.parquet_files = []  # the same measurement, every number from the scan
    without, _ = measure_fields(scan, field_map)
    assert with_stats == without
    by_field = {f["field"]: f for f in with_stats}
    assert by_field["n"]["null_count"] == 715 and by_field["n"]["max_value"] == "4999"
    assert json.loads(by_field["b"]["top_values"]) == [
        {"value": "false", "count": 2500},
        {"value": "true", "count": 2500},
    ]
    assert by_field["ts"]["top_values"] is None  # 5000 distinct values: no top values


def test_postgres_text_columns_are_checked_by_the_form_of_each_declared_type(
    postgres_database: PostgresDatabase, tmp_path: Path
) -> None:
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute("create table t (b text, i text, n text, d text, ts text)")
        con.execute(
            "insert into t values ('True', '12', '-1.5e3', '2026-11-20', '2026-11-20 10:00:00+02'),"
            " ('no', ' 7 ', '.5', '2026-11-20', '2026-11-20T08:00:00Z'),"
            " ('maybe', '1.5', 'abc', '20/11/2026', 'yesterday')"
        )
    dataset = {
        "name": "t",
        "source": postgres_database.url,
        "table": "t",
        "field_map": {
            "fields": {
                "b": {"type": "boolean"},
                "i": {"type": "integer"},
                "n": {"type": "number"},
                "d": {"type": "date"},
                "ts": {"type": "timestamp"},
            },
            "timestamp": "ts",
        },
    }
    tables = audit(tmp_path, [dataset])
    fields = by(tables["raw_field_profiles"], "field")
    failures = {
        name: (f["type_failures"], json.loads(f["examples"])["type_failures"])
        for name, f in fields.items()
    }
    assert failures == {
        "b": (1, ["maybe"]),
        "i": (1, ["1.5"]),
        "n": (1, ["abc"]),
        "d": (1, ["20/11/2026"]),
        "ts": (1, ["yesterday"]),
    }
    profile = tables["raw_dataset_profiles"][0]
    assert profile["newest_timestamp"] == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_postgres_source_names_its_password_instead_of_holding_it(
    shop: PostgresDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_DB_PASSWORD", "postgres")
    # Project files may name only the secrets the operator lists (and a missing one is named).
    monkeypatch.setenv("READINESS_SOURCE_SECRETS", "SHOP_DB_PASSWORD,NO_SUCH_PASSWORD")
    get_settings.cache_clear()
    named = shop.url.replace("postgres:postgres@", "postgres:${SHOP_DB_PASSWORD}@")
    monkeypatch.delenv("NO_SUCH_PASSWORD", raising=False)
    unset = shop.url.replace("postgres:postgres@", "postgres:${NO_SUCH_PASSWORD}@")
    tables = audit(
        tmp_path,
        [
            orders(named, table="orders"),
            customers(unset, table="crm.customers"),
        ],
    )
    inputs = by(tables["raw_evidence_inputs"], "name")
    assert inputs["orders"]["status"] == "ok"
    assert "environment variable NO_SUCH_PASSWORD is not set" in inputs["customers"]["error"]
    assert ":postgres@" not in json.dumps(tables, default=str)  # the resolved password


def test_s3_keys_from_settings_and_a_prefect_secret_block(
    prefect_server: None, s3: Any, s3_endpoint: S3Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    s3.put_object(Bucket=s3.bucket, Key="c.csv", Body=CUSTOMERS.encode())
    iam = boto3.client("iam", endpoint_url=s3_endpoint.url)
    user = f"assessor-{s3.bucket}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="read-evidence",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    block = f"s3-key-{s3.bucket}"
    Secret(value=key["SecretAccessKey"]).save(block)
    previous = requests.post(f"{s3_endpoint.url}/moto-api/reset-auth", data=b"0", timeout=5)
    try:
        # The environment's keys are wrong; the settings' keys (secret from the block) win.
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOTAREALKEY00000")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
        monkeypatch.setenv("READINESS_S3_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("READINESS_S3_SECRET_ACCESS_KEY", f"${{secret:{block}}}")
        get_settings.cache_clear()
        assert s3_source.fetch(f"s3://{s3.bucket}/c.csv").files
        monkeypatch.setenv("READINESS_S3_SECRET_ACCESS_KEY", "not-the-secret")
        get_settings.cache_clear()
        with pytest.raises(EvidenceError, match="bad credentials"):
            s3_source.fetch(f"s3://{s3.bucket}/c.csv")
    finally:
        restore = str(previous.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]).encode()
        requests.post(f"{s3_endpoint.url}/moto-api/reset-auth", data=restore, timeout=5)
        get_settings.cache_clear()
