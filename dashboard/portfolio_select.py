"""The portfolio selector: every page shows one portfolio, chosen in the sidebar.

The options are the published portfolios the session may read (dashboard/access.py): a user
allowed one portfolio is offered no other, and sees its name, not a selector. The choice is kept
in the URL (``?portfolio=<id>``, so a link opens the same portfolio) and in the session (so it
survives going from page to page); without either, the first portfolio is shown. The chosen
portfolio narrows :func:`dashboard.access.scope`, so every query, chart and report of the page
reads that portfolio's snapshot only (readmodel/snapshots.py). The page across portfolios
(app_pages/portfolios.py) has no selector and reads every permitted portfolio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from core.settings import get_settings
from dashboard import access, queries
from readmodel import snapshots

#: The selector's widget key and URL parameter.
KEY = "portfolio"
#: The last portfolio chosen in this session (the widget's own state ends with its page).
REMEMBERED = "readiness_portfolio"
CACHE_SECONDS = 60


def _in_file(path: Path, allowed: tuple[str, ...] | None) -> list[str]:
    rows = queries.query_files(
        snapshots.Readable((path,), allowed),
        "select distinct portfolio_id from runs where portfolio_id is not null order by 1",
    )
    return [str(p) for p in rows["portfolio_id"]]


def available() -> list[str]:
    """The published portfolios this session may read, in id order (none: nothing to choose)."""
    source = get_settings().snapshot
    allowed = access.permitted()
    if allowed == ():
        return []
    if not source.is_file():  # the published folder: one file per portfolio
        return [
            p for p in snapshots.published_portfolios(source) if allowed is None or p in allowed
        ]
    try:  # one snapshot file handed to the dashboard: the portfolios of its runs
        return _in_file(source, allowed)
    except (OSError, queries.SnapshotError):
        return []


def several() -> bool:
    """Whether the session may read two portfolios or more (the page across portfolios is shown)."""
    return len(available()) > 1


def across_pages() -> list[Any]:
    """The navigation's page across portfolios, for a session that may read two or more."""
    if not several():
        return []
    return [
        st.Page(
            "app_pages/portfolios.py", title="Across portfolios", icon="🗂️", url_path="portfolios"
        )
    ]


def _keep_in_url() -> None:
    st.query_params[KEY] = st.session_state[KEY]


def sidebar() -> str | None:
    """Show the selector (or the one portfolio's name) and narrow the session to the choice."""
    options = available()
    if len(options) < 2:
        # One portfolio (or none): nothing to choose, and nothing to narrow.
        st.session_state.pop(access.SESSION_CHOSEN, None)
        if options:
            st.sidebar.caption(f"Portfolio: {options[0]}")
        return options[0] if options else None
    wanted = st.query_params.get(KEY)
    remembered = st.session_state.get(REMEMBERED)
    chosen = wanted if wanted in options else remembered if remembered in options else options[0]
    st.session_state[KEY] = chosen
    chosen = str(
        st.sidebar.selectbox(
            "Portfolio",
            options,
            key=KEY,
            on_change=_keep_in_url,
            help="Every page shows the projects of this portfolio.",
        )
    )
    st.session_state[REMEMBERED] = chosen
    st.session_state[access.SESSION_CHOSEN] = chosen
    st.query_params[KEY] = chosen
    return chosen
