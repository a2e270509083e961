"""Report downloads on the dashboard.

The same one-pagers as ``readiness report`` (flows.reports), built from the published snapshot
the dashboard reads.
"""

from __future__ import annotations

import streamlit as st

from dashboard import access
from dashboard.queries import CACHE_SECONDS, snapshot_path
from flows.reports.render import render_portfolio, render_project
from flows.reports.summary import portfolio_summary, project_summary

MIME = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _project_report(path: str, modified_ns: int, project_id: str, fmt: str) -> bytes:
    from pathlib import Path

    return render_project(project_summary(Path(path), project_id), fmt)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _portfolio_report(
    path: str, modified_ns: int, fmt: str, portfolios: tuple[str, ...] | None
) -> bytes:
    from pathlib import Path

    return render_portfolio(portfolio_summary(Path(path), portfolios=portfolios), fmt)


def project_reports(project_id: str) -> None:
    """Download buttons for the project's one-pager (PDF, HTML, Markdown)."""
    path = snapshot_path()
    modified = path.stat().st_mtime_ns
    cols = st.columns(3)
    for col, fmt in zip(cols, ("pdf", "html", "md"), strict=True):
        col.download_button(
            f"Report ({fmt.upper()})",
            data=_project_report(str(path), modified, project_id, fmt),
            file_name=f"{project_id}-readiness.{fmt}",
            mime=MIME[fmt],
            key=f"report-{project_id}-{fmt}",
        )


def portfolio_reports(formats: tuple[str, ...] = ("pdf", "html", "md")) -> None:
    """Download buttons for the portfolio one-pager."""
    path = snapshot_path()
    modified = path.stat().st_mtime_ns
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        col.download_button(
            f"Portfolio report ({fmt.upper()})",
            data=_portfolio_report(str(path), modified, fmt, access.scope()),
            file_name=f"portfolio-readiness.{fmt}",
            mime=MIME[fmt],
            key=f"portfolio-report-{fmt}",
        )
