"""The local Prefect server that runs share: started once, found alive and reused, a dead one
replaced, stopped by ``readiness server stop``; a configured PREFECT_API_URL is used instead.

A real server (the one `readiness run` starts) in a temporary home, started once for the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from flows import prefect_server
from flows.cli import app


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (stopped, not yet reaped by its parent) counts as stopped.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def test_a_dead_server_is_replaced_a_live_one_reused_and_stop_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path))
    get_settings.cache_clear()
    where = prefect_server.folder(tmp_path)
    where.mkdir(parents=True)
    # A server recorded by an earlier run that is gone: a process id that is not a Prefect
    # server (this test's own) and a port nothing answers on.
    dead = {"pid": os.getpid(), "port": prefect_server._free_port(), "prefect_version": "3.9.1"}
    (where / prefect_server.STATE_FILE).write_text(json.dumps(dead), encoding="utf-8")
    # A first run launches the server and goes on with its own start before waiting for it.
    starting = prefect_server.begin_server(tmp_path)
    assert starting.launched
    with ThreadPoolExecutor(1) as pool:
        # A second run meanwhile waits for the home's lock: it starts no second server.
        other = pool.submit(prefect_server.ensure_server, tmp_path)
        time.sleep(0.5)
        assert not other.done()
        started = starting.wait()
        assert other.result(timeout=120) == started
    try:
        assert not prefect_server.begin_server(tmp_path).launched  # running: nothing launched
        assert started.pid != os.getpid() and _alive(started.pid)  # replaced; we were not killed
        assert prefect_server.healthy(started)
        assert (where / "prefect.db").exists()  # its database lives in the home, not ~/.prefect
        # It outlives the run: none of the product's settings or secrets are in its environment.
        assert b"READINESS_" not in Path(f"/proc/{started.pid}/environ").read_bytes()
        again = prefect_server.ensure_server(tmp_path)
        assert again == started  # found alive and reused: nothing started
        status = CliRunner().invoke(app, ["server", "status", "--json"])
        assert status.exit_code == 0, status.output
        assert json.loads(status.stdout) == {
            "running": True,
            "api_url": started.api_url,
            "pid": started.pid,
        }
        stopped = CliRunner().invoke(app, ["server", "stop"])
        assert stopped.exit_code == 0 and f"process {started.pid}" in stopped.stdout
        assert not _alive(started.pid)
        assert prefect_server.read_state(tmp_path) is None
        after = CliRunner().invoke(app, ["server", "status"])
        assert after.exit_code == 1 and "not running" in after.stdout
    finally:
        prefect_server.stop_server(tmp_path)
        get_settings.cache_clear()


def test_a_configured_prefect_api_url_is_used_and_nothing_is_started(tmp_path: Path) -> None:
    # A fresh process: Prefect reads its settings when first imported, as `readiness run` does.
    url = "http://127.0.0.1:9/api"
    env = {**os.environ, "READINESS_HOME": str(tmp_path), "PREFECT_API_URL": url}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flows import prefect_server as p; print(p.use_local_server())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == url
    assert not prefect_server.folder(tmp_path).exists()
