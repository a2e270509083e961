"""A local Prefect server started once and reused by later runs (``readiness server ...``).

Without ``PREFECT_API_URL`` Prefect starts a temporary server for every process that runs a flow
and stops it at exit: 20-30 s of every ``readiness run`` on a busy machine, before any work. This
module starts the same server Prefect would (uvicorn serving ``prefect.server.api.server``, with
the services Prefect runs in its temporary servers), but in the background, on a free loopback
port, and leaves it running; later runs find it by the state file ``$READINESS_HOME/
prefect-server/server.json`` and check that it answers Prefect's ``/api/health``. A dead, stale or
other-version server is replaced. Its database and log live beside the state file.
``readiness server stop`` stops it; ``readiness server status`` says whether it runs.

A Prefect API configured any other way (``PREFECT_API_URL``, a Prefect profile, the test
harness's temporary settings) is used as it is: nothing is started.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from core.settings import get_settings

STATE_FOLDER = "prefect-server"
STATE_FILE = "server.json"
LOG_FILE = "server.log"
#: What the server's command line holds: how a recorded process id is recognised as this server
#: (a process id reused by another program after a reboot is never signalled).
APP_FACTORY = "prefect.server.api.server:create_app"
DEFAULT_STARTUP_TIMEOUT = 180.0


@dataclass(frozen=True)
class ServerState:
    """The server this home's runs share: its process, address and Prefect version."""

    pid: int
    port: int
    prefect_version: str

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up: the log file says why."""


def folder(home: Path | None = None) -> Path:
    """Where the server's state, database and log live: ``$READINESS_HOME/prefect-server``."""
    return (home or get_settings().home) / STATE_FOLDER


def read_state(home: Path | None = None) -> ServerState | None:
    """The recorded server, or None (no file, or a file this code cannot read)."""
    try:
        data = json.loads((folder(home) / STATE_FILE).read_text(encoding="utf-8"))
        return ServerState(int(data["pid"]), int(data["port"]), str(data["prefect_version"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")


def healthy(state: ServerState, timeout: float = 5.0) -> bool:
    """The server answers Prefect's health check (``GET /api/health`` is ``true``)."""
    import httpx

    try:
        response = httpx.get(f"{state.api_url}/health", timeout=timeout)
        return response.status_code == 200 and response.json() is True
    except (httpx.HTTPError, ValueError):
        return False


def _is_server_process(pid: int) -> bool:
    """The process ``pid`` runs and is a Prefect server (its command line names the app)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:  # no /proc (macOS): only whether it exists
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return APP_FACTORY.encode() in command


def _running(pid: int) -> bool:
    """The process exists and has not exited (a zombie waiting for its parent has)."""
    try:
        os.kill(pid, 0)
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True  # no /proc (macOS): it exists
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _locked(home: Path | None) -> Iterator[Path]:
    """One process at a time starts or stops this home's server (the others then reuse it)."""
    where = folder(home)
    where.mkdir(parents=True, exist_ok=True)
    with open(where / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield where
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _terminate(pid: int, wait: float = 10.0) -> None:
    """Stop the server process (its whole session: uvicorn and what it started)."""
    if not _is_server_process(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.1)
    if _running(pid):
        with suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def _start(where: Path, timeout: float) -> ServerState:
    """Start the server in the background, wait until it answers, record it."""
    process, state = _launch(where)
    return _await(where, process, state, timeout)


def _launch(where: Path) -> tuple[subprocess.Popen[bytes], ServerState]:
    """Start the server process on a free loopback port; do not wait for it."""
    port = _free_port()
    # It outlives this run: none of the product's settings or secrets go with it.
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("READINESS_", "DBT_ENV_SECRET", "PREFECT_API_URL"))
    }
    env = {
        **kept,
        # The server's database and files live in its folder, not in the user's ~/.prefect.
        "PREFECT_HOME": str(where),
        "PREFECT_UI_ENABLED": "false",
        # Only the services Prefect's temporary servers run (no scheduler polling for
        # deployments): an idle server costs little.
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", APP_FACTORY,
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on",
    ]  # fmt: skip
    with open(where / LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=where,
            start_new_session=True,  # outlives this command; stopped by `readiness server stop`
        )
    return process, ServerState(process.pid, port, _prefect_version())


def _await(
    where: Path, process: subprocess.Popen[bytes], state: ServerState, timeout: float
) -> ServerState:
    """Wait until the launched server answers, then record it (or stop it and say why not)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(
                f"the local Prefect server stopped while starting (exit {process.returncode}); "
                f"its log: {where / LOG_FILE}"
            )
        if healthy(state, timeout=2.0):
            (where / STATE_FILE).write_text(json.dumps(asdict(state)), encoding="utf-8")
            return state
        time.sleep(0.25)
    _terminate(process.pid)
    raise ServerStartError(
        f"the local Prefect server did not answer within {timeout:.0f} s; its log: "
        f"{where / LOG_FILE}"
    )


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    return float(
        os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
        or DEFAULT_STARTUP_TIMEOUT
    )


def ensure_server(home: Path | None = None, timeout: float | None = None) -> ServerState:
    """The running server of this home, started (or replaced, when dead or of another version) if needed."""
    return begin_server(home).wait(timeout)


class StartingServer:
    """A home's server, running or launched and not yet waited for (:func:`begin_server`).

    A first run launches the server, then does its own slow start (importing the flow, dbt,
    pandas) while the server starts in its own process, and only then waits for it: the two
    starts overlap instead of following each other. The home's lock is held from the launch
    until :meth:`wait` returns, so a second run waits for this server instead of starting one.
    """

    def __init__(self, home: Path | None) -> None:
        self._stack = ExitStack()
        where = self._stack.enter_context(_locked(home))
        self._where = where
        self._process: subprocess.Popen[bytes] | None = None
        try:
            state = read_state(home)
            if state is not None and not (
                state.prefect_version == _prefect_version() and healthy(state)
            ):
                _terminate(state.pid)  # dead, hung or of another Prefect version
                (where / STATE_FILE).unlink(missing_ok=True)
                state = None
            if state is None:
                self._process, state = _launch(where)
            self._state = state
        except BaseException:
            self._stack.close()
            raise
        if self._process is None:
            self._stack.close()  # found running: nothing to wait for, the lock is not needed

    @property
    def launched(self) -> bool:
        """Whether this call started the server (a first run), rather than finding it running."""
        return self._process is not None

    def wait(self, timeout: float | None = None) -> ServerState:
        """The server once it answers (ServerStartError when it does not come up)."""
        try:
            if self._process is not None:
                self._state = _await(self._where, self._process, self._state, _timeout(timeout))
                self._process = None
            return self._state
        finally:
            self._stack.close()


def begin_server(home: Path | None = None) -> StartingServer:
    """A home's server: found running, or launched in the background (wait with ``.wait()``)."""
    return StartingServer(home)


def stop_server(home: Path | None = None) -> ServerState | None:
    """Stop this home's server; the state it had, or None when none was recorded."""
    with _locked(home) as where:
        state = read_state(home)
        if state is not None:
            _terminate(state.pid)
        (where / STATE_FILE).unlink(missing_ok=True)
        return state


def configured_api() -> str | None:
    """The Prefect API this process is configured with (environment, profile or context), if any."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def use_local_server() -> str:
    """Point this process's Prefect client at a Prefect API; return its URL.

    A configured API (``PREFECT_API_URL``, a profile, temporary settings) is kept as it is;
    otherwise this home's local server, started once and reused (see the module's text).
    """
    return begin_local_server().wait()


class LocalServer:
    """The Prefect API a run will use, possibly still starting (:func:`begin_local_server`)."""

    def __init__(self, configured: str | None, starting: StartingServer | None) -> None:
        self._configured = configured
        self._starting = starting

    @property
    def launched(self) -> bool:
        """Whether a local server was started by this call (it takes a while the first time)."""
        return self._starting is not None and self._starting.launched

    def wait(self) -> str:
        """Point this process's Prefect client at the API once it answers; return its URL."""
        if self._configured:
            return self._configured
        assert self._starting is not None
        state = self._starting.wait()  # ServerStartError or OSError: the caller says so
        os.environ["PREFECT_API_URL"] = state.api_url  # child processes (Dask workers) too
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()
        self._configured = state.api_url
        return state.api_url


def begin_local_server() -> LocalServer:
    """Start what :func:`use_local_server` waits for, without waiting (see StartingServer)."""
    configured = configured_api()
    return LocalServer(configured, None if configured else begin_server())
