"""The ``readiness`` command: everything a person does by hand."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core import access
from core.errors import ConfigError, Problem
from core.settings import DEFAULT_RUBRIC, REPO_ROOT, get_settings
from flows.audit_command import (
    FormatOption,
    QueryOption,
    SourceArgument,
    TableOption,
    audit,
    format_problem,
)
from flows.config import GAP_IDS, LoadedPortfolio, load_portfolio

app = typer.Typer(
    help="Decide, from production evidence, whether AI projects are ready to leave their POC.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: rich's help formatting imports markdown, syntax highlighting and tracebacks
    # (0.3 s of every `--help`), for boxes around the same text.
    rich_markup_mode=None,
)
out = Console(soft_wrap=True)
if not out.is_terminal:
    # Piped or logged output: keep the summary table on one line per project.
    out = Console(width=140, soft_wrap=True)
# Messages are never hard-wrapped: a path or a project id split across lines cannot be searched
# for or copied.
err = Console(stderr=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"readiness {version('ai-readiness')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Decide, from production evidence, whether AI projects are ready to leave their POC."""


GAP_SHORT = {
    "data_quality": "Data",
    "integration": "Integr.",
    "stakeholder_alignment": "Stakeh.",
    "evaluation": "Eval.",
    "scale": "Scale",
    "maintenance": "Maint.",
}


def _load(portfolio: Path | None, keep_going: bool = False) -> LoadedPortfolio:
    """Load and validate a portfolio, or print every problem and exit 2.

    ``keep_going``: projects whose own file is wrong are kept in ``failed`` (see load_portfolio).
    """
    path = portfolio or get_settings().portfolio
    try:
        return load_portfolio(path, DEFAULT_RUBRIC, keep_going=keep_going)
    except ConfigError as exc:
        _print_config_problems(exc.problems)
        raise typer.Exit(2) from exc


def _print_config_problems(problems: list[Problem]) -> None:
    err.print(f"[bold red]Configuration problems ({len(problems)}):[/]")
    for problem in problems:
        err.print(f"  - {problem}", markup=False, highlight=False)


def _text(value: object) -> str | None:
    """A cell of a rejected-rows frame as text; missing values (None, NaN) as None."""
    return value if isinstance(value, str) and value else None


def rejected_problem(row: Mapping[Any, object]) -> Problem:
    """A raw_rejected_rows record as the one-line problem a person reads."""
    line = row.get("row_number")
    value = _text(row.get("value"))
    return Problem(
        str(row["source"]),
        str(row["reason"]) + (f" (value {value!r})" if value else ""),
        row=int(line) if isinstance(line, int | float) and line == line else None,
        column=_text(row.get("column_name")),
    )


def _prefect_defaults() -> None:
    """Give Prefect's ephemeral server time to start on a cold machine (see README)."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    # The temporary server's telemetry writes race its own start-up on a busy machine ("database is
    # locked" tracebacks in the middle of the run) and phone home where there is no network.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    prefect_server.use_local_server()  # no API configured: one server, started once, reused


def _summary_table(results: list[dict[str, object]]) -> Table:
    table = Table(title="Readiness", show_lines=False)
    table.add_column("Project", no_wrap=True)
    table.add_column("Recommendation", no_wrap=True)
    table.add_column("Confidence", justify="right")
    for gap in GAP_IDS:
        table.add_column(GAP_SHORT[gap], justify="right")
    for row in results:
        verdict = "GO" if row["recommendation"] == "go" else "NOT YET"
        style = "bold green" if verdict == "GO" else "bold red"
        relied = int(str(row.get("waivers_relied_on") or 0))
        verdict += f", with {relied} waiver{'s' if relied > 1 else ''}" if relied else ""
        gaps = row["gaps"]
        assert isinstance(gaps, dict)
        confidence = row["confidence"]
        table.add_row(
            str(row["project"]),
            f"[{style}]{verdict}[/]",
            f"{confidence:.0%}" if isinstance(confidence, float) else "-",
            *[("-" if gaps.get(g) is None else f"{gaps[g]:.0f}") for g in GAP_IDS],
        )
    return table


@app.command()
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
    loaded = _load(portfolio)
    for project_id in project or []:
        try:
            loaded.project(project_id)
        except ConfigError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from exc
    _prefect_defaults()
    from flows.assess import assess_portfolio
    from flows.report import project_results
    from flows.storage import preflight_settings, run_failure

    try:
        preflight_settings()  # a folder that cannot be written: one line now, not half-way
        run_id = assess_portfolio(str(loaded.path), project or None, refresh, archive=archive)
    except Exception as exc:  # the flow logged the details; the person gets one clear line
        err.print(Text.assemble(("Run failed: ", "bold red"), run_failure(exc)), highlight=False)
        err.print("The published snapshot is unchanged; earlier results are kept.")
        raise typer.Exit(1) from exc
    results = project_results(get_settings().snapshot, run_id)
    if as_json:
        typer.echo(json.dumps({"run_id": run_id, "projects": results}, indent=2, default=str))
        return
    out.print(_summary_table(results))
    for row in results:
        if row["recommendation"] != "go":
            # dbt's reason in plain words (gap names, check titles, the blockers' reasons); not
            # read as markup: a respondent's words may hold brackets.
            name = str(row.get("name") or row["project"])
            out.print(Text.assemble((name, "bold"), f": {row['reason']}"), highlight=False)
    for notice in waivers.notice_lines(get_settings().snapshot, run_id):
        out.print(Text.assemble(("Waiver expiring soon: ", "yellow"), notice), highlight=False)
    out.print(f"Run {run_id}; dashboard: readiness dashboard")


@app.command()
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

    from flows.backfill import past_projects, utc
    from flows.evidence import Context
    from flows.measurements import collect_project

    # A project whose own file is wrong is listed, and the others' evidence is still checked.
    loaded = _load(portfolio, keep_going=True)
    config_problems = [p for failed in loaded.failed for p in failed.problems]
    config_problems += [r.problem for r in waivers.load_waivers(loaded)[1]]
    if config_problems and not as_json:
        _print_config_problems(config_problems)
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


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: access.UserOption = None,
    portfolio: Annotated[
        list[str] | None,
        typer.Option("--portfolio", help="Only this portfolio id (repeatable)."),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Only this project id.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 3 when --project is not go.", metavar="not-go"),
    ] = None,
) -> None:
    """Print the latest result per project from the published snapshot(s)."""
    from flows.browse import narrow
    from flows.gates import GATE_FAILED, STATUS_GATES, status_findings, unknown_gate
    from flows.report import NoSnapshotError, project_results

    if (wrong := unknown_gate(fail_on, STATUS_GATES)) is not None or (fail_on and not project):
        err.print(wrong or "--fail-on not-go needs --project ID", markup=False, highlight=False)
        raise typer.Exit(2)
    scope = narrow(access.command_scope(user), portfolio)
    try:
        results = project_results(get_settings().snapshot, portfolios=scope)
    except NoSnapshotError as exc:
        err.print(str(exc))
        raise typer.Exit(1) from exc
    if project is not None:
        results = [r for r in results if r["project"] == project]
        if not results:
            err.print(f"no published result for project {project!r}", markup=False, highlight=False)
            raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(results, indent=2, default=str))
    else:
        out.print(_summary_table(results))
    if fail_on and project and (findings := status_findings(results, project)):
        for finding in findings:
            err.print(f"--fail-on not-go: {finding}", markup=False, highlight=False)
        raise typer.Exit(GATE_FAILED)


@app.command()
def dashboard(
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the Streamlit dashboard (it reads the published snapshot only)."""
    settings = get_settings()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "dashboard" / "streamlit_app.py"),
        "--server.port",
        str(port or settings.dashboard_port),
        "--server.address",
        settings.dashboard_address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.disableDataExport",  # the grid's raw CSV: only the app's neutralised ones
        "true",
    ]
    address, shown = settings.dashboard_address, port or settings.dashboard_port
    if address in ("127.0.0.1", "localhost", "::1"):
        out.print(f"Dashboard on http://localhost:{shown} (this machine only)")
    else:
        login = "login on" if settings.dashboard_login else "[bold red]login OFF[/]"
        out.print(
            f"Dashboard on http://{address}:{shown}, listening on {address} "
            f"(reachable from other machines; {login})"
        )
    sys.stdout.flush()
    # Streamlit takes this process's place, so a signal to it (a container stopping) stops the
    # server itself instead of leaving it running as an orphan.
    os.execv(sys.executable, command)


@app.command("rubric-doc")
def rubric_doc(
    check: Annotated[bool, typer.Option(help="Only check that docs/rubric.md is current.")] = False,
) -> None:
    """Regenerate docs/rubric.md from rubric/rubric.yml (or check that it is current)."""
    from flows import rubric_doc as doc
    from flows.config import Rubric, load_model

    expected = doc.render(load_model(Rubric, DEFAULT_RUBRIC), "rubric/rubric.yml")
    if check:
        current = doc.RUBRIC_DOC.read_text(encoding="utf-8") if doc.RUBRIC_DOC.exists() else ""
        if current != expected:
            err.print("docs/rubric.md is out of date: run `readiness rubric-doc`")
            raise typer.Exit(1)
        return
    doc.RUBRIC_DOC.write_text(expected, encoding="utf-8")
    out.print(f"wrote {doc.RUBRIC_DOC}")


@app.command("dbt-sources")
def dbt_sources(
    check: Annotated[
        bool, typer.Option(help="Only check that the committed file is current.")
    ] = False,
) -> None:
    """Regenerate dbt's _raw__sources.yml from flows/schemas.py (or check that it is current)."""
    from flows import dbt_sources as sources

    if check:
        if not sources.current():
            err.print(f"{sources.SOURCES_FILE} is out of date: run `readiness dbt-sources`")
            raise typer.Exit(1)
        return
    out.print(f"wrote {sources.write()}")


@app.command("init")
def init(
    folder: Annotated[Path, typer.Argument(help="A new (or empty) folder for the portfolio.")],
    project: Annotated[
        str, typer.Option(help="Id of the first project (lower case, digits, _).")
    ] = "my_project",
    from_example: Annotated[
        str | None,
        typer.Option("--from-example", help="Copy this example project and its evidence instead."),
    ] = None,
) -> None:
    """Start a portfolio of your own: commented files that validate as they are."""
    from flows import scaffold

    try:
        written = scaffold.init(folder, project, from_example)
    except scaffold.ScaffoldError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from exc
    for path in written.files:
        out.print(f"wrote {path}", markup=False, highlight=False)
    out.print(
        f"\nNext: fill in {written.project} (its comments say what each key means; "
        "docs/configuration.md lists every key), add your evidence files beside it, then\n"
        f"  readiness validate {written.portfolio}\n  readiness run {written.portfolio}",
        markup=False,
        highlight=False,
    )


@app.command("suggest")
def suggest(
    source: SourceArgument,
    table: TableOption = None,
    query: QueryOption = None,
    file_format: FormatOption = None,
    name: Annotated[
        str | None, typer.Option(help="Dataset name (default: from the file name).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the suggestion here (default: print).")
    ] = None,
) -> None:
    """Suggest a field map for a dataset, each rule with what it was inferred from."""
    from datetime import UTC, datetime

    from core.errors import EvidenceError
    from flows import suggest as suggesting

    if (wrong := format_problem(file_format)) is not None:
        err.print(wrong, markup=False, highlight=False)
        raise typer.Exit(2)
    try:
        suggested = suggesting.suggest_source(
            source,
            table=table,
            query=query,
            file_format=file_format,
            name=name,
            as_of=datetime.now(UTC),
        )
    except ValueError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except EvidenceError as exc:
        err.print(f"cannot read {exc.source}: {exc.reason}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    text = suggesting.render(suggested, f"readiness suggest {source}")
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}", markup=False, highlight=False)


survey_app = typer.Typer(
    help="The stakeholder survey: a kit for the tools people answer in.", rich_markup_mode=None
)
app.add_typer(survey_app, name="survey")


@survey_app.command("export")
def survey_export(
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="qualtrics (.qsf), google-forms (.gs), ms-forms (.docx), markdown, pdf.",
        ),
    ],
    bank: Annotated[
        Path | None,
        typer.Option(help="Question bank file (default: the portfolio's question bank)."),
    ] = None,
    portfolio: Annotated[
        Path | None, typer.Option(help="Portfolio whose question bank to use.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: survey.<suffix> here).")
    ] = None,
    title: Annotated[str, typer.Option(help="The survey's title.")] = "AI readiness survey",
) -> None:
    """Write the question bank as a survey tool imports it; its export reads back exactly."""
    import yaml

    from flows import survey_kit
    from flows.config import QuestionBank, load_model

    if file_format not in survey_kit.FORMATS:
        err.print(f"--format {file_format!r}: expected one of {', '.join(survey_kit.FORMATS)}")
        raise typer.Exit(2)
    if bank is None:
        loaded = _load(portfolio)
        if loaded.question_bank is None:
            err.print(f"{loaded.path}: the portfolio names no question_bank; give --bank FILE")
            raise typer.Exit(2)
        questions = loaded.question_bank
    else:
        try:
            questions = load_model(QuestionBank, bank)
        except ConfigError as exc:
            for problem in exc.problems:
                err.print(f"  - {problem}", markup=False, highlight=False)
            raise typer.Exit(2) from exc
    kit = survey_kit.export(questions, file_format, title)
    target = output or Path(f"survey{kit.suffix}")
    target.write_bytes(kit.content)
    out.print(f"wrote {target}", markup=False, highlight=False)
    entry = survey_kit.survey_entry(file_format, "survey/<the export you download>")
    out.print(
        "Read its export back with this entry under evidence.survey in project.yml:\n"
        + yaml.safe_dump([entry], sort_keys=False, allow_unicode=True),
        markup=False,
        highlight=False,
    )


@app.command("config-doc")
def config_doc(
    check: Annotated[
        bool, typer.Option(help="Only check that the reference and the schemas are current.")
    ] = False,
) -> None:
    """Regenerate docs/configuration.md and docs/schemas/ from the configuration models."""
    from flows import config_doc as doc

    if check:
        stale = doc.stale()
        if stale:
            names = ", ".join(str(p.relative_to(REPO_ROOT)) for p in stale)
            err.print(f"out of date: {names}: run `readiness config-doc`")
            raise typer.Exit(1)
        return
    for path in doc.write():
        out.print(f"wrote {path.relative_to(REPO_ROOT)}")


# Commands whose logic lives in their own module are registered here, one line each:
# app.command("name")(module.function)
from flows.reports.cli import report  # noqa: E402

app.command("report")(report)
from flows import history_cli  # noqa: E402

app.command("history")(history_cli.history)
app.command("diff")(history_cli.diff)
from flows import deploy as deploy_module  # noqa: E402

app.command("deploy")(deploy_module.deploy)
app.command("audit")(audit)
from flows import privacy_ops  # noqa: E402

app.command("forget")(privacy_ops.forget_command)
app.command("hash-password")(privacy_ops.hash_password_command)
from flows import browse_cli  # noqa: E402

app.command("show")(browse_cli.show)
app.command("list")(browse_cli.list_command)
app.command("export")(browse_cli.export)
app.add_typer(browse_cli.cache_app, name="cache")
from flows import notify_cli  # noqa: E402

app.command("digest")(notify_cli.digest)
from flows import repair  # noqa: E402

app.command("repair")(repair.repair_command)
from flows import reproduce as reproduce_module  # noqa: E402

app.command("reproduce")(reproduce_module.reproduce_command)
from flows import waivers  # noqa: E402

app.command("waive")(waivers.waive_command)
from flows import prefect_server  # noqa: E402

app.add_typer(prefect_server.app, name="server")


if __name__ == "__main__":
    app()
