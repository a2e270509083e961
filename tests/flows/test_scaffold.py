"""``readiness init``: a new portfolio that validates as written, and points editors at its schemas."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from core.settings import DEFAULT_RUBRIC, get_settings
from flows import config_doc, scaffold
from flows.cli import app
from flows.config import load_portfolio

KINDS = {kind.name: kind.model for kind in config_doc.FILES}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()


def schema_of(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), path
    return first.split("=", 1)[1]


def test_init_writes_files_that_validate_as_they_are(tmp_path: Path) -> None:
    written = scaffold.init(tmp_path / "mine", project_id="claims_triage")
    loaded = load_portfolio(written.portfolio, DEFAULT_RUBRIC)
    assert [p.project.id for p in loaded.projects] == ["claims_triage"]
    result = CliRunner().invoke(app, ["validate", str(written.portfolio)])
    assert result.exit_code == 0, result.output
    assert "0 unreadable input(s), 0 rejected row(s)" in result.output


def test_every_written_file_names_its_schema_and_meets_it(tmp_path: Path) -> None:
    written = scaffold.init(tmp_path / "mine")
    kinds = {
        "portfolio.yml": "portfolio",
        "question_bank.yml": "question_bank",
        "project.yml": "project",
        "costs.yml": "costs",
        "evaluation.yml": "evaluation",
    }
    assert {p.name for p in written.files} == set(kinds)
    for path in written.files:
        kind = kinds[path.name]
        reference = (path.parent / schema_of(path)).resolve()
        assert reference == config_doc.SCHEMA_DIR / f"{kind}.schema.json"
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.validate(document, config_doc.schema(KINDS[kind]))


def test_a_wrong_key_is_flagged_by_the_schema_an_editor_reads(tmp_path: Path) -> None:
    written = scaffold.init(tmp_path / "mine")
    document = yaml.safe_load(written.project.read_text(encoding="utf-8"))
    document["servce_levels"] = document.pop("service_levels")
    with pytest.raises(jsonschema.ValidationError, match="servce_levels"):
        jsonschema.validate(document, config_doc.schema(KINDS["project"]))


def test_from_example_copies_one_example_project_with_its_evidence(tmp_path: Path) -> None:
    written = scaffold.init(tmp_path / "mine", from_example="support_copilot")
    loaded = load_portfolio(written.portfolio, DEFAULT_RUBRIC)
    assert [p.project.id for p in loaded.projects] == ["support_copilot"]
    assert loaded.portfolio.as_of is not None  # the example's evidence is dated
    assert (written.project.parent / "costs.yml").is_file()
    assert not (written.project.parent / "history").exists()  # the example portfolio's weeks
    result = CliRunner().invoke(app, ["validate", str(written.portfolio)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--project", "My Project"], "is not an id"),
        (["--from-example", "nope"], "no example project 'nope'; the examples are:"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_write_nothing(
    tmp_path: Path, arguments: list[str], expected: str
) -> None:
    target = tmp_path / "mine"
    result = CliRunner().invoke(app, ["init", str(target), *arguments])
    assert result.exit_code == 2
    assert expected in result.output
    assert not (target / "portfolio.yml").exists()


def test_a_folder_that_holds_files_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "portfolio.yml").write_text("mine\n")
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 2 and "not an empty folder" in result.output
    assert (target / "portfolio.yml").read_text() == "mine\n"


@pytest.mark.parametrize(
    ("folder", "project"), [("No", "on"), ("2026", "null"), ("#ops [x]", "yes")]
)
def test_names_yaml_would_read_as_something_else_stay_texts(
    tmp_path: Path, folder: str, project: str
) -> None:
    written = scaffold.init(tmp_path / folder, project_id=project)
    loaded = load_portfolio(written.portfolio, DEFAULT_RUBRIC)
    assert loaded.portfolio.name == folder
    assert [p.project.id for p in loaded.projects] == [project]
