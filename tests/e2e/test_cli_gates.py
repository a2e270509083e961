"""The command line as a CI job uses it: --version, --json, every exit code, show/list/export/cache.

Reads the session's real assessment of the examples (support_copilot go, the four others not yet);
the diff gates are tested on two real runs in tests/e2e/test_history.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from core.csv_safe import to_csv_bytes
from core.settings import get_settings
from flows import warehouse
from flows.cli import app
from tests.conftest import Assessed

runner = CliRunner()


@pytest.fixture
def published(assessed_examples: Assessed, monkeypatch: pytest.MonkeyPatch) -> Iterator[Assessed]:
    monkeypatch.setenv("READINESS_HOME", str(assessed_examples.home))
    monkeypatch.delenv("READINESS_USER", raising=False)
    monkeypatch.delenv("READINESS_DASHBOARD_ACCESS", raising=False)
    get_settings.cache_clear()
    yield assessed_examples
    get_settings.cache_clear()


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args))


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"readiness {version('ai-readiness')}"


def test_status_gates_on_one_project(published: Assessed) -> None:
    go = runner.invoke(app, ["status", "--project", "support_copilot", "--fail-on", "not-go"])
    assert go.exit_code == 0, go.output
    assert "support_copilot" in go.stdout and "churn_predictor" not in go.stdout
    not_go = runner.invoke(
        app, ["status", "--project", "churn_predictor", "--fail-on", "not-go", "--json"]
    )
    assert not_go.exit_code == 3
    (row,) = json.loads(not_go.stdout)
    assert row["project"] == "churn_predictor" and row["recommendation"] == "not_yet"
    assert "--fail-on not-go: churn_predictor: Not yet" in not_go.stderr
    unknown = runner.invoke(app, ["status", "--project", "nope", "--fail-on", "not-go"])
    assert unknown.exit_code == 1 and "no published result for project 'nope'" in unknown.stderr
    for wrong in (["--fail-on", "not-go"], ["--project", "x", "--fail-on", "red"]):
        assert runner.invoke(app, ["status", *wrong]).exit_code == 2


def test_status_and_list_take_portfolio(published: Assessed) -> None:
    mine = runner.invoke(app, ["status", "--portfolio", "example", "--json"])
    assert mine.exit_code == 0 and len(json.loads(mine.stdout)) == 5
    other = runner.invoke(app, ["status", "--portfolio", "elsewhere", "--json"])
    assert other.exit_code == 1 and "(elsewhere)" in other.stderr
    listed = runner.invoke(app, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    (portfolio,) = json.loads(listed.stdout)
    assert portfolio["portfolio_id"] == "example" and portfolio["runs"] == 1
    verdicts = {p["project_id"]: p["recommendation"] for p in portfolio["projects"]}
    assert verdicts["support_copilot"] == "go" and len(verdicts) == 5
    text = runner.invoke(app, ["list"])
    assert "support_copilot GO" in text.stdout and "churn_predictor NOT YET" in text.stdout


def test_show_a_project(published: Assessed) -> None:
    result = runner.invoke(app, ["show", "churn_predictor", "--json"])
    assert result.exit_code == 0, result.output
    detail = json.loads(result.stdout)
    assert detail["recommendation"] == "not_yet" and detail["portfolio"] == "example"
    assert detail["blockers"] and {b["severity"] for b in detail["blockers"]} <= {
        "critical",
        "major",
    }
    results = {c["check_id"]: c["result"] for c in detail["checks"]}
    assert results["dq_freshness"] == "fail"
    assert [r["priority"] for r in detail["roadmap"]] == sorted(
        r["priority"] for r in detail["roadmap"]
    )
    assert any(r["title"] == "Data is fresh enough for the use case" for r in detail["roadmap"])
    text = runner.invoke(app, ["show", "churn_predictor"])
    assert text.exit_code == 0
    for part in ("NOT YET", "Blockers", "Checks", "Roadmap", "dq_freshness"):
        assert part in text.stdout
    missing = runner.invoke(app, ["show", "nope"])
    assert missing.exit_code == 1 and "readiness list" in missing.stderr


def test_a_user_sees_only_their_portfolios(
    published: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = tmp_path / "access.yml"
    access.write_text("alice: [example]\nbob: [other]\n")
    monkeypatch.setenv("READINESS_DASHBOARD_ACCESS", str(access))
    get_settings.cache_clear()
    assert runner.invoke(app, ["show", "support_copilot", "--user", "alice"]).exit_code == 0
    for command in (["show", "support_copilot"], ["list"], ["export", "roadmap", "-o", "x.csv"]):
        result = runner.invoke(app, [*command, "--user", "bob"], catch_exceptions=False)
        assert result.exit_code == 1, command
        assert "portfolios you may read" in result.stderr


def test_export_neutralises_formulas_as_the_dashboard_does(
    published: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of the published snapshot whose project name is a spreadsheet formula.
    hostile = tmp_path / "example.duckdb"
    shutil.copy(published.snapshot, hostile)
    with duckdb.connect(str(hostile)) as con:
        con.execute(
            'update recommendations set project_name = \'=HYPERLINK("http://x","y")\' '
            "where project_id = 'support_copilot'"
        )
        expected = con.execute("select * from recommendations").df()
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(hostile))
    get_settings.cache_clear()
    target = tmp_path / "out" / "recommendations.csv"
    result = runner.invoke(app, ["export", "recommendations", "-o", str(target), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "mart": "recommendations",
        "format": "csv",
        "path": str(target),
        "rows": 5,
    }
    data = target.read_bytes()
    assert data == to_csv_bytes(expected)  # the dashboard's guard, byte for byte
    assert b"\"'=HYPERLINK(" in data and b'",=HYPERLINK' not in data
    parquet = tmp_path / "roadmap.parquet"
    result = runner.invoke(
        app, ["export", "roadmap", "-o", str(parquet), "--project", "churn_predictor"]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(parquet)
    assert len(frame) > 0 and set(frame["project_id"]) == {"churn_predictor"}
    for wrong in (
        ["export", "raw_runs", "-o", "x.csv"],
        ["export", "roadmap", "-o", "x.xlsx"],
        ["export", "runs", "-o", "x.csv", "--project", "a"],
    ):
        result = runner.invoke(app, wrong)
        assert result.exit_code == 2, wrong
    assert not Path("x.csv").exists()
    # An unknown run or project is not an empty export: exit 1, nothing written (docs/cli.md).
    for unknown in (["--run", "no-such-run"], ["--project", "no_such_project"]):
        result = runner.invoke(app, ["export", "roadmap", "-o", "x.csv", *unknown])
        assert result.exit_code == 1, (unknown, result.output)
        assert "no published" in result.output
    assert not Path("x.csv").exists()


def test_cache_clear_empties_the_measurement_cache_under_the_run_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path))
    get_settings.cache_clear()
    settings = get_settings()
    settings.measurement_cache_path.mkdir(parents=True)
    for name in ("a", "b"):
        (settings.measurement_cache_path / name).write_text("{}")
    with warehouse.run_lock(settings.warehouse):
        busy = runner.invoke(app, ["cache", "clear"])
    assert busy.exit_code == 1 and "another assessment is running" in busy.stderr
    assert len(list(settings.measurement_cache_path.iterdir())) == 2
    result = runner.invoke(app, ["cache", "clear", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["removed"] == 2
    assert list(settings.measurement_cache_path.iterdir()) == []
    get_settings.cache_clear()


ORDERS = "order_id,amount,created_at\n1,10,{new}\n2,11,{old}\n2,12,{old}\n"


@pytest.mark.parametrize(
    ("gate", "options", "bad", "finding"),
    [
        ("duplicates", ["--key", "order_id"], True, "1 row(s) share a key (order_id)"),
        ("stale", ["--timestamp", "created_at", "--max-age", "7d"], True, "older than the max"),
        ("violations", [], True, "row(s) could not be read"),
    ],
)
def test_audit_fail_on(
    tmp_path: Path, gate: str, options: list[str], bad: bool, finding: str
) -> None:
    now = datetime.now(UTC)
    new, old = now.isoformat(), (now - timedelta(days=30)).isoformat()
    clean = tmp_path / "clean.csv"
    clean.write_text(f"order_id,amount,created_at\n1,10,{new}\n2,11,{new}\n")
    dirty = tmp_path / "dirty.csv"
    text = ORDERS.format(new=old if gate == "stale" else new, old=old)
    dirty.write_text(text + ("3\n" if gate == "violations" else ""))
    ok = runner.invoke(app, ["audit", str(clean), *options, "--fail-on", gate])
    assert ok.exit_code == 0, ok.output
    failed = runner.invoke(app, ["audit", str(dirty), *options, "--fail-on", gate, "--json"])
    assert failed.exit_code == 3, failed.output
    document = json.loads(failed.stdout)
    assert document["gate"]["failed"] is True
    assert any(finding in f for f in document["gate"]["findings"])
    assert f"--fail-on {gate}:" in failed.stderr


def test_audit_fail_on_needs_what_it_checks(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    for options, message in (
        (["--fail-on", "stale"], "needs --timestamp and --max-age"),
        (["--fail-on", "duplicates"], "needs --key"),
        (["--fail-on", "nulls"], "expected stale or violations or duplicates"),
    ):
        result = runner.invoke(app, ["audit", str(data), *options])
        assert result.exit_code == 2 and message in result.stderr, options
    missing = runner.invoke(app, ["audit", str(tmp_path / "none.csv"), "--fail-on", "violations"])
    assert missing.exit_code == 1


def test_validate_json_lists_every_problem(published: Assessed) -> None:
    result = runner.invoke(app, ["validate", str(published.portfolio), "--json"])
    document = json.loads(result.stdout)
    assert {p["project"] for p in document["projects"]} >= {"support_copilot", "churn_predictor"}
    # Each entry names a project by its id; an earlier week of the history says its as_of.
    present = [p["project"] for p in document["projects"] if p["as_of"] is None]
    weeks = [(p["project"], p["as_of"]) for p in document["projects"] if p["as_of"] is not None]
    assert len(present) == len(set(present)) == 5
    assert weeks and {project for project, _ in weeks} <= set(present)
    assert ("support_copilot", "2026-10-30T09:00:00+00:00") in weeks
    assert document["rejected"] == sum(len(p["rejected"]) for p in document["projects"])
    assert result.exit_code == (1 if document["unreadable"] else 0)
    for project in document["projects"]:
        for problem in project["rejected"]:
            assert problem["source"] and problem["message"]


def test_report_takes_a_portfolio_id_and_prints_json_metadata(
    published: Assessed, tmp_path: Path
) -> None:
    target = tmp_path / "p.html"
    args = ["report", "--portfolio", "example", "--format", "html", "-o", str(target), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout)
    assert meta["portfolios"] == ["example"] and meta["run_ids"] == [published.run_id]
    assert meta["bytes"] == len(target.read_bytes()) and len(meta["sha256"]) == 64
    other = runner.invoke(app, ["report", "--portfolio", "elsewhere"])
    assert other.exit_code == 1
    assert runner.invoke(app, ["report", "--project", "x", "example"]).exit_code == 2
    assert runner.invoke(app, ["report", "--portfolio", "--json"]).exit_code == 2


HEAVY = ("prefect", "dbt", "pandas", "fpdf", "apprise", "sqlglot", "flows.config", "yaml")
# What --help needs none of: it reads no settings, no configuration and no snapshot.
HELP_HEAVY = (*HEAVY, "duckdb", "pydantic", "pydantic_settings", "core.settings")
_PROBE = """
import sys
sys.argv = ["readiness", *sys.argv[1:]]
from flows.cli import app
try:
    app()
except SystemExit:
    pass
print(" ".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "command",
    [
        ["--help"],
        ["status", "--json"],
        ["show", "support_copilot", "--json"],
        ["list", "--json"],
        ["diff", "RUN", "RUN", "--fail-on", "regression", "--json"],
    ],
)
def test_commands_that_answer_at_once_import_no_heavy_library(
    published: Assessed, command: list[str]
) -> None:
    """What makes `--help`, `status`, `show` answer at once: no Prefect, dbt, pandas or PDF, no
    configuration models; `--help` not even the settings or DuckDB."""
    import os
    import subprocess
    import sys

    command = [published.run_id if part == "RUN" else part for part in command]
    heavy = HELP_HEAVY if command == ["--help"] else HEAVY
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=heavy), *command],
        env={**os.environ, "READINESS_HOME": str(published.home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout, done.stderr
    assert done.stderr.strip().splitlines()[-1:] in ([], [""]), done.stderr[-2000:]


def test_an_export_that_fills_the_disk_leaves_no_partial_file(
    published: Assessed, tmp_path: Path
) -> None:
    import subprocess
    import uuid

    from tests.services import missing

    target = tmp_path / "small"
    target.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", f"readiness-{uuid.uuid4().hex[:6]}", target],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        missing("mount", f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        result = runner.invoke(app, ["export", "check_items", "-o", str(target / "items.csv")])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
        assert "the disk is full" in result.output and "Error" not in result.output
        assert list(target.iterdir()) == []
    finally:
        subprocess.run(["umount", "-l", target], check=False)
