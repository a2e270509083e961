"""Output injection: text from evidence is shown as written, never run as Markdown, HTML or formulas.

A project name (or a CSV header, a cost key: any text the evidence carries) holding an image, a
link or a script is written escaped in the Markdown report, the Prefect summary and the
dashboard; the dashboard's data grid hands out no CSV of its own (only the app's neutralised
buttons do).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
from markdown_it import MarkdownIt

from core.markdown_safe import md
from core.settings import REPO_ROOT
from flows import alerts
from readmodel.render import render_project
from readmodel.summary import project_summary
from tests.dashboard.handmade import NOT_YET
from tests.dashboard.helpers import page

HOSTILE = (
    "Churn ![pixel](https://attacker.example/p.png) [click](https://attacker.example/x) "
    "<script>alert(1)</script><img src=https://attacker.example/i.png> a|b $x$"
)


def _html(markdown: str) -> str:
    """Markdown as a GitHub-like viewer renders it (raw HTML allowed, tables on)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def _inert(rendered: str) -> None:
    assert "<img" not in rendered and "<script" not in rendered, rendered
    assert 'href="https://attacker.example' not in rendered, rendered


def _rename(snapshot: Path, project_id: str, name: str) -> None:
    with duckdb.connect(str(snapshot)) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.columns "
                "where column_name = 'project_name' and table_schema = 'main'"
            ).fetchall()
        ]
        for table in tables:
            con.execute(
                f"update {table} set project_name = ? where project_id = ?", [name, project_id]
            )


def test_escaped_text_renders_as_written() -> None:
    rendered = _html(f"# {md(HOSTILE)}\n\n| a | b |\n| - | - |\n| {md(HOSTILE)} | x |\n")
    _inert(rendered)
    assert "![pixel](https://attacker.example/p.png)" in rendered  # shown as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert rendered.count("<td>") == 2  # the | in the name did not split the cell


def test_the_markdown_report_and_the_run_summary_escape_evidence_text(
    handmade_snapshot: Path,
) -> None:
    _rename(handmade_snapshot, NOT_YET, HOSTILE)
    report = render_project(project_summary(handmade_snapshot, NOT_YET), "md").decode()
    assert "<script>" not in report
    _inert(_html(report))
    rows = [{"project": HOSTILE, "recommendation": "NOT YET", "confidence": 80, "reason": HOSTILE}]
    summary = alerts.summary_markdown(HOSTILE, "r1", "completed", rows, {HOSTILE: HOSTILE}, [])
    _inert(_html(summary))


def test_the_dashboard_shows_a_hostile_project_name_as_text(handmade_snapshot: Path) -> None:
    _rename(handmade_snapshot, NOT_YET, HOSTILE)
    at = page("project", project=NOT_YET)
    assert not at.exception
    assert at.title[0].value == md(HOSTILE)
    _inert(_html(at.title[0].value))


def test_the_data_grid_hands_out_no_csv_of_its_own() -> None:
    """Streamlit's grid toolbar (Download as CSV, copy) is off where the app is served from."""
    config = tomllib.loads((REPO_ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
    command = (REPO_ROOT / "flows" / "cli" / "admin.py").read_text()
    assert '"--client.disableDataExport",' in command
