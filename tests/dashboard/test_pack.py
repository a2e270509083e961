"""The Sprint Zero pack: ``readiness report --project ID --pack`` in HTML and PDF, and its download.

On a copy of the snapshot the real flow published for the examples (the session's assessment),
with three texts made hostile the way a person could type them: a project name holding HTML, a
blocker's reason holding an email address and markup, and an owner named in Chinese. Expected
figures are read from the marts.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pypdf
from typer.testing import CliRunner

from flows.cli import app
from readmodel.pack import DELIVERABLES
from readmodel.vocabulary import money, rate
from tests.dashboard.helpers import page, read

runner = CliRunner()
PROJECT = "contract_review"
HOSTILE_NAME = "Contract <b>review</b> & co"
EMAIL = "jane.doe@example.com"
OWNER = "法务团队"


def _make_hostile(snapshot: Path) -> None:
    """What people typed, made hostile in the marts the pack reads (names, reasons, owners)."""
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "update recommendations set project_name = ? where project_id = ?",
            [HOSTILE_NAME, PROJECT],
        )
        con.execute(  # the latest result as every surface reads it (readmodel)
            "update project_latest set project_name = ? where project_id = ?",
            [HOSTILE_NAME, PROJECT],
        )
        con.execute(
            "update check_results set evidence = replace(evidence, 'The DPA', ?) "
            "where project_id = ? and check_id = 'sa_legal_blockers'",
            [f"Ask {EMAIL} <img src=x>: The DPA", PROJECT],
        )
        for table in ("roadmap", "roadmap_schedule"):
            con.execute(
                f"update {table} set owner = ? where project_id = ? and owner_role = 'legal'",
                [OWNER, PROJECT],
            )
        con.execute(
            "update roadmap set owner_named = true where project_id = ? and owner_role = 'legal'",
            [PROJECT],
        )


def _latest(snapshot: Path, table: str, where: str = "true") -> list[dict[str, object]]:
    return read(
        snapshot,
        f"select t.* from {table} as t join recommendations as r using (run_id, project_id) "
        f"where r.is_latest and t.project_id = ? and {where}",
        PROJECT,
    ).to_dict("records")


def _pack(fmt: str, path: Path) -> bytes:
    result = runner.invoke(
        app, ["report", "--project", PROJECT, "--pack", "--format", fmt, "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def test_the_pdf_pack_holds_the_four_deliverables_with_their_figures(
    snapshot_path: Path, tmp_path: Path
) -> None:
    _make_hostile(snapshot_path)
    data = _pack("pdf", tmp_path / "pack.pdf")
    # Text in a fallback font (the Chinese owner) is extracted with NULs between its letters.
    pages = [
        " ".join(p.extract_text().replace("\x00", "").split())
        for p in pypdf.PdfReader(io.BytesIO(data)).pages
    ]
    assert data.startswith(b"%PDF-") and len(pages) >= 5
    # Each deliverable opens its own page, in order.
    starts = [next(i for i, t in enumerate(pages) if t.startswith(d)) for d in DELIVERABLES]
    assert starts == sorted(starts) and len(set(starts)) == 4
    text = " ".join(pages)
    alignment = " ".join(pages[starts[0] : starts[1]])
    feasibility = " ".join(pages[starts[1] : starts[2]])
    roadmap = " ".join(pages[starts[2] : starts[3]])
    recommendation = " ".join(pages[starts[3] :])
    # 1. Groups as dbt reports them (small ones merged), the heatmap's cells, the blocker's reason.
    assert "merged into other groups" in alignment and "silent: compliance" in alignment
    for group in ("affected_team", "legal", "other groups"):
        assert group in alignment
    cell = _latest(snapshot_path, "stakeholder_questions", "stakeholder_group = 'legal'")[0]
    assert f"{float(cell['agreement']) * 100:.0f}% ±" in alignment  # type: ignore[arg-type]
    assert "The DPA with the LLM vendor is not signed" in alignment
    # 2. The audit per field, the integration matrix, the load test, the cost sensitivity table.
    field = _latest(snapshot_path, "data_quality_fields", "field = 'renewal_date'")[0]
    assert "renewal_date" in feasibility and rate(field["null_rate"]) in feasibility
    assert all(s["system"] in feasibility for s in _latest(snapshot_path, "integration_systems"))
    assert "review_stats.csv" in feasibility and "5,200 ms" in feasibility
    grid = _latest(snapshot_path, "cost_sensitivity", "volume_change = 1 and price_change = 1")[0]
    assert money(grid["monthly_cost"], str(grid["currency"])) in feasibility
    # 3. The roadmap on dates, with owners (a name in any script) and costs.
    first = _latest(snapshot_path, "roadmap_schedule", "priority = 1")[0]
    assert f"{first['end_date']:%Y-%m-%d}" in roadmap  # type: ignore[str-format]
    assert money(first["cost"], "EUR") in roadmap
    assert OWNER in roadmap and "Roadmap on the calendar" in roadmap
    # 4. The verdict, its stage, its waivers and what it relies on.
    rec = _latest(snapshot_path, "recommendations")[0]
    assert f"NOT YET (confidence {float(rec['confidence']):.0%})" in recommendation  # type: ignore[arg-type]
    assert "Launch stage: not yet for pilot" in recommendation
    assert "relies on no waiver" in recommendation and "costs.yml" in recommendation
    # Personal values are redacted, whatever format.
    assert EMAIL not in text and HOSTILE_NAME in pages[0]


def test_the_html_pack_draws_the_heatmap_and_the_timeline_and_escapes_text(
    snapshot_path: Path, tmp_path: Path
) -> None:
    _make_hostile(snapshot_path)
    page_ = _pack("html", tmp_path / "pack.html").decode("utf-8")
    heatmap = re.search(r'<svg[^>]*data-chart="stakeholder-heatmap".*?</svg>', page_, re.S)
    timeline = re.search(r'<svg[^>]*data-chart="roadmap-timeline".*?</svg>', page_, re.S)
    assert heatmap and timeline
    questions = _latest(snapshot_path, "stakeholder_questions")
    # One coloured cell per question and group answered (each with its respondents on hover).
    assert heatmap.group(0).count("respondents</title></rect>") == len(questions)
    actions = _latest(snapshot_path, "roadmap_schedule")
    assert timeline.group(0).count("<rect") >= len(actions)
    assert all(f"{a['start_date']:%Y-%m-%d}" in timeline.group(0) for a in actions)  # type: ignore[str-format]
    for n, heading in enumerate(DELIVERABLES, start=1):
        assert f"<section class='deliverable' id='d{n}'><h2>{heading}</h2>" in page_
    # What people typed is text, never markup; personal values are redacted.
    assert "<b>review</b>" not in page_ and "Contract &lt;b&gt;review&lt;/b&gt; &amp; co" in page_
    assert "<img src=x>" not in page_ and EMAIL not in page_


def test_the_pack_needs_a_project_and_html_or_pdf(snapshot_path: Path) -> None:
    for args in (["--portfolio", "--pack"], ["--project", PROJECT, "--pack", "--format", "md"]):
        result = runner.invoke(app, ["report", *args])
        assert result.exit_code == 2
        assert "--pack needs --project ID and --format html or pdf" in result.output


def test_the_project_page_offers_the_pack(snapshot_path: Path) -> None:
    at = page("project", project=PROJECT)
    assert not at.exception
    [button] = [b for b in at.get("download_button") if b.proto.label == "Sprint Zero pack (PDF)"]
    assert button.proto.help.startswith("The four deliverables")
    # What the button serves: the same pack, read with the viewer's scope.
    from dashboard.downloads import _project_pack

    data = _project_pack(PROJECT, None)
    first = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert data.startswith(b"%PDF-") and "Sprint Zero pack" in first
