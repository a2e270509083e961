"""Hostile survey inputs (issue 13/14): wrong shapes of ``survey:``, declared scales, blocker answers.

Each case reads as a portfolio run does (see :mod:`tests.hostile.harness`): plain words, no class
name, no echo of the file's content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import flows.measurements  # noqa: F401  (imported here, not inside a timed case: it is slow)
from tests.hostile.harness import CANARY, Case, Workspace, run_cases

BANK: dict[str, list[dict[str, Any]]] = {
    "questions": [
        {
            "id": "legal_blocker",
            "text": "Do you see a legal blocker to production?",
            "gap": "stakeholder_alignment",
            "kind": "blocker",
        },
        {"id": "monitoring", "text": "Monitoring is in place.", "gap": "maintenance"},
        {
            "id": "runbook",
            "text": "Runbook",
            "gap": "maintenance",
            "scale": ["Not started", "In progress", "Done"],
        },
    ]
}
GOOGLE_HEADER = (
    '"Timestamp","Email Address","Do you see a legal blocker to production?",'
    '"Monitoring is in place.","Where are we? [Runbook]"\n'
)


def google(rows: str, bank: dict[str, Any] | None = None, **spec: Any) -> Any:
    """A Google Forms export (as Google writes it) with the given response lines."""

    def build(ws: Workspace) -> Path:
        ws.write("bank.yml", yaml.safe_dump(bank or BANK))
        ws.write("g.csv", GOOGLE_HEADER + rows)
        entry = {"path": "g.csv", "format": "google_forms", "group": "legal", **spec}
        return ws.portfolio(evidence={"survey": entry}, question_bank="bank.yml")

    return build


def row(blocker: str, monitoring: str = "4", runbook: str = "Done", who: str = "a") -> str:
    return f'"2026/11/03 9:14:05 AM GMT+1","{who}@example.com","{blocker}","{monitoring}","{runbook}"\n'


def project_survey(value: Any) -> Any:
    def build(ws: Workspace) -> Path:
        return ws.portfolio(evidence={"survey": value})

    return build


def two_exports(ws: Workspace) -> Path:
    ws.write("bank.yml", yaml.safe_dump(BANK))
    ws.write("first.csv", GOOGLE_HEADER + row("No", who="Anna"))
    ws.write("second.csv", GOOGLE_HEADER + row("Yes - DPIA", who=" anna").replace("9:14", "9:20"))
    entries = [
        {"path": "first.csv", "format": "google_forms", "group": "legal"},
        {"path": "second.csv", "format": "google_forms", "group": "legal"},
    ]
    return ws.portfolio(evidence={"survey": entries}, question_bank="bank.yml")


CASES = [
    Case(
        "survey-a-text",
        "project",
        project_survey(f"{CANARY}.csv"),
        "expected a mapping such as {path: survey.csv, format: google_forms} or a list of them",
    ),
    Case(
        "survey-list-of-numbers",
        "project",
        project_survey([1, 2]),
        "expected a mapping such as {path: survey.csv, format: google_forms}, got a number",
    ),
    Case(
        "survey-same-file-twice",
        "project",
        project_survey([{"path": "s.csv"}, {"path": "s.csv"}]),
        "survey entries must name different files",
    ),
    Case(
        "survey-scale-points-six",
        "project",
        project_survey({"path": "s.csv", "scale_points": 6}),
        "expected one of 5 or 7",
    ),
    Case(
        "bank-blocker-with-a-scale",
        "question_bank",
        google(row("No"), {"questions": [{**BANK["questions"][0], "scale": ["a", "b"]}]}),
        "a blocker question is answered yes or no: it takes no scale",
    ),
    Case(
        "bank-scale-with-one-answer",
        "question_bank",
        google(row("No"), {"questions": [{**BANK["questions"][2], "scale": [CANARY]}]}),
        "a scale needs at least two answers",
    ),
    Case(
        "google-blocker-neither-yes-nor-no",
        "google_forms",
        google(row(f"Perhaps {CANARY}")),
        "question legal_blocker: expected yes or no, optionally followed by the reason",
    ),
    Case(
        "google-six-on-five-points",
        "google_forms",
        google(row("No", monitoring="6")),
        "(the question is on a 5-point scale)",
    ),
    Case(
        "google-off-its-declared-scale",
        "google_forms",
        google(row("No", runbook=f"Finished {CANARY}")),
        "expected one of 'Not started', 'In progress', 'Done' (the question's scale)",
    ),
    Case(
        "google-reason-column-missing",
        "google_forms",
        google(row("Yes - x"), {"questions": [{**BANK["questions"][0], "reason_column": "Why?"}]}),
        "the reason column 'Why?' of question legal_blocker is not a column of the export",
    ),
    Case(
        "one-person-in-two-exports",
        "google_forms",
        two_exports,
        "duplicate of the response at row 2 of second.csv (same Email Address); the newer counts",
    ),
]

test_survey_cases = run_cases(CASES)
