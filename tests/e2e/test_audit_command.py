"""`readiness audit SOURCE` as a person runs it: on files, a real S3 endpoint and a real PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from flows.cli import app
from tests.services import PostgresDatabase, S3Endpoint

runner = CliRunner()
ORDERS = """order_id,region,amount,created_at
1,eu,10.5,2026-11-20T10:00:00Z
2,eu,,2026-11-20T09:00:00Z
2,us,7,2026-11-10T09:00:00Z
3,,12,
"""


def run(*args: str) -> Any:
    return runner.invoke(app, ["audit", *args])


def columns(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in document["columns"]}


def check_orders(document: dict[str, Any]) -> None:
    """The same numbers from every source."""
    assert document["rows"] == 4
    cols = columns(document)
    assert list(cols) == ["order_id", "region", "amount", "created_at"]
    for column in cols.values():
        assert {"name", "type", "nulls", "null_rate", "distinct", "min", "max"} <= set(column)
    assert (cols["amount"]["nulls"], cols["amount"]["null_rate"]) == (1, 0.25)
    assert cols["region"]["nulls"] + cols["region"]["empty"] == 1
    assert cols["order_id"]["distinct"] == 3 and cols["order_id"]["distinct_at_least"] is None
    assert (cols["order_id"]["min"], cols["order_id"]["max"]) == ("1", "3")
    assert float(cols["amount"]["max"]) == 12
    assert document["duplicates"] == {
        "key": ["order_id"],
        "duplicate_rows": 1,
        "examples": [{"key": {"order_id": "2"}, "rows": 2}],
    }
    fresh = document["freshness"]
    assert fresh["column"] == "created_at"
    newest = datetime.fromisoformat(fresh["max"])
    assert newest == datetime(2026, 11, 20, 10, tzinfo=UTC)
    expected_age = (datetime.now(UTC) - newest).total_seconds()
    assert abs(fresh["age_seconds"] - expected_age) < 120


def test_audit_a_csv_file_as_json(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text(ORDERS)
    result = run(
        str(tmp_path / "orders.csv"), "--key", "order_id", "--timestamp", "created_at", "--json"
    )
    assert result.exit_code == 0, result.output
    check_orders(json.loads(result.stdout))


def test_audit_a_composite_key_and_max_age(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text(ORDERS)
    result = run(
        str(tmp_path / "orders.csv"), "--key", "order_id,region", "--timestamp", "created_at",
        "--max-age", "7d", "--json",
    )  # fmt: skip
    document = json.loads(result.stdout)
    assert document["duplicates"] == {
        "key": ["order_id", "region"],
        "duplicate_rows": 0,
        "examples": [],
    }
    assert document["freshness"]["max_age_seconds"] == 7 * 86400


def test_audit_a_glob_of_parquet_files(tmp_path: Path) -> None:
    import duckdb

    (tmp_path / "orders.csv").write_text(ORDERS)
    for part, where in (("a", "order_id <= 2"), ("b", "order_id > 2")):
        duckdb.sql(
            f"copy (select * from read_csv('{tmp_path / 'orders.csv'}') where {where}) "
            f"to '{tmp_path / f'part-{part}.parquet'}' (format parquet)"
        )
    result = run(
        str(tmp_path / "part-*.parquet"), "--key", "order_id", "--timestamp", "created_at", "--json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    check_orders(document)  # two files, one dataset


def test_audit_prints_a_readable_table(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text(ORDERS)
    result = run(
        str(tmp_path / "orders.csv"),
        "--key",
        "order_id",
        "--timestamp",
        "created_at",
        "--max-age",
        "1h",
    )
    assert result.exit_code == 0, result.output
    assert "4 rows" in result.stdout
    assert "order_id" in result.stdout and "null %" in result.stdout and "25.0%" in result.stdout
    assert "duplicate key rows (order_id): 1" in result.stdout
    assert "STALE" in result.stdout


def test_audit_of_many_rows_says_which_distinct_values_it_did_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the rows counted field by field, a field of many values is not counted: said so."""
    monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 100)
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", 50)
    lines = ["order_id,region,code"] + [f"{i},{['eu', 'us'][i % 2]},c{i}" for i in range(500)]
    (tmp_path / "orders.csv").write_text("\n".join(lines) + "\n")
    result = run(str(tmp_path / "orders.csv"), "--key", "order_id", "--json")
    cols = columns(json.loads(result.stdout))
    assert (cols["region"]["distinct"], cols["region"]["distinct_at_least"]) == (2, None)
    assert (cols["code"]["distinct"], cols["code"]["distinct_at_least"]) == (None, 50)
    assert cols["order_id"]["distinct"] == 500  # the key, by its grouping
    table = run(str(tmp_path / "orders.csv"), "--key", "order_id").stdout
    assert ">= 50" in table and "not counted, never estimated" in table


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["{tmp}/nowhere.csv"], 1, "cannot audit {tmp}/nowhere.csv: file not found"),
        (["{tmp}/empty.csv"], 1, "the file is empty (0 bytes)"),
        (["{tmp}/header.csv"], 1, "has a header (a, b) but no data rows"),
        (["{tmp}/orders.csv", "--key", "nope"], 2, "--key 'nope' is not a column"),
        (["{tmp}/orders.csv", "--max-age", "1h"], 2, "--max-age needs --timestamp"),
        (
            ["{tmp}/orders.csv", "--timestamp", "created_at", "--max-age", "soon"],
            2,
            "expected a duration",
        ),
        (["postgresql://u:pw@127.0.0.1/db"], 2, "needs exactly one of table or query"),
    ],
)
def test_audit_problems_are_one_clear_line(
    tmp_path: Path, args: list[str], code: int, expected: str
) -> None:
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("a,b\n")
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == code, result.output
    assert expected.format(tmp=tmp_path) in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert ":pw@" not in result.stderr


def test_audit_ragged_rows_are_counted_and_named(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("a,b\n1,2\n3\n4,5\n")
    result = run(str(tmp_path / "r.csv"), "--json")
    document = json.loads(result.stdout)
    assert (document["rows"], document["rejected_rows"]) == (2, 1)
    assert document["rejected_examples"][0]["row"] == 3
    table = run(str(tmp_path / "r.csv"))
    assert "1 rows could not be read" in table.stdout and "row 3, column 'b'" in table.stdout


def test_audit_an_s3_object(
    s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        **s3_endpoint.environment(),
        "READINESS_HOME": str(tmp_path / "home"),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    s3 = boto3.client("s3", endpoint_url=s3_endpoint.url)
    s3.create_bucket(Bucket="audit-cli")
    s3.put_object(Bucket="audit-cli", Key="in/orders.csv", Body=ORDERS.encode())
    try:
        result = run(
            "s3://audit-cli/in/orders.csv",
            "--key",
            "order_id",
            "--timestamp",
            "created_at",
            "--json",
        )
        assert result.exit_code == 0, result.output
        check_orders(json.loads(result.stdout))
        prefix = run("s3://audit-cli/in/", "--json")
        assert json.loads(prefix.stdout)["rows"] == 4
        missing = run("s3://audit-cli/in/nope.csv")
        assert missing.exit_code == 1
        assert "cannot audit s3://audit-cli/in/nope.csv: no such object" in missing.stderr
    finally:
        get_settings.cache_clear()


def test_audit_a_postgres_table_and_query(postgres_database: PostgresDatabase) -> None:
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute(
            "create table orders (order_id int, region text, amount numeric, created_at timestamptz)"
        )
        con.execute(
            "insert into orders values (1, 'eu', 10.5, '2026-11-20T10:00:00Z'),"
            " (2, 'eu', null, '2026-11-20T09:00:00Z'), (2, 'us', 7, '2026-11-10T09:00:00Z'),"
            " (3, null, 12, null)"
        )
    url = postgres_database.url
    result = run(
        url, "--table", "orders", "--key", "order_id", "--timestamp", "created_at", "--json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    check_orders(document)
    assert document["engine"] == "postgres"
    assert ":postgres@" not in result.stdout and ":***@" in document["source"]
    query = run(url, "--query", "select * from orders where region = 'eu'", "--json")
    assert json.loads(query.stdout)["rows"] == 2
    missing = run(url, "--table", "nope")
    assert missing.exit_code == 1
    assert "the table nope does not exist" in missing.stderr and ":postgres@" not in missing.stderr


def test_audit_in_its_own_process(tmp_path: Path) -> None:
    """The installed console script, as a person types it."""
    (tmp_path / "orders.csv").write_text(ORDERS)
    script = Path(sys.executable).parent / "readiness"
    done = subprocess.run(
        [str(script), "audit", str(tmp_path / "orders.csv"), "--key", "order_id",
         "--timestamp", "created_at", "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    check_orders(json.loads(done.stdout))
    failed = subprocess.run(
        [str(script), "audit", str(tmp_path / "missing.csv")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        f"cannot audit {tmp_path / 'missing.csv'}: file not found"
    ]


def test_personal_columns_are_counted_only(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "id,contact,email,note\n1,Ann Lee,ann@x.com,call +49 151 2345 6789\n"
        "1,Bob Ray,bob@x.com,ok\n2,Cy Day,ann@x.com,ok\n"
    )
    result = run(str(tmp_path / "people.csv"), "--key", "email", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    cols = columns(document)
    assert cols["contact"]["personal"] == "detected: name (column name)"
    assert cols["email"]["personal"] == "detected: email (column name)"
    assert cols["note"]["personal"] == "detected: phone (values)"
    assert cols["id"]["personal"] is None and cols["id"]["max"] == "2"
    for name in ("contact", "email", "note"):
        assert cols[name]["min"] is None and cols[name]["max"] is None
        assert cols[name]["distinct"] == {"contact": 3, "email": 2, "note": 2}[name]
    assert document["duplicates"]["examples"] == [{"key": {"email": "a***@x***.com"}, "rows": 2}]
    for text in (result.stdout, run(str(tmp_path / "people.csv"), "--key", "email").stdout):
        assert "Ann" not in text and "ann@" not in text and "151" not in text
    # A column wrongly detected is shown in full when named with --not-personal.
    shown = json.loads(
        run(str(tmp_path / "people.csv"), "--not-personal", "contact", "--json").stdout
    )
    assert columns(shown)["contact"]["personal"] is None
    assert columns(shown)["contact"]["min"] == "Ann Lee"
    table = run(str(tmp_path / "people.csv"), "--personal", "id").stdout
    assert "(personal)" in table and "id (declared)" in table
