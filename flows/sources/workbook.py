"""Excel formulas: a formula's value is read as the workbook stored it, or the workbook is refused.

A workbook stores, for each formula cell, the formula and the value the spreadsheet program last
computed. Excel and LibreOffice store both; a workbook written by a library (openpyxl, pandas)
stores the formula only. openpyxl reads the stored value (``data_only=True``), and a formula
without one reads as an empty cell: an answer or a measurement would vanish silently. Such a
workbook is refused naming the cells, and the person is told how to store the values.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from core.errors import EvidenceError

#: A formula element in a sheet's XML (``<f>`` or a prefixed ``<x:f>``).
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
#: Cells named in a refusal; the rest are counted.
SHOWN = 5


def has_formulas(path: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (read without parsing the XML)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                tail = b""
                with archive.open(name) as sheet:
                    while chunk := sheet.read(1 << 20):
                        if _FORMULA.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False  # the reader says what is wrong with the file
    return False


def uncomputed_formulas(path: Path, sheet_index: int = 0) -> tuple[list[str], int]:
    """Cells of a sheet holding a formula with no stored value: the first few, and how many."""
    import openpyxl

    if not has_formulas(path):
        return [], 0
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    cells: list[str] = []
    count = 0
    try:
        stored = values.worksheets[sheet_index].iter_rows(values_only=True)
        written = formulas.worksheets[sheet_index].iter_rows()
        for value_row, formula_row in zip(stored, written, strict=False):
            for value, cell in zip(value_row, formula_row, strict=False):
                formula = getattr(cell, "value", None)
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    count += 1
                    if len(cells) < SHOWN:
                        cells.append(str(cell.coordinate))
    finally:
        values.close()
        formulas.close()
    return cells, count


def check_formulas(path: Path, shown_as: str | Path | None = None) -> None:
    """Refuse a workbook whose formulas have no stored value, naming the cells."""
    cells, count = uncomputed_formulas(path)
    if not count:
        return
    more = f" and {count - len(cells)} more" if count > len(cells) else ""
    which = (
        f"cell {cells[0]} of the first sheet holds a formula whose value was never computed"
        if count == 1
        else f"cells {', '.join(cells)}{more} of the first sheet hold formulas whose values were "
        "never computed"
    )
    raise EvidenceError(
        shown_as or path,
        f"{which} (the workbook was written by a program that does not calculate formulas): "
        "open and save it in Excel or LibreOffice so that the values are stored, or export "
        "the sheet as CSV",
    )
