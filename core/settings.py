"""Settings: the only place where environment variables are read.

Every setting has the prefix ``READINESS_`` (``READINESS_WAREHOUSE_PATH`` and so on). The committed
dbt ``profiles.yml`` reads the same variables through ``env_var()``; :func:`Settings.dbt_env`
exports them so that dbt and the Python side always agree.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.secrets import ENV_REFERENCE, expand

#: The repository root, resolved once: the dbt project, the rubric and the examples live beside
#: the Python package.
REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_RUBRIC = REPO_ROOT / "rubric" / "rubric.yml"
EXAMPLE_PORTFOLIO = REPO_ROOT / "examples" / "portfolio.yml"


class Settings(BaseSettings):
    """Runtime configuration of the pipeline, from ``READINESS_*`` variables or a ``.env`` file."""

    # An empty variable (``READINESS_DASHBOARD_ACCESS=`` in an env file) means "not set".
    model_config = SettingsConfigDict(
        env_prefix="READINESS_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

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
        default=None,
        description="Folder of the published read-only snapshots, one DuckDB file per portfolio "
        "(default: READINESS_HOME/published); readers may also be pointed at one snapshot file.",
    )
    dbt_target: Literal["duckdb", "postgres"] = Field(
        default="duckdb",
        description="Where dbt builds: the local DuckDB file, or a shared PostgreSQL warehouse.",
    )
    postgres_url: SecretStr | None = Field(
        default=None,
        description="The shared PostgreSQL warehouse, postgresql://user:password@host:port/db "
        "(used when dbt_target is postgres).",
    )
    postgres_schema: str = Field(
        default="main", description="Schema of the raw tables and models in PostgreSQL."
    )
    survey_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "READINESS_SURVEY_KEY", "READINESS_SURVEY_SALT", "survey_key"
        ),
        description="Secret key of the respondents' pseudonyms (HMAC-SHA256); unset: the bundled "
        "example uses a fixed example key, anything else a key generated on first run in "
        "$READINESS_HOME/survey.key (owner-only). READINESS_SURVEY_SALT is its deprecated name.",
    )
    source_secrets: str = Field(
        default="",
        description="The secrets a project file's database URL may name (comma-separated: NAME "
        "for ${NAME}, secret:BLOCK for ${secret:BLOCK}); any other is refused, so a project "
        "file cannot read the process's other secrets.",
    )
    evidence_roots: str = Field(
        default="",
        description="Folders, besides each portfolio's own folder, that evidence paths may point "
        "into (separated by the system's path separator, ':' on Linux); every other path a "
        "project names is refused.",
    )
    day_rate: float = Field(
        default=900.0, ge=0, description="Cost of one person-day, for the roadmap."
    )
    day_rate_currency: str = Field(
        default="EUR",
        pattern=r"^[A-Z]{3}$",
        description="Currency of the day rate (ISO 4217), shown with every roadmap cost.",
    )
    dashboard_port: int = Field(default=8501, description="Port of the Streamlit dashboard.")
    dashboard_address: str = Field(
        default="127.0.0.1",
        description="Address the dashboard listens on: this machine only by default; 0.0.0.0 "
        "(every interface) only behind a login (READINESS_DASHBOARD_LOGIN) or a proxy that "
        "has one, as the compose file sets it.",
    )
    dashboard_login: bool = Field(
        default=False,
        description="Ask for a login before the dashboard shows anything (off for the local demo).",
    )
    dashboard_user: str = Field(
        default="admin", description="User name that READINESS_DASHBOARD_PASSWORD belongs to."
    )
    dashboard_password: SecretStr | None = Field(
        default=None,
        description="Password of READINESS_DASHBOARD_USER (Streamlit secrets [passwords] may "
        "name more users).",
    )
    dashboard_access: Path | None = Field(
        default=None,
        description="YAML file mapping each user to the portfolio ids they may see ('*': all); "
        "unset: every signed-in user sees every portfolio.",
    )
    user: str | None = Field(
        default=None,
        description="The user the command line reads for (like --user): `status`, `report`, "
        "`history` and `diff` show only the portfolios the access file gives them; unset: all.",
    )
    survey_retention_days: int = Field(
        default=365,
        ge=1,
        description="Survey answers stored longer than this (days since the run that read them) "
        "are deleted at the start of each run.",
    )
    s3_access_key_id: str | None = Field(
        default=None,
        description="S3 access key id for evidence; unset: boto3's own credential chain "
        "(AWS_ACCESS_KEY_ID, profiles, instance roles).",
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None,
        description="Its secret key; ${NAME} or ${secret:BLOCK} (a Prefect Secret block) may "
        "stand for it.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="S3-compatible endpoint (MinIO...); when unset boto3's own chain applies "
        "(AWS_ENDPOINT_URL, then AWS).",
    )
    task_runner: Literal["threads", "dask"] = Field(
        default="threads",
        description="How projects are ingested in parallel: a thread pool, or Dask (prefect-dask).",
    )
    max_workers: int = Field(
        default=4, ge=1, description="Threads, or local Dask workers, ingesting projects at once."
    )
    measurement_cache: bool = Field(
        default=True,
        description="Reuse a project's measurements from an earlier run when none of its inputs "
        "changed (keyed on their content hashes and the code's version); false measures every "
        "input on every run.",
    )
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler address (tcp://host:8786) for task_runner=dask; "
        "unset: a local Dask cluster of max_workers processes for each run.",
    )
    waiver_max_days: int = Field(
        default=180,
        ge=1,
        description="The longest a waiver may last, in days after it was given (readiness waive "
        "and the waivers file refuse a later expiry).",
    )
    holidays: str = Field(
        default="",
        pattern=r"^\s*(\d{4}-\d{2}-\d{2}\s*(,\s*\d{4}-\d{2}-\d{2}\s*)*)?$",
        description="Days that are not working days for the roadmap's calendar dates "
        "(comma-separated, YYYY-MM-DD); weekends never are.",
    )
    source_statement_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds one query of the data audit may run on a PostgreSQL evidence source "
        "before PostgreSQL cancels it (the source is then recorded unreadable, with the reason).",
    )
    code_version: str | None = Field(
        default=None,
        description="The code's version recorded with every run: set by the image's build "
        "argument GIT_COMMIT (infra/Dockerfile); unset: the git commit of the checkout, else the "
        "package version.",
    )
    archive: str | None = Field(
        default=None,
        description="Keep a content-addressed copy of every run's input files, for `readiness "
        "reproduce`: `local` (READINESS_HOME/archive) or an S3 prefix (s3://bucket/prefix); "
        "unset: only runs started with `readiness run --archive` (kept locally).",
    )

    memory_budget: str = Field(
        default="80%",
        pattern=r"^\s*\d+(\.\d+)?\s*(%|B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
        description="Memory the data audits of one process may use together (DuckDB's memory "
        "limit, shared: each of max_workers audits at once gets an equal part, and more wait): "
        "a size (2GB, 512MiB) or a share of the machine's memory (80%); beyond it a grouping "
        "spills to READINESS_SPILL_DIR.",
    )
    spill_dir: Path | None = Field(
        default=None,
        description="Folder where the data audit's DuckDB spills what does not fit its memory "
        "budget, one temporary folder per audit (default: READINESS_HOME/spill).",
    )
    duckdb_threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads of each data audit's DuckDB connection; unset: the machine's cores.",
    )

    def project_secrets(self) -> frozenset[str]:
        """The secret names project files may use (source_secrets); READINESS_* never."""
        names = {n.strip() for n in self.source_secrets.split(",") if n.strip()}
        return frozenset(n for n in names if not n.upper().startswith("READINESS_"))

    def evidence_folders(self, portfolio: Path) -> list[Path]:
        """The folders evidence of ``portfolio`` may live in: its own, and evidence_roots."""
        extra = [Path(p).expanduser() for p in self.evidence_roots.split(os.pathsep) if p.strip()]
        return [portfolio.resolve().parent, *extra]

    def respondent_key(self, portfolio: Path | None = None) -> str:
        """The secret key of respondents' pseudonyms for a run of ``portfolio``.

        READINESS_SURVEY_KEY when set (a placeholder such as ``change-me`` does not count);
        else the fixed example key for the bundled example portfolio (made-up people); else
        the key kept in ``$READINESS_HOME/survey.key``, generated on first use (owner-only).
        """
        if self.survey_key is not None:
            value = self.survey_key.get_secret_value().strip()
            if value and not value.casefold().startswith("change-me"):
                return value
        if portfolio is not None and _inside(portfolio, REPO_ROOT / "examples"):
            return EXAMPLE_SURVEY_KEY
        return home_survey_key(self.home)

    @property
    def warehouse(self) -> Path:
        """The working DuckDB file."""
        return self.warehouse_path or self.home / "warehouse.duckdb"

    @property
    def snapshot(self) -> Path:
        """The published snapshots that readers open read-only: a folder (see readmodel.snapshots)."""
        return self.snapshot_path or self.home / "published"

    @property
    def s3_cache(self) -> Path:
        """Where S3 objects are kept, by ETag, so that an unchanged object is not downloaded again."""
        return self.home / "cache" / "s3"

    @property
    def spill(self) -> Path:
        """Where the data audit's DuckDB spills beyond its memory budget."""
        return self.spill_dir or self.home / "spill"

    @property
    def measurement_cache_path(self) -> Path:
        """Where measurements are kept between runs (Prefect results, one file per cache key)."""
        return self.home / "cache" / "measurements"

    @property
    def dbt_target_path(self) -> Path:
        """Where dbt writes its artifacts (kept out of the source tree)."""
        return self.home / "dbt_target"

    @property
    def postgres_dsn(self) -> str:
        """The PostgreSQL warehouse URL (a configuration error when the target needs it and it is unset)."""
        if self.postgres_url is None:
            raise ValueError("READINESS_DBT_TARGET=postgres needs READINESS_POSTGRES_URL")

        return expand(self.postgres_url.get_secret_value())

    def dbt_env(self) -> dict[str, str]:
        """The variables that ``dbt_project/profiles.yml`` reads with ``env_var()``.

        The password goes in a ``DBT_ENV_SECRET_`` variable: dbt masks those in its logs.
        """
        values = {
            "READINESS_WAREHOUSE_PATH": str(self.warehouse),
            "READINESS_DBT_TARGET": self.dbt_target,
        }
        if self.dbt_target == "postgres":
            url = urlsplit(self.postgres_dsn)
            values |= {
                "READINESS_PG_HOST": url.hostname or "localhost",
                "READINESS_PG_PORT": str(url.port or 5432),
                "READINESS_PG_USER": unquote(url.username or ""),
                "DBT_ENV_SECRET_READINESS_PG_PASSWORD": unquote(url.password or ""),
                "READINESS_PG_DBNAME": url.path.lstrip("/") or "postgres",
                "READINESS_PG_SCHEMA": self.postgres_schema,
            }
        return values


#: The key of the bundled example portfolio, whose respondents are made up: it is public, so
#: pseudonyms made with it protect nobody; every other portfolio gets a secret key.
EXAMPLE_SURVEY_KEY = "readiness-bundled-example-portfolio-only"
SURVEY_KEY_FILE = "survey.key"
_log = logging.getLogger(__name__)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def home_survey_key(home: Path) -> str:
    """The key in ``home/survey.key``, created on first use with owner-only permissions (0600)."""
    from core.errors import ConfigError

    path = home / SURVEY_KEY_FILE
    try:
        if not path.exists():
            home.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first: use that one
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    os.fchmod(handle.fileno(), 0o600)
                    handle.write(secrets.token_hex(32) + "\n")
                _log.warning(
                    "Generated the key of survey respondents' pseudonyms in %s (readable by "
                    "this user only). Keep it: pseudonyms stay the same across runs only with "
                    "the same key. Set READINESS_SURVEY_KEY to manage the key yourself.",
                    path,
                )
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
            _log.warning("%s was readable by others: made it readable by this user only", path)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError.one(
            path,
            f"cannot keep the survey key here ({exc.strerror or exc}): make READINESS_HOME "
            "writable, or set READINESS_SURVEY_KEY",
        ) from exc
    if not key:
        raise ConfigError.one(
            path,
            "the survey key file is empty: restore it, or delete it to start new pseudonyms "
            "(earlier runs' respondents will no longer match)",
        )
    return key


def expand_env(text: str) -> str:
    """Replace each ``${NAME}`` with the environment variable NAME (KeyError names a missing one).

    Configuration files use it for secrets (alert URLs carry tokens) that must stay out of them.
    """
    return ENV_REFERENCE.sub(lambda match: os.environ[match.group(1)], text)


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
