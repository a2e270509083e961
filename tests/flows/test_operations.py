"""On-call, incidents, runbooks and retraining read from the files the tools write."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.errors import EvidenceError
from flows.config import LoadedProject, Project
from flows.evidence import Context, Evidence
from flows.evidence.incidents import percentile, read_incidents
from flows.evidence.on_call import coverage, read_shifts
from flows.evidence.operations import collect_operations
from flows.evidence.retraining import (
    airflow_schedules,
    check_url,
    cron_schedules,
    prefect_schedules,
)
from flows.evidence.survey import pseudonym

FIXTURES = Path(__file__).parents[1] / "fixtures" / "operations"
AS_OF = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "test-key"
SIGNALS = {"latency": ["latency"], "errors": ["error"], "saturation": ["cpu"], "quality": ["drift"]}


def test_pagerduty_schedule_coverage_and_pseudonymous_people() -> None:
    evidence = Evidence()
    shifts, count = read_shifts(
        evidence, FIXTURES / "pagerduty_schedule.json", "pagerduty_schedule", KEY
    )
    assert count == 7 and "raw_rejected_rows" not in evidence.tables
    coverage(evidence, shifts, AS_OF)
    days = evidence.tables["raw_on_call_days"]
    assert len(days) == 28
    assert sum(d["gap_hours"] for d in days) == pytest.approx(12)
    gaps = [d for d in days if d["gap_hours"] > 0]
    assert [(d["day"], d["gap_hours"]) for d in gaps] == [(2, 1.0), (3, 11.0)]
    people = evidence.tables["raw_on_call_people"]
    assert len(people) == 3
    assert {p["handle"] for p in people} == {
        pseudonym(KEY, u) for u in ("PXPGF42", "P0Q5W7Z", "PH1L2BD")
    }
    text = json.dumps(evidence.tables, default=str)
    assert "Greenholt" not in text and "PXPGF42" not in text


def test_pagerduty_oncalls_first_level_only_and_csv() -> None:
    evidence = Evidence()
    shifts, count = read_shifts(
        evidence, FIXTURES / "pagerduty_oncalls.json", "pagerduty_oncalls", KEY
    )
    assert count == 3 and len(shifts) == 2  # the second escalation level does not count
    coverage(evidence, shifts, AS_OF)
    covered = sum(d["covered_hours"] for d in evidence.tables["raw_on_call_days"])
    assert covered == pytest.approx(21 * 24 - 1)  # 08:00 to 08:00 from an as-of at 09:00
    csv_evidence = Evidence()
    shifts, count = read_shifts(csv_evidence, FIXTURES / "on_call.csv", "csv", KEY)
    assert count == 4 and len(shifts) == 3
    [refused] = csv_evidence.tables["raw_rejected_rows"]
    assert (refused["row_number"], refused["column_name"]) == (5, "start")
    assert "Ben" not in json.dumps(csv_evidence.tables, default=str)


def test_schedule_of_the_wrong_shape_names_the_json_path() -> None:
    with pytest.raises(
        EvidenceError, match=r"a list at \$\.schedule\.final_schedule\.rendered_schedule_entries"
    ):
        read_shifts(
            Evidence(), FIXTURES / "bad" / "schedule_wrong_shape.json", "pagerduty_schedule", KEY
        )
    with pytest.raises(EvidenceError, match=r"\$\.oncalls"):
        read_shifts(Evidence(), FIXTURES / "pagerduty_schedule.json", "pagerduty_oncalls", KEY)


def test_a_bad_entry_is_refused_with_its_json_path(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "pagerduty_schedule.json").read_text())
    data["schedule"]["final_schedule"]["rendered_schedule_entries"][2]["end"] = "soon"
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data))
    evidence = Evidence()
    shifts, _ = read_shifts(evidence, path, "pagerduty_schedule", KEY)
    assert len(shifts) == 6
    [refused] = evidence.tables["raw_rejected_rows"]
    assert refused["column_name"] == "$.schedule.final_schedule.rendered_schedule_entries[2]"
    assert "soon" not in refused["reason"]


def test_incidents_of_the_last_90_days() -> None:
    evidence = Evidence()
    assert read_incidents(evidence, FIXTURES / "incidents.csv", AS_OF) == 9
    [summary] = evidence.tables["raw_incident_summary"]
    assert summary["incidents"] == 7 and summary["acknowledged"] == 6 and summary["resolved"] == 7
    acks = [240 / 60, 600 / 60, 120 / 60, 900 / 60, 300 / 60, 420 / 60]
    assert (
        summary["ack_median_minutes"] == pytest.approx(percentile(acks, 0.5)) == pytest.approx(6.0)
    )
    assert summary["ack_p90_minutes"] == pytest.approx(12.5)
    assert summary["resolve_median_minutes"] == pytest.approx(3600 / 60)


def test_incidents_with_missing_columns() -> None:
    with pytest.raises(EvidenceError, match="seconds_to_first_ack, seconds_to_resolve"):
        read_incidents(Evidence(), FIXTURES / "bad" / "incidents_missing_columns.csv", AS_OF)


def test_retraining_schedules_found_for_the_model() -> None:
    model = "churn_predictor"
    assert prefect_schedules(FIXTURES / "prefect.yaml", model) == ["cron: 0 3 * * 1"]
    assert prefect_schedules(FIXTURES / "prefect.yaml", "fraud_model") == []
    assert cron_schedules(FIXTURES / "crontab", model) == ["cron: 30 2 * * 0"]
    assert airflow_schedules(FIXTURES / "retrain_dag.py", model) == ["airflow: 0 4 * * 1"]
    assert airflow_schedules(FIXTURES / "retrain_dag.py", "fraud_model") == []


def test_airflow_file_is_never_run(tmp_path: Path) -> None:
    dag = tmp_path / "dag.py"
    marker = tmp_path / "ran"
    dag.write_text(
        f"open({str(marker)!r}, 'w').write('x')\n"
        "from airflow.decorators import dag\n"
        "@dag(dag_id='retrain_churn_predictor', schedule_interval='@weekly')\n"
        "def retrain():\n    pass\n"
    )
    assert airflow_schedules(dag, "churn_predictor") == ["airflow: @weekly"]
    assert not marker.exists()
    dag.write_text("def broken(:\n")
    with pytest.raises(EvidenceError, match="line 1"):
        airflow_schedules(dag, "churn_predictor")


def test_runbook_urls() -> None:
    assert check_url("https://wiki.example.com/runbooks/churn") is None
    assert check_url("wiki/runbooks") is not None
    assert check_url("ftp://x/y") is not None


def _project(tmp_path: Path, operations: dict[str, object]) -> LoadedProject:
    for name in (
        "alert_rules.yml",
        "alertmanager.yml",
        "pagerduty_schedule.json",
        "incidents.csv",
        "prefect.yaml",
        "runbook.md",
        "empty_runbook.md",
    ):
        shutil.copy(FIXTURES / name, tmp_path / name)
    project = Project.model_validate(
        {"id": "p", "name": "P", "evidence": {"operations": operations}}
    )
    return LoadedProject(path=tmp_path / "project.yml", project=project)


def test_collect_operations_reads_every_kind_and_goes_on_past_bad_files(tmp_path: Path) -> None:
    (tmp_path / "project.yml").write_text("id: p\n")
    shutil.copy(FIXTURES / "bad" / "missing_expr.yml", tmp_path / "broken_rules.yml")
    shutil.copy(FIXTURES / "bad" / "incidents_missing_columns.csv", tmp_path / "broken.csv")
    loaded = _project(
        tmp_path,
        {
            "services": {"churn-api": ['job="churn-api"']},
            "alert_rules": [{"path": "alert_rules.yml"}, {"path": "broken_rules.yml"}],
            "alertmanager": {"path": "alertmanager.yml"},
            "on_call": [{"path": "pagerduty_schedule.json", "format": "pagerduty_schedule"}],
            "incidents": [{"path": "incidents.csv"}, {"path": "broken.csv"}],
            "runbooks": [
                {"path": "runbook.md"},
                {"path": "empty_runbook.md"},
                {"url": "https://wiki.example.com/rb"},
            ],
            "retraining": [{"path": "prefect.yaml", "format": "prefect"}],
            "model": "churn_predictor",
        },
    )
    context = Context(run_id="r", project_id="p", as_of=AS_OF, survey_key=KEY)
    evidence = collect_operations(context, loaded, SIGNALS)
    frames = evidence.frames(context)
    inputs = frames["raw_evidence_inputs"].set_index("name")
    assert inputs.loc["broken_rules.yml", "status"] == "unreadable"
    assert inputs.loc["broken.csv", "status"] == "unreadable"
    assert inputs.loc["alert_rules.yml", "status"] == "ok"
    rejected = frames["raw_rejected_rows"]
    expr = rejected[rejected["source"].str.endswith("broken_rules.yml")].iloc[0]
    assert expr["column_name"] == "groups.0.rules.0.expr" and expr["row_number"] == 4
    assert len(frames["raw_alert_coverage"]) == 4
    assert frames["raw_alert_rules"]["line_number"].tolist() == [8, 16, 21]
    assert frames["raw_on_call_days"]["gap_hours"].sum() == pytest.approx(12)
    assert frames["raw_incident_summary"]["incidents"].tolist() == [7]
    assert frames["raw_runbooks"]["usable"].tolist() == [True, False, True]
    assert frames["raw_retraining_schedules"]["found"].tolist() == [True]
    assert evidence.holds == (AS_OF - timedelta(microseconds=1), AS_OF)


def test_alerting_without_a_service_is_refused_with_the_key(tmp_path: Path) -> None:
    (tmp_path / "project.yml").write_text("id: p\n")
    loaded = _project(tmp_path, {"alert_rules": [{"path": "alert_rules.yml"}]})
    context = Context(run_id="r", project_id="p", as_of=AS_OF, survey_key=KEY)
    evidence = collect_operations(context, loaded, SIGNALS)
    [refused] = evidence.tables["raw_rejected_rows"]
    assert refused["column_name"] == "evidence.operations.services"
    assert "raw_alert_coverage" not in evidence.tables


def test_bad_alertmanager_and_schedule_are_named_and_the_rest_assessed(tmp_path: Path) -> None:
    (tmp_path / "project.yml").write_text("id: p\n")
    shutil.copy(FIXTURES / "bad_alertmanager" / "unknown_receiver.yml", tmp_path / "am.yml")
    shutil.copy(FIXTURES / "bad" / "schedule_wrong_shape.json", tmp_path / "wrong.json")
    loaded = _project(
        tmp_path,
        {
            "services": {"churn-api": ['job="churn-api"']},
            "alert_rules": [{"path": "alert_rules.yml"}],
            "alertmanager": {"path": "am.yml"},
            "on_call": [
                {"path": "wrong.json", "format": "pagerduty_schedule"},
                {"path": "pagerduty_schedule.json", "format": "pagerduty_schedule"},
            ],
            "incidents": [{"path": "incidents.csv"}],
        },
    )
    context = Context(run_id="r", project_id="p", as_of=AS_OF, survey_key=KEY)
    frames = collect_operations(context, loaded, SIGNALS).frames(context)
    inputs = frames["raw_evidence_inputs"].set_index("name")["status"].to_dict()
    assert inputs == {
        "alert_rules.yml": "ok",
        "am.yml": "unreadable",
        "wrong.json": "unreadable",
        "pagerduty_schedule.json": "ok",
        "incidents.csv": "ok",
    }
    reasons = frames["raw_rejected_rows"].set_index("source")["reason"].to_dict()
    assert (
        "undefined receiver 'ml-pagr' used in route.routes.0" in reasons[str(tmp_path / "am.yml")]
    )
    assert (
        "$.schedule.final_schedule.rendered_schedule_entries"
        in reasons[str(tmp_path / "wrong.json")]
    )
    assert (
        "raw_alert_coverage" not in frames or frames["raw_alert_coverage"].empty
    )  # routes unknown
    assert frames["raw_on_call_days"]["gap_hours"].sum() == pytest.approx(12)
    assert frames["raw_incident_summary"]["incidents"].tolist() == [7]
