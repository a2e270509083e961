"""Every gap's score moves when its evidence changes, and only that gap's score; claims the
evidence denies are flagged on their check; a data sample that cannot be read is named by the
checks it feeds.

One real assessment (Prefect flow, Pandera, DuckDB, ``dbt build``) of a portfolio holding the
example project that gets a "go" and copies of it, each with one evidence file made worse in
the way a real project gets worse: blank fields in the data, integrations without tests,
a team that turned against the project, KPIs without a baseline, latency that degrades at the
target concurrency (Locust history), and a maintenance story nobody believes in; then, for the
checks that compare production with its POC sample or its maximum age, records left to go stale,
a field emptier than in the POC, categories the POC never saw; and last a POC sample and a
production dataset that cannot be read. The invoice extraction example rides along: an
operations lead claims monitoring that its inventory lacks.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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


def stale_tickets(project: Path, portfolio: Path) -> None:
    """Stale records: last day's tickets but the newest were back-dated two days (the newest
    ticket, and so freshness, stays)."""
    path = project / "data" / "tickets.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        created = [datetime.fromisoformat(row["created_at"]) for row in csv.DictReader(handle)]
    newest = max(created)

    def change(row: dict[str, str], number: int) -> None:
        at = datetime.fromisoformat(row["created_at"])
        if newest - timedelta(days=1) < at < newest:
            row["created_at"] = str(at - timedelta(days=2))

    rewrite_csv(path, change)


def unresolved_tickets(project: Path, portfolio: Path) -> None:
    """POC null rate: a quarter of the resolved tickets lost their resolution time (optional)."""

    def change(row: dict[str, str], number: int) -> None:
        if row["resolved_at"] and number % 4 == 0:
            row["resolved_at"] = ""

    rewrite_csv(project / "data" / "tickets.csv", change)


def new_languages(project: Path, portfolio: Path) -> None:
    """Unseen categories: six tickets arrive in languages the POC never saw (one each)."""
    languages = ["pt", "it", "pl", "sv", "da", "fi"]

    def change(row: dict[str, str], number: int) -> None:
        if number % 400 == 7 and number // 400 < len(languages):
            row["language"] = languages[number // 400]

    rewrite_csv(project / "data" / "tickets.csv", change)


#: One check each: the variant worsens that check's metric, and no other check's result or metric.
CHECK_VARIANTS: dict[str, Callable[[Path, Path], None]] = {
    "dq_stale_records": stale_tickets,
    "dq_poc_null_rate": unresolved_tickets,
    "dq_poc_unseen_categories": new_languages,
}

POC_CHECKS = {"dq_poc_drift", "dq_poc_null_rate", "dq_poc_unseen_categories"}


def poc_sample_lost(project: Path, portfolio: Path) -> None:
    """The POC sample is gone: only the checks that compare with it lose their evidence."""
    (project / "data" / "tickets_poc.csv").unlink()


def tickets_lost(project: Path, portfolio: Path) -> None:
    """The tickets export is gone: the customers dataset is still measured."""
    (project / "data" / "tickets.csv").unlink()


UNREADABLE: dict[str, Callable[[Path, Path], None]] = {
    "poc_sample_lost": poc_sample_lost,
    "tickets_lost": tickets_lost,
}


def run_rows(assessed: Assessed, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the published snapshot, its one parameter being the run's id."""
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        return con.execute(sql, [assessed.run_id]).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def assessed(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Assessed:
    """One real assessment of the base project, each variant and the claims example."""
    base = tmp_path_factory.mktemp("gap_evidence")
    portfolio = copy_examples(base / "examples")
    projects = portfolio.parent / "projects"
    listed = [f"projects/{BASE}/project.yml", f"projects/{CLAIMS}/project.yml"]
    for name, worsen in {**VARIANTS, **CHECK_VARIANTS, **UNREADABLE}.items():
        variant = f"{BASE}_{name}"
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
    rows = run_rows(assessed, "select project_id, gap, score from gap_scores where run_id = ?")
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
    flagged = run_rows(
        assessed,
        "select project_id, check_id, result, evidence from check_results "
        "where run_id = ? and claim_contradicted order by project_id, check_id",
    )
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


@pytest.fixture(scope="module")
def checks(assessed: Assessed) -> dict[str, dict[str, tuple[str, float | None, str | None]]]:
    """Result, metric and evidence per project and check."""
    rows = run_rows(
        assessed,
        "select project_id, check_id, result, metric, evidence from check_results where run_id = ?",
    )
    out: dict[str, dict[str, tuple[str, float | None, str | None]]] = {}
    for project_id, check_id, result, metric, evidence in rows:
        out.setdefault(project_id, {})[check_id] = (result, metric, evidence)
    return out


@pytest.mark.parametrize("check_id", list(CHECK_VARIANTS))
def test_worse_evidence_worsens_its_check_and_no_other(
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]], check_id: str
) -> None:
    before, after = checks[BASE], checks[f"{BASE}_{check_id}"]
    assert set(before) == set(after)
    (_, was, _), (result, now, _) = before[check_id], after[check_id]
    assert was is not None and now is not None and now > was, (check_id, was, now)
    assert result in ("partial", "fail")
    for other in set(before) - {check_id}:
        assert after[other][:2] == before[other][:2], (check_id, other, before[other], after[other])


def test_an_unreadable_poc_sample_takes_evidence_only_from_the_poc_checks(
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
) -> None:
    before, after = checks[BASE], checks[f"{BASE}_poc_sample_lost"]
    for check_id in POC_CHECKS:
        result, metric, evidence = after[check_id]
        assert (result, metric) == ("no_evidence", None)
        reason = json.loads(evidence or "{}")["reason"]
        assert reason.startswith("no evidence: unreadable: tickets (poc sample) at "), reason
        assert reason.endswith("tickets_poc.csv: file not found"), reason
    for check_id in set(before) - POC_CHECKS:
        assert after[check_id][:2] == before[check_id][:2], check_id


def test_an_unreadable_dataset_is_named_by_every_data_quality_check(
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
    scores: dict[str, dict[str, float]],
) -> None:
    project = f"{BASE}_tickets_lost"
    before, after = checks[BASE], checks[project]
    data_quality = {c for c in after if c.startswith("dq_")}
    for check_id in data_quality:
        result, _, evidence = after[check_id]
        document = json.loads(evidence or "{}")
        if result == "no_evidence":
            # Nothing else measured it: the tickets' rules and POC comparisons.
            assert document["reason"].startswith("no evidence: unreadable: tickets at "), check_id
        else:
            # Measured on the customers alone, and says what it could not see.
            assert document["worst"].startswith("customers"), (check_id, document)
            assert document["unreadable"].startswith("tickets at "), (check_id, document)
    no_evidence = {c for c in data_quality if after[c][0] == "no_evidence"}
    assert no_evidence == POC_CHECKS | {"dq_consistency"}
    reason = json.loads(after["dq_consistency"][2] or "{}")["reason"]
    assert reason.endswith("tickets.csv: file not found"), reason
    # The other gaps never read the tickets.
    for check_id in set(before) - data_quality:
        assert after[check_id][:2] == before[check_id][:2], check_id
    for gap in set(VARIANTS) - {"data_quality"}:
        assert scores[project][gap] == scores[BASE][gap], gap
