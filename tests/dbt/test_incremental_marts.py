"""The incremental marts: a build that takes only the new run holds what a full rebuild holds.

The session's assessed examples are copied; a later run is added by copying the first run's raw
rows under a new id one week later (so the cross-run marts have something to do: is_latest moves
to it, roadmap_progress compares it with the first run). One incremental build, one full rebuild
of a copy of the same raw rows: every mart must hold the same rows.
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from flows import dbt, incremental
from tests.conftest import Assessed, kept_environment, use_home

LATER = "29990101T000000Z-later000"
NEWEST = "29990108T000000Z-newest00"


def copy_run(con: duckdb.DuckDBPyConnection, source: str, run_id: str, shift: timedelta) -> None:
    """Copy every raw row of run ``source`` under ``run_id``, its times moved by ``shift``."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.columns where column_name = 'run_id' "
            "and table_name like 'raw\\_%' escape '\\' and table_name in (select table_name "
            "from information_schema.tables where table_type = 'BASE TABLE')"
        ).fetchall()
    ]
    for table in tables:
        moved = (
            " replace (? as run_id, started_at + ? as started_at, finished_at + ? as finished_at, "
            "as_of + ? as as_of)"
            if table == "raw_runs"
            else " replace (? as run_id)"
        )
        times = [shift] * 3 if table == "raw_runs" else []
        con.execute(
            f"insert into {table} select *{moved} from {table} where run_id = ?",
            [run_id, *times, source],
        )


def _copy(path: Path) -> Path:
    """A copy of a DuckDB file and its write-ahead log."""
    copy = path.with_name(path.stem + "-compared.duckdb")
    for suffix in ("", ".wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copy(f"{path}{suffix}", f"{copy}{suffix}")
    return copy


def marts_differ(left: Path, right: Path) -> dict[str, int]:
    """The marts (tables that are not raw) whose rows differ, with how many rows differ."""
    differ = {}
    # dbt-duckdb keeps both files attached in this process: compare copies.
    left, right = (_copy(left), _copy(right))
    with duckdb.connect(str(left), read_only=True) as con:
        con.execute(f"attach '{right}' as other (read_only)")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = "
                "current_database() and table_type = 'BASE TABLE' and table_name not like "
                f"'raw\\_%' escape '\\' and table_name <> '{incremental.STATE_TABLE}'"
            ).fetchall()
        ]
        assert "recommendations" in tables and "roadmap_progress" in tables
        for table in tables:
            row = con.execute(
                f"select count(*) from ((select * from {table} except all "
                f"select * from other.{table}) union all (select * from other.{table} "
                f"except all select * from {table}))"
            ).fetchone()
            if row and row[0]:
                differ[table] = row[0]
    return differ


def compiled_tests(home: Path) -> dict[str, str]:
    """The SQL each data test of the last build in ``home`` ran (dbt's run_results.json)."""
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].split(".")[2]: r["compiled_code"]
        for r in results
        if r["unique_id"].startswith("test.")
    }


@pytest.fixture(scope="module")
def two_runs(assessed_examples: Assessed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the assessed home with a second run's raw rows (not built yet)."""
    home = tmp_path_factory.mktemp("incremental") / "home"
    home.mkdir()
    shutil.copy2(assessed_examples.settings.warehouse, home / "warehouse.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        assert incremental.full_refresh_reason(con) is None  # the flow's build recorded it
        copy_run(con, assessed_examples.run_id, LATER, timedelta(weeks=1))
        assert incremental.full_refresh_reason(con) is None  # a new run alone: incremental
    return home


def test_incremental_build_equals_full_rebuild(
    assessed_examples: Assessed, two_runs: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first_run = assessed_examples.run_id
    full_home = tmp_path / "full"
    full_home.mkdir()
    shutil.copy2(two_runs / "warehouse.duckdb", full_home / "warehouse.duckdb")
    with kept_environment(), caplog.at_level(logging.INFO, logger="readiness.dbt"):
        dbt.build(use_home(two_runs))
        assert not any("rebuilding every mart whole" in r.message for r in caplog.records)
        dbt.build(use_home(full_home), full_refresh=True)
    # The data tests of incremental marts checked the new run's rows; of the others, every row.
    tested = compiled_tests(two_runs)
    assert f"where run_id in ('{LATER}')" in tested["unique_check_results_check_result_id"]
    assert f"where run_id in ('{LATER}')" in tested["not_null_recommendations_reason"]
    assert "dbt_subquery" not in tested["unique_project_latest_project_id"]
    full_tested = compiled_tests(full_home)
    assert "where 1 = 1" in full_tested["unique_check_results_check_result_id"]
    with duckdb.connect(str(two_runs / "warehouse.duckdb"), read_only=True) as con:
        assert not con.execute(
            f"select count(*) from information_schema.tables "
            f"where table_name = '{incremental.NEW_RUNS_TABLE}'"
        ).fetchone()[0]  # type: ignore[index]
    assert marts_differ(two_runs / "warehouse.duckdb", full_home / "warehouse.duckdb") == {}
    with duckdb.connect(str(two_runs / "warehouse-compared.duckdb"), read_only=True) as con:
        latest = con.execute(
            "select distinct run_id from recommendations where is_latest"
        ).fetchall()
        previous, still_open = con.execute(
            "select list(distinct previous_run_id), sum(actions_open) from roadmap_progress "
            "where run_id = ?",
            [LATER],
        ).fetchone() or (None, None)
    assert latest == [(LATER,)]
    assert previous == [first_run] and still_open > 0  # compared with the first run


def test_changes_to_earlier_runs_make_a_full_refresh(two_runs: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    shutil.copy2(two_runs / "warehouse.duckdb", path)
    with duckdb.connect(str(path)) as con:
        incremental.record_built(con)
        assert incremental.full_refresh_reason(con) is None
        con.execute("update raw_runs set status = 'failed' where run_id = ?", [LATER])
        assert "failed since" in (incremental.full_refresh_reason(con) or "")
        con.execute("delete from raw_runs where run_id = ?", [LATER])
        assert "removed" in (incremental.full_refresh_reason(con) or "")
        incremental.record_built(con)
        con.execute(f"update {incremental.STATE_TABLE} set fingerprint = 'older'")
        assert incremental.full_refresh_reason(con) == "the dbt project changed"
        incremental.invalidate(con)  # forget, retention, scrubbing
        assert "no incremental build" in (incremental.full_refresh_reason(con) or "")


def _views(path: Path) -> dict[str, tuple[int, str | None]]:
    """Every view of the warehouse: its object id and its comment."""
    with duckdb.connect(str(_copy(path)), read_only=True) as con:
        rows = con.execute(
            "select view_name, view_oid, comment from duckdb_views() where not internal"
        ).fetchall()
    return {name: (oid, comment) for name, oid, comment in rows}


def test_an_incremental_build_keeps_unchanged_views_and_appends(
    assessed_examples: Assessed, two_runs: Path, tmp_path: Path
) -> None:
    """An unchanged view is kept (macros/view_materialization.sql), an altered one re-created; an
    incremental mart gains the new run's rows and keeps its others (incremental_materialization:
    its rows equal a full rebuild's in the test above)."""
    home = tmp_path / "kept"
    home.mkdir()
    shutil.copy2(two_runs / "warehouse.duckdb", home / "warehouse.duckdb")
    altered = "stg_raw__runs"
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(f"comment on view {altered} is 'edited by hand'")
        copy_run(con, assessed_examples.run_id, NEWEST, timedelta(weeks=2))
        before_rows = con.execute("select count(*) from check_results").fetchone()
    before = _views(home / "warehouse.duckdb")
    assert len(before) > 20 and all(
        c and c.startswith("readiness-view:")
        for _, c in [v for name, v in before.items() if name != altered]
    )
    with kept_environment():
        dbt.build(use_home(home))
    after = _views(home / "warehouse.duckdb")
    assert after.keys() == before.keys()
    kept = [name for name in before if name != altered]
    assert all(after[name] == before[name] for name in kept)  # not re-created
    assert after[altered][0] != before[altered][0]  # re-created, its fingerprint restored
    assert (after[altered][1] or "").startswith("readiness-view:")
    with duckdb.connect(str(_copy(home / "warehouse.duckdb")), read_only=True) as con:
        added = con.execute(
            "select count(*) from check_results where run_id = ?", [NEWEST]
        ).fetchone()
        total = con.execute("select count(*) from check_results").fetchone()
        leftovers = con.execute(
            "select count(*) from duckdb_tables() where table_name like '%\\_\\_dbt\\_%' "
            "escape '\\'"
        ).fetchone()
    assert added and added[0] > 0 and before_rows and total == (before_rows[0] + added[0],)
    assert leftovers == (0,)
