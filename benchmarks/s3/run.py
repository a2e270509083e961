"""Bytes transferred by S3 ranged reads of a Parquet object, against the object's size.

Starts moto's S3 server on a free local port, uploads a Parquet file of ``--rows`` rows (six
columns, DuckDB's writer, row groups of 1M rows) and reads it through
:func:`flows.sources.s3_ranged.partial_copy`: the statistics only, one column, two columns and
every column, then the whole download (:func:`flows.sources.s3.fetch`), then the data audit of
the object (``audit``: :func:`flows.evidence.data_audit.collect_datasets` with a field map of
three fields, which reads the object in ranges), its raw rows checked equal to those of the same
audit of the whole download. Each reading starts from an empty cache; botocore's own count of what
each GET answered (Content-Length) is checked against the reading's count, and the DuckDB figures
from each copy against the whole file's.

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
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

READINGS: dict[str, list[str] | None] = {
    "statistics only": [],
    "one column (amount)": ["amount"],
    "two columns (amount, created_at)": ["amount", "created_at"],
    "every column": ["order_id", "customer", "amount", "digest", "note", "created_at"],
    "whole download (fetch)": None,
    "audit": None,
}
#: The audit's field map: three fields; the other columns are text, sampled for personal values.
FIELD_MAP = {
    "fields": {
        "order_id": {"type": "integer"},
        "amount": {"type": "number", "min": 0, "max": 200},
        "created_at": {"type": "timestamp"},
    },
    "key": ["order_id"],
    "timestamp": "created_at",
    "max_age": "30d",
}


def audit(url: str, folder: Path) -> dict[str, Any]:
    """The raw rows of the data audit of the object (a project of one dataset)."""
    from flows.config import LoadedProject, Project
    from flows.evidence import Context
    from flows.evidence.data_audit import collect_datasets

    dataset = {"name": "orders", "source": url, "field_map": FIELD_MAP}
    data = {"id": "bench", "name": "Bench", "evidence": {"datasets": [dataset]}}
    project = LoadedProject(path=folder / "project.yml", project=Project.model_validate(data))
    context = Context("bench", "bench", datetime(2026, 12, 1, tzinfo=UTC))
    return collect_datasets(context, project).tables


def counted(client: Any, got: list[int]) -> Any:
    """An S3 client whose GETs' bytes (botocore's Content-Length) are added to ``got``."""
    client.meta.events.register(
        "after-call.s3.GetObject",
        lambda parsed, **_: got.append(int(parsed["ContentLength"])),
    )
    return client


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
        # One thread per audit: the examples a bounded query keeps are the same rows each time.
        "READINESS_DUCKDB_THREADS": "1",
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
        notes: list[str] = []
        for name, columns in READINGS.items():
            os.environ["READINESS_HOME"] = str(work / name.split()[0])
            get_settings.cache_clear()
            got: list[int] = []
            s3 = counted(s3_source.client(), got)
            if name == "audit":  # every client the audit makes counts what it receives
                made = s3_source.client
                s3_source.client = lambda *a, made=made, got=got, **k: counted(made(*a, **k), got)
            started = time.perf_counter()
            if name == "audit":
                ranged = audit(url, work)
                transferred, requests = sum(got), len(got)
                seconds = time.perf_counter() - started
                s3_ranged.audit_object = lambda url, fmt: None  # the same audit, downloaded
                os.environ["READINESS_HOME"] = str(work / "audit-whole")
                get_settings.cache_clear()
                whole = audit(url, work)
                # The object was uploaded in parts (no full-object checksum): the ranged reading
                # records its ETag and size, the download the sha256 of the file.
                hashes = [t["raw_evidence_inputs"][0].pop("fingerprint") for t in (ranged, whole)]
                assert whole == ranged, "the audit in ranges differs from the download's"
                inputs = ranged["raw_evidence_inputs"][0]
                assert inputs["status"] == "ok" and inputs["rows_read"] == args.rows, inputs
                notes.append(f"audit: recorded hash {hashes[0]} (downloaded: sha256 {hashes[1]})")
            elif columns is None:
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
            seconds = seconds if name == "audit" else time.perf_counter() - started
            print(
                f"| {name} | {transferred:,} | {transferred / size:.2%} | {requests} | "
                f"{seconds:.2f} |"
            )
        con.close()
        print("\n".join(["", *notes]))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
