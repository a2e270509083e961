"""Run history and run comparison, read from the published snapshot's marts.

``project_history`` lists the runs of one project; ``compare_runs`` says what changed between two
runs (recommendation, gap scores, checks that flipped, inputs whose fingerprint changed). The CLI
(``readiness history`` / ``readiness diff``), the regression alerts (:mod:`flows.alerts`) and the
dashboard's Trends page all use these two functions, so a change is computed in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from core.errors import ReadinessError
from readmodel import queries
from readmodel.queries import RubricChange, rubric_changes
from readmodel.snapshots import open_snapshot
from readmodel.vocabulary import GAP_IDS


class UnknownRunError(ReadinessError):
    """A run id (or a project in it) that the snapshot does not hold."""


@dataclass(frozen=True)
class ProjectRun:
    """One run of one project: when, how it ended, under which rubric, and its result."""

    run_id: str
    project_id: str
    started_at: datetime | None
    finished_at: datetime | None
    run_status: str
    project_status: str
    rubric_version: str
    code_version: str
    recommendation: str
    confidence: float | None
    reason: str
    gap_scores: dict[str, float | None]
    gap_status: dict[str, str | None]
    #: The instant the run assessed the evidence "as of" (freshness was measured against it).
    as_of: datetime | None = None
    #: What the run ran on (flows/provenance.py); None and {} for runs recorded before it.
    lock_fingerprint: str | None = None
    packages: dict[str, str] = field(default_factory=dict)
    #: How the run's rubric differs from the project's previous run's (None: it does not).
    rubric_change: RubricChange | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (timestamps as ISO text)."""
        out = asdict(self)
        for key in ("started_at", "finished_at", "as_of"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass(frozen=True)
class GapChange:
    """A gap's score and status in both runs; ``delta`` is after minus before (None if either is)."""

    gap: str
    score_before: float | None
    score_after: float | None
    status_before: str | None
    status_after: str | None

    @property
    def delta(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return round(self.score_after - self.score_before, 6)

    @property
    def changed(self) -> bool:
        return (self.score_before, self.status_before) != (self.score_after, self.status_after)


@dataclass(frozen=True)
class CheckFlip:
    """A check whose result differs between the runs (``None``: the check was not in that run)."""

    check_id: str
    gap: str
    severity: str
    title: str
    result_before: str | None
    result_after: str | None

    @property
    def newly_failing(self) -> bool:
        return self.result_after == "fail" and self.result_before != "fail"


@dataclass(frozen=True)
class InputChange:
    """An input whose fingerprint changed, or that only one of the runs read."""

    input_kind: str
    name: str
    change: str  # "changed", "added" or "removed"
    source_before: str | None
    source_after: str | None
    fingerprint_before: str | None
    fingerprint_after: str | None


@dataclass(frozen=True)
class ProjectDiff:
    """What changed for one project between its result in ``run_before`` and in ``run_after``."""

    project_id: str
    run_before: str
    run_after: str
    recommendation_before: str
    recommendation_after: str
    confidence_before: float | None
    confidence_after: float | None
    rubric_before: str
    rubric_after: str
    gaps: list[GapChange]
    checks: list[CheckFlip]
    inputs: list[InputChange]
    #: Each run's rubric change after run_before up to run_after (run_rubric_changes).
    rubric_changes: list[RubricChange] = field(default_factory=list)

    @property
    def recommendation_changed(self) -> bool:
        return self.recommendation_before != self.recommendation_after

    @property
    def rubric_changed(self) -> bool:
        """Scores under two rubric versions are not strictly comparable: trends mark it."""
        return self.rubric_before != self.rubric_after

    @property
    def changed_gaps(self) -> list[GapChange]:
        return [g for g in self.gaps if g.changed]

    @property
    def unchanged(self) -> bool:
        return not (
            self.recommendation_changed
            or self.changed_gaps
            or self.checks
            or self.inputs
            or self.rubric_changes
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values, with only the gaps that changed."""
        out = asdict(self)
        out["gaps"] = [{**asdict(g), "delta": g.delta} for g in self.changed_gaps]
        out["recommendation_changed"] = self.recommendation_changed
        out["rubric_changed"] = self.rubric_changed
        return out


@dataclass(frozen=True)
class RanOnChange:
    """Something the two runs ran on that differs: the code, the lock file or a package."""

    what: str  # "code", "lock file" or a package name
    before: str | None
    after: str | None


@dataclass(frozen=True)
class _RanOnRow:
    code_version: str | None
    lock_fingerprint: str | None
    package_versions: str | None


_RAN_ON = f"select {queries.columns(_RanOnRow)} from runs where run_id = ?"


def ran_on(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str | None]:
    """What a run ran on: its code version, lock file hash and each computing package's version."""
    rows = queries.typed_rows(con, _RAN_ON, [run_id], _RanOnRow)
    if not rows:
        return {}
    found: dict[str, str | None] = {
        "code": rows[0].code_version,
        "lock file": rows[0].lock_fingerprint,
    }
    found.update(parse_packages(rows[0].package_versions))
    return found


def ran_on_changes(con: duckdb.DuckDBPyConnection, before: str, after: str) -> list[RanOnChange]:
    """What differs between what two runs ran on (nothing: the same code and dependencies)."""
    a, b = ran_on(con, before), ran_on(con, after)
    return [
        RanOnChange(what, a.get(what), b.get(what))
        for what in [*a, *(k for k in b if k not in a)]
        if a.get(what) != b.get(what)
    ]


@dataclass(frozen=True)
class RunDiff:
    """Two runs compared project by project (projects assessed in both), plus those in only one."""

    run_before: str
    run_after: str
    projects: list[ProjectDiff]
    only_before: list[str] = field(default_factory=list)
    only_after: list[str] = field(default_factory=list)
    ran_on: list[RanOnChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {
            "run_before": self.run_before,
            "run_after": self.run_after,
            "projects": [p.to_dict() for p in self.projects],
            "only_before": self.only_before,
            "only_after": self.only_after,
            "ran_on": [asdict(c) for c in self.ran_on],
        }


Source = Path | duckdb.DuckDBPyConnection


@contextmanager
def _open(
    source: Source, portfolios: Sequence[str] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(source, duckdb.DuckDBPyConnection):
        yield source
        return
    with open_snapshot(source, portfolios) as con:
        yield con


def parse_packages(text: str | None) -> dict[str, str]:
    """The package versions a run recorded (empty for runs recorded before them)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


@dataclass(frozen=True)
class _RunRow:
    """One run of one project as the history query selects it."""

    run_id: str
    project_id: str
    started_at: datetime | None
    finished_at: datetime | None
    run_status: str
    project_status: str
    rubric_version: str
    code_version: str
    recommendation: str
    confidence: float | None
    reason: str
    as_of: datetime | None
    lock_fingerprint: str | None
    package_versions: str | None


@dataclass(frozen=True)
class _GapRow:
    gap: str
    score: float | None
    status: str | None


_HISTORY = """
select r.run_id, r.project_id, runs.started_at, runs.finished_at, runs.status as run_status,
       r.project_status, r.rubric_version, runs.code_version, r.recommendation,
       cast(r.confidence as double) as confidence, r.reason, runs.as_of, runs.lock_fingerprint,
       runs.package_versions
from recommendations as r
inner join runs on r.run_id = runs.run_id
where r.project_id = ?
order by runs.started_at desc, r.run_id desc
"""

_GAPS = """
select gap, cast(score as double) as score, status
from gap_scores where run_id = ? and project_id = ?
"""


def project_history(
    source: Source,
    project_id: str,
    limit: int | None = None,
    portfolios: Sequence[str] | None = None,
) -> list[ProjectRun]:
    """Every run of one project, newest first: status, rubric and code version, result, gap scores.

    ``source`` is the published snapshots' path or an open (read-only) connection to them;
    ``portfolios`` limits the path's snapshots to those portfolios'.
    Raises :class:`UnknownRunError` when the project was never assessed.
    """
    with _open(source, portfolios) as con:
        rows = queries.typed_rows(con, _HISTORY, [project_id], _RunRow)
        if not rows:
            raise UnknownRunError(f"project {project_id!r} has no assessed run in the snapshot")
        history = []
        changed = {c.run_id: c for c in rubric_changes(con, project_id)}
        for row in rows[:limit] if limit else rows:
            gaps = {
                g.gap: g for g in queries.typed_rows(con, _GAPS, [row.run_id, project_id], _GapRow)
            }
            history.append(
                ProjectRun(
                    run_id=row.run_id,
                    project_id=row.project_id,
                    started_at=row.started_at,
                    finished_at=row.finished_at,
                    run_status=row.run_status,
                    project_status=row.project_status,
                    rubric_version=row.rubric_version,
                    code_version=row.code_version,
                    recommendation=row.recommendation,
                    confidence=row.confidence,
                    reason=row.reason,
                    gap_scores={g: gaps[g].score if g in gaps else None for g in GAP_IDS},
                    gap_status={g: gaps[g].status if g in gaps else None for g in GAP_IDS},
                    as_of=row.as_of,
                    lock_fingerprint=row.lock_fingerprint,
                    packages=parse_packages(row.package_versions),
                    rubric_change=changed.get(row.run_id),
                )
            )
    return history


@dataclass(frozen=True)
class PairResult:
    """A project's verdict, confidence and rubric in two runs (run_changes', or PAIR_RESULTS)."""

    recommendation_before: str
    recommendation_after: str
    confidence_before: float | None
    confidence_after: float | None
    rubric_before: str
    rubric_after: str


@dataclass(frozen=True)
class SincePrevious(PairResult):
    """A run's result beside the project's previous run's (``run_changes``)."""

    previous_run_id: str = field(kw_only=True)


# dbt's comparison of each run with the project's previous one (the run_*_changes marts); the
# pair queries of readmodel.queries (PAIR_*) share their definitions for any two runs.
_SINCE_PREVIOUS = f"""
select {queries.columns(SincePrevious, casts={"confidence_before": "double", "confidence_after": "double"})}
from run_changes where run_id = ? and project_id = ?
"""
_GAP_CHANGES = f"""
select {queries.columns(GapChange, casts={"score_before": "double", "score_after": "double"})}
from run_gap_changes where run_id = ? and project_id = ? order by gap_order, gap
"""
_CHECK_CHANGES = f"""
select {queries.columns(CheckFlip)}
from run_check_changes where run_id = ? and project_id = ? order by check_id
"""
_INPUT_CHANGES = f"""
select {queries.columns(InputChange)}
from run_input_changes where run_id = ? and project_id = ? order by input_kind, name
"""


def _diff(
    project_id: str,
    run_before: str,
    run_after: str,
    result: PairResult,
    rows: tuple[list[GapChange], list[CheckFlip], list[InputChange]],
) -> ProjectDiff:
    gaps, checks, inputs = rows
    return ProjectDiff(
        project_id=project_id,
        run_before=run_before,
        run_after=run_after,
        recommendation_before=result.recommendation_before,
        recommendation_after=result.recommendation_after,
        confidence_before=result.confidence_before,
        confidence_after=result.confidence_after,
        rubric_before=result.rubric_before,
        rubric_after=result.rubric_after,
        gaps=gaps,
        checks=checks,
        inputs=inputs,
    )


def changes_since_previous(
    con: duckdb.DuckDBPyConnection, project_id: str, run_id: str
) -> ProjectDiff | None:
    """What changed for a project since its previous run, as dbt found it.

    Read from run_changes and its gap, check and input marts; None when the run has no previous
    run (or the snapshot predates those marts).
    """
    try:
        found = queries.typed_rows(con, _SINCE_PREVIOUS, [run_id, project_id], SincePrevious)
    except duckdb.CatalogException:
        return None
    if not found:
        return None
    params = [run_id, project_id]
    return _diff(
        project_id,
        found[0].previous_run_id,
        run_id,
        found[0],
        (
            queries.typed_rows(con, _GAP_CHANGES, params, GapChange),
            queries.typed_rows(con, _CHECK_CHANGES, params, CheckFlip),
            queries.typed_rows(con, _INPUT_CHANGES, params, InputChange),
        ),
    )


def compare_pair(
    con: duckdb.DuckDBPyConnection, project_id: str, run_before: str, run_after: str
) -> ProjectDiff:
    """Any two runs of a project compared by the pair queries (readmodel.queries.PAIR_*).

    The same definitions as dbt's run-to-run marts, so that a consecutive pair compares the same
    either way (a test checks every pair of the example's history).
    """
    params = [run_before, run_after, project_id]
    found = queries.typed_rows(con, queries.PAIR_RESULTS, params, PairResult)
    if not found:
        for run_id in (run_before, run_after):
            row = con.execute(
                "select 1 from recommendations where run_id = ? and project_id = ?",
                [run_id, project_id],
            ).fetchone()
            if row is None:
                raise UnknownRunError(f"run {run_id!r} did not assess project {project_id!r}")
        raise UnknownRunError(f"project {project_id!r} was not assessed in both runs")
    return _diff(
        project_id,
        run_before,
        run_after,
        found[0],
        (
            queries.typed_rows(con, queries.PAIR_GAP_CHANGES, params, GapChange),
            queries.typed_rows(con, queries.PAIR_CHECK_CHANGES, params, CheckFlip),
            queries.typed_rows(con, queries.PAIR_INPUT_CHANGES, params, InputChange),
        ),
    )


def compare_project(
    con: duckdb.DuckDBPyConnection, project_id: str, run_before: str, run_after: str
) -> ProjectDiff:
    """What changed for one project between two of its runs (both must have assessed it).

    Consecutive runs (``run_before`` is the previous run of ``run_after``) are dbt's comparison
    (:func:`changes_since_previous`): the alerts, ``readiness diff`` and the trends page show the
    same changes. Two runs further apart are compared in SQL by the pair queries
    (:func:`compare_pair`), which share the marts' definitions.
    """
    rubric = rubric_changes(con, project_id, run_before, run_after)
    since = changes_since_previous(con, project_id, run_after)
    if since is not None and since.run_before == run_before:
        return replace(since, rubric_changes=rubric)
    return replace(compare_pair(con, project_id, run_before, run_after), rubric_changes=rubric)


def _projects_of(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    known = con.execute("select count(*) from runs where run_id = ?", [run_id]).fetchone()
    if not known or not known[0]:
        raise UnknownRunError(f"run {run_id!r} is not in the published snapshot")
    rows = con.execute(
        "select project_id from recommendations where run_id = ? order by project_id", [run_id]
    ).fetchall()
    return [r[0] for r in rows]


def compare_runs(
    source: Source,
    run_before: str,
    run_after: str,
    project_id: str | None = None,
    portfolios: Sequence[str] | None = None,
) -> RunDiff:
    """What changed between two runs, per project assessed in both.

    For each project: the recommendation change, gap scores that moved, checks that flipped and
    inputs whose fingerprint changed.

    ``source`` is the published snapshot's path or an open (read-only) connection to it;
    ``project_id`` limits the comparison to one project. Raises :class:`UnknownRunError` for a
    run the snapshot does not hold, or a named project that either run did not assess.
    ``portfolios`` limits the path's snapshots to those portfolios'.
    """
    with _open(source, portfolios) as con:
        before, after = _projects_of(con, run_before), _projects_of(con, run_after)
        if project_id is not None:
            for run_id, projects in ((run_before, before), (run_after, after)):
                if project_id not in projects:
                    raise UnknownRunError(f"run {run_id!r} did not assess project {project_id!r}")
            common = [project_id]
        else:
            common = [p for p in after if p in before]
        return RunDiff(
            run_before=run_before,
            run_after=run_after,
            projects=[compare_project(con, p, run_before, run_after) for p in common],
            only_before=[] if project_id else [p for p in before if p not in after],
            only_after=[] if project_id else [p for p in after if p not in before],
            ran_on=ran_on_changes(con, run_before, run_after),
        )


def previous_run(con: duckdb.DuckDBPyConnection, project_id: str, run_id: str) -> str | None:
    """The project's run just before ``run_id`` in which it was assessed without failing."""
    since = changes_since_previous(con, project_id, run_id)
    if since is not None:
        return since.run_before
    row = con.execute(
        """
        with current_run as (
            select run_started_at, run_id from recommendations where run_id = ? and project_id = ?
        )
        select r.run_id from recommendations as r, current_run as c
        where r.project_id = ? and r.project_status = 'ok'
          and (r.run_started_at < c.run_started_at
               or (r.run_started_at = c.run_started_at and r.run_id < c.run_id))
        order by r.run_started_at desc, r.run_id desc
        limit 1
        """,
        [run_id, project_id, project_id],
    ).fetchone()
    return row[0] if row else None
