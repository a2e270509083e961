"""Commands that assess.

``run``, ``validate``, ``reproduce``, ``repair``, ``deploy`` and the local Prefect server
(``server start|stop|status``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
from rich.text import Text

from core.errors import ConfigError, Problem, ReadinessError
from flows.cli.common import (
    err,
    load,
    out,
    prefect_defaults,
    prefect_start,
    print_config_problems,
    rejected_problem,
    summary_table,
)

if TYPE_CHECKING:
    from uuid import UUID

#: The work pool ``readiness deploy`` registers for (``prefect worker start --pool readiness``).
DEFAULT_POOL = "readiness"


def run(
    portfolio: Annotated[
        Path | None, typer.Argument(help="Portfolio file (default: the one in settings).")
    ] = None,
    project: Annotated[
        list[str] | None, typer.Option("--project", "-p", help="Assess only this project id.")
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Measure every input again, even those unchanged since an earlier run "
            "(whose measurements are otherwise reused).",
        ),
    ] = False,
    archive: Annotated[
        bool,
        typer.Option(
            "--archive",
            help="Keep a content-addressed copy of the inputs for `readiness reproduce` "
            "(where the archive setting says; else READINESS_HOME/archive).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's results as JSON.")
    ] = False,
) -> None:
    """Assess a portfolio (or one project), publish the result and print a summary."""
    loaded = load(portfolio)
    for project_id in project or []:
        try:
            loaded.project(project_id)
        except ConfigError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from exc
    from flows.storage import preflight_settings, run_failure

    def failed(exc: Exception) -> NoReturn:
        err.print(Text.assemble(("Run failed: ", "bold red"), run_failure(exc)), highlight=False)
        err.print("The published snapshot is unchanged; earlier results are kept.")
        raise typer.Exit(1) from exc

    try:
        # A folder that cannot be written: one line now, before a Prefect server is started in it.
        preflight_settings()
    except Exception as exc:
        failed(exc)
    prefect_ready = prefect_start()  # a first run's server starts while the flow is imported
    from flows import waivers
    from flows.assess import assess_portfolio
    from flows.report import project_results

    prefect_ready()
    try:
        run_id = assess_portfolio(str(loaded.path), project or None, refresh, archive=archive)
    except Exception as exc:  # the flow logged the details; the person gets one clear line
        failed(exc)
    from core.settings import get_settings

    results = project_results(get_settings().snapshot, run_id)
    if as_json:
        typer.echo(json.dumps({"run_id": run_id, "projects": results}, indent=2, default=str))
        return
    out.print(summary_table(results))
    for row in results:
        if row["recommendation"] != "go":
            # dbt's reason in plain words (gap names, check titles, the blockers' reasons); not
            # read as markup: a respondent's words may hold brackets.
            name = str(row.get("name") or row["project"])
            out.print(Text.assemble((name, "bold"), f": {row['reason']}"), highlight=False)
    for notice in waivers.notice_lines(get_settings().snapshot, run_id):
        out.print(Text.assemble(("Waiver expiring soon: ", "yellow"), notice), highlight=False)
    out.print(f"Run {run_id}; dashboard: readiness dashboard")


def validate(
    portfolio: Annotated[Path | None, typer.Argument(help="Portfolio file.")] = None,
    strict: Annotated[
        bool, typer.Option(help="Also fail when rows were rejected from evidence files.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
) -> None:
    """Check configuration and evidence without scoring; exit non-zero listing every problem."""
    from dataclasses import asdict
    from datetime import UTC, datetime

    from core.settings import get_settings
    from flows import waivers
    from flows.backfill import past_projects, utc
    from flows.evidence import Context
    from flows.measurements import collect_project

    # A project whose own file is wrong is listed, and the others' evidence is still checked.
    loaded = load(portfolio, keep_going=True)
    config_problems = [p for failed in loaded.failed for p in failed.problems]
    config_problems += [r.problem for r in waivers.load_waivers(loaded)[1]]
    if config_problems and not as_json:
        print_config_problems(config_problems)
    report: list[dict[str, Any]] = []
    settings = get_settings()
    as_of = loaded.portfolio.as_of or datetime.now(UTC)
    errors = warnings = 0
    survey_key = settings.respondent_key(loaded.path)
    # Then each earlier week's files that the portfolio's history names (flows.backfill).
    checked = [(p.project.id, as_of, p, None) for p in loaded.projects] + [
        (f"{p.project.id} (as of {past.as_of:%Y-%m-%d %H:%M})", utc(past.as_of), p, utc(past.as_of))
        for past, p in past_projects(loaded)
    ]
    for label, when, project, week in checked:
        context = Context("validate", project.project.id, when, survey_key)
        evidence = collect_project(context, loaded, project)
        frames = evidence.frames(context)
        inputs = frames.get("raw_evidence_inputs")
        rejected = frames.get("raw_rejected_rows")
        unreadable = [
            Problem(row["source"], str(row["error"]))
            for row in ([] if inputs is None else inputs.to_dict("records"))
            if row["status"] != "ok"
        ]
        rows = [
            rejected_problem(r) for r in ([] if rejected is None else rejected.to_dict("records"))
        ]
        errors, warnings = errors + len(unreadable), warnings + len(rows)
        report.append(
            {
                "project": project.project.id,
                "as_of": None if week is None else week.isoformat(),
                "unreadable": [asdict(problem) for problem in unreadable],
                "rejected": [asdict(problem) for problem in rows],
            }
        )
        if as_json:
            continue
        out.print(f"[bold]{label}[/]", highlight=False)
        for problem in unreadable:
            out.print(Text.assemble(("  unreadable ", "red"), str(problem)), highlight=False)
        for problem in rows:
            out.print(Text.assemble(("  rejected ", "yellow"), str(problem)))
    summary = f"{len(loaded.projects)} project(s): {errors} unreadable input(s), {warnings} rejected row(s)"
    if as_json:
        document = {
            "configuration": [asdict(p) for p in config_problems],
            "projects": report,
            "unreadable": errors,
            "rejected": warnings,
        }
        typer.echo(json.dumps(document, indent=2, default=str))
    else:
        out.print(summary)
    if config_problems:
        raise typer.Exit(2)
    if errors or (strict and warnings):
        raise typer.Exit(1)


def reproduce(
    run_id: Annotated[str, typer.Argument(help="The run to reproduce.")],
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the reproduction's home and restored inputs in this new folder."),
    ] = None,
) -> None:
    """Assess a run's recorded inputs again; exit 0 only when every mart row is identical."""
    from flows.reproduce import print_reproduction
    from flows.reproduce import reproduce as reproduce_run

    prefect_defaults()
    try:
        result = reproduce_run(run_id, keep=keep)
    except ReadinessError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from exc
    print_reproduction(result)
    if result.changed_inputs:
        raise typer.Exit(2)
    if not result.identical:
        raise typer.Exit(1)


def repair(
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even when the working warehouse reads whole.")
    ] = False,
) -> None:
    """Rebuild a damaged working warehouse from the published snapshots (history kept)."""
    import duckdb

    from core.settings import get_settings
    from flows import storage, warehouse
    from flows.repair import DamagedWarehouseError, check_working, rebuild

    settings = get_settings()
    try:
        with warehouse.run_lock(settings.warehouse):
            if not force:
                try:
                    check_working(settings.warehouse)
                except DamagedWarehouseError:
                    pass
                else:
                    typer.echo(
                        f"the working warehouse {settings.warehouse} reads whole: nothing to "
                        "repair (--force rebuilds it anyway)",
                        err=True,
                    )
                    raise typer.Exit(1)
            done = rebuild(settings.warehouse, settings.snapshot)
    except (ReadinessError, OSError, duckdb.Error) as exc:  # a snapshot it cannot read, too
        typer.echo(f"repair failed: {storage.run_failure(exc)}", err=True)
        raise typer.Exit(1) from None
    kept = f"; the damaged file is kept as {done.kept}" if done.kept else ""
    typer.echo(
        f"rebuilt {settings.warehouse} from the snapshots of {', '.join(done.portfolios)}: "
        f"{done.runs} earlier run(s) kept as history{kept}. The next `readiness run` measures "
        "the evidence again."
    )


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
    from core.settings import DEFAULT_RUBRIC, get_settings
    from flows.automations import apply_automation
    from flows.config import load_portfolio
    from flows.deploy import (
        api_url,
        ensure_pool,
        notification_deployments,
        schedule_deployments,
    )

    path = portfolio or get_settings().portfolio
    try:
        loaded = load_portfolio(path, DEFAULT_RUBRIC)
        if not loaded.portfolio.schedules:
            raise ConfigError.one(
                path, "declares no schedules (add `schedules: [{name: weekly, cron: ...}]`)"
            )
        if api_url() is None:
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
            document = {"deployments": registered, "automations": [automation.name]}
            typer.echo(json.dumps(document, indent=2))
        else:
            out.print(f"automation {automation.name}", highlight=False)
        prefect_serve(*deployments, *notifying, print_starting_message=not as_json)
        return
    ensure_pool(pool)
    for deployment in deployments:
        deployment.apply()
    ids = [cast("UUID", deployment.apply()) for deployment in notifying]
    automation = apply_automation(loaded.portfolio.id, ids[0])
    if as_json:
        document = {"deployments": registered, "automations": [automation.name]}
        typer.echo(json.dumps(document, indent=2))
        return
    for entry in registered[len(deployments) :]:
        out.print(f"{entry['deployment']}: notifications", highlight=False)
    out.print(f"automation {automation.name}: announces late, failed or crashed runs")
    out.print(
        f"Registered for work pool {pool!r}; run them with: prefect worker start --pool {pool}"
    )


def server_start() -> None:
    """Start the local Prefect server now (a run starts it when needed); print its API URL."""
    from flows.prefect_server import ensure_server

    typer.echo(ensure_server().api_url)


def server_stop() -> None:
    """Stop the local Prefect server that runs share (the next run starts it again)."""
    from flows.prefect_server import stop_server

    state = stop_server()
    typer.echo(
        "no local Prefect server was recorded"
        if state is None
        else f"stopped the local Prefect server (process {state.pid}, port {state.port})"
    )


def server_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Whether the local Prefect server runs, and its API URL; exit 1 when it does not."""
    from flows.prefect_server import healthy, read_state

    state = read_state()
    alive = state is not None and healthy(state)
    if as_json:
        record = {"running": alive, "api_url": state.api_url if state else None}
        typer.echo(json.dumps(record | ({"pid": state.pid} if state else {})))
    elif alive and state is not None:
        typer.echo(
            f"running: {state.api_url} (process {state.pid}, Prefect {state.prefect_version})"
        )
    else:
        typer.echo("not running (the next `readiness run` starts it)")
    if not alive:
        raise typer.Exit(1)
