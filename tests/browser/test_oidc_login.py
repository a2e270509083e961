"""OIDC login through ``st.login``, end to end: a real OpenID Connect provider on loopback, the
served dashboard with an ``[auth]`` section in its Streamlit secrets, and a real headless Chromium
that signs in at the provider, sees only the portfolios the access file gives the user, and signs
out.

The provider is oidc-provider-mock (a Flask and Authlib OpenID provider made for tests) served
over HTTP on 127.0.0.1: discovery, authorization (its sign-in form), token, userinfo, JWKS and
end-session endpoints, with client registration required, so the dashboard must present the
client id and secret it was given. Streamlit's own Authlib client talks to it: the discovery
document, the authorization code exchange and the ID token's signature are all real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from tests.browser.pages import SIGN_IN_PROMPT, settled, shot, shows_no_data
from tests.browser.served import served_dashboard
from tests.dashboard.handmade import GO, NOT_YET, build_snapshot
from tests.services import free_port

#: The handmade snapshot's projects; the test moves NOT_YET into a portfolio of its own.
NAMES = {GO: "Support copilot", NOT_YET: "Churn predictor"}
OTHER_PORTFOLIO = "emea"
ALICE, BOB = "alice@example.com", "bob@example.com"


@pytest.fixture
def identity_provider() -> Iterator[str]:
    """A real OpenID Connect provider on a free loopback port; its issuer URL."""
    import oidc_provider_mock
    from werkzeug.serving import make_server

    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def move_project_to_portfolio(snapshot: Path, project_id: str, portfolio_id: str) -> None:
    """Give a project runs of its own in another portfolio (a copy of each run it was in)."""
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            """
            insert into runs by name
            select * replace (run_id || '-' || ? as run_id, ? as portfolio_id) from runs
            """,
            [portfolio_id, portfolio_id],
        )
        tables = con.execute(
            """
            select table_name from information_schema.columns
            where column_name in ('run_id', 'project_id') and table_name <> 'runs'
            group by table_name having count(*) = 2
            """
        ).fetchall()
        for (table,) in tables:
            con.execute(
                f"update {table} set run_id = run_id || '-' || ? where project_id = ?",
                [portfolio_id, project_id],
            )
        named = con.execute(  # the latest results name their portfolio (project_latest)
            """
            select table_name from information_schema.columns
            where column_name in ('portfolio_id', 'project_id') and table_name <> 'runs'
            group by table_name having count(*) = 2
            """
        ).fetchall()
        for (table,) in named:
            con.execute(
                f"update {table} set portfolio_id = ? where project_id = ?",
                [portfolio_id, project_id],
            )


def register_client(issuer: str, redirect_uri: str) -> dict[str, Any]:
    """Register the dashboard as a client of the provider: its client id and secret."""
    answer = httpx.post(f"{issuer}/oauth2/clients", json={"redirect_uris": [redirect_uri]})
    answer.raise_for_status()
    return dict(answer.json())


def write_auth_secrets(path: Path, redirect_uri: str, client: dict[str, Any], issuer: str) -> Path:
    """A secrets.toml with the ``[auth]`` section ``st.login`` reads."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-test"\n'
        f'client_id = "{client["client_id"]}"\n'
        f'client_secret = "{client["client_secret"]}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def sign_in_at_provider(page: Any, issuer: str, user: str) -> None:
    """From the dashboard's sign-in prompt to the provider's form, and back signed in."""
    page.get_by_role("button", name="Sign in with your identity provider").click()
    page.wait_for_url(f"{issuer}/oauth2/authorize**")
    page.locator("input[name='sub']").fill(user)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text(f"Signed in as {user}").wait_for()
    page.locator("[data-testid='stMetric']").first.wait_for()
    settled(page)


def projects_offered(page: Any, url: str) -> set[str]:
    """The projects the project page offers to choose from, asked for one of each portfolio."""
    page.goto(f"{url}/project?project={GO}")
    page.get_by_text("Report (PDF)").first.wait_for()  # the project page's last element
    settled(page)
    page.locator("[data-testid='stSelectbox']").first.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    shown = {project for project, name in NAMES.items() if any(name in o for o in options)}
    title = page.locator("h1").first.inner_text()
    assert title in {NAMES[p] for p in shown}, title
    return shown


def projects_counted(page: Any) -> str:
    """The portfolio page's count of projects."""
    for metric in page.locator("[data-testid='stMetric']").all_inner_texts():
        if metric.startswith("Projects"):
            return metric.split()[-1]
    raise AssertionError("no Projects count on the page")


def test_oidc_sign_in_shows_only_the_users_portfolios_and_sign_out_hides_them(
    page: Any, identity_provider: str, tmp_path: Path
) -> None:
    issuer = identity_provider
    snapshot = build_snapshot(tmp_path / "published" / "readiness.duckdb")
    move_project_to_portfolio(snapshot, NOT_YET, OTHER_PORTFOLIO)
    access = tmp_path / "access.yml"
    access.write_text(f"{ALICE}: [{OTHER_PORTFOLIO}]\n{BOB}: [example]\n", encoding="utf-8")
    for user in (ALICE, BOB):  # the claims the provider puts in the ID token
        httpx.put(f"{issuer}/users/{user}", json={"email": user}).raise_for_status()

    port = free_port()
    redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
    client = register_client(issuer, redirect_uri)
    secrets = write_auth_secrets(tmp_path / "secrets.toml", redirect_uri, client, issuer)
    env = {
        "READINESS_DASHBOARD_LOGIN": "true",
        "READINESS_DASHBOARD_ACCESS": str(access),
        "STREAMLIT_SECRETS_FILES": str(secrets),
    }
    with served_dashboard(snapshot, port, env=env) as url:
        # Not signed in: no page shows any of the data, whatever its URL asks for.
        for path in ("", f"/project?project={NOT_YET}", f"/trends?project={NOT_YET}"):
            page.goto(url + path)
            shows_no_data(page, NAMES.values(), path)
        shot(page, "07-oidc-signed-out")

        sign_in_at_provider(page, issuer, ALICE)
        assert page.url.startswith(url)
        assert projects_counted(page) == "1"
        shot(page, "08-oidc-alice")
        # The other portfolio's project is not offered, even when the URL asks for it.
        assert projects_offered(page, url) == {NOT_YET}

        # Sign out: the dashboard forgets the user, the provider ends the session, and the
        # identity cookie is gone, so a reload shows nothing again.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{issuer}/oauth2/end_session**")
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{url}/**")
        shows_no_data(page, NAMES.values(), "after sign-out")
        page.reload()
        shows_no_data(page, NAMES.values(), "reload after sign-out")
        assert page.get_by_text(SIGN_IN_PROMPT).is_visible()

        # Another user of the same browser sees their own portfolio only.
        sign_in_at_provider(page, issuer, BOB)
        assert projects_counted(page) == "1"
        assert projects_offered(page, url) == {GO}
