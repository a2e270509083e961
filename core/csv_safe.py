"""CSV exports that a spreadsheet opens as data, never as formulas.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection, OWASP). Such text cells get a leading
apostrophe, which spreadsheets hide and treat as "this is text". Numbers stay numbers: a negative
amount is a number column, not text, and is left alone.

A spreadsheet in a locale whose list separator is ``;`` splits an unquoted ``x;=cmd|...`` into two
cells, the second a formula. So every text cell is quoted (a quoted field is one cell whatever the
separator), and a formula start right after a ``;`` or a tab inside a cell gets its
apostrophe too, for readers that ignore quotes.
"""

from __future__ import annotations

import csv
import re
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A separator some locale splits cells on, then (after spaces) a character that starts a formula.
_INNER_FORMULA = re.compile(r"([;\t]\s*)(?=[=+\-@])")


def neutralise(value: Any) -> Any:
    """A text cell made safe for spreadsheets; anything that is not text is returned as it is."""
    if not isinstance(value, str):
        return value
    value = _INNER_FORMULA.sub(r"\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with a BOM, so Excel reads accents), formula injection neutralised."""
    # CRLF line ends (as RFC 4180 says): the csv writer then quotes any cell holding \r or \n,
    # so a stray carriage return inside a cell cannot split a row.
    text = safe_frame(frame).to_csv(
        index=False, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC
    )
    return text.encode("utf-8-sig")
