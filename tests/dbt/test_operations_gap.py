"""The operations artifacts move the maintenance gap, and only it (cheaply: one dbt build).

The example churn predictor carries alerting rules, Alertmanager routes, a PagerDuty schedule and
incident export, runbooks and a retraining deployment. On a copy of the warehouse the real flow
built, its measurements are made worse the way operations get worse (two signals whose alerts no
longer reach anyone, two days with holes in the rotation and two of three people gone, slow
acknowledgements, an empty runbook, the retraining deployment removed); dbt then rebuilds the
marts. Each new or artifact-judged maintenance check changes; no other check and no other gap or
project moves.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows import dbt, incremental
from tests.conftest import Assessed, kept_environment, use_home
from tests.dbt.test_unit_tests import warehouse_copy

PROJECT = "churn_predictor"
MOVED = {
    "mt_alert_coverage",
    "mt_drift_detection",
    "mt_on_call",
    "mt_on_call_coverage",
    "mt_incident_response",
    "mt_runbook",
    "mt_retraining",
}
WORSE = [
    "update raw_alert_coverage set delivering_alerts = 0 where signal in ('quality', 'saturation')",
    "update raw_on_call_days set covered_hours = covered_hours - 6, gap_hours = gap_hours + 6"
    " where day in (3, 4)",
    "delete from raw_on_call_people where handle <> (select min(handle) from raw_on_call_people)",
    "update raw_incident_summary set ack_p90_minutes = 45",
    "update raw_runbooks set usable = false, problem = 'the runbook file is empty'"
    " where not is_url",
    "update raw_retraining_schedules set found = false, schedules = null",
]


def _results(warehouse: Path) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], float]]:
    # Not read-only: dbt, run in this process, may still hold the file open read-write.
    with duckdb.connect(str(warehouse)) as con:
        checks = con.execute(
            "select project_id, check_id, result from check_results order by 1, 2"
        ).fetchall()
        gaps = con.execute("select project_id, gap, score from gap_scores order by 1, 2").fetchall()
    return ({(p, c): r for p, c, r in checks}, {(p, g): s for p, g, s in gaps})


def test_worse_operations_move_only_the_maintenance_gap(
    assessed_examples: Assessed, tmp_path: Path
) -> None:
    home = warehouse_copy(assessed_examples, tmp_path / "home")
    warehouse = home / "warehouse.duckdb"
    checks_before, gaps_before = _results(warehouse)
    assert {checks_before[(PROJECT, c)] for c in MOVED} == {"pass"}
    with duckdb.connect(str(warehouse)) as con:
        for statement in WORSE:
            con.execute(f"{statement} {'and' if ' where ' in statement else 'where'} project_id = ?", [PROJECT])  # fmt: skip
        incremental.invalidate(con)  # a run's raw rows rewritten: its marts are built again
    with kept_environment():
        dbt.build(use_home(home))
    checks_after, gaps_after = _results(warehouse)
    changed = {key for key in checks_before if checks_before[key] != checks_after[key]}
    assert changed == {(PROJECT, c) for c in MOVED}
    assert checks_after[(PROJECT, "mt_alert_coverage")] == "fail"
    assert checks_after[(PROJECT, "mt_on_call")] == "partial"
    assert checks_after[(PROJECT, "mt_runbook")] == "partial"
    moved = {key for key in gaps_before if gaps_before[key] != gaps_after[key]}
    assert moved == {(PROJECT, "maintenance")}
    assert gaps_after[(PROJECT, "maintenance")] < gaps_before[(PROJECT, "maintenance")]
