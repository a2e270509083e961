"""The ``readiness`` command: everything a person does by hand, in one place.

Every command is declared here, in one table, and defined in one of this package's modules by what
it does: :mod:`~flows.cli.assess` (run, validate, reproduce, repair, deploy, the local Prefect
server), :mod:`~flows.cli.results` (status, show, list, export, history, diff, report, digest),
:mod:`~flows.cli.evidence` (audit, suggest, survey export, waive, forget) and
:mod:`~flows.cli.admin` (init, dashboard, the generated documents, hash-password, cache clear).
These modules import only typer, rich and the standard library when the command line starts; each
command imports what it needs (settings, configuration models, DuckDB, Prefect, dbt, the report
renderers) when it runs, so that ``readiness --help`` and the commands that read published results
answer at once (benchmarks/cli/run.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from flows.cli import admin, assess, common, evidence, results

app = typer.Typer(
    help="Decide, from production evidence, whether AI projects are ready to leave their POC.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: rich's help formatting imports markdown, syntax highlighting and tracebacks
    # (0.3 s of every `--help`), for boxes around the same text.
    rich_markup_mode=None,
)


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
    common.check_settings()


def _group(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


survey_app = _group("The stakeholder survey: a kit for the tools people answer in.")
server_app = _group(
    "The local Prefect server that runs share (started by the first `readiness run`)."
)
cache_app = _group("The measurement cache (measurements reused between runs).")

# Every command, in the order `readiness --help` lists them.
COMMANDS: list[tuple[str, Callable[..., Any]]] = [
    ("run", assess.run),
    ("validate", assess.validate),
    ("status", results.status),
    ("show", results.show),
    ("list", results.list_projects),
    ("history", results.history),
    ("diff", results.diff),
    ("report", results.report),
    ("export", results.export),
    ("audit", evidence.audit),
    ("suggest", evidence.suggest),
    ("waive", evidence.waive),
    ("dashboard", admin.dashboard),
    ("init", admin.init),
    ("deploy", assess.deploy),
    ("digest", results.digest),
    ("reproduce", assess.reproduce),
    ("repair", assess.repair),
    ("forget", evidence.forget),
    ("hash-password", admin.hash_password),
    ("rubric-doc", admin.rubric_doc),
    ("dbt-sources", admin.dbt_sources),
    ("config-doc", admin.config_doc),
]
for name, command in COMMANDS:
    app.command(name)(command)
survey_app.command("export")(evidence.survey_export)
server_app.command("start")(assess.server_start)
server_app.command("stop")(assess.server_stop)
server_app.command("status")(assess.server_status)
cache_app.command("clear")(admin.cache_clear)
app.add_typer(survey_app, name="survey")
app.add_typer(server_app, name="server")
app.add_typer(cache_app, name="cache")

if __name__ == "__main__":
    app()
