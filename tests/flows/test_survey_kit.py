"""The survey kit round trip: export the bank for a tool, answer it in that tool's export shape,
read it back with the survey reader, and find every answer mapped to its question and scale.

The tools themselves do not run here (they are web services), so each export is filled in
exactly as the tool writes its responses, from what the kit produced: the Google Apps Script is
run by Node with a recorder standing in for FormApp (so the titles are the ones the script
really sets), the ``.qsf`` gives Qualtrics' three header rows, and the ``.docx`` is read back with
python-docx for the Microsoft Forms workbook's columns.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from flows import survey_kit
from flows.config import Question, QuestionBank, SurveyEvidence
from flows.evidence import Context
from flows.evidence.survey import read_survey

CONTEXT = Context("run-1", "proj", datetime(2026, 11, 20, tzinfo=UTC), survey_key="k")
BANK = QuestionBank(
    scale_points=5,
    questions=[
        Question(id="sa_legal", text="The legal basis is clear.", gap="stakeholder_alignment",
                 group="legal"),
        Question(id="sa_block", text="Is there a legal blocker?", gap="stakeholder_alignment",
                 group="legal", kind="blocker"),
        Question(id="ev_stage", text="How far is the evaluation suite?", gap="evaluation",
                 scale=["Not started", "In progress", "Done"]),
        Question(id="mt_oncall", text="An on-call rotation covers this service.",
                 gap="maintenance", topic="on_call"),
    ],
)  # fmt: skip
#: One respondent per group: (group label, answers by question id).
RESPONSES: list[tuple[str, dict[str, str]]] = [
    ("Legal", {"sa_legal": "Agree", "sa_block": "Yes - the DPIA is not done",
               "ev_stage": "In progress", "mt_oncall": "Disagree"}),
    ("Operations", {"sa_legal": "", "sa_block": "", "ev_stage": "Done",
                    "mt_oncall": "Strongly agree"}),
]  # fmt: skip
EXPECTED = {  # (group, question) -> (answer_value, comment)
    ("legal", "sa_legal"): (4.0, None),
    ("legal", "sa_block"): (1.0, "the DPIA is not done"),
    ("legal", "ev_stage"): (2.0, None),
    ("legal", "mt_oncall"): (2.0, None),
    ("operations", "ev_stage"): (3.0, None),
    ("operations", "mt_oncall"): (5.0, None),
}
#: A stand-in for FormApp that records what the script creates (Node runs it).
RECORDER = (Path(__file__).parents[1] / "fixtures" / "survey" / "formapp_recorder.js").read_text()


def read_back(fmt: str, path: Path) -> dict[tuple[str, str], tuple[float, str | None]]:
    spec = SurveyEvidence.model_validate(survey_kit.survey_entry(fmt, str(path)))
    evidence = read_survey(CONTEXT, spec, path, BANK)
    rejected = evidence.tables.get("raw_rejected_rows", [])
    assert not [r for r in rejected if "skipped" not in r["reason"]], rejected
    return {
        (a["stakeholder_group"], a["question_id"]): (a["answer_value"], a["comment"])
        for a in evidence.tables["raw_survey_answers"]
    }


def choices_of(question_id: str) -> list[str] | None:
    question = next(q for q in BANK.questions if q.id == question_id)
    return survey_kit.answers(question, BANK)


def test_every_answer_choice_is_on_the_scale_the_reader_applies() -> None:
    assert choices_of("sa_legal") == [
        "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"
    ]  # fmt: skip
    assert choices_of("ev_stage") == ["Not started", "In progress", "Done"]
    assert choices_of("sa_block") is None  # typed: "Yes - <reason>"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs the Apps Script")
def test_google_forms_round_trip(tmp_path: Path) -> None:
    script = survey_kit.export(BANK, "google-forms").content.decode()
    runner = tmp_path / "run.js"
    runner.write_text(
        RECORDER + script + "\ncreateReadinessSurvey();\nconsole.log(JSON.stringify(items));\n"
    )
    items = json.loads(subprocess.run(["node", str(runner)], check=True, capture_output=True,
                                      text=True, timeout=60).stdout)  # fmt: skip
    titles = [i["title"] for i in items]
    assert titles[0] == survey_kit.GROUP_QUESTION
    assert titles[1:] == [q.text for q in BANK.questions]
    for item, question in zip(items[1:], BANK.questions, strict=True):
        assert item["choices"] == choices_of(question.id)
    by_title = {q.text: q.id for q in BANK.questions}
    path = tmp_path / "responses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Timestamp", "Email Address", *titles])
        for n, (group, answers) in enumerate(RESPONSES):
            writer.writerow(
                [f"2026/11/1{n} 10:00:00 AM GMT+1", f"person{n}@example.org", group,
                 *(answers[by_title[t]] for t in titles[1:])]
            )  # fmt: skip
    assert read_back("google-forms", path) == EXPECTED


def test_qualtrics_round_trip(tmp_path: Path) -> None:
    qsf = json.loads(survey_kit.export(BANK, "qualtrics").content)
    questions = [e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "SQ"]
    assert [q["DataExportTag"] for q in questions] == ["group", *(q.id for q in BANK.questions)]
    block = next(e for e in qsf["SurveyElements"] if e["Element"] == "BL")["Payload"][0]
    assert [b["QuestionID"] for b in block["BlockElements"]] == [q["QuestionID"] for q in questions]
    meta = ["StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate", "ResponseId"]
    path = tmp_path / "qualtrics.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([*meta, *(q["DataExportTag"] for q in questions)])
        writer.writerow([*meta, *(q["QuestionDescription"] for q in questions)])
        writer.writerow(
            [*(json.dumps({"ImportId": m.casefold()}) for m in meta),
             *(json.dumps({"ImportId": q["QuestionID"]}) for q in questions)]
        )  # fmt: skip
        for n, (group, answers) in enumerate(RESPONSES):
            cells = []
            for q in questions:
                value = group if q["DataExportTag"] == "group" else answers[q["DataExportTag"]]
                if "Choices" in q and value:  # choice text export: the chosen label
                    assert value in [c["Display"] for c in q["Choices"].values()]
                cells.append(value)
            when = f"2026-11-1{n} 10:00:00"
            writer.writerow([when, when, "0", "100", "1", when, f"R_kit{n}", *cells])
    assert read_back("qualtrics", path) == EXPECTED


def test_ms_forms_round_trip(tmp_path: Path) -> None:
    from docx import Document

    document_path = tmp_path / "quick_import.docx"
    document_path.write_bytes(survey_kit.export(BANK, "ms-forms").content)
    paragraphs = [p.text for p in Document(str(document_path)).paragraphs]
    numbered = [re.sub(r"^\d+\. ", "", p) for p in paragraphs if re.match(r"^\d+\. ", p)]
    assert numbered == [survey_kit.GROUP_QUESTION, *(q.text for q in BANK.questions)]
    options = [p for p in paragraphs if re.match(r"^[A-Z]\. ", p)]
    assert "A. Legal" in options and "C. Done" in options
    by_title = {q.text: q.id for q in BANK.questions}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                  *numbered])  # fmt: skip
    for n, (group, answers) in enumerate(RESPONSES):
        when = datetime(2026, 11, 10 + n, 10)
        sheet.append([n + 1, when, when, "anonymous", "", None, group,
                      *(answers[by_title[t]] or None for t in numbered[1:])])  # fmt: skip
    path = tmp_path / "forms.xlsx"
    workbook.save(path)
    assert read_back("ms-forms", path) == EXPECTED


@pytest.mark.parametrize("fmt", ["markdown", "pdf"])
def test_printable_questionnaire_round_trip(fmt: str, tmp_path: Path) -> None:
    content = survey_kit.export(BANK, fmt).content
    if fmt == "pdf":
        import io

        from pypdf import PdfReader

        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    else:
        text = content.decode()
    text = " ".join(text.split())
    for question in BANK.questions:
        assert question.id in text and question.text in text
        for choice in choices_of(question.id) or ["Yes", "No"]:
            assert choice in text
    path = tmp_path / "answers.csv"
    rows: list[dict[str, Any]] = []
    for n, (group, answers) in enumerate(RESPONSES):
        for question_id, answer in answers.items():
            if answer:
                rows.append({"respondent": f"r{n}", "group": group, "question": question_id,
                             "answer": answer})  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["respondent", "group", "question", "answer"])
        writer.writeheader()
        writer.writerows(rows)
    assert read_back(fmt, path) == EXPECTED


def test_the_printed_entry_reads_the_tools_export() -> None:
    entry = survey_kit.survey_entry("google-forms", "survey/responses.csv")
    spec = SurveyEvidence.model_validate(yaml.safe_load(yaml.safe_dump(entry)))
    assert spec.format == "google_forms" and spec.group_question == survey_kit.GROUP_QUESTION
    assert spec.group_labels["IT & Security"] == "it_security"


def test_the_printable_pdf_takes_any_script_and_typographic_quotes() -> None:
    import io

    from pypdf import PdfReader

    bank = QuestionBank(
        questions=[
            Question(id="q1", text="The team’s “go-live” plan – is it ready?", gap="evaluation"),
            Question(id="q2", text="Η ομάδα είναι έτοιμη; 团队准备好了吗？", gap="evaluation"),
        ]
    )
    content = survey_kit.export(bank, "pdf").content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = text.replace("\x00", "")  # pypdf puts NULs between glyphs of a fallback font
    assert "“go-live”" in text and "ομάδα" in text and "团队" in text


@pytest.mark.parametrize(
    ("bank", "expected"),
    [
        ("questions:\n  - {id: q1, text: x, gap: evaluation, weight: lots}\n", "line 3"),
        ("questions: [\n", "not valid YAML"),
        ("questions:\n  - {id: q1, text: x, gap: nowhere}\n", "questions.0.gap"),
    ],
)
def test_a_wrong_bank_gets_file_key_and_line_and_no_traceback(
    tmp_path: Path, bank: str, expected: str
) -> None:
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.hostile.harness import CANARY, laughs

    path = tmp_path / "bank.yml"
    path.write_text(f"# {CANARY}\n{bank}")
    result = CliRunner().invoke(app, ["survey", "export", "--format", "markdown", "--bank",
                                      str(path), "--output", str(tmp_path / "s.md")])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and expected in result.output, result.output
    assert "Traceback" not in result.output and CANARY not in result.output
    assert not (tmp_path / "s.md").exists()
    path.write_text(laughs())
    result = CliRunner().invoke(app, ["survey", "export", "--format", "pdf", "--bank", str(path)])
    assert result.exit_code == 2 and "refused" in result.output and CANARY not in result.output
