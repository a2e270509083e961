"""Real outside services for tests: PostgreSQL, S3 (moto's server on loopback) and Chromium.

Where a service is missing on a developer's machine the test is skipped with the reason; in CI
(``READINESS_TEST_REQUIRE=postgres,chromium``, set by ``.ci/run``) a missing service fails the test
instead, so nothing is skipped silently where it must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def _required(service: str) -> bool:
    return service in {s.strip() for s in os.environ.get("READINESS_TEST_REQUIRE", "").split(",")}


def missing(service: str, reason: str) -> None:
    """Skip (or fail where the service is required) because ``service`` is not available."""
    if _required(service):
        pytest.fail(f"{service} is required here (READINESS_TEST_REQUIRE) but {reason}")
    pytest.skip(f"{service} not available: {reason}")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_admin_url() -> str:
    """The URL of a PostgreSQL server where tests may create databases (or skip/fail)."""
    url = os.environ.get(
        "READINESS_TEST_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    )
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as con:
            con.execute("select 1")
    except Exception as exc:
        missing("postgres", f"cannot connect to {url.split('@')[-1]}: {exc}")
    return url


@dataclass(frozen=True)
class PostgresDatabase:
    """A fresh, empty database on the test server, dropped at the end."""

    url: str
    name: str


@pytest.fixture
def postgres_database() -> Iterator[PostgresDatabase]:
    """A fresh database per test (the server is shared)."""
    import psycopg

    admin = postgres_admin_url()
    name = f"readiness_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'create database "{name}"')
    base, _, _ = admin.rpartition("/")
    try:
        yield PostgresDatabase(url=f"{base}/{name}", name=name)
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'drop database if exists "{name}" with (force)')


@dataclass(frozen=True)
class S3Endpoint:
    """A real S3 HTTP endpoint on loopback (moto's server mode)."""

    url: str
    region: str = "us-east-1"
    access_key: str = "testing"
    secret_key: str = "testing"

    def environment(self) -> dict[str, str]:
        """The variables that point boto3 and the settings at this endpoint, as a user sets them."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "READINESS_S3_ENDPOINT_URL": self.url,
        }

    def bucket(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str) -> Any:
        """A fresh bucket (named from ``first`` and the test's folder), a client of it
        (``client.bucket``), and the settings pointed at this endpoint and a home in the test's
        folder."""
        import boto3

        from core.settings import get_settings

        for name, value in self.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
        get_settings.cache_clear()
        client = boto3.client("s3", endpoint_url=self.url)
        client.bucket = f"{first}{tmp_path.name.replace('_', '-').lower()[-40:]}".strip("-")
        client.create_bucket(Bucket=client.bucket)
        return client


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    """One moto S3 server for the session; each test makes its own bucket."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield S3Endpoint(url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()


def chromium_path() -> str:
    """Debian's Chromium (or skip/fail)."""
    path = os.environ.get("READINESS_TEST_CHROMIUM") or shutil.which("chromium") or ""
    if not path or not os.path.exists(path):
        missing("chromium", "no chromium executable (apt-get install chromium)")
    return path


#: Flags Chromium needs here: root, no GPU, and a closed network it must not try to reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
