"""Waivers: a failing check accepted on purpose, by a named approver, for a reason, until a date.

A portfolio's waivers live in one versioned YAML file beside it (the portfolio's ``waivers`` key,
default ``waivers.yml``). Each waiver names the project, the check, the reason, the approver, the
day it was given and the day it expires (at most ``READINESS_WAIVER_MAX_DAYS`` after it was
given). This module reads and validates that file (every problem with file and line), writes a
new waiver (``readiness waive``), and records the waivers of a run in ``raw_waivers`` so that
history shows who accepted which risk when. Whether a waiver applies (in force at the run's
as-of, allowed for the check's severity, needed because the check did not pass) is dbt's
decision (``int_waivers_judged``), never this module's.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationInfo, field_validator

from core.errors import ConfigError, Problem
from core.settings import Settings
from flows.config import (
    _ID,
    LoadedPortfolio,
    _Strict,
    confined,
    parse_model,
    read_yaml_lines,
    resolve,
)
from flows.privacy import personal_kind
from readmodel.programme import run_waivers

__all__ = [
    "Waiver",
    "WaiverFile",
    "load_waivers",
    "record_rows",
    "waivers_path",
    "write_waiver",
]


class Waiver(_Strict):
    """A failing check accepted as a risk until a date, with the reason and who accepted it."""

    #: The id of the project the waiver is for (a project of the portfolio).
    project: Annotated[str, Field(pattern=_ID)]
    #: The id of the rubric check it waives.
    check: Annotated[str, Field(pattern=_ID)]
    #: Why the risk is accepted, in plain words (shown beside the check everywhere).
    reason: Annotated[str, Field(min_length=3)]
    #: Who accepted the risk: a name or a team handle (never an email address or phone number).
    approver: Annotated[str, Field(min_length=2)]
    #: The day the waiver was given.
    given: date
    #: The last day the waiver holds; from the next day on the check counts as it is measured.
    until: date

    @field_validator("reason", "approver")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected a text, got an empty one")
        return value.strip()

    @field_validator("approver")
    @classmethod
    def _not_contact_details(cls, value: str) -> str:
        kind = personal_kind(value)
        if kind:
            label = {"email": "an email address", "phone": "a phone number"}.get(kind, kind)
            raise ValueError(f"expected a name or a team handle, not {label}")
        return value

    @field_validator("until")
    @classmethod
    def _expiry_in_range(cls, until: date, info: ValidationInfo) -> date:
        from core.settings import get_settings

        given = info.data.get("given")
        if not isinstance(given, date):
            return until  # the given day's own error says what is wrong
        longest = get_settings().waiver_max_days
        if until < given:
            raise ValueError("until must be on or after the day the waiver was given")
        if until > given + timedelta(days=longest):
            raise ValueError(
                f"until is {(until - given).days} days after the waiver was given; "
                f"a waiver lasts at most {longest} days (READINESS_WAIVER_MAX_DAYS): "
                "renew it with a new date instead"
            )
        return until


class WaiverFile(_Strict):
    """The waivers file of a portfolio (``waivers.yml`` beside ``portfolio.yml``)."""

    #: Every waiver of the portfolio; one per project and check.
    waivers: list[Waiver] = Field(default_factory=list)


@dataclass(frozen=True)
class Loaded:
    """A waiver as read, with the line it starts on (for history and messages)."""

    waiver: Waiver
    line: int | None


@dataclass(frozen=True)
class Refused:
    """A waiver refused: the problem (file, line, key, why) and the project it names, if any."""

    problem: Problem
    project: str | None = None


def waivers_path(portfolio: LoadedPortfolio) -> Path:
    """The portfolio's waivers file (it need not exist: then there are no waivers)."""
    return resolve(portfolio.path, portfolio.portfolio.waivers)


def load_waivers(portfolio: LoadedPortfolio) -> tuple[list[Loaded], list[Refused]]:
    """The valid waivers of the portfolio's file, and a problem (file and line) for each other.

    A waiver for a project the portfolio does not have, or a check the rubric does not have, or
    a second waiver of the same project and check, is refused. A file that cannot be parsed is one
    problem, and no waiver holds.
    """
    path = waivers_path(portfolio)
    outside = confined(portfolio.path, portfolio.path, [("waivers", portfolio.portfolio.waivers)])
    if outside:
        return [], [Refused(p) for p in outside]
    if not path.exists():
        return [], []
    try:
        data, lines = read_yaml_lines(path)
    except ConfigError as exc:
        return [], [Refused(p) for p in exc.problems]
    if data is None:
        return [], []
    entries = data.get("waivers") if isinstance(data, dict) else None
    try:
        parse_model(WaiverFile, {**data, "waivers": []} if isinstance(data, dict) else data, path)
    except ConfigError as exc:
        return [], [Refused(p) for p in exc.problems]
    if entries is None:
        return [], []
    if not isinstance(entries, list):
        where = lines.get("waivers")
        return [], [
            Refused(Problem(str(path), "expected a list of waivers", None, "waivers", where))
        ]
    found: list[Loaded] = []
    problems: list[Refused] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        key = f"waivers.{index}"
        sub = {k.removeprefix(key + "."): v for k, v in lines.items() if k.startswith(key + ".")}
        named = entry.get("project") if isinstance(entry, dict) else None
        named = named if isinstance(named, str) else None
        try:
            waiver = parse_model(Waiver, entry, path, sub)
        except ConfigError as err:
            for problem in err.problems:
                column = f"{key}.{problem.column}" if problem.column != "(top level)" else key
                line = problem.line or lines.get(key)
                problems.append(
                    Refused(Problem(str(path), problem.message, None, column, line), named)
                )
            continue
        line = lines.get(key)
        wrong = _unknown(portfolio, waiver)
        if (waiver.project, waiver.check) in seen:
            wrong.append(
                (
                    "check",
                    "a second waiver of this project and check: extend the first one's until instead",
                )
            )
        for column, message in wrong:
            where = lines.get(f"{key}.{column}", line)
            problems.append(
                Refused(Problem(str(path), message, None, f"{key}.{column}", where), named)
            )
        if not wrong:
            seen.add((waiver.project, waiver.check))
            found.append(Loaded(waiver, line))
    return found, problems


def record_rows(
    portfolio: LoadedPortfolio, run_id: str, project_ids: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The run's ``raw_waivers`` rows (the assessed projects' waivers) and its refused waivers.

    Refused waivers become ``raw_rejected_rows`` of the project they name (file, line, key and
    the reason), so that a wrong entry never disappears silently nor stops the run.
    """
    found, refused = load_waivers(portfolio)
    source = str(waivers_path(portfolio))
    rows = [
        {
            "run_id": run_id,
            "project_id": w.waiver.project,
            "check_id": w.waiver.check,
            "reason": w.waiver.reason,
            "approver": w.waiver.approver,
            "given_on": datetime.combine(w.waiver.given, datetime.min.time()),
            "expires_on": datetime.combine(w.waiver.until, datetime.min.time()),
            "source": source,
            "line": w.line,
        }
        for w in found
        if w.waiver.project in project_ids
    ]
    # A refusal naming no project of the run (a file that cannot be read) is the first project's.
    fallback = project_ids[0] if project_ids else ""
    rejected = [
        {
            "run_id": run_id,
            "project_id": r.project if r.project in project_ids else fallback,
            "evidence_kind": "waivers",
            "source": r.problem.source,
            "row_number": r.problem.line,
            "column_name": r.problem.column,
            "value": None,
            "reason": r.problem.message,
        }
        for r in refused
        if r.project in project_ids
        or r.project is None
        or r.project not in _all_projects(portfolio)
    ]
    return rows, rejected


def _all_projects(portfolio: LoadedPortfolio) -> set[str]:
    return {p.project.id for p in portfolio.projects} | {f.id for f in portfolio.failed}


def write_waiver(portfolio: LoadedPortfolio, waiver: Waiver) -> Path:
    """Add (or renew) a waiver in the portfolio's file, validated; the file is replaced atomically.

    The file must be valid as it is, and the waiver must name a project of the portfolio and a
    check of its rubric (else a ConfigError names them). A waiver of the same project and check
    is replaced: that is a renewal.
    """
    path = waivers_path(portfolio)
    found, refused = load_waivers(portfolio)
    problems = [r.problem for r in refused] + [
        Problem(str(path), message, column=column)
        for column, message in _unknown(portfolio, waiver)
    ]
    if problems:
        raise ConfigError(problems)
    kept = [
        _as_yaml(w.waiver)
        for w in found
        if (w.waiver.project, w.waiver.check) != (waiver.project, waiver.check)
    ]
    text = (
        "# Waivers: failing checks accepted on purpose until a date (see docs/programme.md).\n"
        "# Written by `readiness waive`; keep this file under version control.\n"
        + yaml.safe_dump(
            {"waivers": [*kept, _as_yaml(waiver)]}, sort_keys=False, allow_unicode=True
        )
    )
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".waivers-", suffix=".yml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _unknown(portfolio: LoadedPortfolio, waiver: Waiver) -> list[tuple[str, str]]:
    """(key, message) for the project or check of a waiver that the portfolio does not have."""
    projects = _all_projects(portfolio)
    checks = {c.id for c in portfolio.rubric.checks}
    wrong = []
    if waiver.project not in projects:
        known = ", ".join(sorted(projects)) or "none"
        wrong.append(("project", f"unknown project {waiver.project!r}; the portfolio has: {known}"))
    if waiver.check not in checks:
        wrong.append(("check", f"unknown check {waiver.check!r}: not a check of the rubric"))
    return wrong


def _as_yaml(waiver: Waiver) -> dict[str, Any]:
    return {
        "project": waiver.project,
        "check": waiver.check,
        "reason": waiver.reason,
        "approver": waiver.approver,
        "given": waiver.given.isoformat(),
        "until": waiver.until.isoformat(),
    }


def record(
    settings: Settings, portfolio: LoadedPortfolio, run_id: str, project_ids: list[str]
) -> int:
    """Write the run's waivers (and refused ones, as rejected rows) to the warehouse."""
    from flows import warehouse

    rows, rejected = record_rows(portfolio, run_id, project_ids)
    logger = logging.getLogger("readiness.waivers")
    for row in rejected:
        logger.warning(
            "waiver refused: %s, line %s: %s", row["source"], row["row_number"], row["reason"]
        )
    with warehouse.connect(settings.warehouse) as con:
        warehouse.record(con, "raw_waivers", rows)
        warehouse.record(con, "raw_rejected_rows", rejected)
    return len(rows)


def waiver_text(waiver: Waiver) -> str:
    """The waiver as every surface shows it (dbt's waiver_text has the same words)."""
    return (
        f"waived until {waiver.until.isoformat()} (approved by {waiver.approver}: {waiver.reason})"
    )


def notice_lines(snapshot: Path, run_id: str) -> list[str]:
    """One line per waiver of the run that is in force and expires soon (the run's notices)."""
    from readmodel.snapshots import open_snapshot

    with open_snapshot(snapshot) as con:
        found = [w for w in run_waivers(con, run_id) if w["expiring_soon"]]
    return [
        f"{w['project']}: {w['title']} {w['waiver']}; expires in {w['days_to_expiry']} day(s)"
        for w in found
    ]


def notice_markdown(snapshot: Path, run_id: str) -> str:
    """The run summary's section on waivers about to expire ('' when none)."""
    lines = notice_lines(snapshot, run_id)
    if not lines:
        return ""
    return "\n\n## Waivers expiring soon\n\n" + "\n".join(f"- {line}" for line in lines)
