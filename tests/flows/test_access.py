"""core.access: the access file, argon2 password hashes, the sign-in back-off and the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import access
from core.errors import ConfigError
from core.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_back_off_doubles_per_failure_per_key_and_is_forgotten() -> None:
    clock = Clock()
    throttle = access.Throttle(free=2, base=1.0, cap=8.0, forget_after=100.0, clock=clock)
    alice, client = ["user:alice"], ["client:10.0.0.1"]
    waits = []
    for _ in range(7):
        waits.append(throttle.wait(alice + client))
        throttle.failed(alice + client)
    assert waits == [0, 0, 1, 2, 4, 8, 8]  # two free failures, then 1, 2, 4, 8 s (the cap)
    assert throttle.wait(alice + client) == 8
    clock.now += 5
    assert throttle.wait(["user:bob"]) == 0  # another user from another client: not slowed
    assert throttle.wait(["user:bob", *client]) == 3  # the same client is slowed, whoever it tries
    throttle.succeeded(alice)
    assert throttle.wait(alice) == 0  # a sign-in forgets the user's failures...
    assert throttle.wait(client) == 3  # ...not the client's
    clock.now += 101
    assert throttle.wait(client) == 0  # forgotten a while after the last failure


def test_throttle_keys_fold_the_user_name() -> None:
    assert access.throttle_keys(" Alice ", "1.2.3.4") == ["user:alice", "client:1.2.3.4"]
    assert access.throttle_keys("alice", None) == ["user:alice"]


def test_passwords_are_argon2_hashes_and_plain_text_is_refused() -> None:
    hashed = access.hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    known = access.Passwords.of({"alice": hashed, "bob": "plain-text"})
    assert known.plain_text == ("bob",)
    assert known.verify("alice", "correct horse")
    assert not known.verify("alice", "wrong")
    assert not known.verify("bob", "plain-text")  # refused, not compared
    assert not known.verify("nobody", "correct horse")
    with pytest.raises(ValueError, match="empty"):
        access.hash_password("")


def test_the_audit_log_is_json_lines_owner_only_and_never_a_password(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    access.audit("sign_in", "alice", settings, outcome="ok", client="10.0.0.1")
    access.audit("view", "alice", settings, portfolios=["emea"], project="p")
    path = access.audit_path(settings)
    assert path == tmp_path / "audit" / "access.jsonl"
    assert path.stat().st_mode & 0o777 == 0o600
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["event"], e["user"]) for e in lines] == [("sign_in", "alice"), ("view", "alice")]
    assert lines[1]["portfolios"] == ["emea"] and lines[0]["at"].endswith("+00:00")
    with pytest.raises(ValueError, match="never records password"):
        access.audit("sign_in", "alice", settings, password="x")


def test_the_access_file_and_the_command_line_scope(tmp_path: Path) -> None:
    path = tmp_path / "access.yml"
    path.write_text("alice: [emea, retail]\nboard: '*'\n", encoding="utf-8")
    settings = Settings(home=tmp_path, dashboard_access=path)
    assert access.reader_scope("alice", settings) == ("emea", "retail")
    assert access.reader_scope("board", settings) is None
    assert access.reader_scope("mallory", settings) == ()
    assert access.reader_scope(None, settings) is None  # nobody named: every portfolio
    named = Settings(home=tmp_path, dashboard_access=path, user="alice")
    assert access.reader_scope(None, named) == ("emea", "retail")
    assert access.reader_scope(None, Settings(home=tmp_path, user="alice")) is None  # no file
    path.write_text("alice: emea\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"alice.*expected a list of portfolio ids"):
        access.reader_scope("alice", settings)


def test_hash_password_command_prints_a_hash_that_verifies() -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["hash-password"], input="tr0ub4dor\ntr0ub4dor\n")
    assert result.exit_code == 0, result.stderr
    printed = result.stdout.strip().splitlines()[-1]
    assert printed.startswith("$argon2id$") and "tr0ub4dor" not in result.stdout
    assert access.Passwords.of({"u": printed}).verify("u", "tr0ub4dor")
