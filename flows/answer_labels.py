"""How an answer or a label is compared: the one normalisation of free text a person wrote.

Used by the question bank's declared scales (:mod:`flows.config`) and by every survey reader
(:mod:`flows.evidence.likert`, :mod:`flows.evidence.survey`); below both.
"""

from __future__ import annotations


def normalise_label(text: str) -> str:
    """Lower case, single spaces, straight apostrophes, no trailing full stop."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold().rstrip(".").strip()
