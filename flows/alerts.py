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

from pydantic import SecretStr

from core.gaps import GAP_IDS
from core.markdown_safe import md
from core.secrets import quiet_url_loggers
from flows.report import project_results
from readmodel.history import ProjectDiff, compare_project, previous_run
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


def run_changes(snapshot: Path, run_id: str) -> list[ProjectChange]:
    """Each project of a run against its previous successful run."""
    changes: list[ProjectChange] = []
    with open_snapshot(snapshot) as con:
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


def summary_rows(snapshot: Path, run_id: str) -> list[dict[str, Any]]:
    """One row per project of the run: recommendation, confidence and the six gap scores."""
    rows = []
    for result in project_results(snapshot, run_id):
        confidence = result["confidence"]
        rows.append(
            {
                "project": result["project"],
                "name": result["name"],
                "recommendation": "GO" if result["recommendation"] == "go" else "NOT YET",
                "confidence": None if confidence is None else round(confidence * 100),
                **{gap: result["gaps"][gap] for gap in GAP_IDS},
                "assessment": result["project_status"],
                "reason": result["reason"],
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
