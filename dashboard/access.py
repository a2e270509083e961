"""Who may see the dashboard, and which portfolios they see.

Off by default (the local demo). ``READINESS_DASHBOARD_LOGIN=true`` turns on a login:

- OIDC through ``st.login`` when an ``[auth]`` section is configured in Streamlit's secrets
  (``.streamlit/secrets.toml``); the user is the identity provider's e-mail address;
- otherwise a user name and password, checked with ``hmac.compare_digest`` against the
  ``[passwords]`` section of the secrets or ``READINESS_DASHBOARD_USER`` /
  ``READINESS_DASHBOARD_PASSWORD``.

``READINESS_DASHBOARD_ACCESS`` names a YAML file mapping users to the portfolio ids they may see
(``alice@example.com: [emea, retail]``; ``'*'`` for all). Queries are restricted through
:func:`scope`, so a session that has not signed in reads nothing at all.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from flows.secrets import expand
from flows.settings import get_settings

SESSION_USER = "readiness_user"
SESSION_SCOPE = "readiness_portfolios"


def _secrets(section: str) -> dict[str, Any]:
    """A section of Streamlit's secrets, or {} when there is no secrets file or no section."""
    try:
        value = st.secrets.get(section)
    except Exception:  # no secrets.toml at all: Streamlit raises its own FileNotFoundError
        return {}
    return dict(value) if value else {}


def passwords() -> dict[str, str]:
    """Known users and their passwords: the secrets' [passwords], plus the settings' user."""
    known = {str(k): str(v) for k, v in _secrets("passwords").items()}
    settings = get_settings()
    if settings.dashboard_password is not None:
        known[settings.dashboard_user] = expand(settings.dashboard_password.get_secret_value())
    return known


def check_password(user: str, password: str) -> bool:
    """Whether the password is the user's; the comparison takes the same time either way."""
    expected = passwords().get(user)
    # Compare against a dummy for unknown users, so timing does not tell which users exist.
    ok = hmac.compare_digest(password.encode(), (expected or "\0 no user").encode())
    return ok and expected is not None


def load_access(path: Path) -> dict[str, tuple[str, ...] | None]:
    """The user -> portfolios mapping of a YAML file (None: every portfolio)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of user to a list of portfolio ids")
    mapping: dict[str, tuple[str, ...] | None] = {}
    for user, portfolios in data.items():
        if portfolios == "*":
            mapping[str(user)] = None
        elif isinstance(portfolios, list) and all(isinstance(p, str) for p in portfolios):
            mapping[str(user)] = tuple(portfolios)
        else:
            raise ValueError(
                f"{path}: user {user!r}: expected a list of portfolio ids or '*', got {portfolios!r}"
            )
    return mapping


def portfolios_for(user: str) -> tuple[str, ...] | None:
    """The portfolio ids a signed-in user may see (None: all; empty: none)."""
    path = get_settings().dashboard_access
    if path is None:
        return None
    return load_access(path).get(user, ())


def scope() -> tuple[str, ...] | None:
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
    st.session_state.pop(SESSION_USER, None)
    st.session_state.pop(SESSION_SCOPE, None)
    if _oidc_configured():
        st.logout()


def _password_form() -> str | None:
    """The sign-in form; the user name once the password matched."""
    if not passwords():
        st.error(
            "Login is on (READINESS_DASHBOARD_LOGIN) but no password is configured: set "
            "READINESS_DASHBOARD_PASSWORD or a [passwords] section in .streamlit/secrets.toml."
        )
        return None
    with st.form("sign-in"):
        user = st.text_input("User name", key="sign-in-user")
        password = st.text_input("Password", type="password", key="sign-in-password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if check_password(user, password):
            return user
        st.error("Wrong user name or password.")
    return None


def gate() -> bool:
    """Whether the page may show data; when not, the sign-in is shown instead."""
    if not get_settings().dashboard_login:
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
        else:
            user = _password_form()
        if not user:
            return False
        try:
            portfolios = portfolios_for(user)
        except (OSError, ValueError) as err:
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
    return True
