"""Commands that read published results.

``status``, ``show``, ``list``, ``export``, ``history``, ``diff``, ``report`` and ``digest``: each
opens only the published snapshots (read-only).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from core.gaps import GAP_IDS
from flows.cli.common import (
    GAP_SHORT,
    PortfolioOption,
    UserOption,
    command_scope,
    current_settings,
    dump,
    err,
    fail,
    out,
    summary_table,
)

if TYPE_CHECKING:
    from readmodel.history import ProjectDiff, ProjectRun


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
    portfolio: Annotated[
        list[str] | None,
        typer.Option("--portfolio", help="Only this portfolio id (repeatable)."),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Only this project id.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 3 when --project is not go.", metavar="not-go"),
    ] = None,
) -> None:
    """Print the latest result per project from the published snapshot(s)."""
    from flows.browse import narrow
    from flows.gates import GATE_FAILED, STATUS_GATES, status_findings, unknown_gate
    from flows.report import NoSnapshotError, project_results

    if (wrong := unknown_gate(fail_on, STATUS_GATES)) is not None or (fail_on and not project):
        err.print(wrong or "--fail-on not-go needs --project ID", markup=False, highlight=False)
        raise typer.Exit(2)
    scope = narrow(command_scope(user), portfolio)
    try:
        results = project_results(current_settings().snapshot, portfolios=scope)
    except NoSnapshotError as exc:
        err.print(str(exc))
        raise typer.Exit(1) from exc
    if project is not None:
        results = [r for r in results if r["project"] == project]
        if not results:
            err.print(f"no published result for project {project!r}", markup=False, highlight=False)
            raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(results, indent=2, default=str))
    else:
        out.print(summary_table(results))
    if fail_on and project and (findings := status_findings(results, project)):
        for finding in findings:
            err.print(f"--fail-on not-go: {finding}", markup=False, highlight=False)
        raise typer.Exit(GATE_FAILED)


RESULT_STYLE = {"pass": "green", "partial": "yellow", "fail": "bold red", "no_evidence": "dim"}


def _verdict(value: str) -> Text:
    return Text("GO", "bold green") if value == "go" else Text("NOT YET", "bold red")


def show(
    project: Annotated[str, typer.Argument(help="Project id.")],
    portfolio: PortfolioOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
) -> None:
    """One project's latest result: verdict, blockers, every check and the roadmap."""
    from flows.browse import UnknownProjectError, narrow, project_detail
    from readmodel.snapshots import NoSnapshotError

    scope = narrow(command_scope(user), portfolio)
    try:
        detail = project_detail(current_settings().snapshot, project, scope)
    except (NoSnapshotError, UnknownProjectError) as exc:
        raise fail(1, str(exc)) from exc
    if as_json:
        dump(detail)
        return
    confidence = detail["confidence"]
    out.print(
        Text.assemble(
            (str(detail["name"] or project), "bold"),
            f" ({project}, portfolio {detail['portfolio']}): ",
            _verdict(detail["recommendation"]),
            f", confidence {confidence:.0%}" if confidence is not None else "",
        ),
        highlight=False,
    )
    out.print(f"Run {detail['run_id']}, assessed {detail['assessed_at']}", highlight=False)
    if detail["recommendation"] != "go" and detail["reason"]:
        out.print(Text(str(detail["reason"])), highlight=False)
    gaps = Table(title="Gaps")
    for column in ("Gap", "Score", "Status"):
        gaps.add_column(column)
    for gap in GAP_IDS:
        score = detail["gaps"].get(gap)
        gaps.add_row(
            gap, "-" if score is None else f"{score:.0f}", detail["gap_status"].get(gap) or "-"
        )
    out.print(gaps)
    if detail["blockers"]:
        out.print("[bold]Blockers[/]")
        for blocker in detail["blockers"]:
            why = f": {blocker['reasons']}" if blocker["reasons"] else ""
            out.print(
                Text(f"  {blocker['severity']} {blocker['title']} ({blocker['gap']}){why}"),
                highlight=False,
            )
    checks = Table(title="Checks")
    for column in ("Gap", "Check", "Severity", "Result"):
        checks.add_column(column)
    for check in detail["checks"]:
        result = str(check["result"])
        checks.add_row(
            check["gap"],
            Text(f"{check['title']} ({check['check_id']})"),
            check["severity"],
            Text(result, RESULT_STYLE.get(result, "")),
        )
    out.print(checks)
    roadmap = Table(title="Roadmap")
    for column in ("#", "Action", "Owner", "Days", "Start-end"):
        roadmap.add_column(column)
    for item in detail["roadmap"]:
        roadmap.add_row(
            str(item["priority"]),
            Text(str(item["action"])),
            str(item["owner_role"] or "-"),
            f"{item['effort_days']:g}",
            f"{item['start_day']:g}-{item['end_day']:g}",
        )
    out.print(roadmap if detail["roadmap"] else "Roadmap: nothing to do.")


def list_projects(
    portfolio: PortfolioOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: UserOption = None,
) -> None:
    """The published portfolios and their projects, with each project's latest verdict."""
    from flows.browse import narrow, portfolios_and_projects
    from readmodel.snapshots import NoSnapshotError

    scope = narrow(command_scope(user), portfolio)
    try:
        listed = portfolios_and_projects(current_settings().snapshot, scope)
    except NoSnapshotError as exc:
        raise fail(1, str(exc)) from exc
    if as_json:
        dump(listed)
        return
    for entry in listed:
        out.print(
            f"[bold]{entry['portfolio_id']}[/]: {entry['runs']} run(s), last {entry['last_run_at']}",
            highlight=False,
        )
        for project in entry["projects"]:
            out.print(
                Text.assemble(
                    f"  {project['project_id']} ",
                    _verdict(project["recommendation"]),
                    f"  {project['project_name']}",
                ),
                highlight=False,
            )


EXPORT_FORMATS = ("csv", "parquet")


def export(
    mart: Annotated[str, typer.Argument(help="A published mart (check_results, roadmap...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or parquet (default: by --output's suffix).")
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="Only this project's rows.")
    ] = None,
    run: Annotated[str | None, typer.Option("--run", help="Only this run's rows.")] = None,
    portfolio: PortfolioOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON.")
    ] = False,
    user: UserOption = None,
) -> None:
    """Write a published mart to CSV (formula injection neutralised, as the dashboard's) or Parquet."""
    from core.csv_safe import to_csv_bytes
    from flows.browse import UnknownProjectError, mart_frame, narrow
    from flows.storage import storage_reason
    from readmodel.snapshots import PUBLISHED_MARTS, NoSnapshotError

    chosen = file_format or output.suffix.lstrip(".").lower()
    if chosen not in EXPORT_FORMATS:
        raise fail(2, f"--format {chosen!r}: expected csv or parquet")
    if mart not in PUBLISHED_MARTS:
        raise fail(
            2, f"{mart!r} is not a published mart: expected one of {', '.join(PUBLISHED_MARTS)}"
        )
    scope = narrow(command_scope(user), portfolio)
    try:
        frame = mart_frame(current_settings().snapshot, mart, scope, run, project)
    except (NoSnapshotError, UnknownProjectError) as exc:
        raise fail(1, str(exc)) from exc
    except ValueError as exc:
        raise fail(2, str(exc)) from exc
    # Written beside the output, then renamed: a full disk leaves neither half a file nor a
    # damaged earlier export.
    partial = output.with_name(f".{output.name}.partial")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if chosen == "csv":
            # The dashboard's downloads' guard: a cell never runs as a spreadsheet formula.
            partial.write_bytes(to_csv_bytes(frame))
        else:
            # Parquet is typed data for tools (no spreadsheet runs a cell of it): values exact.
            frame.to_parquet(partial, index=False)
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        reason = storage_reason(exc) or (exc.strerror or "it cannot be written").lower()
        raise fail(1, f"writing {output} failed: {reason}; nothing was written") from None
    written = {"mart": mart, "format": chosen, "path": str(output), "rows": len(frame)}
    if as_json:
        dump(written)
    else:
        err.print(f"wrote {len(frame)} row(s) of {mart} to {output}", markup=False, highlight=False)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _verdict_word(value: str) -> str:
    """The verdict in capitals, as the history and diff tables show it."""
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
        runs = project_history(current_settings().snapshot, project, limit, scope)
    except (NoSnapshotError, UnknownRunError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in runs], indent=2))
        return
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
            _verdict_word(run.recommendation),
            *[_score(run.gap_scores[g]) for g in GAP_IDS],
        )
    out.print(table)
    for run in runs:
        if run.rubric_change is not None:
            out.print(f"{run.run_id}: {run.rubric_change.text()}", highlight=False, markup=False)
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
            f"  recommendation: {_verdict_word(diff.recommendation_before)} -> "
            f"{_verdict_word(diff.recommendation_after)}",
            highlight=False,
        )
    if diff.rubric_changed:
        out.print(
            f"  rubric: {diff.rubric_before} -> {diff.rubric_after} "
            "(scores under different rubric versions)",
            highlight=False,
        )
    for rubric in diff.rubric_changes:
        out.print(f"  {rubric.run_id}: {rubric.text()}", highlight=False, markup=False)
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
        result = compare_runs(current_settings().snapshot, run_a, run_b, project, scope)
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
    pack: Annotated[
        bool,
        typer.Option("--pack", help="With --project: the Sprint Zero pack (html or pdf)."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="With --output: print what was written as JSON (stdout)."),
    ] = False,
) -> None:
    """Write a one-page executive summary (recommendation, gap scores, blockers, cost, roadmap).

    With ``--pack``, a project's Sprint Zero pack: its four deliverables (HTML or PDF).
    """
    # The renderers (fpdf2, fonts, pandas) are imported when a report is written, not whenever
    # the command line starts.
    from flows.browse import narrow
    from flows.report import NoSnapshotError
    from readmodel.render import FORMATS, render_portfolio, render_project
    from readmodel.summary import UnknownProjectError, portfolio_summary, project_summary

    if pack and (project is None or fmt not in ("html", "pdf")):
        err.print("--pack needs --project ID and --format html or pdf", markup=False)
        raise typer.Exit(2)
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
    snapshot = current_settings().snapshot
    scope = narrow(command_scope(user), [portfolio_id] if portfolio_id else None)
    try:
        if pack and project is not None:
            from readmodel.pack import read_pack, render_pack

            the_pack = read_pack(snapshot, project, scope)
            data, run_ids = render_pack(the_pack, fmt), [the_pack.summary.run_id]
        elif project is not None:
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


def digest(
    portfolio: Annotated[
        Path | None, typer.Argument(help="Portfolio file (default: the one in settings).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was sent as JSON.")] = False,
) -> None:
    """Send the portfolio's digest to its alert URLs: the PDF report attached (email) or linked."""
    from core.errors import ConfigError
    from core.settings import DEFAULT_RUBRIC
    from flows import notify
    from flows.config import load_portfolio
    from readmodel.snapshots import NoSnapshotError

    try:
        loaded = load_portfolio(portfolio or current_settings().portfolio, DEFAULT_RUBRIC)
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
