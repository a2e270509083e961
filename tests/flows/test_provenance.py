"""What a run ran on: the code version (the image's build argument wins), the lock file's hash and
the computing packages' versions, recorded per run and shown by `readiness history` and `diff`."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from core.settings import REPO_ROOT, Settings
from flows.cli import app
from flows.provenance import code_version, lock_fingerprint, package_versions
from readmodel.history import compare_runs, parse_packages
from tests.conftest import Assessed


def test_the_build_argument_names_the_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_CODE_VERSION", " 0123456789ab ")
    assert code_version(Settings()) == "0123456789ab"
    monkeypatch.setenv("READINESS_CODE_VERSION", "")  # an empty build argument: git, as before
    assert code_version(Settings()) != ""


def test_lock_hash_and_package_versions() -> None:
    assert lock_fingerprint() == hashlib.sha256((REPO_ROOT / "uv.lock").read_bytes()).hexdigest()
    found = package_versions("duckdb")
    assert found["duckdb"] == duckdb.__version__ and found["dbt-duckdb"] == version("dbt-duckdb")
    assert {"dbt-core", "pandera", "prefect"} <= set(found)
    assert "dbt-postgres" in package_versions("postgres")
    assert parse_packages(None) == {} and parse_packages("not json") == {}


def twin_run(assessed: Assessed, folder: Path, new_run: str) -> Path:
    """A copy of the session's snapshot in which every mart row of its run is there twice: as
    itself and as ``new_run``, which ran on other code and another DuckDB."""
    copy = folder / "snapshot.duckdb"
    shutil.copyfile(assessed.snapshot, copy)
    with duckdb.connect(str(copy)) as con:
        tables = [
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        ]
        for table in tables:
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_name = ? "
                    "order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            if "run_id" not in columns:
                continue  # a portfolio's rows (readiness_rollups, portfolio_latest), no run's
            listing = ", ".join(
                f"replace({c}, $old, $new)" if c.endswith("_id") and c != "project_id" else c
                for c in columns
            )
            con.execute(
                f"insert into {table} select {listing} from {table} where run_id = $old",
                {"old": assessed.run_id, "new": new_run},
            )
        con.execute(
            "update runs set code_version = 'feedface0000', started_at = started_at + interval 1 hour, "
            'package_versions = json_merge_patch(package_versions, \'{"duckdb": "0.0.1"}\')::varchar '
            "where run_id = ?",
            [new_run],
        )
    return copy


def test_each_run_records_what_it_ran_on_and_history_and_diff_show_it(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(assessed_examples.snapshot), read_only=True) as con:
        row = con.execute(
            "select code_version, lock_fingerprint, package_versions, portfolio_path from runs "
            "where run_id = ?",
            [assessed_examples.run_id],
        ).fetchone()
    assert row is not None
    assert row[0] and row[1] == lock_fingerprint()
    assert json.loads(row[2]) == package_versions("duckdb")
    assert row[3] == str(assessed_examples.portfolio)

    new_run = "29991231T000000Z-0000ffff"
    snapshot = twin_run(assessed_examples, tmp_path, new_run)
    changes = {
        c.what: (c.before, c.after)
        for c in compare_runs(snapshot, assessed_examples.run_id, new_run).ran_on
    }
    assert changes == {
        "code": (row[0], "feedface0000"),
        "duckdb": (duckdb.__version__, "0.0.1"),
    }

    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(snapshot))
    from core.settings import get_settings

    get_settings.cache_clear()
    try:
        runner = CliRunner()
        shown = runner.invoke(app, ["history", "support_copilot"], env={"COLUMNS": "250"})
        assert shown.exit_code == 0, shown.output
        assert "Lock" in shown.output and row[1][:12] in shown.output
        assert f"duckdb {duckdb.__version__}" in shown.output and "duckdb 0.0.1" in shown.output
        diffed = runner.invoke(app, ["diff", assessed_examples.run_id, new_run])
        assert diffed.exit_code == 0, diffed.output
        assert f"ran on: duckdb {duckdb.__version__} -> 0.0.1" in diffed.output
        assert f"ran on: code {row[0]} -> feedface0000" in diffed.output
        as_json = json.loads(
            runner.invoke(app, ["diff", assessed_examples.run_id, new_run, "--json"]).output
        )
        assert {"what": "duckdb", "before": duckdb.__version__, "after": "0.0.1"} in as_json[
            "ran_on"
        ]
    finally:
        get_settings.cache_clear()
