"""Commands about evidence: audit, suggest, survey export, waive and forget.

``audit`` profiles one dataset where it lives, ``suggest`` writes a field map, ``survey export``
the question bank as survey tools import it, ``waive`` accepts a failing check until a date and
``forget`` erases a respondent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from core.errors import ConfigError, Problem, ReadinessError
from flows.cli.common import current_settings, err, fail, load, out

if TYPE_CHECKING:
    from flows.sources import SourceRef
    from flows.sources.scan import Scan


SourceArgument = Annotated[
    str,
    typer.Argument(
        help="A path, folder or glob; s3://bucket/key-or-prefix; or a postgresql:// URL "
        "(with --table or --query)."
    ),
]

TableOption = Annotated[
    str | None, typer.Option("--table", help="PostgreSQL table ([schema.]name).")
]

QueryOption = Annotated[str | None, typer.Option("--query", help="PostgreSQL query.")]

FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, parquet, json, ndjson or excel (default: by extension)."),
]

FORMATS = ("csv", "parquet", "json", "ndjson", "excel")


def format_problem(file_format: str | None) -> str | None:
    """What is wrong with a ``--format`` value, or None."""
    if file_format is None or file_format in FORMATS:
        return None
    return f"--format {file_format!r}: expected {', '.join(FORMATS[:-1])} or {FORMATS[-1]}"


def _columns(scan: Scan, names: list[str], option: str) -> list[str]:
    """The dataset's columns for names given on the command line (case-insensitive)."""
    from flows.config import FieldSpec
    from flows.evidence.data_audit import locate

    found = []
    for name in names:
        column = locate(name, FieldSpec(), scan.columns)
        if column is None:
            raise fail(
                2,
                f"{scan.display}: {option} {name!r} is not a column "
                f"(columns: {', '.join(scan.columns)})",
            )
        found.append(column)
    return found


def audit(
    source: SourceArgument,
    key: Annotated[
        str | None, typer.Option("--key", help="Key column(s), comma-separated.")
    ] = None,
    timestamp: Annotated[
        str | None, typer.Option("--timestamp", help="Timestamp column for freshness.")
    ] = None,
    max_age: Annotated[
        str | None, typer.Option("--max-age", help="Maximum age, e.g. 36h, 7d (needs --timestamp).")
    ] = None,
    file_format: FormatOption = None,
    table: TableOption = None,
    query: QueryOption = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: detected).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="CSV encoding: utf-8, utf-16 or latin-1 (default: detected).")
    ] = None,
    personal: Annotated[
        str | None,
        typer.Option(
            "--personal", help="Column(s) holding personal values, comma-separated (counted only)."
        ),
    ] = None,
    not_personal: Annotated[
        str | None,
        typer.Option(
            "--not-personal",
            help="Column(s) wrongly detected as personal, comma-separated (shown in full).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 3 when the newest --timestamp is older than --max-age (stale), rows could "
            "not be read (violations) or rows share a --key (duplicates); repeatable.",
            metavar="stale|violations|duplicates",
        ),
    ] = None,
) -> None:
    """Audit one dataset: rows, per column nulls/distinct/min/max, duplicate keys, freshness."""
    from core.errors import EvidenceError
    from flows import duckdb_budget
    from flows.audit_command import profile, render, with_progress
    from flows.config import parse_duration
    from flows.gates import AUDIT_GATES, GATE_FAILED, audit_findings, unknown_gate
    from flows.sources import CsvOptions, parse_source
    from flows.sources.scan import audit_connection, open_scan, unreadable
    from flows.storage import StorageError

    if (wrong := format_problem(file_format)) is not None:
        raise fail(2, wrong)
    for gate in fail_on or []:
        if (wrong := unknown_gate(gate, AUDIT_GATES)) is not None:
            raise fail(2, wrong)
    if "stale" in (fail_on or []) and not max_age:
        raise fail(2, "--fail-on stale needs --timestamp and --max-age")
    if "duplicates" in (fail_on or []) and not key:
        raise fail(2, "--fail-on duplicates needs --key")
    if max_age and not timestamp:
        raise fail(2, "--max-age needs --timestamp")
    try:
        parse_duration(max_age) if max_age else None
        ref: SourceRef = parse_source(source, Path.cwd(), table=table, query=query)
    except ValueError as exc:
        raise fail(2, str(exc)) from exc
    as_of = datetime.now(UTC)
    csv = CsvOptions(delimiter=delimiter, encoding=encoding)
    try:
        with duckdb_budget.audit_scratch(prefix="readiness-audit-") as scratch:
            con = audit_connection(Path(scratch))
            holder: list[Scan] = []

            def work(describe: Callable[[str], None]) -> dict[str, Any]:
                scan = open_scan(con, "dataset", ref, Path(scratch), file_format, csv)
                holder.append(scan)
                rows = f"{scan.rows:,} rows" if scan.rows >= 0 else "a large CSV file, in one pass"
                describe(f"measuring {len(scan.columns)} columns of {rows}")
                keys = _columns(scan, key.split(",") if key else [], "--key")
                (column,) = _columns(scan, [timestamp], "--timestamp") if timestamp else (None,)
                declared = dict.fromkeys(
                    _columns(scan, personal.split(",") if personal else [], "--personal"), True
                ) | dict.fromkeys(
                    _columns(
                        scan, not_personal.split(",") if not_personal else [], "--not-personal"
                    ),
                    False,
                )
                return profile(scan, keys, column, max_age, as_of, declared)

            try:
                document = with_progress(con, not as_json and err.is_terminal, work)
            except EvidenceError as exc:
                error = unreadable(ref, exc)
                raise fail(1, f"cannot audit {error.source}: {error.reason}") from exc
            finally:
                for scan in holder:
                    scan.close()
                con.close()
    except StorageError as exc:  # the spill folder (READINESS_SPILL_DIR)
        raise fail(1, str(exc)) from None
    findings = [(gate, f) for gate in fail_on or [] for f in audit_findings(document, gate)]
    if fail_on:
        document["gate"] = {
            "fail_on": fail_on,
            "failed": bool(findings),
            "findings": [f for _, f in findings],
        }
    if as_json:
        typer.echo(json.dumps(document, default=str))
    else:
        render(document)
    if findings:
        for gate, finding in findings:
            err.print(f"--fail-on {gate}: {finding}", markup=False, highlight=False)
        raise typer.Exit(GATE_FAILED)


def suggest(
    source: SourceArgument,
    table: TableOption = None,
    query: QueryOption = None,
    file_format: FormatOption = None,
    name: Annotated[
        str | None, typer.Option(help="Dataset name (default: from the file name).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the suggestion here (default: print).")
    ] = None,
) -> None:
    """Suggest a field map for a dataset, each rule with what it was inferred from."""
    from core.errors import EvidenceError
    from flows import suggest as suggesting
    from flows.storage import StorageError

    if (wrong := format_problem(file_format)) is not None:
        err.print(wrong, markup=False, highlight=False)
        raise typer.Exit(2)
    try:
        suggested = suggesting.suggest_source(
            source,
            table=table,
            query=query,
            file_format=file_format,
            name=name,
            as_of=datetime.now(UTC),
        )
    except ValueError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from exc
    except EvidenceError as exc:
        err.print(f"cannot read {exc.source}: {exc.reason}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    except StorageError as exc:  # the spill folder (READINESS_SPILL_DIR)
        raise fail(1, str(exc)) from None
    text = suggesting.render(suggested, f"readiness suggest {source}")
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}", markup=False, highlight=False)


def survey_export(
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="qualtrics (.qsf), google-forms (.gs), ms-forms (.docx), markdown, pdf.",
        ),
    ],
    bank: Annotated[
        Path | None,
        typer.Option(help="Question bank file (default: the portfolio's question bank)."),
    ] = None,
    portfolio: Annotated[
        Path | None, typer.Option(help="Portfolio whose question bank to use.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: survey.<suffix> here).")
    ] = None,
    title: Annotated[str, typer.Option(help="The survey's title.")] = "AI readiness survey",
) -> None:
    """Write the question bank as a survey tool imports it; its export reads back exactly."""
    import yaml

    from flows import survey_kit
    from flows.config import QuestionBank, load_model

    if file_format not in survey_kit.FORMATS:
        err.print(f"--format {file_format!r}: expected one of {', '.join(survey_kit.FORMATS)}")
        raise typer.Exit(2)
    if bank is None:
        loaded = load(portfolio)
        if loaded.question_bank is None:
            err.print(f"{loaded.path}: the portfolio names no question_bank; give --bank FILE")
            raise typer.Exit(2)
        questions = loaded.question_bank
    else:
        try:
            questions = load_model(QuestionBank, bank)
        except ConfigError as exc:
            for problem in exc.problems:
                err.print(f"  - {problem}", markup=False, highlight=False)
            raise typer.Exit(2) from exc
    kit = survey_kit.export(questions, file_format, title)
    target = output or Path(f"survey{kit.suffix}")
    target.write_bytes(kit.content)
    out.print(f"wrote {target}", markup=False, highlight=False)
    entry = survey_kit.survey_entry(file_format, "survey/<the export you download>")
    out.print(
        "Read its export back with this entry under evidence.survey in project.yml:\n"
        + yaml.safe_dump([entry], sort_keys=False, allow_unicode=True),
        markup=False,
        highlight=False,
    )


def waive(
    project: Annotated[str, typer.Argument(help="The project's id.")],
    check: Annotated[str, typer.Argument(help="The id of the rubric check to waive.")],
    reason: Annotated[str, typer.Option(help="Why the risk is accepted, in plain words.")],
    approver: Annotated[
        str, typer.Option(help="Who accepts the risk: a name or a team handle (not an email).")
    ],
    until: Annotated[
        str, typer.Option(help="The last day the waiver holds (YYYY-MM-DD), at most 180 days on.")
    ],
    portfolio: Annotated[
        Path | None,
        typer.Option(help="Portfolio file (default: the one in settings)."),
    ] = None,
    given: Annotated[
        str | None, typer.Option(help="The day the waiver is given (default: today, YYYY-MM-DD).")
    ] = None,
) -> None:
    """Accept a failing check until a date: write a validated waiver to the portfolio's waivers file."""
    from pydantic import ValidationError

    from core.settings import DEFAULT_RUBRIC
    from flows.config import load_portfolio, plain_message
    from flows.waivers import Waiver, waiver_text, write_waiver

    path = portfolio or current_settings().portfolio
    try:
        loaded = load_portfolio(path, DEFAULT_RUBRIC, keep_going=True)
        fields = {"project": project, "check": check, "reason": reason, "approver": approver}
        try:
            waiver = Waiver.model_validate(
                {**fields, "given": given or date.today().isoformat(), "until": until}
            )
        except ValidationError as exc:
            problems = [
                Problem(
                    "readiness waive", plain_message(e), column=".".join(map(str, e["loc"])) or None
                )
                for e in exc.errors()
            ]
            raise ConfigError(problems) from None
        written = write_waiver(loaded, waiver)
    except ConfigError as exc:
        err.print(f"Waiver refused ({len(exc.problems)} problem(s)):", highlight=False)
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {written}: {project} {check} {waiver_text(waiver)}")


def forget(
    respondent: Annotated[
        str,
        typer.Option(
            "--respondent",
            help="The person's email address (or the respondent id their survey answers carry).",
            prompt="Email address of the respondent to erase",
            hide_input=True,
        ),
    ],
) -> None:
    """Erase one survey respondent's answers from every run, the history and the snapshots."""
    from flows.privacy_ops import forget as erase

    try:
        erased = erase(current_settings(), respondent)
    except (ReadinessError, OSError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from exc
    if not erased.answers and not erased.derived_rows:
        out.print("No stored answer belongs to that respondent: nothing was erased.")
        return
    for run_id, count in erased.answers_per_run.items():
        out.print(f"run {run_id}: {count} answer(s) erased", markup=False, highlight=False)
    out.print(
        f"{erased.answers} answer(s) erased from {len(erased.answers_per_run)} run(s)"
        f" ({erased.derived_rows} derived row(s)); {erased.cache_entries} cached measurement(s) "
        f"cleared; marts rebuilt and {len(erased.snapshots)} snapshot(s) published again.",
        markup=False,
        highlight=False,
    )
    out.print(
        "Remove the person from the survey exports too: a later run would read them again.",
        markup=False,
    )
