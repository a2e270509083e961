"""The dashboard served for real (``readiness dashboard`` on a free port) and a headless Chromium.

Shared by the browser tests and the dashboard benchmark.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.settings import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"


@contextmanager
def served_dashboard(
    snapshot: Path,
    port: int,
    env: dict[str, str] | None = None,
    timeout: float = 90,
    root: Path = REPO_ROOT,
) -> Iterator[str]:
    """Run ``readiness dashboard --port PORT`` on ``snapshot`` until the block ends; yield its URL.

    ``root`` is the checkout whose code serves it (another one: the benchmark's old-against-new).
    """
    environment = {
        **os.environ,
        "READINESS_SNAPSHOT_PATH": str(snapshot),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "dashboard", "--port", str(port)],
        cwd=root,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        # `readiness dashboard` runs Streamlit as a child: stopping the command alone would leave
        # the Streamlit server running, so both go in a process group of their own, stopped whole.
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the dashboard exited with {process.returncode}; see {log_path}"
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not answer on {url} within {timeout} s")
            time.sleep(0.3)
        yield url
    finally:
        _stop_group(process)
        log.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with ``start_new_session`` and every process of its group."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)  # is anyone of the group left?
            except ProcessLookupError:
                process.wait()
                return
            process.poll()  # reap the command itself, so it does not linger as a zombie
            time.sleep(0.2)
    process.wait()
