"""Evidence paths stay inside the portfolio's folder (or a folder READINESS_EVIDENCE_ROOTS allows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError
from core.settings import DEFAULT_RUBRIC, get_settings
from flows.config import load_portfolio
from flows.paths import local_paths
from tests.conftest import copy_examples

SECRET = "canary-6f1d-secret-content"


@pytest.fixture
def portfolio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the examples, and a secret file outside it."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "shadow").write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    monkeypatch.delenv("READINESS_EVIDENCE_ROOTS", raising=False)
    get_settings.cache_clear()
    yield copy_examples(tmp_path / "examples")
    get_settings.cache_clear()


def edit_project(portfolio: Path, project: str, change: dict[str, object]) -> Path:
    path = portfolio.parent / "projects" / project / "project.yml"
    data = yaml.safe_load(path.read_text())
    data["evidence"].update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def problems(portfolio: Path) -> list[str]:
    try:
        load_portfolio(portfolio, DEFAULT_RUBRIC)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize(
    "written",
    [
        "../../../outside/shadow",
        "{tmp}/outside/shadow",
        "../../../outside/*",
        "/etc/shadow",
    ],
)
def test_a_path_leaving_the_portfolio_is_refused_without_being_read(
    portfolio: Path, written: str
) -> None:
    written = written.format(tmp=portfolio.parent.parent)
    project = edit_project(portfolio, "churn_predictor", {"costs": written})
    found = problems(portfolio)
    assert len(found) == 1, found
    assert str(project) in found[0]
    assert "evidence.costs" in found[0]
    assert "outside the portfolio's folder" in found[0]
    assert SECRET not in found[0]


def test_a_link_inside_the_portfolio_to_a_file_outside_is_refused(portfolio: Path) -> None:
    link = portfolio.parent / "projects" / "churn_predictor" / "innocent.yml"
    link.symlink_to(portfolio.parent.parent / "outside" / "shadow")
    edit_project(portfolio, "churn_predictor", {"evaluation": "innocent.yml"})
    found = problems(portfolio)
    assert len(found) == 1 and "evidence.evaluation" in found[0]


def test_a_linked_folder_leading_out_is_refused_beside_paths_that_stay(portfolio: Path) -> None:
    # Folders' real paths are found once per project file: the link is still followed, and a
    # path through the project's own folder beside it is still allowed.
    folder = portfolio.parent / "projects" / "churn_predictor"
    (folder / "shared").symlink_to(portfolio.parent.parent / "outside")
    (folder / "inner").symlink_to(folder / "data")  # a link that stays inside
    data_file = next(p.name for p in (folder / "data").iterdir() if p.is_file())
    edit_project(portfolio, "churn_predictor", {"evaluation": "shared/shadow"})
    path = folder / "project.yml"
    config = yaml.safe_load(path.read_text())
    config["evidence"]["datasets"][0]["poc_sample"] = f"inner/{data_file}"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    found = problems(portfolio)
    assert len(found) == 1 and "evidence.evaluation" in found[0], found


def test_dataset_sources_and_poc_samples_are_confined_too(portfolio: Path) -> None:
    path = portfolio.parent / "projects" / "churn_predictor" / "project.yml"
    data = yaml.safe_load(path.read_text())
    data["evidence"]["datasets"][0]["poc_sample"] = "../../../outside/shadow"
    data["evidence"]["datasets"][1]["source"] = "/etc/passwd"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    found = problems(portfolio)
    assert any("evidence.datasets.0.poc_sample" in p for p in found), found
    assert any("evidence.datasets.1.source" in p for p in found), found


def test_a_project_file_outside_the_portfolio_is_refused(portfolio: Path) -> None:
    data = yaml.safe_load(portfolio.read_text())
    data["projects"].append("../outside/shadow")
    portfolio.write_text(yaml.safe_dump(data, sort_keys=False))
    found = problems(portfolio)
    assert len(found) == 1 and "projects.5" in found[0] and SECRET not in found[0]


def test_a_folder_the_setting_allows_is_accepted(
    portfolio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = portfolio.parent.parent / "outside"
    (outside / "costs.yml").write_bytes(
        (portfolio.parent / "projects" / "churn_predictor" / "costs.yml").read_bytes()
    )
    edit_project(portfolio, "churn_predictor", {"costs": str(outside / "costs.yml")})
    assert problems(portfolio)
    monkeypatch.setenv("READINESS_EVIDENCE_ROOTS", str(outside))
    get_settings.cache_clear()
    assert problems(portfolio) == []


def test_every_local_path_of_the_examples_is_found_and_urls_are_not(portfolio: Path) -> None:
    loaded = load_portfolio(portfolio, DEFAULT_RUBRIC)
    for project in loaded.projects:
        keys = dict(local_paths(project.project.evidence))
        evidence = project.project.evidence
        for index, dataset in enumerate(evidence.datasets):
            assert keys[f"evidence.datasets.{index}.source"] == dataset.source
        if evidence.inventory:
            assert keys["evidence.inventory.path"] == evidence.inventory.path
        if evidence.costs:
            assert keys["evidence.costs"] == evidence.costs
        for index, spec in enumerate(evidence.load_tests):
            assert keys[f"evidence.load_tests.{index}.path"] == spec.path
        assert not [v for v in keys.values() if v.startswith(("s3://", "postgresql://"))]


@pytest.mark.parametrize(
    "written",
    [
        "http://x/../../../../../../../../../../{tmp}/outside/shadow",
        "https://x/../../../../../../../../../../etc/hostname",
        "postgresql://x/../../../../../../../../../../etc/hostname",
        "s3://x/../../../../../../../../../../etc/hostname",
    ],
)
def test_a_url_that_is_not_s3_or_postgresql_is_checked_as_the_path_it_resolves_to(
    portfolio: Path, written: str
) -> None:
    written = written.format(tmp=str(portfolio.parent.parent).lstrip("/"))
    edit_project(portfolio, "churn_predictor", {"costs": written})
    found = problems(portfolio)
    assert any("evidence.costs" in p for p in found), found  # a cost file is never a URL
    if written.startswith(("s3://", "postgresql://")):
        return  # a dataset's source may live there (read as S3 or PostgreSQL, never as a file)
    path = portfolio.parent / "projects" / "churn_predictor" / "project.yml"
    data = yaml.safe_load(path.read_text())
    data["evidence"]["datasets"][0]["source"] = written
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert any("evidence.datasets.0.source" in p for p in problems(portfolio))


@pytest.mark.parametrize("written", ["evil", "evil/*.csv"])
def test_a_link_inside_a_folder_or_glob_source_leading_out_is_refused(
    portfolio: Path, written: str
) -> None:
    folder = portfolio.parent / "projects" / "churn_predictor" / "evil"
    folder.mkdir()
    (folder / "fine.csv").write_text("a\n1\n")
    (folder / "a.csv").symlink_to(portfolio.parent.parent / "outside" / "shadow")
    path = portfolio.parent / "projects" / "churn_predictor" / "project.yml"
    data = yaml.safe_load(path.read_text())
    data["evidence"]["datasets"][1]["source"] = written
    data["evidence"]["datasets"][1]["format"] = "csv"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    found = problems(portfolio)
    assert any("evidence.datasets.1.source" in p for p in found), found
    assert not [p for p in found if SECRET in p]
