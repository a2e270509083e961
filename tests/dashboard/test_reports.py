"""``readiness report`` and the CSV exports: one-pagers from the published snapshot only.

The handmade snapshot gives exact values; the flow's snapshot proves every example project
renders in every format.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from itertools import combinations
from pathlib import Path

import duckdb
import pandas as pd
import pdfplumber
import pypdf
import pytest
from typer.testing import CliRunner

from core.csv_safe import neutralise, to_csv_bytes
from flows import alerts
from flows.cli import app
from readmodel.render import FORMATS, render_portfolio, render_project
from readmodel.summary import portfolio_summary, project_summary
from tests.dashboard.handmade import (
    COST_REMEDIATION,
    GO,
    LEGAL_BLOCKER,
    MISSING_EVALUATION,
    NOT_YET,
    NOT_YET_REASON,
    R2,
)
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
    assert f"| Evaluation | - | Insufficient evidence (missing: {MISSING_EVALUATION}) |" in text
    assert COST_REMEDIATION in text
    assert "150% of the" in text and "over budget" in text
    assert "## Roadmap" in text and "EUR 36,000 at the day rate" in text
    # Check titles and gap names, the blocker with its reason; never a check id.
    assert f"No open blocker from legal or compliance ({LEGAL_BLOCKER}), critical" in text
    assert "**2 claims contradicted by evidence.**" in text
    assert "NOT YET (confidence 80%): Data quality is blocked" in text  # no "Not yet: " twice
    assert not re.search(r"\b(dq|sa|ev|sc|mt|in)_[a-z_]+", text), text


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


def test_project_html_and_pdf_name_the_blocker_and_its_reason(handmade_snapshot: Path) -> None:
    summary = project_summary(handmade_snapshot, NOT_YET)
    page = render_project(summary, "html").decode()
    assert LEGAL_BLOCKER in page and "2 claims contradicted by evidence" in page
    assert f"Evaluation: Insufficient evidence (missing: {MISSING_EVALUATION})" in page
    assert "sa_legal_blockers" not in page and "<code>" not in page
    text = _pdf_text(render_project(summary, "pdf"))
    for words in (LEGAL_BLOCKER, "2 claims contradicted by evidence", MISSING_EVALUATION):
        assert words in text, words
    assert "sa_legal_blockers" not in text and "EUR 36,000 at the day rate" in text


def test_portfolio_report_counts_and_lists_every_project(handmade_snapshot: Path) -> None:
    summary = portfolio_summary(handmade_snapshot)
    assert (len(summary.projects), summary.go) == (2, 1)
    text = render_portfolio(summary, "md").decode()
    assert "2 projects: 1 go, 1 not yet · 2 claims contradicted by evidence" in text
    assert "| Churn predictor | NOT YET | 80% |" in text
    assert "- An incident runbook exists (Maintenance, minor): 2 projects" in text
    assert "mt_runbook" not in text
    pdf = render_portfolio(summary, "pdf")
    assert _pdf_pages(pdf) == 1
    assert "2 claims contradicted by evidence" in _pdf_text(pdf)


#: Project names in other scripts: each must come out of the PDF as it went in (not as "?").
NAMES = {
    GO: "Βοηθός υποστήριξης",  # Greek
    NOT_YET: "客户流失预测",  # Chinese
}
ARABIC = ("arabic_assistant", "مساعد المبيعات الذكي")


def _pdf_text(data: bytes) -> str:
    """The text of every page as pypdf extracts it, without control characters.

    A shaped Arabic letter is drawn as several glyphs (its dots apart); the glyphs after the
    first carry no character of their own and come out as control characters.
    """
    pages = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    text = "".join(c for c in pages if c == "\n" or unicodedata.category(c) != "Cc")
    return re.sub(r"[ \t]+", " ", text)


def _holds(text: str, name: str) -> bool:
    """The name is in the text: words of right-to-left text may come out in the page's order."""
    words = name.split()
    return name in text or " ".join(reversed(words)) in text


@pytest.fixture
def named_in_many_scripts(handmade_snapshot: Path) -> Path:
    """The handmade snapshot with projects named in Greek, Chinese and Arabic."""
    with duckdb.connect(str(handmade_snapshot)) as con:
        for project_id, name in NAMES.items():
            for table in ("recommendations", "project_latest"):
                con.execute(
                    f"update {table} set project_name = ? where project_id = ?",
                    [name, project_id],
                )
        # A third project: a copy of the go project under an Arabic name.
        for table in (
            "recommendations",
            "project_latest",
            "gap_scores",
            "check_results",
            "roadmap",
        ):
            columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
            chosen = ", ".join(
                "? as project_id"
                if c == "project_id"
                else "? as project_name"
                if c == "project_name"
                else c
                for c in columns
            )
            params = [ARABIC[0], ARABIC[1]] if "project_name" in columns else [ARABIC[0]]
            con.execute(
                f"insert into {table} select {chosen} from {table} where project_id = ?",
                [*params, GO],
            )
    return handmade_snapshot


def test_pdf_reports_keep_names_in_every_script(named_in_many_scripts: Path) -> None:
    names = [*NAMES.values(), ARABIC[1]]
    text = _pdf_text(render_portfolio(portfolio_summary(named_in_many_scripts), "pdf"))
    assert "?" not in text
    for name in names:
        assert _holds(text, name), (name, text)
    for project_id, name in [*NAMES.items(), ARABIC]:
        page = _pdf_text(render_project(project_summary(named_in_many_scripts, project_id), "pdf"))
        assert _holds(page, name), (name, page)


def test_portfolio_pdf_header_cells_do_not_overlap(named_in_many_scripts: Path) -> None:
    data = render_portfolio(portfolio_summary(named_in_many_scripts), "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        # The header row: the table's first row of cells filled with the heading's grey.
        grey = 0xEE / 255
        filled = [
            r
            for r in page.rects
            if r["fill"] and all(abs(c - grey) < 0.01 for c in r["non_stroking_color"])
        ]
        top = min(r["top"] for r in filled if r["width"] < page.width / 2)
        cells = sorted((r for r in filled if abs(r["top"] - top) < 0.5), key=lambda r: r["x0"])
        assert len(cells) == 10, cells  # project, verdict, confidence, six gaps, timeline
        for left, right in combinations(cells, 2):
            assert left["x1"] <= right["x0"] + 0.05, (left, right)  # edges may touch
        # Every header's words lie inside their own cell, "Stakeholder alignment" included.
        words = page.extract_words()
        for heading in ("Stakeholder", "alignment", "Evaluation", "Maintenance", "Confidence"):
            word = next(w for w in words if w["text"] == heading and w["top"] < cells[0]["bottom"])
            inside = [c for c in cells if c["x0"] <= word["x0"] and word["x1"] <= c["x1"]]
            assert len(inside) == 1, (heading, word)


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


def test_status_json_carries_the_plain_reason_and_the_blockers_reasons(
    handmade_snapshot: Path,
) -> None:
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["project"]: r for r in json.loads(result.stdout)}
    not_yet = rows[NOT_YET]
    assert not_yet["reason"] == NOT_YET_REASON
    assert not_yet["claims_contradicted"] == 2
    assert not_yet["missing_evidence"] == {"evaluation": MISSING_EVALUATION}
    legal = next(b for b in not_yet["blockers"] if b["check"] == "sa_legal_blockers")
    assert legal["title"] == "No open blocker from legal or compliance"
    assert legal["reasons"] == LEGAL_BLOCKER
    assert rows[GO]["blockers"] == [] and rows[GO]["claims_contradicted"] == 0


def test_run_summary_names_why_not_yet_in_plain_words(handmade_snapshot: Path) -> None:
    rows = alerts.summary_rows(handmade_snapshot, R2)
    text = alerts.summary_markdown("Example", R2, "completed", rows, {}, [])
    assert f"## Why not yet\n\n- **Churn predictor**: {NOT_YET_REASON}" in text
    assert "sa_legal_blockers" not in text
