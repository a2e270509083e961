"""The data-sample audit measures real files exactly: every count is checked against handmade data."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.config import LoadedProject, Project
from flows.evidence import Context
from flows.evidence.data_audit import collect_datasets, psi
from flows.privacy import contains_personal

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

ORDERS = """order_id,customer_id,status,amount,email,created_at,shipped_at
1,10,shipped,10.5,a@x.com,2026-11-20T10:00:00Z,2026-11-20T11:00:00Z
2,10,shipped,20,b@x.com,2026-11-20T09:00:00Z,2026-11-20T08:00:00Z
2,11,lost,-5,not-an-email,2026-11-10T09:00:00Z,
3,99,,abc,,2026-11-19T09:00:00Z,
4,,pending,30,c@x.com,,
"""
CUSTOMERS = "customer_id,name\n10,Ann\n11,Bob\n"


@pytest.fixture(autouse=True, params=["table", "single pass"])
def csv_reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs twice: CSV read into a table, and CSV measured in one pass where it is
    (the way a large file is read), so that both give the same measurements."""
    if request.param == "single pass":
        monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0)
    return str(request.param)


def project(tmp_path: Path, datasets: list[dict[str, Any]]) -> LoadedProject:
    data = {"id": "p", "name": "P", "evidence": {"datasets": datasets}}
    return LoadedProject(path=tmp_path / "project.yml", project=Project.model_validate(data))


def orders_dataset(source: str = "orders.csv", **extra: Any) -> dict[str, Any]:
    return {
        "name": "orders",
        "source": source,
        "field_map": {
            "fields": {
                "order_id": {"type": "integer"},
                "customer_id": {"type": "integer"},
                "status": {"allowed": ["shipped", "pending"]},
                "amount": {"type": "number", "min": 0, "max": 25},
                "email": {"pattern": r"[^@]+@[^@]+\.[a-z]+", "required": False},
                "created_at": {"type": "timestamp"},
                "shipped_at": {"type": "timestamp", "required": False},
            },
            "key": ["order_id"],
            "timestamp": "created_at",
            "max_age": "24h",
            "rules": [{"name": "ships_after_creation", "expression": "shipped_at >= created_at"}],
            "relationships": [
                {"field": "customer_id", "dataset": "customers", "to_field": "customer_id"}
            ],
        },
        **extra,
    }


def customers_dataset(source: str = "customers.csv") -> dict[str, Any]:
    return {
        "name": "customers",
        "source": source,
        "field_map": {
            "fields": {"customer_id": {"type": "integer"}, "name": {}},
            "key": ["customer_id"],
        },
    }


def audit(tmp_path: Path, datasets: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    context = Context("r", "p", AS_OF, "salt")
    evidence = collect_datasets(context, project(tmp_path, datasets))
    frames = evidence.frames(context)  # the Pandera boundary accepts everything produced
    return {name: frame.to_dict("records") for name, frame in frames.items()}


def by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "customers.csv").write_text(CUSTOMERS)
    return tmp_path


def test_field_counts_are_exact(files: Path) -> None:
    tables = audit(files, [orders_dataset(), customers_dataset()])
    fields = by([f for f in tables["raw_field_profiles"] if f["dataset"] == "orders"], "field")
    assert fields["status"]["null_count"] == 1
    assert fields["status"]["not_allowed"] == 1  # "lost"
    assert fields["amount"]["type_failures"] == 1  # "abc"
    assert fields["amount"]["out_of_range"] == 2  # -5 and 30 ("abc" is a type failure)
    assert fields["email"]["pattern_failures"] == 1
    assert fields["email"]["null_count"] == 1
    assert fields["customer_id"]["null_count"] == 1
    assert fields["order_id"]["distinct_count"] == 4
    assert fields["order_id"]["min_value"] == "1" and fields["order_id"]["max_value"] == "4"
    top = json.loads(fields["order_id"]["top_values"])
    assert top[0] == {"value": "2", "count": 2}
    assert json.loads(fields["status"]["examples"]) == {"not_allowed": ["lost"]}


def test_dataset_duplicates_freshness_and_staleness(files: Path) -> None:
    tables = audit(files, [orders_dataset(), customers_dataset()])
    orders = by(tables["raw_dataset_profiles"], "dataset")["orders"]
    assert orders["row_count"] == 5
    assert orders["duplicate_key_rows"] == 1
    assert orders["newest_timestamp"] == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert orders["age_seconds"] == 7200
    assert orders["max_age_seconds"] == 86400
    assert orders["stale_rows"] == 2  # 11-10 and 11-19 09:00 are older than as_of - 24h
    assert orders["fields_missing"] == 0


def test_rules_and_relationships(files: Path) -> None:
    tables = audit(files, [orders_dataset(), customers_dataset()])
    rules = by(tables["raw_dataset_rules"], "rule")
    rule = rules["ships_after_creation"]
    assert (rule["violations"], rule["rows_checked"]) == (1, 5)  # NULL shipped_at passes
    relation = rules["customer_id -> customers.customer_id"]
    assert (relation["violations"], relation["rows_checked"]) == (1, 4)
    assert json.loads(relation["examples"]) == ["99"]


def test_a_missing_field_and_a_renamed_one(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("id,customer_ref\n1,10\n")
    dataset = {
        "name": "orders",
        "source": "orders.csv",
        "field_map": {
            "fields": {
                "order_id": {"type": "integer", "aliases": ["id"]},
                "customer_id": {"type": "integer"},
            }
        },
    }
    tables = audit(tmp_path, [dataset])
    fields = by(tables["raw_field_profiles"], "field")
    assert fields["order_id"]["present"] and fields["order_id"]["found_as"] == "id"
    assert not fields["customer_id"]["present"] and fields["customer_id"]["null_count"] is None
    assert tables["raw_dataset_profiles"][0]["fields_missing"] == 1


def test_a_bad_rule_is_refused_with_its_reason(files: Path) -> None:
    dataset = orders_dataset()
    dataset["field_map"]["rules"] = [{"name": "broken", "expression": "no_such_column > 1"}]
    tables = audit(files, [dataset, customers_dataset()])
    assert "broken" not in {r["rule"] for r in tables["raw_dataset_rules"]}
    reasons = [r["reason"] for r in tables["raw_rejected_rows"]]
    assert any("rule broken: cannot evaluate" in r for r in reasons)


@pytest.mark.parametrize("kind", ["parquet", "ndjson", "gzip", "xlsx", "folder", "latin1"])
def test_every_file_format_is_read(tmp_path: Path, kind: str) -> None:
    con = duckdb.connect()
    source = {
        "parquet": "customers.parquet",
        "ndjson": "customers.ndjson",
        "gzip": "customers.csv.gz",
        "xlsx": "customers.xlsx",
        "folder": "parts",
        "latin1": "customers.csv",
    }[kind]
    target = tmp_path / source
    if kind == "parquet":
        con.execute(
            f"copy (select 10 as customer_id, 'Ann' as name union all select 11, 'Bob') to '{target}' (format parquet)"
        )
    elif kind == "ndjson":
        target.write_text(
            '{"customer_id": 10, "name": "Ann"}\n{"customer_id": 11, "name": "Bob"}\n'
        )
    elif kind == "gzip":
        target.write_bytes(gzip.compress(CUSTOMERS.encode()))
    elif kind == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in (["customer_id", "name"], [10, "Ann"], [11, "Bob"]):
            sheet.append(row)
        book.save(target)
    elif kind == "folder":
        target.mkdir()
        (target / "a.csv").write_text("customer_id,name\n10,Ann\n")
        (target / "b.csv").write_text("customer_id,name\n11,Bob\n")
    else:
        target.write_bytes("customer_id,name\n10,Zoë\n11,Bob\n".encode("latin-1"))
    tables = audit(tmp_path, [customers_dataset(source)])
    profile = tables["raw_dataset_profiles"][0]
    assert profile["readable"], profile["error"]
    assert profile["row_count"] == 2
    assert profile["duplicate_key_rows"] == 0


def test_an_unreadable_dataset_is_recorded_and_the_others_are_measured(files: Path) -> None:
    (files / "empty.csv").write_text("")
    broken = customers_dataset("empty.csv") | {"name": "broken"}
    missing = customers_dataset("nowhere.csv") | {"name": "missing"}
    tables = audit(files, [broken, missing, customers_dataset()])
    inputs = by(tables["raw_evidence_inputs"], "name")
    assert inputs["broken"]["status"] == "unreadable" and "empty" in inputs["broken"]["error"]
    assert inputs["missing"]["status"] == "unreadable" and "not found" in inputs["missing"]["error"]
    assert inputs["customers"]["status"] == "ok" and inputs["customers"]["rows_read"] == 2
    # Each file read is fingerprinted by its sha256, an unreadable one too.
    assert inputs["broken"]["fingerprint"] == hashlib.sha256(b"").hexdigest()
    assert not isinstance(inputs["missing"]["fingerprint"], str)  # none: no file
    customers = (files / "customers.csv").read_bytes()
    assert inputs["customers"]["fingerprint"] == hashlib.sha256(customers).hexdigest()
    profiles = by(tables["raw_dataset_profiles"], "dataset")
    assert not profiles["broken"]["readable"] and profiles["customers"]["readable"]


def test_poc_drift(tmp_path: Path) -> None:
    poc = "status,amount\n" + "shipped,1\npending,2\n" * 50
    same = poc
    shifted = "status,amount\n" + "lost,90\n" * 80 + "shipped,1\n" * 20
    (tmp_path / "poc.csv").write_text(poc)
    (tmp_path / "same.csv").write_text(same)
    (tmp_path / "shifted.csv").write_text(shifted)
    fields = {"status": {"allowed": ["shipped", "pending", "lost"]}, "amount": {"type": "number"}}

    def drift(source: str) -> dict[str, dict[str, Any]]:
        dataset = {
            "name": "o",
            "source": source,
            "poc_sample": "poc.csv",
            "field_map": {"fields": fields},
        }
        return by(audit(tmp_path, [dataset])["raw_poc_drift"], "field")

    assert drift("same.csv")["status"]["psi"] == pytest.approx(0, abs=1e-9)
    assert drift("same.csv")["amount"]["psi"] == pytest.approx(0, abs=1e-9)
    moved = drift("shifted.csv")
    assert moved["status"]["psi"] > 0.25 and moved["amount"]["psi"] > 0.25
    assert moved["status"]["unseen_categories"] == 1
    assert json.loads(moved["status"]["unseen_examples"]) == ["lost"]


def test_psi_formula() -> None:
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert psi([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.4 * 0.5878 + 0.4 * 1.6094, rel=1e-3)


# --- personal values -------------------------------------------------------------------------

PEOPLE = """id,customer_name,reach,origin,note,code,name,segment
1,Ann Lee,ann.lee@x.com,10.0.0.1,call me on +49 151 2345 6789,K-1,Acme GmbH,smb
2,Bob Ray,bob.ray@y.org,10.0.0.2,fine,K-2,Beta AG,smb
3,Cy Day,ann.lee@x.com,10.0.0.3,fine,K-3,Gamma SA,enterprise
4,Di Fox,not-an-address,10.0.0.4,,K-4,Delta BV,enterprise
"""
KNOWN = "email\nbob.ray@y.org\n"


def people_dataset(**field_map: Any) -> dict[str, Any]:
    return {
        "name": "people",
        "source": "people.csv",
        "field_map": {
            "fields": {
                "id": {"type": "integer", "max": 3},
                "customer_name": {},
                "reach": {"pattern": r"[^@]+@[^@]+\.[a-z]+"},
                "origin": {},
                "note": {"required": False},
                "code": {"personal": True, "pattern": "K-[1-3]"},
                "name": {"personal": False},
                "segment": {"allowed": ["smb", "enterprise"]},
            },
            "key": ["reach"],
            "rules": [{"name": "small_ids", "expression": "id < 4"}],
            "relationships": [{"field": "reach", "dataset": "known", "to_field": "email"}],
        }
        | field_map,
    }


def absent(value: Any) -> bool:
    """No value (None, or pandas' NaN for one)."""
    return value is None or value != value


def stored_text(tables: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every text value of every evidence table."""
    return [
        v for rows in tables.values() for row in rows for v in row.values() if isinstance(v, str)
    ]


def test_personal_fields_are_counted_only_and_their_examples_masked(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE)
    (tmp_path / "known.csv").write_text(KNOWN)
    known = {"name": "known", "source": "known.csv", "field_map": {"fields": {"email": {}}}}
    tables = audit(tmp_path, [people_dataset(), known])
    fields = by([f for f in tables["raw_field_profiles"] if f["dataset"] == "people"], "field")
    reasons = {name: f["personal_reason"] for name, f in fields.items() if f["personal"]}
    assert reasons == {
        "customer_name": "detected: name (column name)",
        "reach": "detected: email (values)",
        "origin": "detected: ip_address (values)",
        "note": "detected: phone (values)",
        "code": "declared",
    }
    # Counts only: no value of a personal field, not even its smallest or largest.
    for name in reasons:
        assert absent(fields[name]["min_value"]) and absent(fields[name]["max_value"]), name
        assert absent(fields[name]["top_values"]), name
    assert fields["reach"]["distinct_count"] == 3 and fields["reach"]["pattern_failures"] == 1
    assert json.loads(fields["reach"]["examples"]) == {"pattern_failures": ["n***"]}
    assert fields["code"]["pattern_failures"] == 1
    assert json.loads(fields["code"]["examples"]) == {"pattern_failures": ["K***"]}
    # A field opted out (personal: false) and one that is not personal are shown in full.
    assert not fields["name"]["personal"]
    assert fields["name"]["personal_reason"] == "declared not personal"
    assert (fields["name"]["min_value"], fields["name"]["max_value"]) == ("Acme GmbH", "Gamma SA")
    assert absent(fields["segment"]["personal_reason"]) and fields["segment"]["top_values"]
    assert fields["id"]["max_value"] == "4"
    # Example rows: a duplicated key, a rule's violating row, an orphan: personal values masked.
    profile = by(tables["raw_dataset_profiles"], "dataset")["people"]
    assert json.loads(profile["examples"])["duplicate_keys"] == [
        {"key": {"reach": "a***@x***.com"}, "rows": 2}
    ]
    rules = by(tables["raw_dataset_rules"], "rule")
    (row,) = json.loads(rules["small_ids"]["examples"])
    assert row["id"] == "4" and row["name"] == "Delta BV" and row["segment"] == "enterprise"
    assert (row["customer_name"], row["reach"], row["origin"]) == (
        "D***",
        "n***",
        "***.***.***.***",
    )
    assert row["code"] == "K***" and absent(row["note"])
    orphans = json.loads(rules["reach -> known.email"]["examples"])
    assert rules["reach -> known.email"]["violations"] == 3
    assert orphans == ["a***@x***.com", "n***"]
    # Nothing stored holds an email, a phone number, an IP address or a customer's name.
    text = stored_text(tables)
    assert [v for v in text if contains_personal(v)] == []
    for person in ("Ann Lee", "Bob Ray", "Cy Day", "Di Fox", "ann.lee", "10.0.0"):
        assert not [v for v in text if person in v], person


def test_a_personal_value_beyond_the_sampled_rows_is_found_in_what_would_be_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flows.evidence.data_audit.PERSONAL_SAMPLE_ROWS", 1)
    (tmp_path / "c.csv").write_text("label\nalpha\nbeta\nzed@mail.example.com\nalpha\n")
    dataset = {"name": "c", "source": "c.csv", "field_map": {"fields": {"label": {}}}}
    (label,) = audit(tmp_path, [dataset])["raw_field_profiles"]
    assert label["personal"] and label["personal_reason"] == "detected: email (values)"
    assert absent(label["min_value"]) and absent(label["max_value"])
    assert absent(label["top_values"]) and label["distinct_count"] == 3
    # Opted out, the same field is shown as it is.
    dataset["field_map"]["fields"]["label"] = {"personal": False}
    (label,) = audit(tmp_path, [dataset])["raw_field_profiles"]
    assert not label["personal"] and label["max_value"] == "zed@mail.example.com"


def test_refused_lines_are_kept_redacted_and_not_at_all_beside_personal_columns(
    tmp_path: Path,
) -> None:
    (tmp_path / "c.csv").write_text("id,status\n1,ok\n2,ok,bob@x.com +49 151 2345 6789\n3,ok\n")
    dataset = {"name": "c", "source": "c.csv", "field_map": {"fields": {"id": {}, "status": {}}}}
    (refused,) = audit(tmp_path, [dataset])["raw_rejected_rows"]
    assert refused["row_number"] == 3 and refused["value"] == "2,ok,[email] [phone]"
    dataset["field_map"]["fields"]["status"] = {"personal": True}
    (refused,) = audit(tmp_path, [dataset])["raw_rejected_rows"]
    assert refused["row_number"] == 3 and absent(refused["value"])
    assert not contains_personal(refused["reason"])


def test_personal_unseen_categories_of_the_poc_comparison_are_masked(tmp_path: Path) -> None:
    (tmp_path / "poc.csv").write_text("agent\n" + "ann@x.com\n" * 5)
    (tmp_path / "prod.csv").write_text("agent\n" + "ann@x.com\n" * 3 + "bo@y.com\n")
    dataset = {
        "name": "o",
        "source": "prod.csv",
        "poc_sample": "poc.csv",
        "field_map": {"fields": {"agent": {"allowed": ["ann@x.com"]}}},
    }
    (drift,) = audit(tmp_path, [dataset])["raw_poc_drift"]
    assert drift["unseen_categories"] == 1
    assert json.loads(drift["unseen_examples"]) == ["b***@y***.com"]
