"""Survey answers from our long CSV and the real exports of Qualtrics, Google Forms and MS Forms."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from flows.config import Evidence as ProjectEvidence
from flows.config import LoadedProject, Project, QuestionBank, SurveyEvidence, load_model
from flows.evidence import Context
from flows.evidence.likert import AnswerError, Scored, group_id, is_no_answer, parse_answer
from flows.evidence.survey import anonymous, collect_survey, pseudonym

FIXTURES = Path(__file__).parents[1] / "fixtures" / "survey"
QUALTRICS = Path(__file__).parents[1] / "fixtures" / "real" / "qualtrics"
BANK_PATH = FIXTURES / "question_bank.yml"
BANK = load_model(QuestionBank, BANK_PATH)
SALT = "s3cret"
CONTEXT = Context("run-1", "claims", datetime(2025, 3, 10, tzinfo=UTC), survey_key=SALT)
# Everything a survey export may hold about a person; none of it may be stored.
PRIVATE = [
    "@example.com",
    "anna.schmidt",
    "130.92.34.66",
    "47.115097045898",
    "7.2315979003906",
    "R_2YPOQ602ER1jkf1",
    "Mia Weber",
]


def project(*entries: dict[str, Any], **survey: Any) -> LoadedProject:
    specs = [SurveyEvidence(**entry) for entry in entries] or [SurveyEvidence(**survey)]
    return LoadedProject(
        path=Path("/tmp/claims/project.yml"),
        project=Project(id="claims", name="Claims", evidence=ProjectEvidence(survey=specs)),
    )


def collect(
    bank: QuestionBank | None = BANK, *entries: dict[str, Any], **survey: Any
) -> dict[str, pd.DataFrame]:
    loaded = project(*entries, **survey)
    evidence = collect_survey(CONTEXT, loaded, (BANK_PATH, bank) if bank else None)
    frames = evidence.frames(CONTEXT)  # every batch must pass the raw tables' Pandera models
    text = " ".join(str(v) for frame in frames.values() for v in frame.to_numpy().ravel())
    for private in PRIVATE:
        assert private not in text, f"{private!r} was stored"
    return frames


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, missing values as None."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in clean.to_dict("records")]


def answers(frames: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    return [
        (
            r["source_row"],
            r["stakeholder_group"],
            r["question_id"],
            r["answer_value"],
            r["scale_points"],
        )
        for r in records(frames["raw_survey_answers"])
    ]


def rejected(frames: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    found = [
        (r["row_number"], r["column_name"], r["value"], r["reason"])
        for r in records(frames.get("raw_rejected_rows", pd.DataFrame()))
    ]
    return sorted(found, key=lambda r: -1 if r[0] is None else r[0])


def refused(frames: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    """raw_survey_refused as (row, question, group, column, reason), by row."""
    found = [
        (r["source_row"], r["question_id"], r["stakeholder_group"], r["column_name"], r["reason"])
        for r in records(frames.get("raw_survey_refused", pd.DataFrame()))
    ]
    return sorted(found, key=lambda r: (-1 if r[0] is None else r[0], r[1]))


def record(frames: dict[str, pd.DataFrame], kind: str = "survey") -> Any:
    inputs = frames["raw_evidence_inputs"]
    return inputs[inputs["evidence_kind"] == kind].iloc[0]


GROUPS = "legal, compliance, it_security, operations, business_sponsor, affected_team, data_science"
LIKERT_5 = (
    "'strongly disagree', 'disagree', 'neither agree nor disagree', 'agree', 'strongly agree'"
)


def test_no_survey_is_no_evidence() -> None:
    empty = LoadedProject(path=Path("/tmp/p.yml"), project=Project(id="claims", name="Claims"))
    assert collect_survey(CONTEXT, empty, (BANK_PATH, BANK)).tables == {}


def test_the_bank_is_stored_and_recorded() -> None:
    frames = collect(path=str(FIXTURES / "long.csv"))
    questions = frames["raw_survey_questions"].set_index("question_id")
    assert list(questions.index) == [
        "legal_blocker",
        "sponsor_value",
        "monitoring",
        "on_call",
        "workload",
    ]
    blocker = questions.loc["legal_blocker"]
    assert (blocker.kind, blocker.weight, blocker.stakeholder_group, blocker.topic) == (
        "blocker",
        3.0,
        "legal",
        "legal_blocker",
    )
    assert bool(questions.loc["workload"].reverse) is True
    bank = record(frames, "question_bank")
    assert (bank["name"], bank.rows_read, bank.status) == ("question_bank.yml", 5, "ok")
    assert len(bank.fingerprint) == 64


def test_long_csv() -> None:
    frames = collect(path=str(FIXTURES / "long.csv"))
    assert answers(frames) == [
        (2, "legal", "legal_blocker", 0.0, 2),
        (3, "legal", "sponsor_value", 4.0, 5),
        (4, "it_security", "monitoring", 1.0, 5),
        (6, "it_security", "workload", 4.0, 5),
        (7, "business_sponsor", "sponsor_value", 5.0, 5),
    ]
    stored = frames["raw_survey_answers"]
    assert list(stored["comment"].fillna("")) == [
        "",
        "Looks fine",
        "No alerts yet, only logs",
        "",
        "",
    ]
    assert stored["respondent"].iloc[0] == pseudonym(SALT, "anna.schmidt@example.com")
    assert stored["respondent"].iloc[0] == stored["respondent"].iloc[1]
    assert len(stored["respondent"].iloc[0]) == 16
    duplicate = "duplicate of the answer at row 7 (same respondent); the first counts"
    not_on_scale = f"question monitoring: expected a number from 1 to 5 or one of {LIKERT_5}"
    off_scale = (
        "question on_call: expected a number from 1 to 5 or an agreement label "
        "(the question is on a 5-point scale)"
    )
    not_yes_no = (
        "question legal_blocker: expected yes or no, optionally followed by the reason (such as "
        "'Yes - the impact assessment is not done'; also y/n, true/false, 1/0)"
    )
    assert rejected(frames) == [
        (8, "respondent", None, f"answer to sponsor_value not counted: a {duplicate}"),
        (9, "group", "Marketing", f"expected a stakeholder group: one of {GROUPS}"),
        (
            10,
            "question",
            "budget_ok",
            "expected the id or the text of a question of the question bank",
        ),
        (11, "answer", "Sort of", not_on_scale),
        (12, "answer", "9", off_scale),
        (13, "answer", "maybe", not_yes_no),
        (14, "respondent", None, "expected a respondent id"),
    ]
    # Every refused answer to a bank question, for dbt (never the answer itself).
    assert refused(frames) == [
        (8, "sponsor_value", "business_sponsor", "answer", duplicate),
        (9, "sponsor_value", None, "group", f"expected a stakeholder group: one of {GROUPS}"),
        (11, "monitoring", "operations", "answer", not_on_scale),
        (12, "on_call", "operations", "answer", off_scale),
        (13, "legal_blocker", "legal", "answer", not_yes_no),
        (14, "on_call", "operations", "respondent", "expected a respondent id"),
    ]
    survey = record(frames)
    assert (survey.status, survey.rows_read, survey.rows_rejected) == ("ok", 13, 7)


def test_the_salt_changes_the_pseudonym() -> None:
    assert pseudonym("a", "anna@example.com") != pseudonym("b", "anna@example.com")


def test_google_forms() -> None:
    frames = collect(
        path=str(FIXTURES / "google_forms.csv"),
        format="google_forms",
        group_question="Which team are you in?",
        group_labels={"Legal": "legal", "IT & Security": "it_security", "ops": "operations"},
    )
    assert answers(frames) == [
        (2, "legal", "legal_blocker", 0.0, 2),
        (2, "legal", "monitoring", 4.0, 5),
        (2, "legal", "workload", 2.0, 5),
        (3, "it_security", "legal_blocker", 1.0, 2),
        (3, "it_security", "monitoring", 2.0, 5),
        (3, "it_security", "workload", 5.0, 5),
        (5, "operations", "monitoring", 5.0, 5),
        (5, "operations", "workload", 3.0, 5),
    ]
    stored = frames["raw_survey_answers"]
    assert stored["respondent"].iloc[0] == pseudonym(SALT, "anna.schmidt@example.com")
    assert stored["respondent"].iloc[-1] == pseudonym(
        SALT, anonymous(FIXTURES / "google_forms.csv", 5)
    )
    assert rejected(frames) == [
        (
            None,
            "Anything else?",
            None,
            "skipped: the column matches no question of the bank (by id or text)",
        ),
        (
            4,
            "Which team are you in?",
            "Finance",
            "response not counted: its group answer names no stakeholder group; "
            "expected one of 'Legal', 'IT & Security', 'ops'",
        ),
    ]
    assert (record(frames).rows_read, record(frames).rows_rejected) == (4, 2)


def ms_forms_export(path: Path) -> Path:
    """A Microsoft Forms export, written as Forms writes it (newer shape, with Last modified time)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            "Monitoring and alerting are in place for the model.",
            "An on-call rotation covers the AI service.",
            "The tool adds work to my day.",
        ]
    )
    sheet.append(
        [
            1,
            datetime(2025, 3, 4, 9, 1, 5),
            datetime(2025, 3, 4, 9, 3, 40),
            "mia.weber@example.com",
            "Mia Weber",
            None,
            "Somewhat agree",
            "Agree",
            "Strongly disagree",
        ]
    )
    sheet.append(
        [
            2,
            datetime(2025, 3, 4, 10, 12),
            datetime(2025, 3, 4, 10, 14, 2),
            "anonymous",
            None,
            None,
            "Neutral",
            "7",
            "Don't know",
        ]
    )
    sheet.append(
        [
            3,
            datetime(2025, 3, 5, 8, 0),
            datetime(2025, 3, 5, 8, 1),
            "anonymous",
            None,
            None,
            2.0,
            "Kind of",
            None,
        ]
    )
    book.save(path)
    return path


def test_ms_forms(tmp_path: Path) -> None:
    path = ms_forms_export(tmp_path / "Readiness survey(1-3).xlsx")
    frames = collect(path=str(path), format="ms_forms", group="operations", scale_points=7)
    # The export's own declaration: a 7-point survey ("Somewhat agree" is a 7-point label).
    assert answers(frames) == [
        (2, "operations", "monitoring", 5.0, 7),
        (2, "operations", "on_call", 6.0, 7),
        (2, "operations", "workload", 1.0, 7),
        (3, "operations", "monitoring", 4.0, 7),
        (3, "operations", "on_call", 7.0, 7),
        (4, "operations", "monitoring", 2.0, 7),
    ]
    stored = frames["raw_survey_answers"]
    assert stored["respondent"].iloc[0] == pseudonym(SALT, "mia.weber@example.com")
    assert stored["respondent"].iloc[3] == pseudonym(SALT, f"ms_forms:{path.resolve()}:2")
    assert rejected(frames) == [
        (
            4,
            "An on-call rotation covers the AI service.",
            "Kind of",
            "question on_call: expected a number from 1 to 7 or one of 'strongly disagree', "
            "'disagree', 'somewhat disagree', 'neither agree nor disagree', 'somewhat agree', "
            "'agree', 'strongly agree'",
        )
    ]


def qualtrics_bank() -> QuestionBank:
    # The real exports' Q1 is a multiple choice question answered 2: declared on 5 points.
    return QuestionBank.model_validate(
        {
            "scale_points": 5,
            "questions": [
                {
                    "id": "Q1",
                    "text": "Our data may be used for this model.",
                    "gap": "stakeholder_alignment",
                },
                {
                    "id": "consent",
                    "text": "This is a multiple choice question.",
                    "gap": "stakeholder_alignment",
                },
            ],
        }
    )


@pytest.mark.parametrize(("name", "line"), [("sample.csv", 4), ("sample_legacy.csv", 3)])
def test_real_qualtrics_exports(name: str, line: int) -> None:
    bank = qualtrics_bank()
    frames = collect(bank, path=str(QUALTRICS / name), format="qualtrics", group="compliance")
    # A column matches by its id first (Q1), before the question text of the second header row.
    assert answers(frames) == [(line, "compliance", "Q1", 2.0, 5)]
    skipped = "skipped: the column matches no question of the bank (by id or text)"
    assert rejected(frames) == [
        (None, "Q2 (This is a free text question.)", None, skipped),
        *([(None, "Q2 - Topics", None, skipped)] if name == "sample.csv" else []),
    ]
    stored = frames["raw_survey_answers"]
    assert stored["respondent"].iloc[0] == pseudonym(SALT, "R_2YPOQ602ER1jkf1")
    assert record(frames).rows_read == 1


def test_a_response_exported_twice_counts_once(tmp_path: Path) -> None:
    """The real export with its response row repeated (two exports pasted together)."""
    lines = (QUALTRICS / "sample.csv").read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "merged.csv"
    path.write_text("\n".join([*lines, lines[3]]) + "\n", encoding="utf-8")
    frames = collect(qualtrics_bank(), path=str(path), format="qualtrics", group="compliance")
    assert answers(frames) == [(4, "compliance", "Q1", 2.0, 5)]
    duplicate = [r for r in rejected(frames) if not r[3].startswith("skipped:")]
    assert duplicate == [
        (
            len(lines) + 1,
            "ResponseId",
            None,
            "response not counted: a duplicate of the response at row 4 (same ResponseId); "
            "the first counts",
        )
    ]
    assert (record(frames).rows_read, record(frames).rows_rejected) == (2, 3)


def test_qualtrics_by_text_with_group_question(tmp_path: Path) -> None:
    lines = (QUALTRICS / "sample.csv").read_text(encoding="utf-8").splitlines()
    response = lines[3]
    unfinished = response.replace(",100,38,1,", ",40,12,0,").replace(
        "R_2YPOQ602ER1jkf1", "R_unfinished"
    )
    preview = response.replace(",0,130.92.34.66,", ",Survey Preview,,").replace(
        "R_2YPOQ602ER1jkf1", "R_preview"
    )
    path = tmp_path / "export.csv"
    path.write_text("\n".join([*lines, unfinished, preview]) + "\n", encoding="utf-8-sig")
    bank = QuestionBank.model_validate(
        {
            "questions": [
                {"id": "dq", "text": "this is a   multiple choice question.", "gap": "data_quality"}
            ]
        }
    )
    frames = collect(
        bank,
        path=str(path),
        format="qualtrics",
        group_question="UserLanguage",
        group_labels={"DE": "legal"},
    )
    assert answers(frames) == [(4, "legal", "dq", 2.0, 5)]
    assert rejected(frames) == [
        (
            None,
            "Q2 (This is a free text question.)",
            None,
            "skipped: the column matches no question of the bank (by id or text)",
        ),
        (
            None,
            "Q2 - Topics",
            None,
            "skipped: the column matches no question of the bank (by id or text)",
        ),
        (
            5,
            "Finished (Beendet)",
            "0",
            "response not counted: unfinished (Finished=0, Progress=40); expected Finished=1 or Progress=100",
        ),
        (6, "Status", "Survey Preview", "skipped: a survey preview response, not a real answer"),
    ]


def test_no_bank_makes_the_survey_unreadable() -> None:
    frames = collect(None, path=str(FIXTURES / "long.csv"))
    survey = record(frames)
    assert survey.status == "unreadable"
    assert survey.error.startswith("no question bank")
    assert set(frames) == {"raw_evidence_inputs"}


@pytest.mark.parametrize(
    ("file", "text", "survey", "error"),
    [
        (
            "answers.csv",
            "respondent,question,answer\nanna,on_call,3\n",
            {},
            "missing columns: group",
        ),
        ("nothing.csv", None, {}, "file not found"),
        (
            "google.csv",
            "Timestamp,The tool adds work to my day.\n2025/03/04,3\n",
            {"format": "google_forms"},
            "a google_forms export needs survey.group",
        ),
        (
            "google.csv",
            "Timestamp,The tool adds work to my day.\n2025/03/04,3\n",
            {"format": "google_forms", "group_question": "Team"},
            "the group question 'Team' is not a column of the export",
        ),
        (
            "forms.xlsx",
            "this is not a workbook",
            {"format": "ms_forms", "group": "legal"},
            "not a readable Excel (.xlsx) file",
        ),
    ],
)
def test_unreadable_exports_are_recorded(
    tmp_path: Path, file: str, text: str | None, survey: dict[str, Any], error: str
) -> None:
    path = tmp_path / file
    if text is not None:
        path.write_bytes(text.encode("latin-1"))
    frames = collect(path=str(path), **survey)
    survey_record = record(frames)
    assert survey_record.status == "unreadable"
    assert error in survey_record.error
    assert "raw_survey_answers" not in frames


@pytest.mark.parametrize(
    ("text", "kind", "points", "expected"),
    [
        ("Strongly Agree", "likert", 5, (5, 5)),
        ("neither agree nor disagree", "likert", 5, (3, 5)),
        ("Neither agree nor disagree", "likert", 7, (4, 7)),
        ("Agree", "likert", 7, (6, 7)),
        ("5 - Strongly agree", "likert", 5, (5, 5)),
        ("4.0", "likert", 5, (4, 5)),
        ("YES", "blocker", 5, (1, 2)),
        ("n", "blocker", 7, (0, 2)),
    ],
)
def test_answers_on_their_scale(
    text: str, kind: str, points: int, expected: tuple[int, int]
) -> None:
    assert parse_answer(text, kind, points) == Scored(*expected)


@pytest.mark.parametrize(("text", "points"), [("0", 5), ("6", 5), ("3.5", 5), ("Somewhat", 7)])
def test_off_scale_answers(text: str, points: int) -> None:
    with pytest.raises(AnswerError):
        parse_answer(text, "likert", points)


def test_no_answers_and_scale_inference() -> None:
    assert all(is_no_answer(t) for t in ["", "  ", "N/A", "n/a", "Don\u2019t know", "-99", None])
    assert not is_no_answer("No")
    assert group_id("IT Security") == "it_security"
    assert group_id("Business-Sponsor ") == "business_sponsor"
    assert group_id("Marketing") is None


def test_a_declared_seven_point_scale_is_used_even_when_no_answer_is_above_five(
    tmp_path: Path,
) -> None:
    """Inference would read this file as 5-point; the declaration says 7."""
    from flows.config import Evidence as ProjectEvidence
    from flows.config import LoadedProject, Project, Question, QuestionBank, SurveyEvidence
    from flows.evidence import Context
    from flows.evidence.survey import collect_survey

    survey = tmp_path / "survey.csv"
    survey.write_text("respondent,group,question,answer\nr1,legal,q1,4\n", encoding="utf-8")
    bank = QuestionBank(
        questions=[Question(id="q1", text="Ready?", gap="stakeholder_alignment", group="legal")]
    )
    project = LoadedProject(
        path=tmp_path / "project.yml",
        project=Project(
            id="p",
            name="P",
            evidence=ProjectEvidence(survey=[SurveyEvidence(path="survey.csv", scale_points=7)]),
        ),
    )
    from datetime import UTC, datetime

    evidence = collect_survey(
        Context("r", "p", datetime.now(UTC), "salt"), project, (tmp_path, bank)
    )
    answers = evidence.tables["raw_survey_answers"]
    assert [(a["answer_value"], a["scale_points"]) for a in answers] == [(4, 7)]


# --- blockers with their reasons, declared scales, several exports, keyed pseudonyms ---------

BLOCKERS = FIXTURES / "google_forms_blockers.csv"
TEAMS = {"Legal": "legal", "Compliance": "compliance", "IT & Security": "it_security"}


def blocker_bank(**blocker: Any) -> QuestionBank:
    return QuestionBank.model_validate(
        {
            "questions": [
                {
                    "id": "legal_blocker",
                    "text": "Do you see a legal blocker to production?",
                    "gap": "stakeholder_alignment",
                    "kind": "blocker",
                    **blocker,
                },
                {
                    "id": "monitoring",
                    "text": "Monitoring and alerting are in place for the model.",
                    "gap": "maintenance",
                },
            ]
        }
    )


def blockers(frames: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    return [
        (r["source_row"], r["stakeholder_group"], r["answer_value"], r["comment"])
        for r in records(frames["raw_survey_answers"])
        if r["question_id"] == "legal_blocker"
    ]


def test_blocker_answers_are_read_as_people_write_them() -> None:
    """Google Forms' own CSV: the yes or no decides, the words after it are the reason."""
    frames = collect(
        blocker_bank(), path=str(BLOCKERS), format="google_forms",
        group_question="Which team are you in?", group_labels=TEAMS,
    )  # fmt: skip
    assert blockers(frames) == [
        (2, "legal", 1.0, "the data protection impact assessment is not done"),
        (3, "compliance", 1.0, "budget not approved"),
        (4, "legal", 1.0, "DPIA pending"),
        (5, "it_security", 0.0, None),
        (6, "legal", 0.0, None),
    ]
    reason = (
        "question legal_blocker: expected yes or no, optionally followed by the reason (such as "
        "'Yes - the impact assessment is not done'; also y/n, true/false, 1/0)"
    )
    column = "Do you see a legal blocker to production?"
    assert [r for r in rejected(frames) if r[0] == 8] == [(8, column, "Maybe later", reason)]
    assert refused(frames) == [(8, "legal_blocker", "legal", column, reason)]
    # The free-text column names no question: kept as a skipped column, never read as answers.
    assert (None, "If there is a blocker, what is it?", None,
            "skipped: the column matches no question of the bank (by id or text)") in rejected(frames)  # fmt: skip


def test_a_named_reason_column_gives_the_reason_redacted() -> None:
    bank = blocker_bank(reason_column="if there is a blocker,  what is it?")
    frames = collect(
        bank, path=str(BLOCKERS), format="google_forms",
        group_question="Which team are you in?", group_labels=TEAMS,
    )  # fmt: skip
    # The answer's own words first, then the reason column; phone numbers and emails redacted.
    assert blockers(frames)[2] == (4, "legal", 1.0, "DPIA pending; call me on [phone] or [email]")
    assert not [r for r in rejected(frames) if r[1] == "If there is a blocker, what is it?"]


def test_a_missing_reason_column_is_said() -> None:
    frames = collect(
        blocker_bank(reason_column="Why?"), path=str(BLOCKERS), format="google_forms",
        group_question="Which team are you in?", group_labels=TEAMS,
    )  # fmt: skip
    assert (
        None, None, None,
        "the reason column 'Why?' of question legal_blocker is not a column of the export: "
        "its reasons are read from its answers only",
    ) in rejected(frames)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "value", "reason"),
    [
        ("Yes - the data protection impact assessment is not done", 1, "the data protection impact assessment is not done"),
        ("yes, budget not approved", 1, "budget not approved"),
        ("Yes: DPIA pending", 1, "DPIA pending"),
        ("YES \u2013 no DPA signed", 1, "no DPA signed"),
        ("No", 0, None),
        ("no.", 0, None),
        ("No - all clear", 0, "all clear"),
        ("y", 1, None),
        ("TRUE", 1, None),
        ("0", 0, None),
    ],
)  # fmt: skip
def test_blocker_answers(text: str, value: int, reason: str | None) -> None:
    assert parse_answer(text, "blocker", 5) == Scored(value, 2, reason=reason)


@pytest.mark.parametrize("text", ["Yesterday", "Nope", "maybe", "- yes", "yes/no"])
def test_answers_that_only_look_like_yes_or_no_are_refused(text: str) -> None:
    with pytest.raises(AnswerError, match="expected yes or no"):
        parse_answer(text, "blocker", 5)


def scale_bank() -> QuestionBank:
    return QuestionBank.model_validate(
        {
            "questions": [
                {
                    "id": "runbook",
                    "text": "Runbook",
                    "gap": "maintenance",
                    "scale": ["Not started", "In progress", "Done"],
                },
                {
                    "id": "dpia",
                    "text": "DPIA",
                    "gap": "stakeholder_alignment",
                    "scale": {"Not started": 0, "Planned": 0.3, "Signed off": 1},
                },
                {"id": "monitoring", "text": "Monitoring is in place.", "gap": "maintenance"},
            ]
        }
    )


def test_a_question_declares_its_own_scale_grid_rows_included(tmp_path: Path) -> None:
    path = tmp_path / "status.csv"
    path.write_text(
        '"Timestamp","Email Address","Where are we? [Runbook]","Where are we? [DPIA]",'
        '"Monitoring is in place."\n'
        '"2025/03/04 10:15:22 AM GMT+1","a@example.com","  in PROGRESS ","signed off","4"\n'
        '"2025/03/04 10:16:22 AM GMT+1","b@example.com","Done","Planned","6"\n'
        '"2025/03/04 10:17:22 AM GMT+1","c@example.com","Finished","not started","Agree"\n',
        encoding="utf-8",
    )
    frames = collect(scale_bank(), path=str(path), format="google_forms", group="operations")
    stored = [
        (r["source_row"], r["question_id"], r["answer_value"], r["scale_points"], r["score"])
        for r in records(frames["raw_survey_answers"])
    ]
    assert stored == [
        (2, "runbook", 2.0, 3, 0.5),
        (2, "dpia", 3.0, 3, 1.0),
        (2, "monitoring", 4.0, 5, None),
        (3, "runbook", 3.0, 3, 1.0),
        (3, "dpia", 2.0, 3, 0.3),
        (4, "dpia", 1.0, 3, 0.0),
        (4, "monitoring", 4.0, 5, None),
    ]
    # Off its scale: refused with file, row and column. One "6" never turns a 5-point question
    # into a 7-point one: it is refused, and every other answer stays on 5 points.
    assert [(r[0], r[1], r[3]) for r in rejected(frames)] == [
        (3, "Monitoring is in place.",
         "question monitoring: expected a number from 1 to 5 or an agreement label "
         "(the question is on a 5-point scale)"),
        (4, "Where are we? [Runbook]",
         "question runbook: expected one of 'Not started', 'In progress', 'Done' (the question's scale)"),
    ]  # fmt: skip
    assert {r["source"] for r in records(frames["raw_rejected_rows"])} == {str(path)}


def test_seven_point_answers_need_a_declared_seven_point_scale(tmp_path: Path) -> None:
    path = ms_forms_export(tmp_path / "Readiness survey(1-3).xlsx")
    frames = collect(path=str(path), format="ms_forms", group="operations")
    assert answers(frames) == [
        (2, "operations", "on_call", 4.0, 5),
        (2, "operations", "workload", 1.0, 5),
        (3, "operations", "monitoring", 3.0, 5),
        (4, "operations", "monitoring", 2.0, 5),
    ]
    reasons = {(r[0], r[1]): r[3] for r in rejected(frames)}
    assert reasons[(2, "Monitoring and alerting are in place for the model.")].endswith(
        "a 7-point answer: declare scale_points: 7 for this question or survey"
    )
    assert "from 1 to 5" in reasons[(3, "An on-call rotation covers the AI service.")]
    # The bank's own declaration does the same as the export's.
    seven = QuestionBank.model_validate({**BANK.model_dump(), "scale_points": 7})
    assert {a[4] for a in answers(collect(seven, path=str(path), format="ms_forms", group="operations"))} == {7}  # fmt: skip


@pytest.mark.parametrize(
    ("question", "error"),
    [
        ({"kind": "blocker", "scale": ["a", "b"]}, "takes no scale"),
        ({"scale": ["Done"]}, "at least two answers"),
        ({"scale": ["Done", " done "]}, "must be different"),
        ({"scale": {"Done": 2}}, "at most 1"),
        ({"reason_column": "Why"}, "only to a blocker question"),
    ],
)
def test_declared_scales_are_checked_when_the_bank_loads(
    tmp_path: Path, question: dict[str, Any], error: str
) -> None:
    from core.errors import ConfigError

    path = tmp_path / "bank.yml"
    entry = {"id": "q", "text": "Q?", "gap": "maintenance", **question}
    path.write_text(yaml.safe_dump({"questions": [entry]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        load_model(QuestionBank, path)


def ms_forms_legal(path: Path, email: str, answer: str, completed: datetime) -> Path:
    """A second export, from Microsoft Forms, as Forms lays out its workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(
        ["ID", "Start time", "Completion time", "Email", "Name",
         "Do you see a legal blocker to production?"]
    )  # fmt: skip
    sheet.append([1, completed.replace(minute=0), completed, email, "Anna Schmidt", answer])
    book.save(path)
    return path


def test_one_person_in_two_exports_is_one_respondent_the_newest_counts(tmp_path: Path) -> None:
    google = {
        "path": str(BLOCKERS), "format": "google_forms",
        "group_question": "Which team are you in?", "group_labels": TEAMS,
    }  # fmt: skip
    # The same person, written differently, answered again in Microsoft Forms three days later.
    xlsx = ms_forms_legal(
        tmp_path / "Legal sign-off(1-1).xlsx", " Anna.Schmidt@Example.COM", "No",
        datetime(2025, 3, 7, 9, 30),
    )  # fmt: skip
    ms = {"path": str(xlsx), "format": "ms_forms", "group": "legal"}
    # Listed first, the newer answer still counts: the exports' own timestamps decide.
    frames = collect(blocker_bank(), ms, google)
    stored = frames["raw_survey_answers"]
    anna = pseudonym(SALT, "anna.schmidt@example.com")
    assert set(stored.loc[stored["source"] == str(xlsx), "respondent"]) == {anna}
    assert blockers(frames)[0] == (2, "legal", 0.0, None)  # Microsoft Forms' row 2
    assert (2, "legal", 1.0, "the data protection impact assessment is not done") not in blockers(
        frames
    )
    # Her Google Forms monitoring answer still counts: only the question she answered twice lost.
    assert ((stored["respondent"] == anna) & (stored["question_id"] == "monitoring")).sum() == 1
    duplicate = (
        "duplicate of the response at row 2 of Legal sign-off(1-1).xlsx (same Email Address); "
        "the newer counts"
    )
    assert (2, "Email Address", None, f"answer to legal_blocker not counted: a {duplicate}") in rejected(frames)  # fmt: skip
    assert (2, "legal_blocker", "legal", "Do you see a legal blocker to production?", duplicate) in refused(frames)  # fmt: skip
    # Each export is a recorded input of its own, with its fingerprint.
    inputs = frames["raw_evidence_inputs"]
    surveys = inputs[inputs["evidence_kind"] == "survey"]
    assert sorted(surveys["source"]) == sorted([str(BLOCKERS), str(xlsx)])
    assert surveys["fingerprint"].str.len().eq(64).all()
    rows_rejected = dict(zip(surveys["source"], surveys["rows_rejected"], strict=True))
    assert int(rows_rejected[str(BLOCKERS)]) >= 1


def test_without_timestamps_the_later_export_in_the_list_counts(tmp_path: Path) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("respondent,group,question,answer\nAnna@Example.com,legal,on_call,2\n")
    second.write_text("respondent,group,question,answer\nanna@example.com ,legal,on_call,5\n")
    frames = collect(BANK, {"path": str(first)}, {"path": str(second)})
    assert [(r["source"], r["answer_value"]) for r in records(frames["raw_survey_answers"])] == [
        (str(second), 5.0)
    ]
    assert rejected(frames) == [
        (2, "respondent", None,
         "answer to on_call not counted: a duplicate of the answer at row 2 of second.csv "
         "(same respondent); the later export in the survey list counts"),
    ]  # fmt: skip


def test_pseudonyms_are_keyed_hmacs_of_the_normalised_identity() -> None:
    import hashlib
    import hmac

    frames = collect(path=str(FIXTURES / "long.csv"))
    stored = set(frames["raw_survey_answers"]["respondent"])
    email = "anna.schmidt@example.com"
    assert pseudonym(SALT, email) in stored
    assert pseudonym(SALT, " Anna.Schmidt@EXAMPLE.com ") == pseudonym(SALT, email)
    # Not recomputable from the email alone: no plain or salted hash, no HMAC without the key.
    guesses = {
        hashlib.sha256(email.encode()).hexdigest(),
        hashlib.sha256((SALT + email).encode()).hexdigest(),
        hashlib.sha256(("change-me" + email).encode()).hexdigest(),
        hmac.new(b"", email.encode(), hashlib.sha256).hexdigest(),
        hmac.new(b"change-me", email.encode(), hashlib.sha256).hexdigest(),
    }
    assert not {g[:16] for g in guesses} & stored
    assert pseudonym(SALT, email) == hmac.new(SALT.encode(), email.encode(), hashlib.sha256).hexdigest()[:16]  # fmt: skip


def test_the_respondent_key_is_set_generated_once_or_the_examples(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import stat

    from pydantic import SecretStr

    from core.settings import EXAMPLE_PORTFOLIO, EXAMPLE_SURVEY_KEY, Settings

    home = tmp_path / "home"
    settings = Settings(home=home, survey_key=None)
    portfolio = tmp_path / "mine" / "portfolio.yml"
    with caplog.at_level("WARNING", logger="core.settings"):
        key = settings.respondent_key(portfolio)
        again = settings.respondent_key(portfolio)
    assert key == again and len(key) == 64
    path = home / "survey.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    said = [r.getMessage() for r in caplog.records if "survey.key" in r.getMessage()]
    assert len(said) == 1 and "Generated" in said[0]  # said once, on creation
    # A key file others could read is made owner-only.
    path.chmod(0o644)
    assert settings.respondent_key(portfolio) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The bundled example (made-up people) uses its public example key; a set key wins always.
    assert settings.respondent_key(EXAMPLE_PORTFOLIO) == EXAMPLE_SURVEY_KEY
    chosen = Settings(home=home, survey_key=SecretStr("a-long-secret"))
    assert (
        chosen.respondent_key(portfolio)
        == chosen.respondent_key(EXAMPLE_PORTFOLIO)
        == "a-long-secret"
    )
    # The placeholder of the old default never counts as a key.
    assert Settings(home=home, survey_key=SecretStr("change-me")).respondent_key(portfolio) == key


def test_the_old_salt_setting_is_still_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from core.settings import Settings

    monkeypatch.delenv("READINESS_SURVEY_KEY", raising=False)
    monkeypatch.setenv("READINESS_SURVEY_SALT", "old-secret")
    assert Settings(home=tmp_path).respondent_key(tmp_path / "p.yml") == "old-secret"
    monkeypatch.setenv("READINESS_SURVEY_KEY", "new-secret")
    assert Settings(home=tmp_path).respondent_key(tmp_path / "p.yml") == "new-secret"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/03/04 10:15:22 AM GMT+1", datetime(2025, 3, 4, 9, 15, 22)),  # Google Forms
        ("2025/03/04 4:12:30 PM GMT-5:30", datetime(2025, 3, 4, 21, 42, 30)),
        ("2025/03/04 10:15:22 AM GMT", datetime(2025, 3, 4, 10, 15, 22)),
        ("2017-07-18 08:28:48", datetime(2017, 7, 18, 8, 28, 48)),  # Qualtrics RecordedDate
        ("2025-03-04T09:03:40", datetime(2025, 3, 4, 9, 3, 40)),  # Microsoft Forms, as read
        ("2025-03-04T09:03:40+02:00", datetime(2025, 3, 4, 7, 3, 40)),
        ("04/03/2025 10:15:22", None),  # day or month first: ambiguous, not used
        ("", None),
        ("soon", None),
    ],
)
def test_response_timestamps_as_the_tools_write_them(text: str, expected: datetime | None) -> None:
    from flows.evidence.survey import recorded_at

    assert recorded_at(text) == expected


def test_qualtrics_recorded_date_decides_between_two_exports(tmp_path: Path) -> None:
    """The real export, re-downloaded later with the response edited: the newer one counts."""
    lines = (QUALTRICS / "sample.csv").read_text(encoding="utf-8-sig").splitlines()
    newer = (
        lines[3]
        .replace("2017-07-18 08:28:48,R_", "2017-07-19 10:00:00,R_")
        .replace(",DE,2,", ",DE,4,")
    )
    later = tmp_path / "later.csv"
    later.write_text("\n".join([*lines[:3], newer]) + "\n", encoding="utf-8")
    entry = {"format": "qualtrics", "group": "compliance"}
    frames = collect(
        qualtrics_bank(),
        {"path": str(later), **entry},
        {"path": str(QUALTRICS / "sample.csv"), **entry},
    )
    assert [(r["source"], r["answer_value"]) for r in records(frames["raw_survey_answers"])] == [
        (str(later), 4.0)
    ]
    assert (
        4, "ResponseId", None,
        "response not counted: a duplicate of the response at row 4 of later.csv "
        "(same ResponseId); the newer counts",
    ) in rejected(frames)  # fmt: skip
