"""Regressions and what a run announces: alerts through Apprise, and the run's Prefect artifacts.

A regression is found by comparing each project's result in a run with its previous successful
run (:func:`readmodel.history.compare_project`): a recommendation that flips from go to not yet, a gap
that drops by at least the portfolio's ``alerts.gap_drop_points``, or a critical check that newly
fails. Alert URLs are secrets: they are never logged, stored in the warehouse or put in artifacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import SecretStr

from core.gaps import GAP_IDS
from core.markdown_safe import md
from core.secrets import quiet_url_loggers
from readmodel.history import (
    CheckFlip,
    GapChange,
    InputChange,
    ProjectDiff,
    compare_project,
    previous_run,
)
from readmodel.snapshots import open_snapshot
from readmodel.vocabulary import STATUS_WORDS, gap_label

RegressionKind = Literal["recommendation", "gap_drop", "critical_check"]
RESULT_WORDS = {"pass": "passing", "partial": "partial", "no_evidence": "without evidence"}


@dataclass(frozen=True)
class Regression:
    """One way a project got worse since its previous run."""

    project_id: str
    kind: RegressionKind
    run_before: str
    message: str
    #: What regressed: the gap id or the check id ("" for the recommendation); notices about the
    #: same subject are suppressed for a while (flows.notify).
    subject: str = ""


def find_regressions(diff: ProjectDiff, gap_drop_points: float) -> list[Regression]:
    """The regressions in one project's diff (pure: no I/O)."""
    found = []

    def add(kind: RegressionKind, message: str, subject: str = "") -> None:
        found.append(Regression(diff.project_id, kind, diff.run_before, message, subject))

    if diff.recommendation_before == "go" and diff.recommendation_after == "not_yet":
        add("recommendation", "recommendation went from GO to NOT YET")
    for gap in diff.gaps:
        if gap.delta is not None and -gap.delta >= gap_drop_points:
            now = STATUS_WORDS.get(gap.status_after or "", gap.status_after)
            add(
                "gap_drop",
                f"{gap_label(gap.gap)} dropped {-gap.delta:.0f} points "
                f"({gap.score_before:.0f} -> {gap.score_after:.0f}, now {str(now).lower()})",
                gap.gap,
            )
    for check in diff.checks:
        if check.severity == "critical" and check.newly_failing:
            # The check by its title and gap (its id is for the drill-down, not a message).
            before = RESULT_WORDS.get(check.result_before or "", "not assessed")
            add(
                "critical_check",
                f'critical check "{check.title}" ({gap_label(check.gap)}) now fails (was {before})',
                check.check_id,
            )
    return found


@dataclass(frozen=True)
class ProjectChange:
    """A project's result in a run, and its diff with its previous successful run (if any)."""

    project_id: str
    recommendation: str
    diff: ProjectDiff | None


# A run's changes in one query per mart (dbt's comparison of each project with its previous run),
# rows only where something changed: announcing costs what changed, not the portfolio's size.
_RUN_PROJECTS = """
select r.project_id, r.recommendation, c.previous_run_id, c.recommendation_before,
       c.confidence_before, c.confidence_after, c.rubric_before, c.rubric_after
from recommendations as r
left join run_changes as c on r.run_id = c.run_id and r.project_id = c.project_id
where r.run_id = ?
order by r.project_id
"""
_RUN_GAP_CHANGES = """
select project_id, gap, score_before, score_after, status_before, status_after
from run_gap_changes where run_id = ? and changed order by project_id, gap_order, gap
"""
_RUN_CHECK_CHANGES = """
select project_id, check_id, gap, severity, title, result_before, result_after
from run_check_changes where run_id = ? order by project_id, check_id
"""
_RUN_INPUT_CHANGES = """
select project_id, input_kind, name, change, source_before, source_after, fingerprint_before,
       fingerprint_after
from run_input_changes where run_id = ? order by project_id, input_kind, name
"""


def _by_project(con: duckdb.DuckDBPyConnection, sql: str, run_id: str) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {}
    for project_id, *rest in con.execute(sql, [run_id]).fetchall():
        rows.setdefault(project_id, []).append(rest)
    return rows


def run_changes(snapshot: Path, run_id: str) -> list[ProjectChange]:
    """Each project of a run against its previous successful run.

    Read from dbt's run_changes marts in four queries whatever the number of projects; each diff
    holds the gaps that moved (not every gap), the checks that flipped and the inputs that
    changed. A snapshot published before those marts is compared project by project.
    """
    with open_snapshot(snapshot) as con:
        try:
            projects = con.execute(_RUN_PROJECTS, [run_id]).fetchall()
        except duckdb.CatalogException:
            return _compared_one_by_one(con, run_id)
        gaps = _by_project(con, _RUN_GAP_CHANGES, run_id)
        checks = _by_project(con, _RUN_CHECK_CHANGES, run_id)
        inputs = _by_project(con, _RUN_INPUT_CHANGES, run_id)
    changes = []
    for project_id, recommendation, before, *compared in projects:
        diff = None
        if before is not None:
            rec_before, conf_before, conf_after, rubric_before, rubric_after = compared
            diff = ProjectDiff(
                project_id=project_id,
                run_before=before,
                run_after=run_id,
                recommendation_before=rec_before,
                recommendation_after=recommendation,
                confidence_before=_float(conf_before),
                confidence_after=_float(conf_after),
                rubric_before=rubric_before,
                rubric_after=rubric_after,
                gaps=[
                    GapChange(g, _float(a), _float(b), sa, sb)
                    for g, a, b, sa, sb in gaps.get(project_id, [])
                ],
                checks=[CheckFlip(*row) for row in checks.get(project_id, [])],
                inputs=[InputChange(*row) for row in inputs.get(project_id, [])],
            )
        changes.append(ProjectChange(project_id, recommendation, diff))
    return changes


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _compared_one_by_one(con: duckdb.DuckDBPyConnection, run_id: str) -> list[ProjectChange]:
    """Each project of a run against its previous successful run, one comparison at a time."""
    changes: list[ProjectChange] = []
    projects = con.execute(
        "select project_id, recommendation from recommendations where run_id = ? "
        "order by project_id",
        [run_id],
    ).fetchall()
    for project_id, recommendation in projects:
        before = previous_run(con, project_id, run_id)
        diff = None if before is None else compare_project(con, project_id, before, run_id)
        changes.append(ProjectChange(project_id, recommendation, diff))
    return changes


def run_regressions(snapshot: Path, run_id: str, gap_drop_points: float) -> list[Regression]:
    """Every regression of a run: each project against its previous successful run."""
    return [
        regression
        for change in run_changes(snapshot, run_id)
        if change.diff is not None
        for regression in find_regressions(change.diff, gap_drop_points)
    ]


def alert_message(
    portfolio_name: str, run_id: str, regressions: list[Regression]
) -> tuple[str, str]:
    """The title and markdown body of the alert for a run's regressions."""
    projects = sorted({r.project_id for r in regressions})
    title = f"Readiness regressed in {len(projects)} project(s): {portfolio_name}"
    lines = [f"Run `{run_id}` found {len(regressions)} regression(s):", ""]
    for project_id in projects:
        mine = [r for r in regressions if r.project_id == project_id]
        lines.append(f"**{project_id}** (since run `{mine[0].run_before}`)")
        lines.extend(f"- {r.message}" for r in mine)
        lines.append("")
    lines.append("See `readiness diff` or the dashboard's Trends page for the details.")
    return title, "\n".join(lines)


@dataclass(frozen=True)
class Delivery:
    """How many alert URLs were notified, and which failed (named by position and scheme only)."""

    sent: int
    failed: list[str]


def send_alert(
    urls: list[SecretStr], title: str, body: str, attach: Path | None = None
) -> Delivery:
    """Notify every Apprise URL, one at a time, so that one broken URL does not hide the others.

    ``attach``: a file sent with the message (by the channels that carry files, such as email).
    """
    import apprise

    sent, failed = 0, []
    with quiet_url_loggers():
        for index, url in enumerate(urls):
            secret = url.get_secret_value()
            scheme = secret.split("://", 1)[0]
            notifier = apprise.Apprise()
            ok = notifier.add(secret) and notifier.notify(
                title=title,
                body=body,
                body_format=apprise.NotifyFormat.MARKDOWN,
                attach=None if attach is None else str(attach),
            )
            if ok:
                sent += 1
            else:
                failed.append(f"alert URL #{index + 1} ({scheme}://)")
    return Delivery(sent=sent, failed=failed)


_SUMMARY = """
select project_id, project_name, recommendation, confidence, project_status, reason
from recommendations where run_id = ? order by project_id
"""
_SUMMARY_GAPS = "select project_id, gap, score from gap_scores where run_id = ?"


def summary_rows(snapshot: Path, run_id: str) -> list[dict[str, Any]]:
    """One row per project of the run: recommendation, confidence and the six gap scores.

    Two queries for the whole run, whatever the number of projects.
    """
    with open_snapshot(snapshot) as con:
        projects = con.execute(_SUMMARY, [run_id]).fetchall()
        scores: dict[str, dict[str, Any]] = {}
        for project_id, gap, score in con.execute(_SUMMARY_GAPS, [run_id]).fetchall():
            scores.setdefault(project_id, {})[gap] = score
    rows = []
    for project_id, name, recommendation, confidence, status, reason in projects:
        gaps = scores.get(project_id, {})
        rows.append(
            {
                "project": project_id,
                "name": name,
                "recommendation": "GO" if recommendation == "go" else "NOT YET",
                "confidence": None if confidence is None else round(float(confidence) * 100),
                **{gap: gaps.get(gap) for gap in GAP_IDS},
                "assessment": status,
                "reason": reason,
            }
        )
    return rows


def summary_markdown(
    portfolio_name: str,
    run_id: str,
    status: str,
    rows: list[dict[str, Any]],
    failed: dict[str, str],
    regressions: list[Regression],
) -> str:
    """The run's markdown summary: verdicts, failed projects and regressions."""
    go = sum(1 for r in rows if r["recommendation"] == "GO")
    lines = [
        f"# Readiness: {md(portfolio_name)}",
        "",
        f"Run `{run_id}` {status}: {go} go, {len(rows) - go} not yet, "
        f"{len(failed)} failed, of {len(rows)} project(s).",
        "",
        "| Project | Recommendation | Confidence |",
        "| --- | --- | --- |",
    ]
    for row in rows:
        confidence = "-" if row["confidence"] is None else f"{row['confidence']}%"
        lines.append(f"| {md(row['project'])} | {row['recommendation']} | {confidence} |")
    waiting = [r for r in rows if r["recommendation"] != "GO" and r.get("reason")]
    if waiting:
        # dbt's reason: gap names, check titles and the blockers' reasons, never check ids.
        lines += ["", "## Why not yet", ""]
        lines += [f"- **{md(r.get('name') or r['project'])}**: {md(r['reason'])}" for r in waiting]
    if failed:
        lines += ["", "## Failed projects", ""]
        lines += [f"- **{md(p)}**: {md(reason)}" for p, reason in sorted(failed.items())]
    lines += ["", "## Regressions since each project's previous run", ""]
    lines += [f"- **{md(r.project_id)}**: {md(r.message)}" for r in regressions] or ["None."]
    return "\n".join(lines)


def artifact_key(portfolio_id: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return "readiness-" + portfolio_id.lower().replace("_", "-")
