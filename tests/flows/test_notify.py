"""Notifications reach real receivers on loopback: an HTTP webhook (Apprise json://) and an SMTP
server (aiosmtpd). Routing per project, one message per channel and run, suppression of repeats,
the digest with its PDF attached (email) or linked (chat), failed flow runs announced by the
flows' state hooks and by the automation's flow, and the automation created on a real server."""

from __future__ import annotations

import email
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import DEFAULT_RUBRIC, get_settings
from flows import alerts, notify, warehouse
from flows.config import LoadedPortfolio, load_portfolio
from readmodel.history import CheckFlip, GapChange, ProjectDiff
from tests.conftest import Assessed, copy_examples, use_home
from tests.flows.test_alerts import SECRET, Receiver, receiver  # noqa: F401 (a fixture)

OWNERS = "copilot-owners@example.com"


@dataclass
class Mailbox:
    """An SMTP server on loopback that keeps every message it receives."""

    port: int
    messages: list[Message] = field(default_factory=list)

    def url(self, to: str = OWNERS) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=readiness@example.com&to={to}&mode=insecure"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


def _text(message: Message) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return "\n".join(str(p.get_payload(decode=True), "utf-8") for p in parts)


def _diff(project: str, before: str, after: str, critical_flip: bool = False) -> ProjectDiff:
    checks = (
        [
            CheckFlip(
                "sc_latency", "scale", "critical", "p95 latency is within the SLO", "pass", "fail"
            )
        ]
        if critical_flip
        else []
    )
    return ProjectDiff(
        project_id=project,
        run_before="r1",
        run_after="r2",
        recommendation_before=before,
        recommendation_after=after,
        confidence_before=1.0,
        confidence_after=1.0,
        rubric_before="1",
        rubric_after="1",
        gaps=[GapChange("scale", 100, 100, "ready", "ready")],
        checks=checks,
        inputs=[],
    )


def test_notices_of_a_run_and_their_suppression() -> None:
    changes = [
        alerts.ProjectChange("a", "not_yet", _diff("a", "go", "not_yet", critical_flip=True)),
        alerts.ProjectChange("b", "go", _diff("b", "not_yet", "go")),
        alerts.ProjectChange("c", "go", None),  # first assessment
        alerts.ProjectChange("d", "go", _diff("d", "go", "go")),  # stays go: nothing to say
    ]
    notices = notify.change_notices(changes, gap_drop_points=10)
    assert [(n.kind, n.project_id) for n in notices] == [
        ("regression", "a"),
        ("regression", "a"),
        ("became_go", "b"),
        ("became_go", "c"),
    ]
    assert notices[1].subject == "critical_check:sc_latency"
    assert notices[3].text == "now GO (first assessment)"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    log = {notices[1].key: (now - timedelta(hours=23)).isoformat()}
    window = timedelta(hours=24)
    assert notify.unsuppressed(notices, log, now, window) == [notices[0], *notices[2:]]
    assert notify.unsuppressed(notices, log, now + timedelta(hours=1), window) == notices
    # One message for all of them, grouped by kind, each project by name and id.
    title, body = notify.message("Portfolio", "r2", notices, {"b": "Bee"})
    assert title == "Readiness: Portfolio: regressed in 1 project(s), 2 project(s) now go"
    assert body.index("## Regressions") < body.index("## Now go")
    assert "- **Bee** (b): now GO (was not yet)" in body


@pytest.fixture
def routed(
    tmp_path: Path,
    receiver: Receiver,  # noqa: F811
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LoadedPortfolio]:
    """The examples: the portfolio's alerts to the webhook, support_copilot's owners by email."""
    portfolio = copy_examples(tmp_path / "examples")
    config = yaml.safe_load(portfolio.read_text())
    config["alerts"] = {
        "urls": ["${READINESS_TEST_ALERT_URL}"],
        "suppress_hours": 24,
        "dashboard_url": "https://readiness.example.com",
    }
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    project_file = portfolio.parent / "projects" / "support_copilot" / "project.yml"
    project = yaml.safe_load(project_file.read_text())
    project["alerts"] = {"urls": ["${READINESS_TEST_OWNERS_URL}"]}
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    monkeypatch.setenv("READINESS_TEST_ALERT_URL", receiver.url())
    monkeypatch.setenv("READINESS_TEST_OWNERS_URL", mailbox.url())
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    use_home(tmp_path / "home")
    yield load_portfolio(portfolio, DEFAULT_RUBRIC)
    get_settings.cache_clear()


def test_each_channel_gets_one_message_per_run_and_repeats_are_suppressed(
    routed: LoadedPortfolio,
    receiver: Receiver,  # noqa: F811
    mailbox: Mailbox,
) -> None:
    notices = [
        notify.Notice(
            "regression", "support_copilot", "critical_check:sc_latency", "critical check fails"
        ),
        notify.Notice("regression", "support_copilot", "gap_drop:scale", "Scale dropped 20 points"),
        notify.Notice("became_go", "churn_predictor", "go", "now GO (was not yet)"),
    ]
    now = datetime(2026, 12, 1, 8, tzinfo=UTC)
    audience = notify.Audience.of(routed)
    sent = notify.deliver(notices, audience, "run-1", now=now)
    assert (sent.due, sent.suppressed, sent.messages, sent.failed) == (3, 0, 2, [])
    # The portfolio's channel: everything, in one message.
    [(path, payload)] = receiver.posts
    assert path == f"/hook/{SECRET}"
    body = str(payload["message"])
    assert "Scale dropped 20 points" in body and "critical check fails" in body
    assert "**Churn predictor** (churn_predictor): now GO (was not yet)" in body
    # The owners of support_copilot: their project's notices only.
    [mail] = mailbox.messages
    assert mail["To"] == OWNERS
    text = _text(mail)
    assert "critical check fails" in text and "churn_predictor" not in text
    # The next run finds the same (a flapping check): suppressed within the window.
    again = notify.deliver(notices, audience, "run-2", now=now + timedelta(hours=3))
    assert (again.suppressed, again.messages) == (3, 0)
    assert len(receiver.posts) == 1 and len(mailbox.messages) == 1
    later = notify.deliver(notices[:1], audience, "run-3", now=now + timedelta(hours=25))
    assert later.messages == 2
    # What was sent is kept by subject and time: no URL, no address.
    log = notify.sent_log_path().read_text()
    assert "support_copilot" in log and SECRET not in log and "example.com" not in log


def test_a_real_runs_notices_reach_the_owners(
    assessed_examples: Assessed,
    routed: LoadedPortfolio,
    receiver: Receiver,  # noqa: F811
    mailbox: Mailbox,
) -> None:
    # The session's run: every project assessed for the first time, support_copilot go.
    regressions, sent = notify.announce_run(
        assessed_examples.settings.snapshot, routed, assessed_examples.run_id
    )
    assert regressions == [] and sent.messages == 2
    [(_, payload)] = receiver.posts
    assert payload["title"] == "Readiness: Example AI portfolio (Globex Group): 1 project(s) now go"
    assert "**Customer support copilot** (support_copilot): now GO (first assessment)" in str(
        payload["message"]
    )
    [mail] = mailbox.messages
    assert "now GO (first assessment)" in _text(mail)
    assert mail["Subject"] == payload["title"]


def test_the_digest_attaches_the_report_to_email_and_links_it_in_chat(
    assessed_examples: Assessed,
    routed: LoadedPortfolio,
    receiver: Receiver,  # noqa: F811
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(assessed_examples.home / "published", get_settings().snapshot)
    config = yaml.safe_load(routed.path.read_text())
    config["alerts"]["urls"].append("${READINESS_TEST_DIGEST_MAIL}")
    routed.path.write_text(yaml.safe_dump(config, sort_keys=False))
    monkeypatch.setenv("READINESS_TEST_DIGEST_MAIL", mailbox.url("portfolio-office@example.com"))
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["digest", str(routed.path), "--json"])
    assert result.exit_code == 0, result.output
    assert '"messages": 2' in result.stdout
    [(_, payload)] = receiver.posts
    assert (
        payload["title"] == "Readiness digest: Example AI portfolio (Globex Group): 1 go, 4 not yet"
    )
    chat = str(payload["message"])
    assert "The portfolio report: https://readiness.example.com/portfolio" in chat
    assert re.search(r"\| Customer support copilot \(support_copilot\) \| GO \| \d+% \|", chat), (
        chat
    )
    assert not payload.get("attachments")
    [mail] = mailbox.messages
    assert mail["To"] == "portfolio-office@example.com"
    assert "The portfolio report is attached (PDF)." in _text(mail)
    [pdf] = [p for p in mail.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "readiness-example.pdf"
    data = pdf.get_payload(decode=True)
    assert isinstance(data, bytes) and data.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    assert "Customer support copilot" in PdfReader(BytesIO(data)).pages[0].extract_text()
    # Nothing personal: the project owners' names never appear in a message.
    owners = [p.project.owner for p in routed.projects if p.project.owner]
    for owner in owners:
        assert owner not in chat and owner not in _text(mail)


def test_a_failed_flow_run_is_announced_once(
    prefect_server: None,
    routed: LoadedPortfolio,
    receiver: Receiver,  # noqa: F811
    mailbox: Mailbox,
) -> None:
    from flows.assess import assess_portfolio
    from flows.notify_flows import announce_flow_run

    settings = get_settings()
    # Another run holds the warehouse: this run fails before it measures anything.
    with warehouse.run_lock(settings.warehouse):
        state = assess_portfolio(str(routed.path), ["support_copilot"], return_state=True)
    assert state.is_failed()
    [(_, payload)] = receiver.posts
    assert payload["title"] == "Readiness: Example AI portfolio (Globex Group): a run failed"
    body = str(payload["message"])
    flow_run_id = str(state.state_details.flow_run_id)
    assert "of assess_portfolio failed" in body and flow_run_id in body
    assert "nothing new was published and the earlier results stand" in body
    assert "another assessment is running" not in body  # no error text in a message
    assert mailbox.messages == []  # a run's failure goes to the portfolio's channels
    # The automation's flow for the same run (a deployment's failure): already announced.
    assert announce_flow_run(f"prefect.flow-run.{flow_run_id}", str(routed.path)) == 0
    assert len(receiver.posts) == 1
    # The automation's event says what happened, whatever the run's state is by then.
    late = announce_flow_run(flow_run_id, str(routed.path), "prefect.flow-run.Late")
    assert late == 1 and "has not started on time" in str(receiver.posts[-1][1]["message"])


def test_a_run_of_a_broken_portfolio_is_still_announced(
    prefect_server: None,
    routed: LoadedPortfolio,
    receiver: Receiver,  # noqa: F811
) -> None:
    from flows.assess import assess_portfolio

    # A rubric that is not there stops the whole run (nothing to judge with); the alerts still read.
    config = yaml.safe_load(routed.path.read_text())
    config["rubric"] = "missing-rubric.yml"
    routed.path.write_text(yaml.safe_dump(config, sort_keys=False))
    state = assess_portfolio(str(routed.path), return_state=True)
    assert state.is_failed()
    [(_, payload)] = receiver.posts
    assert "a run failed" in str(payload["title"])


def test_deploy_creates_the_automation_on_the_server(
    prefect_server: None, routed: LoadedPortfolio
) -> None:
    from prefect.automations import Automation

    from flows.automations import apply_automation
    from flows.deploy import notification_deployments

    [announce] = notification_deployments(routed)
    deployment_id = announce.apply()
    for _ in range(2):  # deploying again replaces it
        apply_automation(routed.portfolio.id, deployment_id)
    automation = Automation.read(name="readiness-example-late-or-failed")
    trigger = automation.trigger
    assert trigger.expect == {  # type: ignore[union-attr]
        "prefect.flow-run.Late",
        "prefect.flow-run.Failed",
        "prefect.flow-run.Crashed",
    }
    assert trigger.match_related.root == {  # type: ignore[union-attr]
        "prefect.resource.role": "tag",
        "prefect.resource.id": "prefect.tag.example",
    }
    [action] = automation.actions
    assert action.deployment_id == deployment_id  # type: ignore[union-attr]
    assert action.parameters == {  # type: ignore[union-attr]
        "flow_run_id": "{{ event.resource.id }}",
        "event": "{{ event.event }}",
    }
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        same = client.read_automations_by_name("readiness-example-late-or-failed")
    assert len(same) == 1


def test_waivers_about_to_expire_are_read_from_the_waivers_mart(tmp_path: Path) -> None:
    import duckdb

    snapshot = tmp_path / "example.duckdb"
    with duckdb.connect(str(snapshot)) as con:
        con.execute("create table check_results (run_id varchar, check_id varchar, title varchar)")
        con.execute("insert into check_results values ('r1', 'sc_latency', 'p95 latency holds')")
    assert notify.expiring_waivers(snapshot, "r1", datetime(2026, 12, 1).date()) == []  # none yet
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "create table waivers (run_id varchar, project_id varchar, check_id varchar, "
            "expires_on date)"
        )
        con.execute(
            "insert into waivers values ('r1', 'a', 'sc_latency', '2026-12-10'), "
            "('r1', 'b', 'sc_latency', '2027-03-01'), ('r0', 'a', 'sc_latency', '2026-12-10')"
        )
    [notice] = notify.expiring_waivers(snapshot, "r1", datetime(2026, 12, 1).date())
    assert (notice.kind, notice.project_id) == ("waiver_expiring", "a")
    assert notice.text == 'the waiver of "p95 latency holds" expires on 2026-12-10'


def test_digest_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    portfolio = copy_examples(tmp_path / "examples")
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    use_home(tmp_path / "home")
    runner = CliRunner()
    nowhere = runner.invoke(app, ["digest", str(portfolio)])
    assert nowhere.exit_code == 2 and "no alerts.urls" in nowhere.stderr
    config = yaml.safe_load(portfolio.read_text())
    config["alerts"] = {"urls": ["json://127.0.0.1:9/hook"]}
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    unpublished = runner.invoke(app, ["digest", str(portfolio)])
    assert unpublished.exit_code == 1 and "no assessment has been published" in unpublished.stderr
    get_settings.cache_clear()


def test_a_notice_of_one_portfolio_does_not_suppress_the_same_of_another(tmp_path: Path) -> None:
    """Two portfolios kept in one home may both have a project `support_copilot`."""
    from flows.config import Alerts

    settings = use_home(tmp_path / "home")
    try:
        notice = notify.Notice("became_go", "support_copilot", "go", "now GO (was not yet)")
        now = datetime(2026, 12, 1, 8, tzinfo=UTC)
        first = notify.Audience("First", Alerts(), {}, {}, portfolio_id="first")
        second = notify.Audience("Second", Alerts(), {}, {}, portfolio_id="second")
        assert notify.deliver([notice], first, "run-1", settings, now).suppressed == 0
        assert notify.deliver([notice], second, "run-2", settings, now).suppressed == 0
        # Within one portfolio the repeat is still suppressed.
        assert notify.deliver([notice], first, "run-3", settings, now).suppressed == 1
    finally:
        get_settings.cache_clear()


def test_channels_that_fail_are_named_by_their_own_position(tmp_path: Path) -> None:
    """Each channel is sent to alone: the failure names its place in the file, not "#1" each time."""
    from flows.config import Alerts

    settings = use_home(tmp_path / "home")
    try:
        closed = ["json://127.0.0.1:9/first", "json://127.0.0.1:9/second"]
        owners = Alerts.model_validate({"urls": ["json://127.0.0.1:9/owners"]}).urls
        audience = notify.Audience(
            "P", Alerts.model_validate({"urls": closed}), {"support_copilot": owners}, {}, "p"
        )
        notice = notify.Notice("became_go", "support_copilot", "go", "now GO (was not yet)")
        sent = notify.deliver([notice], audience, "run-1", settings)
        assert sent.failed == [
            "alert URL #1 (json://)",
            "alert URL #2 (json://)",
            "project support_copilot's alert URL #1 (json://)",
        ]
    finally:
        get_settings.cache_clear()


def test_a_late_run_that_then_fails_is_announced_twice(tmp_path: Path) -> None:
    """Late and failed are two things to say about one flow run; failed twice is one."""
    from flows.config import Alerts

    settings = use_home(tmp_path / "home")
    try:
        audience = notify.Audience("P", Alerts(), {}, {})
        now = datetime(2026, 12, 1, 8, tzinfo=UTC)
        run = "0b5c2a49-7a4e-4c53-9a43-2f7d3c7f0e11"
        late = notify.failure_notice("assess_portfolio", "calm-fox", run, "Late")
        failed = notify.failure_notice("assess_portfolio", "calm-fox", run, "Failed")
        assert notify.deliver([late], audience, None, settings, now).suppressed == 0
        assert notify.deliver([failed], audience, None, settings, now).suppressed == 0
        assert notify.deliver([failed], audience, None, settings, now).suppressed == 1
    finally:
        get_settings.cache_clear()


def test_unreadable_alerts_are_logged_without_a_class_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    portfolio = tmp_path / "portfolio.yml"
    portfolio.write_text("name: P\nalerts:\n  suppress_hours: -1\n", encoding="utf-8")
    notice = notify.failure_notice("assess_portfolio", "calm-fox", "some-run", "Failed")
    with caplog.at_level("WARNING", logger="flows.notify"):
        assert notify.announce_failure(portfolio, notice) is None
    [record] = caplog.records
    assert str(portfolio) in record.getMessage()
    assert "Error" not in record.getMessage()


def test_the_sent_log_keeps_only_what_still_suppresses() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    window = timedelta(hours=24)
    log = {
        "p1/old": (now - timedelta(hours=30)).isoformat(),
        "p1/edge": (now - window).isoformat(),
        "p1/recent": (now - timedelta(hours=2)).isoformat(),
        "p2/old": (now - timedelta(hours=30)).isoformat(),  # another portfolio's own window
    }
    notify.prune(log, now, window, "p1")
    assert sorted(log) == ["p1/recent", "p2/old"]
