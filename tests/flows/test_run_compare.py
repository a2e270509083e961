"""Two runs' marts compared exactly: run ids, times and the inputs' folder aside, floats to the last
bit; the differing cells listed as `readiness reproduce` prints them."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from flows.reproduce import row_changes
from flows.run_compare import compare_runs


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(":memory:") as connection:
        connection.execute(
            "create table check_results (check_result_id varchar, run_id varchar, "
            "run_started_at timestamp, is_latest boolean, metric double, source varchar)"
        )
        connection.execute(
            "insert into check_results values "
            "('r1:p:sa_disagreement', 'r1', '2026-12-01 10:00', false, 0.1::double + 0.2::double, '/a/x.csv'), "
            "('r1:p:sa_agreement', 'r1', '2026-12-01 10:00', false, 0.5, '/a/y.csv'), "
            "('r2:p:sa_agreement', 'r2', '2026-12-02 11:00', true, 0.5, '/b/y.csv'), "
            "('r2:p:sa_disagreement', 'r2', '2026-12-02 11:00', true, 0.3, '/b/x.csv')"
        )
        yield connection


def test_run_ids_times_and_folders_aside_only_the_last_bit_differs(
    con: duckdb.DuckDBPyConnection,
) -> None:
    result = compare_runs(con, "r1", con, "r2", ["check_results"], ["/a"], ["/b"])
    assert result.rows == 2 and not result.identical
    (difference,) = result.differences
    assert difference.only_first == (
        "check_result_id=<run>:p:sa_disagreement | run_id=<run> | "
        "metric=0.30000000000000004 | source=<portfolio>/x.csv",
    )
    assert row_changes(difference) == [
        "check_result_id=<run>:p:sa_disagreement: metric 0.30000000000000004 -> 0.3"
    ]

    con.execute(
        "update check_results set metric = 0.3 where check_result_id = 'r1:p:sa_disagreement'"
    )
    assert compare_runs(con, "r1", con, "r2", ["check_results"], ["/a"], ["/b"]).identical
    # Without the folders the two runs read their inputs from different places.
    assert not compare_runs(con, "r1", con, "r2", ["check_results"]).identical


def test_a_row_only_one_run_has_is_named(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from check_results where check_result_id = 'r2:p:sa_agreement'")
    (difference,) = compare_runs(
        con, "r1", con, "r2", ["check_results"], ["/a"], ["/b"]
    ).differences
    assert "check_result_id=<run>:p:sa_agreement: only in the recorded run" in row_changes(
        difference
    )
