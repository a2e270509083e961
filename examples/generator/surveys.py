"""The shared question bank, who answers what, and the survey formats the examples are written in.

One survey plan gives every answer (:func:`survey_answers`); each project writes them in one
format: the plain long CSV, a Google Forms responses sheet, a Microsoft Forms workbook or a
Qualtrics export, each as the tool writes it, with the bad rows real exports hold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import yaml

from .common import email, one, person
from .writers import Writer

QUESTION_BANK_YAML = """\
# The shared question bank of the example portfolio (one survey, 5-point Likert scale).
# gap: which readiness gap the answer speaks for; group: the stakeholder group it is asked of
# (none: everyone answers it); reverse: agreement is bad news (dbt flips it); kind: blocker
# questions take yes/no and a "yes" from legal or compliance blocks the project; topic: the claim
# a question makes, compared with other evidence (a "monitoring is in place" claim against the
# inventory) and used by the maintenance checks (drift_detection, retraining, on_call).
questions:
  # --- stakeholder alignment, per group ---
  - id: sa_legal_basis
    text: The processing in this project has a valid legal basis and our vendor contracts cover it.
    gap: stakeholder_alignment
    group: legal
    weight: 2
  - id: sa_compliance_policy
    text: The project meets our regulatory and internal policy requirements (AI Act, GDPR, retention).
    gap: stakeholder_alignment
    group: compliance
    weight: 2
  - id: sa_security_review
    text: The security review is complete and its findings are addressed.
    gap: stakeholder_alignment
    group: it_security
    weight: 2
  - id: sa_security_risk
    text: The project exposes data or systems to risks we have not assessed.
    gap: stakeholder_alignment
    group: it_security
    reverse: true
  - id: sa_ops_prepared
    text: My team is prepared to run this system in production.
    gap: stakeholder_alignment
    group: operations
    weight: 2
  - id: sa_sponsor_value
    text: The business case is clear and I will fund the move to production.
    gap: stakeholder_alignment
    group: business_sponsor
    weight: 2
  - id: sa_team_useful
    text: The tool makes my daily work easier.
    gap: stakeholder_alignment
    group: affected_team
    weight: 2
  - id: sa_team_workload
    text: The tool adds work or rework to my day.
    gap: stakeholder_alignment
    group: affected_team
    reverse: true
  - id: sa_team_trust
    text: I trust the tool's output enough to act on it.
    gap: stakeholder_alignment
    group: affected_team
  - id: sa_support
    text: I support moving this project to production next quarter.
    gap: stakeholder_alignment
    weight: 2
  # --- blockers (yes / no) ---
  - id: blk_legal_compliance
    text: Is there an unresolved legal or compliance issue that must be solved before production?
    gap: stakeholder_alignment
    kind: blocker
    weight: 3
    topic: legal_blocker
  - id: blk_security
    text: Is there an open security finding that must be fixed before production?
    gap: stakeholder_alignment
    group: it_security
    kind: blocker
    weight: 2
    topic: security_blocker
  # --- evaluation ---
  - id: ev_success_measured
    text: We know how success will be measured after launch, against a measured baseline.
    gap: evaluation
    topic: kpis
  - id: ev_quality_tested
    text: The quality of the AI's output is tested on realistic cases before every release.
    gap: evaluation
    topic: evaluation_suite
  - id: ev_kpi_trust
    text: I trust the KPIs chosen to judge this project.
    gap: evaluation
  # --- maintenance ---
  - id: mt_drift
    text: We will be alerted when input data or model outputs drift.
    gap: maintenance
    topic: drift_detection
  - id: mt_retraining
    text: There is a documented plan to retrain the model or update prompts, with a trigger and an owner.
    gap: maintenance
    topic: retraining
  - id: mt_on_call
    text: An on-call rotation with named people covers this AI service.
    gap: maintenance
    topic: on_call
  - id: mt_runbook
    text: An incident runbook exists for this AI service.
    gap: maintenance
    topic: on_call
  - id: mt_monitoring
    text: Monitoring and alerting are in place for the model and its service.
    gap: maintenance
    topic: monitoring
  # --- claims about integration and scale, checked against the inventory and load tests ---
  - id: int_tested
    text: The systems the AI depends on are integrated and tested end to end.
    gap: integration
    topic: integration_tested
  - id: sc_load_tested
    text: The service has been load tested at the expected peak volume.
    gap: scale
    topic: load_tested
"""
QUESTIONS: list[dict[str, Any]] = yaml.safe_load(QUESTION_BANK_YAML)["questions"]
QUESTION_BY_ID = {q["id"]: q for q in QUESTIONS}

#: Answer distributions on the 5-point scale (agreement; reverse questions are mirrored).
LEVELS: dict[str, dict[int, float]] = {
    "high": {5: 0.6, 4: 0.4},
    "good": {5: 0.3, 4: 0.6, 3: 0.1},
    "mid": {4: 0.3, 3: 0.4, 2: 0.3},
    "low": {3: 0.2, 2: 0.55, 1: 0.25},
}
LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}  # fmt: skip
GROUP_SPELLINGS = {
    "legal": ("Legal", "legal", "Legal "),
    "compliance": ("Compliance", "compliance"),
    "it_security": ("IT Security", "it-security", "IT/Security"),
    "operations": ("Operations", "operations"),
    "business_sponsor": ("Business sponsor", "business_sponsor"),
    "affected_team": ("Affected team", "affected-team", "Affected Team"),
}
#: Who is asked what: the evaluation, maintenance and claim questions go to the groups that know.
ASKED: dict[str, set[str]] = {
    "evaluation": {"business_sponsor", "operations", "affected_team"},
    "maintenance": {"operations", "it_security"},
    "integration": {"operations", "it_security"},
    "scale": {"operations", "it_security"},
}


def asked(group: str, question: dict[str, Any]) -> bool:
    """Whether a respondent of ``group`` is asked ``question``."""
    if question["id"] == "blk_legal_compliance":
        return group in ("legal", "compliance")
    if question["gap"] == "stakeholder_alignment":
        return question.get("group") in (None, group)
    return group in ASKED[question["gap"]]


@dataclass
class Answer:
    """One answer of a survey, before it is written in a format."""

    respondent: str
    group: str
    question: str
    value: int | str | None  # Likert 1..5, "yes"/"no", or None for no answer
    comment: str = ""


@dataclass
class SurveyPlan:
    """Who answers, and how favourably, per group and per question."""

    respondents: dict[str, int]
    #: (group, question id or gap) -> level; the question id wins over the gap; default "high".
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (group, respondent index) -> blocker answers "yes" with this comment.
    blockers: dict[tuple[str, int], str] = field(default_factory=dict)
    domain: str = "example.com"

    def level(self, group: str, question: dict[str, Any]) -> str:
        """The answer level of a group for a question."""
        return self.levels.get(
            (group, question["id"]), self.levels.get((group, question["gap"]), "high")
        )


def survey_answers(rng: np.random.Generator, plan: SurveyPlan) -> list[Answer]:
    """Every answer of every respondent of the plan."""
    answers: list[Answer] = []
    used: set[str] = set()
    for group, count in plan.respondents.items():
        for index in range(count):
            while True:
                first, last = person(rng)
                address = email(first, last, plan.domain)
                if address not in used:
                    used.add(address)
                    break
            for question in QUESTIONS:
                if not asked(group, question):
                    continue
                if question.get("kind") == "blocker":
                    comment = plan.blockers.get((group, index))
                    if comment is not None and question["id"] == "blk_legal_compliance":
                        answers.append(Answer(address, group, question["id"], "yes", comment))
                    else:
                        answers.append(Answer(address, group, question["id"], "no"))
                    continue
                weights = LEVELS[plan.level(group, question)]
                values = list(weights)
                value = int(rng.choice(values, p=[weights[v] for v in values]))
                if question.get("reverse"):
                    value = 6 - value
                answers.append(Answer(address, group, question["id"], value))
    return answers


def likert_text(rng: np.random.Generator, value: int) -> str:
    """A Likert answer the way people and tools write it: number, label, or both."""
    style = rng.random()
    if style < 0.45:
        return str(value)
    if style < 0.6:
        return f"{value} - {LABELS[value]}"
    label = LABELS[value]
    if value == 3 and rng.random() < 0.5:
        label = "Neutral"
    return label.lower() if rng.random() < 0.3 else label


def blocker_text(rng: np.random.Generator, value: str) -> str:
    """Yes or no, in the spellings people use."""
    return one(rng, ("Yes", "yes", "Y") if value == "yes" else ("No", "no", "N", "No"))


def long_csv_rows(
    rng: np.random.Generator, answers: list[Answer], bad_rows: list[list[str]]
) -> list[list[str]]:
    """The plain long CSV: one answer per line, question by id or text, bad rows mixed in."""
    rows: list[list[str]] = []
    for answer in answers:
        question = QUESTION_BY_ID[answer.question]
        ref = question["text"] if rng.random() < 0.25 else question["id"]
        if isinstance(answer.value, int):
            text = likert_text(rng, answer.value)
        elif answer.value is None:
            text = ""
        else:
            text = blocker_text(rng, answer.value)
        group = one(rng, GROUP_SPELLINGS[answer.group])
        rows.append([answer.respondent, group, ref, text, answer.comment])
    for bad in bad_rows:
        rows.insert(int(rng.integers(1, len(rows))), bad)
    return rows


def no_answers(rng: np.random.Generator, answers: list[Answer], k: int) -> None:
    """Turn ``k`` Likert answers into "no answer" (N/A, Don't know, blank)."""
    likert = [i for i, a in enumerate(answers) if isinstance(a.value, int)]
    for i in sorted(rng.choice(likert, size=k, replace=False)):
        answers[int(i)].value = None
        answers[int(i)].comment = one(rng, ("", "", "not my area"))


def write_long_survey(
    w: Writer,
    relative: str,
    rng: np.random.Generator,
    answers: list[Answer],
    bad_rows: list[list[str]],
) -> None:
    """Write a long CSV survey, with a few N/A answers written out."""
    rows = long_csv_rows(rng, answers, bad_rows)
    for row in rows:
        if row[3] == "" and row[1] and rng.random() < 0.7:
            row[3] = one(rng, ("N/A", "n/a", "Don't know"))
    w.csv(relative, ["respondent", "group", "question", "answer", "comment"], rows)


# --- survey tool exports: Google Forms, Microsoft Forms, Qualtrics ----------------------------

FORMS_GROUP_QUESTION = "Which team are you in?"
FORMS_GROUP_LABELS = {
    "Legal": "legal",
    "Compliance": "compliance",
    "IT & Security": "it_security",
    "Operations": "operations",
    "Business sponsor": "business_sponsor",
    "Affected team (I use the tool)": "affected_team",
}
#: The free-text question at the end of the Google Forms and Qualtrics surveys.
FREE_TEXT_QUESTION = "Anything else we should know?"
#: The title of the Google Forms "multiple choice grid" that holds the alignment statements.
GOOGLE_GRID = "How far do you agree with each statement?"


def forms_label(group: str) -> str:
    """The choice a respondent of ``group`` picks for the team question."""
    return next(label for label, g in FORMS_GROUP_LABELS.items() if g == group)


def forms_cell(answer: Answer | None, grid: bool) -> str | int:
    """An answer as a form tool writes it: grid and Likert rows as labels, linear scales as numbers."""
    if answer is None or answer.value is None:
        return ""
    if isinstance(answer.value, int):
        return LABELS[answer.value] if grid else answer.value
    return "Yes" if answer.value == "yes" else "No"


def alignment_statement(question: dict[str, Any]) -> bool:
    """Whether a question is one of the alignment statements (a grid or Likert row in the tools)."""
    return question.get("gap") == "stakeholder_alignment" and question.get("kind") != "blocker"


def by_respondent(answers: list[Answer]) -> list[tuple[str, str, dict[str, Answer]]]:
    """Each respondent (in order of first appearance): address, group, answers per question id."""
    out: dict[str, dict[str, Answer]] = {}
    for a in answers:
        out.setdefault(a.respondent, {})[a.question] = a
    return [(address, theirs[next(iter(theirs))].group, theirs) for address, theirs in out.items()]


def google_stamp(clock: datetime) -> str:
    """A Google Forms response time, in the form's time zone (UTC+1) as the sheet shows it."""
    local = clock + timedelta(hours=1)
    return f"{local:%Y/%m/%d} {int(local.strftime('%I'))}:{local:%M:%S %p} GMT+1"


def google_forms_export(
    rng: np.random.Generator,
    answers: list[Answer],
    start: datetime,
    extra: list[dict[str, Any]],
) -> list[list[Any]]:
    """The CSV of a Google Form's responses sheet, as Google writes it.

    Timestamp, Email Address, the team question, the alignment statements as one multiple choice
    grid (``Grid [Statement]`` columns), the other questions as linear scales (numbers) or yes/no
    choices, and a free-text question.

    ``extra`` are responses added as they are ({"email", "team", "answers": {question id: text}}).
    """
    header: list[Any] = ["Timestamp", "Email Address", FORMS_GROUP_QUESTION]
    grid = [alignment_statement(q) for q in QUESTIONS]
    header += [
        f"{GOOGLE_GRID} [{q['text']}]" if g else q["text"]
        for q, g in zip(QUESTIONS, grid, strict=True)
    ]
    header.append(FREE_TEXT_QUESTION)
    rows: list[list[Any]] = []
    clock = start
    for email_address, group, theirs in by_respondent(answers):
        clock += timedelta(minutes=int(rng.integers(15, 400)), seconds=int(rng.integers(0, 60)))
        cells: list[Any] = [google_stamp(clock), email_address, forms_label(group)]
        cells += [forms_cell(theirs.get(q["id"]), g) for q, g in zip(QUESTIONS, grid, strict=True)]
        cells.append(
            one(
                rng,
                (
                    "",
                    "",
                    "",
                    "Happy to help with the rollout.",
                    "Please keep the scores explainable.",
                ),
            )
        )
        rows.append(cells)
    for response in extra:
        clock += timedelta(minutes=int(rng.integers(15, 400)))
        given = response["answers"]
        cells = [google_stamp(clock), response["email"], response["team"]]
        cells += [given.get(q["id"], "") for q in QUESTIONS]
        cells.append("")
        rows.insert(int(rng.integers(1, len(rows))), cells)
    return [header, *rows]


def ms_forms_export(
    rng: np.random.Generator,
    answers: list[Answer],
    start: datetime,
    extra: list[dict[str, Any]],
    free_text: str,
) -> tuple[list[str], list[list[Any]]]:
    """The sheet of a Microsoft Forms "Open results in Excel" download.

    ID, Start time, Completion time, Email, Name, Last modified time, then one column per question
    (Likert statements as labels, ratings as numbers, choices as text) and a free-text question.
    """
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", FORMS_GROUP_QUESTION]  # fmt: skip
    likert = [alignment_statement(q) for q in QUESTIONS]
    header += [q["text"] for q in QUESTIONS] + [free_text]
    rows: list[list[Any]] = []
    clock = start.replace(tzinfo=None)  # Forms writes local times without a zone
    for email_address, group, theirs in by_respondent(answers):
        clock += timedelta(minutes=int(rng.integers(15, 400)), seconds=int(rng.integers(0, 60)))
        done = clock + timedelta(seconds=int(rng.integers(120, 700)))
        first, last = email_address.split("@")[0].split(".")
        cells: list[Any] = [0, clock, done, email_address, f"{first.title()} {last.title()}", None, forms_label(group)]  # fmt: skip
        for q, is_likert in zip(QUESTIONS, likert, strict=True):
            value = forms_cell(theirs.get(q["id"]), is_likert)
            cells.append(None if value == "" else value)
        cells.append(one(rng, (None, None, "The platform team, I think.", "Not decided yet.")))
        rows.append(cells)
    for response in extra:
        clock += timedelta(minutes=int(rng.integers(15, 400)))
        done = clock + timedelta(seconds=int(rng.integers(120, 700)))
        given = response["answers"]
        cells = [0, clock, done, response["email"], response["name"], None, response["team"]]
        cells += [given.get(q["id"]) for q in QUESTIONS] + [None]
        rows.insert(int(rng.integers(1, len(rows))), cells)
    for number, row in enumerate(rows, start=1):
        row[0] = number
    return header, rows


QUALTRICS_META = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]
QUALTRICS_GROUP_LABELS = {
    "Legal": "legal",
    "Compliance & Risk": "compliance",
    "IT & Security": "it_security",
    "Sales Operations": "operations",
    "Sales leadership": "business_sponsor",
    "Account executive / sales rep": "affected_team",
}


def qualtrics_export(
    rng: np.random.Generator, answers: list[Answer], start: datetime
) -> list[list[str]]:
    """A Qualtrics CSV export (choice text): three header rows, one response per row.

    Also holds what real exports hold: a survey preview, an unfinished response, a response whose
    team answer maps to no group, a free-text column that is no question of the bank, and
    "Qualtrics-only" columns (IP address, location) that must never be stored.
    """
    questions = list(QUESTIONS)
    label_of = {v: k for k, v in QUALTRICS_GROUP_LABELS.items()}
    ids = [m[0] for m in QUALTRICS_META] + ["Q1"] + [f"Q{i + 2}" for i in range(len(questions))] + ["Q30_TEXT"]  # fmt: skip
    texts = [m[1] for m in QUALTRICS_META] + [FORMS_GROUP_QUESTION] + [q["text"] for q in questions] + [FREE_TEXT_QUESTION]  # fmt: skip
    import_ids = [
        json.dumps({"ImportId": name}, separators=(",", ":"))
        for name in [m[2] for m in QUALTRICS_META]
        + [f"QID{i + 1}" for i in range(len(questions) + 1)]
        + ["QID30_TEXT"]
    ]
    rows: list[list[str]] = []
    clock = start
    for _, group, theirs in by_respondent(answers):
        clock += timedelta(minutes=int(rng.integers(20, 600)))
        duration = int(rng.integers(140, 900))
        end = clock + timedelta(seconds=duration)
        cells = [
            clock.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            "IP Address",
            f"203.0.113.{int(rng.integers(2, 250))}",
            "100",
            str(duration),
            "True",
            end.strftime("%Y-%m-%d %H:%M:%S"),
            f"R_{''.join(one(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789') for _ in range(15))}",
            "",
            "",
            "",
            "",
            f"{48.1 + rng.uniform(-2, 2):.4f}",
            f"{11.5 + rng.uniform(-3, 3):.4f}",
            "anonymous",
            "EN",
            label_of[group],
        ]
        cells += [str(forms_cell(theirs.get(q["id"]), grid=True)) for q in questions]
        cells.append(one(rng, ("", "", "", "Latency is the main complaint from the reps.", "Costs worry me.")))  # fmt: skip
        rows.append(cells)
    width = len(ids)
    # A preview by the survey owner, an unfinished response, and a team nobody mapped.
    preview = list(rows[0])
    preview[2], preview[3], preview[8] = "Survey Preview", "", "R_previewOwner01"
    rows.insert(0, preview)
    unfinished = list(rows[5])
    unfinished[4], unfinished[6], unfinished[8] = "45", "False", "R_unfinished00042"
    for i in range(len(QUALTRICS_META) + 8, width):
        unfinished[i] = ""
    rows.insert(6, unfinished)
    stray = list(rows[9])
    stray[8], stray[len(QUALTRICS_META)] = "R_marketing000007", "Marketing"
    rows.insert(10, stray)
    # One answer in a label the scale does not know (typed into an "other" box).
    typo_row = rows[12]
    typo_row[len(QUALTRICS_META) + 1 + 9] = "Agree-ish"
    return [ids, texts, import_ids, *rows]
