"""Storage faults, each made real: a small filesystem the test mounts (tmpfs with a size limit).

- the disk fills up while a run publishes: the run is recorded failed with the reason, the
  partial copy is removed and the previous snapshot is left as it was;
- a publisher killed mid-way: the next run records that run failed;
- READINESS_HOME read-only or missing (and not creatable), a full temporary folder, a DuckDB
  spill folder or the audits' spill folder (READINESS_SPILL_DIR) that cannot be written:
  `readiness run` says so in one line, without a traceback.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from core.settings import EXAMPLE_PORTFOLIO, get_settings
from flows import abandoned, publishing, repair, storage, warehouse
from flows.cli import app
from readmodel import snapshots
from tests.conftest import Assessed, copy_examples
from tests.services import missing

SCRIPT = Path(sys.executable).parent / "readiness"

Mount = Callable[..., Path]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill(folder: Path) -> None:
    """Fill a filesystem to its last block."""
    try:
        with (folder / "filler").open("wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 4096)
    except OSError:
        pass


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Mount]:
    """Mount small tmpfs filesystems (root only); each is unmounted at the end."""
    mounted: list[Path] = []

    def make(name: str, size_kb: int, read_only: bool = False) -> Path:
        target = tmp_path / name
        target.mkdir()
        options = f"size={size_kb}k" + (",ro" if read_only else "")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, f"readiness-{uuid.uuid4().hex[:6]}", target],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            missing("mount", f"cannot mount a small tmpfs here: {done.stderr.strip()}")
        mounted.append(target)
        return target

    yield make
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", target], check=False)


def _working(tmp_path: Path) -> Path:
    """A working warehouse whose marts make a snapshot of about 3 MB."""
    working = tmp_path / "w.duckdb"
    with warehouse.connect(working) as con:
        con.execute("create table runs as select 'r1' as run_id, 'example' as portfolio_id")
        con.execute(
            "create table check_items as select 'r1' as run_id, range as v, "
            "md5(range::varchar) || md5((range + 1)::varchar) as pad from range(40000)"
        )
    return working


def test_a_publish_that_fills_the_disk_keeps_the_previous_snapshot(
    tmp_path: Path, mount: Mount
) -> None:
    working = _working(tmp_path)
    staging = tmp_path / "staging"
    warehouse.publish(working, staging)
    size_kb = (staging / "example.duckdb").stat().st_size // 1024
    # Room for the previous snapshot and a part of the next one.
    folder = mount("published", size_kb + size_kb // 2)
    shutil.copy2(staging / "example.duckdb", folder / "example.duckdb")
    before = _sha(folder / "example.duckdb")

    with pytest.raises(storage.StorageError) as caught:
        warehouse.publish(working, folder)

    message = str(caught.value)
    assert message.startswith(f"publishing the snapshot into {folder} failed: the disk is full")
    assert "previous snapshot is unchanged" in message and "Error" not in message
    assert sorted(p.name for p in folder.iterdir()) == ["example.duckdb"]  # no partial file
    assert _sha(folder / "example.duckdb") == before
    with warehouse.connect(folder / "example.duckdb", read_only=True) as con:
        assert con.execute("select count(*) from check_items").fetchone() == (40000,)


def test_a_killed_publish_is_recorded_failed_by_the_next_run(tmp_path: Path) -> None:
    working = tmp_path / "w.duckdb"
    with warehouse.connect(working) as con:
        warehouse.ensure_raw_tables(con)
        con.execute(
            "insert into raw_runs (run_id, portfolio_id, started_at, status) values "
            "('r1', 'example', now(), 'succeeded'), ('r2', 'example', now(), 'succeeded')"
        )
    # What a publisher killed between recording and replacing the snapshot leaves behind.
    publishing.marker(working).write_text("r2", encoding="utf-8")
    with warehouse.connect(working) as con:
        assert publishing.mark_unpublished(con, working) == 1
        rows = con.execute("select run_id, status, message from raw_runs order by 1").fetchall()
    assert rows == [("r1", "succeeded", None), ("r2", "failed", publishing.INTERRUPTED)]
    assert not publishing.marker(working).exists()


def _env(home: Path, **extra: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    unset = ("READINESS_WAREHOUSE_PATH", "READINESS_SNAPSHOT_PATH")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        READINESS_HOME=str(home),
        PREFECT_API_URL=str(PREFECT_API_URL.value()),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def test_a_run_whose_publish_fills_the_disk_is_recorded_failed(
    prefect_server: None, assessed_examples: Assessed, tmp_path: Path, mount: Mount
) -> None:
    """A real `readiness run` publishing onto a filesystem with room for the old snapshot only."""
    portfolio = copy_examples(tmp_path / "examples")
    home = tmp_path / "home"
    shutil.copytree(assessed_examples.home, home)
    published = home / "published" / "example.duckdb"
    size_kb = published.stat().st_size // 1024
    # The old snapshot, the start-up probe, and a third of a new copy.
    folder = mount("published", size_kb + storage.PROBE_BYTES // 1024 + size_kb // 3)
    shutil.copy2(published, folder / "example.duckdb")
    before = _sha(folder / "example.duckdb")
    with warehouse.connect(home / "warehouse.duckdb", read_only=True) as con:
        earlier = {r[0] for r in con.execute("select run_id from raw_runs").fetchall()}

    done = subprocess.run(
        [str(SCRIPT), "run", str(portfolio), "--project", "support_copilot"],
        env=_env(home, READINESS_SNAPSHOT_PATH=str(folder)),
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    # The flow's log (Prefect's, on stderr) has the details; the person's line comes last.
    said = done.stderr[done.stderr.index("Run failed: ") :]
    assert said.startswith(
        f"Run failed: publishing the snapshot into {folder} failed: the disk is full"
    ), said
    assert "StorageError" not in said and "Traceback" not in said
    assert sorted(p.name for p in folder.iterdir()) == ["example.duckdb"]
    assert _sha(folder / "example.duckdb") == before
    with warehouse.connect(home / "warehouse.duckdb", read_only=True) as con:
        rows = con.execute("select run_id, status, message from raw_runs").fetchall()
    new = [(status, message) for run_id, status, message in rows if run_id not in earlier]
    assert len(new) == 1 and new[0][0] == "failed", new
    assert "the disk is full" in new[0][1]
    assert "Error" not in new[0][1], new  # the runs mart shows it: no class name
    assert not publishing.marker(home / "warehouse.duckdb").exists()


def _run(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str]:
    """`readiness run` of the examples in this process, stopped at its start-up checks."""
    for name in (
        "READINESS_WAREHOUSE_PATH",
        "READINESS_SNAPSHOT_PATH",
        "READINESS_SPILL_DIR",
        "TEMP",
        "TMP",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["run", str(EXAMPLE_PORTFOLIO)])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def _one_clear_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output and "Error:" not in output, output
    failed = [line for line in lines if line.startswith("Run failed: ")]
    assert len(failed) == 1, output
    return failed[0]


def test_a_read_only_home_is_refused_in_one_line(
    mount: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = mount("home", 1024, read_only=True)
    code, output = _run(monkeypatch, READINESS_HOME=str(home))
    assert code == 1
    line = _one_clear_line(output)
    assert line == (
        f"Run failed: READINESS_HOME ({home}) cannot be written: it is on a read-only file "
        "system; point READINESS_HOME at a writable folder with free space"
    )


def test_a_missing_home_is_created_or_refused_in_one_line(
    tmp_path: Path, mount: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Missing under a read-only folder: it cannot be created.
    home = mount("ro", 1024, read_only=True) / "readiness"
    code, output = _run(monkeypatch, READINESS_HOME=str(home))
    assert code == 1
    assert f"READINESS_HOME ({home}) cannot be written: it is on a read-only" in (
        _one_clear_line(output)
    )
    # A file where the folder belongs.
    home = tmp_path / "not-a-folder"
    home.write_text("x", encoding="utf-8")
    code, output = _run(monkeypatch, READINESS_HOME=str(home))
    assert code == 1
    assert f"READINESS_HOME ({home}) cannot be written: a file stands where a folder" in (
        _one_clear_line(output)
    )
    # Missing where it can be created: the probe creates it (nothing else is checked here).
    created = tmp_path / "new-home"
    storage.probe(storage.places(created, created / "w.duckdb", created / "published")[0])
    assert created.is_dir() and not list(created.iterdir())


def test_a_full_temporary_folder_is_refused_in_one_line(
    tmp_path: Path, mount: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = mount("tmp", 128)
    _fill(full)
    code, output = _run(monkeypatch, READINESS_HOME=str(tmp_path / "home"), TMPDIR=str(full))
    assert code == 1
    assert _one_clear_line(output) == (
        f"Run failed: the temporary folder ({full}) cannot be written: the disk is full (no "
        "space left on device); free space there, or set TMPDIR to a writable folder with free "
        "space"
    )


def test_a_spill_folder_that_cannot_be_written_is_refused_in_one_line(
    tmp_path: Path, mount: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    spill = home / "warehouse.duckdb.tmp"
    spill.write_text("in the way", encoding="utf-8")  # a file where DuckDB spills
    code, output = _run(monkeypatch, READINESS_HOME=str(home))
    assert code == 1
    assert _one_clear_line(output).startswith(
        f"Run failed: DuckDB's spill folder ({spill}) cannot be written: a file stands where a "
        "folder belongs"
    )
    # A spill folder on a full disk.
    spill.unlink()
    full = mount("spill", 128)
    _fill(full)
    spill.symlink_to(full)
    code, output = _run(monkeypatch, READINESS_HOME=str(home))
    assert code == 1
    assert f"DuckDB's spill folder ({spill}) cannot be written: the disk is full" in (
        _one_clear_line(output)
    )
    assert snapshots.published_portfolios(home / "published") == []


def test_a_truncated_working_warehouse_is_found_and_repaired_from_the_snapshot(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    shutil.copytree(assessed_examples.home, home)
    working, folder = home / "warehouse.duckdb", home / "published"
    published = folder / "example.duckdb"
    with warehouse.connect(published, read_only=True) as con:
        runs = sorted(r[0] for r in con.execute("select run_id from runs").fetchall())
        checks = con.execute("select count(*) from check_results").fetchone()
    before = _sha(published)
    os.truncate(working, working.stat().st_size // 2)  # a copy cut short, a disk that filled up

    code, output = _run(monkeypatch, READINESS_HOME=str(home))
    assert code == 1
    assert _one_clear_line(output) == (
        f"Run failed: the working warehouse {working} is damaged: DuckDB cannot read it (the "
        "file is truncated or is not a DuckDB database, e.g. after a full disk or a copy cut "
        "short); the published snapshots are not affected: run `readiness repair` to rebuild it "
        "from them"
    )
    with pytest.raises(repair.DamagedWarehouseError):  # what a scheduled run meets, too
        repair.check_working(working)

    monkeypatch.setenv("READINESS_HOME", str(home))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["repair"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    kept = [p for p in home.iterdir() if p.name.startswith("warehouse.duckdb.damaged-")]
    assert len(kept) == 1
    assert f"{len(runs)} earlier run(s) kept as history" in result.output
    assert _sha(published) == before  # the repair reads the snapshots, never writes them
    repair.check_working(working)  # reads whole now
    with warehouse.connect(working, read_only=True) as con:
        assert con.execute("select count(*) from raw_runs").fetchone() == (0,)
        kept_runs = sorted(r[0] for r in con.execute("select run_id from history_runs").fetchall())
        assert kept_runs == runs
    # A working file that reads whole is not rebuilt without --force.
    again = CliRunner().invoke(app, ["repair"], env={"READINESS_HOME": str(home)})
    assert again.exit_code == 1 and "nothing to repair" in again.output

    # The next run's publish carries the kept history beside the new run's rows.
    with warehouse.connect(working) as con:
        con.execute(
            "create table runs as select 'r-new' as run_id, 'example' as portfolio_id, "
            "'succeeded' as status"
        )
        con.execute("create table check_results as select 'r-new' as run_id, 'c1' as check_id")
    warehouse.publish(working, folder)
    with warehouse.connect(published, read_only=True) as con:
        after = sorted(r[0] for r in con.execute("select run_id from runs").fetchall())
        assert after == sorted([*runs, "r-new"])
        assert con.execute("select count(*) from check_results").fetchone() == (checks[0] + 1,)


_HELD_FLOW = """
import sys, time
from pathlib import Path
from uuid import UUID
from prefect import flow
from flows import abandoned

@flow(name="held_then_killed")
def held(working: str) -> None:
    with abandoned.held(Path(working)):
        print("holding", flush=True)
        time.sleep(300)

held(sys.argv[1])
"""


def test_a_flow_run_killed_mid_way_is_marked_crashed_by_the_next_run(
    prefect_server: None, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    working = tmp_path / "warehouse.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-c", _HELD_FLOW, str(working)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == "holding":
                break
        process.kill()
    finally:
        process.wait(30)
    flow_run_id = abandoned.marker(working).read_text(encoding="utf-8").strip()
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(UUID(flow_run_id)).state_name == "Running"

    assert abandoned.crash_abandoned(working) == [flow_run_id]

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    assert state is not None and state.name == "Crashed"
    assert state.message == abandoned.REASON
    assert not abandoned.marker(working).exists()
    assert abandoned.crash_abandoned(working) == []  # nothing left to mark


def test_a_repair_that_fills_the_disk_leaves_no_partial_file(
    tmp_path: Path, mount: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "published"
    warehouse.publish(_working(tmp_path), published)  # a snapshot of about 3 MB
    home = mount("home", 1024)  # room for the damaged file, not for the rebuilt one
    damaged = home / "warehouse.duckdb"
    damaged.write_bytes(b"not a DuckDB file" * 64)
    monkeypatch.setenv("READINESS_HOME", str(home))
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(published))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["repair"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith("repair failed: ") and "the disk is full" in line, line
    assert "Error" not in line and "Traceback" not in result.output
    # The damaged file is where it was, and no partial rebuild fills the disk.
    assert sorted(p.name for p in home.iterdir() if not p.name.endswith(".lock")) == [
        "warehouse.duckdb"
    ]
    assert damaged.read_bytes() == b"not a DuckDB file" * 64


def test_a_working_file_this_process_holds_open_is_not_damaged(tmp_path: Path) -> None:
    """A second run in one process (deploy --serve, a worker) finds dbt's connection still open."""
    import duckdb

    from flows.repair import check_working

    path = tmp_path / "warehouse.duckdb"
    held = duckdb.connect(str(path))
    try:
        held.execute("create table raw_runs (run_id varchar)")
        check_working(path)  # read-only beside a read-write connection of this process: in use
    finally:
        held.close()


def test_a_repair_from_a_damaged_snapshot_says_so_in_one_line(
    assessed_examples: Assessed, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(assessed_examples.home, home)
    published = home / "published" / "example.duckdb"
    with published.open("r+b") as damaged:  # the snapshot's header overwritten: not DuckDB's
        damaged.write(b"\0" * 4096)
    os.truncate(home / "warehouse.duckdb", 0)

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["repair"], env={"READINESS_HOME": str(home)})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert result.output.startswith("repair failed: "), result.output
    assert "Traceback" not in result.output and "Exception" not in result.output
    assert (home / "warehouse.duckdb").stat().st_size == 0  # nothing replaced the damaged file


def test_an_audit_spill_folder_that_cannot_be_made_stops_the_run_as_it_stops_an_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way", encoding="utf-8")
    spill = blocked / "spill"  # READINESS_SPILL_DIR under a file: it cannot be made
    home = tmp_path / "home"
    code, output = _run(monkeypatch, READINESS_HOME=str(home), READINESS_SPILL_DIR=str(spill))
    assert code == 1
    line = _one_clear_line(output)
    assert line == (
        f"Run failed: the spill folder {spill} (READINESS_SPILL_DIR) cannot be written: a file "
        "stands where a folder belongs; point READINESS_SPILL_DIR at a writable folder with free "
        "space"
    )
    assert not (home / "warehouse.duckdb").exists()  # before the run started: nothing written
    data = tmp_path / "orders.csv"
    data.write_text("id,amount\n1,2.5\n", encoding="utf-8")
    audited = CliRunner().invoke(app, ["audit", str(data)])
    assert audited.exit_code == 1 and audited.output.strip() == line.removeprefix("Run failed: ")
    get_settings.cache_clear()
