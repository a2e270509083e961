"""The readiness dashboard: navigation between the portfolio, a project and a gap drill-down."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="AI production readiness", page_icon="🚦", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "portfolio.py", title="Portfolio", icon="📊", default=True),
        st.Page(PAGES / "project.py", title="Project", icon="🚦", url_path="project"),
        st.Page(PAGES / "gap.py", title="Gap drill-down", icon="🔎", url_path="gap"),
    ]
)
navigation.run()
