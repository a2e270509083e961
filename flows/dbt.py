"""Running dbt in-process with prefect-dbt: each dbt node becomes a Prefect task of the flow run."""

from __future__ import annotations

import threading

from dbt_common.events.base_types import EventLevel
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from flows.settings import DBT_PROJECT_DIR, Settings, dbt_environment

# dbt's in-process runner is not safe for concurrent invocations in one process.
_DBT_LOCK = threading.Lock()


def dbt_settings(settings: Settings) -> PrefectDbtSettings:
    """The prefect-dbt settings for this project: committed profiles, target kept out of the tree."""
    return PrefectDbtSettings(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=settings.dbt_target_path,
        # Set explicitly: derived from Prefect's level, "WARNING" is no dbt EventLevel.
        log_level=EventLevel.INFO,
    )


def build(settings: Settings, select: list[str] | None = None) -> None:
    """Run ``dbt build`` (models, unit tests and data tests) once; raise if anything fails."""
    args = ["build"]
    if select:
        args += ["--select", *select]
    with _DBT_LOCK, dbt_environment(settings):
        runner = PrefectDbtRunner(settings=dbt_settings(settings), raise_on_failure=True)
        runner.invoke(args)
