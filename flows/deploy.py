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

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console

from core.errors import ConfigError, Problem
from core.settings import DEFAULT_RUBRIC, get_settings
from flows.config import LoadedPortfolio, load_portfolio

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.deployments.runner import RunnerDeployment

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEFAULT_POOL = "readiness"


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


def _api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _ensure_pool(name: str) -> None:
    """Create the process work pool if the server does not have it yet."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))


def deploy(
    portfolio: Annotated[
        Path | None, typer.Argument(help="Portfolio file (default: the one in settings).")
    ] = None,
    serve: Annotated[
        bool, typer.Option(help="Run the schedules from this process instead of a worker.")
    ] = False,
    pool: Annotated[
        str, typer.Option(help="Work pool the deployments are registered for.")
    ] = DEFAULT_POOL,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the registered deployments as JSON.")
    ] = False,
) -> None:
    """Register the portfolio's schedules as Prefect deployments (and serve them with --serve)."""
    path = portfolio or get_settings().portfolio
    try:
        loaded = load_portfolio(path, DEFAULT_RUBRIC)
        if not loaded.portfolio.schedules:
            raise ConfigError.one(
                path, "declares no schedules (add `schedules: [{name: weekly, cron: ...}]`)"
            )
        if _api_url() is None:
            err.print(
                "readiness deploy needs a running Prefect server: set PREFECT_API_URL "
                "(for example http://127.0.0.1:4200/api after `prefect server start`)"
            )
            raise typer.Exit(2)
        deployments = schedule_deployments(loaded, None if serve else pool)
        notifying = notification_deployments(loaded, None if serve else pool)
    except ConfigError as exc:
        err.print(f"[bold red]Configuration problems ({len(exc.problems)}):[/]")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    registered = [
        {
            "deployment": f"assess_portfolio/{deployment.name}",
            "cron": schedule.cron,
            "timezone": schedule.timezone,
            "projects": schedule.projects,
            "work_pool": None if serve else pool,
        }
        for deployment, schedule in zip(deployments, loaded.portfolio.schedules, strict=True)
    ]
    for entry in [] if as_json else registered:
        out.print(
            f"{entry['deployment']}: {entry['cron']} ({entry['timezone']}), "
            f"projects {', '.join(entry['projects'] or ['all'])}",
            highlight=False,
        )
    from flows.automations import apply_automation

    registered += [
        {
            "deployment": f"{d.flow_name}/{d.name}",
            "cron": d.schedules[0].schedule.cron if d.schedules else None,  # type: ignore[union-attr]
            "timezone": d.schedules[0].schedule.timezone if d.schedules else None,  # type: ignore[union-attr]
            "projects": None,
            "work_pool": None if serve else pool,
        }
        for d in notifying
    ]
    if serve:
        from prefect import serve as prefect_serve

        # The automation needs the announce deployment's id: registered once here, then served.
        automation = apply_automation(loaded.portfolio.id, cast("UUID", notifying[0].apply()))
        if as_json:
            import json

            document = {"deployments": registered, "automations": [automation.name]}
            typer.echo(json.dumps(document, indent=2))
        else:
            out.print(f"automation {automation.name}", highlight=False)
        prefect_serve(*deployments, *notifying, print_starting_message=not as_json)
        return
    _ensure_pool(pool)
    for deployment in deployments:
        deployment.apply()
    ids = [cast("UUID", deployment.apply()) for deployment in notifying]
    automation = apply_automation(loaded.portfolio.id, ids[0])
    if as_json:
        import json

        document = {"deployments": registered, "automations": [automation.name]}
        typer.echo(json.dumps(document, indent=2))
        return
    for entry in registered[len(deployments) :]:
        out.print(f"{entry['deployment']}: notifications", highlight=False)
    out.print(f"automation {automation.name}: announces late, failed or crashed runs")
    out.print(
        f"Registered for work pool {pool!r}; run them with: prefect worker start --pool {pool}"
    )
