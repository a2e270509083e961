"""What every command shares.

The consoles, the common options, loading a portfolio, the summary table, and one way to end a
command with a message and an exit code.

Imports here stay light (typer, rich, the standard library): ``readiness --help`` imports this
module, and a command imports what it needs (settings, the configuration models, DuckDB, Prefect,
dbt) when it runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from core.errors import ConfigError, Problem
from core.gaps import GAP_IDS

if TYPE_CHECKING:
    from core.settings import Settings
    from flows.config import LoadedPortfolio

out = Console(soft_wrap=True)
if not out.is_terminal:
    # Piped or logged output: wide enough for one line per project or run (ids are not cut).
    out = Console(width=160, soft_wrap=True)
# Messages are never hard-wrapped: a path or a project id split across lines cannot be searched
# for or copied.
err = Console(stderr=True, soft_wrap=True)


def current_settings() -> Settings:
    """The settings, read when a command first needs them (``--help`` never imports them)."""
    from core.settings import get_settings

    return get_settings()


def check_settings() -> None:
    """Every ``READINESS_`` setting read once, before a command runs.

    A wrong one ends the command with one line per setting (its variable and what was expected;
    never its value, which may be a secret), not a traceback.
    """
    from pydantic import ValidationError

    from core.settings import get_settings

    try:
        get_settings()
    except ValidationError as exc:
        from flows.config import plain_message

        err.print(f"Settings problems ({exc.error_count()}):", highlight=False)
        for error in exc.errors():
            where = str(error["loc"][0]).upper() if error["loc"] else "settings"
            err.print(
                f"  - READINESS_{where}: {plain_message(error)}", markup=False, highlight=False
            )
        raise typer.Exit(2) from None


#: Each gap's column title in the command line's tables.
GAP_SHORT = {
    "data_quality": "Data",
    "integration": "Integr.",
    "stakeholder_alignment": "Stakeh.",
    "evaluation": "Eval.",
    "scale": "Scale",
    "maintenance": "Maint.",
}


def load(portfolio: Path | None, keep_going: bool = False) -> LoadedPortfolio:
    """Load and validate a portfolio, or print every problem and exit 2.

    ``keep_going``: projects whose own file is wrong are kept in ``failed`` (see load_portfolio).
    """
    from core.settings import DEFAULT_RUBRIC
    from flows.config import load_portfolio

    path = portfolio or current_settings().portfolio
    try:
        return load_portfolio(path, DEFAULT_RUBRIC, keep_going=keep_going)
    except ConfigError as exc:
        print_config_problems(exc.problems)
        raise typer.Exit(2) from exc


def print_config_problems(problems: list[Problem]) -> None:
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


def prefect_defaults() -> None:
    """Point Prefect at its API now: a configured one, or this home's local server."""
    prefect_start()()


def prefect_start() -> Callable[[], None]:
    """Start pointing Prefect at its API; the returned call waits until it answers.

    With no API configured, the home's local Prefect server is launched in its own process if it
    does not run yet; a command does its own slow start (importing the flow, dbt, pandas) before
    calling what this returns, so that both starts overlap (see flows/prefect_server.py).
    """
    # Time for the server to start on a cold machine (see README).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    # The temporary server's telemetry writes race its own start-up on a busy machine ("database is
    # locked" tracebacks in the middle of the run) and phone home where there is no network.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows import prefect_server

    def failed(exc: Exception) -> NoReturn:
        err.print(f"Run failed: no Prefect server: {exc}", markup=False, highlight=False)
        err.print("Set PREFECT_API_URL to use a running Prefect server.")
        raise typer.Exit(1) from exc

    try:
        server = prefect_server.begin_local_server()  # one server, started once, reused
    except (prefect_server.ServerStartError, OSError) as exc:
        failed(exc)
    if server.launched:
        err.print(
            "Starting the local Prefect server (once: later runs reuse it; "
            "`readiness server stop` stops it)",
            markup=False,
            highlight=False,
        )

    def ready() -> None:
        try:
            server.wait()
        except (prefect_server.ServerStartError, OSError) as exc:
            failed(exc)

    return ready


def summary_table(results: list[dict[str, object]]) -> Table:
    """One line per project: verdict, confidence and each gap's score."""
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


#: The ``--user`` option (status, show, list, export, report, history, diff).
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="Show only the portfolios this user may see (the access file "
        "READINESS_DASHBOARD_ACCESS; default READINESS_USER; unset: every portfolio).",
    ),
]


def command_scope(user: str | None) -> tuple[str, ...] | None:
    """The scope of a command run for ``user``; an unreadable access file ends the command."""
    from core.access import reader_scope

    try:
        return reader_scope(user)
    except (ConfigError, OSError) as exc:
        typer.echo(f"The access file could not be read: {exc}", err=True)
        raise typer.Exit(2) from exc


#: The ``--portfolio`` option of the commands that read published results.
PortfolioOption = Annotated[
    list[str] | None,
    typer.Option(
        "--portfolio", help="Only this portfolio id (repeatable; within what --user may read)."
    ),
]


def fail(code: int, message: str) -> typer.Exit:
    """Print ``message`` on stderr (never read as markup) and return the exit to raise."""
    err.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def dump(value: Any) -> None:
    """Print ``value`` as indented JSON."""
    typer.echo(json.dumps(value, indent=2, default=str))
