"""Access: off by default; with READINESS_DASHBOARD_LOGIN a session sees nothing until it signs
in, and a signed-in user sees only the portfolios the access file gives them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import SIGN_INS, hash_password, read_audit
from tests.dashboard.conftest import reset_caches
from tests.dashboard.helpers import APP, PAGES, text_of

NAMES = ("Support copilot", "Churn predictor")  # the handmade snapshot's projects


def _app(page: str = "portfolio") -> AppTest:
    return AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60)


def _shows_no_data(at: AppTest) -> None:
    assert not at.exception
    assert not at.dataframe and not at.metric and not at.get("vega_lite_chart")
    shown = text_of(at) + " ".join(str(t.value) for t in at.title)
    assert not any(name in shown for name in NAMES)


def _hashed(**passwords: str) -> dict[str, str]:
    return {user: hash_password(password) for user, password in passwords.items()}


def _sign_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="sign-in-user").input(user)
    at.text_input(key="sign-in-password").input(password)
    return at.button[0].click().run()


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The audit log goes to a private READINESS_HOME; no failed sign-in outlives its test."""
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    SIGN_INS._failures.clear()
    yield
    SIGN_INS._failures.clear()


@pytest.fixture
def login(handmade_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READINESS_DASHBOARD_LOGIN", "true")
    monkeypatch.setenv("READINESS_DASHBOARD_USER", "exec")
    monkeypatch.setenv("READINESS_DASHBOARD_PASSWORD", hash_password("s3cret-pass"))
    reset_caches()
    return handmade_snapshot


def test_off_by_default_shows_the_data(handmade_snapshot: Path) -> None:
    at = _app().run()
    assert not at.exception and at.dataframe
    assert not at.text_input  # no sign-in form


@pytest.mark.parametrize("page", ["portfolio", "project", "gap", "trends"])
def test_a_session_without_login_sees_none_of_the_data(login: Path, page: str) -> None:
    at = _app(page)
    at.query_params["project"] = "churn_predictor"
    at.run()
    _shows_no_data(at)
    assert [t.label for t in at.text_input] == ["User name", "Password"]


def test_the_navigation_app_asks_for_a_login_too(login: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    _shows_no_data(at)


def test_a_wrong_password_is_refused(login: Path) -> None:
    at = _sign_in(_app().run(), "exec", "guess")
    _shows_no_data(at)
    assert at.error[0].value == "Wrong user name or password."
    at = _sign_in(_app().run(), "nobody", "s3cret-pass")
    _shows_no_data(at)


def test_the_right_password_shows_the_portfolio(login: Path) -> None:
    at = _sign_in(_app().run(), "exec", "s3cret-pass")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Projects"] == "2"
    assert "Signed in as exec" in [c.value for c in at.sidebar.caption]


def test_users_from_streamlit_secrets(login: Path) -> None:
    at = _app()
    at.secrets["passwords"] = {"cfo": hash_password("another-pass")}
    at.run()
    at = _sign_in(at, "cfo", "another-pass")
    assert not at.exception and at.dataframe


def test_portfolio_owners_see_only_their_portfolios(
    login: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = tmp_path / "access.yml"
    access.write_text("exec: [example]\ncfo: [emea]\nboard: '*'\n", encoding="utf-8")
    monkeypatch.setenv("READINESS_DASHBOARD_ACCESS", str(access))
    reset_caches()
    at = _sign_in(_app().run(), "exec", "s3cret-pass")
    assert {m.label: m.value for m in at.metric}["Projects"] == "2"

    at = _app()
    at.secrets["passwords"] = _hashed(cfo="cfo-pass", board="board-pass", intern="i-pass")
    at.run()
    at = _sign_in(at, "cfo", "cfo-pass")  # owns another portfolio: none of these projects
    assert not at.exception
    assert not at.dataframe and not at.metric
    assert "No assessment has been published yet" in at.info[0].value

    for user, password in (("board", "board-pass"), ("intern", "i-pass")):
        at = _app()
        at.secrets["passwords"] = _hashed(board="board-pass", intern="i-pass")
        at.run()
        at = _sign_in(at, user, password)
        if user == "board":
            assert {m.label: m.value for m in at.metric}["Projects"] == "2"
        else:  # not in the access file: nothing is shared with them
            _shows_no_data(at)
            assert "no portfolio is shared with you" in at.warning[0].value


def test_login_without_any_password_configured_says_so(
    handmade_snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_DASHBOARD_LOGIN", "true")
    reset_caches()
    at = _app().run()
    _shows_no_data(at)
    assert "no password is configured" in at.error[0].value


def test_a_password_in_plain_text_is_refused_with_a_clear_message(
    handmade_snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_DASHBOARD_LOGIN", "true")
    monkeypatch.setenv("READINESS_DASHBOARD_PASSWORD", "s3cret-pass")
    reset_caches()
    at = _app()
    at.secrets["passwords"] = {"cfo": hash_password("cfo-pass"), "old": "old-plain"}
    at.run()
    message = at.error[0].value
    assert "2 dashboard password(s) are configured in plain text and are refused" in message
    assert "readiness hash-password" in message
    assert "s3cret-pass" not in message and "old-plain" not in message
    at = _sign_in(at, "admin", "s3cret-pass")  # the plain-text password lets nobody in
    _shows_no_data(at)
    assert "Wrong user name or password." in [e.value for e in at.error]
    at = _app()
    at.secrets["passwords"] = {"cfo": hash_password("cfo-pass"), "old": "old-plain"}
    at.run()
    at = _sign_in(at, "cfo", "cfo-pass")  # a hashed user still signs in
    assert not at.exception and at.dataframe


def test_repeated_failures_are_slowed_down_and_the_audit_log_records_them(
    login: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SIGN_INS, "base", 60.0)  # the first wait: a minute (no race with the test)
    at = _app().run()
    for _ in range(3):  # the first failures cost nothing
        at = _sign_in(at, "exec", "wrong")
        assert at.error[0].value == "Wrong user name or password."
    at = _sign_in(at, "exec", "s3cret-pass")  # then even the right password waits
    assert at.error[0].value.startswith("Too many failed sign-ins: try again in 6")
    _shows_no_data(at)
    at = _sign_in(at, "nobody", "x")  # an unknown name is counted too, but never logged
    events = read_audit()
    assert [e["outcome"] for e in events] == ["wrong_password"] * 3 + ["throttled", "unknown_user"]
    assert {e["user"] for e in events[:4]} == {"exec"} and events[4]["user"] is None
    assert all(e["event"] == "sign_in" and e["method"] == "password" for e in events)
    text = get_audit_text()
    assert "s3cret-pass" not in text and "wrong" not in text.replace("wrong_password", "")
    assert "nobody" not in text
    SIGN_INS._failures.clear()  # the back-off has passed
    at = _sign_in(_app().run(), "exec", "s3cret-pass")
    assert not at.exception and at.metric
    last = read_audit()[-2:]
    assert last[0]["event"] == "sign_in" and last[0]["outcome"] == "ok"
    assert last[1]["event"] == "view" and last[1]["user"] == "exec"
    assert last[1]["portfolios"] == ["readiness"]  # the one snapshot file this test reads
    assert last[1]["scope"] == "all"


def test_the_audit_log_records_each_portfolio_a_user_views(
    login: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = tmp_path / "access.yml"
    access.write_text("exec: [example]\n", encoding="utf-8")
    monkeypatch.setenv("READINESS_DASHBOARD_ACCESS", str(access))
    reset_caches()
    at = _sign_in(_app().run(), "exec", "s3cret-pass")
    assert at.metric
    at = _app("project")
    at.query_params["project"] = "churn_predictor"
    at.run()
    at = _sign_in(at, "exec", "s3cret-pass")
    views = [e for e in read_audit() if e["event"] == "view"]
    assert [(v["user"], v["scope"], v["project"]) for v in views] == [
        ("exec", ["example"], None),
        ("exec", ["example"], "churn_predictor"),
    ]
    assert (Path(get_audit_path()).stat().st_mode & 0o777) == 0o600


def get_audit_path() -> Path:
    from core.access import audit_path

    return audit_path()


def get_audit_text() -> str:
    return get_audit_path().read_text(encoding="utf-8")


def test_a_session_opens_only_the_snapshots_of_its_portfolios(
    login: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import warehouse
    from tests.flows.test_snapshots import _two_portfolio_warehouse

    folder = tmp_path / "published"
    warehouse.publish(_two_portfolio_warehouse(tmp_path), folder)
    (folder / "emea.duckdb").write_bytes(b"not a database")  # opened, it would fail the page
    access = tmp_path / "access.yml"
    access.write_text("exec: [example]\n", encoding="utf-8")
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(folder))
    monkeypatch.setenv("READINESS_DASHBOARD_ACCESS", str(access))
    reset_caches()
    at = _sign_in(_app().run(), "exec", "s3cret-pass")
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Projects"] == "2"
    views = [e for e in read_audit() if e["event"] == "view"]
    assert views[-1]["portfolios"] == ["example"]
