"""Shared fixtures: one real Prefect server per session, and one real assessment of the examples."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

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
        return assess(portfolio, base / "home")


# Real outside services (PostgreSQL, S3 on loopback, Chromium), shared by every test folder.
from tests.services import postgres_database, s3_endpoint  # noqa: E402, F401
