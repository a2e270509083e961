"""Every check CI runs: formatting, lint, types, SQL style, generated docs, then the tests.

Run it with ``uv run python scripts/check.py`` (the README's test command). Extra arguments go
to pytest, e.g. ``uv run python scripts/check.py -k dashboard``.

The static checks (mypy, sqlfluff and the generated-file checks) run side by side, each in its
own process, and their output is printed step by step when they are done; the first failure
stops the run before the tests. pytest then runs on ``READINESS_TEST_WORKERS`` worker processes
(pytest-xdist, default 2; ``0`` runs in this one process): each worker starts its own Prefect
server and its own session assessment, and tests are handed out a file at a time (or a
``xdist_group`` at a time; see ``tests/conftest.py`` and ``docs/testing.md``).

``--static-only`` runs only the static checks and ``--tests-only`` only pytest: ``.ci/run`` runs
the static half while the services the tests need are still being installed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _done(name: str, code: int, started: float) -> None:
    print(
        f"<== {name}: {'ok' if code == 0 else f'failed ({code})'} in {time.monotonic() - started:.0f}s",
        flush=True,
    )


def step(name: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Run one step; stop with its exit code when it fails."""
    print(f"==> {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env={**os.environ, **(env or {})})
    _done(name, code, started)
    if code != 0:
        sys.exit(code)


def side_by_side(steps: list[tuple[str, list[str], dict[str, str]]]) -> None:
    """Run steps at the same time, print each one's output in order; stop if any failed."""
    started = time.monotonic()
    failed = 0
    with contextlib.ExitStack() as outputs:
        running = []
        for name, command, env in steps:
            out = outputs.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(
                command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
            )
            running.append((name, command, process, out))
        finished: dict[str, float] = {}  # each step's own time, not the slowest one's
        while len(finished) < len(running):
            for name, _, process, _ in running:
                if name not in finished and process.poll() is not None:
                    finished[name] = time.monotonic()
            time.sleep(0.2)
        for name, command, process, out in running:
            print(f"==> {name}: {' '.join(command)}", flush=True)
            out.seek(0)
            sys.stdout.buffer.write(out.read())
            sys.stdout.flush()
            code = process.returncode
            print(
                f"<== {name}: {'ok' if code == 0 else f'failed ({code})'} "
                f"in {finished[name] - started:.0f}s",
                flush=True,
            )
            failed = failed or code
    if failed:
        sys.exit(failed)


def static_checks(python: str) -> None:
    """Formatting and lint (quick, first), then types, SQL style and generated files together."""
    step("ruff format", [python, "-m", "ruff", "format", "--check", "."])
    step("ruff lint", [python, "-m", "ruff", "check", "."])
    lint_db = Path(tempfile.gettempdir()) / f"readiness-sqlfluff-{os.getpid()}.duckdb"
    side_by_side(
        [
            ("mypy", [python, "-m", "mypy"], {}),
            (
                "sqlfluff",
                [python, "-m", "sqlfluff", "lint", "dbt_project/models", "dbt_project/macros"],
                {"READINESS_WAREHOUSE_PATH": str(lint_db)},
            ),
            (
                "docs/rubric.md is current",
                [python, "-m", "flows.cli", "rubric-doc", "--check"],
                {},
            ),
            (
                "dbt's raw sources are current",
                [python, "-m", "flows.cli", "dbt-sources", "--check"],
                {},
            ),
            (
                "docs/configuration.md and docs/schemas are current",
                [python, "-m", "flows.cli", "config-doc", "--check"],
                {},
            ),
        ]
    )
    lint_db.unlink(missing_ok=True)


def pytest_command(python: str, args: list[str]) -> list[str]:
    """The pytest command: READINESS_TEST_WORKERS workers (2 by default), unless the arguments say otherwise."""
    workers = os.environ.get("READINESS_TEST_WORKERS", "2").strip() or "2"
    chosen = any(
        a in ("-n", "--numprocesses", "no:xdist") or a.startswith(("-n", "--numprocesses="))
        for a in args
    )
    if chosen or workers == "0":
        return [python, "-m", "pytest", *args]
    return [python, "-m", "pytest", "-n", workers, "--dist", "loadgroup", *args]


def main() -> None:
    """Run the checks."""
    python = sys.executable
    args = sys.argv[1:]
    static_only = "--static-only" in args
    tests_only = "--tests-only" in args
    args = [a for a in args if a not in ("--static-only", "--tests-only")]
    if not tests_only:
        static_checks(python)
    if not static_only:
        step("pytest", pytest_command(python, args))


if __name__ == "__main__":
    main()
