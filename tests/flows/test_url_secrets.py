"""Every secret form of a URL is masked wherever a URL is shown or stored."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from flows.config import DatasetEvidence, parse_model
from flows.sources import mask_url, mask_urls, parse_source, url_secrets


@pytest.mark.parametrize(
    ("url", "secret", "masked"),
    [
        ("postgresql://app:hunter2@db:5432/x", "hunter2", "postgresql://app:***@db:5432/x"),
        ("postgresql://app:p@ss:w0rd@db/x", "p@ss:w0rd", "postgresql://app:***@db/x"),
        ("postgresql://app:p%40ss@db/x", "p%40ss", "postgresql://app:***@db/x"),
        (
            "postgresql://app@db/x?sslmode=require&password=hunter2",
            "hunter2",
            "postgresql://app@db/x?sslmode=require&password=***",
        ),
        (
            "postgres://db/x?PASSWORD=s3cr3t&sslpassword=k3y",
            "s3cr3t",
            "postgres://db/x?PASSWORD=***&sslpassword=***",
        ),
    ],
)
def test_every_secret_form_is_masked(url: str, secret: str, masked: str) -> None:
    assert secret in url_secrets(url)
    assert mask_url(url) == masked
    ref = parse_source(url, table="t")
    assert secret not in ref.display and "@ss" not in ref.display
    message = f"connection to {url} failed: password authentication failed ({secret})"
    scrubbed = ref.scrub(message)
    assert secret not in scrubbed and "hunter2" not in scrubbed


def test_a_url_without_secrets_is_left_as_it_is() -> None:
    url = "postgresql://app@db:5432/x?sslmode=require&application_name=readiness"
    assert mask_url(url) == url and url_secrets(url) == []


def test_configuration_errors_never_echo_a_url_secret() -> None:
    data = {
        "name": "orders",
        "source": "data/orders.csv",
        # A URL pasted into the wrong key: the message names the key and echoes the value.
        "delimiter": "postgresql://app:p@ss@db/x?password=hunter2",
        "field_map": {"fields": {"id": {}}},
    }
    with pytest.raises(ConfigError) as exc:
        parse_model(DatasetEvidence, data, "project.yml")
    text = str(exc.value)
    assert "delimiter" in text and "postgresql" not in text, text  # a text is never echoed
    assert "hunter2" not in text and "p@ss" not in text and "ss@db" not in text
    assert mask_urls("see postgresql://a:b@c/d") == "see postgresql://a:***@c/d"
