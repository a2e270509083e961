"""CSV handed out by the product cannot become a formula in a semicolon-locale spreadsheet either."""

from __future__ import annotations

import csv
import io

import pandas as pd

from core.csv_safe import FORMULA_STARTS, neutralise, to_csv_bytes

ATTACK = "x;=cmd|' /C calc'!A0"


def cells(text: str, delimiter: str, quotes: bool) -> list[str]:
    quoting = csv.QUOTE_MINIMAL if quotes else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    return [cell.strip('"') for row in reader for cell in row]


def test_a_formula_after_a_semicolon_is_not_a_formula_in_a_semicolon_locale() -> None:
    frame = pd.DataFrame({"name": [ATTACK, "tab\t=1+1", "a, -5 items"], "n": [1, 2, 3]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    for delimiter in (",", ";", "\t"):
        for quotes in (True, False):  # a reader that honours quotes, and one that ignores them
            bad = [c for c in cells(text, delimiter, quotes) if c.startswith(FORMULA_STARTS)]
            assert not bad, (delimiter, quotes, bad)
    # Read as it was written (commas, quotes honoured), the text is what it was, apostrophes aside.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][0] == "x;'=cmd|' /C calc'!A0"
    assert rows[3][0] == "a, -5 items"  # a comma inside quoted text is left alone
    assert rows[1][1] == "1"  # numbers stay unquoted numbers


def test_text_without_a_formula_is_unchanged() -> None:
    for text in ("plain", "a;b", "50%", "x - y"):
        assert neutralise(text) == text
