"""Exact values for the handmade snapshot of conftest.py (two projects, two runs)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.app_pages.project import INPUTS_KEY, REJECTED_KEY, ROADMAP_KEY
from tests.dashboard.handmade import (
    COST_REMEDIATION,
    GO,
    GO_REASON,
    LEGAL_BLOCKER,
    MISSING_EVALUATION,
    NOT_YET,
    NOT_YET_REASON,
    R2,
)
from tests.dashboard.helpers import chart_data, figures, gap_chart, html_tables, page, text_of


def metrics(at: AppTest) -> dict[str, str]:
    return figures(at)


def test_portfolio_table_uses_the_latest_run_only(handmade_snapshot: Path) -> None:
    at = page("portfolio")
    assert metrics(at) == {
        "Projects": "2",
        "✅ Go": "1",
        "⛔ Not yet": "1",
        "Claims contradicted by evidence": "2",
    }
    assert any(c.value.startswith("2 claims contradicted by evidence") for c in at.caption)
    table = at.dataframe[0].value.set_index("Project")
    assert table.loc["Support copilot", "Recommendation"] == "✅ Go"  # was not yet in run 1
    assert table.loc["Churn predictor", "Recommendation"] == "⛔ Not yet"
    assert list(table.index) == ["Support copilot", "Churn predictor"]  # ranked: go first
    assert list(table["Rank"]) == [1, 2]
    assert table.loc["Churn predictor", "Confidence"] == 80
    assert table.loc["Churn predictor", "Scale"] == 35
    assert table.loc["Churn predictor", "Weakest gap"] == "Scale"
    assert table.loc["Support copilot", "Maintenance"] == 100
    assert at.caption[0].value.startswith(f"Latest run {R2} · 2026-11-20 14:30 UTC")
    assert "rubric 2026.11.0" in at.caption[0].value


def test_portfolio_heatmap_cells_and_recurring_blockers(handmade_snapshot: Path) -> None:
    at = page("portfolio")
    heat = chart_data(at).set_index(["project_name", "gap_text"])
    assert heat.loc[("Churn predictor", "Scale"), "cell"] == "35 ✕"
    assert heat.loc[("Churn predictor", "Evaluation"), "cell"] == "– ~"  # insufficient evidence
    assert heat.loc[("Support copilot", "Evaluation"), "cell"] == "82 ✓"
    blockers = at.dataframe[1].value
    top = blockers.iloc[0]
    assert (top["What fails"], top["Projects"]) == ("An incident runbook exists", 2)
    # In the portfolio's ranking (go first), as every surface lists them.
    assert top["Which projects"] == "Support copilot, Churn predictor"
    assert "Check id" not in blockers.columns  # titles on the page, ids in the drill-down
    # A blocker recurs when it fails in two or more projects (recurring_blockers): the checks
    # failing in the not-yet project alone are its own blockers, not the portfolio's.
    assert set(blockers["What fails"]) == {"An incident runbook exists"}


def test_go_project_page(handmade_snapshot: Path) -> None:
    at = page("project", project=GO)
    assert at.title[0].value == "Support copilot"
    assert at.success[0].value.startswith("## ✅ GO")
    assert GO_REASON in at.success[0].value
    assert not at.error
    m = metrics(at)
    assert m["Confidence"] == "92%"
    assert m["Newest evidence"] == "2026-11-18"
    assert m["Monthly cost at target"] == "EUR 5,000"
    assert m["Budget used"] == "62%"
    assert "No critical or major check is failing." in text_of(at)


def test_not_yet_project_page(handmade_snapshot: Path) -> None:
    at = page("project", project=NOT_YET)
    banner = at.error[0].value
    assert banner.startswith("## ⛔ NOT YET") and NOT_YET_REASON in banner
    assert "Blocking gaps:** Data quality, Stakeholder alignment, Evaluation, Scale" in banner
    assert "**2 claims contradicted by evidence**" in banner
    m = metrics(at)
    assert m["Confidence"] == "80%"
    assert m["Weakest gap"] == "Scale (35)"
    assert m["Newest evidence"] == "2026-11-10"  # run 1 saw newer data: not shown
    assert (m["Monthly cost at target"], m["Monthly budget"]) == ("EUR 45,000", "EUR 30,000")
    assert m["Budget used"] == "150%"
    assert m["Cost POC → target"] == "×120"
    assert (m["Total effort"], m["Total cost"], m["Timeline"]) == (
        "40 days",
        "EUR 36,000",
        "15 days",
    )
    text = text_of(at)
    assert COST_REMEDIATION in text and "Owner: ml_engineering" in text
    # The blocker with what legal wrote beside it; titles, never check ids.
    assert f"No open blocker from legal or compliance** (critical)  \n**{LEGAL_BLOCKER}**" in text
    assert "`sc_cost_budget`" not in text and "`sa_legal_blockers`" not in text
    assert f"Evaluation: Insufficient evidence (missing: {MISSING_EVALUATION})" in text
    # The blockers carry the rubric's words as Markdown: HTML in them is not drawn.
    blockers = next(m for m in at.markdown if COST_REMEDIATION in m.value)
    assert not blockers.proto.allow_html
    assert "over budget" in text
    bars = gap_chart(at).set_index("gap_text")
    assert bars.loc["Scale", "label"] == "35 · Blocked"
    assert bars.loc["Evaluation", "label"] == "- · Insufficient evidence"
    assert "ready at 80" in next(m.value for m in at.markdown if "data-chart" in m.value)
    # The roadmap: a static table of every action (numbers written), its CSV download beside.
    (roadmap,) = html_tables(at)
    assert roadmap[0][:3] == ["Priority", "Action", "Gap"]
    assert [row[0] for row in roadmap[1:]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert any(LEGAL_BLOCKER in row[1] for row in roadmap[1:])  # the action carries the reason
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download {NOT_YET}-roadmap.csv" in labels


def test_not_yet_project_page_shows_what_could_not_be_used(handmade_snapshot: Path) -> None:
    at = page("project", project=NOT_YET)
    assert "Unreadable: checkout (load/locust_stats.csv)" in at.warning[0].value
    assert "3 input(s), of which 1 unreadable; 3 row(s) refused." in text_of(at)
    # The evidence tables are drawn once their expander is opened.
    assert [e.label for e in at.expander] == [
        "Sort and search the roadmap",
        "Inputs read (3)",
        "What we could not use (3 refused rows)",
    ]
    assert len(at.dataframe) == 0  # the roadmap's interactive table is drawn once opened too
    at.session_state[ROADMAP_KEY] = True
    at.session_state[INPUTS_KEY] = True
    at.session_state[REJECTED_KEY] = True
    at.run()
    roadmap, inputs, rejected = (d.value for d in at.dataframe)
    assert len(roadmap) == 7 and roadmap["Priority"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert inputs["Status"].tolist()[0] == "⛔ Unreadable"
    assert inputs["Rows refused"].sum() == 3
    assert rejected["Row"].tolist() == [17, 42, 43]  # run 1's refused row is not shown
    assert list(rejected.columns[:5]) == ["File", "Row", "Column", "Value", "Reason"]


def test_gap_drill_down_exact(handmade_snapshot: Path) -> None:
    at = page("gap", project=NOT_YET, gap="scale")
    assert metrics(at)["Gap score"] == "35"
    assert metrics(at)["Status"] == "⛔ Blocked"
    text = text_of(at)
    assert "**⛔ Fail · Cost at target volume fits the budget**" in text
    assert "Measured **1.5** (share of the monthly budget). Pass ≤ 1, partial ≤ 1.2." in text
    assert COST_REMEDIATION in text
    assert at.json[0].value is not None and len(at.json) == 2


def test_gap_drill_down_without_evidence_and_with_plain_text_evidence(
    handmade_snapshot: Path,
) -> None:
    at = page("gap", project=NOT_YET, gap="evaluation")
    assert "Nothing measured: no evidence" in text_of(at)
    assert "No evidence was recorded for this check." in text_of(at)
    at.selectbox(key="gap").select("integration").run()
    assert not at.exception
    assert at.code[0].value == "see the inventory"  # not JSON: shown as it is


def test_scale_drill_down_shows_what_the_checks_judged(handmade_snapshot: Path) -> None:
    at = page("gap", project=GO, gap="scale")
    text = text_of(at)
    assert (
        "p95 310 ms at 50 users (Locust's final stats of copilot_stats.csv, the test closest "
        "to the target concurrency of 40 users; no history at target concurrency)"
    ) in text
    assert "Error rate 2.54 % (127 failures in 5,000 requests) at 50 users" in text
    loads = next(d.value for d in at.dataframe if "Judged by the checks" in d.value.columns)
    judged = loads[loads["Judged by the checks"] == "✅ yes"].iloc[0]
    assert judged["Endpoint"] == "All endpoints (aggregated)"
    assert set(loads["Error rate"]) == {"2.54 %"}  # two decimals, never 3 %
