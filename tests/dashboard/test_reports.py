"""``readiness report`` and the CSV exports: one-pagers from the published snapshot only.

The handmade snapshot gives exact values; the flow's snapshot proves every example project
renders in every format.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.reports.csv_safe import neutralise, to_csv_bytes
from flows.reports.render import FORMATS, render_portfolio, render_project
from flows.reports.summary import portfolio_summary, project_summary
from tests.dashboard.handmade import COST_REMEDIATION, GO, NOT_YET, R2
from tests.dashboard.helpers import latest

runner = CliRunner()


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_project_markdown_is_the_executive_summary(handmade_snapshot: Path) -> None:
    result = runner.invoke(app, ["report", "--project", NOT_YET, "--format", "md"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Churn predictor: NOT YET")
    assert f"run {R2}" in text  # the latest run, never the older one
    assert "| Scale | 35 | Blocked |" in text  # score and status in words
    assert COST_REMEDIATION in text
    assert "150% of the" in text and "over budget" in text
    assert "## Roadmap" in text and "days of effort" in text


def test_project_html_and_pdf_files(handmade_snapshot: Path, tmp_path: Path) -> None:
    html_file, pdf_file = tmp_path / "r.html", tmp_path / "out" / "r.pdf"
    for fmt, path in (("html", html_file), ("pdf", pdf_file)):
        result = runner.invoke(
            app, ["report", "--project", GO, "--format", fmt, "--output", str(path)]
        )
        assert result.exit_code == 0, result.output
    page = html_file.read_text(encoding="utf-8")
    assert "<svg" in page and "Readiness by gap" in page and "Score (0-100)" in page
    assert "100 · Ready" in page  # status written beside its colour
    data = pdf_file.read_bytes()
    assert data.startswith(b"%PDF-") and _pdf_pages(data) == 1  # one page


def test_portfolio_report_counts_and_lists_every_project(handmade_snapshot: Path) -> None:
    summary = portfolio_summary(handmade_snapshot)
    assert (len(summary.projects), summary.go) == (2, 1)
    text = render_portfolio(summary, "md").decode()
    assert "2 projects: 1 go, 1 not yet" in text
    assert "| Churn predictor | NOT YET | 80% |" in text
    pdf = render_portfolio(summary, "pdf")
    assert _pdf_pages(pdf) == 1


def test_every_example_project_renders_in_every_format(snapshot_path: Path) -> None:
    for project_id in latest(snapshot_path)["project_id"]:
        summary = project_summary(snapshot_path, project_id)
        assert len(summary.gaps) == 6
        for fmt in FORMATS:
            data = render_project(summary, fmt)
            assert data, (project_id, fmt)
            if fmt == "pdf":
                assert _pdf_pages(data) == 1, project_id
    assert _pdf_pages(render_portfolio(portfolio_summary(snapshot_path), "pdf")) == 1


def test_report_errors_are_one_clear_line(handmade_snapshot: Path) -> None:
    result = runner.invoke(app, ["report", "--project", "nope"])
    assert result.exit_code == 1
    assert "no published result" in result.stderr and "churn_predictor" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--project", "x", "--format", "docx"], "--format must be one of"),
        (["report"], "exactly one of --project ID or --portfolio"),
        (["report", "--portfolio", "--format", "pdf"], "A PDF needs a file"),
    ],
)
def test_report_refuses_unclear_requests(
    handmade_snapshot: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_report_without_snapshot(missing_snapshot: Path) -> None:
    result = runner.invoke(app, ["report", "--portfolio"])
    assert result.exit_code == 1
    assert "no assessment has been published yet" in result.stderr


def test_csv_cells_cannot_run_as_formulas() -> None:
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok"],
            "amount": [-1.5, 2, 3, 4, 5, 6, 7],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["text", "amount"]
    assert all(r[0].startswith("'") for r in rows[1:7])
    assert rows[7][0] == "ok"
    assert rows[1][1] == "-1.5"  # numbers stay numbers
    assert neutralise(-3) == -3 and neutralise("=x") == "'=x"
