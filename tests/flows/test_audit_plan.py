"""The data audit as a plan of metrics: profiles mirror the raw schemas, one strategy per reading,
one aggregate query per table reading, and a figure measured once (the POC comparison reads the
profile)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.config import DatasetEvidence, FieldMap
from flows.evidence.audit.drift import measure_drift
from flows.evidence.audit.large_csv import LargeCsvReading
from flows.evidence.audit.metrics import Distinct, Empties, Extent, Nulls, Recency, plan
from flows.evidence.audit.profiles import DatasetProfile, FieldProfile, schema_columns
from flows.evidence.audit.readings import ParquetReading, TableReading
from flows.evidence.data_audit import profile_fields, reading_for, unreadable_profile
from flows.schemas import DatasetProfiles, FieldProfiles
from flows.sources import parse_source
from flows.sources.scan import DuckDBScan, Scan, audit_connection, open_scan

AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIELD_MAP = FieldMap.model_validate(
    {
        "fields": {
            "id": {"type": "integer"},
            "status": {"allowed": ["open", "closed"]},
            "amount": {"type": "number", "min": 0},
            "updated_at": {"type": "timestamp"},
            "owner": {"required": True},
        },
        "key": ["id"],
        "timestamp": "updated_at",
        "max_age": "2d",
    }
)
ROWS = [
    "id,status,amount,updated_at",
    "1,open,10,2026-11-20T10:00:00Z",
    "2,closed,-1,2026-11-10T10:00:00Z",
    "2,lost,abc,2026-11-19T10:00:00Z",
    "3,,,",
]


@pytest.fixture
def scan(tmp_path: Path) -> Any:
    path = tmp_path / "t.csv"
    path.write_text("\n".join(ROWS) + "\n")
    con = audit_connection(tmp_path)
    opened = open_scan(con, "t", parse_source(str(path)), tmp_path)
    yield opened
    opened.close()
    con.close()


def test_profiles_hold_exactly_the_columns_of_the_raw_schemas() -> None:
    """A column added to a Pandera model and not to its profile (or back) fails here."""
    for profile, model, typed in [
        (FieldProfile, FieldProfiles, set()),
        (DatasetProfile, DatasetProfiles, {"duplicate_keys", "missing_fields"}),
    ]:
        names = {f.name for f in dataclasses.fields(profile)}
        assert names - typed | {"examples"} == set(schema_columns(model))
    row = unreadable_profile("orders", "orders.csv", "cannot be read")
    assert list(row) == list(schema_columns(DatasetProfiles))
    assert row["readable"] is False and row["row_count"] is None


def test_the_plan_names_each_metric_of_each_field(scan: Scan) -> None:
    planned = plan(scan, FIELD_MAP, AS_OF)
    by_name = {f.name: f for f in planned.fields}
    assert by_name["owner"].column is None and by_name["owner"].nulls is None
    status = by_name["status"]
    assert (status.nulls, status.extent, status.empties, status.distinct) == (
        Nulls("status", "status"), Extent("status", "status"),
        Empties("status", "status"), Distinct("status", "status"),
    )  # fmt: skip
    assert [v.kind for v in status.violations] == ["not_allowed"]
    assert [v.kind for v in by_name["amount"].violations] == ["type_failures", "out_of_range"]
    assert by_name["id"].empties is None  # an integer column holds no empty strings
    assert planned.duplicates is not None and planned.duplicates.columns == ("id",)
    assert isinstance(planned.recency, Recency) and len(planned.recency.terms(scan)) == 4


def test_one_strategy_per_reading(scan: Scan, tmp_path: Path, monkeypatch: Any) -> None:
    assert type(reading_for(scan)) is TableReading
    parquet = tmp_path / "t.parquet"
    duckdb.sql(f"copy (select 1 as id) to '{parquet}' (format parquet)")
    assert isinstance(scan, DuckDBScan) and scan.con is not None
    opened = open_scan(scan.con, "p", parse_source(str(parquet)), tmp_path)
    assert type(reading_for(opened)) is ParquetReading
    monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0)
    large = open_scan(scan.con, "l", parse_source(str(tmp_path / "t.csv")), tmp_path)
    assert type(reading_for(large)) is LargeCsvReading


class Counted(DuckDBScan):
    """A DuckDB scan that keeps the queries it runs."""

    queries: list[str]

    def one(self, sql: str) -> tuple[Any, ...] | None:
        self.queries.append(sql)
        return super().one(sql)


def test_a_table_reading_measures_every_field_in_one_aggregate_query(scan: Scan) -> None:
    assert isinstance(scan, DuckDBScan)
    counted = Counted(**{f.name: getattr(scan, f.name) for f in dataclasses.fields(scan)})
    counted.queries = []
    fields, measured = profile_fields(counted, FIELD_MAP, {}, top=False, as_of=AS_OF)
    assert len(counted.queries) == 1  # examples and duplicate keys: bounded queries of their own
    by_name = {f.field: f for f in fields}
    assert by_name["status"].not_allowed == 1 and by_name["status"].null_count == 1
    assert by_name["amount"].type_failures == 1 and by_name["amount"].out_of_range == 1
    assert measured.duplicates is not None and measured.duplicates[0] == 1
    assert measured.freshness is not None and measured.freshness.stale_rows == 1


def test_the_poc_comparison_reads_production_null_rates_from_the_profiles(scan: Scan) -> None:
    """Production's null rate is the profile's figure: measured once, never queried again."""
    fields, _ = profile_fields(scan, FIELD_MAP, {}, top=False, as_of=AS_OF)
    dataset = DatasetEvidence.model_validate(
        {"name": "t", "source": "t.csv", "field_map": FIELD_MAP.model_dump()}
    )
    rows = {r["field"]: r for r in measure_drift(scan, scan, dataset, fields)}
    amount = next(f for f in fields if f.field == "amount")
    assert amount.null_count == 1 and rows["amount"]["prod_null_rate"] == 0.25
    # The figure comes from the profile: a different profile gives a different rate.
    amount.null_count = 2
    rows = {r["field"]: r for r in measure_drift(scan, scan, dataset, fields)}
    assert rows["amount"]["prod_null_rate"] == 0.5 and rows["amount"]["poc_null_rate"] == 0.25
