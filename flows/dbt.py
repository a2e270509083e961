"""Running dbt in-process, once per run, as one Prefect task.

dbt's own programmatic runner (``dbtRunner``) builds the marts; its console output is off and a
summary (and every node that failed, with dbt's message) goes to the Prefect run logger, so a
scheduled run's log reads like the CLI's summary and the UI shows why a model failed. dbt's full
log goes to ``$READINESS_HOME/dbt_logs``.

Scheduled runs build models and data tests; dbt's unit tests check the SQL itself against fixed
inputs, so they run in the test suite (``tests/dbt/test_unit_tests.py``), not on every run, as
dbt recommends. (Earlier versions ran dbt through prefect-dbt's ``PrefectDbtRunner``, one Prefect
task per dbt node: about 95 task runs per assessment, which cost 15-20 s of API calls on a local
server for a build that takes 4-6 s.)
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from core.errors import ReadinessError
from core.settings import DBT_PROJECT_DIR, Settings, dbt_environment

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

# dbt's in-process runner is not safe for concurrent invocations in one process.
_DBT_LOCK = threading.Lock()
FAILED = {"error", "fail", "runtime error"}
SCHEDULED_RUN = ["build", "--exclude-resource-type", "unit_test"]


class DbtError(ReadinessError):
    """dbt could not build the marts: the nodes that failed and dbt's message for each."""


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The Prefect run logger inside a flow or task; a plain logger outside one (tests, scripts)."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("readiness.dbt")


def _status(status: object) -> str:
    """A dbt node status as its plain value (``error``, ``fail``, ``pass``...)."""
    return str(getattr(status, "value", status))


def invoke(settings: Settings, args: list[str]) -> dbtRunnerResult:
    """Run one dbt command in-process on this project and the settings' warehouse; raise if it fails."""
    # dbt is loaded here, when a flow builds (seconds of imports): not by every command that
    # imports the flows, nor by a run refused before it starts.
    from dbt.cli.main import dbtRunner
    from dbt.contracts.results import RunExecutionResult

    log_path = settings.home / "dbt_logs"
    full = [
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(settings.dbt_target_path),
        "--log-path", str(log_path),
        "--log-level", "none",
        "--log-level-file", "info",
    ]  # fmt: skip
    logger = _logger()
    started: list[str] = []

    def on_event(event: Any) -> None:
        # One line when the first node starts (parsing is done): the run's log shows dbt working.
        if not started and event.info.name == "NodeStart":
            started.append(event.data.node_info.unique_id)
            logger.info("dbt %s: running, first node %s", args[0], started[0])

    with _DBT_LOCK, dbt_environment(settings):
        log_path.mkdir(parents=True, exist_ok=True)
        result = dbtRunner(callbacks=[on_event]).invoke(full)
    outcome = result.result
    nodes = outcome.results if isinstance(outcome, RunExecutionResult) else []
    failures = [
        f"{node.node.unique_id}: {str(node.message or node.status).strip()}"
        for node in nodes
        if _status(node.status) in FAILED
    ]
    counts = Counter(_status(node.status) for node in nodes)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    if result.success and not failures:
        logger.info("dbt %s: %s (%d nodes)", args[0], summary or "nothing to do", len(nodes))
        return result
    for failure in failures:
        logger.error("dbt %s", failure)
    if result.exception is not None:
        raise DbtError(f"dbt {args[0]} failed: {result.exception}") from result.exception
    raise DbtError(
        f"dbt {args[0]} failed ({summary}): " + "; ".join(failures[:5])
        + (f"; and {len(failures) - 5} more" if len(failures) > 5 else "")
        + f". dbt's log: {log_path / 'dbt.log'}"
    )  # fmt: skip


def build(settings: Settings, full_refresh: bool | None = None) -> None:
    """Build every model and run the data tests (not the unit tests) once; raise if anything fails.

    The per-run marts are incremental (flows/incremental.py): they take only the runs they lack,
    unless ``full_refresh`` or a change to earlier runs makes this build rebuild them whole. The
    shared PostgreSQL warehouse is always rebuilt whole.
    """
    from flows import incremental, warehouse

    if settings.dbt_target != "duckdb":
        invoke(settings, [*SCHEDULED_RUN, "--full-refresh"])
        return
    with warehouse.connect(settings.warehouse) as con:
        reason = "asked for" if full_refresh else incremental.full_refresh_reason(con)
        if full_refresh is False:
            reason = None
        incremental.mark_new_runs(con, incremental=reason is None)
        incremental.invalidate(con)  # a build that fails part-way leaves no state behind
    if reason:
        _logger().info("dbt: rebuilding every mart whole (%s)", reason)
    try:
        invoke(settings, [*SCHEDULED_RUN, *(["--full-refresh"] if reason else [])])
    finally:
        with warehouse.connect(settings.warehouse) as con:
            incremental.clear_new_runs(con)
    with warehouse.connect(settings.warehouse) as con:
        incremental.record_built(con)
