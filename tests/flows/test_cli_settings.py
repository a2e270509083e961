"""A wrong setting ends any command with a plain line per setting, never a traceback or its value."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from core.settings import get_settings
from flows.cli import app


def test_a_wrong_setting_is_named_without_its_value(tmp_path: Path) -> None:
    env = {
        "READINESS_HOME": str(tmp_path),
        "READINESS_MEMORY_BUDGET": "s3cret-lots",
        "READINESS_DASHBOARD_PORT": "not-a-port",
    }
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["status", "--json"], env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Settings problems (2):"
    assert any(line.startswith("  - READINESS_MEMORY_BUDGET: expected") for line in lines)
    assert any(line.startswith("  - READINESS_DASHBOARD_PORT: expected") for line in lines)
    assert "s3cret" not in result.output and "not-a-port" not in result.output
    assert "Traceback" not in result.output and "ValidationError" not in result.output
