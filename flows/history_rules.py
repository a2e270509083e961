"""A portfolio's ``history:`` checked when the configuration is loaded.

Its instants in order, and every project and evidence path it names one the portfolio has, inside
the portfolio's folders.

Below both :mod:`flows.config` (which checks a portfolio with it) and :mod:`flows.backfill` (which
assesses the history): plain values in, problems out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel

from core.errors import Problem
from flows.paths import local_paths, outside_problems


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
    history: Sequence[Mapping[str, Mapping[str, str]]],
    projects: Mapping[str, tuple[Path, BaseModel]],
    roots: Sequence[Path],
    some_failed: bool = False,
) -> list[Problem]:
    """Problems of a portfolio's ``history`` against its loaded projects.

    A project it names must be in the portfolio, every replaced path must be one the project
    names, and every replacement must stay inside the portfolio's folders (see flows.paths).
    With ``some_failed`` (projects whose own file is wrong, kept out of the run), an unknown id
    may be one of them and is left to its own failure.
    """
    problems: list[Problem] = []
    for index, evidence in enumerate(history):
        for project_id, files in evidence.items():
            key = f"history.{index}.evidence.{project_id}"
            project = projects.get(project_id)
            if project is None:
                if not some_failed:
                    names = ", ".join(sorted(projects))
                    problems.append(
                        Problem(
                            str(path), f"unknown project {project_id!r}; known: {names}", column=key
                        )
                    )
                continue
            project_file, project_evidence = project
            named = {written for _, written in local_paths(project_evidence)}
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
            problems.extend(outside_problems(path, project_file.parent, written_paths, roots))
    return problems
