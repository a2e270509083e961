"""The ``readiness history`` and ``readiness diff`` commands (registered in :mod:`flows.cli`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.access import UserOption, command_scope
from core.settings import get_settings
from flows.config import GAP_IDS

if TYPE_CHECKING:  # the snapshot readers (DuckDB) load when a command runs
    from readmodel.history import ProjectDiff, ProjectRun

# Never hard-wrapped: run ids and paths must stay searchable and copyable.
out = Console(soft_wrap=True)
if not out.is_terminal:
    out = Console(width=160, soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _verdict(value: str) -> str:
    return "GO" if value == "go" else "NOT YET"


def history(
    project: Annotated[str, typer.Argument(help="Project id.")],
    limit: Annotated[int | None, typer.Option(help="Show only the newest N runs.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
) -> None:
    """List the runs of a project from the published snapshot, newest first."""
    from flows.report import NoSnapshotError
    from readmodel.history import UnknownRunError, project_history

    scope = command_scope(user)
    try:
        runs = project_history(get_settings().snapshot, project, limit, scope)
    except (NoSnapshotError, UnknownRunError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in runs], indent=2))
        return
    from flows.cli import GAP_SHORT  # imported here: flows.cli registers this module's commands

    table = Table(title=f"History of {project}")
    for column in (
        "Run",
        "As of",
        "Started",
        "Finished",
        "Status",
        "Rubric",
        "Code",
        "Lock",
        "Verdict",
    ):
        table.add_column(column, no_wrap=True)
    for gap in GAP_IDS:
        table.add_column(GAP_SHORT[gap], justify="right")
    for run in runs:
        status = run.run_status if run.project_status == "ok" else f"{run.run_status} (failed)"
        table.add_row(
            run.run_id,
            run.as_of.strftime("%Y-%m-%d %H:%M") if run.as_of else "-",
            run.started_at.strftime("%Y-%m-%d %H:%M") if run.started_at else "-",
            run.finished_at.strftime("%Y-%m-%d %H:%M") if run.finished_at else "-",
            status,
            run.rubric_version,
            run.code_version,
            (run.lock_fingerprint or "-")[:12],
            _verdict(run.recommendation),
            *[_score(run.gap_scores[g]) for g in GAP_IDS],
        )
    out.print(table)
    _print_packages(runs)


def _print_packages(runs: list[ProjectRun]) -> None:
    """The computing packages' versions under the table: one line per distinct set, newest first."""
    seen: dict[str, list[str]] = {}
    for run in runs:
        if run.packages:
            text = ", ".join(f"{name} {v}" for name, v in sorted(run.packages.items()))
            seen.setdefault(text, []).append(run.run_id)
    for text, run_ids in seen.items():
        which = run_ids[0] if len(run_ids) == 1 else f"{len(run_ids)} runs, newest {run_ids[0]}"
        out.print(f"packages ({which}): {text}", highlight=False)


def _print_project(diff: ProjectDiff) -> None:
    out.print(f"[bold]{diff.project_id}[/]", highlight=False)
    if diff.unchanged:
        out.print("  nothing changed")
        return
    if diff.recommendation_changed:
        out.print(
            f"  recommendation: {_verdict(diff.recommendation_before)} -> "
            f"{_verdict(diff.recommendation_after)}",
            highlight=False,
        )
    if diff.rubric_changed:
        out.print(
            f"  rubric: {diff.rubric_before} -> {diff.rubric_after} "
            "(scores under different rubric versions)",
            highlight=False,
        )
    for gap in diff.changed_gaps:
        delta = "" if gap.delta is None else f" ({gap.delta:+.0f})"
        out.print(
            f"  gap {gap.gap}: {_score(gap.score_before)} {gap.status_before or '-'} -> "
            f"{_score(gap.score_after)} {gap.status_after or '-'}{delta}",
            highlight=False,
        )
    for check in diff.checks:
        out.print(
            f"  check {check.check_id} ({check.severity}, {check.gap}): "
            f"{check.result_before or 'absent'} -> {check.result_after or 'absent'}",
            highlight=False,
        )
    for change in diff.inputs:
        out.print(
            f"  input {change.input_kind} {change.name}: {change.change} "
            f"({(change.fingerprint_before or '-')[:12]} -> {(change.fingerprint_after or '-')[:12]})",
            highlight=False,
        )


def diff(
    run_a: Annotated[str, typer.Argument(help="The earlier run id.")],
    run_b: Annotated[str, typer.Argument(help="The later run id.")],
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Compare only this project.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 3 on a regression (go to not yet, a gap dropping --gap-drop points, a "
            "critical check newly failing) or on any change.",
            metavar="regression|any",
        ),
    ] = None,
    gap_drop: Annotated[
        float, typer.Option("--gap-drop", help="Points a gap must drop to be a regression.")
    ] = 10.0,
) -> None:
    """What changed between two runs: recommendations, gap scores, checks and inputs."""
    from flows.gates import DIFF_GATES, GATE_FAILED, diff_findings, unknown_gate
    from flows.report import NoSnapshotError
    from readmodel.history import UnknownRunError, compare_runs

    if (wrong := unknown_gate(fail_on, DIFF_GATES)) is not None:
        err.print(wrong, markup=False, highlight=False)
        raise typer.Exit(2)
    scope = command_scope(user)
    try:
        result = compare_runs(get_settings().snapshot, run_a, run_b, project, scope)
    except (NoSnapshotError, UnknownRunError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from exc
    findings = [] if fail_on is None else diff_findings(result, fail_on, gap_drop)
    if as_json:
        document = result.to_dict()
        if fail_on is not None:
            document["gate"] = {"fail_on": fail_on, "failed": bool(findings), "findings": findings}
        typer.echo(json.dumps(document, indent=2))
    else:
        out.print(f"{run_a} -> {run_b}", highlight=False)
        for change in result.ran_on:
            out.print(
                f"ran on: {change.what} {change.before or '-'} -> {change.after or '-'}",
                highlight=False,
            )
        for project_diff in result.projects:
            _print_project(project_diff)
        for project_id in result.only_before:
            out.print(f"[bold]{project_id}[/]: only in {run_a}", highlight=False)
        for project_id in result.only_after:
            out.print(f"[bold]{project_id}[/]: only in {run_b}", highlight=False)
        if not (result.projects or result.only_before or result.only_after):
            out.print("the two runs assessed no project in common")
    if findings:
        for finding in findings:
            err.print(f"--fail-on {fail_on}: {finding}", markup=False, highlight=False)
        raise typer.Exit(GATE_FAILED)
