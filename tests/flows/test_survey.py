"""Survey answers from our long CSV and the real exports of Qualtrics, Google Forms and MS Forms."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
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
    assert stored["respondent"].iloc[-1] == pseudonym(SALT, anonymous(FIXTURES / "google_forms.csv", 5))
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
            ]
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
        ("latin1.csv", "respondent,group,question,answer\nJürgen", {}, "cannot read the file"),
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
