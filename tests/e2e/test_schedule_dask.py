"""The task runner is a setting: the example portfolio assessed with its projects ingested on a
real local Dask cluster (worker processes), with the same results as the thread pool's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import get_settings
from flows.report import project_results
from tests.conftest import Assessed, assess, copy_examples


@pytest.fixture
def dask_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL

    # Worker processes report their task runs to the same Prefect server.
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_a_portfolio_runs_on_a_local_dask_cluster(
    prefect_server: None,
    assessed_examples: Assessed,
    dask_cluster: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from distributed import Client

    monkeypatch.setenv("READINESS_TASK_RUNNER", "dask")
    monkeypatch.setenv("READINESS_DASK_ADDRESS", dask_cluster)
    portfolio = copy_examples(tmp_path / "examples")
    try:
        run = assess(portfolio, tmp_path / "home")
        assert get_settings().task_runner == "dask"
    finally:
        get_settings.cache_clear()

    with Client(dask_cluster) as client:
        prefixes = client.run_on_scheduler(
            lambda dask_scheduler: sorted(dask_scheduler.task_prefixes)
        )
    assert any("ingest" in p for p in prefixes), prefixes  # the ingest ran on the cluster

    on_dask = {r["project"]: r for r in project_results(run.snapshot, run.run_id)}
    on_threads = {
        r["project"]: r
        for r in project_results(assessed_examples.snapshot, assessed_examples.run_id)
    }
    assert set(on_dask) == set(on_threads)
    for project, result in on_threads.items():
        assert on_dask[project]["recommendation"] == result["recommendation"], project
        assert on_dask[project]["gaps"] == result["gaps"], project
