"""Regressions and alerts: the rules on handmade diffs, delivery to a real HTTP receiver on
loopback through Apprise, and a real run that regresses, alerts once and leaves its artifacts,
without the alert URL (a secret) showing up in logs, the warehouse or the artifacts."""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from core.settings import get_settings
from flows import alerts
from readmodel.history import CheckFlip, GapChange, ProjectDiff
from tests.conftest import Assessed, copy_examples, use_home
from tests.services import free_port

SECRET = "tok3n-s3cr3t-a1b2c3"


@dataclass
class Receiver:
    """A webhook receiver on loopback that records every POST."""

    port: int
    posts: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def url(self, token: str = SECRET) -> str:
        return f"json://127.0.0.1:{self.port}/hook/{token}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.posts.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _diff(
    recommendation: tuple[str, str] = ("go", "go"),
    scale: tuple[float, float] = (100, 100),
    checks: list[CheckFlip] | None = None,
) -> ProjectDiff:
    return ProjectDiff(
        project_id="p",
        run_before="r1",
        run_after="r2",
        recommendation_before=recommendation[0],
        recommendation_after=recommendation[1],
        confidence_before=1.0,
        confidence_after=1.0,
        rubric_before="1",
        rubric_after="1",
        gaps=[GapChange("scale", scale[0], scale[1], "ready", "at_risk")],
        checks=checks or [],
        inputs=[],
    )


def test_regression_rules() -> None:
    assert alerts.find_regressions(_diff(), 10) == []
    flip = alerts.find_regressions(_diff(recommendation=("go", "not_yet")), 10)
    assert [r.kind for r in flip] == ["recommendation"]
    assert alerts.find_regressions(_diff(recommendation=("not_yet", "go")), 10) == []
    # The drop threshold is inclusive and configurable; a rise is no regression.
    assert [r.kind for r in alerts.find_regressions(_diff(scale=(90, 80)), 10)] == ["gap_drop"]
    assert alerts.find_regressions(_diff(scale=(90, 80.5)), 10) == []
    assert [r.kind for r in alerts.find_regressions(_diff(scale=(90, 85)), 5)] == ["gap_drop"]
    assert alerts.find_regressions(_diff(scale=(50, 90)), 5) == []
    critical = CheckFlip("sc_latency", "scale", "critical", "p95 within SLO", "pass", "fail")
    major = CheckFlip("sc_errors", "scale", "major", "errors", "pass", "fail")
    still = CheckFlip("sc_cost", "scale", "critical", "cost", "fail", "fail")
    recovering = CheckFlip("sc_rate", "scale", "critical", "rate", "fail", "partial")
    found = alerts.find_regressions(_diff(checks=[critical, major, still, recovering]), 10)
    assert [(r.kind, r.message.split(" (")[0]) for r in found] == [
        ("critical_check", 'critical check "p95 within SLO"')
    ]
    assert found[0].message == 'critical check "p95 within SLO" (Scale) now fails (was passing)'
    [drop] = alerts.find_regressions(_diff(scale=(90, 80)), 10)
    assert drop.message == "Scale dropped 10 points (90 -> 80, now at risk)"


def test_an_alert_reaches_a_webhook_and_its_url_is_never_logged(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    closed = f"json://127.0.0.1:{free_port()}/hook/{SECRET}-other"
    delivery = alerts.send_alert(
        [SecretStr(receiver.url()), SecretStr(closed)], "Readiness regressed", "**p**: worse"
    )
    assert delivery.sent == 1
    assert delivery.failed == ["alert URL #2 (json://)"]
    [(path, payload)] = receiver.posts
    assert path == f"/hook/{SECRET}"
    assert payload["title"] == "Readiness regressed" and "worse" in str(payload["message"])
    assert SECRET not in caplog.text


@pytest.fixture
def regressing_portfolio(
    assessed_examples: Assessed, tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The examples with alerts to the receiver (URL from the environment), and their history."""
    portfolio = copy_examples(tmp_path / "examples")
    config = yaml.safe_load(portfolio.read_text())
    config["alerts"] = {"urls": ["${READINESS_TEST_ALERT_URL}"], "gap_drop_points": 15}
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    monkeypatch.setenv("READINESS_TEST_ALERT_URL", receiver.url())
    shutil.copytree(assessed_examples.home, tmp_path / "home")
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    use_home(tmp_path / "home")
    yield portfolio
    get_settings.cache_clear()


def _artifacts(flow_run_id: object) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a for a in found if a.key}


def test_a_regressing_run_alerts_once_and_leaves_artifacts(
    prefect_server: None,
    regressing_portfolio: Path,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from flows.assess import assess_portfolio

    caplog.set_level(logging.DEBUG)
    portfolio = regressing_portfolio
    # Unchanged evidence: artifacts, and no alert.
    state = assess_portfolio(str(portfolio), ["support_copilot"], return_state=True)
    assert state.is_completed()
    assert receiver.posts == []
    artifacts = _artifacts(state.state_details.flow_run_id)
    assert set(artifacts) == {"readiness-example", "readiness-example-results"}
    summary = str(artifacts["readiness-example"].data)
    assert "# Readiness: Example AI portfolio" in summary
    # The confidence is what the evidence carries (the operations checks have none here).
    assert re.search(r"\| support_copilot \| GO \| \d+% \|", summary), summary
    assert "Regressions since each project's previous run\n\nNone." in summary
    table = artifacts["readiness-example-results"].data
    rows = json.loads(table) if isinstance(table, str) else table
    assert [r["project"] for r in rows] == ["support_copilot"]
    assert rows[0]["recommendation"] == "GO" and rows[0]["scale"] == 100

    # Cut the budget: GO -> NOT YET, the scale gap drops, a critical check newly fails.
    costs_path = portfolio.parent / "projects" / "support_copilot" / "costs.yml"
    costs = yaml.safe_load(costs_path.read_text())
    costs["monthly_budget"] = costs["monthly_budget"] / 10
    costs_path.write_text(yaml.safe_dump(costs, sort_keys=False))
    state = assess_portfolio(str(portfolio), ["support_copilot"], return_state=True)
    assert state.is_completed()
    [(path, payload)] = receiver.posts
    assert path == f"/hook/{SECRET}"
    message = str(payload["message"])
    assert (
        payload["title"]
        == "Readiness regressed in 1 project(s): Example AI portfolio (Globex Group)"
    )
    assert "**support_copilot**" in message
    assert "recommendation went from GO to NOT YET" in message
    assert "Scale dropped" in message
    assert 'critical check "Monthly cost at target volume is within budget" (Scale)' in message
    assert "sc_cost_budget" not in message  # titles and gap names, never check ids
    summary = str(_artifacts(state.state_details.flow_run_id)["readiness-example"].data)
    assert "**support_copilot**: recommendation went from GO to NOT YET" in summary

    # The URL is a secret: not in logs, artifacts, the warehouse or the published snapshot.
    settings = get_settings()
    assert SECRET not in caplog.text
    assert SECRET not in summary
    for path_ in (settings.warehouse, *settings.snapshot.glob("*.duckdb")):
        assert SECRET.encode() not in path_.read_bytes()
