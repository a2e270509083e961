"""Schedules: the portfolio's cron schedules as Prefect deployments (``readiness deploy``).

Each ``schedules:`` entry of a portfolio file becomes one deployment of the ``assess_portfolio``
flow, named ``<portfolio id>-<schedule name>``, with the portfolio file and the project ids as
parameters. Two ways to run them:

- ``readiness deploy PORTFOLIO`` registers them for a work pool (default ``readiness``, a process
  pool: ``prefect worker start --pool readiness`` runs them, as in ``infra/docker-compose.yml``);
- ``readiness deploy PORTFOLIO --serve`` registers them and runs them from this process
  (``prefect.serve``), with no work pool or worker.

Both need a running Prefect server (``PREFECT_API_URL``); ``readiness run`` needs none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from core.errors import ConfigError, Problem
from flows.config import LoadedPortfolio

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

    from flows.config import LoadedPortfolio


def deployment_name(portfolio_id: str, schedule_name: str) -> str:
    """The deployment's name: the portfolio id and the schedule name."""
    return f"{portfolio_id}-{schedule_name}"


def schedule_deployments(
    loaded: LoadedPortfolio, work_pool: str | None = None
) -> list[RunnerDeployment]:
    """One deployment of ``assess_portfolio`` per schedule of the portfolio."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.assess import assess_portfolio

    known = {p.project.id for p in loaded.projects}
    problems = [
        Problem(str(loaded.path), f"unknown project {project!r}", column=f"schedules.{i}.projects")
        for i, schedule in enumerate(loaded.portfolio.schedules)
        for project in schedule.projects or []
        if project not in known
    ]
    if problems:
        raise ConfigError(problems)
    # to_deployment is sync here (no event loop runs); the cast drops its async overload.
    return [
        cast(
            "RunnerDeployment",
            assess_portfolio.to_deployment(
                name=deployment_name(loaded.portfolio.id, schedule.name),
                schedules=[Cron(schedule.cron, timezone=schedule.timezone)],
                parameters={"portfolio": str(loaded.path), "projects": schedule.projects},
                description=f"Assess {loaded.portfolio.name} ({schedule.cron}, {schedule.timezone})",
                tags=["readiness", loaded.portfolio.id],
                work_pool_name=work_pool,
                # By module, not by file: loading flows/assess.py as a script would put flows/
                # on sys.path, where flows/dbt.py shadows the dbt package.
                entrypoint_type=EntrypointType.MODULE_PATH,
            ),
        )
        for schedule in loaded.portfolio.schedules
    ]


def notification_deployments(
    loaded: LoadedPortfolio, work_pool: str | None = None
) -> list[RunnerDeployment]:
    """The portfolio's notification flows: the notice of a late or failed run, and the digest."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.notify_flows import announce_flow_run, send_digest

    config = loaded.portfolio
    found = [
        announce_flow_run.to_deployment(
            name=deployment_name(config.id, "announce"),
            parameters={"portfolio": str(loaded.path)},
            description=f"Announce a late or failed assessment of {config.name}",
            tags=["readiness-notify"],
            work_pool_name=work_pool,
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
    ]
    if config.alerts.digest is not None:
        digest = config.alerts.digest
        found.append(
            send_digest.to_deployment(
                name=deployment_name(config.id, "digest"),
                schedules=[Cron(digest.cron, timezone=digest.timezone)],
                parameters={"portfolio": str(loaded.path)},
                description=f"The digest of {config.name} ({digest.cron}, {digest.timezone})",
                tags=["readiness-notify"],
                work_pool_name=work_pool,
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return [cast("RunnerDeployment", d) for d in found]


def api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def ensure_pool(name: str) -> None:
    """Create the process work pool if the server does not have it yet."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
