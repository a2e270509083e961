"""Inputs that were changed silently on the way in: each is now read faithfully or refused with where.

Each case is read both ways the data audit reads a CSV file (into a table, and in one pass where
it is, as a file of gigabytes is: ``SINGLE_PASS_MIN_BYTES`` is lowered for that).
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from flows.config import LoadedProject, Project
from flows.evidence import Context
from flows.evidence.data_audit import collect_datasets

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FORMS = {"format": "ms_forms", "group": "operations", "scale_points": 7}


def audit(
    folder: Path,
    source: str,
    monkeypatch: pytest.MonkeyPatch,
    single_pass: bool = False,
    fields: tuple[str, ...] = ("id",),
) -> dict[str, list[dict[str, Any]]]:
    """The evidence rows of one dataset of ``folder``."""
    monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0 if single_pass else 2**62)
    data = {
        "id": "p",
        "name": "P",
        "evidence": {
            "datasets": [
                {"name": "d", "source": source, "field_map": {"fields": {f: {} for f in fields}}}
            ]
        },
    }
    project = LoadedProject(path=folder / "project.yml", project=Project.model_validate(data))
    context = Context("r", "p", AS_OF, "salt")
    frames = collect_datasets(context, project).frames(context)
    return {name: frame.to_dict("records") for name, frame in frames.items()}


def _field(rows: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    return next(f for f in rows["raw_field_profiles"] if f["field"] == name)


def _input(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return rows["raw_evidence_inputs"][0]


@pytest.mark.parametrize("single_pass", [False, True])
def test_a_file_mixing_utf8_and_latin1_lines_keeps_every_character(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_pass: bool
) -> None:
    lines = [b"id,city", "1,José".encode(), "2,Renée".encode("latin-1"), "3,Zoë".encode()]
    lines += [f"{i},Lyon".encode() for i in range(4, 40)]
    (tmp_path / "cities.csv").write_bytes(b"\n".join(lines) + b"\n")
    rows = audit(tmp_path, "cities.csv", monkeypatch, single_pass, ("id", "city"))
    assert _input(rows)["status"] == "ok" and _input(rows)["rows_read"] == 39
    city = _field(rows, "city")
    assert (city["min_value"], city["max_value"]) == ("José", "Zoë")  # never JosÃ© or ZoÃ«
    assert rows.get("raw_rejected_rows", []) == []
    # A file that is latin-1 throughout is still read as latin-1.
    latin = ["id,city", "1,Renée", "2,Zoë", *(f"{i},Lyon" for i in range(3, 40))]
    (tmp_path / "latin.csv").write_bytes("\n".join(latin).encode("latin-1") + b"\n")
    city = _field(audit(tmp_path, "latin.csv", monkeypatch, single_pass, ("city",)), "city")
    assert (city["min_value"], city["max_value"]) == ("Lyon", "Zoë")


@pytest.mark.parametrize("single_pass", [False, True])
def test_a_duplicate_column_name_is_refused_naming_both_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_pass: bool
) -> None:
    (tmp_path / "dup.csv").write_text("id;score;note;score\n1;3;a;4\n2;5;b;1\n")
    found = _input(audit(tmp_path, "dup.csv", monkeypatch, single_pass))
    assert found["status"] == "unreadable"
    assert found["error"] == (
        "columns 2 and 4 are both named 'score' in the header (line 1): give each column its "
        "own name"
    )
    # A column really named like DuckDB's renaming is not one.
    (tmp_path / "fine.csv").write_text("id,score,score_1\n1,3,4\n")
    assert _input(audit(tmp_path, "fine.csv", monkeypatch, single_pass))["status"] == "ok"


@pytest.mark.parametrize("single_pass", [False, True])
def test_a_line_over_2_mb_is_refused_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_pass: bool
) -> None:
    body = ["id,note", "1,short", "2," + "x" * (3 * 2**20), *(f"{i},ok" for i in range(3, 30))]
    (tmp_path / "long.csv").write_text("\n".join(body) + "\n")
    rows = audit(tmp_path, "long.csv", monkeypatch, single_pass)
    assert _input(rows)["status"] == "ok" and _input(rows)["rows_read"] == 28
    [refused] = rows["raw_rejected_rows"]
    assert refused["row_number"] == 3 and refused["source"].endswith("long.csv")
    assert refused["reason"].startswith("line size over maximum")


def test_one_bad_ndjson_line_is_refused_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = [json.dumps({"id": i, "city": "Lyon"}) for i in range(1, 30)]
    text = [*good[:4], '{"id": 99, "city": "secret-value', *good[4:], "", "not json"]
    (tmp_path / "events.ndjson").write_text("\n".join(text) + "\n")
    rows = audit(tmp_path, "events.ndjson", monkeypatch)
    assert _input(rows)["status"] == "ok" and _input(rows)["rows_read"] == 29
    refused = rows["raw_rejected_rows"]
    assert [r["row_number"] for r in refused] == [5, 32]
    assert all(r["value"] != r["value"] or r["value"] is None for r in refused)  # nothing kept
    assert (
        refused[0]["reason"] == "not a JSON value at character 20: Unterminated string starting at"
    )
    assert all("secret-value" not in str(r) for r in refused)  # the line is never echoed


def _with_formula(path: Path, cell: str, formula: str, stored: str | None) -> Path:
    """Put a formula in a cell, with the value Excel would store, or none (as libraries write)."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet[cell] = formula
    book.save(path)
    if stored is None:
        return path
    # What Excel writes: the formula and its computed value (a text result is typed "str").
    copy = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                empty = re.search(rf'<c r="{cell}"[^>]*><f>(.*?)</f><v\s*/?>(</v>)?</c>', text)
                assert empty, text
                text = text.replace(
                    empty.group(0),
                    f'<c r="{cell}" t="str"><f>{empty.group(1)}</f><v>{stored}</v></c>',
                )
                data = text.encode()
            target.writestr(item, data)
    copy.replace(path)
    return path


def test_survey_answers_that_are_formulas_are_read_as_stored_or_refused(tmp_path: Path) -> None:
    from tests.flows.test_survey import answers, collect, ms_forms_export, record

    plain = answers(collect(path=str(ms_forms_export(tmp_path / "plain.xlsx")), **FORMS))
    stored = _with_formula(
        ms_forms_export(tmp_path / "a.xlsx"), "G3", '=IF(1,"Neutral","")', "Neutral"
    )
    # The value Excel stored is the answer: the same answers as the export without a formula.
    assert answers(collect(path=str(stored), **FORMS)) == plain

    bare = _with_formula(ms_forms_export(tmp_path / "b.xlsx"), "G3", '=IF(1,"Neutral","")', None)
    found = record(collect(path=str(bare), **FORMS))
    assert found["status"] == "unreadable"
    assert found["error"].startswith(
        "cell G3 of the first sheet holds a formula whose value was never computed"
    )
    assert "IF(" not in found["error"]  # the formula (the file's content) is never echoed


def test_a_dataset_workbook_with_uncomputed_formulas_is_refused_naming_the_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "amount"])
    for i in range(1, 12):
        sheet.append([i, i * 10])
    book.save(tmp_path / "d.xlsx")
    ok = audit(tmp_path, "d.xlsx", monkeypatch, fields=("id", "amount"))
    assert _input(ok)["rows_read"] == 11
    _with_formula(tmp_path / "d.xlsx", "B3", "=B2*2", "40")
    amount = _field(audit(tmp_path, "d.xlsx", monkeypatch, fields=("amount",)), "amount")
    assert amount["null_count"] == 0  # the stored value is read
    for cell in ("B4", "B5", "B6", "B7", "B8", "B9"):
        _with_formula(tmp_path / "d.xlsx", cell, "=B2*2", None)
    found = _input(audit(tmp_path, "d.xlsx", monkeypatch))
    assert found["status"] == "unreadable"
    # openpyxl saved the workbook again: B3's stored value is gone too (as a library writes it).
    assert found["error"].startswith(
        "cells B3, B4, B5, B6, B7 and 2 more of the first sheet hold formulas whose values were "
        "never computed"
    )


def test_a_survey_export_mixing_encodings_with_an_overlong_record_keeps_the_rest(
    tmp_path: Path,
) -> None:
    from tests.flows.test_survey import FIXTURES, collect, record, records

    lines = (FIXTURES / "long.csv").read_bytes().splitlines()
    # Line 3's comment in latin-1 (another tool appended it), line 4's in UTF-8, and a record
    # whose comment is larger than a CSV cell may be (the csv module's 128 KB).
    lines[2] = lines[2].replace(b"Looks fine", "Très bien".encode("latin-1"))
    lines[3] = lines[3].replace(b"No alerts yet", "Noch keine Alarme für José".encode())
    lines.insert(4, b"x@example.com,Legal,sponsor_value,Agree," + b"y" * 200_000)
    (tmp_path / "long.csv").write_bytes(b"\n".join(lines) + b"\n")
    frames = collect(path=str(tmp_path / "long.csv"))
    assert record(frames).status == "ok"
    comments = list(frames["raw_survey_answers"]["comment"].fillna(""))
    assert "Très bien" in comments
    assert any(c.startswith("Noch keine Alarme für José") for c in comments)
    refused = [r for r in records(frames["raw_rejected_rows"]) if r["row_number"] == 5]
    assert [r["reason"] for r in refused] == [
        "the record cannot be read as CSV: field larger than field limit (131072)"
    ]
    assert refused[0]["value"] is None  # the record is never kept


def test_an_inventory_mixing_encodings_with_an_overlong_record_keeps_the_rest(
    tmp_path: Path,
) -> None:
    from tests.flows.test_inventory import FIXTURES, collect, records

    lines = (FIXTURES / "systems.csv").read_bytes().splitlines()
    lines[1] = lines[1].replace(b"platform-team", "équipe-plateforme".encode("latin-1"))
    lines[2] = lines[2].replace(b"sales-ops", "ventes-José".encode())
    lines.insert(3, b"Huge,CRM,tested,yes,,yes,yes,yes,yes,yes," + b"o" * 200_000)
    (tmp_path / "systems.csv").write_bytes(b"\n".join(lines) + b"\n")
    frames = collect(tmp_path / "systems.csv")
    systems = records(frames["raw_inventory_systems"])
    owners = {s["system"]: s["owner"] for s in systems}
    assert owners["Okta"] == "équipe-plateforme" and owners["Salesforce"] == "ventes-José"
    assert "Huge" not in owners
    refused = [r for r in records(frames["raw_rejected_rows"]) if r["row_number"] == 4]
    assert [r["reason"] for r in refused] == [
        "the record cannot be read as CSV: field larger than field limit (131072)"
    ]
