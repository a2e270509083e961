"""``readiness report``: a one-page executive summary of a project or of the portfolio.

Written as Markdown, HTML or PDF from the published snapshot only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.access import UserOption, command_scope
from core.settings import get_settings

err = Console(stderr=True, soft_wrap=True)


def report(
    project: Annotated[
        str | None, typer.Option("--project", help="Project id: its one-page summary.")
    ] = None,
    portfolio: Annotated[
        bool, typer.Option("--portfolio", help="The whole portfolio on one page.")
    ] = False,
    portfolio_id: Annotated[
        str | None,
        typer.Argument(
            help="With --portfolio: this portfolio id only (default: every portfolio you may read)."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output, not pdf)."),
    ] = None,
    user: UserOption = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="With --output: print what was written as JSON (stdout)."),
    ] = False,
) -> None:
    """Write a one-page executive summary (recommendation, gap scores, blockers, cost, roadmap)."""
    # The renderers (fpdf2, fonts, pandas) are imported when a report is written, not whenever
    # the command line starts.
    from flows.report import NoSnapshotError
    from readmodel.render import FORMATS, render_portfolio, render_project
    from readmodel.summary import UnknownProjectError, portfolio_summary, project_summary

    if fmt not in FORMATS:
        err.print(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", markup=False)
        raise typer.Exit(2)
    if (project is None) == (not portfolio):
        err.print("Name exactly one of --project ID or --portfolio.", markup=False)
        raise typer.Exit(2)
    if fmt == "pdf" and output is None:
        err.print("A PDF needs a file: add --output report.pdf", markup=False)
        raise typer.Exit(2)
    if portfolio_id is not None and not portfolio:
        err.print(
            f"Unexpected {portfolio_id!r}: a portfolio id goes after --portfolio", markup=False
        )
        raise typer.Exit(2)
    if as_json and output is None:
        err.print("--json describes the file written: add --output FILE", markup=False)
        raise typer.Exit(2)
    from flows.browse import narrow

    snapshot = get_settings().snapshot
    scope = narrow(command_scope(user), [portfolio_id] if portfolio_id else None)
    try:
        if project is not None:
            summary = project_summary(snapshot, project, portfolios=scope)
            data, run_ids = render_project(summary, fmt), [summary.run_id]
        else:
            summary_of_all = portfolio_summary(snapshot, portfolios=scope)
            data, run_ids = render_portfolio(summary_of_all, fmt), summary_of_all.run_ids
    except (NoSnapshotError, UnknownProjectError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from exc
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    if as_json:
        import hashlib
        import json

        typer.echo(
            json.dumps(
                {
                    "path": str(output),
                    "format": fmt,
                    "project": project,
                    "portfolios": None if scope is None else list(scope),
                    "run_ids": run_ids,
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                },
                indent=2,
            )
        )
        return
    err.print(f"Wrote {output}", markup=False, highlight=False)
