"""The real outside services the other tests rely on answer as expected."""

from __future__ import annotations

import boto3
import psycopg

from tests.services import PostgresDatabase, S3Endpoint


def test_postgres_database_is_fresh_and_writable(postgres_database: PostgresDatabase) -> None:
    with psycopg.connect(postgres_database.url) as con:
        con.execute("create table t (x int)")
        con.execute("insert into t values (1), (2)")
        assert con.execute("select sum(x) from t").fetchone() == (3,)


def test_s3_endpoint_is_a_real_http_server(s3_endpoint: S3Endpoint) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint.url,
        region_name=s3_endpoint.region,
        aws_access_key_id=s3_endpoint.access_key,
        aws_secret_access_key=s3_endpoint.secret_key,
    )
    s3.create_bucket(Bucket="smoke")
    s3.put_object(Bucket="smoke", Key="a.csv", Body=b"x\n1\n")
    assert s3.get_object(Bucket="smoke", Key="a.csv")["Body"].read() == b"x\n1\n"
