"""What the project and gap pages share: choosing the project (kept in the URL)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import queries
from dashboard.labels import NO_SNAPSHOT


def choose_project() -> dict[str, Any]:
    """The selected project's latest recommendation; stops the page when there is none."""
    if not queries.has_snapshot():
        st.info(NO_SNAPSHOT)
        st.stop()
    projects = queries.latest_recommendations()
    if projects.empty:
        st.info(NO_SNAPSHOT)
        st.stop()
    ids = list(projects["project_id"])
    names = dict(zip(projects["project_id"], projects["project_name"], strict=True))
    wanted = st.query_params.get("project")
    index = ids.index(wanted) if wanted in ids else 0
    project_id = st.selectbox("Project", ids, index=index, format_func=names.__getitem__)
    st.query_params["project"] = project_id
    return queries.records(queries.project_recommendation(project_id))[0]
