"""Commands that set things up or look after them.

``init``, ``dashboard``, the generated documents (``rubric-doc``, ``dbt-sources``,
``config-doc``), ``hash-password`` and ``cache clear``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import current_settings, dump, err, fail, out


def dashboard(
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the Streamlit dashboard (it reads the published snapshot only)."""
    from core.settings import REPO_ROOT

    settings = current_settings()
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


def rubric_doc(
    check: Annotated[bool, typer.Option(help="Only check that docs/rubric.md is current.")] = False,
) -> None:
    """Regenerate docs/rubric.md from rubric/rubric.yml (or check that it is current)."""
    from core.settings import DEFAULT_RUBRIC
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


def config_doc(
    check: Annotated[
        bool, typer.Option(help="Only check that the reference and the schemas are current.")
    ] = False,
) -> None:
    """Regenerate docs/configuration.md and docs/schemas/ from the configuration models."""
    from core.settings import REPO_ROOT
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


def hash_password(
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="The password (asked for when not given; prefer the prompt: a command line "
            "is visible to other users of the machine).",
        ),
    ],
) -> None:
    """Print the argon2id hash of a dashboard password, to configure instead of the password."""
    from core.access import hash_password as argon2_hash

    try:
        typer.echo(argon2_hash(password))
    except ValueError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from exc


def cache_clear(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Delete every kept measurement: the next run measures every input again."""
    from flows import warehouse
    from flows.privacy_ops import clear_measurement_cache

    settings = current_settings()
    try:
        with warehouse.run_lock(settings.warehouse):
            removed = clear_measurement_cache(settings)
    except warehouse.RunInProgressError as exc:
        raise fail(1, str(exc)) from exc
    if as_json:
        dump({"removed": removed, "path": str(settings.measurement_cache_path)})
    else:
        out.print(
            f"removed {removed} cached measurement(s) from {settings.measurement_cache_path}",
            highlight=False,
        )
