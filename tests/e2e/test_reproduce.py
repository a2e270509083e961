"""Same inputs, same bytes: the session's run of the examples (thread pool) reproduced from its
archived inputs on a local Dask cluster gives every mart row identical, run ids and times aside;
an input that changed is named and nothing is assessed."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from core.settings import DEFAULT_RUBRIC, REPO_ROOT, get_settings
from flows import archive
from flows.cli import app
from flows.config import load_portfolio
from flows.reproduce import recorded_run, seed_earlier_runs
from flows.run_compare import compare_runs
from readmodel.snapshots import SUFFIX
from tests.conftest import Assessed, assess, copy_examples, kept_environment, release_dbt_connection
from tests.e2e import test_schedule_dask

#: The same local Dask cluster (worker processes) as the scheduling test's.
dask_cluster = test_schedule_dask.dask_cluster
#: Every mart dbt builds of one run (the published ones and the others); readiness_rollups rolls
#: up every project's latest run across runs and portfolios, so it has no run of its own.
ACROSS_RUNS = {"readiness_rollups"}
MARTS = sorted(
    p.stem
    for p in (REPO_ROOT / "dbt_project" / "models" / "marts").glob("*.sql")
    if p.stem not in ACROSS_RUNS
)


def published_copy(assessed: Assessed, folder: Path, **runs: str | None) -> Path:
    """A copy of the session's published folder, the run's ``runs`` row changed as given."""
    folder.mkdir(parents=True)
    snapshot = folder / assessed.snapshot.name
    shutil.copyfile(assessed.snapshot, snapshot)
    with duckdb.connect(str(snapshot)) as con:
        for column, value in runs.items():
            con.execute(f"update runs set {column} = ? where run_id = ?", [value, assessed.run_id])
    return folder


def use_published(monkeypatch: pytest.MonkeyPatch, home: Path, published: Path) -> None:
    monkeypatch.setenv("READINESS_HOME", str(home))
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(published))
    get_settings.cache_clear()


def test_a_run_reproduced_from_its_archive_on_dask_is_identical_mart_for_mart(
    prefect_server: None,
    assessed_examples: Assessed,
    dask_cluster: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The run's inputs archived as `readiness run --archive` would have (they have not changed).
    portfolio = load_portfolio(assessed_examples.portfolio, DEFAULT_RUBRIC)
    kept = str(tmp_path / "archive")
    archive.keep_inputs(kept, assessed_examples.run_id, portfolio, datetime.now(UTC))
    # The reproduction reads the archived copies (restored elsewhere), not the portfolio's files.
    published = published_copy(assessed_examples, tmp_path / "published", archive=kept)
    monkeypatch.setenv("READINESS_TASK_RUNNER", "dask")
    monkeypatch.setenv("READINESS_DASK_ADDRESS", dask_cluster)
    # The operator's home (its respondents' key), the published folder above, Dask.
    use_published(monkeypatch, assessed_examples.home, published)
    release_dbt_connection()  # the session's assessment ran in this process
    try:
        reproduction = tmp_path / "reproduction"
        result = CliRunner().invoke(
            app, ["reproduce", assessed_examples.run_id, "--keep", str(reproduction)]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "reproduced from its archived inputs" in result.output and "identical" in result.output
    from distributed import Client

    with Client(dask_cluster) as client:
        prefixes = client.run_on_scheduler(
            lambda dask_scheduler: sorted(dask_scheduler.task_prefixes)
        )
    assert any("ingest" in p for p in prefixes), prefixes  # the reproduction ran on the cluster

    # Every mart, published or not, byte for byte (the inputs' folder, run ids and times aside).
    with (
        duckdb.connect(str(assessed_examples.settings.warehouse), read_only=True) as first,
        # opened as dbt's adapter, which still holds it in this process, opened it
        duckdb.connect(str(reproduction / "home" / "warehouse.duckdb")) as second,
    ):
        (new_run,) = [
            r[0]
            for r in second.execute(
                "select run_id from runs where run_id <> ?", [assessed_examples.run_id]
            ).fetchall()
        ]
        compared = compare_runs(
            first,
            assessed_examples.run_id,
            second,
            new_run,
            MARTS,
            [str(assessed_examples.portfolio.parent)],
            [str(reproduction / "inputs")],
        )
    assert compared.rows > 1000
    assert compared.identical, [
        (d.mart, d.only_first[:2], d.only_second[:2]) for d in compared.differences
    ]


def test_an_input_that_changed_is_named_and_nothing_is_assessed(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that kept no archive, whose portfolio's files changed where it read them.
    moved = copy_examples(tmp_path / "examples")
    published = published_copy(assessed_examples, tmp_path / "published", portfolio_path=str(moved))
    snapshot = published / f"example{SUFFIX}"
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "update input_fingerprints set source = replace(source, ?, ?)",
            [str(assessed_examples.portfolio.parent), str(moved.parent)],
        )
    survey = next((moved.parent / "projects" / "contract_review" / "survey").glob("*.csv"))
    survey.write_text(survey.read_text() + "\n", encoding="utf-8")
    use_published(monkeypatch, tmp_path / "home", published)
    try:
        result = CliRunner().invoke(app, ["reproduce", assessed_examples.run_id])
        unknown = CliRunner().invoke(app, ["reproduce", "no-such-run"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "contract_review: survey" in result.output and "changed" in result.output
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()  # nothing was assessed
    assert unknown.exit_code == 2 and "'no-such-run' is not in the published snapshot" in (
        unknown.output
    )


def test_a_later_run_is_reproduced_after_the_runs_before_it(
    prefect_server: None,
    assessed_examples: Assessed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A second run after the session's: one project, its latency objective made stricter, so its
    # roadmap progress (done, new, open since its previous run) is not a first run's.
    home = tmp_path / "home"
    shutil.copytree(assessed_examples.home, home)
    portfolio = copy_examples(tmp_path / "examples")
    project = portfolio.parent / "projects" / "contract_review" / "project.yml"
    text = project.read_text(encoding="utf-8")
    assert "p95_latency_ms: 8000" in text
    project.write_text(text.replace("p95_latency_ms: 8000", "p95_latency_ms: 1"), encoding="utf-8")
    with kept_environment():
        second = assess(portfolio, home, ["contract_review"])
    with duckdb.connect(str(second.snapshot), read_only=True) as con:
        progress = con.execute(
            "select previous_run_id, actions_done, actions_new, actions_open "
            "from roadmap_progress where run_id = ?",
            [second.run_id],
        ).fetchall()
    assert progress and progress[0][0] == assessed_examples.run_id, progress
    assert progress[0][2] > 0, progress  # the stricter objective's action is new

    release_dbt_connection()
    use_published(monkeypatch, home, home / "published")
    try:
        result = CliRunner().invoke(app, ["reproduce", second.run_id])
    finally:
        get_settings.cache_clear()
    # Without the earlier run's rows the reproduction's roadmap progress would be a first run's.
    assert result.exit_code == 0, result.output
    assert "identical" in result.output and "no longer in the working warehouse" not in (
        result.output
    )

    # A working warehouse that lost the earlier run (repaired, pruned): named, not silent.
    release_dbt_connection()
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("delete from raw_runs where run_id = ?", [assessed_examples.run_id])
    run = recorded_run(home / "published", second.run_id)
    seeded, missing = seed_earlier_runs(home / "warehouse.duckdb", run, tmp_path / "seed.duckdb")
    assert seeded == [] and missing == [assessed_examples.run_id]
