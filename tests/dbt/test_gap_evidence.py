"""Every gap's score moves when its evidence changes, and only that gap's score; claims the
evidence denies are flagged on their check.

One real assessment (Prefect flow, Pandera, DuckDB, ``dbt build``) of a portfolio holding the
example project that gets a "go" and six copies of it, each with one evidence file made worse in
the way a real project gets worse: blank fields in the data, integrations without tests,
a team that turned against the project, KPIs without a baseline, latency that degrades at the
target concurrency (Locust history), and a maintenance story nobody believes in. The invoice
extraction example rides along: an operations lead claims monitoring that its inventory lacks.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import Assessed, assess, copy_examples, kept_environment

BASE = "support_copilot"
CLAIMS = "invoice_extraction"


def rewrite_csv(path: Path, change: Callable[[dict[str, str], int], None]) -> None:
    """Rewrite a CSV file row by row (``change`` edits the row dict in place)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for number, row in enumerate(rows):
        change(row, number)
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def bank_questions(portfolio: Path) -> dict[str, dict[str, object]]:
    """The question bank by id and by text (answers in the long CSV use either)."""
    bank = yaml.safe_load((portfolio.parent / "question_bank.yml").read_text())["questions"]
    return {**{q["id"]: q for q in bank}, **{q["text"]: q for q in bank}}


def blank_subjects(project: Path, portfolio: Path) -> None:
    """Data quality: a tenth of the tickets lost their subject (a broken form field upstream)."""

    def change(row: dict[str, str], number: int) -> None:
        if number % 10 == 0:
            row["subject"] = ""

    rewrite_csv(project / "data" / "tickets.csv", change)


def untested_integrations(project: Path, portfolio: Path) -> None:
    """Integration: nobody has written integration tests for any system."""
    path = project / "inventory" / "systems.yml"
    inventory = yaml.safe_load(path.read_text())
    for system in inventory["systems"]:
        system["capabilities"]["integration_tests"] = False
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))


def team_against(project: Path, portfolio: Path) -> None:
    """Stakeholder alignment: the affected team strongly disagrees with every alignment statement."""
    questions = bank_questions(portfolio)

    def change(row: dict[str, str], number: int) -> None:
        question = questions.get(row["question"].strip())
        if (
            question
            and question["gap"] == "stakeholder_alignment"
            and question.get("kind", "likert") == "likert"
            and row["group"].strip().casefold().replace("-", " ") == "affected team"
        ):
            row["answer"] = "Strongly agree" if question.get("reverse") else "Strongly disagree"

    rewrite_csv(project / "survey" / "responses.csv", change)


def kpis_without_baseline(project: Path, portfolio: Path) -> None:
    """Evaluation: the KPIs lost their baselines (nobody measured today's numbers)."""
    path = project / "evaluation.yml"
    plan = yaml.safe_load(path.read_text())
    for kpi in plan["kpis"]:
        kpi.pop("baseline", None)
    path.write_text(yaml.safe_dump(plan, sort_keys=False))


def slow_at_target(project: Path, portfolio: Path) -> None:
    """Scale: the Locust history shows the p95 tripling once the test reaches its target users."""
    history = project / "load" / "copilot_stats_history.csv"

    def change(row: dict[str, str], number: int) -> None:
        if row["User Count"] == "120" and row["95%"] != "N/A":
            row["95%"] = str(int(float(row["95%"]) * 3))

    rewrite_csv(history, change)


def maintenance_doubted(project: Path, portfolio: Path) -> None:
    """Maintenance: operations and security disagree that drift, retraining and on-call are covered."""
    questions = bank_questions(portfolio)

    def change(row: dict[str, str], number: int) -> None:
        question = questions.get(row["question"].strip())
        if question and question.get("topic") in ("drift_detection", "retraining", "on_call"):
            row["answer"] = "Strongly disagree"

    rewrite_csv(project / "survey" / "responses.csv", change)


VARIANTS: dict[str, Callable[[Path, Path], None]] = {
    "data_quality": blank_subjects,
    "integration": untested_integrations,
    "stakeholder_alignment": team_against,
    "evaluation": kpis_without_baseline,
    "scale": slow_at_target,
    "maintenance": maintenance_doubted,
}


@pytest.fixture(scope="module")
def assessed(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Assessed:
    """One real assessment of the base project, each variant and the claims example."""
    base = tmp_path_factory.mktemp("gap_evidence")
    portfolio = copy_examples(base / "examples")
    projects = portfolio.parent / "projects"
    listed = [f"projects/{BASE}/project.yml", f"projects/{CLAIMS}/project.yml"]
    for gap, worsen in VARIANTS.items():
        variant = f"{BASE}_{gap}"
        shutil.copytree(projects / BASE, projects / variant)
        project_file = projects / variant / "project.yml"
        project_file.write_text(
            project_file.read_text().replace(f"id: {BASE}\n", f"id: {variant}\n", 1)
        )
        worsen(projects / variant, portfolio)
        listed.append(f"projects/{variant}/project.yml")
    config = yaml.safe_load(portfolio.read_text())
    config["projects"] = listed
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))

    with kept_environment():
        return assess(portfolio, base / "home")


@pytest.fixture(scope="module")
def scores(assessed: Assessed) -> dict[str, dict[str, float]]:
    """Gap scores per project and gap."""
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        rows = con.execute(
            "select project_id, gap, score from gap_scores where run_id = ?", [assessed.run_id]
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, float]] = {}
    for project_id, gap, score in rows:
        out.setdefault(project_id, {})[gap] = score
    return out


@pytest.mark.parametrize("gap", list(VARIANTS))
def test_worse_evidence_lowers_its_gap_and_no_other(
    scores: dict[str, dict[str, float]], gap: str
) -> None:
    before, after = scores[BASE], scores[f"{BASE}_{gap}"]
    assert set(before) == set(VARIANTS)
    assert after[gap] < before[gap], (gap, before[gap], after[gap])
    for other in set(VARIANTS) - {gap}:
        assert after[other] == before[other], (gap, other, before[other], after[other])


def test_a_claim_the_inventory_denies_flags_its_check(assessed: Assessed) -> None:
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        flagged = con.execute(
            "select project_id, check_id, result, evidence from check_results "
            "where run_id = ? and claim_contradicted order by project_id, check_id",
            [assessed.run_id],
        ).fetchall()
    finally:
        con.close()
    by_check = {
        (project, check): (result, json.loads(evidence))
        for project, check, result, evidence in flagged
    }
    result, evidence = by_check[(CLAIMS, "mt_monitoring")]
    assert result == "fail"
    claim = evidence["contradicted_claim"]
    assert claim["topic"] == "monitoring" and claim["groups"] == "operations"
    assert claim["evidence_says"] == "the inventory holds no monitoring or alerting system"
    assert "worst" in evidence  # the measurement is kept beside the claim
    # The go project's monitoring claims are backed by a live monitoring system.
    assert (BASE, "mt_monitoring") not in by_check


def test_no_respondent_identity_reaches_the_warehouse(assessed: Assessed) -> None:
    """The Microsoft Forms export names and emails its respondents: none of it is stored."""
    from openpyxl import load_workbook

    survey = next((assessed.portfolio.parent / "projects" / CLAIMS / "survey").glob("*.xlsx"))
    sheet = load_workbook(survey, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    at = {name: index for index, name in enumerate(rows[0])}
    private = {str(r[at[c]]) for r in rows[1:] for c in ("Email", "Name") if r[at[c]]}
    assert len(private) > 20
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        tables = [
            t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
        ]
        text = " ".join(
            str(value)
            for table in tables
            for row in con.execute(f'select * from "{table}"').fetchall()
            for value in row
            if isinstance(value, str)
        )
    finally:
        con.close()
    leaked = sorted(p for p in private if p in text)
    assert not leaked, leaked
