"""Erasing a respondent (`readiness forget`) and the retention of survey answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from core.settings import EXAMPLE_SURVEY_KEY, Settings, get_settings
from flows import privacy_ops, warehouse
from flows.evidence.survey import pseudonym
from tests.conftest import Assessed, kept_environment

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _answers(con: duckdb.DuckDBPyConnection, *rows: tuple[str, str, str]) -> None:
    """Answers (run, respondent, question), by name: the other columns stay null."""
    for run_id, respondent, question in rows:
        con.execute(
            "insert into raw_survey_answers by name select ? as run_id, 'p' as project_id, "
            "? as respondent, 'legal' as stakeholder_group, ? as question_id, "
            "4.0 as answer_value, 5 as scale_points, 'survey.csv' as source",
            [run_id, respondent, question],
        )


def _runs(con: duckdb.DuckDBPyConnection, **started: datetime) -> None:
    for run_id, at in started.items():
        con.execute(
            "insert into raw_runs by name select ? as run_id, 'example' as portfolio_id, "
            "? as started_at, 'succeeded' as status",
            [run_id, at],
        )


def _rejected(con: duckdb.DuckDBPyConnection, *rows: tuple[str, str]) -> None:
    for run_id, kind in rows:
        con.execute(
            "insert into raw_rejected_rows by name select ? as run_id, 'p' as project_id, "
            "? as evidence_kind, 's.csv' as source, 'r' as reason",
            [run_id, kind],
        )


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_raw_tables(con)
        yield con


def test_erase_counts_the_answers_per_run_and_spares_everyone_else(
    con: duckdb.DuckDBPyConnection,
) -> None:
    alice = pseudonym("k", "alice@example.com")
    bob = pseudonym("k", "bob@example.com")
    _answers(con, ("r1", alice, "q1"), ("r1", alice, "q2"), ("r2", alice, "q1"), ("r2", bob, "q1"))
    con.execute("create table int_survey_answers_scored as select * from raw_survey_answers")
    per_run, derived = privacy_ops.erase_respondent(con, [alice])
    assert per_run == {"r1": 2, "r2": 1} and derived == 3
    left = con.execute("select respondent from raw_survey_answers").fetchall()
    assert left == [(bob,)]
    assert con.execute("select count(*) from int_survey_answers_scored").fetchone() == (1,)


def test_the_pseudonym_is_the_survey_readers_own(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, survey_key="a-real-secret-key")
    names = privacy_ops.pseudonyms("Julia.Larsen@Acme.example", settings)
    assert pseudonym("a-real-secret-key", "julia.larsen@acme.example") in names
    assert pseudonym(EXAMPLE_SURVEY_KEY, "julia.larsen@acme.example") in names
    assert not (tmp_path / "survey.key").exists()  # no key is made up to erase with


def test_retention_deletes_only_old_runs_survey_rows(con: duckdb.DuckDBPyConnection) -> None:
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=10)
    _runs(con, old=old, recent=recent)
    _answers(con, ("old", "a", "q1"), ("old", "b", "q1"), ("recent", "a", "q1"))
    _rejected(con, ("old", "survey"), ("old", "inventory"), ("recent", "survey"))
    deleted = privacy_ops.apply_retention(con, 365, NOW)
    assert deleted == {"raw_survey_answers": 2, "raw_rejected_rows": 1}
    assert con.execute("select run_id from raw_survey_answers").fetchall() == [("recent",)]
    kinds = con.execute(
        "select run_id, evidence_kind from raw_rejected_rows order by all"
    ).fetchall()
    assert kinds == [("old", "inventory"), ("recent", "survey")]
    assert privacy_ops.apply_retention(con, 365, NOW) == {}
    assert privacy_ops.apply_retention(con, 5, NOW) == {
        "raw_survey_answers": 1,
        "raw_rejected_rows": 1,
    }


def test_forget_erases_a_respondent_from_every_run_and_the_published_snapshots(
    assessed_home_copy: Assessed,
) -> None:
    home = assessed_home_copy.home  # a private copy of the session's assessed home
    email = "julia.larsen@acme.example"  # a respondent of the example's support_copilot survey
    # The copy is not the bundled example: its pseudonyms use the key generated in its home.
    assert (home / "survey.key").is_file()
    names = privacy_ops.pseudonyms(email, Settings(home=home))
    published = home / "published" / "example.duckdb"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        before = con.execute(
            "select run_id, count(*) from raw_survey_answers "
            "where list_contains(?, respondent) group by 1",
            [names],
        ).fetchall()
    assert before, "the example's respondent should have answers"
    with duckdb.connect(str(published), read_only=True) as con:
        respondents_before = con.execute(
            "select sum(respondents) from stakeholder_questions where project_id = 'support_copilot'"
        ).fetchone()
    with kept_environment():
        import os

        os.environ["READINESS_HOME"] = str(home)
        for name in ("READINESS_WAREHOUSE_PATH", "READINESS_SNAPSHOT_PATH", "READINESS_SURVEY_KEY"):
            os.environ.pop(name, None)
        get_settings.cache_clear()
        from flows.cli import app

        result = CliRunner().invoke(app, ["forget", "--respondent", email])
        again = CliRunner().invoke(app, ["forget", "--respondent", email])
    assert result.exit_code == 0, result.stdout + result.stderr
    for run_id, count in before:
        assert f"run {run_id}: {count} answer(s) erased" in result.stdout
    assert "marts rebuilt and 1 snapshot(s) published again" in result.stdout
    assert email not in result.stdout + result.stderr
    assert not any(name in result.stdout for name in names)
    assert again.exit_code == 0 and "nothing was erased" in again.stdout
    # Read-write, as dbt's adapter (still open in this process) opened it.
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for table in ("raw_survey_answers", "int_survey_answers_scored"):
            left = con.execute(
                f"select count(*) from {table} where list_contains(?, respondent)", [names]
            )
            assert left.fetchone() == (0,), table
        assert (con.execute("select count(*) from raw_survey_answers").fetchone() or (0,))[0] > 0
    with duckdb.connect(str(published), read_only=True) as con:
        respondents_after = con.execute(
            "select sum(respondents) from stakeholder_questions where project_id = 'support_copilot'"
        ).fetchone()
    assert respondents_after and respondents_before
    assert respondents_after[0] < respondents_before[0]
    assert not list((home / "cache" / "measurements").glob("*"))
