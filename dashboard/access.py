"""Who may see the dashboard, and which portfolios they see.

Off by default (the local demo). ``READINESS_DASHBOARD_LOGIN=true`` turns on a login:

- OIDC through ``st.login`` when an ``[auth]`` section is configured in Streamlit's secrets
  (``.streamlit/secrets.toml``); the user is the identity provider's e-mail address;
- otherwise a user name and password, checked against argon2id hashes in the ``[passwords]``
  section of the secrets or ``READINESS_DASHBOARD_USER`` / ``READINESS_DASHBOARD_PASSWORD``
  (``readiness hash-password`` makes a hash; a password in plain text is refused). Repeated
  failures wait longer and longer, per user and per client (core.access.Throttle).

``READINESS_DASHBOARD_ACCESS`` names a YAML file mapping users to the portfolio ids they may see
(``alice@example.com: [emea, retail]``; ``'*'`` for all). A session opens only its portfolios'
snapshots (dashboard/queries.py, flows/snapshots.py), so a session that has not signed in reads
nothing at all. Sign-ins, sign-outs and what each user viewed go to the audit log
(core.access.audit).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from core import access as rules
from core.errors import ConfigError
from core.secrets import expand
from core.settings import get_settings

SESSION_USER = "readiness_user"
SESSION_SCOPE = "readiness_portfolios"
SESSION_VIEWED = "readiness_viewed"
#: The portfolio the sidebar's selector chose for this page (unset: every permitted portfolio).
SESSION_CHOSEN = "readiness_chosen_portfolio"


def _secrets(section: str) -> dict[str, Any]:
    """A section of Streamlit's secrets, or {} when there is no secrets file or no section."""
    try:
        value = st.secrets.get(section)
    except Exception:  # no secrets.toml at all: Streamlit raises its own FileNotFoundError
        return {}
    return dict(value) if value else {}


def passwords() -> rules.Passwords:
    """Known users and their password hashes: the secrets' [passwords], plus the settings' user."""
    known = {str(k): str(v) for k, v in _secrets("passwords").items()}
    settings = get_settings()
    if settings.dashboard_password is not None:
        known[settings.dashboard_user] = expand(settings.dashboard_password.get_secret_value())
    return rules.Passwords.of(known)


def check_password(user: str, password: str) -> bool:
    """Whether the password is the user's (its hash matches); plain-text passwords never match."""
    return passwords().verify(user, password)


def load_access(path: Path) -> dict[str, tuple[str, ...] | None]:
    """The user -> portfolios mapping of a YAML file (None: every portfolio)."""
    return rules.load_access(path)


def portfolios_for(user: str) -> tuple[str, ...] | None:
    """The portfolio ids a signed-in user may see (None: all; empty: none)."""
    return rules.portfolios_for(user)


def _client() -> str | None:
    """The client's address, as Streamlit sees it (a proxy's address behind a proxy)."""
    try:
        return st.context.ip_address
    except Exception:  # no browser connection (a test run): no client key
        return None


def scope() -> tuple[str, ...] | None:
    """Portfolios the page reads: the sidebar's choice, else every portfolio the session may read.

    The choice is made by dashboard.portfolio_select; :func:`permitted` is what the session may read.
    """
    allowed = permitted()
    chosen = st.session_state.get(SESSION_CHOSEN)
    if chosen is not None and (allowed is None or chosen in allowed):
        return (str(chosen),)
    return allowed


def permitted() -> tuple[str, ...] | None:
    """Portfolios the current session may read: None for all, () for nothing (not signed in)."""
    if not get_settings().dashboard_login:
        return None
    if SESSION_USER not in st.session_state:
        return ()
    value = st.session_state.get(SESSION_SCOPE)
    return None if value is None else tuple(value)


def _oidc_configured() -> bool:
    return bool(_secrets("auth"))


def _sign_out() -> None:
    rules.audit("sign_out", st.session_state.get(SESSION_USER))
    st.session_state.pop(SESSION_VIEWED, None)
    st.session_state.pop(SESSION_USER, None)
    st.session_state.pop(SESSION_SCOPE, None)
    st.session_state.pop(SESSION_CHOSEN, None)
    if _oidc_configured():
        st.logout()


def _password_form() -> str | None:
    """The sign-in form; the user name once the password matched."""
    known = passwords()
    if known.plain_text:
        st.error(rules.plain_text_message(len(known.plain_text)))
    if not known.hashes:
        if not known.plain_text:
            st.error(
                "Login is on (READINESS_DASHBOARD_LOGIN) but no password is configured: set "
                "READINESS_DASHBOARD_PASSWORD or a [passwords] section in "
                ".streamlit/secrets.toml (the hash `readiness hash-password` prints)."
            )
        return None
    with st.form("sign-in"):
        user = st.text_input("User name", key="sign-in-user")
        password = st.text_input("Password", type="password", key="sign-in-password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return None
    client = _client()
    keys = rules.throttle_keys(user, client)
    # A name that is no user is not written to the audit log: it may be a mistyped password.
    named = user if user in known.hashes else None
    wait = rules.SIGN_INS.wait(keys)
    if wait > 0:
        rules.audit("sign_in", named, method="password", client=client, outcome="throttled")
        st.error(
            f"Too many failed sign-ins: try again in {wait:.0f} second(s)."
            if wait >= 1
            else "Too many failed sign-ins: try again in a moment."
        )
        return None
    if known.verify(user, password):
        rules.SIGN_INS.succeeded(keys[:1])
        rules.audit("sign_in", user, method="password", client=client, outcome="ok")
        return user
    rules.SIGN_INS.failed(keys)
    outcome = "wrong_password" if named else "unknown_user"
    rules.audit("sign_in", named, method="password", client=client, outcome=outcome)
    st.error("Wrong user name or password.")
    return None


def _record_view(user: str, portfolios: tuple[str, ...] | None) -> None:
    """Audit what the user is viewing: the page, the project and the portfolios it may show."""
    try:
        url = str(st.context.url or "")
    except Exception:
        url = ""
    page = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] if url else ""
    project = st.query_params.get("project")
    gap = st.query_params.get("gap")
    from readmodel import snapshots

    try:
        viewed = [p.stem for p in snapshots.readable(get_settings().snapshot, portfolios).files]
    except snapshots.NoSnapshotError:
        viewed = []
    key = (page, project, gap, tuple(viewed))
    if st.session_state.get(SESSION_VIEWED) == key:
        return
    st.session_state[SESSION_VIEWED] = key
    rules.audit(
        "view",
        user,
        page=page or None,
        project=project,
        gap=gap,
        portfolios=viewed,
        scope="all" if portfolios is None else list(portfolios),
    )


def _choose_portfolio(choose: Callable[[], object] | None) -> None:
    """The sidebar's portfolio selector, or (a page across portfolios) no chosen portfolio."""
    if choose is not None:
        choose()
    else:
        st.session_state.pop(SESSION_CHOSEN, None)


def gate(choose: Callable[[], object] | None = None) -> bool:
    """Whether the page may show data; when not, the sign-in is shown instead.

    ``choose``: the sidebar's portfolio selector (dashboard.portfolio_select.sidebar) for a page
    that shows one portfolio; None for a page across every permitted portfolio.
    """
    if not get_settings().dashboard_login:
        _choose_portfolio(choose)
        return True
    user = st.session_state.get(SESSION_USER)
    if user is None:
        st.title("AI production readiness")
        st.write("Sign in to see the assessments.")
        if _oidc_configured():
            if not st.user.is_logged_in:
                st.button("Sign in with your identity provider", on_click=st.login)
                return False
            user = str(st.user.get("email") or st.user.get("sub") or "")
            if user:
                rules.audit("sign_in", user, method="oidc", client=_client(), outcome="ok")
        else:
            user = _password_form()
        if not user:
            return False
        try:
            portfolios = portfolios_for(user)
        except (OSError, ConfigError) as err:
            st.error(f"The access file could not be read: {err}")
            return False
        st.session_state[SESSION_USER] = user
        st.session_state[SESSION_SCOPE] = portfolios
        st.rerun()
    portfolios = st.session_state.get(SESSION_SCOPE)
    with st.sidebar:
        st.caption(f"Signed in as {user}")
        st.button("Sign out", on_click=_sign_out)
    if portfolios == ():
        st.warning(f"You are signed in as {user}, but no portfolio is shared with you.")
        return False
    _choose_portfolio(choose)
    _record_view(user, None if portfolios is None else tuple(portfolios))
    return True
