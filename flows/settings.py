"""Settings: the only place where environment variables are read.

Every setting has the prefix ``READINESS_`` (``READINESS_WAREHOUSE_PATH`` and so on). The committed
dbt ``profiles.yml`` reads the same variables through ``env_var()``; :func:`Settings.dbt_env`
exports them so that dbt and the Python side always agree.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository root, resolved once: the dbt project, the rubric and the examples live beside
#: the Python package.
REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_RUBRIC = REPO_ROOT / "rubric" / "rubric.yml"
EXAMPLE_PORTFOLIO = REPO_ROOT / "examples" / "portfolio.yml"


class Settings(BaseSettings):
    """Runtime configuration of the pipeline, from ``READINESS_*`` variables or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="READINESS_", env_file=".env", extra="ignore")

    portfolio: Path = Field(
        default=EXAMPLE_PORTFOLIO, description="Portfolio file assessed when none is named."
    )
    home: Path = Field(
        default=REPO_ROOT / ".readiness",
        description="Folder for the working warehouse, the published snapshot and the dbt target.",
    )
    warehouse_path: Path | None = Field(
        default=None, description="Working DuckDB file (written by the flow only)."
    )
    snapshot_path: Path | None = Field(
        default=None, description="Published read-only DuckDB snapshot (read by the dashboard)."
    )
    dbt_target: str = Field(default="duckdb", description="dbt target in dbt_project/profiles.yml.")
    survey_salt: str = Field(
        default="change-me",
        description="Salt for pseudonymising survey respondents; set a secret one in production.",
    )
    day_rate: float = Field(
        default=900.0, ge=0, description="Cost of one person-day, for the roadmap."
    )
    dashboard_port: int = Field(default=8501, description="Port of the Streamlit dashboard.")

    @property
    def warehouse(self) -> Path:
        """The working DuckDB file."""
        return self.warehouse_path or self.home / "warehouse.duckdb"

    @property
    def snapshot(self) -> Path:
        """The published snapshot that readers open read-only."""
        return self.snapshot_path or self.home / "published" / "readiness.duckdb"

    @property
    def dbt_target_path(self) -> Path:
        """Where dbt writes its artifacts (kept out of the source tree)."""
        return self.home / "dbt_target"

    def dbt_env(self) -> dict[str, str]:
        """The variables that ``dbt_project/profiles.yml`` reads with ``env_var()``."""
        return {
            "READINESS_WAREHOUSE_PATH": str(self.warehouse),
            "READINESS_DBT_TARGET": self.dbt_target,
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cleared by tests with ``get_settings.cache_clear()``)."""
    return Settings()


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """Expose the dbt variables to dbt's ``env_var()`` for one invocation, then restore them.

    Restoring matters: a leftover ``READINESS_WAREHOUSE_PATH`` would pin every later run of this
    process (and every child process) to this run's warehouse.
    """
    values = settings.dbt_env()
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
