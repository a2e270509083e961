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

from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb
from pydantic import BaseModel

from core.errors import Problem
from flows.paths import PATH_FIELDS, local_paths, outside_problems

if TYPE_CHECKING:
    from flows.config import LoadedPortfolio, LoadedProject, PastAssessment, Portfolio

M = TypeVar("M")


def utc(instant: datetime) -> datetime:
    """An instant in UTC (a time written without a zone is read as UTC, as a run reads as_of)."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def order_problem(as_of: datetime | None, instants: Sequence[datetime]) -> str | None:
    """Why a portfolio's history instants are out of order, or None."""
    dated = [utc(i) for i in instants]
    if any(later <= earlier for earlier, later in pairwise(dated)):
        return "history must list its as_of instants oldest first, each once"
    if as_of is not None and dated and dated[-1] >= utc(as_of):
        return "every history as_of must lie before the portfolio's own as_of"
    return None


def config_problems(
    path: Path,
    portfolio: Portfolio,
    projects: Sequence[LoadedProject],
    roots: Sequence[Path],
    some_failed: bool = False,
) -> list[Problem]:
    """Problems of a portfolio's ``history`` against its loaded projects.

    A project it names must be in the portfolio, every replaced path must be one the project
    names, and every replacement must stay inside the portfolio's folders (see flows.paths).
    With ``some_failed`` (projects whose own file is wrong, kept out of the run), an unknown id
    may be one of them and is left to its own failure.
    """
    known = {p.project.id: p for p in projects}
    problems: list[Problem] = []
    for index, past in enumerate(portfolio.history):
        for project_id, files in past.evidence.items():
            key = f"history.{index}.evidence.{project_id}"
            project = known.get(project_id)
            if project is None:
                if not some_failed:
                    names = ", ".join(sorted(known))
                    problems.append(
                        Problem(
                            str(path), f"unknown project {project_id!r}; known: {names}", column=key
                        )
                    )
                continue
            named = {written for _, written in local_paths(project.project.evidence)}
            for written in files:
                if written not in named:
                    problems.append(
                        Problem(
                            str(path),
                            f"{written!r} is no evidence path of project {project_id!r}; write "
                            "the path as its project file names it (such as costs.yml)",
                            column=f"{key}.{written}",
                        )
                    )
            written_paths = [(f"{key}.{w}", replacement) for w, replacement in files.items()]
            problems.extend(outside_problems(path, project.path.parent, written_paths, roots))
    return problems


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
