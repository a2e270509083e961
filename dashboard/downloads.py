"""Report downloads on the dashboard.

The same one-pagers as ``readiness report`` (readmodel.render), built from the published snapshot
the dashboard reads. They are built only when a button is clicked (Streamlit calls ``data``
then), so rendering a page never pays for reports nobody asked for.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import access
from dashboard.queries import snapshot_path
from readmodel.pack import project_pack
from readmodel.render import render_portfolio, render_project
from readmodel.summary import portfolio_summary, project_summary

MIME = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


def _project_report(project_id: str, fmt: str, portfolios: tuple[str, ...] | None) -> bytes:
    return render_project(project_summary(snapshot_path(), project_id, portfolios=portfolios), fmt)


def _project_pack(project_id: str, portfolios: tuple[str, ...] | None) -> bytes:
    return project_pack(snapshot_path(), project_id, "pdf", portfolios)


def _portfolio_report(fmt: str, portfolios: tuple[str, ...] | None) -> bytes:
    return render_portfolio(portfolio_summary(snapshot_path(), portfolios=portfolios), fmt)


def project_reports(project_id: str) -> None:
    """Download buttons for the project's one-pager (PDF, HTML, Markdown) and its Sprint Zero pack."""
    # One row of buttons (a flex container), lighter for the browser than three columns.
    row = st.container(horizontal=True)
    for fmt in ("pdf", "html", "md"):
        row.download_button(
            f"Report ({fmt.upper()})",
            data=partial(_project_report, project_id, fmt, access.scope()),
            file_name=f"{project_id}-readiness.{fmt}",
            mime=MIME[fmt],
            key=f"report-{project_id}-{fmt}",
            on_click="ignore",
        )
    row.download_button(
        "Sprint Zero pack (PDF)",
        data=partial(_project_pack, project_id, access.scope()),
        file_name=f"{project_id}-sprint-zero-pack.pdf",
        mime=MIME["pdf"],
        key=f"pack-{project_id}",
        on_click="ignore",
        help="The four deliverables: stakeholder alignment, technical feasibility, roadmap, "
        "recommendation.",
    )


def portfolio_reports(formats: tuple[str, ...] = ("pdf", "html", "md")) -> None:
    """Download buttons for the portfolio one-pager (the viewer's portfolios only)."""
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        col.download_button(
            f"Portfolio report ({fmt.upper()})",
            data=partial(_portfolio_report, fmt, access.scope()),
            file_name=f"portfolio-readiness.{fmt}",
            mime=MIME[fmt],
            key=f"portfolio-report-{fmt}",
            on_click="ignore",
        )
