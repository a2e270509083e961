"""Every check CI runs, in order: formatting, lint, types, SQL style, generated docs, then the tests.

Run it with ``uv run python scripts/check.py`` (the README's test command). Extra arguments go
to pytest, e.g. ``uv run python scripts/check.py -k dashboard``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step(name: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Run one step; stop with its exit code when it fails."""
    print(f"==> {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env={**os.environ, **(env or {})})
    print(
        f"<== {name}: {'ok' if code == 0 else f'failed ({code})'} in {time.monotonic() - started:.0f}s",
        flush=True,
    )
    if code != 0:
        sys.exit(code)


def main() -> None:
    """Run the checks."""
    python = sys.executable
    step("ruff format", [python, "-m", "ruff", "format", "--check", "."])
    step("ruff lint", [python, "-m", "ruff", "check", "."])
    step("mypy", [python, "-m", "mypy"])
    lint_db = Path(tempfile.gettempdir()) / "readiness-sqlfluff.duckdb"
    step(
        "sqlfluff",
        [python, "-m", "sqlfluff", "lint", "dbt_project/models", "dbt_project/macros"],
        env={"READINESS_WAREHOUSE_PATH": str(lint_db)},
    )
    step("docs/rubric.md is current", [python, "-m", "flows.cli", "rubric-doc", "--check"])
    step("dbt's raw sources are current", [python, "-m", "flows.cli", "dbt-sources", "--check"])
    step(
        "docs/configuration.md and docs/schemas are current",
        [python, "-m", "flows.cli", "config-doc", "--check"],
    )
    step("pytest", [python, "-m", "pytest", *sys.argv[1:]])


if __name__ == "__main__":
    main()
