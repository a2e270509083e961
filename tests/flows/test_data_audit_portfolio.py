"""Data samples where they really live, in a real portfolio run (Prefect, DuckDB, dbt, publish).

The example project that gets a "go" runs three times: from its files; with its tickets in a
PostgreSQL table and its customers in S3 (moto's server); and with both datasets unreadable (a
missing S3 key, a PostgreSQL table that does not exist). The data in PostgreSQL and S3 is the
same as in the files, so the data quality score must be the same; the unreadable copy has no data
quality evidence, says why, and the run goes on for everyone.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import duckdb
import psycopg
import pytest
import yaml

from tests.conftest import Assessed, assess, copy_examples, kept_environment
from tests.services import PostgresDatabase, S3Endpoint

BASE = "support_copilot"


def variant(projects: Path, name: str, sources: dict[str, dict[str, Any]]) -> str:
    """A copy of the base project under another id, with its datasets' sources replaced."""
    shutil.copytree(projects / BASE, projects / name)
    path = projects / name / "project.yml"
    config = yaml.safe_load(path.read_text())
    config["id"] = name
    for dataset in config["evidence"]["datasets"]:
        dataset.update(sources[dataset["name"]])
        if not str(dataset["source"]).startswith("data/"):
            dataset.pop("format", None)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return f"projects/{name}/project.yml"


def load_tickets(url: str, csv_path: Path) -> None:
    """The tickets CSV as a PostgreSQL table of text columns (as many exports land)."""
    header = csv_path.read_text().splitlines()[0].split(",")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"create table tickets ({', '.join(f'{c} text' for c in header)})")
        with (
            con.cursor().copy("copy tickets from stdin (format csv, header true)") as copy,
            csv_path.open("rb") as handle,
        ):
            while block := handle.read(1 << 16):
                copy.write(block)
        # An empty CSV field is NULL in the files' reading too.
        for column in header:
            con.execute(f"update tickets set {column} = null where {column} = ''")


@pytest.fixture
def assessed(
    prefect_server: None,
    tmp_path: Path,
    postgres_database: PostgresDatabase,
    s3_endpoint: S3Endpoint,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Assessed]:
    portfolio = copy_examples(tmp_path / "examples")
    projects = portfolio.parent / "projects"
    data = projects / BASE / "data"
    load_tickets(postgres_database.url, data / "tickets.csv")
    for name, value in {
        **s3_endpoint.environment(),
    }.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint.url)
    s3.create_bucket(Bucket="portfolio-data")
    s3.upload_file(str(data / "customers.parquet"), "portfolio-data", "crm/customers.parquet")
    listed = [
        f"projects/{BASE}/project.yml",
        variant(
            projects,
            "copilot_where_data_lives",
            {
                "tickets": {"source": postgres_database.url, "table": "tickets"},
                "customers": {"source": "s3://portfolio-data/crm/"},
            },
        ),
        variant(
            projects,
            "copilot_unreadable",
            {
                "tickets": {"source": "s3://portfolio-data/nope/tickets.csv"},
                "customers": {"source": postgres_database.url, "table": "no_such_table"},
            },
        ),
    ]
    config = yaml.safe_load(portfolio.read_text())
    config["projects"] = listed
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    with kept_environment():
        yield assess(portfolio, tmp_path / "home")


def test_postgres_and_s3_datasets_score_like_their_files_and_unreadable_ones_have_no_evidence(
    assessed: Assessed,
) -> None:
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        scores = {
            (p, g): s
            for p, g, s in con.execute(
                "select project_id, gap, score from gap_scores where run_id = ?",
                [assessed.run_id],
            ).fetchall()
        }
        results = {
            (p, c): (r, e)
            for p, c, r, e in con.execute(
                "select project_id, check_id, result, evidence from check_results "
                "where run_id = ? and gap = 'data_quality'",
                [assessed.run_id],
            ).fetchall()
        }
        inputs = {
            (p, n): (s, src, err)
            for p, n, s, src, err in con.execute(
                "select project_id, name, status, source, error from evidence_inputs "
                "where run_id = ? and evidence_kind = 'dataset'",
                [assessed.run_id],
            ).fetchall()
        }
    finally:
        con.close()
    where = "copilot_where_data_lives"
    assert scores[(where, "data_quality")] == scores[(BASE, "data_quality")]
    for (project, check), (result, _) in results.items():
        if project == where:
            assert result == results[(BASE, check)][0], check
    status, source, _ = inputs[(where, "tickets")]
    assert status == "ok" and source.endswith("table tickets") and ":***@" in source
    assert inputs[(where, "customers")][0] == "ok"

    broken = "copilot_unreadable"
    assert "no such object" in inputs[(broken, "tickets")][2]
    assert "no_such_table does not exist" in inputs[(broken, "customers")][2]
    assert {r for (p, _), (r, _) in results.items() if p == broken} == {"no_evidence"}
    assert scores.get((broken, "data_quality")) is None
    assert scores[(broken, "integration")] == scores[(BASE, "integration")]
    everything = json.dumps([list(v) for v in inputs.values()])
    assert ":postgres@" not in everything
