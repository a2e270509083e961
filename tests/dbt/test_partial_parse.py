"""dbt's partial parsing between runs: kept in $READINESS_HOME/dbt_target, reused when nothing
changed, and a changed model or profile still takes effect (dbt parses again what changed).

dbt ``parse`` only (no warehouse needed), on a copy of the dbt project so that a model can be
edited.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.settings import DBT_PROJECT_DIR, Settings
from flows import dbt

REASON = "Unable to do partial parsing because "


def _parse(settings: Settings) -> str:
    """Parse once; what dbt's log says about partial parsing in this invocation."""
    log = settings.home / "dbt_logs" / "dbt.log"
    before = log.stat().st_size if log.exists() else 0
    dbt.invoke(settings, ["parse"])
    with log.open(encoding="utf-8", errors="replace") as handle:
        handle.seek(before)
        new = handle.read()
    reasons = [line.split(REASON, 1)[1].strip() for line in new.splitlines() if REASON in line]
    return reasons[0] if reasons else "partial"


def _compiled_sql(settings: Settings, model: str) -> str:
    manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text("utf-8"))
    return str(manifest["nodes"][f"model.readiness.{model}"]["raw_code"])


def test_partial_parsing_is_reused_and_changes_still_take_effect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project)
    monkeypatch.setattr(dbt, "DBT_PROJECT_DIR", project)
    home = tmp_path / "home"
    settings = Settings(home=home, warehouse_path=home / "warehouse.duckdb")

    assert _parse(settings).startswith("saved manifest not found")  # first run: full parse
    assert (settings.dbt_target_path / "partial_parse.msgpack").is_file()
    assert _parse(settings) == "partial"  # nothing changed: the saved parse is reused

    model = next(project.glob("models/marts/*.sql"))
    name = model.stem
    model.write_text(model.read_text("utf-8") + "\n-- changed by the test\n", encoding="utf-8")
    assert _parse(settings) == "partial"  # only the changed file is parsed again...
    assert "-- changed by the test" in _compiled_sql(settings, name)  # ...and it takes effect

    # Another warehouse (the profile dbt reads through env_var) is a full parse, never stale.
    moved = Settings(home=home, warehouse_path=tmp_path / "other.duckdb")
    reason = _parse(moved)
    assert "profile" in reason or "config" in reason, reason
