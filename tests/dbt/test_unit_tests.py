"""dbt's unit tests, and how a failing dbt build is reported.

Scheduled runs build models and data tests only (``flows.dbt.SCHEDULED_RUN``); the unit tests,
which check the SQL against fixed inputs, run here, on a copy of a warehouse the real flow built.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import pytest

from flows import dbt
from tests.conftest import Assessed, kept_environment, use_home


def warehouse_copy(assessed: Assessed, home: Path) -> Path:
    """A private home holding a copy of the assessed examples' working warehouse."""
    home.mkdir(parents=True)
    shutil.copyfile(assessed.settings.warehouse, home / "warehouse.duckdb")
    return home


def test_dbt_unit_tests_pass(assessed_examples: Assessed, tmp_path: Path) -> None:
    home = warehouse_copy(assessed_examples, tmp_path / "home")
    with kept_environment():
        result = dbt.invoke(use_home(home), ["test", "--select", "test_type:unit"])
    statuses = [dbt._status(node.status) for node in result.result.results]  # type: ignore[union-attr]
    assert len(statuses) >= 18
    assert set(statuses) == {"pass"}


def test_scheduled_runs_leave_unit_tests_out_and_log_a_summary(
    assessed_examples: Assessed, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = warehouse_copy(assessed_examples, tmp_path / "home")
    with kept_environment(), caplog.at_level(logging.INFO, logger="readiness.dbt"):
        settings = use_home(home)
        dbt.build(settings)
    running, summary = [r.getMessage() for r in caplog.records if r.name == "readiness.dbt"]
    assert running.startswith("dbt build: running, first node model.readiness.")
    assert summary.startswith("dbt build: ") and "pass" in summary and "success" in summary
    log = (home / "dbt_logs" / "dbt.log").read_text()
    assert "START unit_test" not in log and "gap_scores" in log


def test_a_failing_build_names_each_failing_node_and_dbts_log(
    assessed_examples: Assessed, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = warehouse_copy(assessed_examples, tmp_path / "home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        # The same run recorded twice breaks the runs mart's unique run_id.
        con.execute("insert into raw_runs select * from raw_runs")
    with kept_environment(), caplog.at_level(logging.ERROR, logger="readiness.dbt"):
        settings = use_home(home)
        with pytest.raises(dbt.DbtError) as failed:
            dbt.build(settings)
    message = str(failed.value)
    errors = [r.getMessage() for r in caplog.records if r.name == "readiness.dbt"]
    # The duplicated run breaks the data tests that count a run's rows: each failing one is named.
    assert errors and all(e.startswith("dbt test.readiness.") for e in errors)
    assert all("configured to fail if != 0" in e for e in errors)
    assert f"{len(errors)} fail" in message and "skipped" in message
    assert errors[0].removeprefix("dbt ") in message
    assert str(home / "dbt_logs" / "dbt.log") in message
