"""Before assessing again, `readiness reproduce` hashes every input it can (rubric, project files,
local evidence files) and names each one that is not what the run read; S3 objects, folders and
globs wait for the assessment, and an input the run could not read either is no change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.settings import DEFAULT_RUBRIC, get_settings
from flows.config import fingerprint_file, load_portfolio
from flows.reproduce import InputChange, RecordedRun, changed_inputs
from tests.conftest import copy_examples


def test_changed_and_missing_inputs_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    portfolio = copy_examples(tmp_path / "examples")
    project = portfolio.parent / "projects" / "support_copilot"
    tickets, inventory = project / "data" / "tickets.csv", project / "inventory"
    survey = portfolio.parent / "projects" / "contract_review" / "survey" / "responses.csv"
    inputs = [
        ("support_copilot", "rubric", "rubric", "version 1", fingerprint_file(DEFAULT_RUBRIC)),
        (
            "support_copilot",
            "project_config",
            "project.yml",
            "project.yml",
            fingerprint_file(project / "project.yml"),
        ),
        ("support_copilot", "dataset", "tickets", str(tickets), fingerprint_file(tickets)),
        ("support_copilot", "inventory", "systems", str(inventory), "f" * 64),
        ("support_copilot", "dataset", "logs", str(project / "data" / "*.ndjson"), "e" * 64),
        ("support_copilot", "dataset", "orders", "s3://bucket/orders.csv", "d" * 64),
        ("support_copilot", "dataset", "gone", str(project / "never.csv"), None),
        ("contract_review", "survey", "responses", str(survey), fingerprint_file(survey)),
    ]
    run = RecordedRun(
        "r", "example", str(portfolio), None, datetime.now(UTC), 900.0, "EUR", [], inputs
    )
    assert changed_inputs(run, portfolio, None) == []

    tickets.write_text(tickets.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    survey.unlink()
    assert changed_inputs(run, portfolio, None) == [
        InputChange("support_copilot", "dataset", "tickets", str(tickets), "changed"),
        InputChange("contract_review", "survey", "responses", str(survey), "missing"),
    ]

    # Restored elsewhere: the recorded folder is read as the restored one.
    moved = copy_examples(tmp_path / "restored")
    assert changed_inputs(run, moved, str(portfolio.parent)) == []
    assert load_portfolio(moved, DEFAULT_RUBRIC).path == moved
    get_settings.cache_clear()
