"""Bytes transferred by S3 ranged reads of a Parquet object, against the object's size.

Starts moto's S3 server on a free local port, uploads a Parquet file of ``--rows`` rows (six
columns, DuckDB's writer, row groups of 1M rows) and reads it through
:func:`flows.sources.s3_ranged.partial_copy`: the statistics only, one column, two columns and
every column, then the whole download (:func:`flows.sources.s3.fetch`). Each reading starts from
an empty cache; botocore's own count of what each GET answered (Content-Length) is checked
against the reading's count, and the DuckDB figures from each copy against the whole file's.

    uv run python benchmarks/s3/run.py --rows 5000000
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

READINGS: dict[str, list[str] | None] = {
    "statistics only": [],
    "one column (amount)": ["amount"],
    "two columns (amount, created_at)": ["amount", "created_at"],
    "every column": ["order_id", "customer", "amount", "digest", "note", "created_at"],
    "whole download (fetch)": None,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    import logging

    import boto3
    import duckdb
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    work = Path(tempfile.mkdtemp(prefix="readiness-s3-bench-"))
    os.environ |= {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "READINESS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    from core.settings import get_settings
    from flows.sources import s3 as s3_source
    from flows.sources import s3_ranged

    try:
        local = work / "orders.parquet"
        con = duckdb.connect()
        con.execute(
            "copy (select i as order_id, 'customer ' || (i * 7919 % 50021) as customer, "
            "case when i % 10 = 0 then null else round(i % 1000 / 7, 2) end as amount, "
            "md5(i::varchar) as digest, repeat('x', (i % 40)::int) || i as note, "
            "timestamp '2026-01-01' + to_seconds(i) as created_at "
            f"from range({args.rows}) t(i)) to '{local}' (format parquet)"
        )
        client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}")
        client.create_bucket(Bucket="bench")
        client.upload_file(str(local), "bench", "orders.parquet")
        url = "s3://bench/orders.parquet"
        size = local.stat().st_size
        print(
            f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, DuckDB {duckdb.__version__}, moto server; load "
            f"{os.getloadavg()[0]:.1f}; {args.rows:,} rows x 6 columns, object {size:,} bytes"
        )
        print("\n| reading | bytes transferred | of the object | GET requests | seconds |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for name, columns in READINGS.items():
            os.environ["READINESS_HOME"] = str(work / name.split()[0])
            get_settings.cache_clear()
            got: list[int] = []
            s3 = s3_source.client()
            s3.meta.events.register(
                "after-call.s3.GetObject",
                lambda parsed, got=got, **_: got.append(int(parsed["ContentLength"])),
            )
            started = time.perf_counter()
            if columns is None:
                # download_file (its own client): the whole object, in parts of 8 MB.
                transferred = s3_source.fetch(url).files[0].stat().st_size
                requests = -(-transferred // (8 * 1024**2))
            else:
                copy = s3_ranged.partial_copy(url, columns, s3=s3)
                assert copy.transferred == sum(got), (copy.transferred, got)
                transferred, requests = copy.transferred, copy.requests
                if not columns:
                    sql = "select * exclude (file_name) from parquet_metadata('{}') order by all"
                    assert con.execute(sql.format(copy.path)).fetchall() == (
                        con.execute(sql.format(local)).fetchall()
                    ), name
                else:
                    measures = ", ".join(f"min({c}), max({c}), count({c})" for c in columns)
                    sql = f"select count(*), {measures} from read_parquet('{{}}')"
                    assert con.execute(sql.format(copy.path)).fetchall() == (
                        con.execute(sql.format(local)).fetchall()
                    ), name
            seconds = time.perf_counter() - started
            print(
                f"| {name} | {transferred:,} | {transferred / size:.2%} | {requests} | "
                f"{seconds:.2f} |"
            )
        con.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
