"""No Docker engine runs here, so the compose file's coherence is checked instead of run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from core.settings import REPO_ROOT, Settings

INFRA = REPO_ROOT / "infra"


def compose() -> dict:
    return yaml.safe_load((INFRA / "docker-compose.yml").read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (INFRA / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value
    return pairs


def test_every_service_has_an_image_or_a_build_that_exists() -> None:
    services = compose()["services"]
    assert {"prefect-server", "postgres", "worker", "minio", "minio-setup", "dashboard"} <= set(
        services
    )
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            context = (INFRA / service["build"]["context"]).resolve()
            assert context.is_dir(), name
            assert (context / service["build"]["dockerfile"]).is_file(), name


def test_volumes_and_dependencies_are_declared() -> None:
    data = compose()
    services, volumes = data["services"], set(data["volumes"])
    for name, service in services.items():
        for mount in service.get("volumes", []):
            # ${NAME:-default} takes the value .env.example gives, else the default.
            source = re.sub(
                r"\$\{(\w+):-([^}]*)\}",
                lambda m: env_example().get(m.group(1)) or m.group(2),
                mount,
            ).split(":")[0]
            if source.startswith("."):
                assert (INFRA / source).exists(), (name, source)
            elif not source.startswith("/"):
                assert source in volumes, (name, source)
        for dependency in service.get("depends_on", []):
            assert dependency in services, (name, dependency)


def test_every_variable_the_compose_file_uses_is_in_env_example() -> None:
    text = (INFRA / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", text))
    assert used <= set(env_example()), used - set(env_example())


def test_env_example_lists_every_application_setting_with_a_comment() -> None:
    lines = (INFRA / ".env.example").read_text().splitlines()
    for name in Settings.model_fields:
        if name in {"home", "warehouse_path", "snapshot_path"}:
            continue  # set by the compose file per service
        if name == "code_version":
            continue  # set by the image from its build argument GIT_COMMIT (an empty value would hide it)
        key = f"READINESS_{name.upper()}"
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{key}=")), None)
        assert index is not None, key
        assert lines[index - 1].startswith("#"), f"{key} has no comment"


def test_dockerfile_copies_only_what_exists() -> None:
    for line in (INFRA / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (REPO_ROOT / source).exists(), source


def test_the_image_records_the_commit_it_was_built_from() -> None:
    dockerfile = (INFRA / "Dockerfile").read_text()
    assert 'ARG GIT_COMMIT=""' in dockerfile
    assert "ENV READINESS_CODE_VERSION=${GIT_COMMIT}" in dockerfile
    for name in ("worker", "dashboard"):
        assert compose()["services"][name]["build"]["args"]["GIT_COMMIT"] == "${GIT_COMMIT:-}"


def test_ports_are_unique() -> None:
    ports = [p.split(":")[0] for s in compose()["services"].values() for p in s.get("ports", [])]
    assert len(ports) == len(set(ports))


def test_dashboard_mounts_the_data_read_only() -> None:
    mounts = compose()["services"]["dashboard"]["volumes"]
    assert any(m.endswith(":ro") for m in mounts), "the dashboard must never write the warehouse"


def test_no_real_secret_in_env_example() -> None:
    for key, value in env_example().items():
        if any(word in key for word in ("PASSWORD", "SECRET", "SALT")):
            assert value == "" or "change-me" in value, key  # empty: not set


def test_paths_are_relative_to_infra() -> None:
    assert Path(INFRA / compose()["services"]["worker"]["build"]["context"]).resolve() == REPO_ROOT
