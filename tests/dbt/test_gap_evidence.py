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

from core.settings import REPO_ROOT
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
    """Evaluation: the KPIs lost their baselines (nobody measured today's numbers): the plan types
    none, and the KPI export starts at launch (the baseline is measured from the points before)."""
    path = project / "evaluation.yml"
    plan = yaml.safe_load(path.read_text())
    for kpi in plan["kpis"]:
        kpi.pop("baseline", None)
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    export = project / "eval" / "kpis.csv"
    lines = export.read_text().splitlines(keepends=True)
    export.write_text("".join(lines[:1] + [row for row in lines[1:] if row[:10] >= "2026-09-01"]))


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


def evaluation_plan_lost(project: Path, portfolio: Path) -> None:
    """Thin evidence: the project names no evaluation plan; only the survey speaks for evaluation."""
    path = project / "project.yml"
    path.write_text(path.read_text().replace("  evaluation: evaluation.yml\n", "", 1))


def error_prone(project: Path, portfolio: Path) -> None:
    """A failed major check: 3% of the load test's requests fail (three times the error budget),
    while latency and cost stay in bounds, so the scale score stays above the ready threshold."""

    def change(row: dict[str, str], number: int) -> None:
        if row["Name"] == "Aggregated":
            row["Failure Count"] = str(int(row["Request Count"]) * 3 // 100)

    rewrite_csv(project / "load" / "copilot_stats.csv", change)


def legal_blocker_answer(answer: str) -> Callable[[Path, Path], None]:
    """Legal's blocker answer as a person typed it into the long CSV (its comment left empty)."""

    def worsen(project: Path, portfolio: Path) -> None:
        question = bank_questions(portfolio)["blk_legal_compliance"]

        def change(row: dict[str, str], number: int) -> None:
            if row["group"].strip().casefold() == "legal" and row["question"].strip() in (
                question["id"],
                question["text"],
            ):
                row["answer"], row["comment"] = answer, ""

        rewrite_csv(project / "survey" / "responses.csv", change)

    return worsen


def legal_silent(project: Path, portfolio: Path) -> None:
    """Neither legal nor compliance answered a blocker question (their other answers stay)."""
    blockers = {
        key
        for q in bank_questions(portfolio).values()
        if q.get("kind") == "blocker"
        for key in (q["id"], q["text"])
    }
    path = project / "survey" / "responses.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = [
            row
            for row in reader
            if not (
                row["group"].strip().casefold() in ("legal", "compliance")
                and row["question"].strip() in blockers
            )
        ]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


#: The rules that hold a verdict back: thin evidence, a failed major check, refused and written blockers.
VERDICT_VARIANTS: dict[str, Callable[[Path, Path], None]] = {
    "evaluation_plan_lost": evaluation_plan_lost,
    "error_prone": error_prone,
    "legal_answer_unreadable": legal_blocker_answer("not sure yet"),
    "legal_silent": legal_silent,
    "legal_blocker_written": legal_blocker_answer(
        "Yes - the data protection impact assessment is not done"
    ),
}


def rewrite_graded(project: Path, change: Callable[[dict[str, str], int], None]) -> None:
    """Rewrite the graded examples of the newest evaluation run (week-46) row by row."""

    def newest_only(row: dict[str, str], number: int) -> None:
        if row["run"] == "week-46":
            change(row, number)

    rewrite_csv(project / "eval" / "graded_examples.csv", newest_only)


def grounding_slips(project: Path, portfolio: Path) -> None:
    """Pass rate below its bar: a fifth of the newest run's grounded answers fail, tool and people
    agreeing, each failure labelled (the grader agreement barely moves, the taxonomy is whole)."""

    def change(row: dict[str, str], number: int) -> None:
        if row["metric"] == "grounded" and int(row["example_id"][-3:]) % 5 == 0:
            row["score"] = "0.1" if row["score"] else ""
            row["pass"] = "no" if row["pass"] else ""
            row["failure_category"] = row["failure_category"] or "wrong_policy"

    rewrite_graded(project, change)


def old_model_evaluated(project: Path, portfolio: Path) -> None:
    """The newest run evaluated last month's model, not the one under assessment."""
    rewrite_graded(project, lambda row, number: row.update(model="copilot-2026-10"))


def graders_disagree(project: Path, portfolio: Path) -> None:
    """People disagree with the model judge on a third of the examples they graded."""

    def change(row: dict[str, str], number: int) -> None:
        if row["grader"] == "human" and int(row["example_id"][-3:]) % 3 == 0:
            row["pass"] = "no" if row["pass"] == "yes" else "yes"
            row["failure_category"] = row["failure_category"] or "tone"

    rewrite_graded(project, change)


def failures_unlabelled(project: Path, portfolio: Path) -> None:
    """Nobody labels failures any more."""
    rewrite_graded(project, lambda row, number: row.update(failure_category=""))


def kpi_export_stopped(project: Path, portfolio: Path) -> None:
    """The KPI export stopped at the end of September (the plan still says instrumented)."""
    path = project / "eval" / "kpis.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:1] + [line for line in lines[1:] if line[:10] < "2026-10-01"]))


#: Evaluation judged on the tools' results: each variant worsens its check, lowers the evaluation
#: gap and no other gap.
EVALUATION_VARIANTS: dict[str, tuple[str, Callable[[Path, Path], None]]] = {
    "eval_below_bar": ("ev_pass_rate", grounding_slips),
    "eval_old_model": ("ev_model_evaluated", old_model_evaluated),
    "eval_graders_disagree": ("ev_grader_agreement", graders_disagree),
    "eval_unlabelled": ("ev_failure_taxonomy", failures_unlabelled),
    "eval_kpis_stopped": ("ev_kpi_data", kpi_export_stopped),
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
    evaluation = {name: worsen for name, (_, worsen) in EVALUATION_VARIANTS.items()}
    for name, worsen in {
        **VARIANTS,
        **CHECK_VARIANTS,
        **UNREADABLE,
        **VERDICT_VARIANTS,
        **evaluation,
    }.items():
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
    rubric = yaml.safe_load((REPO_ROOT / "rubric" / "rubric.yml").read_text())
    critical = {c["id"] for c in rubric["checks"] if c["severity"] == "critical"} & data_quality
    assert critical
    for check_id in data_quality:
        result, _, evidence = after[check_id]
        document = json.loads(evidence or "{}")
        if check_id in critical:
            # A critical check never passes on part of its evidence: the tickets were not read.
            assert result == "no_evidence", (check_id, result)
            assert document["reason"].startswith("no evidence: unreadable: tickets at "), check_id
            assert document["reason"].endswith("never judged on part of its inputs)"), check_id
        elif result == "no_evidence":
            # Nothing else measured it: the tickets' rules and POC comparisons.
            assert document["reason"].startswith("no evidence: unreadable: tickets at "), check_id
        else:
            # Measured on the customers alone, and says what it could not see.
            assert document["worst"].startswith("customers"), (check_id, document)
            assert document["unreadable"].startswith("tickets at "), (check_id, document)
    no_evidence = {c for c in data_quality if after[c][0] == "no_evidence"}
    assert no_evidence == POC_CHECKS | {"dq_consistency"} | critical
    reason = json.loads(after["dq_consistency"][2] or "{}")["reason"]
    assert reason.endswith("tickets.csv: file not found"), reason
    # The other gaps never read the tickets.
    for check_id in set(before) - data_quality:
        assert after[check_id][:2] == before[check_id][:2], check_id
    for gap in set(VARIANTS) - {"data_quality"}:
        assert scores[project][gap] == scores[BASE][gap], gap


def roadmap_action(assessed: Assessed, project: str, check_id: str) -> str:
    """The roadmap's action on one check of one project."""
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        row = con.execute(
            "select action from roadmap where run_id = ? and project_id = ? and check_id = ?",
            [assessed.run_id, project, check_id],
        ).fetchone()
    finally:
        con.close()
    assert row is not None, (project, check_id)
    return str(row[0])


@pytest.fixture(scope="module")
def verdicts(assessed: Assessed) -> dict[str, dict[str, Any]]:
    """Each project's recommendation row, by column name."""
    con = duckdb.connect(str(assessed.snapshot), read_only=True)
    try:
        cursor = con.execute("select * from recommendations where run_id = ?", [assessed.run_id])
        names = [d[0] for d in cursor.description]
        return {
            row[names.index("project_id")]: dict(zip(names, row, strict=True))
            for row in cursor.fetchall()
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def statuses(assessed: Assessed) -> dict[str, dict[str, tuple[str, str | None]]]:
    """Status and missing evidence per project and gap."""
    rows = run_rows(
        assessed,
        "select project_id, gap, status, missing_evidence from gap_scores where run_id = ?",
    )
    out: dict[str, dict[str, tuple[str, str | None]]] = {}
    for project_id, gap, status, missing in rows:
        out.setdefault(project_id, {})[gap] = (status, missing)
    return out


def test_the_go_project_reads_all_ready_in_plain_words(
    verdicts: dict[str, dict[str, Any]], statuses: dict[str, dict[str, tuple[str, str | None]]]
) -> None:
    base = verdicts[BASE]
    assert (base["verdict"], base["reason"]) == ("go", "All six gaps are ready.")
    assert (base["claims_contradicted"], base["insufficient_gaps"]) == (0, "")
    assert {status for status, _ in statuses[BASE].values()} == {"ready"}


def test_a_gap_on_thin_evidence_is_not_ready_and_names_what_is_missing(
    verdicts: dict[str, dict[str, Any]],
    statuses: dict[str, dict[str, tuple[str, str | None]]],
    scores: dict[str, dict[str, float]],
) -> None:
    project = f"{BASE}_evaluation_plan_lost"
    status, missing = statuses[project]["evaluation"]
    assert status == "insufficient_evidence"
    # The one survey check left scores evaluation high: the score alone would read "ready".
    assert scores[project]["evaluation"] >= 80
    assert missing == (
        "Business KPIs have a baseline and a target; The KPIs are instrumented; An evaluation"
        " suite guards quality (grading, failure taxonomy, regression set); Someone owns evaluation"
    )
    row = verdicts[project]
    assert (row["recommendation"], row["verdict"]) == (
        "not_yet",
        "not yet: insufficient evidence (evaluation)",
    )
    assert row["insufficient_gaps"] == row["blocking_gaps"] == "evaluation"
    assert row["reason"].startswith(
        f"Not yet: Evaluation has insufficient evidence (missing: {missing})"
    ), row["reason"]
    assert "ev_" not in row["reason"]
    for gap in set(VARIANTS) - {"evaluation"}:
        assert statuses[project][gap] == statuses[BASE][gap], gap
        assert scores[project][gap] == scores[BASE][gap], gap


def test_a_failed_major_check_caps_its_gap_at_at_risk(
    verdicts: dict[str, dict[str, Any]],
    statuses: dict[str, dict[str, tuple[str, str | None]]],
    scores: dict[str, dict[str, float]],
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
) -> None:
    project = f"{BASE}_error_prone"
    assert checks[project]["sc_error_rate"][0] == "fail"
    assert scores[project]["scale"] >= 80  # ready on its score alone
    assert statuses[project]["scale"] == ("at_risk", None)
    row = verdicts[project]
    assert (row["verdict"], row["blocking_gaps"], row["blocking_checks"]) == (
        "not yet",
        "scale",
        "sc_error_rate",
    )
    assert row["reason"] == (
        "Not yet: Scale is at risk (failed: Error rate under load is within the error budget)."
    )
    for gap in set(VARIANTS) - {"scale"}:
        assert statuses[project][gap] == statuses[BASE][gap], gap


def test_a_refused_blocker_answer_never_lets_the_legal_check_pass(
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
    verdicts: dict[str, dict[str, Any]],
    assessed: Assessed,
) -> None:
    project = f"{BASE}_legal_answer_unreadable"
    result, metric, evidence = checks[project]["sa_legal_blockers"]
    assert (result, metric) == ("no_evidence", None)
    document = json.loads(evidence or "{}")
    assert document["detail"]["refused"] >= 1
    assert "responses.csv row " in document["detail"]["refused_rows"], document
    assert document["reason"].startswith("no evidence: "), document
    assert document["detail"]["refused_rows"] in document["reason"]
    assert checks[BASE]["sa_legal_blockers"][0] == "pass"
    # A critical check without evidence keeps its gap from ready: legal may have said yes.
    row = verdicts[project]
    assert (row["recommendation"], row["verdict"]) == (
        "not_yet",
        "not yet: insufficient evidence (stakeholder alignment)",
    )
    assert row["insufficient_gaps"] == "stakeholder_alignment"
    assert row["reason"].startswith(
        "Not yet: Stakeholder alignment has insufficient evidence"
        " (missing: No open blocker from legal or compliance"
    ), row["reason"]
    action = roadmap_action(assessed, project, "sa_legal_blockers")
    assert action.startswith(
        "Provide evidence: No open blocker from legal or compliance (answers refused: "
    ), action


def test_a_written_blocker_blocks_with_its_reason_on_every_surface(
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
    verdicts: dict[str, dict[str, Any]],
    assessed: Assessed,
) -> None:
    project = f"{BASE}_legal_blocker_written"
    result, metric, evidence = checks[project]["sa_legal_blockers"]
    assert result == "fail" and metric is not None and metric >= 1
    blockers = json.loads(evidence or "{}")["detail"]["blockers"]
    assert blockers.startswith("Legal: the data protection impact assessment is not done"), blockers
    row = verdicts[project]
    assert row["verdict"] == "not yet"
    assert f"Stakeholder alignment is blocked ({blockers}" in row["reason"], row["reason"]
    action = roadmap_action(assessed, project, "sa_legal_blockers")
    assert action.startswith("Legal: the data protection impact assessment is not done"), action


def test_a_claim_the_evaluation_plan_denies_lowers_confidence_and_is_named(
    verdicts: dict[str, dict[str, Any]],
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
) -> None:
    """The KPIs lost their baselines while the survey still says success is measured against one."""
    project = f"{BASE}_evaluation"
    claim = json.loads(checks[project]["ev_kpis_defined"][2] or "{}")["contradicted_claim"]
    assert claim["topic"] == "kpis"
    assert (
        claim["evidence_says"] == "no KPI of the evaluation plan has both a baseline and a target"
    )
    assert "contradicted_claim" not in json.loads(checks[BASE]["ev_kpis_defined"][2] or "{}")
    row, base = verdicts[project], verdicts[BASE]
    assert (base["claims_contradicted"], row["claims_contradicted"]) == (0, 1)
    assert row["confidence"] == pytest.approx(base["confidence"] - 0.1)
    assert "1 claim contradicted by evidence, lowering confidence by 10%: " in row["reason"]
    assert claim["evidence_says"] in row["reason"], row["reason"]


def test_no_agreement_shown_is_one_persons_answer(assessed: Assessed) -> None:
    """The example survey's small groups (legal 2, compliance 2, the sponsor 1 ...) are merged
    into "other groups" wherever an agreement is shown, and the checks say so."""
    items = run_rows(
        assessed,
        "select item, detail from check_items where run_id = ? and project_id = "
        f"'{BASE}' and check_id in ('sa_agreement', 'sa_disagreement')",
    )
    notes = {json.loads(detail)["small_groups"] for _, detail in items}
    assert len(notes) == 1, notes  # every item says the same of the project's small groups
    (note,) = notes
    prefix = "merged into other groups (fewer than 3 respondents each): "
    assert note.startswith(prefix), note
    small = {}
    for named in note.removeprefix(prefix).split(", "):
        group, _, count = named.partition(" (")
        small[group] = int(count.rstrip(")"))
    assert {"legal", "compliance", "business_sponsor"} <= set(small), small
    assert all(n < 3 for n in small.values()) and sum(small.values()) >= 3, small
    cells = run_rows(
        assessed,
        "select distinct stakeholder_group from stakeholder_questions "
        f"where run_id = ? and project_id = '{BASE}'",
    )
    shown = {group for (group,) in cells} | {item for item, _ in items}
    assert "other groups" in shown and not shown & set(small), shown
    for item, detail in items:
        assert json.loads(detail)["respondents"] >= 3, (item, detail)


def test_no_blocker_is_evidence_only_when_legal_or_compliance_said_so(
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
    verdicts: dict[str, dict[str, Any]],
) -> None:
    """Silence is not "no blocker": with no blocker answer from legal or compliance, the critical
    check has no evidence and the verdict says so (it passed with 0 blockers before)."""
    project = f"{BASE}_legal_silent"
    assert checks[BASE]["sa_legal_blockers"][0] == "pass"
    assert checks[project]["sa_legal_blockers"][:2] == ("no_evidence", None)
    row = verdicts[project]
    assert row["recommendation"] == "not_yet"
    assert "stakeholder_alignment" in row["insufficient_gaps"]


@pytest.mark.parametrize("variant", list(EVALUATION_VARIANTS))
def test_worse_evaluation_results_lower_their_check_and_only_the_evaluation_gap(
    scores: dict[str, dict[str, float]],
    checks: dict[str, dict[str, tuple[str, float | None, str | None]]],
    variant: str,
) -> None:
    check_id = EVALUATION_VARIANTS[variant][0]
    project = f"{BASE}_{variant}"
    points = {"pass": 1.0, "partial": 0.5, "fail": 0.0}
    was, now = checks[BASE][check_id], checks[project][check_id]
    assert was[0] == "pass" and points[now[0]] < 1.0, (variant, was, now)
    assert scores[project]["evaluation"] < scores[BASE]["evaluation"]
    for gap in set(VARIANTS) - {"evaluation"}:
        assert scores[project][gap] == scores[BASE][gap], (variant, gap)


def test_a_plan_the_kpi_export_denies_is_a_contradicted_claim(assessed: Assessed) -> None:
    rows = run_rows(
        assessed,
        "select project_id, check_id, claim_contradicted from check_results "
        "where run_id = ? and check_id = 'ev_instrumentation'",
    )
    flagged = {project: flag for project, _, flag in rows}
    assert flagged[f"{BASE}_eval_kpis_stopped"] is True
    assert flagged[BASE] is False
