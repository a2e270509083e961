"""Shared fixtures: one real Prefect server per session, and one real assessment of the examples.

A test that needs an assessed home to change (a second run, a damaged file) takes
``assessed_home_copy``: a private copy of the session's assessed example home, taken while no
connection has its DuckDB files open. That costs a copy, not a new assessment (~1 min).

Under pytest-xdist (``scripts/check.py`` runs two workers) each worker is its own session: its
own Prefect server and its own ``assessed_examples``. Tests are handed out a test file at a time,
so a module-scoped fixture runs once; files marked ``pytest.mark.xdist_group("name")`` go to one
worker together, so a session fixture only they use runs once. See docs/testing.md.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from core.settings import REPO_ROOT, Settings, get_settings

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@dataclass(frozen=True)
class Assessed:
    """A portfolio assessed by the real flow into a temporary home."""

    home: Path
    portfolio: Path
    run_id: str
    settings: Settings

    @property
    def snapshot(self) -> Path:
        """The portfolio's published snapshot file (one per portfolio, see readmodel.snapshots)."""
        import yaml

        from readmodel.snapshots import portfolio_file

        portfolio_id = yaml.safe_load(self.portfolio.read_text(encoding="utf-8"))["id"]
        return portfolio_file(self.settings.snapshot, portfolio_id)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A temporary Prefect server for the whole session (it takes ~20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def use_home(home: Path) -> Settings:
    """Point the settings at a temporary home (and nothing else), as a user would with env vars."""
    os.environ["READINESS_HOME"] = str(home)
    for name in ("READINESS_WAREHOUSE_PATH", "READINESS_SNAPSHOT_PATH", "READINESS_PORTFOLIO"):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    return get_settings()


@contextmanager
def kept_environment() -> Iterator[None]:
    """Run a block that changes environment variables (a real run sets READINESS_HOME), then put
    the environment and the settings back as they were."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


def statements_of(monkeypatch: pytest.MonkeyPatch, method: str) -> list[str]:
    """The statements a ``DuckDBScan`` method runs from now on (``rescan``, ``read_again``)."""
    from flows.sources.scan import DuckDBScan

    seen: list[str] = []
    original = getattr(DuckDBScan, method)

    def spy(scan: DuckDBScan, statement: str) -> None:
        seen.append(statement)
        original(scan, statement)

    monkeypatch.setattr(DuckDBScan, method, spy)
    return seen


def copy_examples(target: Path) -> Path:
    """A private copy of the example portfolio (tests may change its files)."""
    shutil.copytree(REPO_ROOT / "examples", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "portfolio.yml"


def assess(portfolio: Path, home: Path, projects: list[str] | None = None) -> Assessed:
    """Run the real flow on a portfolio into ``home`` (one project through ``assess_project``)."""
    from flows.assess import assess_portfolio, assess_project

    settings = use_home(home)
    if projects and len(projects) == 1:
        run_id = assess_project(projects[0], str(portfolio))
    else:
        # One run each: the example's history weeks are tested in tests/e2e/test_example_history.py
        run_id = assess_portfolio(str(portfolio), projects, history=False)
    return Assessed(home=home, portfolio=portfolio, run_id=run_id, settings=settings)


@pytest.fixture(scope="session")
def assessed_examples(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Assessed:
    """The example portfolio, assessed once per session by the real flow (Prefect, dbt, publish)."""
    base = tmp_path_factory.mktemp("assessed")
    portfolio = copy_examples(base / "examples")
    with kept_environment():
        assessed = assess(portfolio, base / "home")
    release_dbt_connection()  # the home is copied by many tests: no connection left open on it
    return assessed


@pytest.fixture(scope="session")
def budget_cut_run(
    assessed_examples: Assessed, tmp_path_factory: pytest.TempPathFactory
) -> Assessed:
    """A second run after the session's, in a copy of its home (which so holds both runs):
    support_copilot alone, its monthly budget cut to a tenth (its scale gap drops: not yet).

    Read it, never change it (take a copy). Its users mark their tests
    ``pytest.mark.xdist_group("budget_cut")`` so that one worker runs them all and it once.
    """
    base = tmp_path_factory.mktemp("budget_cut")
    portfolio = copy_examples(base / "examples")
    home = base / "home"
    release_dbt_connection()
    shutil.copytree(assessed_examples.home, home)
    costs_path = portfolio.parent / "projects" / "support_copilot" / "costs.yml"
    costs = yaml.safe_load(costs_path.read_text())
    costs["monthly_budget"] = costs["monthly_budget"] / 10
    costs_path.write_text(yaml.safe_dump(costs, sort_keys=False))
    with kept_environment():
        second = assess(portfolio, home, ["support_copilot"])
    release_dbt_connection()
    return second


def release_dbt_connection() -> None:
    """Close the DuckDB file dbt's adapter keeps open in this process after a build.

    Call it before copying a home assessed in this process (the copy must be of a closed file).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


@pytest.fixture
def assessed_home_copy(assessed_examples: Assessed, tmp_path: Path) -> Assessed:
    """A private copy of the session's assessed example home and portfolio, to change at will.

    The run id is the session's; point the settings at the copy with ``use_home(copy.home)``
    (inside ``kept_environment()`` or with ``monkeypatch``) before a run or a reader needs them.
    """
    release_dbt_connection()
    home = tmp_path / "home"
    shutil.copytree(assessed_examples.home, home, ignore=shutil.ignore_patterns("*.lock"))
    portfolio = copy_examples(tmp_path / "examples")
    settings = assessed_examples.settings.model_copy(
        update={"home": home, "warehouse_path": None, "snapshot_path": None}
    )
    return Assessed(
        home=home, portfolio=portfolio, run_id=assessed_examples.run_id, settings=settings
    )


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: none without it (-p no:xdist)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Hand tests out a file at a time, or an ``xdist_group`` at a time (``--dist loadgroup``),
    longest first, so that module fixtures run once and both workers finish together."""
    from tests.schedule import FileOrGroupScheduling

    return FileOrGroupScheduling(config, log)


# Real outside services (PostgreSQL, S3 on loopback, Chromium), shared by every test folder.
from tests.services import postgres_database, s3_endpoint  # noqa: E402, F401
