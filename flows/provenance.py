"""What a run ran on: the code's version, the lock file's hash and the computing packages' versions.

Recorded in ``raw_runs`` with every run (and shown by ``readiness history`` and ``diff``), so a
result can be traced to the code and the dependencies that produced it, and ``readiness
reproduce`` can say when a reproduction ran on something else.

The code version comes from the ``code_version`` setting when set (the image's build argument
``GIT_COMMIT`` sets it: a built image holds no git metadata), else from git, else from the
installed package's version.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from importlib.metadata import PackageNotFoundError, version

from core.settings import REPO_ROOT, Settings

#: The distributions whose versions can change a figure: they read, validate, judge or run.
COMPUTING_PACKAGES: tuple[str, ...] = ("duckdb", "dbt-core", "pandera", "prefect")
#: The dbt adapter of each dbt target.
ADAPTERS = {"duckdb": "dbt-duckdb", "postgres": "dbt-postgres"}
LOCK_FILE = REPO_ROOT / "uv.lock"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=5,
    ).stdout.strip()


def code_version(settings: Settings | None = None) -> str:
    """The version of this code: the build's commit, the checkout's commit, or the package version."""
    if settings is not None and settings.code_version and settings.code_version.strip():
        return settings.code_version.strip()
    try:
        sha = _git("rev-parse", "--short=12", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return f"{sha}{'-dirty' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        try:
            return version("ai-readiness")
        except PackageNotFoundError:
            return "unknown"


def lock_fingerprint() -> str | None:
    """The sha256 of uv.lock (the exact dependency set), None where the code has no lock file."""
    try:
        return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()
    except OSError:
        return None


def package_versions(dbt_target: str) -> dict[str, str]:
    """The installed versions of the packages that compute, the target's dbt adapter included."""
    names = [*COMPUTING_PACKAGES, ADAPTERS.get(dbt_target, f"dbt-{dbt_target}")]
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def run_provenance(settings: Settings) -> dict[str, str | None]:
    """The ``raw_runs`` columns that say what a run ran on."""
    return {
        "code_version": code_version(settings),
        "lock_fingerprint": lock_fingerprint(),
        "package_versions": json.dumps(package_versions(settings.dbt_target), sort_keys=True),
    }
