"""A Parquet object on S3 read in ranges (moto's real server): the bytes of the columns a reading
does not need never cross the network, and the figures are those of the whole downloaded object."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.errors import EvidenceError
from core.settings import get_settings
from flows.config import fingerprint_file
from flows.sources import s3 as s3_source
from flows.sources import s3_ranged
from tests.services import S3Endpoint

ROWS = 300_000
#: The product's statistics query (DuckDBScan.statistics reads the same table function).
STATISTICS = (
    "select path_in_schema, row_group_id, row_group_num_rows, stats_null_count, "
    "stats_min_value, stats_max_value, min_is_exact, max_is_exact from parquet_metadata('{}') "
    "order by all"
)
AMOUNT = (
    "select count(*), count(amount), sum(amount), min(amount), max(amount), "
    "count(distinct amount) from read_parquet('{}')"
)


@pytest.fixture
def s3(s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh bucket on the real endpoint holding one Parquet object of six columns."""
    client = s3_endpoint.bucket(tmp_path, monkeypatch, "r")
    bucket = client.bucket
    local = tmp_path / "orders.parquet"
    con = duckdb.connect()
    con.execute(
        "copy (select i as order_id, 'customer ' || (i * 7919 % 50021) as customer, "
        "case when i % 10 = 0 then null else round(i % 1000 / 7, 2) end as amount, "
        "md5(i::varchar) as digest, repeat('x', (i % 40)::int) || i as note, "
        "timestamp '2026-01-01' + to_seconds(i) as created_at "
        f"from range({ROWS}) t(i)) to '{local}' (format parquet, row_group_size 60000)"
    )
    con.close()
    body = local.read_bytes()
    client.put_object(Bucket=bucket, Key="orders.parquet", Body=body, ChecksumAlgorithm="SHA256")
    client.put_object(Bucket=bucket, Key="plain.parquet", Body=body)
    yield client
    get_settings.cache_clear()


def answer(sql: str, path: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(config={"threads": 1})  # a float sum in one order: the same every time
    try:
        return con.execute(sql.format(path)).fetchall()
    finally:
        con.close()


def test_statistics_and_one_column_cost_a_fraction_of_the_object(s3: Any) -> None:
    url = f"s3://{s3.bucket}/orders.parquet"
    # What the client received, counted by botocore itself (each GET's Content-Length).
    got: list[int] = []
    client = s3_source.client()
    client.meta.events.register(
        "after-call.s3.GetObject", lambda parsed, **_: got.append(int(parsed["ContentLength"]))
    )
    whole = s3_source.fetch(url).files[0]

    stats = s3_ranged.partial_copy(url, s3=client)
    assert stats.transferred == sum(got) and stats.requests == len(got)
    assert stats.transferred < stats.size / 20, (stats.transferred, stats.size)
    assert answer(STATISTICS, stats.path) == answer(STATISTICS, whole)
    assert stats.path.stat().st_blocks * 512 < stats.size / 4  # sparse: the rest takes no room

    got.clear()
    amount = s3_ranged.partial_copy(url, ["amount"], s3=client)
    assert amount.transferred == sum(got) and 0 < amount.transferred < amount.size / 4
    assert answer(AMOUNT, amount.path) == answer(AMOUNT, whole)
    assert answer(AMOUNT, amount.path)[0][:2] == (ROWS, ROWS - ROWS // 10)

    got.clear()
    again = s3_ranged.partial_copy(url, ["amount"], s3=client)
    assert (again.transferred, got) == (0, [])  # every range is held: nothing is fetched

    # The fingerprint, without reading the object: the hash of the downloaded copy.
    assert s3_ranged.object_fingerprint(url) == fingerprint_file(whole)
    plain = s3_ranged.object_fingerprint(f"s3://{s3.bucket}/plain.parquet")
    etag = s3.head_object(Bucket=s3.bucket, Key="plain.parquet")["ETag"].strip('"')
    assert plain in (fingerprint_file(whole), f"etag:{etag}:{whole.stat().st_size}")


def test_a_replaced_object_or_a_missing_column_is_a_clear_error(s3: Any) -> None:
    url = f"s3://{s3.bucket}/orders.parquet"
    with pytest.raises(EvidenceError, match="no column nope"):
        s3_ranged.partial_copy(url, ["nope"])
    s3.put_object(Bucket=s3.bucket, Key="text.parquet", Body=b"order_id\n1\n2\n3\n4\n5\n")
    with pytest.raises(EvidenceError, match="no Parquet footer"):
        s3_ranged.partial_copy(f"s3://{s3.bucket}/text.parquet")
    with pytest.raises(EvidenceError, match="no such object"):
        s3_ranged.partial_copy(f"s3://{s3.bucket}/gone.parquet")


def test_ranges_are_merged_and_only_the_missing_parts_fetched() -> None:
    assert s3_ranged.merge([(10, 20), (0, 5), (21, 30)], gap=1) == [(0, 5), (10, 30)]
    assert s3_ranged.missing([(0, 100)], [(10, 20), (50, 120)]) == [(0, 10), (20, 50)]
