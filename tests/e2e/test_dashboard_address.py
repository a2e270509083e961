"""``readiness dashboard`` listens on this machine only unless a setting says otherwise, and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import REPO_ROOT
from tests.browser.served import served_dashboard
from tests.services import free_port


def listening(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_dashboard_listens_on_loopback_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.delenv("READINESS_DASHBOARD_ADDRESS", raising=False)
    with served_dashboard(tmp_path / "none.duckdb", port, env={"READINESS_HOME": str(tmp_path)}):
        addresses = listening(port)
    assert addresses, "nothing listens on the port"
    # 0100007F is 127.0.0.1; nothing on 00000000 (every IPv4 interface) or :: (every IPv6 one).
    assert addresses == {"0100007F"}, addresses


def test_listening_on_every_interface_is_said_at_start_with_the_login_state(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "READINESS_HOME": str(tmp_path),
        "READINESS_DASHBOARD_ADDRESS": "0.0.0.0",
        "READINESS_DASHBOARD_LOGIN": "false",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "dashboard", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
    finally:
        os.killpg(process.pid, 9)
        process.wait(timeout=30)
    assert "listening on 0.0.0.0" in first and "login OFF" in first, first
