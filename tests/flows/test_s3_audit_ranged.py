"""The data audit of a Parquet object on S3 (moto's real server) reads it in ranges: the footer and
the columns the audit scans, never the others; every raw row equals the whole download's audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.settings import get_settings
from flows.config import LoadedProject, Project, fingerprint_file
from flows.evidence import Context, data_audit
from flows.sources import s3 as s3_source
from flows.sources import s3_ranged
from tests.services import S3Endpoint

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ROWS = 200_000


@pytest.fixture
def s3(s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A bucket with orders (two wide columns no field names) and customers, as Parquet."""
    # One thread: the examples a bounded query keeps are the same rows every time.
    monkeypatch.setenv("READINESS_DUCKDB_THREADS", "1")
    client = s3_endpoint.bucket(tmp_path, monkeypatch, "a")
    bucket = client.bucket
    con = duckdb.connect()
    orders, customers = tmp_path / "orders.parquet", tmp_path / "customers.parquet"
    con.execute(
        "copy (select i % 199990 as order_id, i % 5003 as customer_id, "
        "['new', 'paid', 'lost', ''][1 + i % 4] as status, "
        "case when i % 11 = 0 then null else round(i % 3000 / 100, 2) end as amount, "
        "timestamp '2026-11-01' + to_seconds(i * 9) as created_at, "
        "'note ' || (i % 97) as note, hash(i) as checksum, random() as score "
        f"from range({ROWS}) t(i)) to '{orders}' (format parquet, row_group_size 50000)"
    )
    con.execute(
        "copy (select i as customer_id, 'segment ' || (i % 7) as segment, i * 1.5 as value "
        f"from range(5000) t(i)) to '{customers}' (format parquet)"
    )
    con.close()
    for key, local in (("shop/orders.parquet", orders), ("crm/customers.parquet", customers)):
        client.put_object(
            Bucket=bucket, Key=key, Body=local.read_bytes(), ChecksumAlgorithm="SHA256"
        )
    client.local = orders
    yield client
    get_settings.cache_clear()


def datasets(bucket: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "orders",
            "source": f"s3://{bucket}/shop/orders.parquet",
            "field_map": {
                "fields": {
                    "order_id": {"type": "integer"},
                    "customer_id": {"type": "integer"},
                    "status": {"allowed": ["new", "paid"]},
                    "amount": {"type": "number", "min": 0, "max": 25},
                    "created_at": {"type": "timestamp"},
                },
                "key": ["order_id"],
                "timestamp": "created_at",
                "max_age": "24h",
                "relationships": [
                    {"field": "customer_id", "dataset": "customers", "to_field": "customer_id"}
                ],
            },
        },
        {
            "name": "customers",
            "source": f"s3://{bucket}/crm/customers.parquet",
            "field_map": {
                "fields": {"customer_id": {"type": "integer"}},
                "rules": [{"name": "valued", "expression": "value >= 0"}],
            },
        },
    ]


def audit(folder: Path, bucket: str) -> dict[str, list[dict[str, Any]]]:
    data = {"id": "p", "name": "P", "evidence": {"datasets": datasets(bucket)}}
    project = LoadedProject(path=folder / "project.yml", project=Project.model_validate(data))
    context = Context("r", "p", AS_OF, "salt")
    return data_audit.collect_datasets(context, project).tables  # every raw row, as written


@pytest.mark.parametrize("many_rows", [False, True], ids=["counted", "many-rows"])
def test_the_audit_reads_the_columns_it_scans_with_the_figures_of_the_download(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, many_rows: bool
) -> None:
    if many_rows:  # read as millions of rows are: distinct values counted where they are few
        monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 1000)
    # What the audit received, counted by botocore itself (each GET's Content-Length).
    got: list[int] = []
    client = s3_source.client

    def counting(*args: Any, **kwargs: Any) -> Any:
        made = client(*args, **kwargs)
        made.meta.events.register(
            "after-call.s3.GetObject", lambda parsed, **_: got.append(int(parsed["ContentLength"]))
        )
        return made

    monkeypatch.setattr(s3_source, "client", counting)
    ranged = audit(tmp_path, s3.bucket)
    read_in_ranges = sum(got)

    monkeypatch.setattr(s3_ranged, "audit_object", lambda url, fmt: None)  # today's download
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "other-home"))
    get_settings.cache_clear()
    got.clear()
    whole = audit(tmp_path, s3.bucket)

    differ = {
        (table, i, k): (a.get(k), b.get(k))
        for table in whole
        for i, (a, b) in enumerate(zip(ranged.get(table, []), whole[table], strict=True))
        for k in a.keys() | b.keys()
        if a.get(k) != b.get(k)
    }
    assert not differ
    assert ranged == whole  # every raw row of every table
    inputs = {row["name"]: row for row in ranged["raw_evidence_inputs"]}
    assert inputs["orders"]["status"] == "ok" and inputs["orders"]["rows_read"] == ROWS
    # The recorded hash: S3's full-object SHA-256 checksum, that of the downloaded file.
    assert inputs["orders"]["fingerprint"] == fingerprint_file(s3.local)
    fields = {r["field"]: r for r in ranged["raw_field_profiles"] if r["dataset"] == "orders"}
    assert fields["status"]["distinct_count"] == 4  # few values: counted, either way
    assert fields["order_id"]["distinct_count"] == 199990  # the key, by its grouping
    created = fields["created_at"]
    if many_rows:  # every timestamp differs: not counted, one value at least
        assert (created["distinct_count"], created["distinct_at_least"]) == (None, 1)
    else:
        assert (created["distinct_count"], created["distinct_at_least"]) == (ROWS, None)
    profiles = {row["dataset"]: row for row in ranged["raw_dataset_profiles"]}
    assert profiles["orders"]["duplicate_key_rows"] == 10
    size = sum(
        s3.head_object(Bucket=s3.bucket, Key=k)["ContentLength"]
        for k in ("shop/orders.parquet", "crm/customers.parquet")
    )
    # The two columns no field, rule or relationship reads (a hash, a random double) and the
    # sampled note are most of the object: they never crossed the network, the download did.
    assert read_in_ranges < size * 0.6, (read_in_ranges, size)
    assert sum(got) >= size


def test_an_object_replaced_between_its_footer_and_its_columns_is_unreadable(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locate = data_audit.locate_source

    def then_replaced(project: Any, dataset: Any, poc: bool = False) -> Any:
        located = locate(project, dataset, poc)
        if dataset.name == "orders":  # another version lands after the footer was read
            s3.put_object(
                Bucket=s3.bucket, Key="shop/orders.parquet", Body=s3.local.read_bytes()[:-1] + b"X"
            )
        return located

    monkeypatch.setattr(data_audit, "locate_source", then_replaced)
    tables = audit(tmp_path, s3.bucket)
    inputs = {row["name"]: row for row in tables["raw_evidence_inputs"]}
    assert inputs["orders"]["status"] == "unreadable"
    assert "the object changed while it was read" in inputs["orders"]["error"]
    assert inputs["customers"]["status"] == "ok"  # the other dataset goes on
    profile = {row["dataset"]: row for row in tables["raw_dataset_profiles"]}["orders"]
    assert not profile["readable"] and profile["row_count"] is None
    assert not [r for r in tables.get("raw_field_profiles", []) if r["dataset"] == "orders"]


def damaged(body: bytes, how: str) -> bytes:
    """The orders object damaged in one way: truncated, its footer garbled, or its data cut."""
    length = int.from_bytes(body[-8:-4], "little")
    if how == "truncated":  # the upload stopped early: no footer at the end
        return body[: len(body) // 2]
    if how == "footer":  # the footer's bytes are not Parquet metadata (a value where it was)
        garbage = (b"jane.doe@example.com " * (length // 21 + 1))[:length]
        return body[: -8 - length] + garbage + body[-8:]
    # the footer is intact but points past the data that is left (a part of the middle lost)
    return body[:4] + body[4 + 100_000 :]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("truncated", "no Parquet footer at its end"),
        ("footer", "cannot be read as Parquet metadata"),
        ("cut", "outside the data part of the object"),
    ],
)
def test_a_damaged_footer_is_unreadable_with_what_was_expected(
    s3: Any, tmp_path: Path, how: str, expected: str
) -> None:
    body = damaged(s3.local.read_bytes(), how)
    s3.put_object(Bucket=s3.bucket, Key="shop/orders.parquet", Body=body)
    tables = audit(tmp_path, s3.bucket)  # the run goes on: no exception
    inputs = {row["name"]: row for row in tables["raw_evidence_inputs"]}
    orders = inputs["orders"]
    assert orders["status"] == "unreadable"
    assert orders["source"] == f"s3://{s3.bucket}/shop/orders.parquet"  # the object named
    assert expected in orders["error"], orders["error"]
    assert "damaged or truncated" in orders["error"] or "truncated" in orders["error"]
    text = repr(tables)
    assert "jane.doe" not in text and "PyArrow" not in text and "Arrow" not in text
    assert inputs["customers"]["status"] == "ok"  # the other dataset goes on
    profile = {row["dataset"]: row for row in tables["raw_dataset_profiles"]}["orders"]
    assert not profile["readable"] and expected in profile["error"]
