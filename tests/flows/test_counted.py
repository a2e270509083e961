"""On many rows the audit counts distinct values exactly where they are few, and estimates nothing.

A relation above ``COUNTED_DISTINCT_ROWS`` rows is not counted field by field: the fields of few
values (those whose values repeat in a table's first rows; a Parquet file's columns of small
dictionaries, read from its footer; every boolean) have each value counted by one grouping
(exact distinct counts and top values), and the others say how many distinct values there are
at least, proven by what was read. The files here are small; the thresholds are lowered so that
they are read as millions of rows are. Every figure is compared with the same file counted field
by field. (A large CSV file's one pass: ``test_single_pass.py``.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from tests.conftest import statements_of
from tests.flows.audited import audited

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HEAD = 300
ROWS = 4000
#: Seven statuses, the seventh only after the head (an estimate once showed seven values as six).
STATUSES = ["new", "paid", "shipped", "returned", "lost", "held", "late"]
FIELDS: dict[str, Any] = {
    "order_id": {"type": "integer"},
    "status": {"allowed": STATUSES[:4]},
    "region": {"required": False},
    "code": {"pattern": "c[0-9]+"},
    "quantity": {"type": "integer", "min": 1, "max": 9},
    "active": {"type": "boolean"},
}


def write(folder: Path, kind: str) -> Path:
    """The orders: a key, a category with a value after the head, a category constant in the
    head (the file is sorted by it), codes of many values, small integers, a flag.

    The Parquet file is written by DuckDB (dictionaries where values are few), in row groups.
    """
    rows = []
    for i in range(1, ROWS + 1):
        status = STATUSES[i % 6] if i <= HEAD else STATUSES[i % 7]
        region = "north" if i <= HEAD * 2 else ["south", "east", "west", None][i % 4]
        code = "x" if i % 997 == 0 else f"c{(i * 7919) % 3001}"
        rows.append((i, status, region, code, 1 + i % 9, i % 3 == 0))
    frame = pd.DataFrame(
        rows, columns=["order_id", "status", "region", "code", "quantity", "active"]
    )
    path = folder / f"orders.{kind}"
    if kind == "parquet":
        duckdb.from_df(frame).write_parquet(str(path), row_group_size=1000)
    else:
        frame.to_csv(path, index=False)
    return path


def audit(folder: Path, source: str, monkeypatch: pytest.MonkeyPatch, large: bool) -> Any:
    """The field profiles of the orders, as many rows (head and counts) or counted field by field."""
    monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 100 if large else 10**9)
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", HEAD)
    # A dictionary of the seven statuses takes tens of bytes, one of the codes kilobytes.
    monkeypatch.setattr("flows.evidence.audit.counted.DICTIONARY_MAX_BYTES", 1024)
    field_map = {"fields": FIELDS, "key": ["order_id"]}
    frames = audited(folder, [{"name": "orders", "source": source, "field_map": field_map}], AS_OF)
    rows = frames["raw_field_profiles"].to_dict("records")
    return {r["field"]: {k: (None if pd.isna(v) else v) for k, v in r.items()} for r in rows}


def without(field: dict[str, Any], *names: str) -> dict[str, Any]:
    """A field profile without some of its columns."""
    return {k: v for k, v in field.items() if k not in names}


def exact_distinct(path: Path, column: str, head: int | None = None) -> int:
    """The distinct values of a column, of every row or of the first ``head`` (in file order)."""
    reader = f"read_parquet('{path}', file_row_number = true)"
    if path.suffix == ".csv":
        reader = f"(select *, row_number() over () - 1 as file_row_number from '{path}')"
    where = "" if head is None else f"where file_row_number < {head}"
    sql = f"select count(distinct {column}) from {reader} {where}"
    return int(duckdb.connect().execute(sql).fetchall()[0][0])


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_many_rows_count_what_repeats_exactly_and_prove_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = write(tmp_path, kind)
    counted = audit(tmp_path, path.name, monkeypatch, large=False)
    passes = statements_of(monkeypatch, "read_again")
    large = audit(tmp_path, path.name, monkeypatch, large=True)
    for name, expected in counted.items():
        got = large[name]
        assert expected["distinct_is_exact"] and expected["distinct_at_least"] is None
        if name == "code":
            continue
        # Counted (each value, or the key by its grouping): the same as field by field (examples
        # are the first violating rows each query meets).
        assert without(got, "examples") == without(expected, "examples"), name
    assert counted["status"]["distinct_count"] == 7 and counted["region"]["distinct_count"] == 4
    assert len(json.loads(large["status"]["top_values"])) == 5  # (of seven: the same five)
    assert set(json.loads(large["status"]["examples"])["not_allowed"]) <= set(STATUSES[4:])
    # The fields of few values are counted by one grouping of their values (which spills beyond
    # the memory limit, where a histogram of every value would not), even the status (a seventh
    # value after the head) and the region (one value in the head, four after).
    assert len(passes) == 1
    assert 'group by grouping sets (("status"), ("region"), ("quantity"), ("active"))' in passes[0]
    # The codes are many: not counted, not estimated, at least as many as was proven.
    code = large["code"]
    assert code["distinct_count"] is None and code["distinct_is_exact"] is None
    assert code["top_values"] is None
    assert counted["code"]["distinct_count"] == exact_distinct(path, "code")
    assert 1 <= code["distinct_at_least"] <= counted["code"]["distinct_count"]
    if kind == "csv":  # a table's first rows (no file read for a Parquet file's)
        assert code["distinct_at_least"] == exact_distinct(path, "code", HEAD)
    again = audit(tmp_path, path.name, monkeypatch, large=True)
    assert again == large  # examples too: the same rows are read first on every run
    measured = ("distinct_count", "distinct_is_exact", "distinct_at_least", "top_values")
    assert without(code, *measured, "examples") == without(counted["code"], *measured, "examples")
    assert code["pattern_failures"] == ROWS // 997


@pytest.mark.parametrize("dictionaries", [True, False], ids=["dictionaries", "plain"])
def test_a_parquet_file_of_many_rows_is_screened_by_its_footer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dictionaries: bool
) -> None:
    """Arrow's writer keeps a dictionary per chunk (the default): its small ones mark the columns
    of few values. Written without dictionaries, only the booleans are counted value by value."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "order_id": list(range(1, ROWS + 1)),
            "status": [STATUSES[i % 7] for i in range(ROWS)],
            "token": [f"{i * 2654435761 % 2**32:08x}-{i:06d}" for i in range(ROWS)],
            "active": [i % 3 == 0 for i in range(ROWS)],
        }
    )
    path = tmp_path / "orders.parquet"
    pq.write_table(table, path, row_group_size=1000, use_dictionary=dictionaries)
    monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 100)
    monkeypatch.setattr("flows.evidence.audit.counted.DICTIONARY_MAX_BYTES", 1024)
    fields = {"order_id": {"type": "integer"}, "status": {}, "token": {}, "active": {}}
    dataset = {"name": "orders", "source": path.name, "field_map": {"fields": fields}}
    frames = audited(tmp_path, [dataset], AS_OF)
    got = {
        r["field"]: (r["distinct_count"], r["distinct_at_least"], r["top_values"])
        for r in frames["raw_field_profiles"].to_dict("records")
    }
    got = {k: tuple(None if pd.isna(x) else x for x in v) for k, v in got.items()}
    assert got["active"][:2] == (2, None) and json.loads(got["active"][2])[0]["count"] == 2666
    if dictionaries:
        assert got["status"][:2] == (7, None) and len(json.loads(got["status"][2])) == 5
    else:
        assert got["status"] == (None, 1, None)
    for name in ("order_id", "token"):  # many values: not counted, one at least
        assert got[name] == (None, 1, None), name


#: Values of a category that SQL, quoting or a terminal could trip on: counted as they are.
HOSTILE = ["O'Brien", "x'); drop table orders; --", "back\\slash", '"quoted"', "ünï ☃", "a,b"]
EMAILS = ["ann@example.com", "bob@example.org", "cy@example.net"]


@pytest.mark.parametrize("reading", ["table", "parquet", "one pass"])
def test_hostile_and_personal_values_of_few_values_are_counted_and_kept_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reading: str
) -> None:
    """A category whose values quote, comment out or escape SQL is counted value by value, each
    value as it is (its head's values become SQL literals); a field of a few emails repeating is
    counted too, and no email reaches any table of the evidence: the field is personal."""
    frame = pd.DataFrame(
        {
            "order_id": range(1, ROWS + 1),
            "label": [HOSTILE[i % len(HOSTILE)] for i in range(ROWS)],
            "contact": [EMAILS[i % len(EMAILS)] for i in range(ROWS)],
        }
    )
    kind = "parquet" if reading == "parquet" else "csv"
    path = tmp_path / f"orders.{kind}"
    if kind == "parquet":
        duckdb.from_df(frame).write_parquet(str(path), row_group_size=1000)
    else:
        frame.to_csv(path, index=False)
    monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 100)
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", HEAD)
    monkeypatch.setattr("flows.evidence.audit.counted.DICTIONARY_MAX_BYTES", 1024)
    if reading == "one pass":
        monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0)
    fields = {"order_id": {"type": "integer"}, "label": {"allowed": HOSTILE[:3]}, "contact": {}}
    dataset = {"name": "orders", "source": path.name, "field_map": {"fields": fields}}
    frames = audited(tmp_path, [dataset], AS_OF)
    assert [r["status"] for r in frames["raw_evidence_inputs"].to_dict("records")] == ["ok"]
    profiles = {r["field"]: r for r in frames["raw_field_profiles"].to_dict("records")}
    label = profiles["label"]
    assert label["distinct_count"] == len(HOSTILE)
    assert label["not_allowed"] == sum(1 for i in range(ROWS) if i % len(HOSTILE) >= 3)
    tops = {t["value"]: t["count"] for t in json.loads(label["top_values"])}
    assert set(tops) <= set(HOSTILE) and len(tops) == 5
    assert set(json.loads(label["examples"])["not_allowed"]) <= set(HOSTILE[3:])
    contact = profiles["contact"]
    assert contact["distinct_count"] == len(EMAILS) and bool(contact["personal"])
    for name, table in frames.items():
        text = table.to_csv(index=False)
        assert not any(e in text or e.split("@")[0] + "@" in text for e in EMAILS), name
