"""Faults of real infrastructure, each reproduced and survived on the real stack.

- one project's crash and another's unreadable evidence: those projects are marked, the rest of
  the portfolio is assessed and published;
- a run killed with SIGKILL at several points (a real `readiness run` process): the published
  snapshot is as it was, no earlier run is lost, the next run succeeds and records the killed
  run as interrupted;
- a publisher killed mid-copy: readers always open a complete snapshot;
- two runs started on the same warehouse: the second is refused with a clear message, the first
  completes, the warehouse is intact;
- the dashboard's queries never touch the working database (they work while a writer holds it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

from core.settings import get_settings
from flows import warehouse
from flows.report import project_results
from flows.schemas import RAW_TABLES
from readmodel import snapshots
from tests.conftest import Assessed, assess, copy_examples
from tests.hostile.harness import laughs

SCRIPT = Path(sys.executable).parent / "readiness"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_statuses(db: Path) -> dict[str, tuple[str, str | None]]:
    with warehouse.connect(db, read_only=True) as con:
        rows = con.execute("select run_id, status, message from raw_runs").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.fixture
def seeded_home(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Path]]:
    """A copy of the examples and of a home that holds the session's published run."""
    portfolio = copy_examples(tmp_path / "examples")
    home = tmp_path / "home"
    shutil.copytree(assessed_examples.home, home)
    monkeypatch.setenv("READINESS_HOME", str(home))
    get_settings.cache_clear()
    yield portfolio, home
    get_settings.cache_clear()


def _env(home: Path) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {
        **os.environ,
        "READINESS_HOME": str(home),
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def _start_run(
    portfolio: Path, home: Path, project: str = "support_copilot"
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), "run", str(portfolio), "--project", project],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _run_to_end(portfolio: Path, home: Path, project: str) -> subprocess.CompletedProcess[str]:
    """``readiness run`` of one project in its own process, to the end."""
    return subprocess.run(
        [str(SCRIPT), "run", str(portfolio), "--project", project],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _kill_when(process: subprocess.Popen[str], *marker: str, timeout: float = 300) -> str:
    """Read the run's log until a line holds every part of ``marker``, then SIGKILL the run."""
    assert process.stdout is not None
    seen: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if all(part in line for part in marker):
                process.send_signal(signal.SIGKILL)
                found.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    found.wait(timeout)
    if not found.is_set():
        process.kill()
    process.wait(30)
    reader.join(5)
    log = "".join(seen)
    assert found.is_set(), f"marker {marker!r} never appeared:\n{log[-3000:]}"
    assert process.returncode == -signal.SIGKILL
    return log


def test_a_crashing_project_and_unreadable_evidence_do_not_stop_the_portfolio(
    prefect_server: None, seeded_home: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio, home = seeded_home
    # Unreadable evidence: churn_predictor's inventory is not YAML any more.
    inventory = next((portfolio.parent / "projects" / "churn_predictor" / "inventory").iterdir())
    inventory.write_bytes(b"\x00\xff systems: [unclosed\n")
    # A crash: a bug in a reader, for contract_review only.
    from flows import measurements

    real = measurements.collect_inventory

    def crashing(context, project):
        if project.project.id == "contract_review":
            raise RuntimeError("reader bug: index out of range")
        return real(context, project)

    monkeypatch.setattr(measurements, "collect_inventory", crashing)
    # The seeding run cached contract_review's measurements; a patched reader is no input change.
    monkeypatch.setenv("READINESS_MEASUREMENT_CACHE", "false")
    # A project whose own file is hostile (a billion laughs): that project fails, alone.
    broken = portfolio.parent / "projects" / "broken_project" / "project.yml"
    broken.parent.mkdir()
    broken.write_text(laughs(), encoding="utf-8")
    config = yaml.safe_load(portfolio.read_text(encoding="utf-8"))
    config["projects"].append("projects/broken_project/project.yml")
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    run = assess(portfolio, home)

    results = {r["project"]: r for r in project_results(run.snapshot, run.run_id)}
    assert set(results) == {
        "support_copilot",
        "churn_predictor",
        "contract_review",
        "sales_forecast_assistant",
        "invoice_extraction",
        "broken_project",
    }
    assert results["broken_project"]["project_status"] == "failed"
    assert "aliases expand to more than" in results["broken_project"]["reason"]
    crashed = results["contract_review"]
    assert crashed["project_status"] == "failed"
    assert crashed["recommendation"] == "not_yet"
    assert "reader bug: index out of range" in crashed["reason"]
    assert "RuntimeError" not in crashed["reason"]  # no class name is shown
    # The others are assessed as usual; the unreadable file is recorded with its reason.
    assert results["support_copilot"]["recommendation"] == "go"
    assert results["churn_predictor"]["project_status"] == "ok"
    with warehouse.connect(run.snapshot, read_only=True) as con:
        status, message = con.execute(
            "select status, message from runs where run_id = ?", [run.run_id]
        ).fetchone() or (None, None)
        unreadable = con.execute(
            "select source, error from evidence_inputs "
            "where run_id = ? and project_id = 'churn_predictor' and status = 'unreadable'",
            [run.run_id],
        ).fetchall()
    assert status == "partial" and message == "2 of 6 project(s) failed"
    assert [Path(source).name for source, _ in unreadable] == [inventory.name]
    assert unreadable[0][1]


def test_a_run_killed_at_any_point_loses_nothing_and_the_next_run_succeeds(
    prefect_server: None, seeded_home: tuple[Path, Path]
) -> None:
    portfolio, home = seeded_home
    settings = get_settings()
    published = snapshots.portfolio_file(settings.snapshot, "example")
    before_snapshot = _sha(published)
    earlier = _run_statuses(settings.warehouse)
    assert earlier and all(status == "succeeded" for status, _ in earlier.values())

    # While ingesting, while dbt builds, and as dbt ends (the run is finished and published).
    points = [
        ("ingesting", ("start-run", "Finished in state"), True),
        ("building", ("build-marts", "dbt build: running, first node"), True),
        ("publishing", ("build-marts", "Finished in state"), False),
    ]
    for point, marker, before_publish in points:
        _kill_when(_start_run(portfolio, home), *marker)
        if before_publish:
            # Readers see exactly the last complete run.
            assert _sha(published) == before_snapshot, point
        with warehouse.connect(published, read_only=True) as con:
            assert con.execute("select count(*) from runs").fetchone(), point
        # No earlier run is lost or changed, and the working warehouse still opens.
        statuses = _run_statuses(settings.warehouse)
        assert all(statuses.get(r) == earlier[r] for r in earlier), point

    done = _run_to_end(portfolio, home, "support_copilot")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    latest = done.stdout.split("Run ", 1)[1].split(";", 1)[0]
    statuses = _run_statuses(settings.warehouse)
    assert statuses[latest][0] == "succeeded"
    killed = {r: statuses[r] for r in statuses if r not in earlier and r != latest}
    interrupted = [r for r, (status, _) in killed.items() if status == "failed"]
    # The kills while ingesting and while building left 'running' rows: now marked interrupted.
    assert len(interrupted) >= 2, killed
    for run_id in interrupted:
        message = killed[run_id][1]
        assert message and "interrupted" in message, run_id
    assert not [r for r, (status, _) in killed.items() if status == "running"]
    assert not list(settings.snapshot.glob(".*.partial"))
    results = {r["project"]: r for r in project_results(settings.snapshot)}
    assert results["support_copilot"]["run_id"] == latest
    assert results["support_copilot"]["recommendation"] == "go"
    with warehouse.connect(published, read_only=True) as con:
        runs = {r[0] for r in con.execute("select run_id from runs").fetchall()}
    assert set(earlier) | {latest} <= runs


_PUBLISH_LOOP = """
import sys
from pathlib import Path
from flows import warehouse
from readmodel import snapshots
working, snapshot = Path(sys.argv[1]), Path(sys.argv[2])
while True:
    warehouse.publish(working, snapshot)
    print("published", flush=True)
"""


def test_a_publisher_killed_mid_copy_never_leaves_a_broken_snapshot(tmp_path: Path) -> None:
    working, folder = tmp_path / "w.duckdb", tmp_path / "pub"
    snapshot = folder / "example.duckdb"
    with warehouse.connect(working) as con:
        con.execute("create table runs as select 'r1' as run_id, 'example' as portfolio_id")
        con.execute(
            "create table check_items as "
            "select 'r1' as run_id, range as v, repeat('x', 200) as pad from range(300000)"
        )
    warehouse.publish(working, folder)
    for delay in (0.05, 0.2, 0.4, 0.7, 1.0):
        process = subprocess.Popen(
            [sys.executable, "-c", _PUBLISH_LOOP, str(working), str(folder)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5 + delay)  # after the import, somewhere in a copy
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        # Always a whole file (the one before, or one the loop finished), never a torn one: each
        # publish writes a new DuckDB file, so its bytes differ run to run, but it opens whole.
        with duckdb.connect(str(snapshot), read_only=True) as con:
            assert con.execute("select count(*) from check_items").fetchone() == (300000,), delay
            assert con.execute("select run_id from runs").fetchall() == [("r1",)], delay
    warehouse.publish(working, folder)
    assert [p.name for p in folder.iterdir()] == ["example.duckdb"]


def test_two_runs_at_once_one_is_refused_and_the_warehouse_is_intact(
    prefect_server: None, seeded_home: tuple[Path, Path]
) -> None:
    portfolio, home = seeded_home
    settings = get_settings()
    earlier = _run_statuses(settings.warehouse)
    first = _start_run(portfolio, home)
    lock = settings.warehouse.with_suffix(".lock")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and "pid" not in (lock.read_text() if lock.exists() else ""):
        time.sleep(0.2)
    assert "pid" in lock.read_text(), "the first run never took the lock"
    # Hold the first run where it is (a run takes seconds, starting the second one too).
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = _run_to_end(portfolio, home, "churn_predictor")
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out, _ = first.communicate(timeout=600)
    assert first.returncode == 0, out[-3000:]
    assert second.returncode == 1
    assert "another assessment is running on" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert "snapshot is unchanged" in second.stderr
    statuses = _run_statuses(settings.warehouse)
    new = [r for r in statuses if r not in earlier]
    assert [statuses[r][0] for r in new] == ["succeeded"]  # the refused run wrote nothing
    with warehouse.connect(settings.warehouse, read_only=True) as con:  # every table reads whole
        for table in RAW_TABLES:
            assert con.execute(f"select count(*) from {table}").fetchone(), table
    results = {r["project"]: r for r in project_results(settings.snapshot)}
    assert results["support_copilot"]["run_id"] == new[0]


_HOLD_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists busy as select 1 as v")
print("holding", flush=True)
time.sleep(120)
"""


def test_the_dashboard_reads_while_a_writer_holds_the_working_database(
    seeded_home: tuple[Path, Path],
) -> None:
    """A writer process holds the working DuckDB file: every dashboard query still answers."""
    from dashboard import queries

    settings = get_settings()
    writer = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITER, str(settings.warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException):  # the working file is locked indeed
            duckdb.connect(str(settings.warehouse), read_only=True)
        projects = queries.latest_projects()
        assert len(projects) == 5
        run_id = projects["run_id"].iloc[0]
        project = projects["project_id"].iloc[0]
        assert not queries.gap_scores(run_id, project).empty
        assert not queries.check_results(run_id, project).empty
    finally:
        writer.kill()
        writer.wait(10)
