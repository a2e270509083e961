"""``readiness digest``: send a portfolio's digest now (registered in :mod:`flows.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.settings import DEFAULT_RUBRIC, get_settings

err = Console(stderr=True, soft_wrap=True)


def digest(
    portfolio: Annotated[
        Path | None, typer.Argument(help="Portfolio file (default: the one in settings).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was sent as JSON.")] = False,
) -> None:
    """Send the portfolio's digest to its alert URLs: the PDF report attached (email) or linked."""
    from core.errors import ConfigError
    from flows import notify
    from flows.config import load_portfolio
    from readmodel.snapshots import NoSnapshotError

    try:
        loaded = load_portfolio(portfolio or get_settings().portfolio, DEFAULT_RUBRIC)
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    if not loaded.portfolio.alerts.urls:
        err.print(f"{loaded.path}: the portfolio has no alerts.urls to send the digest to")
        raise typer.Exit(2)
    try:
        sent = notify.send_digest(loaded)
    except NoSnapshotError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps({"messages": sent.messages, "failed": sent.failed}, indent=2))
    else:
        err.print(f"digest sent in {sent.messages} message(s)", highlight=False)
    for target in sent.failed:
        err.print(f"the digest could not be delivered to {target}", highlight=False)
    if sent.failed:
        raise typer.Exit(1)
