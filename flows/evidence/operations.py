"""The operations artifacts of a project (the maintenance gap), read and measured.

Wiring only: each kind is read by its module (:mod:`flows.evidence.alerting`,
:mod:`flows.evidence.on_call`, :mod:`flows.evidence.incidents`, :mod:`flows.evidence.retraining`).
Each file is one input of ``raw_evidence_inputs``; a file that cannot be read is recorded
``unreadable`` with its reason (and its problems as rejected rows naming the file, the line or
JSON path) and the other files are still measured.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core.errors import EvidenceError, reading_failure
from flows.config import LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence
from flows.evidence.alerting import (
    KIND_ALERTMANAGER,
    KIND_RULES,
    AlertmanagerConfig,
    LoadedRule,
    RuleFile,
    measure_alerting,
)
from flows.evidence.costs import key_lines, read_model_input
from flows.evidence.incidents import KIND as KIND_INCIDENTS
from flows.evidence.incidents import read_incidents
from flows.evidence.on_call import KIND as KIND_ON_CALL
from flows.evidence.on_call import Shift, coverage, read_shifts
from flows.evidence.retraining import READERS, check_runbook_file, check_url

KIND_RUNBOOK = "runbook"
KIND_RETRAINING = "retraining"


def _unreadable(evidence: Evidence, kind: str, relative: str, path: Path, exc: Exception) -> None:
    message = exc.reason if isinstance(exc, EvidenceError) else reading_failure(exc, path)
    evidence.reject(kind, path, message)
    evidence.record_input(
        kind,
        relative,
        path,
        fingerprint=fingerprint_file(path) if path.is_file() else None,
        rows_read=None,
        rows_rejected=1,
        status="unreadable",
        error=message,
    )


def _read(evidence: Evidence, kind: str, relative: str, path: Path, rows: int, before: int) -> None:
    evidence.record_input(
        kind,
        relative,
        path,
        fingerprint=fingerprint_file(path),
        rows_read=rows,
        rows_rejected=len(evidence.tables.get("raw_rejected_rows", [])) - before,
    )


def _rejected(evidence: Evidence) -> int:
    return len(evidence.tables.get("raw_rejected_rows", []))


def collect_alerting(
    context: Context, project: LoadedProject, signals: dict[str, list[str]]
) -> Evidence:
    """Alerting rules and Alertmanager's routes -> ``raw_alert_rules``, ``raw_alert_coverage``."""
    evidence = Evidence()
    ops = project.project.evidence.operations
    if ops is None or not ops.alert_rules:
        return evidence
    rules: list[LoadedRule] = []
    readable = False
    for spec in ops.alert_rules:
        path = project.resolve(spec.path)
        parsed = read_model_input(
            evidence, KIND_RULES, spec.path, path, RuleFile, place_missing=True
        )
        if parsed is None:
            continue
        readable = True
        lines = key_lines(path)
        count = 0
        for g, group in enumerate(parsed.groups):
            for r, rule in enumerate(group.rules):
                count += 1
                if rule.alert:
                    rules.append(
                        LoadedRule(
                            Path(spec.path), group.name, lines.get(f"groups.{g}.rules.{r}"), rule
                        )
                    )
        evidence.record_input(
            KIND_RULES, spec.path, path, fingerprint=fingerprint_file(path), rows_read=count
        )
    alertmanager = None
    if ops.alertmanager is not None:
        path = project.resolve(ops.alertmanager.path)
        alertmanager = read_model_input(
            evidence,
            KIND_ALERTMANAGER,
            ops.alertmanager.path,
            path,
            AlertmanagerConfig,
            place_missing=True,
        )
        if alertmanager is None:
            return evidence  # the routes are unknown: coverage has no evidence
        evidence.record_input(
            KIND_ALERTMANAGER,
            ops.alertmanager.path,
            path,
            fingerprint=fingerprint_file(path),
            rows_read=len(alertmanager.receivers),
        )
    if not ops.services:
        evidence.reject(
            KIND_RULES,
            project.path,
            "no service declared: name the service's matchers in evidence.operations.services",
            column="evidence.operations.services",
        )
    elif readable:
        measure_alerting(evidence, ops.services, rules, alertmanager, signals)
    return evidence


def collect_on_call(context: Context, project: LoadedProject) -> Evidence:
    """On-call files -> coverage of the next four weeks and the rotation's people (pseudonyms)."""
    evidence = Evidence()
    ops = project.project.evidence.operations
    if ops is None or not ops.on_call:
        return evidence
    shifts: list[Shift] = []
    readable = False
    for spec in ops.on_call:
        path = project.resolve(spec.path)
        before = _rejected(evidence)
        try:
            found, count = read_shifts(evidence, path, spec.format, context.survey_key)
        except (EvidenceError, OSError, UnicodeDecodeError) as exc:
            _unreadable(evidence, KIND_ON_CALL, spec.path, path, exc)
            continue
        readable = True
        shifts.extend(found)
        _read(evidence, KIND_ON_CALL, spec.path, path, count, before)
    if readable:
        coverage(evidence, shifts, context.as_of)
        # Coverage looks ahead from the as-of instant: exact only at it.
        evidence.holds_between(context.as_of - timedelta(microseconds=1), context.as_of)
    return evidence


def collect_incidents(context: Context, project: LoadedProject) -> Evidence:
    """PagerDuty incident exports -> one ``raw_incident_summary`` row per file."""
    evidence = Evidence()
    ops = project.project.evidence.operations
    if ops is None or not ops.incidents:
        return evidence
    for spec in ops.incidents:
        path = project.resolve(spec.path)
        before = _rejected(evidence)
        try:
            rows = read_incidents(evidence, path, context.as_of, spec.path)
        except (EvidenceError, OSError, UnicodeDecodeError) as exc:
            _unreadable(evidence, KIND_INCIDENTS, spec.path, path, exc)
            continue
        _read(evidence, KIND_INCIDENTS, spec.path, path, rows, before)
        evidence.holds_between(context.as_of - timedelta(microseconds=1), context.as_of)
    return evidence


def collect_runbooks_and_retraining(context: Context, project: LoadedProject) -> Evidence:
    """Runbooks -> ``raw_runbooks``; retraining files -> ``raw_retraining_schedules``."""
    evidence = Evidence()
    ops = project.project.evidence.operations
    if ops is None:
        return evidence
    rows = []
    for runbook in ops.runbooks:
        if runbook.url is not None:
            target, problem = runbook.url, check_url(runbook.url)
        else:
            path = project.resolve(runbook.path or "")
            target = runbook.path or ""
            try:
                problem = check_runbook_file(path)
            except (EvidenceError, OSError, UnicodeDecodeError) as exc:
                problem = reading_failure(exc, path)
        rows.append(
            {
                "runbook": target,
                "is_url": runbook.url is not None,
                "usable": problem is None,
                "problem": problem,
            }
        )
    if rows:
        evidence.add("raw_runbooks", rows)
        evidence.record_input(
            KIND_RUNBOOK,
            "runbooks",
            project.path,
            fingerprint=fingerprint_file(project.path),
            rows_read=len(rows),
        )
    for spec in ops.retraining:
        path = project.resolve(spec.path)
        if not ops.model:
            evidence.reject(
                KIND_RETRAINING, path, "no model named (evidence.operations.model)", column="model"
            )
            continue
        try:
            schedules = READERS[spec.format](path, ops.model)
        except (EvidenceError, OSError, UnicodeDecodeError) as exc:
            _unreadable(evidence, KIND_RETRAINING, spec.path, path, exc)
            continue
        evidence.add(
            "raw_retraining_schedules",
            {
                "source": spec.path,
                "format": spec.format,
                "model": ops.model,
                "schedules": "; ".join(schedules) or None,
                "found": bool(schedules),
            },
        )
        _read(evidence, KIND_RETRAINING, spec.path, path, 1, _rejected(evidence))
    return evidence


def collect_operations(
    context: Context, project: LoadedProject, signals: dict[str, list[str]]
) -> Evidence:
    """Every operations artifact of the project."""
    evidence = Evidence()
    evidence.extend(collect_alerting(context, project, signals))
    evidence.extend(collect_on_call(context, project))
    evidence.extend(collect_incidents(context, project))
    evidence.extend(collect_runbooks_and_retraining(context, project))
    return evidence
