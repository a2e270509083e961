"""Schedules on a real Prefect server: `prefect server start` on loopback (its own PREFECT_HOME),
`readiness deploy` registers the portfolio's cron schedules, a run triggered through the API is
served by `readiness deploy --serve` in its own process and completes, publishing its result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from flows.report import project_results
from tests.conftest import copy_examples
from tests.services import free_port

SCRIPT = Path(sys.executable).parent / "readiness"
PREFECT = Path(sys.executable).parent / "prefect"


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server on a loopback port, with its own home and database."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (home / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the Prefect server did not start"
            time.sleep(1)
        yield api
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()


def _env(api: str, home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PREFECT_API_URL": api,
        "READINESS_HOME": str(home),
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    for name in ("READINESS_WAREHOUSE_PATH", "READINESS_SNAPSHOT_PATH", "READINESS_PORTFOLIO"):
        env.pop(name, None)
    return env


def test_deploy_registers_schedules_and_a_served_run_completes(
    prefect_api: str, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    portfolio = copy_examples(tmp_path / "examples")
    config = yaml.safe_load(portfolio.read_text())
    config["schedules"] = [
        {"name": "weekly", "cron": "0 6 * * 1", "timezone": "Europe/Paris"},
        {"name": "copilot_daily", "cron": "30 7 * * *", "projects": ["support_copilot"]},
    ]
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    home = tmp_path / "home"
    env = _env(prefect_api, home)

    # Registered for the work pool a worker would poll.
    done = subprocess.run(
        [str(SCRIPT), "deploy", str(portfolio)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "assess_portfolio/example-weekly: 0 6 * * 1 (Europe/Paris), projects all" in done.stdout
    with temporary_settings({PREFECT_API_URL: prefect_api}), get_client(sync_client=True) as client:
        weekly = client.read_deployment_by_name("assess_portfolio/example-weekly")
        daily = client.read_deployment_by_name("assess_portfolio/example-copilot_daily")
        assert weekly.work_pool_name == "readiness"
        assert [(s.schedule.cron, s.schedule.timezone) for s in weekly.schedules] == [  # type: ignore[union-attr]
            ("0 6 * * 1", "Europe/Paris")
        ]
        assert weekly.parameters == {"portfolio": str(portfolio), "projects": None}
        assert daily.parameters["projects"] == ["support_copilot"]

    # Served from its own process; a run triggered through the API completes.
    served_log = tmp_path / "serve.log"
    served = subprocess.Popen(
        [str(SCRIPT), "deploy", str(portfolio), "--serve"],
        env=env,
        stdout=served_log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        with (
            temporary_settings({PREFECT_API_URL: prefect_api}),
            get_client(sync_client=True) as client,
        ):
            deadline = time.monotonic() + 180
            # prefect.serve prints this once it polls for runs.
            while "being served" not in served_log.read_text():
                assert served.poll() is None, served_log.read_text()[-3000:]
                assert time.monotonic() < deadline, served_log.read_text()[-3000:]
                time.sleep(1)
            deployment = client.read_deployment_by_name("assess_portfolio/example-copilot_daily")
            run = client.create_flow_run_from_deployment(deployment.id)
            deadline = time.monotonic() + 600
            while True:
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    break
                assert served.poll() is None, served_log.read_text()[-3000:]
                assert time.monotonic() < deadline, f"the run did not finish: {state}"
                time.sleep(2)
            assert state.is_completed(), (state, served_log.read_text()[-5000:])
    finally:
        os.killpg(served.pid, signal.SIGTERM)
        try:
            served.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(served.pid, signal.SIGKILL)
    results = project_results(home / "published" / "example.duckdb")  # one file per portfolio
    assert [r["project"] for r in results] == ["support_copilot"]
    assert results[0]["recommendation"] == "go"


def test_deploy_json_registers_the_notification_flows_and_the_automation(
    prefect_api: str, tmp_path: Path
) -> None:
    import json

    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    portfolio = copy_examples(tmp_path / "examples")
    config = yaml.safe_load(portfolio.read_text())
    config["schedules"] = [{"name": "weekly", "cron": "0 6 * * 1"}]
    config["alerts"] = {"digest": {"cron": "0 8 * * 1", "timezone": "Europe/Paris"}}
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    env = _env(prefect_api, tmp_path / "home")
    done = subprocess.run(
        [str(SCRIPT), "deploy", str(portfolio), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    assert [d["deployment"] for d in document["deployments"]] == [
        "assess_portfolio/example-weekly",
        "announce_flow_run/example-announce",
        "send_digest/example-digest",
    ]
    assert document["deployments"][2]["cron"] == "0 8 * * 1"
    assert document["automations"] == ["readiness-example-late-or-failed"]
    with temporary_settings({PREFECT_API_URL: prefect_api}), get_client(sync_client=True) as client:
        announce = client.read_deployment_by_name("announce_flow_run/example-announce")
        assert announce.parameters == {"portfolio": str(portfolio)}
        [automation] = client.read_automations_by_name("readiness-example-late-or-failed")
        assert automation.actions[0].deployment_id == announce.id  # type: ignore[union-attr]


def deploy(portfolio: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`readiness deploy PORTFOLIO` in its own process."""
    return subprocess.run(
        [str(SCRIPT), "deploy", str(portfolio)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_explains_what_is_missing(tmp_path: Path) -> None:
    portfolio = copy_examples(tmp_path / "examples")
    env = _env("http://127.0.0.1:9/api", tmp_path / "home")
    done = deploy(portfolio, env)
    assert done.returncode == 2
    assert "declares no schedules" in done.stderr
    config = yaml.safe_load(portfolio.read_text())
    cases = [
        ([{"name": "w", "cron": "0 6 * *"}], "schedules.0.cron", "not a valid cron expression"),
        (
            [{"name": "x", "cron": "0 6 * * 1", "projects": ["nope"]}],
            "schedules.0.projects",
            "unknown project 'nope'",
        ),
    ]
    for schedules, where, message in cases:
        config["schedules"] = schedules
        portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
        done = deploy(portfolio, env)
        assert done.returncode == 2, done.stderr
        assert where in done.stderr and message in done.stderr, done.stderr
    env.pop("PREFECT_API_URL")
    config["schedules"] = [{"name": "x", "cron": "0 6 * * 1"}]
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    done = deploy(portfolio, env)
    assert done.returncode == 2
    assert "set PREFECT_API_URL" in done.stderr


def test_infra_prefect_yaml_deploys_on_a_real_server(prefect_api: str, tmp_path: Path) -> None:
    """`prefect deploy` of infra/prefect.yaml registers its scheduled deployments."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from core.settings import REPO_ROOT

    env = _env(prefect_api, tmp_path / "home")
    subprocess.run(
        [str(PREFECT), "work-pool", "create", "readiness", "--type", "process"],
        env=env,
        capture_output=True,
        timeout=120,
    )  # it may exist already (created by `readiness deploy`)
    done = subprocess.run(
        [str(PREFECT), "--no-prompt", "deploy", "--prefect-file", "infra/prefect.yaml", "--all"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with temporary_settings({PREFECT_API_URL: prefect_api}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("assess_portfolio/example-weekly")
    assert deployment.entrypoint == "flows.assess.assess_portfolio"
    assert deployment.work_pool_name == "readiness"
    assert [s.schedule.cron for s in deployment.schedules] == ["0 6 * * 1"]  # type: ignore[union-attr]
