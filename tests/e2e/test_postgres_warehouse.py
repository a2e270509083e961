"""The shared warehouse end to end: the example portfolio assessed with dbt on a real PostgreSQL
server, one dataset read from S3, gives exactly the results DuckDB gives, readers still open a
DuckDB snapshot, and no planted secret (database password, S3 key, alert token, dashboard password)
is found in the logs, the warehouses, dbt's files or Prefect's artifacts."""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from pathlib import Path
from typing import Any

import boto3
import duckdb
import psycopg
import pytest
import yaml

from tests.conftest import Assessed, assess, copy_examples, kept_environment
from tests.services import PostgresDatabase, S3Endpoint

# What a reader compares: every mart that decides something, keyed without the run id.
COMPARED = {
    "check_results": (
        "select project_id, check_id, gap, severity, result, points, metric "
        "from check_results where run_id = ? order by project_id, check_id"
    ),
    "gap_scores": (
        "select project_id, gap, score, status from gap_scores where run_id = ? "
        "order by project_id, gap"
    ),
    "recommendations": (
        "select project_id, recommendation, verdict, confidence, blocking_gaps, blocking_checks "
        "from recommendations where run_id = ? order by project_id"
    ),
    "roadmap": (
        "select project_id, priority, check_id, owner_role, effort_days, cost, start_day, end_day "
        "from roadmap where run_id = ? order by project_id, priority"
    ),
}


def rows(snapshot: Path, query: str, run_id: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return [
            tuple(round(v, 9) if isinstance(v, float) and not math.isnan(v) else v for v in row)
            for row in con.execute(query, [run_id]).fetchall()
        ]
    finally:
        con.close()


def secret_role(database: PostgresDatabase, password: str) -> str:
    """A login role that owns the test database, with a password no other test uses."""
    role = f"assessor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database.url, autocommit=True) as con:
        con.execute(f"create role {role} login password '{password}'")
        con.execute(f'alter database "{database.name}" owner to {role}')
    base = database.url.split("@", 1)[1]
    return f"postgresql://{role}:{password}@{base}"


def tickets_in_s3(portfolio: Path, s3: S3Endpoint, secret_key: str) -> None:
    """Move the support copilot's tickets to a bucket of the S3 endpoint."""
    project_file = portfolio.parent / "projects" / "support_copilot" / "project.yml"
    client = boto3.client(
        "s3",
        endpoint_url=s3.url,
        region_name=s3.region,
        aws_access_key_id="AKIAPLANTED",
        aws_secret_access_key=secret_key,
    )
    bucket = f"evidence-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket)
    client.upload_file(str(project_file.parent / "data" / "tickets.csv"), bucket, "tickets.csv")
    project = yaml.safe_load(project_file.read_text())
    for dataset in project["evidence"]["datasets"]:
        if dataset["name"] == "tickets":
            dataset["source"] = f"s3://{bucket}/tickets.csv"
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    # The example's earlier weeks replace data/tickets.csv, a path the project no longer names.
    config = yaml.safe_load(portfolio.read_text())
    config.pop("history", None)
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))


def duckdb_text(path: Path) -> str:
    """Every value of every table and view of a DuckDB file, as text."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        ]
        return "\n".join(str(con.execute(f'select * from "{t}"').fetchall()) for t in tables)
    finally:
        con.close()


def postgres_text(url: str) -> str:
    """Every row of every table and view in the warehouse's schema, as text."""
    with psycopg.connect(url) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            )
        ]
        return "\n".join(
            str(con.execute(f'select t::text from main."{t}" as t').fetchall()) for t in tables
        )


def prefect_text() -> str:
    """Every log line and artifact the Prefect server of the session holds."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter

    async def read() -> str:
        async with get_client() as client:
            logs = await client.read_logs(log_filter=LogFilter(), limit=None)
            artifacts = await client.read_artifacts()
            return "\n".join(
                [log.message for log in logs]
                + [str(a.data) + str(a.description) for a in artifacts]
            )

    return asyncio.run(read())


def files_text(*folders: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file()
    )


@pytest.mark.slow
def test_postgres_warehouse_gives_the_results_duckdb_gives_and_keeps_secrets(
    assessed_examples: Assessed,
    postgres_database: PostgresDatabase,
    s3_endpoint: S3Endpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = {
        "database password": f"pg-{uuid.uuid4().hex}",
        "S3 secret key": f"s3-{uuid.uuid4().hex}",
        "alert token": f"alert-{uuid.uuid4().hex}",
        "dashboard password": f"dash-{uuid.uuid4().hex}",
    }
    url = secret_role(postgres_database, secrets["database password"])
    portfolio = copy_examples(tmp_path / "examples")
    tickets_in_s3(portfolio, s3_endpoint, secrets["S3 secret key"])
    config = yaml.safe_load(portfolio.read_text())
    config["alerts"] = {"urls": ["json://127.0.0.1:9/hook/${READINESS_TEST_ALERT_TOKEN}"]}
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))

    for name, value in {
        "READINESS_DBT_TARGET": "postgres",
        "READINESS_POSTGRES_URL": url,
        "READINESS_S3_ENDPOINT_URL": s3_endpoint.url,
        "AWS_ACCESS_KEY_ID": "AKIAPLANTED",
        "AWS_SECRET_ACCESS_KEY": secrets["S3 secret key"],
        "AWS_DEFAULT_REGION": s3_endpoint.region,
        "READINESS_TEST_ALERT_TOKEN": secrets["alert token"],
        "READINESS_DASHBOARD_PASSWORD": secrets["dashboard password"],
    }.items():
        monkeypatch.setenv(name, value)
    with kept_environment():
        on_postgres = assess(portfolio, tmp_path / "home")

    for mart, query in COMPARED.items():
        expected = rows(assessed_examples.snapshot, query, assessed_examples.run_id)
        got = rows(on_postgres.snapshot, query, on_postgres.run_id)
        assert expected, mart
        assert got == expected, mart

    # The marts were built in PostgreSQL (not locally), the run's final record went there, and
    # the tickets really came from S3.
    with psycopg.connect(url) as con:
        built = con.execute(
            "select count(*) from main.recommendations where run_id = %s", [on_postgres.run_id]
        ).fetchone()
        raw = con.execute(
            "select status from main.raw_runs where run_id = %s", [on_postgres.run_id]
        ).fetchone()
        sources = con.execute(
            "select source from main.raw_evidence_inputs where run_id = %s and source like 's3://%%'",
            [on_postgres.run_id],
        ).fetchall()
    assert built == (5,)
    assert raw == ("succeeded",)
    assert len(sources) == 1 and sources[0][0].endswith("/tickets.csv")

    captured = capfd.readouterr()
    places = {
        "output and logs": captured.out + captured.err + caplog.text,
        "working warehouse": duckdb_text(on_postgres.settings.warehouse),
        "published snapshot": duckdb_text(on_postgres.snapshot),
        "shared warehouse": postgres_text(url),
        "files under READINESS_HOME and dbt's logs": files_text(
            on_postgres.home, Path(__file__).parents[2] / "dbt_project" / "logs"
        ),
        "Prefect logs and artifacts": prefect_text(),
    }
    for place, text in places.items():
        assert text, place
        for secret_name, secret in secrets.items():
            assert secret not in text, f"the {secret_name} is in the {place}"
