"""The readiness dashboard: navigation between the portfolio, a project and a gap drill-down.

A portfolio selector in the sidebar chooses the portfolio every page shows; a session that may
read several portfolios also has the page across portfolios (dashboard/portfolio_select.py).

Run it with ``streamlit run dashboard/streamlit_app.py`` (or ``readiness serve``); it reads only
the published snapshot named by ``READINESS_SNAPSHOT_PATH`` / ``READINESS_HOME``.
"""

from __future__ import annotations

import streamlit as st

from dashboard import portfolio_select

st.set_page_config(page_title="AI production readiness", page_icon="🚦", layout="wide")
navigation = st.navigation(
    [
        st.Page("app_pages/portfolio.py", title="Portfolio", icon="📊", default=True),
        st.Page("app_pages/project.py", title="Project", icon="🚦", url_path="project"),
        st.Page("app_pages/gap.py", title="Gap drill-down", icon="🔎", url_path="gap"),
        st.Page("app_pages/trends.py", title="Trends", icon="📈", url_path="trends"),
        *portfolio_select.across_pages(),
    ]
)
navigation.run()
