"""Across portfolios: the rollups by portfolio, business unit and owner, for who may see several.

The figures are the ``readiness_rollups`` mart's (dbt), read from every snapshot the session may
read (dashboard/rollups.py); the navigation shows this page only to a session that may read two
portfolios or more (dashboard/streamlit_app.py).
"""

from __future__ import annotations

import streamlit as st

from dashboard import portfolio_select, rollups
from dashboard.app_pages._common import UNREADABLE, render
from dashboard.tables import table
from readmodel.vocabulary import GAP_LABELS

TITLE = "AI production readiness: across portfolios"
ONE_PORTFOLIO = (
    "This page compares portfolios; you may see one. Its figures are on the portfolio page."
)


def page() -> None:
    """The page across portfolios."""
    if not portfolio_select.several():
        st.info(ONE_PORTFOLIO)
        return
    dimension = (
        st.segmented_control(
            "Roll up by",
            list(rollups.DIMENSIONS),
            default="portfolio",
            format_func=rollups.DIMENSIONS.__getitem__,
            key="rollup-dimension",
        )
        or "portfolio"
    )
    try:
        rows = rollups.rollups(dimension)
    except rollups.RollupsError as err:
        st.error(UNREADABLE)
        with st.expander("Details"):
            st.code(str(err), language=None)
        return
    missing = sorted(set(portfolio_select.available()) - set(rows["portfolio_id"]))
    if missing:
        st.warning(
            f"No rollup published for {', '.join(missing)}: run `readiness run` on "
            f"{'it' if len(missing) == 1 else 'them'} again."
        )
    if rows.empty:
        return
    scores = {
        label: st.column_config.ProgressColumn(label, min_value=0, max_value=100, format="%.0f")
        for label in GAP_LABELS.values()
    }
    table(
        rollups.table(rows, dimension),
        f"rollups-by-{dimension.replace('_', '-')}",
        column_config={"Share go": st.column_config.NumberColumn(format="percent"), **scores},
    )
    st.caption(
        "Each project's latest result. Gap columns are mean scores (0 to 100); blockers are "
        "failing critical and major checks not waived; waivers are those the verdicts rely on; "
        "mean days to target is over projects with a target launch. A business unit or owner "
        "with projects in two portfolios has a row in each. Click a column header to sort."
    )
    st.altair_chart(rollups.share_go_chart(rows, dimension), width="stretch")


render(page, title=TITLE, selector=False)
