"""Stakeholder survey answers -> ``raw_survey_answers`` (and the bank -> ``raw_survey_questions``).

Four formats: our plain long CSV (one answer per line), and the exports of Qualtrics (CSV with
three header rows, or the legacy two), Google Forms (CSV) and Microsoft Forms (.xlsx), which hold
one response per row and one question per column. A project may have several exports (one per
tool or group): each is first turned into :class:`RawAnswer` records; one shared step then scores
them on their declared scale, pseudonymises the respondent and refuses what does not fit, with the
file, the line, the column and what was expected. One person in two exports is one respondent:
their newest answer counts (by the export's own timestamp, else the later export in the list).

Privacy: respondents (names, emails, response ids) are stored only as a keyed HMAC of their
normalised identity; IP addresses, locations, names and emails are never copied into any row,
rejected row or message, and free text (comments, blocker reasons) is stored redacted.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import EvidenceError, reading_failure
from flows.answer_labels import normalise_label
from flows.config import (
    STAKEHOLDER_GROUPS,
    LoadedProject,
    Question,
    QuestionBank,
    SurveyEvidence,
    fingerprint_file,
)
from flows.evidence import Context, Evidence, keep_valid_rows
from flows.evidence.likert import (
    AnswerError,
    group_id,
    is_no_answer,
    parse_answer,
)
from flows.privacy import redact
from flows.sources.lines import decode_lines

KIND = "survey"
TABLE = "raw_survey_answers"
REFUSED = "raw_survey_refused"
LONG_CSV_REQUIRED: tuple[str, ...] = ("respondent", "group", "question", "answer")
LONG_CSV_TIMESTAMPS: tuple[str, ...] = ("timestamp", "recorded_at", "submitted_at")
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
    #: When the response was recorded, by the export's own timestamp (UTC), if it has one.
    recorded_at: dt.datetime | None = None


@dataclass
class Parsed:
    """What a format reader found: answers to score, and how many rows it read."""

    answers: list[RawAnswer] = field(default_factory=list)
    rows_read: int = 0
    #: The column that identifies a response (named when a response counts twice).
    respondent_column: str = "respondent"
    #: What one row of the file is: a "response" (tool exports) or one "answer" (long CSV).
    row_is: str = "response"


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
    """Read every survey export of the project with its question bank; none gives no evidence."""
    evidence = Evidence()
    specs = project.project.evidence.survey
    if not specs:
        return evidence
    if bank is None:
        for spec in specs:
            evidence.record_unreadable(
                KIND,
                spec.path,
                project.resolve(spec.path),
                "no question bank to interpret the answers: set evidence.survey.question_bank "
                "in the project, or question_bank in the portfolio",
            )
        return evidence
    bank_path, questions = bank
    evidence.add("raw_survey_questions", question_rows(questions))
    evidence.record_input(
        "question_bank",
        bank_path.name,
        bank_path,
        fingerprint=fingerprint_file(bank_path) if bank_path.is_file() else None,
        rows_read=len(questions.questions),
    )
    exports = [
        read_export(spec, project.resolve(spec.path), questions, order)
        for order, spec in enumerate(specs)
    ]
    scored = [s for export in exports for s in export.scored]
    for loser, winner in duplicates(scored):
        exports[loser.order].lost.append((loser, winner))
    for export in exports:
        evidence.extend(export.finish(context.survey_key))
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
    """One survey file on its own: answers, rejected rows and the input record."""
    return read_export(spec, path, bank, 0).finish(context.survey_key)


@dataclass
class Score:
    """An answer on its scale, with where it came from (to find the newest of duplicates)."""

    answer: RawAnswer
    identity: str  # normalised, not yet hashed
    value: int
    points: int
    score: float | None
    comment: str | None
    order: int  # the export's place in the project's survey list
    source: Path


@dataclass
class Export:
    """One export read and scored, waiting for answers that another export's newer ones beat."""

    spec: SurveyEvidence
    path: Path
    batch: Evidence
    parsed: Parsed | None
    scored: list[Score] = field(default_factory=list)
    lost: list[tuple[Score, Score]] = field(default_factory=list)

    def finish(self, key: str) -> Evidence:
        """The export's rows (duplicates refused), rejected rows, refusals and input record."""
        if self.parsed is None:
            return self.batch
        losers = {id(loser): winner for loser, winner in self.lost}
        refuse_duplicates(self.batch, self.parsed, self.scored, self.lost)
        kept = [s for s in self.scored if id(s) not in losers]
        rows = [answer_row(s, key) for s in kept]
        valid = keep_valid_rows(
            self.batch,
            TABLE,
            rows,
            kind=KIND,
            source=self.path,
            row_numbers=[s.answer.line for s in kept],
        )
        if valid:
            self.batch.add(TABLE, valid)
        self.batch.record_read(KIND, self.spec.path, self.path, self.parsed.rows_read)
        return self.batch


def read_export(spec: SurveyEvidence, path: Path, bank: QuestionBank, order: int) -> Export:
    """Read one export in its format and score its answers (duplicates are found later)."""
    batch = Evidence()
    reader = READERS[spec.format]
    try:
        if not path.is_file():
            raise EvidenceError(path, "file not found")
        parsed = reader(batch, spec, path, QuestionIndex(bank))
    except (OSError, UnicodeDecodeError) as exc:
        return Export(spec, path, unreadable(spec, path, f"cannot read the file: {exc}"), None)
    except csv.Error as exc:
        return Export(spec, path, unreadable(spec, path, f"not a valid CSV file: {exc}"), None)
    except EvidenceError as exc:
        return Export(spec, path, unreadable(spec, path, exc.reason), None)
    except Exception as exc:  # a file no check foresaw must not stop the project (see the log)
        return Export(spec, path, unreadable(spec, path, reading_failure(exc, path)), None)
    export = Export(spec, path, batch, parsed)
    points = spec.scale_points or bank.scale_points
    export.scored = score(batch, parsed.answers, path, points, order)
    return export


def unreadable(spec: SurveyEvidence, path: Path, reason: str) -> Evidence:
    """A batch holding only the record of an input that could not be read."""
    return Evidence().record_unreadable(KIND, spec.path, path, reason)


def identity_of(text: str) -> str:
    """A respondent's identity as compared across exports: case and spaces do not matter."""
    return "".join(text.split()).casefold()


def pseudonym(key: str, identity: str) -> str:
    """A respondent's keyed HMAC-SHA256 (truncated): the only form in which one is stored.

    The identity is normalised first (:func:`identity_of`), so ``Anna.Schmidt@Example.com`` in
    one export and ``anna.schmidt@example.com`` in another are one respondent.
    """
    digest = hmac.new(key.encode("utf-8"), identity_of(identity).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:PSEUDONYM_LENGTH]


def refuse(
    batch: Evidence,
    source: Path,
    question: Question,
    group: str | None,
    row: int | None,
    column: str | None,
    reason: str,
) -> None:
    """Record a refused answer to a bank question (never its value) for dbt to judge."""
    batch.add(
        REFUSED,
        {
            "question_id": question.id,
            "stakeholder_group": group or None,
            "source": str(source),
            "source_row": row,
            "column_name": column,
            "reason": reason,
        },
    )


def score(
    batch: Evidence, answers: list[RawAnswer], source: Path, points: int, order: int = 0
) -> list[Score]:
    """Answers on their declared scale; the ones that are not on it are refused."""
    scored: list[Score] = []
    for answer in answers:
        if is_no_answer(answer.answer):
            continue
        question = answer.question
        try:
            parsed = parse_answer(
                answer.answer,
                question.kind,
                question.scale_points or points,
                question.scale_scores(),
            )
        except AnswerError as exc:
            reason = f"question {question.id}: {exc}"
            batch.reject(
                KIND,
                source,
                reason,
                row=answer.line,
                column=answer.column,
                value=redact(answer.answer),
            )
            refuse(batch, source, question, answer.group, answer.line, answer.column, reason)
            continue
        comment = "; ".join(filter(None, (parsed.reason, answer.comment))) or None
        scored.append(
            Score(
                answer=answer,
                identity=identity_of(answer.respondent),
                value=parsed.value,
                points=parsed.points,
                score=parsed.score,
                comment=redact(comment),
                order=order,
                source=source,
            )
        )
    return scored


def answer_row(scored: Score, key: str) -> dict[str, Any]:
    """A ``raw_survey_answers`` row (the respondent pseudonymised, free text redacted)."""
    answer = scored.answer
    return {
        "respondent": pseudonym(key, scored.identity),
        "stakeholder_group": answer.group,
        "question_id": answer.question.id,
        "answer_value": float(scored.value),
        "scale_points": scored.points,
        "comment": scored.comment,
        "source": str(scored.source),
        "source_row": answer.line,
        "score": scored.score,
    }


def _rank(candidate: Score, timed: bool) -> tuple[Any, ...]:
    """Higher wins: the newest (when every candidate is dated), the later export, the first row."""
    when = candidate.answer.recorded_at if timed else None
    return (when or dt.datetime.min, candidate.order, -candidate.answer.line)


def duplicates(scored: list[Score]) -> list[tuple[Score, Score]]:
    """(loser, winner) for every answer that another answer by the same person to it beats."""
    by_key: dict[tuple[str, str], list[Score]] = {}
    for candidate in scored:
        by_key.setdefault((candidate.identity, candidate.answer.question.id), []).append(candidate)
    lost: list[tuple[Score, Score]] = []
    for candidates in by_key.values():
        if len(candidates) < 2:
            continue
        timed = all(c.answer.recorded_at is not None for c in candidates)
        winner = max(candidates, key=lambda c: _rank(c, timed))
        lost += [(c, winner) for c in candidates if c is not winner]
    return lost


def refuse_duplicates(
    batch: Evidence, parsed: Parsed, scored: list[Score], lost: list[tuple[Score, Score]]
) -> None:
    """One rejected row per response (row) that lost answers, and one refusal per answer."""
    per_row: dict[int, list[tuple[Score, Score]]] = {}
    for loser, winner in lost:
        per_row.setdefault(loser.answer.line, []).append((loser, winner))
    answered: dict[int, int] = {}
    for s in scored:
        answered[s.answer.line] = answered.get(s.answer.line, 0) + 1
    for line, pairs in sorted(per_row.items()):
        loser, winner = pairs[0]
        if winner.order == loser.order:
            where = f"row {winner.answer.line}"
        else:
            where = f"row {winner.answer.line} of {winner.source.name}"
        if (
            winner.answer.recorded_at
            and loser.answer.recorded_at
            and (winner.answer.recorded_at != loser.answer.recorded_at)
        ):
            why = "the newer counts"
        elif winner.order != loser.order:
            why = "the later export in the survey list counts"
        else:
            why = "the first counts"
        ids = sorted({p[0].answer.question.id for p in pairs})
        subject = (
            "response not counted"
            if len(pairs) == answered[line] and parsed.row_is == "response"
            else f"{'answers' if len(ids) > 1 else 'answer'} to {', '.join(ids)} not counted"
        )
        duplicate = (
            f"duplicate of the {parsed.row_is} at {where} (same {parsed.respondent_column}); {why}"
        )
        # The value is not stored: the identity is an email or a response id.
        batch.reject(
            KIND,
            loser.source,
            f"{subject}: a {duplicate}",
            row=line,
            column=parsed.respondent_column,
        )
        for loser, _ in pairs:
            answer = loser.answer
            refuse(
                batch, loser.source, answer.question, answer.group, line, answer.column, duplicate
            )


# --- timestamps -------------------------------------------------------------------------------

# Google Forms' CSV download: "2025/03/04 10:15:22 AM GMT+1".
_GOOGLE_TIME = re.compile(r"^(?P<at>.+?)\s*GMT(?P<offset>[+-]\d{1,2}(?::?\d{2})?)?$")
_TIME_FORMATS = ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %I:%M %p")


def recorded_at(text: str) -> dt.datetime | None:
    """A response's timestamp as the tools write it, in UTC (naive times taken as UTC).

    ISO 8601 (Qualtrics, Microsoft Forms, our long CSV) and Google Forms' ``2025/03/04 10:15:22
    AM GMT+1``. A day-first or month-first date (``04/03/2025``) is ambiguous: not used.
    """
    text = text.strip()
    if not text:
        return None
    when: dt.datetime | None = None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        match = _GOOGLE_TIME.match(text)
        at = match.group("at") if match else text
        for fmt in _TIME_FORMATS:
            try:
                when = dt.datetime.strptime(at, fmt)
                break
            except ValueError:
                continue
        if when is None:
            return None
        offset = match.group("offset") if match else None
        if offset:
            sign = -1 if offset.startswith("-") else 1
            digits = offset[1:].replace(":", "")
            hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
            delta = dt.timedelta(hours=int(hours), minutes=int(minutes))
            when = when.replace(tzinfo=dt.timezone(sign * delta))
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


# --- files ------------------------------------------------------------------------------------


def read_csv_records(path: Path, batch: Evidence | None = None) -> list[tuple[int, list[str]]]:
    """Every CSV record with the line it starts on (a BOM, as Qualtrics writes, is dropped).

    Each line is read as UTF-8 or, when it is not, as latin-1 (a file two tools appended to keeps
    every character). A record that cannot be read (a cell over the csv module's 128 KB limit)
    is refused alone with its line, in ``batch``; the others are read.
    """
    text = decode_lines(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    line = 0
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            if batch is None:
                raise EvidenceError(path, f"line {start} cannot be read as CSV: {exc}") from None
            batch.reject(KIND, path, f"the record cannot be read as CSV: {exc}", row=start)
            continue
        line = reader.line_num
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
    """``respondent,group,question,answer[,comment][,timestamp]``: one answer per line."""
    records = read_csv_records(path, batch)
    if not records:
        raise EvidenceError(path, "the file is empty")
    columns = [h.strip().casefold() for h in records[0][1]]
    missing = [c for c in LONG_CSV_REQUIRED if c not in columns]
    if missing:
        raise EvidenceError(path, f"missing columns: {', '.join(missing)}")
    at = {name: columns.index(name) for name in (*LONG_CSV_REQUIRED, "comment") if name in columns}
    timestamp = next((columns.index(n) for n in LONG_CSV_TIMESTAMPS if n in columns), None)
    parsed = Parsed(row_is="answer")
    for line, cells in records[1:]:
        if blank(cells):
            continue
        parsed.rows_read += 1
        respondent = cell(cells, at["respondent"])
        group_text = cell(cells, at["group"])
        question_text = cell(cells, at["question"])
        answer = cell(cells, at["answer"])
        group = group_id(group_text)
        question = index.find(question_text)
        problems: list[tuple[str, str, str | None]] = []
        if not respondent:
            problems.append(("respondent", "expected a respondent id", None))
        if group is None:
            expected = f"expected a stakeholder group: one of {', '.join(STAKEHOLDER_GROUPS)}"
            problems.append(("group", expected, group_text))
        if question is None:
            expected = "expected the id or the text of a question of the question bank"
            problems.append(("question", expected, question_text))
        for column, reason, value in problems:
            batch.reject(KIND, path, reason, row=line, column=column, value=redact(value))
        if question is None:
            continue
        if problems:
            if not is_no_answer(answer):
                for column, reason, _ in problems:
                    refuse(batch, path, question, group, line, column, reason)
            continue
        parsed.answers.append(
            RawAnswer(
                line=line,
                column="answer",
                respondent=respondent,
                group=str(group),
                question=question,
                answer=answer,
                comment=cell(cells, at.get("comment")) or None,
                recorded_at=recorded_at(cell(cells, timestamp)),
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
            normalise_label(n)
            for n in (self.ids[column], self.texts[column], self.import_ids[column])
            if n and n.strip()
        ]

    def find(self, *names: str) -> int | None:
        """The first column that goes by one of ``names`` (case and spacing do not matter)."""
        wanted = {normalise_label(n) for n in names}
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
    #: The columns holding when a response was recorded, most telling first.
    timestamp_columns: tuple[str, ...] = ()


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
    reasons = reason_columns(batch, path, index, table)
    questions: dict[int, Question] = {}
    for column in range(len(table.ids)):
        if column == group_column or column in reasons.values() or rules.is_meta(table, column):
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
    timestamps = [c for c in (table.find(n) for n in rules.timestamp_columns) if c is not None]
    parsed = Parsed(respondent_column=rules.respondent_column)
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
            batch.reject(KIND, path, reason, row=line, column=where, value=redact(value) or None)
            if not reason.startswith("skipped:"):  # a real answer that does not count
                for column, question in questions.items():
                    if not is_no_answer(cell(cells, column)):
                        refuse(batch, path, question, group, line, table.label(column), reason)
            continue
        respondent = rules.respondent(table, cells, line)
        when = next(
            (t for t in (recorded_at(cell(cells, c)) for c in timestamps) if t is not None), None
        )
        for column, question in questions.items():
            reason_at = reasons.get(question.id)
            parsed.answers.append(
                RawAnswer(
                    line=line,
                    column=table.label(column),
                    respondent=respondent,
                    group=group,
                    question=question,
                    answer=cell(cells, column),
                    comment=cell(cells, reason_at) or None,
                    recorded_at=when,
                )
            )
    return parsed


def reason_columns(
    batch: Evidence, path: Path, index: QuestionIndex, table: WideTable
) -> dict[str, int]:
    """Blocker question id -> the column the bank names as its reason (found like questions)."""
    found: dict[str, int] = {}
    for question in index.by_id.values():
        if not question.reason_column:
            continue
        wanted = normalise_label(question.reason_column)
        column = table.find(question.reason_column)
        if column is None:  # a grid's row, as questions are matched by it
            rows = (c for c in range(len(table.ids)) if grid_row(table.ids[c]) == wanted)
            column = next(rows, None)
        if column is None:
            batch.reject(
                KIND,
                path,
                f"the reason column {question.reason_column!r} of question {question.id} is not "
                "a column of the export: its reasons are read from its answers only",
            )
            continue
        found[question.id] = column
    return found


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
    records = read_csv_records(path, batch)
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
            cell(cells, t.find("responseid")) or anonymous(path, line)
        ),
        match_question=match_by_names,
        not_counted=qualtrics_not_counted,
        respondent_column="ResponseId",
        timestamp_columns=("recordeddate", "enddate"),
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
    records = read_csv_records(path, batch)
    if not records:
        raise EvidenceError(path, "the file is empty")
    header = records[0][1]
    table = WideTable(ids=header, texts=header, import_ids=[""] * len(header), rows=records[1:])
    if table.find("timestamp") is None:
        raise EvidenceError(path, "missing column: Timestamp (expected a Google Forms export)")
    rules = ExportRules(
        is_meta=lambda t, column: t.ids[column].strip().casefold() in GOOGLE_META,
        respondent=lambda t, cells, line: (
            cell(cells, t.find("email address", "email")) or anonymous(path, line)
        ),
        match_question=match_google_column,
        respondent_column="Email Address",
        timestamp_columns=("timestamp",),
    )
    return read_wide(batch, spec, path, index, table, rules)


def match_google_column(table: WideTable, column: int, index: QuestionIndex) -> Question | None:
    """A column's question: by full header; a grid column ``Question [Row]`` also by its row."""
    question = index.find(table.ids[column])
    if question:
        return question
    row = grid_row(table.ids[column])
    return index.find(row) if row else None


def grid_row(header: str) -> str | None:
    """The row of a grid column ``Question [Row]`` (normalised), or None for another column."""
    grid = _GRID_COLUMN.match(header.strip())
    return normalise_label(grid.group("row")) if grid else None


# --- Microsoft Forms --------------------------------------------------------------------------


def read_ms_forms(
    batch: Evidence, spec: SurveyEvidence, path: Path, index: QuestionIndex
) -> Parsed:
    """Microsoft Forms .xlsx: ID, Start time, Completion time, Email, Name, then the questions."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from flows.sources.workbook import check_formulas

    check_formulas(path)  # an answer that is a formula without its stored value is not dropped
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
        respondent=lambda t, cells, line: ms_forms_respondent(t, cells, line, path),
        match_question=lambda t, column, idx: idx.find(t.ids[column]),
        respondent_column="Email or ID",
        timestamp_columns=("completion time", "last modified time"),
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


def ms_forms_respondent(table: WideTable, cells: list[str], line: int, path: Path) -> str:
    """The email when Forms recorded one (it writes ``anonymous`` otherwise), else the response ID.

    Forms numbers responses 1, 2, 3 in every form: an ID is a respondent of this file only.
    """
    email = cell(cells, table.find("email"))
    if email and email.casefold() != "anonymous":
        return email
    response = cell(cells, table.find("id"))
    return f"ms_forms:{path.resolve()}:{response}" if response else anonymous(path, line)


def anonymous(path: Path, line: int) -> str:
    """The identity of a response that names no one: one person, in this file only."""
    return f"anonymous:{path.resolve()}:row {line}"


Reader = Callable[[Evidence, SurveyEvidence, Path, QuestionIndex], Parsed]
READERS: dict[str, Reader] = {
    "long_csv": read_long_csv,
    "qualtrics": read_qualtrics,
    "google_forms": read_google_forms,
    "ms_forms": read_ms_forms,
}
