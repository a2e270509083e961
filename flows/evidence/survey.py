"""Stakeholder survey answers -> ``raw_survey_answers`` (and the bank -> ``raw_survey_questions``).

Four formats: our plain long CSV (one answer per line), and the exports of Qualtrics (CSV with
three header rows, or the legacy two), Google Forms (CSV) and Microsoft Forms (.xlsx), which hold
one response per row and one question per column. Every format is first turned into
:class:`RawAnswer` records; one shared step then scores them on their scale, pseudonymises the
respondent and refuses what does not fit, with the file, the line, the column and what was expected.

Privacy: respondents (names, emails, response ids) are stored only as a salted hash; IP addresses,
locations, names and emails are never copied into any row, rejected row or message.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.config import (
    STAKEHOLDER_GROUPS,
    LoadedProject,
    Question,
    QuestionBank,
    SurveyEvidence,
    fingerprint_file,
)
from flows.errors import EvidenceError
from flows.evidence import Context, Evidence, keep_valid_rows
from flows.evidence.likert import (
    AnswerError,
    group_id,
    infer_points,
    is_no_answer,
    normalise_label,
    parse_answer,
)

KIND = "survey"
TABLE = "raw_survey_answers"
LONG_CSV_REQUIRED: tuple[str, ...] = ("respondent", "group", "question", "answer")
PSEUDONYM_LENGTH = 16

# Columns the tools add around the questions: never questions, and some (IP address, location,
# names, emails) must never be stored.
QUALTRICS_META = frozenset(
    {
        "startdate",
        "enddate",
        "status",
        "ipaddress",
        "progress",
        "duration (in seconds)",
        "finished",
        "recordeddate",
        "responseid",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "externalreference",
        "externaldatareference",
        "locationlatitude",
        "locationlongitude",
        "locationaccuracy",
        "distributionchannel",
        "userlanguage",
        "responseset",
        "name",
        "emailaddress",
    }
)
# Qualtrics' Status codes (numeric and text exports) of responses that are not real answers.
QUALTRICS_NOT_REAL = {
    "1": "survey preview",
    "survey preview": "survey preview",
    "2": "survey test",
    "survey test": "survey test",
    "8": "spam",
    "spam": "spam",
}
GOOGLE_META = frozenset({"timestamp", "email address", "email", "username", "score"})
MS_FORMS_META = frozenset(
    {
        "id",
        "start time",
        "completion time",
        "email",
        "name",
        "last modified time",
        "total points",
        "quiz feedback",
        "grade posted time",
    }
)
_MS_FORMS_META_PREFIXES = ("points - ", "feedback - ")
_GRID_COLUMN = re.compile(r"^(?P<question>.*\S)\s*\[(?P<row>[^\]]+)\]$")


@dataclass(frozen=True)
class RawAnswer:
    """One answer as found in a file, before it is scored and pseudonymised."""

    line: int  # line in the CSV, or row in the sheet (headers count)
    column: str  # where the answer is, for rejected rows
    respondent: str  # raw identity: hashed before it is stored, never reported
    group: str
    question: Question
    answer: str
    comment: str | None = None


@dataclass
class Parsed:
    """What a format reader found: answers to score, and how many rows it read."""

    answers: list[RawAnswer] = field(default_factory=list)
    rows_read: int = 0


class QuestionIndex:
    """Finds a bank question by its id or by its text (case and spacing do not matter)."""

    def __init__(self, bank: QuestionBank) -> None:
        self.by_id = {q.id.casefold(): q for q in bank.questions}
        self.by_text = {normalise_label(q.text): q for q in bank.questions}

    def find(self, ref: str | None) -> Question | None:
        """The question whose id or text is ``ref``."""
        if ref is None or not ref.strip():
            return None
        return self.by_id.get(ref.strip().casefold()) or self.by_text.get(normalise_label(ref))


def collect_survey(
    context: Context, project: LoadedProject, bank: tuple[Path, QuestionBank] | None
) -> Evidence:
    """Read the project's survey export with its question bank; no survey gives no evidence."""
    evidence = Evidence()
    spec = project.project.evidence.survey
    if spec is None:
        return evidence
    path = project.resolve(spec.path)
    if bank is None:
        return evidence.record_unreadable(
            KIND,
            spec.path,
            path,
            "no question bank to interpret the answers: set evidence.survey.question_bank "
            "in the project, or question_bank in the portfolio",
        )
    bank_path, questions = bank
    evidence.add("raw_survey_questions", question_rows(questions))
    evidence.record_input(
        "question_bank",
        bank_path.name,
        bank_path,
        fingerprint=fingerprint_file(bank_path) if bank_path.is_file() else None,
        rows_read=len(questions.questions),
    )
    evidence.extend(read_survey(context, spec, path, questions))
    return evidence


def question_rows(bank: QuestionBank) -> list[dict[str, Any]]:
    """The bank as ``raw_survey_questions`` rows."""
    return [
        {
            "question_id": q.id,
            "question_text": q.text,
            "gap": q.gap,
            "stakeholder_group": q.group,
            "weight": q.weight,
            "kind": q.kind,
            "reverse": q.reverse,
            "topic": q.topic,
        }
        for q in bank.questions
    ]


def read_survey(context: Context, spec: SurveyEvidence, path: Path, bank: QuestionBank) -> Evidence:
    """One survey file in its format: answers, rejected rows and the input record."""
    batch = Evidence()
    reader = READERS[spec.format]
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        parsed = reader(batch, spec, path, QuestionIndex(bank))
    except (OSError, UnicodeDecodeError) as exc:
        return unreadable(spec, path, f"cannot read the file: {exc}")
    except csv.Error as exc:
        return unreadable(spec, path, f"not a valid CSV file: {exc}")
    except EvidenceError as exc:
        return unreadable(spec, path, exc.reason)
    rows, lines = score(batch, parsed.answers, path, context.survey_salt, spec.scale_points)
    valid = keep_valid_rows(batch, TABLE, rows, kind=KIND, source=path, row_numbers=lines)
    if valid:
        batch.add(TABLE, valid)
    batch.record_read(KIND, spec.path, path, parsed.rows_read)
    return batch


def unreadable(spec: SurveyEvidence, path: Path, reason: str) -> Evidence:
    """A batch holding only the record of an input that could not be read."""
    return Evidence().record_unreadable(KIND, spec.path, path, reason)


def pseudonym(salt: str, identity: str) -> str:
    """A respondent's stable, salted, truncated hash: the only form in which one is stored."""
    return hashlib.sha256((salt + identity).encode("utf-8")).hexdigest()[:PSEUDONYM_LENGTH]


def score(
    batch: Evidence,
    answers: list[RawAnswer],
    source: Path,
    salt: str,
    scale_points: int | None = None,
) -> tuple[list[dict[str, Any]], list[int]]:
    """Answers on their scale (declared, else inferred), pseudonymised; bad ones refused."""
    answers = [a for a in answers if not is_no_answer(a.answer)]
    points = scale_points or infer_points(a.answer for a in answers if a.question.kind == "likert")
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    first_line: dict[tuple[str, str], int] = {}
    for answer in answers:
        try:
            value, scale = parse_answer(answer.answer, answer.question.kind, points)
        except AnswerError as exc:
            batch.reject(
                KIND,
                source,
                f"question {answer.question.id}: {exc}",
                row=answer.line,
                column=answer.column,
                value=answer.answer,
            )
            continue
        respondent = pseudonym(salt, answer.respondent)
        key = (respondent, answer.question.id)
        if key in first_line:
            batch.reject(
                KIND,
                source,
                f"a second answer by the same respondent to question {answer.question.id} "
                f"(the first, at row {first_line[key]}, counts)",
                row=answer.line,
                column=answer.column,
                value=answer.answer,
            )
            continue
        first_line[key] = answer.line
        rows.append(
            {
                "respondent": respondent,
                "stakeholder_group": answer.group,
                "question_id": answer.question.id,
                "answer_value": float(value),
                "scale_points": scale,
                "comment": answer.comment or None,
                "source": str(source),
                "source_row": answer.line,
            }
        )
        lines.append(answer.line)
    return rows, lines


# --- files ------------------------------------------------------------------------------------


def read_csv_records(path: Path) -> list[tuple[int, list[str]]]:
    """Every CSV record with the line it starts on (a BOM, as Qualtrics writes, is dropped)."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    line = 0
    for cells in reader:
        start, line = line + 1, reader.line_num
        records.append((start, cells))
    return records


def blank(cells: list[str]) -> bool:
    """A record with nothing in it (a blank line is not a response)."""
    return not any(str(cell).strip() for cell in cells)


def cell(cells: list[str], index: int | None) -> str:
    """The stripped text of one cell, or empty when the row is short or there is no column."""
    if index is None or index >= len(cells):
        return ""
    return str(cells[index]).strip()


# --- long CSV ---------------------------------------------------------------------------------


def read_long_csv(
    batch: Evidence, spec: SurveyEvidence, path: Path, index: QuestionIndex
) -> Parsed:
    """``respondent,group,question,answer[,comment]``: one answer per line."""
    records = read_csv_records(path)
    if not records:
        raise EvidenceError(path, "the file is empty")
    columns = [h.strip().casefold() for h in records[0][1]]
    missing = [c for c in LONG_CSV_REQUIRED if c not in columns]
    if missing:
        raise EvidenceError(path, f"missing columns: {', '.join(missing)}")
    at = {name: columns.index(name) for name in (*LONG_CSV_REQUIRED, "comment") if name in columns}
    parsed = Parsed()
    for line, cells in records[1:]:
        if blank(cells):
            continue
        parsed.rows_read += 1
        respondent = cell(cells, at["respondent"])
        group_text = cell(cells, at["group"])
        question_text = cell(cells, at["question"])
        group = group_id(group_text)
        question = index.find(question_text)
        problems = False
        if not respondent:
            batch.reject(KIND, path, "expected a respondent id", row=line, column="respondent")
            problems = True
        if group is None:
            batch.reject(
                KIND,
                path,
                f"expected a stakeholder group: one of {', '.join(STAKEHOLDER_GROUPS)}",
                row=line,
                column="group",
                value=group_text,
            )
            problems = True
        if question is None:
            batch.reject(
                KIND,
                path,
                "expected the id or the text of a question of the question bank",
                row=line,
                column="question",
                value=question_text,
            )
            problems = True
        if problems or group is None or question is None:
            continue
        parsed.answers.append(
            RawAnswer(
                line=line,
                column="answer",
                respondent=respondent,
                group=group,
                question=question,
                answer=cell(cells, at["answer"]),
                comment=cell(cells, at.get("comment")) or None,
            )
        )
    return parsed


# --- tool exports: one response per row -------------------------------------------------------


@dataclass
class WideTable:
    """A tool export: column ids, question texts, and the responses with their line numbers."""

    ids: list[str]
    texts: list[str]
    import_ids: list[str]
    rows: list[tuple[int, list[str]]]

    def names(self, column: int) -> list[str]:
        """Every name a column goes by (id, question text, Qualtrics ImportId), lower case."""
        return [
            n.strip().casefold()
            for n in (self.ids[column], self.texts[column], self.import_ids[column])
            if n and n.strip()
        ]

    def find(self, *names: str) -> int | None:
        """The first column that goes by one of ``names`` (case-insensitive)."""
        wanted = {n.casefold() for n in names}
        for column in range(len(self.ids)):
            if wanted & set(self.names(column)):
                return column
        return None

    def label(self, column: int) -> str:
        """How a column is named in rejected rows: its id, and its text when that differs."""
        ident, text = self.ids[column].strip(), self.texts[column].strip()
        return ident if not text or text == ident else f"{ident} ({text})"


@dataclass(frozen=True)
class ExportRules:
    """What differs between the tools: metadata columns and where the respondent is."""

    is_meta: Callable[[WideTable, int], bool]
    respondent: Callable[[WideTable, list[str], int], str]
    match_question: Callable[[WideTable, int, QuestionIndex], Question | None]
    #: Why a response does not count (unfinished, preview...), or None when it counts.
    not_counted: Callable[[WideTable, list[str]], tuple[str, str, str] | None] = (
        lambda table, cells: None
    )
    #: The column that identifies a response (named when a response comes twice).
    respondent_column: str = "respondent"


def read_wide(
    batch: Evidence,
    spec: SurveyEvidence,
    path: Path,
    index: QuestionIndex,
    table: WideTable,
    rules: ExportRules,
) -> Parsed:
    """Turn a one-response-per-row export into answers, with the group of each response."""
    group_column = None
    if spec.group_question:
        group_column = table.find(spec.group_question)
        if group_column is None:
            raise EvidenceError(
                path, f"the group question {spec.group_question!r} is not a column of the export"
            )
    elif spec.group is None:
        raise EvidenceError(
            path,
            f"a {spec.format} export needs survey.group (when one group answered) or "
            "survey.group_question with group_labels",
        )
    questions: dict[int, Question] = {}
    for column in range(len(table.ids)):
        if column == group_column or rules.is_meta(table, column):
            continue
        if not table.ids[column].strip() and not table.texts[column].strip():
            continue  # the empty column after a trailing comma
        question = rules.match_question(table, column, index)
        if question is None:
            batch.reject(
                KIND,
                path,
                "skipped: the column matches no question of the bank (by id or text)",
                column=table.label(column),
            )
            continue
        questions[column] = question
    parsed = Parsed()
    first_seen: dict[str, int] = {}
    for line, cells in table.rows:
        if blank(cells):
            continue
        parsed.rows_read += 1
        refused = rules.not_counted(table, cells)
        group = ""
        if refused is None:
            found = response_group(spec, table, cells, group_column)
            if isinstance(found, str):
                group = found
            else:
                refused = found
        if refused is not None:
            where, value, reason = refused
            batch.reject(KIND, path, reason, row=line, column=where, value=value or None)
            continue
        respondent = rules.respondent(table, cells, line)
        if respondent in first_seen:
            # A response exported twice, or one person answering twice: the first counts. The
            # value is not stored, because it is an email or a response id.
            batch.reject(
                KIND,
                path,
                f"response not counted: a duplicate of the response at row "
                f"{first_seen[respondent]} (same {rules.respondent_column}); the first counts",
                row=line,
                column=rules.respondent_column,
            )
            continue
        first_seen[respondent] = line
        for column, question in questions.items():
            parsed.answers.append(
                RawAnswer(
                    line=line,
                    column=table.label(column),
                    respondent=respondent,
                    group=group,
                    question=question,
                    answer=cell(cells, column),
                )
            )
    return parsed


def response_group(
    spec: SurveyEvidence, table: WideTable, cells: list[str], column: int | None
) -> str | tuple[str, str, str]:
    """The stakeholder group of a response, or (column, value, reason) when it names none."""
    if column is None:
        return str(spec.group)
    answer = cell(cells, column)
    if not answer and spec.group:
        return spec.group
    labels = {normalise_label(label): group for label, group in spec.group_labels.items()}
    group = labels.get(normalise_label(answer)) or group_id(answer)
    if group:
        return group
    expected = ", ".join(repr(label) for label in spec.group_labels) or ", ".join(
        STAKEHOLDER_GROUPS
    )
    return (
        table.label(column),
        answer,
        f"response not counted: its group answer names no stakeholder group; expected one of {expected}",
    )


def match_by_names(table: WideTable, column: int, index: QuestionIndex) -> Question | None:
    """A bank question whose id or text is one of the column's names."""
    for name in (table.ids[column], table.import_ids[column], table.texts[column]):
        question = index.find(name)
        if question:
            return question
    return None


# --- Qualtrics --------------------------------------------------------------------------------


def read_qualtrics(
    batch: Evidence, spec: SurveyEvidence, path: Path, index: QuestionIndex
) -> Parsed:
    """Qualtrics CSV: ids, question texts and (current shape) ImportId JSON, then responses."""
    records = read_csv_records(path)
    if len(records) < 2:
        raise EvidenceError(path, "expected the header rows of a Qualtrics export")
    ids, texts = records[0][1], records[1][1]
    width = len(ids)
    third = records[2][1] if len(records) > 2 else []
    if any(c.strip().startswith('{"ImportId"') for c in third):
        import_ids = [import_id(c) for c in third]
        rows = records[3:]
    else:  # the legacy shape: V1..Vn ids, then labels
        import_ids = [""] * width
        rows = records[2:]
    table = WideTable(
        ids=pad(ids, width), texts=pad(texts, width), import_ids=pad(import_ids, width), rows=rows
    )
    rules = ExportRules(
        is_meta=qualtrics_meta,
        respondent=lambda t, cells, line: (
            cell(cells, t.find("responseid")) or f"{path.name}:row {line}"
        ),
        match_question=match_by_names,
        not_counted=qualtrics_not_counted,
        respondent_column="ResponseId",
    )
    return read_wide(batch, spec, path, index, table, rules)


def import_id(text: str) -> str:
    """``{"ImportId":"QID1"}`` -> ``QID1``."""
    try:
        value = json.loads(text)
    except ValueError:
        return ""
    return str(value.get("ImportId", "")) if isinstance(value, dict) else ""


def pad(values: list[str], width: int) -> list[str]:
    """A header row cut or filled to the width of the first one."""
    return [*values[:width], *([""] * (width - len(values)))]


def qualtrics_meta(table: WideTable, column: int) -> bool:
    """Qualtrics' own fields (legacy ``V1``..``Vn``, ``Q_`` scores) are not questions."""
    ident = table.ids[column].strip().casefold()
    if re.fullmatch(r"v\d+", ident) or ident.startswith("q_"):
        return True
    return bool(QUALTRICS_META & set(table.names(column)))


def qualtrics_not_counted(table: WideTable, cells: list[str]) -> tuple[str, str, str] | None:
    """Previews, tests and spam never count; unfinished responses count only at 100% progress."""
    status_column = table.find("status")
    status = cell(cells, status_column).casefold()
    if status in QUALTRICS_NOT_REAL:
        return (
            "Status",
            cell(cells, status_column),
            f"skipped: a {QUALTRICS_NOT_REAL[status]} response, not a real answer",
        )
    finished_column = table.find("finished")
    progress_column = table.find("progress")
    if finished_column is None and progress_column is None:
        return None
    finished = cell(cells, finished_column).casefold() in ("1", "true")
    progress = cell(cells, progress_column)
    try:
        complete = float(progress) >= 100
    except ValueError:
        complete = False
    if finished or complete:
        return None
    shown = f"Finished={cell(cells, finished_column) or '?'}, Progress={progress or '?'}"
    return (
        table.label(finished_column) if finished_column is not None else "Progress",
        cell(cells, finished_column),
        f"response not counted: unfinished ({shown}); expected Finished=1 or Progress=100",
    )


# --- Google Forms -----------------------------------------------------------------------------


def read_google_forms(
    batch: Evidence, spec: SurveyEvidence, path: Path, index: QuestionIndex
) -> Parsed:
    """Google Forms CSV: Timestamp, optional Email Address, then one column per question."""
    records = read_csv_records(path)
    if not records:
        raise EvidenceError(path, "the file is empty")
    header = records[0][1]
    table = WideTable(ids=header, texts=header, import_ids=[""] * len(header), rows=records[1:])
    if table.find("timestamp") is None:
        raise EvidenceError(path, "missing column: Timestamp (expected a Google Forms export)")
    rules = ExportRules(
        is_meta=lambda t, column: t.ids[column].strip().casefold() in GOOGLE_META,
        respondent=lambda t, cells, line: (
            cell(cells, t.find("email address", "email")) or f"{path.name}:row {line}"
        ),
        match_question=match_google_column,
        respondent_column="Email Address",
    )
    return read_wide(batch, spec, path, index, table, rules)


def match_google_column(table: WideTable, column: int, index: QuestionIndex) -> Question | None:
    """A column's question: by full header; a grid column ``Question [Row]`` also by its row."""
    question = index.find(table.ids[column])
    if question:
        return question
    grid = _GRID_COLUMN.match(table.ids[column].strip())
    return index.find(grid.group("row")) if grid else None


# --- Microsoft Forms --------------------------------------------------------------------------


def read_ms_forms(
    batch: Evidence, spec: SurveyEvidence, path: Path, index: QuestionIndex
) -> Parsed:
    """Microsoft Forms .xlsx: ID, Start time, Completion time, Email, Name, then the questions."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        # openpyxl's ways of saying "this is not an Excel workbook".
        raise EvidenceError(path, f"not a readable Excel (.xlsx) file: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        records = [
            (number, [excel_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    if not records:
        raise EvidenceError(path, "the first sheet is empty")
    header = records[0][1]
    table = WideTable(ids=header, texts=header, import_ids=[""] * len(header), rows=records[1:])
    if table.find("id") is None:
        raise EvidenceError(path, "missing column: ID (expected a Microsoft Forms export)")
    rules = ExportRules(
        is_meta=ms_forms_meta,
        respondent=ms_forms_respondent,
        match_question=lambda t, column, idx: idx.find(t.ids[column]),
        respondent_column="Email or ID",
    )
    return read_wide(batch, spec, path, index, table, rules)


def excel_text(value: Any) -> str:
    """A cell as text: whole numbers without ``.0``, dates in ISO form, empty for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def ms_forms_meta(table: WideTable, column: int) -> bool:
    """Forms' own columns, including a quiz's points and feedback columns."""
    name = table.ids[column].strip().casefold()
    return name in MS_FORMS_META or name.startswith(_MS_FORMS_META_PREFIXES)


def ms_forms_respondent(table: WideTable, cells: list[str], line: int) -> str:
    """The email when Forms recorded one (it writes ``anonymous`` otherwise), else the response ID."""
    email = cell(cells, table.find("email"))
    if email and email.casefold() != "anonymous":
        return email
    return f"ms_forms:{cell(cells, table.find('id')) or f'row {line}'}"


Reader = Callable[[Evidence, SurveyEvidence, Path, QuestionIndex], Parsed]
READERS: dict[str, Reader] = {
    "long_csv": read_long_csv,
    "qualtrics": read_qualtrics,
    "google_forms": read_google_forms,
    "ms_forms": read_ms_forms,
}
