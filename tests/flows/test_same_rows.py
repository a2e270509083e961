"""The rows an audit samples are the same on every run, whatever order its threads read them in.

An audit reads a few rows besides its aggregates: a head (which fields repeat, how many distinct
values are proven at least), a sample for personal values, example values of each violation, and
example rows of a broken rule. DuckDB reads a relation with several threads; had it not kept the
insertion order, a ``limit`` would keep whichever rows its threads met first, and a table a CSV
file is copied into would hold its rows in the order the threads copied them: two audits of the
same file showed different examples and proved different figures. In DuckDB they are the first
rows, in the files' order; PostgreSQL, whose storage order an update or a vacuum changes, samples
the rows whose values hash lowest (the same rows stored in two orders come out the same).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pytest

from flows.sources.scan import DuckDBScan, audit_connection
from tests.flows.audited import audited
from tests.services import PostgresDatabase

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ROWS = 6000
FIELDS: dict[str, Any] = {
    "order_id": {"type": "integer"},
    "status": {"allowed": ["new", "paid", "shipped"]},
    "code": {"pattern": "c[0-9]+"},
    "quantity": {"type": "integer", "min": 1, "max": 9},
}
RULES = [{"name": "small_orders", "expression": "quantity < 9"}]
COLUMNS = ["order_id", "status", "code", "quantity", "note"]


def orders(count: int = ROWS) -> list[tuple[Any, ...]]:
    """Orders whose violations are many and varied: which ones a ``limit`` meets first matters.

    Codes of many values, some not matching the pattern (``x<n>``, each a few times); statuses
    with values not allowed; quantities out of range; a note that holds an email in a few rows
    only (so that a sample of a thousand rows may or may not meet one).
    """
    rows = []
    for i in range(1, count + 1):
        code = f"x{i % 37}" if i % 11 == 0 else f"c{(i * 7919) % 4001}"
        status = ["new", "paid", "shipped", "lost", "held"][i % 5 if i % 3 == 0 else i % 3]
        note = f"call back {i}" if i % 1500 else f"ask ops{i}@example.org"
        rows.append((i, status, code, 1 + i % 12, note))
    return rows


def audit(tmp_path: Path, source: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The audit's tables of one dataset, read as many rows are (a head, nothing counted all)."""
    monkeypatch.setattr("flows.sources.dialect.COUNTED_DISTINCT_ROWS", 100)
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", 500)
    monkeypatch.setattr("flows.evidence.data_audit.PERSONAL_SAMPLE_ROWS", 1000)
    dataset = {"name": "orders", **source, "field_map": {"fields": FIELDS, "rules": RULES}}
    frames = audited(tmp_path, [dataset], AS_OF)
    fields = frames["raw_field_profiles"].to_dict("records")
    rules = frames["raw_dataset_rules"].to_dict("records")
    kept = ("field", "distinct_count", "distinct_at_least", "examples", "top_values")
    return (
        {r["field"]: {k: (None if pd.isna(r[k]) else r[k]) for k in kept} for r in fields},
        {r["rule"]: (r["violations"], r["examples"]) for r in rules},
    )


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_file_of_many_row_groups_samples_its_first_rows_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """300,000 rows read by two threads (a Parquet file of 147 row groups; a CSV file copied into
    a table of three): the head is the first lines, the examples the first violating values, a
    rule's example rows the first violating rows, on every run."""
    monkeypatch.setenv("READINESS_DUCKDB_THREADS", "2")
    rows = orders(300_000)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if kind == "csv":
        frame.to_csv(tmp_path / "orders.csv", index=False)
    else:
        duckdb.from_df(frame).write_parquet(str(tmp_path / "orders.parquet"), row_group_size=2048)
    runs = [audit(tmp_path, {"source": f"orders.{kind}"}, monkeypatch) for _ in range(3)]
    assert runs[1] == runs[0] and runs[2] == runs[0]
    fields, rules = runs[0]
    if kind == "csv":  # (no head is read of a Parquet file: its footers screen its fields)
        assert fields["code"]["distinct_at_least"] == len({r[2] for r in rows[:500]})
    failing = [r[2] for r in rows if not r[2].startswith("c")]
    expected = list(dict.fromkeys(failing))[:5]
    assert json.loads(fields["code"]["examples"]) == {"pattern_failures": expected}
    violations, shown = rules["small_orders"]
    first = [r for r in rows if not r[3] < 9][:3]
    assert violations == sum(1 for r in rows if not r[3] < 9)
    assert [int(r["order_id"]) for r in json.loads(shown)] == [r[0] for r in first]


def test_a_postgresql_table_is_measured_the_same_whatever_order_it_was_filled_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: PostgresDatabase
) -> None:
    rows = orders()
    shuffled = list(rows)
    random.Random(11).shuffle(shuffled)
    with psycopg.connect(postgres_database.url, autocommit=True) as con:
        for table, order in (("orders_sorted", rows), ("orders_shuffled", shuffled)):
            con.execute(
                f"create table {table} (order_id bigint, status text, code text, "
                "quantity bigint, note text)"
            )
            with con.cursor().copy(f"copy {table} from stdin") as copy:
                for row in order:
                    copy.write_row(row)
    sorted_, shuffled_ = (
        audit(tmp_path, {"source": postgres_database.url, "table": table}, monkeypatch)
        for table in ("orders_sorted", "orders_shuffled")
    )
    assert sorted_ == shuffled_


def test_a_parquet_files_head_is_its_first_rows_whatever_the_threads(tmp_path: Path) -> None:
    path = tmp_path / "numbers.parquet"
    con = audit_connection(tmp_path)
    con.execute("set threads = 4")
    con.execute(
        f"copy (select range as a, range % 7 as b from range(50000)) to '{path}' "
        "(row_group_size 2048)"
    )
    con.execute(f"create view numbers as select * from read_parquet(['{path}'])")
    scan = DuckDBScan(
        relation="numbers",
        display="numbers.parquet",
        columns={"a": "BIGINT", "b": "BIGINT"},
        rows=50000,
        con=con,
        parquet_files=[path],
    )
    for _ in range(5):
        assert con.execute(scan.head(["a", "b"], 9000)).fetchall() == [
            (i, i % 7) for i in range(9000)
        ]


def test_a_personal_value_the_sample_missed_is_redacted_where_a_row_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column is treated as personal when its sampled rows hold a personal value; a value in
    a row the sample did not hold (one note in 3,000) still never reaches the evidence: a rule's
    example rows and a relationship's orphans have it redacted."""
    monkeypatch.setattr("flows.evidence.data_audit.PERSONAL_SAMPLE_ROWS", 10)
    rows = [
        (i, "ops ana.lopez@example.org asked" if i == 2999 else f"call back {i}", i % 3)
        for i in range(1, 3001)
    ]
    pd.DataFrame(rows, columns=["order_id", "note", "team"]).to_csv(
        tmp_path / "orders.csv", index=False
    )
    notes = [(f"call back {i}",) for i in range(1, 3001) if i != 2999]
    pd.DataFrame(notes, columns=["note"]).to_csv(tmp_path / "notes.csv", index=False)
    field_map = {
        "fields": {"order_id": {"type": "integer"}},
        "rules": [{"name": "not_2999", "expression": "order_id <> 2999"}],
        "relationships": [{"field": "note", "dataset": "notes", "to_field": "note"}],
    }
    datasets = [
        {"name": "orders", "source": "orders.csv", "field_map": field_map},
        {"name": "notes", "source": "notes.csv", "field_map": {"fields": {"note": {}}}},
    ]
    frames = audited(tmp_path, datasets, AS_OF)
    rules = {r["rule"]: r for r in frames["raw_dataset_rules"].to_dict("records")}
    (row,) = json.loads(rules["not_2999"]["examples"])
    assert row == {"order_id": "2999", "note": "ops [email] asked", "team": "2"}
    orphans = rules["note -> notes.note"]
    assert orphans["violations"] == 1
    assert json.loads(orphans["examples"]) == ["ops [email] asked"]
    for name, frame in frames.items():
        assert "ana.lopez" not in frame.to_csv(), name
