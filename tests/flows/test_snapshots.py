"""Published snapshots: one file per portfolio with only the marts readers use; readers open only
the files of the portfolios they may read; the command line honours the same access file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from core.settings import REPO_ROOT, get_settings
from flows import warehouse
from flows.report import project_results
from readmodel import snapshots
from tests.dashboard.handmade import build_snapshot

#: The tables of the handmade snapshot: every one has a run_id (runs has the portfolio_id).
PROJECTS = {"support_copilot", "churn_predictor"}


def _two_portfolio_warehouse(tmp_path: Path) -> Path:
    """A working warehouse whose marts hold two portfolios (example, and emea: a renamed copy),
    beside a raw table, a staging view and an intermediate table that must never be published."""
    handmade = build_snapshot(tmp_path / "handmade.duckdb")
    working = tmp_path / "working.duckdb"
    with warehouse.connect(working) as con:
        con.execute(f"attach '{handmade}' as h (read_only)")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'h'"
            ).fetchall()
        ]
        for table in tables:
            columns = {
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_catalog = 'h' and table_name = ?",
                    [table],
                ).fetchall()
            }
            # A portfolio's own figures (portfolio_latest, recurring_blockers) have no run.
            renamed = ["'emea-' || run_id as run_id"] if "run_id" in columns else []
            if "project_id" in columns:
                renamed.append("'emea_' || project_id as project_id")
            if "portfolio_id" in columns:
                renamed.append("'emea' as portfolio_id")
            con.execute(
                f"create table {table} as select * from h.main.{table} union all by name "
                f"select * replace ({', '.join(renamed)}) from h.main.{table}"
            )
        con.execute("create table raw_survey_answers as select 'x' as run_id, 'p' as respondent")
        con.execute("create view stg_raw__survey_answers as select * from raw_survey_answers")
        con.execute("create table int_survey_answers_scored as select * from raw_survey_answers")
    return working


@pytest.fixture
def published(tmp_path: Path) -> Path:
    folder = tmp_path / "published"
    warehouse.publish(_two_portfolio_warehouse(tmp_path), folder)
    return folder


def test_one_file_per_portfolio_holding_only_its_rows_of_the_published_marts(
    published: Path,
) -> None:
    assert sorted(p.name for p in published.iterdir()) == ["emea.duckdb", "example.duckdb"]
    for portfolio, prefix in (("example", ""), ("emea", "emea_")):
        with duckdb.connect(str(published / f"{portfolio}.duckdb"), read_only=True) as con:
            tables = {
                r[0]
                for r in con.execute("select table_name from information_schema.tables").fetchall()
            }
            assert tables <= set(snapshots.PUBLISHED_MARTS)  # no raw, staging, intermediate
            assert {"runs", "recommendations", "gap_scores", "check_results"} <= tables
            assert con.execute("select distinct portfolio_id from runs").fetchall() == [
                (portfolio,)
            ]
            projects = {
                r[0] for r in con.execute("select project_id from recommendations").fetchall()
            }
            assert projects == {prefix + p for p in PROJECTS}


def test_a_reader_opens_only_the_files_of_its_portfolios(published: Path) -> None:
    # The other portfolio's file is not even opened: corrupt, it changes nothing.
    (published / "emea.duckdb").write_bytes(b"not a database")
    with snapshots.open_snapshot(published, ["example"]) as con:
        rows = con.execute("select distinct project_id from recommendations").fetchall()
    assert {r[0] for r in rows} == PROJECTS
    with pytest.raises(duckdb.Error), snapshots.open_snapshot(published, None) as con:
        con.execute("select 1").fetchall()


def test_several_portfolios_read_as_one_and_none_is_no_snapshot(published: Path) -> None:
    with snapshots.open_snapshot(published, ["example", "emea", "unknown"]) as con:
        assert con.execute("select count(distinct portfolio_id) from runs").fetchone() == (2,)
        latest = con.execute("select count(*) from recommendations where is_latest").fetchone()
    assert latest == (4,)
    with pytest.raises(snapshots.NoSnapshotError, match="portfolios you may read"):
        snapshots.readable(published, [])
    with pytest.raises(snapshots.NoSnapshotError, match="no assessment has been published yet"):
        snapshots.readable(published.parent / "nothing-here")


def test_one_snapshot_file_is_filtered_to_the_readers_portfolios(tmp_path: Path) -> None:
    combined = tmp_path / "combined.duckdb"
    with warehouse.connect(_two_portfolio_warehouse(tmp_path), read_only=True) as con:
        con.execute(f"attach '{combined}' as c (read_write)")
        for mart in ("runs", "recommendations", "gap_scores"):
            con.execute(f"create table c.main.{mart} as select * from {mart}")
    with snapshots.open_snapshot(combined, ["emea"]) as con:
        projects = {r[0] for r in con.execute("select project_id from recommendations").fetchall()}
        runs = {r[0] for r in con.execute("select portfolio_id from runs").fetchall()}
    assert projects == {"emea_" + p for p in PROJECTS} and runs == {"emea"}


def test_a_portfolio_id_that_is_not_one_names_no_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a portfolio id"):
        snapshots.portfolio_file(tmp_path, "../secrets")
    with pytest.raises(Exception, match="names a file"):
        warehouse.publish(tmp_path / "w.duckdb", tmp_path / "published" / "readiness.duckdb")


def test_every_mart_a_reader_selects_from_is_published() -> None:
    marts = {p.stem for p in (REPO_ROOT / "dbt_project" / "models" / "marts").rglob("*.sql")}
    assert set(snapshots.PUBLISHED_MARTS) <= marts
    readers = [
        *(REPO_ROOT / "dashboard").rglob("*.py"),
        *(REPO_ROOT / "readmodel").rglob("*.py"),
        *(REPO_ROOT / "flows" / "reports").glob("*.py"),
        *(REPO_ROOT / "flows").glob("history*.py"),
        REPO_ROOT / "flows" / "alerts.py",
        REPO_ROOT / "flows" / "report.py",
    ]
    named = set()
    for path in readers:
        named |= set(re.findall(r"\b(?:from|join)\s+([a-z_]+)\b", path.read_text(encoding="utf-8")))
    missing = (named & marts) - set(snapshots.PUBLISHED_MARTS)
    assert not missing, f"readers select from {missing}: add them to PUBLISHED_MARTS"


# --- the command line's scope ---------------------------------------------------------------


@pytest.fixture
def cli_env(published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    access = tmp_path / "access.yml"
    access.write_text("alice: [emea]\nboard: '*'\nintern: []\n", encoding="utf-8")
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(published))
    monkeypatch.setenv("READINESS_DASHBOARD_ACCESS", str(access))
    monkeypatch.delenv("READINESS_USER", raising=False)
    get_settings.cache_clear()
    yield published
    get_settings.cache_clear()


def _cli(*args: str) -> tuple[int, str, str]:
    from flows.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _status(*args: str) -> set[str]:
    code, stdout, stderr = _cli("status", "--json", *args)
    assert code == 0, stderr
    return {r["project"] for r in json.loads(stdout)}


def test_status_shows_only_the_named_users_portfolios(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = PROJECTS | {"emea_" + p for p in PROJECTS}
    assert _status() == everything  # nobody named: the operator reads every portfolio
    assert _status("--user", "alice") == {"emea_" + p for p in PROJECTS}
    assert _status("--user", "board") == everything
    monkeypatch.setenv("READINESS_USER", "alice")
    get_settings.cache_clear()
    assert _status() == {"emea_" + p for p in PROJECTS}
    code, _, stderr = _cli("status", "--user", "intern")
    assert code == 1 and "no assessment of the portfolios you may read" in stderr
    code, _, stderr = _cli("status", "--user", "mallory")  # not in the access file: nothing
    assert code == 1 and "none is shared with you" in stderr


def test_report_and_history_honour_the_scope(cli_env: Path) -> None:
    code, stdout, stderr = _cli("report", "--portfolio", "--user", "alice")
    assert code == 0, stderr
    assert "emea-run-2026-11-20" in stdout  # the portfolios' projects have the same names
    assert not re.search(r"(?<!emea-)run-2026-11-20", stdout)
    code, _, stderr = _cli("report", "--project", "support_copilot", "--user", "alice")
    assert code == 1 and "support_copilot" in stderr  # another portfolio's project: unknown
    code, stdout, _ = _cli("report", "--project", "emea_support_copilot", "--user", "alice")
    assert code == 0
    code, _, stderr = _cli("history", "support_copilot", "--user", "alice")
    assert code == 1 and "no assessed run" in stderr
    code, stdout, stderr = _cli("history", "support_copilot", "--user", "board", "--json")
    assert code == 0, stderr and json.loads(stdout)


def test_an_unreadable_access_file_stops_the_command(
    cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "access.yml").write_text("alice: emea\n", encoding="utf-8")
    code, _, stderr = _cli("status", "--user", "alice")
    assert code == 2 and "The access file could not be read" in stderr
    assert project_results(cli_env, portfolios=["example"])  # the library call is unchanged
