"""Answer scales of survey questions: Likert numbers and labels, declared scales, yes/no blockers.

Pure functions shared by every survey format. A Likert answer is stored as its position on its
scale (1..N) with N as ``scale_points``; the scale is always declared (question bank or survey
entry), never inferred from the answers. An answer to a question with its own scale
(``scale: [Not started, In progress, Done]``) is stored as its position too, with its ``score``
from 0 to 1. A blocker answer is 1 (yes) or 0 (no) on a 2-point scale, with the words after the
yes or no as its reason. Reverse-worded questions are *not* flipped here: dbt judges, Python only
measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.answer_labels import normalise_label
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
#: Labels that exist only on the 7-point scale (named when a 5-point question gets one).
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
# "Yes - the DPIA is not done", "yes, budget not approved", "No.": the yes or no decides, the
# words after it are the reason.
_YES_NO_REASON = re.compile(
    r"^(yes|no)(?:$|[\s\-\u2013\u2014:,.]+(.*)$)", re.IGNORECASE | re.DOTALL
)
# "5 - Strongly agree", "5 = Strongly agree", "5. Strongly agree": the number decides.
_NUMBERED_LABEL = re.compile(r"^(\d+)\s*[-=:.)]\s*\D")


class AnswerError(ValueError):
    """An answer that is not on its question's scale; the message says what was expected."""


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


@dataclass(frozen=True)
class Scored:
    """An answer on its scale: position 1..points, its score 0..1 on a declared scale, a reason."""

    value: int
    points: int
    score: float | None = None
    #: A blocker answer's reason (the words after its yes or no), as written.
    reason: str | None = None


def parse_likert(text: str, points: int) -> int:
    """The position of a Likert answer (number or label) on a ``points``-point scale."""
    number = _whole_number(text)
    if number is not None:
        if 1 <= number <= points:
            return number
        raise AnswerError(
            f"expected a number from 1 to {points} or an agreement label "
            f"(the question is on a {points}-point scale)"
        )
    labels = LIKERT_7 if points == 7 else LIKERT_5
    label = _label(text)
    value = labels.get(label)
    if value is None:
        words = ", ".join(f"{label!r}" for label in labels)
        hint = (
            "; a 7-point answer: declare scale_points: 7 for this question or survey"
            if points == 5 and label in SEVEN_POINT_ONLY
            else ""
        )
        raise AnswerError(f"expected a number from 1 to {points} or one of {words}{hint}")
    return value


def parse_scale(text: str, scores: dict[str, float]) -> Scored:
    """An answer on a question's own declared scale (case and spacing do not matter)."""
    wanted = normalise_label(text)
    for position, (label, score) in enumerate(scores.items(), start=1):
        if normalise_label(label) == wanted:
            return Scored(position, len(scores), float(score))
    words = ", ".join(repr(label) for label in scores)
    raise AnswerError(f"expected one of {words} (the question's scale)")


def parse_blocker(text: str) -> Scored:
    """A blocker question's answer: 1 for yes, 0 for no, with the words after it as its reason."""
    label = normalise_label(text)
    if label in _YES or label in _NO:
        return Scored(1 if label in _YES else 0, 2)
    match = _YES_NO_REASON.match(text.strip())
    if match is None:
        raise AnswerError(
            "expected yes or no, optionally followed by the reason "
            "(such as 'Yes - the impact assessment is not done'; also y/n, true/false, 1/0)"
        )
    reason = (match.group(2) or "").strip() or None
    return Scored(1 if match.group(1).casefold() == "yes" else 0, 2, reason=reason)


def parse_answer(
    text: str, kind: str, points: int, scale: dict[str, float] | None = None
) -> Scored:
    """An answer to a question of ``kind`` likert or blocker, on ``points`` or its own ``scale``."""
    if kind == "blocker":
        return parse_blocker(text)
    if scale is not None:
        return parse_scale(text, scale)
    return Scored(parse_likert(text, points), points)


def normalise_group(text: str) -> str:
    """A stakeholder group as an id: ``"IT Security"`` -> ``it_security``."""
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def group_id(text: str) -> str | None:
    """The stakeholder group id a text names, or None when it names none."""
    group = normalise_group(text)
    return group if group in STAKEHOLDER_GROUPS else None
