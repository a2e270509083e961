"""Configuration is validated on load, with messages naming the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError
from core.settings import DEFAULT_RUBRIC
from flows.config import Rubric, load_model, load_portfolio, parse_duration


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
    assert "expected a number (got a text)" in text and "fast" not in text
    assert ", line " in text  # the key's line in the file


def test_unknown_key_and_unknown_role_are_both_reported(tmp_path: Path) -> None:
    project = minimal_project()
    project["required_roles"] = ["auth", "mainframe"]
    project["colour"] = "blue"
    with pytest.raises(ConfigError) as exc:
        load_portfolio(portfolio(tmp_path, [project]), DEFAULT_RUBRIC)
    assert len(exc.value.problems) == 2
    text = problems(exc)
    assert "required_roles.1" in text
    assert "colour" in text and "unknown key" in text


def test_unknown_gap_id_in_rubric(tmp_path: Path) -> None:
    rubric = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    rubric["checks"][0]["gap"] = "data_qualty"
    path = write(tmp_path / "rubric.yml", rubric)
    with pytest.raises(ConfigError) as exc:
        load_model(Rubric, path)
    text = problems(exc)
    assert "checks.0.gap" in text and "data_qualty" not in text and "'data_quality'" in text


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


def _model_names() -> set[str]:
    from pydantic import BaseModel

    import flows.config as config

    return {
        name
        for name, value in vars(config).items()
        if isinstance(value, type) and issubclass(value, BaseModel)
    }


WRONG_TYPES: list[tuple[str, dict[str, object]]] = [
    ("Project", {"id": "a", "name": "A", "evidence": {"survey": "survey.csv"}}),
    ("Project", {"id": "a", "name": "A", "evidence": {"survey": [1, {"path": "s.csv", "scale_points": 6}]}}),
    ("Project", {"id": "a", "name": "A", "evidence": {"survey": [{"path": "s.csv"}, {"path": "s.csv"}]}}),
    ("Project", {"id": "a", "name": "A", "evidence": {"datasets": {"name": "orders"}}}),
    ("Project", {"id": "a", "name": "A", "evidence": {"datasets": [{"name": "o", "source": "o.csv", "field_map": {"fields": [1], "key": "id"}}]}}),
    ("Project", {"id": "a", "name": "A", "evidence": {"datasets": [{"name": "o", "source": "o.csv", "field_map": {"fields": {"x": {"allowed": [{}], "required": "perhaps", "min": "low"}}}}]}}),
    ("Project", {"id": "a", "name": "A", "service_levels": ["fast"], "required_roles": "auth"}),
    ("Project", {"id": "a", "name": "A", "evidence": {"inventory": "inv.csv", "load_tests": ["x"], "costs": {}}}),
    ("Project", {"id": 7, "name": None, "evidence": []}),
    ("Portfolio", {"id": "p", "name": "P", "projects": "a.yml", "alerts": [], "schedules": [1], "as_of": "yesterday"}),
    ("Rubric", {"version": 1, "checks": [1], "thresholds": "high"}),
    ("QuestionBank", {"questions": ["q", {"id": "q", "text": 1, "gap": "data_quality", "scale": "x", "kind": 3}]}),
    ("CostAssumptions", {"requests_per_month_poc": "many", "requests_per_month_target": [], "monthly_budget": {}, "value_per_outcome": None}),
    ("EvaluationPlan", {"kpis": {"name": "x"}, "automated_grading": "sometimes", "regression_set_size": 1.5}),
]  # fmt: skip


@pytest.mark.parametrize(("model", "data"), WRONG_TYPES)
def test_messages_never_name_a_class(model: str, data: dict[str, object]) -> None:
    """Wrong types anywhere: plain words (what is expected, with an example), never a class."""
    import flows.config as config
    from flows.config import parse_model

    with pytest.raises(ConfigError) as exc:
        parse_model(getattr(config, model), data, "file.yml")
    names = _model_names()
    for problem in exc.value.problems:
        text = problem.message
        assert "Input should be" not in text and "instance of" not in text, text
        assert not {w.strip(".,:;()'\"") for w in text.split()} & names, text
        assert "expected" in text or "unknown key" in text or "missing" in text or "must" in text or "uses one" in text, text  # fmt: skip
        assert problem.column and all(tag not in problem.column.split(".") for tag in ("str", "int", "float", "bool")), problem.column  # fmt: skip


def test_a_survey_that_is_not_a_mapping_or_a_list_says_what_is_expected(tmp_path: Path) -> None:
    project = minimal_project()
    project["evidence"] = {"survey": "survey.csv"}
    with pytest.raises(ConfigError) as exc:
        load_portfolio(portfolio(tmp_path, [project]), DEFAULT_RUBRIC)
    assert (
        "column 'evidence.survey': expected a mapping such as "
        "{path: survey.csv, format: google_forms} or a list of them"
    ) in problems(exc)
    project["evidence"] = {"survey": [{"path": "a.csv"}, 3]}
    with pytest.raises(ConfigError) as exc:
        load_portfolio(portfolio(tmp_path, [project]), DEFAULT_RUBRIC)
    assert (
        "column 'evidence.survey.1': expected a mapping such as "
        "{path: survey.csv, format: google_forms}, got a number"
    ) in problems(exc)


def test_survey_takes_one_mapping_or_a_list(tmp_path: Path) -> None:
    from flows.config import Project, parse_model

    one = parse_model(Project, {"id": "a", "name": "A", "evidence": {"survey": {"path": "s.csv"}}}, "p.yml")  # fmt: skip
    assert [s.path for s in one.evidence.survey] == ["s.csv"]
    many = parse_model(
        Project,
        {"id": "a", "name": "A", "evidence": {"survey": [
            {"path": "legal.csv", "format": "google_forms", "group": "legal"},
            {"path": "ops.xlsx", "format": "ms_forms", "group": "operations"},
        ]}},
        "p.yml",
    )  # fmt: skip
    assert [(s.path, s.format) for s in many.evidence.survey] == [
        ("legal.csv", "google_forms"),
        ("ops.xlsx", "ms_forms"),
    ]
