"""Answer scales of survey questions: Likert numbers and labels, yes/no blockers, no-answers.

Pure functions shared by every survey format. A Likert answer is stored as its position on its
scale (1..N) with N as ``scale_points``; a blocker answer as 1 (yes) or 0 (no) on a 2-point scale.
Reverse-worded questions are *not* flipped here: dbt judges, Python only measures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flows.config import STAKEHOLDER_GROUPS

LIKERT_5: dict[str, int] = {
    "strongly disagree": 1,
    "disagree": 2,
    "neither agree nor disagree": 3,
    "agree": 4,
    "strongly agree": 5,
}
LIKERT_7: dict[str, int] = {
    "strongly disagree": 1,
    "disagree": 2,
    "somewhat disagree": 3,
    "neither agree nor disagree": 4,
    "somewhat agree": 5,
    "agree": 6,
    "strongly agree": 7,
}
# Wordings the tools (and people) use for the same points.
_SYNONYMS: dict[str, str] = {
    "neutral": "neither agree nor disagree",
    "neither agree or disagree": "neither agree nor disagree",
    "neither disagree nor agree": "neither agree nor disagree",
    "slightly agree": "somewhat agree",
    "slightly disagree": "somewhat disagree",
    "totally agree": "strongly agree",
    "totally disagree": "strongly disagree",
}
#: Labels that exist only on the 7-point scale: seeing one means the survey used 7 points.
SEVEN_POINT_ONLY = frozenset({"somewhat agree", "somewhat disagree"})
#: Answers that mean "no answer": neither stored nor rejected. ``-99`` is Qualtrics' code for
#: "seen but unanswered" in numeric exports.
NO_ANSWER = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a.",
        "not applicable",
        "don't know",
        "dont know",
        "do not know",
        "-99",
    }
)
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
# "5 - Strongly agree", "5 = Strongly agree", "5. Strongly agree": the number decides.
_NUMBERED_LABEL = re.compile(r"^(\d+)\s*[-=:.)]\s*\D")


class AnswerError(ValueError):
    """An answer that is not on its question's scale; the message says what was expected."""


def normalise_label(text: str) -> str:
    """Lower case, single spaces, straight apostrophes, no trailing full stop."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold().rstrip(".").strip()


def is_no_answer(text: str | None) -> bool:
    """True for a blank, N/A or "don't know" answer."""
    return text is None or normalise_label(text) in NO_ANSWER


def _label(text: str) -> str:
    label = normalise_label(text)
    return _SYNONYMS.get(label, label)


def _whole_number(text: str) -> int | None:
    """The integer an answer spells (``"4"``, ``"4.0"``, ``"4 - Agree"``), or None."""
    match = _NUMBERED_LABEL.match(text.strip())
    if match:
        return int(match.group(1))
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def infer_points(answers: Iterable[str]) -> int:
    """The scale of one survey file: 7 if any answer is a 7-point-only label or a 6 or 7, else 5.

    The question bank does not declare scale sizes, and one survey uses one scale, so the file's
    answers decide; ``"Agree"`` is 4 on the 5-point scale and 6 on the 7-point one.
    """
    for answer in answers:
        if is_no_answer(answer):
            continue
        if _label(answer) in SEVEN_POINT_ONLY:
            return 7
        number = _whole_number(answer)
        if number in (6, 7):
            return 7
    return 5


def parse_likert(text: str, points: int) -> int:
    """The position of a Likert answer (number or label) on a ``points``-point scale."""
    number = _whole_number(text)
    if number is not None:
        if 1 <= number <= points:
            return number
        raise AnswerError(f"expected a number from 1 to {points} or an agreement label")
    labels = LIKERT_7 if points == 7 else LIKERT_5
    value = labels.get(_label(text))
    if value is None:
        words = ", ".join(f"{label!r}" for label in labels)
        raise AnswerError(f"expected a number from 1 to {points} or one of {words}")
    return value


def parse_blocker(text: str) -> int:
    """A blocker question's answer: 1 for yes, 0 for no."""
    label = normalise_label(text)
    if label in _YES:
        return 1
    if label in _NO:
        return 0
    raise AnswerError("expected yes or no (also y/n, true/false, 1/0)")


def parse_answer(text: str, kind: str, points: int) -> tuple[int, int]:
    """``(answer_value, scale_points)`` of an answer to a question of ``kind`` likert or blocker."""
    if kind == "blocker":
        return parse_blocker(text), 2
    return parse_likert(text, points), points


def normalise_group(text: str) -> str:
    """A stakeholder group as an id: ``"IT Security"`` -> ``it_security``."""
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def group_id(text: str) -> str | None:
    """The stakeholder group id a text names, or None when it names none."""
    group = normalise_group(text)
    return group if group in STAKEHOLDER_GROUPS else None
