"""The raw tables' text columns: one dtype test per column, the same answers as pandera's own.

flows/pandera_text.py replaces pandera's element-wise answer for a column already of the string
dtype; these tests validate the same frames with both and compare what each returns or refuses.
"""

from __future__ import annotations

import copy

import pandas as pd
import pandera.errors
import pytest
from pandera.engines import pandas_engine

from flows.evidence import Evidence, keep_valid_rows
from flows.pandera_text import Text
from flows.schemas import RAW_TABLES, EvidenceInputs, ProjectRuns, Runs, empty_frame, validate


def pandera_own(model: type) -> object:
    """The model's schema with pandera's own string dtype (as before flows/pandera_text.py)."""
    schema = copy.deepcopy(model.to_schema())
    for column in schema.columns.values():
        if isinstance(column.dtype, Text):
            column.dtype = pandas_engine.STRING(storage=column.dtype.storage)
    return schema


def test_every_text_column_of_every_raw_table_is_checked_as_text() -> None:
    for model in RAW_TABLES.values():
        columns = model.to_schema().columns.values()
        assert not [c.name for c in columns if type(c.dtype) is pandas_engine.STRING], model
    assert isinstance(Runs.to_schema().columns["run_id"].dtype, Text)
    assert str(Runs.to_schema().columns["run_id"].dtype) == "string[pyarrow]"  # same wording


def test_a_string_column_is_one_answer_and_other_values_are_checked_one_by_one() -> None:
    text = Text(storage="pyarrow")
    strings = pd.Series(["a", None, "b"], dtype=text.type)
    assert text.check(pandas_engine.Engine.dtype(strings.dtype), strings) is True
    mixed = pd.Series(["a", 3, None], dtype=object)
    answer = text.check(pandas_engine.Engine.dtype(mixed.dtype), mixed)
    assert list(answer) == [True, False, True]  # the row that fails is named


ROWS = [
    {
        "run_id": "r",
        "project_id": "p",
        "evidence_kind": "dataset",
        "name": "orders",
        "source": "data/orders.csv",
        "fingerprint": None,
        "rows_read": 3,
        "rows_rejected": 0,
        "status": "ok",
        "error": None,
        "newest_record_at": None,
    },
    {
        "run_id": "r",
        "project_id": "p",
        "evidence_kind": "survey",
        "name": 7,  # coerced to text, as before
        "source": "survey.csv",
        "fingerprint": "abc",
        "rows_read": None,
        "rows_rejected": None,
        "status": "ok",
        "error": "x",
        "newest_record_at": pd.Timestamp("2026-01-01", tz="UTC"),
    },
]


def test_valid_frames_come_out_as_pandera_alone_gives_them() -> None:
    frame = pd.DataFrame(ROWS)
    ours = EvidenceInputs.validate(frame.copy(), lazy=True)
    theirs = pandera_own(EvidenceInputs).validate(frame.copy(), lazy=True)
    pd.testing.assert_frame_equal(ours, theirs)
    assert ours["name"].tolist() == ["orders", "7"]


@pytest.mark.parametrize(
    "change",
    [
        {"status": "maybe"},  # not one of the allowed values
        {"source": None},  # a text column that must not be empty
        {"evidence_kind": "dataset", "rows_read": -1},
    ],
)
def test_refusals_name_the_same_rows_columns_and_checks(change: dict[str, object]) -> None:
    frame = pd.DataFrame([ROWS[0], {**ROWS[1], **change}])
    found = []
    for schema in (EvidenceInputs.to_schema(), pandera_own(EvidenceInputs)):
        with pytest.raises(pandera.errors.SchemaErrors) as caught:
            schema.validate(frame.copy(), lazy=True)
        cases = caught.value.failure_cases
        found.append(cases[["column", "check", "index"]].astype(str).values.tolist())
    assert found[0] == found[1]
    assert found[0] and all(index == "1" for *_, index in found[0])


def test_a_rejected_row_still_names_file_row_and_column() -> None:
    evidence = Evidence()
    rows = [{**ROWS[0]}, {**ROWS[1], "status": "maybe"}]
    for row in rows:
        del row["run_id"], row["project_id"]
    kept = keep_valid_rows(
        evidence, "raw_evidence_inputs", rows, kind="dataset", source="in.csv", row_numbers=[2, 3]
    )
    assert kept == rows[:1]
    (rejected,) = evidence.tables["raw_rejected_rows"]
    assert (rejected["source"], rejected["row_number"], rejected["column_name"]) == (
        "in.csv",
        3,
        "status",
    )


def test_an_empty_frame_is_what_validating_it_gives() -> None:
    for model in RAW_TABLES.values():
        expected = model.validate(empty_frame(model), lazy=True)
        # As before: a column the table lacks is left out (there is no value in it to refuse).
        for frame in (pd.DataFrame(), empty_frame(model), pd.DataFrame(columns=["run_id", "x"])):
            got = validate(model, frame)
            pd.testing.assert_frame_equal(got, expected)
        got["run_id"] = got["run_id"].astype(object)  # a copy: the next caller is unaffected
        pd.testing.assert_frame_equal(validate(model, pd.DataFrame()), expected)


def test_rows_without_values_are_still_refused() -> None:
    with pytest.raises(pandera.errors.SchemaErrors):
        validate(ProjectRuns, pd.DataFrame([{}, {}]))
