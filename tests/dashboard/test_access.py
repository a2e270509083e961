"""Access: off by default; with READINESS_DASHBOARD_LOGIN a session sees nothing until it signs
in, and a signed-in user sees only the portfolios the access file gives them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


def _sign_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="sign-in-user").input(user)
    at.text_input(key="sign-in-password").input(password)
    return at.button[0].click().run()


@pytest.fixture
def login(handmade_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READINESS_DASHBOARD_LOGIN", "true")
    monkeypatch.setenv("READINESS_DASHBOARD_USER", "exec")
    monkeypatch.setenv("READINESS_DASHBOARD_PASSWORD", "s3cret-pass")
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
    at.secrets["passwords"] = {"cfo": "another-pass"}
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
    at.secrets["passwords"] = {"cfo": "cfo-pass", "board": "board-pass", "intern": "i-pass"}
    at.run()
    at = _sign_in(at, "cfo", "cfo-pass")  # owns another portfolio: none of these projects
    assert not at.exception
    assert not at.dataframe and not at.metric
    assert "No assessment has been published yet" in at.info[0].value

    for user, password in (("board", "board-pass"), ("intern", "i-pass")):
        at = _app()
        at.secrets["passwords"] = {"board": "board-pass", "intern": "i-pass"}
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
