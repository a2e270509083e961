"""Secrets named instead of written: ``${NAME}`` from the environment, ``${secret:BLOCK}`` from a
Prefect Secret block on a real Prefect server."""

from __future__ import annotations

import uuid

import pytest

from flows.secrets import MissingSecretError, expand
from flows.settings import Settings


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
