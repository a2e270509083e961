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


def test_a_spill_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    data.write_text("id,amount\n1,2.5\n2,3.0\n", encoding="utf-8")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    env = {"READINESS_HOME": str(tmp_path / "home"), "READINESS_SPILL_DIR": str(blocked / "spill")}
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["audit", str(data)], env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"the spill folder {blocked / 'spill'} (READINESS_SPILL_DIR)")
    assert "Traceback" not in result.output and "not a folder" not in result.output
