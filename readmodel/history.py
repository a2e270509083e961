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


def ran_on(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str | None]:
    """What a run ran on: its code version, lock file hash and each computing package's version."""
    row = con.execute(
        "select code_version, lock_fingerprint, package_versions from runs where run_id = ?",
        [run_id],
    ).fetchone()
    if row is None:
        return {}
    found: dict[str, str | None] = {"code": row[0], "lock file": row[1]}
    found.update(parse_packages(row[2]))
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


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


_HISTORY = """
select r.run_id, r.project_id, runs.started_at, runs.finished_at, runs.status,
       r.project_status, r.rubric_version, runs.code_version, r.recommendation, r.confidence,
       r.reason, runs.as_of, runs.lock_fingerprint, runs.package_versions
from recommendations as r
inner join runs on r.run_id = runs.run_id
where r.project_id = ?
order by runs.started_at desc, r.run_id desc
"""

_GAPS = "select gap, score, status from gap_scores where run_id = ? and project_id = ?"


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
        rows = con.execute(_HISTORY, [project_id]).fetchall()
        if not rows:
            raise UnknownRunError(f"project {project_id!r} has no assessed run in the snapshot")
        history = []
        changed = {c.run_id: c for c in rubric_changes(con, project_id)}
        for row in rows[:limit] if limit else rows:
            gaps = {g: (s, st) for g, s, st in con.execute(_GAPS, [row[0], project_id]).fetchall()}
            history.append(
                ProjectRun(
                    run_id=row[0],
                    project_id=row[1],
                    started_at=row[2],
                    finished_at=row[3],
                    run_status=row[4],
                    project_status=row[5],
                    rubric_version=row[6],
                    code_version=row[7],
                    recommendation=row[8],
                    confidence=_float(row[9]),
                    reason=row[10],
                    gap_scores={g: _float(gaps.get(g, (None, None))[0]) for g in GAP_IDS},
                    gap_status={g: gaps.get(g, (None, None))[1] for g in GAP_IDS},
                    as_of=row[11],
                    lock_fingerprint=row[12],
                    packages=parse_packages(row[13]),
                    rubric_change=changed.get(row[0]),
                )
            )
    return history


_RECOMMENDATION = """
select recommendation, confidence, rubric_version
from recommendations where run_id = ? and project_id = ?
"""

_CHECKS = """
select check_id, gap, severity, title, result
from check_results where run_id = ? and project_id = ?
"""

_INPUTS = """
select input_kind, name, source, fingerprint
from input_fingerprints where run_id = ? and project_id = ?
"""


_SINCE_PREVIOUS = """
select previous_run_id, recommendation_before, recommendation_after, confidence_before,
       confidence_after, rubric_before, rubric_after
from run_changes where run_id = ? and project_id = ?
"""
_GAP_CHANGES = """
select gap, score_before, score_after, status_before, status_after
from run_gap_changes where run_id = ? and project_id = ? order by gap_order, gap
"""
_CHECK_CHANGES = """
select check_id, gap, severity, title, result_before, result_after
from run_check_changes where run_id = ? and project_id = ? order by check_id
"""
_INPUT_CHANGES = """
select input_kind, name, change, source_before, source_after, fingerprint_before,
       fingerprint_after
from run_input_changes where run_id = ? and project_id = ? order by input_kind, name
"""


def changes_since_previous(
    con: duckdb.DuckDBPyConnection, project_id: str, run_id: str
) -> ProjectDiff | None:
    """What changed for a project since its previous run, as dbt found it.

    Read from run_changes and its gap, check and input marts; None when the run has no previous
    run (or the snapshot predates those marts).
    """
    try:
        row = con.execute(_SINCE_PREVIOUS, [run_id, project_id]).fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    params = [run_id, project_id]
    return ProjectDiff(
        project_id=project_id,
        run_before=row[0],
        run_after=run_id,
        recommendation_before=row[1],
        recommendation_after=row[2],
        confidence_before=_float(row[3]),
        confidence_after=_float(row[4]),
        rubric_before=row[5],
        rubric_after=row[6],
        gaps=[
            GapChange(g, _float(a), _float(b), sa, sb)
            for g, a, b, sa, sb in con.execute(_GAP_CHANGES, params).fetchall()
        ],
        checks=[CheckFlip(*r) for r in con.execute(_CHECK_CHANGES, params).fetchall()],
        inputs=[InputChange(*r) for r in con.execute(_INPUT_CHANGES, params).fetchall()],
    )


def compare_project(
    con: duckdb.DuckDBPyConnection, project_id: str, run_before: str, run_after: str
) -> ProjectDiff:
    """What changed for one project between two of its runs (both must have assessed it).

    Consecutive runs (``run_before`` is the previous run of ``run_after``) are dbt's comparison
    (:func:`changes_since_previous`): the alerts, ``readiness diff`` and the trends page show the
    same changes. Two runs further apart are compared here, row by row.
    """
    rubric = rubric_changes(con, project_id, run_before, run_after)
    since = changes_since_previous(con, project_id, run_after)
    if since is not None and since.run_before == run_before:
        return replace(since, rubric_changes=rubric)
    results = {}
    for run_id in (run_before, run_after):
        row = con.execute(_RECOMMENDATION, [run_id, project_id]).fetchone()
        if row is None:
            raise UnknownRunError(f"run {run_id!r} did not assess project {project_id!r}")
        results[run_id] = row
    gaps = {
        run_id: {g: (s, st) for g, s, st in con.execute(_GAPS, [run_id, project_id]).fetchall()}
        for run_id in (run_before, run_after)
    }
    gap_changes = [
        GapChange(
            gap=gap,
            score_before=_float(gaps[run_before].get(gap, (None, None))[0]),
            score_after=_float(gaps[run_after].get(gap, (None, None))[0]),
            status_before=gaps[run_before].get(gap, (None, None))[1],
            status_after=gaps[run_after].get(gap, (None, None))[1],
        )
        for gap in GAP_IDS
    ]
    checks = {
        run_id: {r[0]: r for r in con.execute(_CHECKS, [run_id, project_id]).fetchall()}
        for run_id in (run_before, run_after)
    }
    flips = []
    for check_id in sorted(set(checks[run_before]) | set(checks[run_after])):
        before, after = checks[run_before].get(check_id), checks[run_after].get(check_id)
        if before and after and before[4] == after[4]:
            continue
        info = after or before
        assert info is not None
        flips.append(
            CheckFlip(
                check_id=check_id,
                gap=info[1],
                severity=info[2],
                title=info[3],
                result_before=before[4] if before else None,
                result_after=after[4] if after else None,
            )
        )
    inputs = {
        run_id: {(r[0], r[1]): r for r in con.execute(_INPUTS, [run_id, project_id]).fetchall()}
        for run_id in (run_before, run_after)
    }
    changes = []
    for key in sorted(set(inputs[run_before]) | set(inputs[run_after])):
        before_row, after_row = inputs[run_before].get(key), inputs[run_after].get(key)
        if before_row and after_row and before_row[3] == after_row[3]:
            continue
        change = "changed" if before_row and after_row else ("added" if after_row else "removed")
        changes.append(
            InputChange(
                input_kind=key[0],
                name=key[1],
                change=change,
                source_before=before_row[2] if before_row else None,
                source_after=after_row[2] if after_row else None,
                fingerprint_before=before_row[3] if before_row else None,
                fingerprint_after=after_row[3] if after_row else None,
            )
        )
    before_rec, after_rec = results[run_before], results[run_after]
    return ProjectDiff(
        project_id=project_id,
        run_before=run_before,
        run_after=run_after,
        recommendation_before=before_rec[0],
        recommendation_after=after_rec[0],
        confidence_before=_float(before_rec[1]),
        confidence_after=_float(after_rec[1]),
        rubric_before=before_rec[2],
        rubric_after=after_rec[2],
        gaps=gap_changes,
        checks=flips,
        inputs=changes,
        rubric_changes=rubric,
    )


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
