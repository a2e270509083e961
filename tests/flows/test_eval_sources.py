"""Evaluation results from a real MLflow tracking server (``mlflow server``, SQLite backend, filled
by the mlflow client), and KPI points from the data audit's sources: a PostgreSQL table and an S3
object on moto's server. Each is compared with what the file readers measure from the same data,
and each fails the way a person can act on."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from pydantic import ValidationError

from core.settings import get_settings
from flows.config import EvalResultsEvidence, KpiDataEvidence, LoadedProject, Project
from flows.config import Evidence as ProjectEvidence
from tests.flows.test_eval_results import CONTEXT, FIXTURES, frames, project, rejected
from tests.services import PostgresDatabase, S3Endpoint, free_port

EXPERIMENT = "contract-clauses"
#: The runs of the local store fixture (tests/fixtures/evaluation/generate_py_tools.py).
RUNS = (
    ("baseline", "clauses-v1", {"clause_recall": 0.81, "clause_precision": 0.88}),
    ("candidate", "clauses-v2", {"clause_recall": 0.74, "clause_precision": 0.9}),
)


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mlflow server`` on a free loopback port, its store in SQLite, filled by the client."""
    folder = tmp_path_factory.mktemp("mlflow_server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
         "--default-artifact-root", str(folder / "artifacts")],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300  # migrations are slow on a loaded machine
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mlflow server did not start: {(folder / 'server.log').read_text()}")
            time.sleep(0.5)
        from mlflow import MlflowClient

        client = MlflowClient(url)
        experiment = client.create_experiment(EXPERIMENT)
        client.create_experiment("empty")
        for name, model, scores in RUNS:
            run = client.create_run(experiment, run_name=name, tags={"mlflow.user": "Jane Roe"})
            client.log_param(run.info.run_id, "model", model)
            client.log_param(run.info.run_id, "examples", "120")
            client.set_tag(run.info.run_id, "model_version", model)
            for metric, value in scores.items():
                client.log_metric(run.info.run_id, metric, value)
            client.set_terminated(run.info.run_id)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def server_project(*entries: EvalResultsEvidence) -> LoadedProject:
    return LoadedProject(
        path=FIXTURES / "project.yml",
        project=Project(
            id="clauses", name="Clauses", evidence=ProjectEvidence(eval_results=list(entries))
        ),
    )


def server_entry(url: str, experiment: str = EXPERIMENT, **extra: Any) -> EvalResultsEvidence:
    return EvalResultsEvidence(format="mlflow", tracking_uri=url, experiment=experiment, **extra)


def test_a_tracking_server_measures_like_the_local_store(mlflow_server: str) -> None:
    served = frames(server_project(server_entry(mlflow_server)))
    local = frames(project([(FIXTURES / "mlruns", "mlflow")]))
    for table, columns in (
        ("raw_eval_metrics", ["eval_run", "metric", "pass_rate", "examples"]),
        ("raw_eval_runs", ["eval_run", "tool", "model", "examples"]),
    ):
        assert (
            served[table][columns].sort_values(columns).values.tolist()
            == local[table][columns].sort_values(columns).values.tolist()
        ), table
    record = served["raw_evidence_inputs"].iloc[0]
    assert (record["status"], record["rows_read"]) == ("ok", 2)
    assert record["source"] == f"{mlflow_server} experiment {EXPERIMENT}"
    # mlflow.* tags (the user's name) are never read.
    assert not any("Jane" in frame.to_string() for frame in served.values())


class Garbage(http.server.BaseHTTPRequestHandler):
    """A server that answers every request with something that is not MLflow's API."""

    def do_GET(self) -> None:
        status = 200 if "get-by-name" in self.path else 500
        body = b"<html>the answer holds private-page-text</html>"
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_server_problems_name_the_field_and_url_and_the_rest_is_assessed(
    mlflow_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=garbage.serve_forever, daemon=True).start()
    monkeypatch.setenv("EVAL_SERVER_TOKEN", "tok-7f3e9a-very-secret")
    monkeypatch.setenv("READINESS_SOURCE_SECRETS", "EVAL_SERVER_TOKEN")
    get_settings.cache_clear()
    try:
        out = frames(
            server_project(
                server_entry(mlflow_server, "no-such-experiment"),
                server_entry(f"http://127.0.0.1:{free_port()}"),
                server_entry(
                    f"http://127.0.0.1:{garbage.server_port}", token="${EVAL_SERVER_TOKEN}"
                ),
                server_entry(mlflow_server, "empty"),
                server_entry(mlflow_server, token="${HOME}"),
                EvalResultsEvidence(path=str(FIXTURES / "mlruns"), format="mlflow"),
            )
        )
    finally:
        garbage.shutdown()
        get_settings.cache_clear()
    inputs = out["raw_evidence_inputs"]
    errors = inputs["error"].tolist()
    assert errors[:5] == [
        "evidence.eval_results.0.experiment: the server has no experiment 'no-such-experiment'",
        "the MLflow tracking server named by evidence.eval_results.1.tracking_uri: "
        "the server cannot be reached (no connection)",
        "the MLflow tracking server named by evidence.eval_results.2.tracking_uri: "
        "the server's answer is not MLflow's tracking API",
        "evidence.eval_results.3.experiment: the experiment 'empty' has no run",
        "evidence.eval_results.4.token: the source names the secret 'HOME', which "
        "READINESS_SOURCE_SECRETS does not list; an operator lists the secrets project files "
        "may name there",
    ]
    assert inputs["source"].iloc[1].startswith("http://127.0.0.1:")
    # The project's other evidence is still read; no message holds the token or the answer.
    assert inputs["status"].tolist() == ["unreadable"] * 5 + ["ok"]
    assert len(out["raw_eval_runs"]) == 2
    text = "".join(frame.to_string() for frame in out.values())
    assert "tok-7f3e9a" not in text and "private-page-text" not in text


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"format": "promptfoo"}, "tracking_uri applies to format mlflow only"),
        ({"experiment": None}, "tracking_uri needs experiment"),
        ({"token": "abc123"}, "name the secret (${NAME} or ${secret:BLOCK}), never write it"),
        (
            {"tracking_uri": "http://me:pw@mlflow.internal"},
            "tracking_uri must not hold a secret",
        ),
        ({"tracking_uri": "file:///etc"}, "expected the tracking server's http:// or https:// URL"),
        ({"path": "mlruns"}, "give path or tracking_uri, not both"),
    ],
)
def test_a_server_entry_is_checked_when_loaded(fields: dict[str, Any], expected: str) -> None:
    values = {"format": "mlflow", "tracking_uri": "https://mlflow.internal", "experiment": "x"}
    with pytest.raises(ValidationError) as raised:
        EvalResultsEvidence(**{**values, **fields})
    assert expected in str(raised.value)
    assert "abc123" not in str(raised.value).split("input_value")[0]


def test_other_commands_never_import_mlflow() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from flows.cli import app\n"
        "import flows.measurements, flows.evidence.eval_results\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mlflow'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.strip() == "[]"


# --- KPI points from the data audit's sources ------------------------------------------------


def kpi_project(**fields: Any) -> LoadedProject:
    return LoadedProject(
        path=FIXTURES / "project.yml",
        project=Project(
            id="clauses",
            name="Clauses",
            evidence=ProjectEvidence(
                kpi_data=KpiDataEvidence(launch_date="2026-10-24", **fields)  # type: ignore[arg-type]
            ),
        ),
    )


def points(out: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    columns = ["kpi", "measured_on", "value", "cadence_days", "launch_date"]
    return sorted(out["raw_kpi_points"][columns].itertuples(index=False, name=None))


def export_rows() -> list[list[str]]:
    lines = (FIXTURES / "kpis.csv").read_text().splitlines()[1:]
    return [line.split(",") for line in lines]


def test_kpi_points_from_a_postgresql_table(postgres_database: PostgresDatabase) -> None:
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        # Named otherwise than the export, dates and values as text (so that they can be wrong).
        con.execute("create table kpi_series (day text, metric text, amount text)")
        with con.cursor() as cursor:
            cursor.executemany("insert into kpi_series values (%s, %s, %s)", export_rows())
    columns = {"date": "day", "kpi": "metric", "value": "amount"}
    out = frames(kpi_project(source=postgres_database.url, table="kpi_series", columns=columns))
    export = frames(project(kpis=FIXTURES / "kpis.csv"))
    assert points(out) == points(export)
    # The export's bad rows are refused here too, named by the table's columns and their position.
    assert rejected(out) == [
        (10, "day", "expected a date (ISO 8601, such as 2026-03-31)"),
        (11, "amount", "expected a number"),
    ]
    record = out["raw_evidence_inputs"].iloc[0]
    assert (record["status"], record["rows_read"], record["rows_rejected"]) == ("ok", 11, 2)
    assert "postgres:***@" in record["source"] and "table kpi_series" in record["source"]
    # The table stops being fed after October: read again (a live source), the points stop too.
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute("delete from kpi_series where day >= '2026-11-01'")
    stopped = frames(kpi_project(source=postgres_database.url, table="kpi_series", columns=columns))
    assert points(stopped) == [
        p for p in points(export) if p[1] < pd.Timestamp("2026-11-01", tz="UTC")
    ]
    assert len(points(stopped)) == 4


def test_sql_in_a_kpi_table_name_is_refused(postgres_database: PostgresDatabase) -> None:
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        con.execute("create table kpis (date date, kpi text, value float)")
    hostile = "kpis; drop table kpis"
    out = frames(kpi_project(source=postgres_database.url, table=hostile))
    record = out["raw_evidence_inputs"].iloc[0]
    assert record["status"] == "unreadable"
    assert record["error"] == f"the table {hostile} does not exist"
    with psycopg.connect(postgres_database.url) as con:
        assert con.execute("select count(*) from kpis").fetchone() == (0,)
    with pytest.raises(ValidationError, match="not a server catalog"):
        KpiDataEvidence(source=postgres_database.url, table="pg_shadow")
    with pytest.raises(ValidationError, match="holds 2 statements"):
        KpiDataEvidence(source=postgres_database.url, query="select 1; delete from kpis")
    with pytest.raises(ValidationError, match=r"give path .* or source"):
        KpiDataEvidence(path="kpis.csv", source="s3://bucket/kpis.csv")


def test_kpi_points_from_an_s3_object(
    s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    for name, value in s3_endpoint.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        client = boto3.client("s3", endpoint_url=s3_endpoint.url)
        client.create_bucket(Bucket="kpi-exports")
        client.put_object(
            Bucket="kpi-exports", Key="clauses/kpis.csv", Body=(FIXTURES / "kpis.csv").read_bytes()
        )
        out = frames(kpi_project(source="s3://kpi-exports/clauses/kpis.csv"))
        missing = frames(kpi_project(source="s3://kpi-exports/clauses/none.csv"))
    finally:
        get_settings.cache_clear()
    export = frames(project(kpis=FIXTURES / "kpis.csv"))
    assert points(out) == points(export)
    assert [r[1:] for r in rejected(out)] == [
        ("date", "expected a date (ISO 8601, such as 2026-03-31)"),
        ("value", "expected a number"),
    ]
    record = missing["raw_evidence_inputs"].iloc[0]
    assert record["status"] == "unreadable" and "no such object" in record["error"]


def test_kpi_source_with_a_missing_column_names_the_mapping(tmp_path: Path) -> None:
    (tmp_path / "kpis.csv").write_text("day,kpi,value\n2026-10-05,Review time,42\n")
    out = frames(kpi_project(source=str(tmp_path / "kpis.csv")))
    record = out["raw_evidence_inputs"].iloc[0]
    assert record["status"] == "unreadable"
    assert record["error"].startswith("missing column(s): date (evidence.kpi_data.columns")
    mapped = frames(kpi_project(source=str(tmp_path / "kpis.csv"), columns={"date": "day"}))
    assert mapped["raw_kpi_points"]["value"].tolist() == [42.0]
    assert CONTEXT.as_of > mapped["raw_kpi_points"]["measured_on"].iloc[0]


def test_kpi_sources_move_the_kpi_checks_in_a_real_assessment(
    prefect_server: None,
    postgres_database: PostgresDatabase,
    s3_endpoint: S3Endpoint,
    tmp_path: Path,
) -> None:
    """The go example's KPI export, moved into a PostgreSQL table and an S3 object: all of it
    keeps its KPI checks, the export stopped at the end of September fails them (as the CSV's does
    in tests/dbt/test_gap_evidence.py)."""
    import boto3
    import duckdb
    import yaml

    from tests.conftest import assess, copy_examples, kept_environment

    portfolio = copy_examples(tmp_path / "examples")
    projects = portfolio.parent / "projects"
    export = projects / "support_copilot" / "eval" / "kpis.csv"
    lines = export.read_text().splitlines(keepends=True)
    stopped = "".join(lines[:1] + [line for line in lines[1:] if line[:10] < "2026-10-01"])
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        for table, text in (("kpi_all", "".join(lines)), ("kpi_stopped", stopped)):
            con.execute(f"create table {table} (day date, metric text, amount double precision)")
            rows = [row.split(",") for row in text.splitlines()[1:]]
            with con.cursor() as cursor:
                cursor.executemany(f"insert into {table} values (%s, %s, %s)", rows)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint.url,
        aws_access_key_id=s3_endpoint.access_key,
        aws_secret_access_key=s3_endpoint.secret_key,
        region_name=s3_endpoint.region,
    )
    client.create_bucket(Bucket="kpi-moves")
    client.put_object(Bucket="kpi-moves", Key="copilot/stopped.csv", Body=stopped.encode())
    columns = {"date": "day", "kpi": "metric", "value": "amount"}
    sources = {
        "pg": {"source": postgres_database.url, "table": "kpi_all", "columns": columns},
        "pg_stopped": {"source": postgres_database.url, "table": "kpi_stopped", "columns": columns},
        "s3_stopped": {"source": "s3://kpi-moves/copilot/stopped.csv"},
    }
    listed = ["projects/support_copilot/project.yml"]
    for name, source in sources.items():
        variant = f"support_copilot_{name}"
        shutil.copytree(projects / "support_copilot", projects / variant)
        path = projects / variant / "project.yml"
        data = yaml.safe_load(path.read_text())
        data["id"] = variant
        kpi = data["evidence"]["kpi_data"]
        kpi.pop("path")
        kpi.update(source)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        listed.append(f"projects/{variant}/project.yml")
    config = yaml.safe_load(portfolio.read_text())
    config["projects"] = listed
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    with kept_environment():
        os.environ.update(s3_endpoint.environment())
        assessed = assess(portfolio, tmp_path / "home")
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        rows = con.execute(
            "select project_id, check_id, result, metric from check_results "
            "where run_id = ? and check_id in ('ev_kpi_data', 'ev_instrumentation')",
            [assessed.run_id],
        ).fetchall()
    finally:
        con.close()
    results = {(p, c): (r, s) for p, c, r, s in rows}
    for check in ("ev_kpi_data", "ev_instrumentation"):
        assert results[("support_copilot", check)] == ("pass", 1.0), check
        assert results[("support_copilot_pg", check)] == ("pass", 1.0), check
        for name in ("pg_stopped", "s3_stopped"):
            result, metric = results[(f"support_copilot_{name}", check)]
            assert result == "fail" and metric < 1.0, (check, name, result, metric)
