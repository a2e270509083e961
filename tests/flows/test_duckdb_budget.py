"""The data audit's memory budget reaches its DuckDB connection, is shared, and spills, exactly."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from core.settings import get_settings
from flows import duckdb_budget
from flows.config import LoadedProject, Project
from flows.evidence import Context, Evidence
from flows.evidence.data_audit import collect_datasets
from flows.sources import CsvOptions
from flows.sources.files import sniffed
from flows.sources.scan import audit_connection
from tests.conftest import kept_environment, use_home

#: Rows of the over-budget file, and how many of its keys repeat (each once).
ROWS = 4_000_000
REPEATED = 1_000


@pytest.fixture
def budget_home(tmp_path: Path) -> Iterator[Path]:
    """A home with a small budget split in two parts."""
    with kept_environment():
        use_home(tmp_path / "home")
        os.environ["READINESS_MEMORY_BUDGET"] = "256MB"
        os.environ["READINESS_MAX_WORKERS"] = "2"
        os.environ["READINESS_DUCKDB_THREADS"] = "1"
        get_settings.cache_clear()
        yield tmp_path / "home"


def setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute(f"select current_setting('{name}')").fetchone()
    assert row is not None
    return str(row[0])


def test_sizes_are_read_as_duckdb_and_people_write_them() -> None:
    assert duckdb_budget.parse_size("2GB") == 2_000_000_000
    assert duckdb_budget.parse_size("512 MiB") == 512 * 1024**2
    assert duckdb_budget.parse_size("122.0 MiB") == 122 * 1024**2
    assert duckdb_budget.parse_size("50%") == duckdb_budget.machine_memory() // 2
    with pytest.raises(ValueError, match="not a memory size"):
        duckdb_budget.parse_size("lots")


def test_the_settings_reach_the_locked_audit_connection(budget_home: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    with duckdb_budget.audit_scratch() as scratch:
        assert scratch.parent == budget_home / "spill"
        con = audit_connection(scratch, [data])
        try:
            # 256 MB in two parts: each connection may use 128 MB (DuckDB shows it in MiB).
            limit = duckdb_budget.parse_size(setting(con, "memory_limit"))
            assert abs(limit - 128_000_000) < 1024**2
            assert setting(con, "temp_directory") == str(scratch)
            assert setting(con, "threads") == "1"
            assert setting(con, "preserve_insertion_order") == "True"  # samples: test_same_rows.py
            with pytest.raises(duckdb.Error):  # locked: no statement gives itself more
                con.execute("set memory_limit = '10GB'")
        finally:
            con.close()
    assert not scratch.exists()  # the spill folder goes with the audit


def test_the_perfect_hash_grouping_of_keys_is_widened_within_the_part(
    budget_home: Path, tmp_path: Path
) -> None:
    # Its table is outside DuckDB's limit: a 128 MB part (1 thread) holds 2^20 slots in a
    # quarter, not the 2^24 a roomy budget allows (the grouping hashes and spills beyond that).
    assert duckdb_budget.perfect_hash_bits(24) == 20
    roomy = duckdb_budget.Budget(total=20 * 1024**3, parts=4, threads=2, spill=tmp_path)
    assert duckdb_budget.perfect_hash_bits(24, roomy) == 24
    crowded = duckdb_budget.Budget(total=1024**2, parts=4, threads=512, spill=tmp_path)
    assert duckdb_budget.perfect_hash_bits(24, crowded) == 12  # DuckDB's own default, no less
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    with duckdb_budget.audit_scratch() as scratch:
        con = audit_connection(scratch, [data], large_keys=True)
        try:
            assert setting(con, "perfect_ht_threshold") == "20"
        finally:
            con.close()


def test_audits_beyond_the_parts_wait_for_one(budget_home: Path) -> None:
    inside = []
    most = [0]
    lock = threading.Lock()

    def one_audit() -> None:
        with duckdb_budget.audit_scratch():
            with lock:
                inside.append(1)
                most[0] = max(most[0], len(inside))
            time.sleep(0.2)
            with lock:
                inside.pop()

    threads = [threading.Thread(target=one_audit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 2  # two parts: never three audits' connections at once


@pytest.fixture(scope="module")
def over_budget(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 million rows whose keys are distinct but for 1,000 that appear twice."""
    path = tmp_path_factory.mktemp("budget") / "orders.parquet"
    con = duckdb.connect()
    con.execute(
        f"copy (select i % {ROWS - REPEATED} as order_id, 'c' || (i * 7919 % 100003) as customer, "
        f"i * 0.5 as amount from range({ROWS}) t(i)) to '{path}'"
    )
    con.close()
    return path


def test_a_grouping_over_the_budget_spills_and_counts_exactly(
    over_budget: Path, tmp_path: Path
) -> None:
    # Without a spill folder, the grouping of the keys does not fit 64 MB: it is over budget.
    con = duckdb.connect()
    con.execute("set memory_limit = '64MB'")
    con.execute("set threads = 2")
    con.execute("set temp_directory = ''")
    with pytest.raises(duckdb.OutOfMemoryException):
        con.execute(
            f"select count(*) from (select order_id from read_parquet('{over_budget}') "
            "group by order_id having count(*) > 1)"
        ).fetchall()
    con.close()
    small = audited(over_budget, tmp_path / "small", "64MB")
    inputs = small.tables["raw_evidence_inputs"]
    assert [i["status"] for i in inputs] == ["ok"], inputs
    assert inputs[0]["rows_read"] == ROWS
    assert small.tables["raw_dataset_profiles"][0]["duplicate_key_rows"] == REPEATED
    # Every figure as an audit with room to spare (4 GB) measures it.
    roomy = audited(over_budget, tmp_path / "roomy", "4GB")
    for table in ("raw_dataset_profiles", "raw_field_profiles", "raw_evidence_inputs"):
        assert small.tables[table] == roomy.tables[table], table


@pytest.fixture(scope="module")
def over_budget_csv(over_budget: Path) -> Path:
    """The same rows as CSV (about 100 MB)."""
    csv = over_budget.with_suffix(".csv")
    con = duckdb.connect()
    con.execute(f"copy (from read_parquet('{over_budget}')) to '{csv}' (header)")
    con.close()
    return csv


def test_a_large_csv_file_is_sniffed_in_a_buffer_of_one_long_line(over_budget_csv: Path) -> None:
    # DuckDB's sniffer buffer defaults to 16 long lines (1 GiB): it read a 100 MB file whole,
    # more than a connection's part of the budget allows. Its smallest buffer fits.
    con = duckdb.connect()
    con.execute("set memory_limit = '90MB'")
    pinned = sniffed(con, over_budget_csv, CsvOptions(), None)
    con.close()
    assert pinned is not None and "'order_id': 'BIGINT'" in pinned
    assert "buffer_size" not in pinned and "max_line_size" not in pinned  # reads keep defaults


def audited(path: Path, home: Path, memory: str) -> Evidence:
    """The audit of ``path`` (its key: order_id) within a memory budget of ``memory``."""
    with kept_environment():
        use_home(home)
        os.environ["READINESS_MEMORY_BUDGET"] = memory
        os.environ["READINESS_MAX_WORKERS"] = "1"
        get_settings.cache_clear()
        fields = {"order_id": {"type": "integer"}, "customer": {}, "amount": {"type": "number"}}
        dataset = {
            "name": "orders",
            "source": str(path),
            "field_map": {"fields": fields, "key": ["order_id"]},
        }
        data = {"id": "p", "name": "P", "evidence": {"datasets": [dataset]}}
        project = LoadedProject(path=home / "project.yml", project=Project.model_validate(data))
        return collect_datasets(Context("r", "p", datetime(2026, 11, 20, tzinfo=UTC)), project)


def test_a_large_csv_file_read_in_one_pass_stays_within_a_small_budget(
    over_budget_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read in one pass where it is (as a CSV file of 256 MB or more is): the keys are grouped
    # from a spillable table, not from a list of every key held in memory.
    monkeypatch.setattr("flows.sources.files.SINGLE_PASS_MIN_BYTES", 0)
    from flows.evidence.audit import large_csv

    fits: list[bool] = []
    real = large_csv.key_list_fits
    monkeypatch.setattr(
        large_csv, "key_list_fits", lambda *args: fits.append(real(*args)) or fits[-1]
    )
    small = audited(over_budget_csv, tmp_path / "small", "128MB")
    inputs = small.tables["raw_evidence_inputs"]
    assert [i["status"] for i in inputs] == ["ok"], inputs[0]["error"]
    assert inputs[0]["rows_read"] == ROWS
    assert small.tables["raw_dataset_profiles"][0]["duplicate_key_rows"] == REPEATED
    # A list of 4 million keys (48 MB) is more than a quarter of the 128 MB part: not listed.
    assert fits == [False]
