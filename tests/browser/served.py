"""The dashboard served for real (``readiness dashboard`` on a free port) and a headless Chromium.

Shared by the browser tests and the dashboard benchmark.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.settings import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"


@contextmanager
def served_dashboard(
    snapshot: Path, port: int, env: dict[str, str] | None = None, timeout: float = 90
) -> Iterator[str]:
    """Run ``readiness dashboard --port PORT`` on ``snapshot`` until the block ends; yield its URL."""
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
        cwd=REPO_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
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
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
