"""``readiness show``, ``list``, ``export`` and ``cache clear`` (registered in :mod:`flows.cli`).

The readers select from the published snapshot through :mod:`flows.browse`, within what the user
(``--user`` / READINESS_USER) may read; ``cache clear`` empties the measurement cache under the
run lock, so that it never pulls a cache entry from under a running assessment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from core.access import UserOption, command_scope
from core.settings import get_settings
from flows.config import GAP_IDS

out = Console(soft_wrap=True)
if not out.is_terminal:
    out = Console(width=160, soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

PortfolioOption = Annotated[
    list[str] | None,
    typer.Option(
        "--portfolio", help="Only this portfolio id (repeatable; within what --user may read)."
    ),
]
RESULT_STYLE = {"pass": "green", "partial": "yellow", "fail": "bold red", "no_evidence": "dim"}


def _fail(code: int, message: str) -> typer.Exit:
    err.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def _verdict(value: str) -> Text:
    return Text("GO", "bold green") if value == "go" else Text("NOT YET", "bold red")


def _dump(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def show(
    project: Annotated[str, typer.Argument(help="Project id.")],
    portfolio: PortfolioOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
) -> None:
    """One project's latest result: verdict, blockers, every check and the roadmap."""
    from flows.browse import UnknownProjectError, narrow, project_detail
    from readmodel.snapshots import NoSnapshotError

    scope = narrow(command_scope(user), portfolio)
    try:
        detail = project_detail(get_settings().snapshot, project, scope)
    except (NoSnapshotError, UnknownProjectError) as exc:
        raise _fail(1, str(exc)) from exc
    if as_json:
        _dump(detail)
        return
    confidence = detail["confidence"]
    out.print(
        Text.assemble(
            (str(detail["name"] or project), "bold"),
            f" ({project}, portfolio {detail['portfolio']}): ",
            _verdict(detail["recommendation"]),
            f", confidence {confidence:.0%}" if confidence is not None else "",
        ),
        highlight=False,
    )
    out.print(f"Run {detail['run_id']}, assessed {detail['assessed_at']}", highlight=False)
    if detail["recommendation"] != "go" and detail["reason"]:
        out.print(Text(str(detail["reason"])), highlight=False)
    gaps = Table(title="Gaps")
    for column in ("Gap", "Score", "Status"):
        gaps.add_column(column)
    for gap in GAP_IDS:
        score = detail["gaps"].get(gap)
        gaps.add_row(
            gap, "-" if score is None else f"{score:.0f}", detail["gap_status"].get(gap) or "-"
        )
    out.print(gaps)
    if detail["blockers"]:
        out.print("[bold]Blockers[/]")
        for blocker in detail["blockers"]:
            why = f": {blocker['reasons']}" if blocker["reasons"] else ""
            out.print(
                Text(f"  {blocker['severity']} {blocker['title']} ({blocker['gap']}){why}"),
                highlight=False,
            )
    checks = Table(title="Checks")
    for column in ("Gap", "Check", "Severity", "Result"):
        checks.add_column(column)
    for check in detail["checks"]:
        result = str(check["result"])
        checks.add_row(
            check["gap"],
            Text(f"{check['title']} ({check['check_id']})"),
            check["severity"],
            Text(result, RESULT_STYLE.get(result, "")),
        )
    out.print(checks)
    roadmap = Table(title="Roadmap")
    for column in ("#", "Action", "Owner", "Days", "Start-end"):
        roadmap.add_column(column)
    for item in detail["roadmap"]:
        roadmap.add_row(
            str(item["priority"]),
            Text(str(item["action"])),
            str(item["owner_role"] or "-"),
            f"{item['effort_days']:g}",
            f"{item['start_day']:g}-{item['end_day']:g}",
        )
    out.print(roadmap if detail["roadmap"] else "Roadmap: nothing to do.")


def list_command(
    portfolio: PortfolioOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
) -> None:
    """The published portfolios and their projects, with each project's latest verdict."""
    from flows.browse import narrow, portfolios_and_projects
    from readmodel.snapshots import NoSnapshotError

    scope = narrow(command_scope(user), portfolio)
    try:
        listed = portfolios_and_projects(get_settings().snapshot, scope)
    except NoSnapshotError as exc:
        raise _fail(1, str(exc)) from exc
    if as_json:
        _dump(listed)
        return
    for entry in listed:
        out.print(
            f"[bold]{entry['portfolio_id']}[/]: {entry['runs']} run(s), last {entry['last_run_at']}",
            highlight=False,
        )
        for project in entry["projects"]:
            out.print(
                Text.assemble(
                    f"  {project['project_id']} ",
                    _verdict(project["recommendation"]),
                    f"  {project['project_name']}",
                ),
                highlight=False,
            )


EXPORT_FORMATS = ("csv", "parquet")


def export(
    mart: Annotated[str, typer.Argument(help="A published mart (check_results, roadmap...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or parquet (default: by --output's suffix).")
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="Only this project's rows.")
    ] = None,
    run: Annotated[str | None, typer.Option("--run", help="Only this run's rows.")] = None,
    portfolio: PortfolioOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON.")
    ] = False,
    user: UserOption = None,
) -> None:
    """Write a published mart to CSV (formula injection neutralised, as the dashboard's) or Parquet."""
    from flows.browse import UnknownProjectError, mart_frame, narrow
    from readmodel.snapshots import PUBLISHED_MARTS, NoSnapshotError

    chosen = file_format or output.suffix.lstrip(".").lower()
    if chosen not in EXPORT_FORMATS:
        raise _fail(2, f"--format {chosen!r}: expected csv or parquet")
    if mart not in PUBLISHED_MARTS:
        raise _fail(
            2, f"{mart!r} is not a published mart: expected one of {', '.join(PUBLISHED_MARTS)}"
        )
    scope = narrow(command_scope(user), portfolio)
    try:
        frame = mart_frame(get_settings().snapshot, mart, scope, run, project)
    except (NoSnapshotError, UnknownProjectError) as exc:
        raise _fail(1, str(exc)) from exc
    except ValueError as exc:
        raise _fail(2, str(exc)) from exc
    from flows.storage import storage_reason

    # Written beside the output, then renamed: a full disk leaves neither half a file nor a
    # damaged earlier export.
    partial = output.with_name(f".{output.name}.partial")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if chosen == "csv":
            # The dashboard's downloads' guard: a cell never runs as a spreadsheet formula.
            from core.csv_safe import to_csv_bytes

            partial.write_bytes(to_csv_bytes(frame))
        else:
            # Parquet is typed data for tools (no spreadsheet runs a cell of it): values exact.
            frame.to_parquet(partial, index=False)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        reason = storage_reason(exc) or (exc.strerror or "it cannot be written").lower()
        raise _fail(1, f"writing {output} failed: {reason}; nothing was written") from None
    written = {"mart": mart, "format": chosen, "path": str(output), "rows": len(frame)}
    if as_json:
        _dump(written)
    else:
        err.print(f"wrote {len(frame)} row(s) of {mart} to {output}", markup=False, highlight=False)


cache_app = typer.Typer(
    help="The measurement cache (measurements reused between runs).", rich_markup_mode=None
)


@cache_app.command("clear")
def cache_clear(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Delete every kept measurement: the next run measures every input again."""
    from flows import warehouse
    from flows.privacy_ops import _clear_measurement_cache as clear_measurement_cache

    settings = get_settings()
    try:
        with warehouse.run_lock(settings.warehouse):
            removed = clear_measurement_cache(settings)
    except warehouse.RunInProgressError as exc:
        raise _fail(1, str(exc)) from exc
    if as_json:
        _dump({"removed": removed, "path": str(settings.measurement_cache_path)})
    else:
        out.print(
            f"removed {removed} cached measurement(s) from {settings.measurement_cache_path}",
            highlight=False,
        )
