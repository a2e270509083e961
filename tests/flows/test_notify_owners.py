"""Owner names in notifications, and an owner's own channel (alerts.owner_urls).

A notice about a check names the check's owner as the run recorded it (the name of the project's
owners map, or the role, counted); a named owner's channels receive the notices about what that
owner owns, in one message per run, on a real HTTP receiver on loopback.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from core.errors import ConfigError
from flows import notify
from flows.config import Alerts, parse_model
from flows.notify import with_owners
from tests.conftest import Assessed, kept_environment, use_home
from tests.flows.test_alerts import SECRET, Receiver, receiver  # noqa: F401 (a fixture)

TEAM = "team-data-platform"
TEAM_TOKEN = "team-token-1234"


def _alerts(receiver: Receiver) -> Alerts:  # noqa: F811
    return Alerts.model_validate(
        {
            "urls": [receiver.url()],
            "owner_urls": {TEAM: ["${READINESS_TEST_TEAM_URL}"]},
        }
    )


def test_messages_name_the_owner_or_the_unnamed_role_and_count_it() -> None:
    notices = [
        notify.Notice(
            "regression", "a", "critical_check:sc_latency", "critical check fails", owner=TEAM
        ),
        notify.Notice(
            "waiver_expiring",
            "a",
            "sa_legal_blockers:2026-12-01",
            "the waiver expires",
            owner="legal",
            owner_named=False,
        ),
    ]
    _, body = notify.message("Portfolio", "r2", notices, {"a": "Alpha"})
    assert f"critical check fails (owner: {TEAM})" in body
    assert "the waiver expires (owner role: legal, no name mapped)" in body
    assert "1 notice(s) name an owner role without a name (legal)" in body
    # Regressions only keep the regression alert's layout, with the owner beside each.
    _, body = notify.message("Portfolio", "r2", notices[:1], {})
    assert f"critical check fails (owner: {TEAM})" in body and "without a name" not in body


def test_owner_urls_are_secrets_keyed_by_names_never_contact_details(
    monkeypatch: pytest.MonkeyPatch,
    receiver: Receiver,  # noqa: F811
) -> None:
    monkeypatch.setenv("READINESS_TEST_TEAM_URL", receiver.url(TEAM_TOKEN))
    alerts = _alerts(receiver)
    assert alerts.owner_urls[TEAM][0].get_secret_value() == receiver.url(TEAM_TOKEN)
    assert TEAM_TOKEN not in repr(alerts)
    for owner_urls, expected in (
        ({"ann@example.com": ["json://127.0.0.1/x"]}, "not contact details"),
        ({TEAM: ["nothing://secret-token"]}, f"{TEAM}: urls[0] is not a URL Apprise can send"),
        ({TEAM: "json://127.0.0.1/x"}, "must be a list of Apprise URLs"),
        (["json://127.0.0.1/x"], "must be a mapping"),
    ):
        with pytest.raises(ConfigError) as refused:
            parse_model(Alerts, {"owner_urls": owner_urls}, "portfolio.yml")
        assert expected in str(refused.value)
        assert "ann@example.com" not in str(refused.value)
        assert "secret-token" not in str(refused.value)


def test_a_checks_owner_hears_of_it_on_their_own_channel(
    assessed_examples: Assessed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    receiver: Receiver,  # noqa: F811
) -> None:
    # The session's snapshot, with the latency check's owner role named as the owners map would.
    snapshot = tmp_path / "readiness.duckdb"
    shutil.copyfile(assessed_examples.snapshot, snapshot)
    run_id = assessed_examples.run_id
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "update check_results set owner = ?, owner_named = true where run_id = ? "
            "and project_id = 'sales_forecast_assistant' and check_id = 'sc_latency'",
            [TEAM, run_id],
        )
        role = con.execute(
            "select owner_role from check_results where run_id = ? "
            "and project_id = 'contract_review' and check_id = 'sa_legal_blockers'",
            [run_id],
        ).fetchone()
    notices = with_owners(
        snapshot,
        run_id,
        [
            notify.Notice(
                "regression",
                "sales_forecast_assistant",
                "critical_check:sc_latency",
                'critical check "p95 latency" now fails',
            ),
            notify.Notice(
                "waiver_expiring",
                "contract_review",
                "sa_legal_blockers:2026-12-01",
                "the waiver expires on 2026-12-01",
            ),
            notify.Notice("became_go", "support_copilot", "go", "now GO (first assessment)"),
        ],
    )
    assert [(n.owner, n.owner_named) for n in notices] == [
        (TEAM, True),
        (role[0] if role else None, False),
        (None, True),
    ]
    monkeypatch.setenv("READINESS_TEST_TEAM_URL", receiver.url(TEAM_TOKEN))
    audience = notify.Audience("Example", _alerts(receiver), {}, {}, "example")
    with kept_environment():
        use_home(tmp_path / "home")
        sent = notify.deliver(notices, audience, run_id, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert (sent.messages, sent.failed) == (2, [])
    by_path = {path: str(payload["message"]) for path, payload in receiver.posts}
    # The portfolio's channel: every notice, each check with its owner or role.
    everything = by_path[f"/hook/{SECRET}"]
    assert f"now fails (owner: {TEAM})" in everything
    assert f"(owner role: {role[0] if role else ''}, no name mapped)" in everything
    assert "1 notice(s) name an owner role without a name" in everything
    # The team's own channel: one message holding only what the team owns.
    mine = by_path[f"/hook/{TEAM_TOKEN}"]
    assert f"now fails (owner: {TEAM})" in mine
    assert "waiver" not in mine and "now GO" not in mine
