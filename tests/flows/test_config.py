"""Configuration is validated on load, with messages naming the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.config import Rubric, load_model, load_portfolio, parse_duration
from flows.errors import ConfigError
from flows.settings import DEFAULT_RUBRIC


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def minimal_project(project_id: str = "alpha") -> dict[str, object]:
    return {
        "id": project_id,
        "name": "Alpha",
        "required_roles": ["auth", "monitoring"],
        "evidence": {
            "datasets": [
                {
                    "name": "orders",
                    "source": "orders.csv",
                    "field_map": {
                        "fields": {"order_id": {"type": "integer"}, "at": {"type": "timestamp"}},
                        "key": ["order_id"],
                        "timestamp": "at",
                        "max_age": "36h",
                    },
                }
            ]
        },
    }


def portfolio(tmp_path: Path, projects: list[dict[str, object]]) -> Path:
    names = []
    for project in projects:
        write(tmp_path / f"{project['id']}.yml", project)
        names.append(f"{project['id']}.yml")
    return write(tmp_path / "portfolio.yml", {"id": "p", "name": "P", "projects": names})


def problems(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    return str(exc.value)


def test_valid_portfolio_loads(tmp_path: Path) -> None:
    loaded = load_portfolio(portfolio(tmp_path, [minimal_project()]), DEFAULT_RUBRIC)
    assert [p.project.id for p in loaded.projects] == ["alpha"]
    assert loaded.rubric.version
    assert loaded.project("alpha").resolve("orders.csv") == (tmp_path / "orders.csv").resolve()
    field_map = loaded.projects[0].project.evidence.datasets[0].field_map
    assert field_map.max_age_seconds == 36 * 3600


def test_missing_project_file_names_portfolio_and_key(tmp_path: Path) -> None:
    path = write(tmp_path / "portfolio.yml", {"id": "p", "name": "P", "projects": ["nope.yml"]})
    with pytest.raises(ConfigError) as exc:
        load_portfolio(path, DEFAULT_RUBRIC)
    assert f"{path}, column 'projects.0': project file 'nope.yml' not found" in problems(exc)


def test_missing_portfolio_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_portfolio(tmp_path / "absent.yml", DEFAULT_RUBRIC)


def test_wrong_type_names_file_and_dotted_key(tmp_path: Path) -> None:
    project = minimal_project()
    project["service_levels"] = {
        "p95_latency_ms": "fast",
        "max_error_rate": 0.01,
        "target_concurrency": 5,
    }
    path = portfolio(tmp_path, [project])
    with pytest.raises(ConfigError) as exc:
        load_portfolio(path, DEFAULT_RUBRIC)
    text = problems(exc)
    assert str(tmp_path / "alpha.yml") in text
    assert "service_levels.p95_latency_ms" in text
    assert "expected a number (got 'fast')" in text


def test_unknown_key_and_unknown_role_are_both_reported(tmp_path: Path) -> None:
    project = minimal_project()
    project["required_roles"] = ["auth", "mainframe"]
    project["colour"] = "blue"
    with pytest.raises(ConfigError) as exc:
        load_portfolio(portfolio(tmp_path, [project]), DEFAULT_RUBRIC)
    assert len(exc.value.problems) == 2
    text = problems(exc)
    assert "required_roles.1" in text and "'mainframe'" in text
    assert "colour" in text and "unknown key" in text


def test_unknown_gap_id_in_rubric(tmp_path: Path) -> None:
    rubric = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    rubric["checks"][0]["gap"] = "data_qualty"
    path = write(tmp_path / "rubric.yml", rubric)
    with pytest.raises(ConfigError) as exc:
        load_model(Rubric, path)
    text = problems(exc)
    assert "checks.0.gap" in text and "'data_qualty'" in text and "'data_quality'" in text


def test_rubric_must_cover_every_gap(tmp_path: Path) -> None:
    rubric = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    rubric["checks"] = [c for c in rubric["checks"] if c["gap"] != "scale"]
    with pytest.raises(ConfigError, match="none for: \\['scale'\\]"):
        load_model(Rubric, write(tmp_path / "rubric.yml", rubric))


def test_thresholds_must_be_ordered(tmp_path: Path) -> None:
    rubric = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    rubric["checks"][0]["partial"] = 1.5  # higher_is_better with partial above pass
    with pytest.raises(ConfigError, match="pass must be >= partial"):
        load_model(Rubric, write(tmp_path / "rubric.yml", rubric))


def test_unknown_project_lists_known_ids(tmp_path: Path) -> None:
    loaded = load_portfolio(portfolio(tmp_path, [minimal_project()]), DEFAULT_RUBRIC)
    with pytest.raises(ConfigError, match="unknown project 'beta'; known: alpha"):
        loaded.project("beta")


def test_duplicate_project_ids(tmp_path: Path) -> None:
    write(tmp_path / "a.yml", minimal_project("alpha"))
    write(tmp_path / "b.yml", minimal_project("alpha"))
    path = write(
        tmp_path / "portfolio.yml", {"id": "p", "name": "P", "projects": ["a.yml", "b.yml"]}
    )
    with pytest.raises(ConfigError, match="project id 'alpha' is used twice"):
        load_portfolio(path, DEFAULT_RUBRIC)


def test_field_map_refers_to_declared_fields(tmp_path: Path) -> None:
    project = minimal_project()
    project["evidence"]["datasets"][0]["field_map"]["key"] = ["id"]  # type: ignore[index]
    with pytest.raises(ConfigError, match="'id' is used as key or timestamp but not declared"):
        load_portfolio(portfolio(tmp_path, [project]), DEFAULT_RUBRIC)


def test_relationship_to_unknown_dataset(tmp_path: Path) -> None:
    project = minimal_project()
    dataset = project["evidence"]["datasets"][0]  # type: ignore[index]
    dataset["field_map"]["relationships"] = [
        {"field": "order_id", "dataset": "customers", "to_field": "id"}
    ]
    with pytest.raises(ConfigError, match="relates to unknown dataset 'customers'"):
        load_portfolio(portfolio(tmp_path, [project]), DEFAULT_RUBRIC)


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.yml"
    path.write_text("id: p\nprojects: [a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML \\(line"):
        load_portfolio(path, DEFAULT_RUBRIC)


@pytest.mark.parametrize(
    ("text", "seconds"), [("36h", 129600), ("7d", 604800), ("90m", 5400), ("2w", 1209600)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_bad_duration_is_explained() -> None:
    with pytest.raises(ValueError, match="expected a duration such as '36h'"):
        parse_duration("three days")
