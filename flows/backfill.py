"""A portfolio's history: the earlier assessments its first run makes before the present one.

A portfolio file may declare ``history:``, earlier as-of instants (oldest first), each with the
evidence files that were different then: per project, ``{path as the project file names it: the
file of that time}``, both relative to the project file. Every other input is the project's own.

A run of the whole portfolio looks in the working warehouse for a finished run at each of those
instants and assesses the missing ones first, oldest first, each as a run of its own (recorded,
measured and written like any run, with its own as-of instant), then the present; one dbt build
scores them all. So a fresh install shows trends, ``readiness history`` and ``readiness diff``
from real assessments of real evidence at once, and later runs assess only the present.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb
from pydantic import BaseModel

from flows.history_rules import utc
from flows.paths import PATH_FIELDS

if TYPE_CHECKING:
    from flows.config import LoadedPortfolio, LoadedProject, PastAssessment

M = TypeVar("M")


def _replaced(value: M, files: dict[str, str]) -> M:
    """``value`` with every evidence path that ``files`` replaces replaced (a copy if any is)."""
    if isinstance(value, BaseModel):
        update: dict[str, object] = {}
        for name in type(value).model_fields:
            child = getattr(value, name)
            if name in PATH_FIELDS and isinstance(child, str):
                if child in files:
                    update[name] = files[child]
            else:
                new = _replaced(child, files)
                if new is not child:
                    update[name] = new
        return value.model_copy(update=update) if update else value
    if isinstance(value, list):
        items = [_replaced(item, files) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value  # type: ignore[return-value]
    return value


def as_then(loaded: LoadedPortfolio, past: PastAssessment) -> LoadedPortfolio:
    """The portfolio as it was at ``past``: its projects with that time's evidence files."""
    projects = [
        project.model_copy(
            update={"project": _replaced(project.project, past.evidence[project.project.id])}
        )
        if project.project.id in past.evidence
        else project
        for project in loaded.projects
    ]
    return loaded.model_copy(update={"projects": projects})


def past_projects(loaded: LoadedPortfolio) -> list[tuple[PastAssessment, LoadedProject]]:
    """Each earlier week's version of every project whose files it changes (to validate them)."""
    found = []
    for past in loaded.portfolio.history:
        then = as_then(loaded, past)
        found += [(past, p) for p in then.projects if p.project.id in past.evidence]
    return found


def pending(warehouse: Path, loaded: LoadedPortfolio) -> list[PastAssessment]:
    """The portfolio's history instants that no finished run in ``warehouse`` was made at."""
    history = loaded.portfolio.history
    if not history or not warehouse.exists():
        return list(history)
    from flows.warehouse import connect

    # Opened as the run opens it (a read-only connection beside another one is refused).
    with connect(warehouse) as con:
        try:
            rows = con.execute(
                "select as_of from raw_runs where portfolio_id = ? "
                "and status in ('succeeded', 'partial')",
                [loaded.portfolio.id],
            ).fetchall()
        except duckdb.CatalogException:  # a warehouse that never recorded a run
            rows = []
        # After `readiness repair` the earlier runs are kept as published (flows.repair).
        with suppress(duckdb.CatalogException):  # never repaired: no such table
            rows += con.execute(
                "select as_of from history_runs where portfolio_id = ? "
                "and status in ('succeeded', 'partial')",
                [loaded.portfolio.id],
            ).fetchall()
    done = {utc(row[0]) for row in rows if row[0] is not None}
    return [past for past in history if utc(past.as_of) not in done]
