"""A large CSV file is measured in one pass where it is, and measures exactly as a table read does.

The files here are small; ``SINGLE_PASS_MIN_BYTES`` is lowered so that they are read the way a
file of gigabytes is. Each measurement is compared with the same file read into a table.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from flows.config import LoadedProject, Project
from flows.evidence import Context
from flows.evidence.data_audit import collect_datasets, other_values_key
from flows.privacy import mask
from flows.sources import CsvOptions
from flows.sources.files import open_files
from tests.conftest import statements_of

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STATUSES = ["new", "paid", "shipped", "returned"]
FIELDS: dict[str, Any] = {
    "order_id": {"type": "integer"},
    "status": {"allowed": STATUSES},
    "quantity": {"type": "integer", "min": 1, "max": 9},
    "amount": {"type": "number", "min": 0, "max": 500},
    "email": {"pattern": r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "required": False},
    "note": {"required": False},
    "active": {"type": "boolean"},
    "updated_at": {"type": "timestamp"},
}


def orders_csv(path: Path, rows: int = 6000, duplicated: list[int] | None = None) -> None:
    """Orders with categories, small integers, free text, bad values, blanks and duplicate keys."""
    rng = random.Random(7)
    lines = ["order_id,status,quantity,amount,email,note,active,updated_at"]
    ids = list(range(1, rows + 1)) + (duplicated or [])
    for i in ids:
        status = rng.choice([*STATUSES, "", "lost"] if i % 97 == 0 else STATUSES)
        quantity = rng.choice(["0", "12", ""]) if i % 89 == 0 else str(rng.randint(1, 9))
        amount = rng.choice(["-3", "abc"]) if i % 83 == 0 else f"{rng.uniform(0, 500):.2f}"
        email = f"user{i}_at_example.com" if i % 79 == 0 else f"user{i}@example.com"
        note = " " if i % 71 == 0 else f"note {rng.randint(1, 3000)}"
        day = 1 + i % 20
        lines.append(
            f"{i},{status},{quantity},{amount},{email},{note},{str(i % 3 != 0).lower()},"
            f"2026-11-{day:02d}T{i % 24:02d}:00:00Z"
        )
    path.write_text("\n".join(lines) + "\n")


def audit(folder: Path, single_pass: bool, monkeypatch: pytest.MonkeyPatch, **dataset: Any) -> Any:
    """The evidence tables of one dataset, read as a large file (one pass) or into a table."""
    monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0 if single_pass else 2**62)
    field_map = {"fields": FIELDS, "key": ["order_id"], "timestamp": "updated_at", "max_age": "5d"}
    data = {
        "id": "p",
        "name": "P",
        "evidence": {
            "datasets": [{"name": "orders", "source": "orders.csv", "field_map": field_map}
                         | dataset]
        },
    }  # fmt: skip
    project = LoadedProject(path=folder / "project.yml", project=Project.model_validate(data))
    context = Context("r", "p", AS_OF, "salt")
    frames = collect_datasets(context, project).frames(context)
    return {name: frame.to_dict("records") for name, frame in frames.items()}


def comparable(field: dict[str, Any], counted: bool) -> dict[str, Any]:
    """A field profile without what may rightly differ: examples, and what was not counted.

    The one pass counts the distinct values (and top values) of the fields that repeat in its
    head; of the others it proves how many there are at least (see :func:`uncounted`).
    """
    out = {k: (None if v != v else v) for k, v in field.items() if k not in ("examples", "run_id")}
    out.pop("distinct_at_least")
    if not counted:
        for name in ("distinct_count", "distinct_is_exact", "top_values"):
            out.pop(name)
    return out


def uncounted(measured: dict[str, Any], expected: dict[str, Any]) -> None:
    """A field whose distinct values were not counted: a true lower bound, never an estimate."""
    assert pd.isna(measured["distinct_count"]) and pd.isna(measured["distinct_is_exact"])
    assert 1 <= measured["distinct_at_least"] <= expected["distinct_count"], measured["field"]
    assert pd.isna(measured["top_values"])


def same_fields(one: list[dict[str, Any]], table: list[dict[str, Any]]) -> dict[str, Any]:
    """Each field of the one pass against the table read's; the one pass's fields by name."""
    fields = {f["field"]: f for f in one}
    for expected in table:
        measured = fields[expected["field"]]
        counted = not pd.isna(measured["distinct_count"])
        assert comparable(measured, counted) == comparable(expected, counted), expected["field"]
        if counted:
            assert measured["distinct_is_exact"] and pd.isna(measured["distinct_at_least"])
        else:
            uncounted(measured, expected)
    return fields


def violating(folder: Path, field: str, kind: str) -> set[str]:
    """Every value of a field that a table read counts under a violation kind."""
    spec = FIELDS[field]
    column = f'"{field}"'
    condition = {
        "not_allowed": f"{column} not in ({', '.join(repr(v) for v in spec.get('allowed', []))})",
        "out_of_range": f"try_cast({column} as double) < {spec.get('min')} "
        f"or try_cast({column} as double) > {spec.get('max')}",
        "pattern_failures": f"not regexp_full_match({column}, '{spec.get('pattern')}')",
        "type_failures": f"try_cast({column} as double) is null",
    }[kind]
    rows = duckdb.sql(
        f"select distinct cast({column} as varchar) from read_csv('{folder / 'orders.csv'}', "
        f"all_varchar = true) where {column} is not null and ({condition})"
    ).fetchall()
    return {r[0] for r in rows}


@pytest.mark.parametrize("listed", [True, False], ids=["keys-listed", "keys-read-again"])
def test_one_pass_measures_exactly_what_a_table_read_measures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listed: bool
) -> None:
    if not listed:  # as for a file whose keys would not fit in memory as a list
        monkeypatch.setattr("flows.evidence.data_audit.KEY_LIST_MAX_BYTES", 0)
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", 1000)  # a head, not the file
    orders_csv(tmp_path / "orders.csv", duplicated=[34, 34, 35] + [64] * 3)
    table = audit(tmp_path, False, monkeypatch)
    one = audit(tmp_path, True, monkeypatch)
    for name in ("raw_dataset_profiles", "raw_evidence_inputs", "raw_rejected_rows"):
        assert [{k: v for k, v in r.items() if k != "examples"} for r in one.get(name, [])] == [
            {k: v for k, v in r.items() if k != "examples"} for r in table.get(name, [])
        ], name
    fields = same_fields(one["raw_field_profiles"], table["raw_field_profiles"])
    # The categories and small integers were counted value by value: exact, with top values.
    for name in ("status", "quantity", "active"):
        assert fields[name]["distinct_is_exact"] and fields[name]["top_values"], name
    # The key's distinct count comes from the exact count of distinct keys; the emails' are not
    # counted (every one differs): at least as many as the head held.
    assert fields["order_id"]["distinct_count"] == 6000
    assert pd.isna(fields["email"]["distinct_count"]) and fields["email"]["distinct_at_least"]
    assert fields["status"]["not_allowed"] > 0 and fields["quantity"]["out_of_range"] > 0
    # Examples are real violating values, at most five per kind; a personal field's (the emails)
    # only their masked shapes.
    assert fields["email"]["personal_reason"] == "detected: email (column name)"
    for name, field in fields.items():
        for kind, examples in json.loads(
            field["examples"] if isinstance(field["examples"], str) else "{}"
        ).items():
            assert 0 < len(examples) <= 5
            expected = violating(tmp_path, name, kind)
            if field["personal"]:
                expected = {mask(v) for v in expected}
            assert set(examples) <= expected, (name, kind)
    profile = one["raw_dataset_profiles"][0]
    assert profile["duplicate_key_rows"] == 6
    # Every duplicated key is found (the most duplicated first), listed in the pass or not.
    repeated = json.loads(profile["examples"])["duplicate_keys"]
    assert repeated == [
        {"key": {"order_id": "64"}, "rows": 4},
        {"key": {"order_id": "34"}, "rows": 3},
        {"key": {"order_id": "35"}, "rows": 2},
    ]


def test_a_key_of_two_columns_is_listed_as_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [f"{i % 50},{'ab'[i % 2]},{i}" for i in range(1, 1001)]
    (tmp_path / "orders.csv").write_text("\n".join(["store,till,ticket", *rows]) + "\n")
    fields = {"store": {"type": "integer"}, "till": {}, "ticket": {"type": "integer"}}
    field_map = {"fields": fields, "key": ["store", "till"]}
    table = audit(tmp_path, False, monkeypatch, field_map=field_map)
    one = audit(tmp_path, True, monkeypatch, field_map=field_map)
    profile = one["raw_dataset_profiles"][0]
    measured = ("row_count", "key_columns", "duplicate_key_rows")
    assert {k: profile[k] for k in measured} == {
        k: table["raw_dataset_profiles"][0][k] for k in measured
    }
    # 50 stores x 1 till each (i % 50 and i % 2 move together): 50 pairs of 20 rows.
    assert profile["duplicate_key_rows"] == 950
    repeated = json.loads(profile["examples"])["duplicate_keys"]
    assert repeated[0] == {"key": {"store": "0", "till": "a"}, "rows": 20}


def test_refused_rows_and_latin1_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders_csv(tmp_path / "orders.csv", rows=3000)
    text = (tmp_path / "orders.csv").read_text().splitlines()
    text.insert(10, "999999,paid,1,2,x@y.com,Zoë,true,2026-11-19T00:00:00Z")  # latin-1 below
    text.insert(20, "1000000,paid,1")  # ragged: three fields of eight
    (tmp_path / "orders.csv").write_bytes(("\n".join(text) + "\n").encode("latin-1"))
    table = audit(tmp_path, False, monkeypatch)
    one = audit(tmp_path, True, monkeypatch)
    assert one["raw_rejected_rows"] == table["raw_rejected_rows"]
    assert {r["row_number"] for r in one["raw_rejected_rows"]} == {21}
    # The latin-1 row is read (the UTF-8 pass refused it, and the file was read again as latin-1).
    assert one["raw_dataset_profiles"][0]["row_count"] == 3001


def test_rules_and_relationships_read_the_file_into_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders_csv(tmp_path / "orders.csv", rows=2000)
    rules = {
        "rules": [
            {
                "name": "cheap_when_many",
                "expression": "quantity < 5 or try_cast(amount as double) < 450",
            }
        ]
    }
    table = audit(tmp_path, False, monkeypatch, field_map={"fields": FIELDS, **rules})
    one = audit(tmp_path, True, monkeypatch, field_map={"fields": FIELDS, **rules})
    assert one["raw_dataset_rules"] == table["raw_dataset_rules"]
    assert one["raw_dataset_rules"][0]["violations"] > 0


def test_a_repeating_field_may_be_named_like_the_count_of_its_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "\n".join(f"{i},{'ab'[i % 2]}" for i in range(1, 2001))
    (tmp_path / "orders.csv").write_text(f"order_id,n\n{rows}\n")
    fields = {"order_id": {"type": "integer"}, "n": {"allowed": ["a"]}}
    measured = audit(tmp_path, True, monkeypatch, field_map={"fields": fields})
    n = {f["field"]: f for f in measured["raw_field_profiles"]}["n"]
    assert (n["distinct_count"], n["not_allowed"], n["distinct_is_exact"]) == (2, 1000, True)
    assert json.loads(n["top_values"]) == [
        {"value": "a", "count": 1000},
        {"value": "b", "count": 1000},
    ]


def test_values_the_head_did_not_show_are_counted_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head guesses which values repeat; values after it are counted by reading again.

    The head here is 300 rows. ``status`` gets a new value after it; ``level`` has the largest
    integer in the head (DuckDB's own key for "other values" of an integer column, so it is
    counted apart) and a new level after it; ``quantity`` only has head values; ``channel`` gets
    a value after it that its field map allows (counted in the pass all the same); ``flag`` is
    one value in the head and two after it (a boolean's two values are always counted).
    """
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", 300)
    big = 2**63 - 1
    lines = ["order_id,status,level,quantity,channel,flag"]
    for i in range(1, 4001):
        status = ["new", "paid", "shipped"][i % 3] if i <= 300 else ["paid", "lost"][i % 2]
        level = [1, 2, big][i % 3] if i <= 300 else [2, 7][i % 2]
        flag = "true" if i <= 300 else ["true", "false"][i % 2]
        channel = ["web", "app"][i % 2] if i <= 300 else ["web", "app", "fax"][i % 3]
        lines.append(f"{i},{status},{level},{1 + i % 5},{channel},{flag}")
    (tmp_path / "orders.csv").write_text("\n".join(lines) + "\n")
    fields = {
        "order_id": {"type": "integer"},
        "status": {"allowed": ["new", "paid", "shipped"]},
        "level": {"type": "integer", "max": 5},
        "quantity": {"type": "integer", "min": 2},
        "channel": {"allowed": ["web", "app", "fax", "mail"]},
        "flag": {"type": "boolean"},
    }
    table = audit(tmp_path, False, monkeypatch, field_map={"fields": fields})
    passes = statements_of(monkeypatch, "rescan")
    one = audit(tmp_path, True, monkeypatch, field_map={"fields": fields})
    measured = same_fields(one["raw_field_profiles"], table["raw_field_profiles"])
    for name in ("status", "level", "quantity", "channel", "flag"):
        assert measured[name]["distinct_is_exact"], name
    # The largest integer was counted on its own in the pass; status and level were read again
    # (channel's new value is one its field map allows: the pass counted it), grouped (a
    # grouping spills beyond the memory limit, a histogram would not).
    assert f"count_if(\"level\" = cast('{big}' as BIGINT))" in passes[0]
    assert len(passes) == 2 and "histogram(" not in passes[1]
    assert 'group by grouping sets (("status"), ("level"))' in passes[1]
    assert measured["status"]["not_allowed"] == 1850
    assert measured["level"]["out_of_range"] == 1850 + 100
    assert json.loads(measured["level"]["top_values"]) == [
        {"value": "2", "count": 1950},
        {"value": "7", "count": 1850},
        {"value": "1", "count": 100},
        {"value": str(big), "count": 100},
    ]


def test_the_file_is_sniffed_once_and_read_as_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read of a large file states what DuckDB detected once, declared options included."""
    monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0)
    lines = [
        "order_id;status;updated_at",
        *(f"{i};paid;2026-11-{1 + i % 20:02d}" for i in range(99)),
    ]
    (tmp_path / "orders.csv").write_text("\n".join([*lines, "100;paid"]) + "\n")  # one ragged row
    con = duckdb.connect()
    opened = open_files(
        con, "d0", [tmp_path / "orders.csv"], "orders.csv", None, tmp_path, CsvOptions(header=True)
    )
    assert opened.stream is not None and opened.stream.pinned is not None
    pinned = opened.stream.pinned
    assert pinned.startswith("auto_detect=false") and "delim=';'" in pinned
    assert "'updated_at': 'DATE'" in pinned and pinned.endswith("header=true")
    # The ragged row did not make the sniffer read the file as one column.
    assert [r[0] for r in con.execute('describe "d0"').fetchall()] == [
        "order_id",
        "status",
        "updated_at",
    ]


def test_duckdbs_key_for_other_values_is_known_for_each_type() -> None:
    """A head value equal to that key is counted on its own (see the largest integer above)."""
    con = duckdb.connect()
    assert other_values_key(con, "VARCHAR") == (True, "")
    assert other_values_key(con, "BIGINT") == (True, str(2**63 - 1))
    assert other_values_key(con, "TIMESTAMP") == (True, "infinity")
    assert other_values_key(con, "BOOLEAN") == (True, None)  # dropped: the present count tells
    assert other_values_key(con, "BIGINT[]") == (False, None)  # not counted value by value


def test_examples_are_the_violating_rows_that_hash_lowest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pass keeps the violating rows whose content hashes lowest: no sketch, no thread order.

    The same rows on every run, however the threads split the file: the values of the first
    100 violating rows by the hash of the whole row, five distinct ones, in value order.
    """
    monkeypatch.setattr("flows.evidence.data_audit.HEAD_ROWS", 300)  # amount does not repeat
    lines = ["order_id,amount"]
    for i in range(1, 6001):
        lines.append(f"{i},{-(i % 300) - 0.5 if i % 7 == 0 else (i * 7) % 500 + 0.5}")
    (tmp_path / "orders.csv").write_text("\n".join(lines) + "\n")
    fields = {"order_id": {"type": "integer"}, "amount": {"type": "number", "min": 0, "max": 500}}
    runs = [
        {f["field"]: f for f in audit(tmp_path, True, monkeypatch, field_map={"fields": fields})[
            "raw_field_profiles"
        ]}["amount"]
        for _ in range(2)
    ]  # fmt: skip
    assert runs[0]["out_of_range"] == 6000 // 7
    rows = duckdb.sql(
        f"select cast(amount as varchar) from read_csv('{tmp_path / 'orders.csv'}') "
        "where amount < 0 order by hash(order_id, amount) limit 100"
    ).fetchall()
    expected = sorted(list(dict.fromkeys(r[0] for r in rows))[:5])
    assert json.loads(runs[0]["examples"])["out_of_range"] == expected
    assert runs[1]["examples"] == runs[0]["examples"]
