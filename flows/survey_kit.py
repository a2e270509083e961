"""The survey kit: the question bank as the survey tools import it, so answers read back exactly.

``readiness survey export --format FORMAT`` writes one of:

- ``qualtrics``: a Qualtrics survey file (``.qsf``, Tools > Import/Export > Import Survey). Each
  question's export tag is its bank id, so the export's first header row names the questions;
- ``google-forms``: a Google Apps Script (``.gs``) that creates the form (script.google.com, paste,
  run ``createReadinessSurvey``). Item titles are the bank's question texts;
- ``ms-forms``: a Word document laid out for Microsoft Forms' Quick Import (numbered questions,
  lettered options);
- ``markdown`` and ``pdf``: a printable questionnaire, answers typed into our long CSV.

Every format asks first which team the respondent is in, then each question with its answer
scale exactly as the bank reads it back (the Likert labels of the bank's ``scale_points``, or
the question's own ``scale``); a blocker question is answered "Yes" or "No" followed by the
reason ("Yes - the impact assessment is not done"). :func:`survey_entry` is the
``evidence.survey`` entry that reads the tool's export of this survey.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from flows.config import STAKEHOLDER_GROUPS, Question, QuestionBank
from flows.evidence.likert import LIKERT_5, LIKERT_7

GROUP_QUESTION = "Which team are you in?"
GROUP_LABELS: dict[str, str] = {
    "legal": "Legal",
    "compliance": "Compliance",
    "it_security": "IT & Security",
    "operations": "Operations",
    "business_sponsor": "Business sponsor",
    "affected_team": "Affected team (I use the tool)",
    "data_science": "Data science",
}
BLOCKER_HELP = (
    "Answer Yes or No. After a Yes, say why on the same line, e.g. "
    "'Yes - the data protection impact assessment is not done'."
)
FORMATS = ("qualtrics", "google-forms", "ms-forms", "markdown", "pdf")
SUFFIX = {
    "qualtrics": ".qsf",
    "google-forms": ".gs",
    "ms-forms": ".docx",
    "markdown": ".md",
    "pdf": ".pdf",
}
TOOL_FORMAT = {
    "qualtrics": "qualtrics",
    "google-forms": "google_forms",
    "ms-forms": "ms_forms",
    "markdown": "long_csv",
    "pdf": "long_csv",
}


def answers(question: Question, bank: QuestionBank) -> list[str] | None:
    """A question's answer choices as the reader accepts them, lowest first; None for free text."""
    if question.kind == "blocker":
        return None
    if question.scale is not None:
        return [str(label) for label in question.scale]
    points = question.scale_points or bank.scale_points
    scale = LIKERT_7 if points == 7 else LIKERT_5
    return [label[:1].upper() + label[1:] for label in sorted(scale, key=scale.__getitem__)]


def asked_of(question: Question) -> str:
    """Who a question is for, in words."""
    return f"For {GROUP_LABELS[question.group]}." if question.group else "For everyone."


def reason_question(question: Question) -> str | None:
    """The free-text question that carries a blocker's reason, when the bank names one."""
    return question.reason_column if question.kind == "blocker" else None


@dataclass(frozen=True)
class Kit:
    """One export of the survey: its bytes and the suffix of its file."""

    content: bytes
    suffix: str


# --- Qualtrics ----------------------------------------------------------------------------------


def qualtrics(bank: QuestionBank, title: str) -> bytes:
    """A ``.qsf`` survey: one block, the group question first, every question tagged by its id."""
    survey_id = "SV_readiness"
    elements: list[dict[str, object]] = []
    questions: list[dict[str, object]] = []

    def add(qid: str, tag: str, text: str, choices: list[str] | None, note: str) -> None:
        payload: dict[str, object] = {
            "QuestionText": text,
            "DataExportTag": tag,
            "QuestionID": qid,
            "QuestionDescription": text,
            "Configuration": {"QuestionDescriptionOption": "UseText"},
            "Validation": {"Settings": {"ForceResponse": "OFF", "Type": "None"}},
            "Language": [],
            "DataVisibility": {"Private": False, "Hidden": False},
        }
        if choices is None:
            payload.update(
                QuestionType="TE",
                Selector="SL",
                DefaultChoices=False,
                QuestionText=f"{text}<br><small>{note}</small>" if note else text,
            )
            payload["QuestionDescription"] = text
        else:
            numbered = {str(i + 1): {"Display": c} for i, c in enumerate(choices)}
            payload.update(
                QuestionType="MC",
                Selector="SAVR",
                SubSelector="TX",
                Choices=numbered,
                ChoiceOrder=[str(i + 1) for i in range(len(choices))],
                NextChoiceId=len(choices) + 1,
                NextAnswerId=1,
            )
        questions.append(
            {
                "SurveyID": survey_id,
                "Element": "SQ",
                "PrimaryAttribute": qid,
                "SecondaryAttribute": text[:100],
                "TertiaryAttribute": None,
                "Payload": payload,
            }
        )

    add("QID1", "group", GROUP_QUESTION, [GROUP_LABELS[g] for g in STAKEHOLDER_GROUPS], "")
    number = 1
    for question in bank.questions:
        number += 1
        note = BLOCKER_HELP if question.kind == "blocker" else ""
        add(f"QID{number}", question.id, question.text, answers(question, bank), note)
        reason = reason_question(question)
        if reason:
            number += 1
            add(f"QID{number}", reason, reason, None, "")
    block = {
        "Type": "Default",
        "Description": "Readiness survey",
        "ID": "BL_readiness",
        "BlockElements": [
            {"Type": "Question", "QuestionID": q["PrimaryAttribute"]} for q in questions
        ],
    }
    elements.append(
        {
            "SurveyID": survey_id,
            "Element": "BL",
            "PrimaryAttribute": "Survey Blocks",
            "SecondaryAttribute": None,
            "TertiaryAttribute": None,
            "Payload": [block],
        }
    )
    elements.append(
        {
            "SurveyID": survey_id,
            "Element": "FL",
            "PrimaryAttribute": "Survey Flow",
            "SecondaryAttribute": None,
            "TertiaryAttribute": None,
            "Payload": {
                "Flow": [{"ID": "BL_readiness", "Type": "Block", "FlowID": "FL_2"}],
                "Properties": {"Count": 2},
                "FlowID": "FL_1",
                "Type": "Root",
            },
        }
    )
    elements.append(
        {
            "SurveyID": survey_id,
            "Element": "QC",
            "PrimaryAttribute": "Survey Question Count",
            "SecondaryAttribute": str(len(questions)),
            "TertiaryAttribute": None,
            "Payload": None,
        }
    )
    document = {
        "SurveyEntry": {
            "SurveyID": survey_id,
            "SurveyName": title,
            "SurveyDescription": None,
            "SurveyLanguage": "EN",
            "SurveyStatus": "Inactive",
        },
        "SurveyElements": elements + questions,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- Google Forms -------------------------------------------------------------------------------


def _js(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def google_forms(bank: QuestionBank, title: str) -> bytes:
    """An Apps Script that creates the form: item titles are the bank's texts, choices its scale."""
    lines = [
        "// Creates the readiness survey in Google Forms: open https://script.google.com, make a",
        "// new project, paste this file, run createReadinessSurvey, and open the form it logs.",
        "// Generated by `readiness survey export --format google-forms`; do not edit the titles",
        "// or the choices: the question bank reads the form's responses CSV back by them.",
        "function createReadinessSurvey() {",
        f"  var form = FormApp.create({_js(title)});",
        "  form.setCollectEmail(true);  // one respondent, one pseudonym, across exports",
        "  form.addMultipleChoiceItem()",
        f"    .setTitle({_js(GROUP_QUESTION)})",
        f"    .setChoiceValues({_js_list([GROUP_LABELS[g] for g in STAKEHOLDER_GROUPS])})",
        "    .setRequired(true);",
    ]
    for question in bank.questions:
        choices = answers(question, bank)
        if choices is None:
            lines += [
                "  form.addTextItem()",
                f"    .setTitle({_js(question.text)})",
                f"    .setHelpText({_js(asked_of(question) + ' ' + BLOCKER_HELP)});",
            ]
        else:
            lines += [
                "  form.addMultipleChoiceItem()",
                f"    .setTitle({_js(question.text)})",
                f"    .setHelpText({_js(asked_of(question))})",
                f"    .setChoiceValues({_js_list(choices)});",
            ]
        reason = reason_question(question)
        if reason:
            lines += ["  form.addParagraphTextItem()", f"    .setTitle({_js(reason)});"]
    lines += ["  Logger.log(form.getEditUrl());", "}", ""]
    return "\n".join(lines).encode("utf-8")


def _js_list(values: list[str]) -> str:
    return "[" + ", ".join(_js(v) for v in values) + "]"


# --- Microsoft Forms ----------------------------------------------------------------------------


def ms_forms(bank: QuestionBank, title: str) -> bytes:
    """A Word document in the layout Quick Import reads: numbered questions, lettered options."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.add_paragraph(title)
    number = 0

    def question_paragraph(text: str, choices: list[str] | None) -> None:
        nonlocal number
        number += 1
        document.add_paragraph(f"{number}. {text}")
        for index, choice in enumerate(choices or []):
            document.add_paragraph(f"{chr(ord('A') + index)}. {choice}")

    question_paragraph(GROUP_QUESTION, [GROUP_LABELS[g] for g in STAKEHOLDER_GROUPS])
    for question in bank.questions:
        question_paragraph(question.text, answers(question, bank))
        reason = reason_question(question)
        if reason:
            question_paragraph(reason, None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- printable ----------------------------------------------------------------------------------


def markdown(bank: QuestionBank, title: str) -> bytes:
    """A printable questionnaire; typed answers go into the long CSV under each question's id."""
    lines = [
        f"# {title}",
        "",
        "Answers are typed into a CSV with the columns `respondent,group,question,answer,comment`",
        "(one line per answer; `question` is the id in brackets, `group` the team below).",
        "",
        f"**{GROUP_QUESTION}** " + " / ".join(f"☐ {GROUP_LABELS[g]}" for g in STAKEHOLDER_GROUPS),
        "",
    ]
    for number, question in enumerate(bank.questions, start=1):
        choices = answers(question, bank)
        lines.append(f"{number}. **{question.text}** [`{question.id}`] — {asked_of(question)}")
        if choices is None:
            lines.append(f"   ☐ Yes ☐ No. {BLOCKER_HELP} Reason: ______________________")
        else:
            lines.append("   " + " ".join(f"☐ {c}" for c in choices))
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def pdf(bank: QuestionBank, title: str) -> bytes:
    """The printable questionnaire as a PDF."""
    from fpdf import FPDF

    from readmodel.fonts import FAMILY, use_unicode_fonts

    document = FPDF(format="A4")
    document.set_auto_page_break(auto=True, margin=15)
    document.add_page()
    # The reports' Unicode fonts (with the fallbacks the bank's texts need): a question pasted from
    # Word holds curly quotes and dashes, and a bank may be in any script.
    words = " ".join([title, GROUP_QUESTION, BLOCKER_HELP, *GROUP_LABELS.values()])
    words += " " + " ".join(f"{q.text} {' '.join(answers(q, bank) or [])}" for q in bank.questions)
    use_unicode_fonts(document, words)
    font = FAMILY
    document.set_font(font, size=14)
    document.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    document.set_font(font, size=10)
    document.multi_cell(
        0,
        5,
        f"{GROUP_QUESTION}  " + "   ".join(f"[ ] {GROUP_LABELS[g]}" for g in STAKEHOLDER_GROUPS),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for number, question in enumerate(bank.questions, start=1):
        document.ln(2)
        document.multi_cell(
            0,
            5,
            f"{number}. {question.text} [{question.id}] ({asked_of(question)})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        choices = answers(question, bank)
        text = (
            f"[ ] Yes   [ ] No   Reason: ____________________  ({BLOCKER_HELP})"
            if choices is None
            else "   ".join(f"[ ] {c}" for c in choices)
        )
        document.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


WRITERS: dict[str, Callable[[QuestionBank, str], bytes]] = {
    "qualtrics": qualtrics,
    "google-forms": google_forms,
    "ms-forms": ms_forms,
    "markdown": markdown,
    "pdf": pdf,
}


def export(bank: QuestionBank, fmt: str, title: str = "AI readiness survey") -> Kit:
    """The survey in one tool's import format."""
    return Kit(WRITERS[fmt](bank, title), SUFFIX[fmt])


def survey_entry(fmt: str, path: str) -> dict[str, object]:
    """The ``evidence.survey`` entry of a project that reads this survey's export."""
    entry: dict[str, object] = {"path": path, "format": TOOL_FORMAT[fmt]}
    if TOOL_FORMAT[fmt] != "long_csv":
        entry["group_question"] = GROUP_QUESTION
        entry["group_labels"] = {GROUP_LABELS[g]: g for g in STAKEHOLDER_GROUPS}
    return entry
