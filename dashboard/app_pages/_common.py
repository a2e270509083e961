"""What the pages share: the empty and unreadable states, and choosing a project or gap (in the URL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.markdown_safe import md
from dashboard import access, portfolio_select, queries
from readmodel.vocabulary import GAP_IDS, NO_SNAPSHOT, gap_label, verdict

UNREADABLE = (
    "The published assessment could not be read right now (it may be being replaced). "
    "Reload the page in a moment; if this persists, run `readiness run` again."
)


def render(page: Callable[[], None], title: str | None = None, selector: bool = True) -> None:
    """Run a page body, or say plainly why there is nothing to show (never a stack trace).

    ``selector``: the page shows the one portfolio chosen in the sidebar (dashboard.portfolio_select).
    """
    if not access.gate(portfolio_select.sidebar if selector else None):
        return
    if title:
        st.title(title)
    if not queries.has_snapshot():
        st.info(NO_SNAPSHOT)
        return
    try:
        page()
    except queries.SnapshotError as err:
        st.error(UNREADABLE)
        with st.expander("Details"):
            st.code(str(err), language=None)


def _keep_in_url(key: str) -> None:
    """Mirror a selector's value into the URL so that the view can be shared."""
    st.query_params[key] = st.session_state[key]


def _url_choice(key: str, options: list[str]) -> None:
    """Let a value in the URL (``?project=...``) pick the selector's option."""
    wanted = st.query_params.get(key)
    if wanted in options and st.session_state.get(key) != wanted:
        st.session_state[key] = wanted
    elif st.session_state.get(key) not in options:
        st.session_state[key] = options[0]


def choose_project() -> dict[str, Any] | None:
    """The chosen project's latest recommendation (``?project=<id>`` selects it), or None."""
    projects = queries.latest_projects()
    if projects.empty:
        st.info(NO_SNAPSHOT)
        return None
    ids = [str(p) for p in projects["project_id"]]
    names = {
        str(p): f"{n} · {verdict(r)}"
        for p, n, r in zip(
            projects["project_id"],
            projects["project_name"],
            projects["recommendation"],
            strict=True,
        )
    }
    _url_choice("project", ids)
    project_id = st.selectbox(
        "Project",
        ids,
        key="project",
        format_func=lambda p: names.get(p, p),
        on_change=_keep_in_url,
        args=("project",),
    )
    st.query_params["project"] = project_id
    return queries.first(queries.project_recommendation(project_id))


def choose_gap() -> str:
    """The chosen gap id (``?gap=<id>`` selects it)."""
    _url_choice("gap", GAP_IDS)
    gap = st.selectbox(
        "Gap",
        GAP_IDS,
        key="gap",
        format_func=gap_label,
        on_change=_keep_in_url,
        args=("gap",),
    )
    st.query_params["gap"] = gap
    return gap


def failed_notice(rec: dict[str, Any]) -> None:
    """Say so when the project's assessment failed, with the error it recorded."""
    if rec.get("project_status") == "failed":
        error = rec.get("project_error") or "no detail recorded"
        st.warning(f"The assessment of this project failed: {md(error)}")
