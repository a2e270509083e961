"""The `readiness` command as a person uses it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from core.settings import REPO_ROOT, get_settings
from flows.cli import app
from tests.conftest import Assessed, copy_examples

runner = CliRunner()


@pytest.fixture
def snapshot_env(assessed_examples: Assessed, monkeypatch: pytest.MonkeyPatch) -> Assessed:
    monkeypatch.setenv("READINESS_HOME", str(assessed_examples.home))
    get_settings.cache_clear()
    yield assessed_examples
    get_settings.cache_clear()


def test_status_json_lists_latest_result_per_project(snapshot_env: Assessed) -> None:
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["project"] for r in rows} >= {"support_copilot", "churn_predictor"}
    for row in rows:
        assert row["recommendation"] in {"go", "not_yet"}
        assert 0 <= row["confidence"] <= 1
        assert set(row["gaps"]) == {
            "data_quality",
            "integration",
            "stakeholder_alignment",
            "evaluation",
            "scale",
            "maintenance",
        }


def test_status_without_a_published_run_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["status", "--json"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "no assessment has been published yet" in result.stderr
    assert "readiness run" in result.stderr


def test_validate_lists_rejected_rows_with_file_row_and_column() -> None:
    result = runner.invoke(app, ["validate", str(REPO_ROOT / "examples" / "portfolio.yml")])
    assert result.exit_code == 0, result.output
    assert "rejected" in result.stdout and "row" in result.stdout and "column" in result.stdout
    # A row with no offending value (a skipped column) shows none, never "nan".
    assert "nan" not in result.stdout.replace("nance", "")
    strict = runner.invoke(
        app, ["validate", "--strict", str(REPO_ROOT / "examples" / "portfolio.yml")]
    )
    assert strict.exit_code == 1


def test_validate_fails_on_unreadable_evidence_and_bad_config(tmp_path: Path) -> None:
    portfolio = copy_examples(tmp_path / "examples")
    project_file = portfolio.parent / "projects" / "support_copilot" / "project.yml"
    project = yaml.safe_load(project_file.read_text())
    # customers: a dataset the example's history does not replace (tickets.csv it does)
    project["evidence"]["datasets"][1]["source"] = "data/does-not-exist.csv"
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    result = runner.invoke(app, ["validate", str(portfolio)])
    assert result.exit_code == 1
    assert "unreadable" in result.stdout and "does-not-exist.csv" in result.stdout

    project["service_levels"]["p95_latency_ms"] = "fast"
    project["required_roles"].append("mainframe")
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    bad = runner.invoke(app, ["validate", str(portfolio)])
    assert bad.exit_code == 2
    assert "Configuration problems (2)" in bad.stderr
    assert (
        "service_levels.p95_latency_ms" in bad.stderr
        and "required_roles." in bad.stderr
        and "mainframe" not in bad.stderr
    )


def test_run_rejects_an_unknown_project_before_starting(tmp_path: Path) -> None:
    # A long path: the message must stay one line, never wrapped at the terminal's width.
    deep = tmp_path / ("a-folder-with-a-long-name-" * 3) / "portfolios"
    portfolio = copy_examples(deep)
    result = runner.invoke(app, ["run", str(portfolio), "--project", "nope"])
    assert result.exit_code == 2
    assert "unknown project 'nope'" in result.stderr
    assert f"{portfolio}, column 'projects'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_readiness_run_command_end_to_end(prefect_server: None, tmp_path: Path) -> None:
    """The installed console script, in its own process, against the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    portfolio = copy_examples(tmp_path / "examples")
    env = {
        **os.environ,
        "READINESS_HOME": str(tmp_path / "home"),
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
    }
    script = Path(sys.executable).parent / "readiness"
    done = subprocess.run(
        [str(script), "run", str(portfolio), "--project", "support_copilot", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)  # nothing but the JSON document on standard output
    [project] = document["projects"]
    assert (project["project"], project["recommendation"]) == ("support_copilot", "go")
    assert project["run_id"] == document["run_id"]
    status = subprocess.run(
        [str(script), "status", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert json.loads(status.stdout)[0]["recommendation"] == "go"


def test_a_second_run_on_the_same_warehouse_is_refused_clearly(
    prefect_server: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import warehouse

    monkeypatch.setenv("READINESS_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        with warehouse.run_lock(get_settings().warehouse):
            result = runner.invoke(app, ["run", str(REPO_ROOT / "examples" / "portfolio.yml")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "another assessment is running" in result.stderr
    assert "snapshot is unchanged" in result.stderr
    # The folders a run writes to are checked as writable before it starts (flows/storage.py):
    # the snapshot folder may exist, but nothing is published in it.
    assert not list((tmp_path / "published").glob("*.duckdb"))


def test_a_stopped_dashboard_command_leaves_no_server_behind(tmp_path: Path) -> None:
    """``readiness dashboard`` is Streamlit itself: a SIGTERM to it (a container stopping) ends
    the server, instead of ending a wrapper and leaving Streamlit serving as an orphan."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    script = Path(sys.executable).parent / "readiness"
    env = {**os.environ, "READINESS_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [str(script), "dashboard", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group, so that cleanup below can reach any child
    )
    health = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard never answered")
        process.send_signal(signal.SIGTERM)  # the command's own process only
        process.wait(timeout=30)
        time.sleep(1)
        with pytest.raises(OSError):
            urllib.request.urlopen(health, timeout=2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything left, if the test failed
