"""Measurements reused between runs (a Prefect cache keyed on input fingerprints), and exact.

Every cached result is compared with a fresh measurement of the same inputs at the same as-of
instant: reuse must never change what a run reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pydantic import SecretStr

from core.settings import DEFAULT_RUBRIC, Settings
from flows import measurements
from flows.config import LoadedPortfolio, load_portfolio
from flows.evidence import Context
from flows.measurements import Measured, Uncacheable, measure, measurement_key
from tests.conftest import copy_examples, kept_environment, use_home
from tests.services import S3Endpoint

AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the example portfolio's own as-of


@pytest.fixture
def examples(tmp_path: Path, prefect_server: None) -> Iterator[tuple[Settings, LoadedPortfolio]]:
    portfolio = copy_examples(tmp_path / "examples")
    with kept_environment():
        settings = use_home(tmp_path / "home")
        yield settings, load_portfolio(portfolio, DEFAULT_RUBRIC)


def run(
    settings: Settings,
    portfolio: LoadedPortfolio,
    project_id: str,
    as_of: datetime = AS_OF,
    refresh: bool = False,
) -> Measured:
    context = Context("r", project_id, as_of, settings.respondent_key(portfolio.path))
    return measure(settings, context, portfolio, portfolio.project(project_id), refresh)


def assert_same(a: Measured, b: Measured) -> None:
    """The same rows in every raw table (NaN equal to NaN), stamped alike."""
    frames_a, frames_b = a.measurements.stamped("r"), b.measurements.stamped("r")
    assert frames_a.keys() == frames_b.keys()
    for table in frames_a:
        pd.testing.assert_frame_equal(frames_a[table], frames_b[table], obj=table)


def profiles(measured: Measured, column: str) -> dict[str, object]:
    frame = measured.measurements.frames["raw_dataset_profiles"]
    return dict(zip(frame["dataset"], frame[column], strict=True))


def test_an_unchanged_project_is_reused_and_equal_to_a_fresh_measurement(
    examples: tuple[Settings, LoadedPortfolio],
) -> None:
    settings, portfolio = examples
    first = run(settings, portfolio, "support_copilot")
    second = run(settings, portfolio, "support_copilot")
    assert (first.origin, second.origin) == ("measured", "cached")
    assert_same(first, second)
    assert any(settings.measurement_cache_path.iterdir())
    # Stamping a run's id (as the flow does) leaves the kept frames as they were.
    assert set(second.measurements.stamped("run-2")["raw_dataset_profiles"]["run_id"]) == {"run-2"}
    kept = run(settings, portfolio, "support_copilot").measurements.frames
    assert set(kept["raw_dataset_profiles"]["run_id"]) == {"-"}
    # --refresh measures again.
    assert run(settings, portfolio, "support_copilot", refresh=True).origin == "measured"


def test_a_changed_input_file_is_measured_again(
    examples: tuple[Settings, LoadedPortfolio],
) -> None:
    settings, portfolio = examples
    run(settings, portfolio, "support_copilot")
    run(settings, portfolio, "churn_predictor")
    project = portfolio.project("support_copilot")
    survey = project.resolve(project.project.evidence.survey[0].path)
    survey.write_bytes(survey.read_bytes() + b"\n")
    again = run(settings, portfolio, "support_copilot")
    assert again.origin == "measured"
    assert run(settings, portfolio, "churn_predictor").origin == "cached"
    # A changed dataset (one row fewer) is measured again too, and its new count is reported.
    dataset = project.project.evidence.datasets[0]
    path = project.resolve(dataset.source)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))
    changed = run(settings, portfolio, "support_copilot")
    assert changed.origin == "measured"
    rows, before = profiles(changed, "row_count"), profiles(again, "row_count")
    assert rows[dataset.name] == before[dataset.name] - 1  # type: ignore[operator]


def test_a_later_as_of_reuses_measurements_only_while_they_stay_exact(
    examples: tuple[Settings, LoadedPortfolio],
) -> None:
    settings, portfolio = examples
    first = run(settings, portfolio, "support_copilot")
    after, until = first.measurements.holds
    assert after is not None and until is not None and after < AS_OF <= until
    # Within the window: reused, the age moves with the as-of, the stale count is exact.
    inside = AS_OF + (until - AS_OF) / 2
    cached = run(settings, portfolio, "support_copilot", as_of=inside)
    fresh = run(settings, portfolio, "support_copilot", as_of=inside, refresh=True)
    assert (cached.origin, fresh.origin) == ("cached", "measured")
    assert_same(cached, fresh)
    ages, first_ages = profiles(cached, "age_seconds"), profiles(first, "age_seconds")
    moved_by = (inside - AS_OF).total_seconds()
    assert all(ages[name] - first_ages[name] == moved_by for name in ages)  # type: ignore[operator]
    # Past the window a record turns stale: measured again, and the count says so.
    later = until + timedelta(seconds=1)
    moved = run(settings, portfolio, "support_copilot", as_of=later)
    assert moved.origin == "measured again"
    assert_same(moved, run(settings, portfolio, "support_copilot", later, True))
    stale, stale_before = profiles(moved, "stale_rows"), profiles(first, "stale_rows")
    assert any(stale[name] > stale_before[name] for name in stale)  # type: ignore[operator]


def test_keys_follow_the_code_the_salt_and_the_project_file(
    examples: tuple[Settings, LoadedPortfolio], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, portfolio = examples
    project = portfolio.project("contract_review")
    key = measurement_key(settings, portfolio, project)
    assert key == measurement_key(settings, portfolio, project)
    assert key != measurement_key(
        settings.model_copy(update={"survey_key": SecretStr("other")}), portfolio, project
    )
    monkeypatch.setattr(measurements, "code_fingerprint", lambda: "another version")
    assert key != measurement_key(settings, portfolio, project)
    monkeypatch.undo()
    project.path.write_text(project.path.read_text() + "\n# edited\n")
    assert key != measurement_key(settings, portfolio, project)


def test_a_postgresql_source_is_live_data_and_never_cached(
    examples: tuple[Settings, LoadedPortfolio], tmp_path: Path
) -> None:
    settings, portfolio = examples
    project = portfolio.project("churn_predictor")
    data = yaml.safe_load(project.path.read_text())
    data["evidence"]["datasets"][0].update(
        source="postgresql://reader:s3cret@127.0.0.1:1/crm", table="events"
    )
    project.path.write_text(yaml.safe_dump(data))
    live = load_portfolio(portfolio.path, DEFAULT_RUBRIC)
    with pytest.raises(Uncacheable, match="live PostgreSQL source"):
        measurement_key(settings, live, live.project("churn_predictor"))
    measured = run(settings, live, "churn_predictor")
    assert measured.origin == "measured" and "live PostgreSQL" in (measured.note or "")
    assert "s3cret" not in (measured.note or "")
    assert run(settings, live, "churn_predictor").origin == "measured"


def test_a_large_files_hash_is_remembered_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import config

    with kept_environment():
        use_home(tmp_path / "home")
        big = tmp_path / "big.csv"
        big.write_bytes(b"a,b\n" + b"1,2\n" * (config.MEMO_MIN_BYTES // 4))
        first = config.fingerprint_file(big)
        reads: list[Path] = []
        real = config._sha256

        def counted(path: Path) -> str:
            reads.append(path)
            return real(path)

        monkeypatch.setattr(config, "_sha256", counted)
        assert config.fingerprint_file(big) == first and reads == []
        with big.open("r+b") as handle:  # same size, other content
            handle.write(b"x")
        changed = config.fingerprint_file(big)
        assert reads == [big] and changed != first and changed == real(big)
        assert (tmp_path / "home" / "cache" / "fingerprints.sqlite").is_file()


def test_an_unreadable_s3_input_is_read_again_not_reused(
    examples: tuple[Settings, LoadedPortfolio],
    s3_endpoint: S3Endpoint,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3

    settings, portfolio = examples
    for name, value in {
        **s3_endpoint.environment(),
    }.items():
        monkeypatch.setenv(name, value)
    settings = use_home(settings.home)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint.url)
    s3.create_bucket(Bucket="cache-test")
    s3.put_object(Bucket="cache-test", Key="customers.parquet", Body=b"")  # unreadable: empty
    project = portfolio.project("support_copilot")
    data = yaml.safe_load(project.path.read_text())
    customers = next(d for d in data["evidence"]["datasets"] if d["name"] == "customers")
    local = project.resolve(customers["source"])
    customers["source"] = "s3://cache-test/customers.parquet"
    project.path.write_text(yaml.safe_dump(data))
    portfolio = load_portfolio(portfolio.path, DEFAULT_RUBRIC)

    first = run(settings, portfolio, "support_copilot")
    assert first.origin == "measured"
    assert first.measurements.network_failures() == ["s3://cache-test/customers.parquet"]
    again = run(settings, portfolio, "support_copilot")
    assert again.origin == "measured again"
    assert "s3://cache-test/customers.parquet could not be read last time" in (again.note or "")
    # The object is written properly (a new ETag): measured, then reused.
    s3.upload_file(str(local), "cache-test", "customers.parquet")
    assert run(settings, portfolio, "support_copilot").origin == "measured"
    reused = run(settings, portfolio, "support_copilot")
    assert reused.origin == "cached" and reused.measurements.network_failures() == []


def _str_fields(model: type, prefix: str = "") -> Iterator[str]:
    """Every text field of a configuration model tree, by name (``survey.path``...)."""
    import typing

    from pydantic import BaseModel

    def models(annotation: object) -> Iterator[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield annotation
        for arg in typing.get_args(annotation):
            yield from models(arg)

    def texts(annotation: object) -> bool:
        return annotation is str or any(texts(a) for a in typing.get_args(annotation))

    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        nested = list(models(info.annotation))
        if nested:
            for sub in nested:
                yield from _str_fields(sub, f"{prefix}{name}.")
        elif texts(info.annotation):
            yield name


#: Text fields of evidence models that are not paths (anything else must be a path field).
NOT_PATHS = frozenset(
    {
        "name", "table", "query", "format", "delimiter", "quote", "encoding", "expression",
        "description", "field", "dataset", "to_field", "timestamp", "max_age", "pattern",
        "aliases", "allowed", "group_question", "group_labels", "group", "key",
        "services", "url", "model",
        # An MLflow tracking server: a URL, an experiment's name and a secret's name; a project
        # that reads one is never cached (the test below).
        "tracking_uri", "experiment", "token",
        # A KPI source's column mapping (column names, not files).
        "date", "kpi", "value",
    }
)  # fmt: skip


def test_every_text_field_of_the_evidence_models_is_a_known_path_or_not_a_path() -> None:
    """A new evidence kind's file must reach the cache key: its path field must be one that
    flows.paths walks (and so confines and fingerprints); a new text field that is not a path
    is named in NOT_PATHS. Deciding which is the point of this test."""
    from flows.config import Evidence
    from flows.paths import PATH_FIELDS

    unknown = sorted(
        {f for f in _str_fields(Evidence) if f not in PATH_FIELDS and f not in NOT_PATHS}
    )
    assert not unknown, f"text fields neither paths nor known non-paths: {unknown}"


def test_every_local_input_is_in_the_key(examples: tuple[Settings, LoadedPortfolio]) -> None:
    """Editing any file a project names (whatever its kind) changes its measurement key."""
    from flows.paths import local_paths

    settings, portfolio = examples
    for project in portfolio.projects:
        for where, relative in local_paths(project.project.evidence):
            path = project.resolve(relative)
            if not path.is_file():
                continue
            before = measurement_key(settings, portfolio, project)
            original = path.read_bytes()
            path.write_bytes(original + b"\n")
            try:
                assert measurement_key(settings, portfolio, project) != before, where
            finally:
                path.write_bytes(original)


def test_every_survey_export_is_in_the_key(tmp_path: Path) -> None:
    from flows.measurements import input_signatures

    (tmp_path / "bank.yml").write_text(
        "questions:\n  - {id: q1, text: Ready?, gap: stakeholder_alignment}\n", encoding="utf-8"
    )
    (tmp_path / "legal.csv").write_text("respondent,group,question,answer\na,legal,q1,4\n")
    (tmp_path / "ops.csv").write_text("respondent,group,question,answer\nb,operations,q1,2\n")
    project = {
        "id": "p",
        "name": "P",
        "evidence": {"survey": [{"path": "legal.csv"}, {"path": "ops.csv"}]},
    }
    (tmp_path / "p.yml").write_text(yaml.safe_dump(project), encoding="utf-8")
    portfolio_file = tmp_path / "portfolio.yml"
    portfolio_file.write_text(
        yaml.safe_dump({"id": "x", "name": "X", "question_bank": "bank.yml", "projects": ["p.yml"]})
    )
    portfolio = load_portfolio(portfolio_file, DEFAULT_RUBRIC)
    loaded = portfolio.project("p")
    lines = input_signatures(portfolio, loaded)
    assert any("legal.csv: legal.csv=" in line for line in lines)
    assert any("ops.csv: ops.csv=" in line for line in lines)
    (tmp_path / "ops.csv").write_text("respondent,group,question,answer\nb,operations,q1,3\n")
    assert input_signatures(portfolio, loaded) != lines


def test_a_tracking_server_or_live_kpi_source_is_never_cached_and_a_kpi_file_is_keyed(
    tmp_path: Path,
) -> None:
    """A server's runs (or a PostgreSQL KPI table) change while no file does: never reused."""
    from flows.paths import local_paths

    portfolio_path = copy_examples(tmp_path / "examples")
    project_path = portfolio_path.parent / "projects" / "support_copilot" / "project.yml"
    original = yaml.safe_load(project_path.read_text())
    with kept_environment():
        settings = use_home(tmp_path / "home")

        def key_with(change: dict[str, object]) -> str:
            data = yaml.safe_load(yaml.safe_dump(original))
            data["evidence"].update(change)
            project_path.write_text(yaml.safe_dump(data))
            portfolio = load_portfolio(portfolio_path, DEFAULT_RUBRIC)
            return measurement_key(settings, portfolio, portfolio.project("support_copilot"))

        server = {
            "format": "mlflow",
            "tracking_uri": "https://mlflow.internal:5000",
            "experiment": "copilot",
        }
        with pytest.raises(
            Uncacheable, match=re.escape("https://mlflow.internal:5000 is a live MLflow")
        ):
            key_with({"eval_results": [*original["evidence"]["eval_results"], server]})
        live_kpis = {"source": "postgresql://reader:s3cret@127.0.0.1:1/bi", "table": "kpis"}
        with pytest.raises(Uncacheable, match="live PostgreSQL source"):
            key_with({"kpi_data": live_kpis})
        # A KPI source that is a file is keyed on its content, like every other file.
        kpis = project_path.parent / "eval" / "kpis.csv"
        before = key_with({"kpi_data": {"source": "eval/kpis.csv"}})
        kpis.write_text(kpis.read_text() + "2026-11-19,CSAT,4.4\n")
        assert key_with({"kpi_data": {"source": "eval/kpis.csv"}}) != before
        # Neither the tracking URL nor an S3 or PostgreSQL KPI source is taken for a local path.
        portfolio = load_portfolio(portfolio_path, DEFAULT_RUBRIC)
        walked = dict(local_paths(portfolio.project("support_copilot").project.evidence))
        assert "evidence.kpi_data.source" in walked
        data = yaml.safe_load(project_path.read_text())
        data["evidence"]["kpi_data"] = live_kpis
        data["evidence"]["eval_results"].append(server)
        project_path.write_text(yaml.safe_dump(data))
        evidence = load_portfolio(portfolio_path, DEFAULT_RUBRIC).project("support_copilot")
        assert all(
            not text.startswith(("https://", "postgresql://"))
            for _, text in local_paths(evidence.project.evidence)
        )
