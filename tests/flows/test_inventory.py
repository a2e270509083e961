"""The system inventory: our CSV and YAML, and real Backstage catalog entities."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from flows.config import Evidence as ProjectEvidence
from flows.config import InventoryEvidence, LoadedProject, Project
from flows.evidence import Context, Evidence
from flows.evidence.inventory import collect_inventory, entity_ref_name

FIXTURES = Path(__file__).parents[1] / "fixtures" / "inventory"
BACKSTAGE = Path(__file__).parents[1] / "fixtures" / "real" / "backstage"
CONTEXT = Context("run-1", "claims", datetime(2025, 3, 10, tzinfo=UTC))
CAPABILITIES = [
    "authentication",
    "error_handling",
    "observability",
    "rollback",
    "versioning",
    "integration_tests",
]


def project(path: Path | str, fmt: str | None = None) -> LoadedProject:
    spec = InventoryEvidence.model_validate({"path": str(path), "format": fmt})
    return LoadedProject(
        path=Path("/tmp/claims/project.yml"),
        project=Project(id="claims", name="Claims", evidence=ProjectEvidence(inventory=spec)),
    )


def collect(path: Path | str, fmt: str | None = None) -> dict[str, pd.DataFrame]:
    evidence = collect_inventory(CONTEXT, project(path, fmt))
    return evidence.frames(CONTEXT)  # every batch must pass the raw tables' Pandera models


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, missing values as None."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in clean.to_dict("records")]


def rejected(frames: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    return [
        (Path(r["source"]).name, r["row_number"], r["column_name"], r["value"], r["reason"])
        for r in records(frames["raw_rejected_rows"])
    ]


def systems(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    return {row["system"]: row for row in records(frames["raw_inventory_systems"])}


def test_no_inventory_is_no_evidence() -> None:
    empty = LoadedProject(path=Path("/tmp/p.yml"), project=Project(id="claims", name="Claims"))
    assert collect_inventory(CONTEXT, empty).tables == {}


def test_our_csv() -> None:
    frames = collect(FIXTURES / "systems.csv")
    found = systems(frames)
    assert sorted(found) == ["Datadog", "Okta", "Salesforce"]
    okta = found["Okta"]
    assert (okta["role"], okta["status"], okta["owner"], okta["source_row"]) == (
        "auth",
        "in_production",
        "platform-team",
        2,
    )
    assert okta["rate_limit_rps"] is None
    assert [okta[c] for c in CAPABILITIES] == [True, True, True, False, True, True]
    salesforce = found["Salesforce"]
    assert (salesforce["role"], salesforce["status"], salesforce["rate_limit_rps"]) == (
        "crm",
        "tested",
        25.0,
    )
    assert [salesforce[c] for c in CAPABILITIES] == [True, False, True, False, True, False]
    assert found["Datadog"]["owner"] is None
    roles = "auth, crm, erp, logging, monitoring, alerting, deployment, data_store, feature_store, model_serving, llm_provider, vector_store, ticketing, api_gateway, identity, other"
    assert rejected(frames) == [
        ("systems.csv", 5, "role", "message_bus", f"expected one of {roles}"),
        (
            "systems.csv",
            6,
            "status",
            "done",
            "expected one of not_started, in_progress, tested, in_production",
        ),
        (
            "systems.csv",
            6,
            "authentication",
            "maybe",
            "expected yes/no, true/false, y/n or 1/0",
        ),
        (
            "systems.csv",
            6,
            "rate_limit_rps",
            "fast",
            "expected a number of requests per second, or empty",
        ),
        (
            "systems.csv",
            8,
            "system",
            "Okta",
            f"system 'Okta' is listed twice; the first ({FIXTURES / 'systems.csv'}, row 2) counts",
        ),
        ("systems.csv", 7, "rate_limit_rps", "-5.0", "expected a value >= 0"),
    ]
    record = frames["raw_evidence_inputs"].iloc[0]
    assert (record.evidence_kind, record.status, record.rows_read, record.rows_rejected) == (
        "inventory",
        "ok",
        7,
        6,
    )
    assert len(record.fingerprint) == 64


def test_our_yaml() -> None:
    frames = collect(FIXTURES / "systems.yaml")
    found = systems(frames)
    assert sorted(found) == ["Grafana", "Keycloak"]
    keycloak = found["Keycloak"]
    assert (keycloak["role"], keycloak["rate_limit_rps"], keycloak["source_row"]) == (
        "identity",
        50.0,
        3,
    )
    assert [keycloak[c] for c in CAPABILITIES] == [True, True, True, False, True, True]
    grafana = found["Grafana"]
    assert [grafana[c] for c in CAPABILITIES] == [False, False, True, False, False, False]
    assert grafana["owner"] is None
    problems = rejected(frames)
    assert [(p[1], p[2], p[3]) for p in problems] == [
        (20, "capabilites", None),
        (20, "role", "ci"),
    ]
    assert problems[0][4].startswith("unknown key; expected [")


def test_missing_columns_make_the_csv_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "systems.csv"
    path.write_text("system,role,status,authentication\nOkta,auth,tested,yes\n")
    frames = collect(path)
    record = frames["raw_evidence_inputs"].iloc[0]
    assert record.status == "unreadable"
    assert record.error == (
        "missing columns: error_handling, observability, rollback, versioning, integration_tests"
    )
    assert set(frames) == {"raw_evidence_inputs", "raw_rejected_rows"}
    rejected = frames["raw_rejected_rows"]
    assert list(zip(rejected["row_number"], rejected["column_name"], strict=True)) == [
        (1, column)
        for column in (
            "error_handling",
            "observability",
            "rollback",
            "versioning",
            "integration_tests",
        )
    ]
    assert set(rejected["source"]) == {str(path)}
    assert rejected["reason"].str.startswith("missing column").all()


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("missing.csv", None, "file not found"),
        ("broken.yaml", "systems: [unclosed\n", "not valid YAML"),
        ("list.yaml", "- a\n- b\n", "expected one YAML mapping with a 'systems' list"),
    ],
)
def test_unreadable_inputs_are_recorded(
    tmp_path: Path, name: str, text: str | None, error: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    frames = collect(path)
    record = frames["raw_evidence_inputs"].iloc[0]
    assert record.status == "unreadable"
    assert error in record.error


def test_every_backstage_fixture_is_ingested() -> None:
    frames = collect(BACKSTAGE)
    found = systems(frames)
    assert {name: (s["role"], s["status"], s["owner"]) for name, s in found.items()} == {
        "artist-engagement-portal": ("other", "not_started", "team-a"),
        "artist-lookup": ("other", "in_progress", "team-a"),
        "artists-db": ("data_store", "not_started", "team-a"),
        "playback-order": ("other", "in_production", "guest"),
        "api:wayback-archive": ("other", "in_production", "team-a"),
        "component:wayback-archive": ("other", "in_production", "team-a"),
    }
    assert not frames["raw_inventory_systems"][CAPABILITIES].any().any()
    inputs = frames["raw_evidence_inputs"]
    assert sorted(inputs["name"]) == sorted(p.name for p in BACKSTAGE.glob("*.yaml"))
    assert set(inputs["status"]) == {"ok"}
    group_file = inputs.set_index("name").loc["team-a-group.yaml"]
    assert (group_file.rows_read, group_file.rows_rejected) == (6, 6)
    assert rejected(frames) == [
        (
            "team-a-group.yaml",
            line,
            "kind",
            kind,
            f"skipped: Backstage kind {kind} is not a system (not an error)",
        )
        for line, kind in [
            (1, "Group"),
            (15, "User"),
            (26, "User"),
            (37, "User"),
            (51, "User"),
            (64, "User"),
        ]
    ]
    # User entities name people: their names and emails are not copied anywhere.
    text = " ".join(str(v) for frame in frames.values() for v in frame.to_numpy().ravel())
    assert "breanna" not in text
    assert "@example.com" not in text


def test_single_backstage_file_by_detection() -> None:
    frames = collect(BACKSTAGE / "artists-db-resource.yaml")
    assert list(frames["raw_inventory_systems"]["system"]) == ["artists-db"]
    assert frames["raw_evidence_inputs"].iloc[0]["name"] == str(
        BACKSTAGE / "artists-db-resource.yaml"
    )


CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: claims-scorer
  namespace: claims
  tags: [python, rollback, integration-tests]
  annotations:
    readiness.dev/role: model_serving
    readiness.dev/capabilities: "authentication, Observability,versioning"
    readiness.dev/rate-limit-rps: "20"
spec:
  type: service
  lifecycle: beta
  owner: group:default/ml-platform
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: claims-vectors
spec:
  type: vector-database
  owner: group:claims/data-team
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: gpt-gateway
  annotations:
    readiness.dev/role: llm
    readiness.dev/capabilities: authentication, retries
    readiness.dev/rate-limit-rps: lots
spec:
  type: openapi
  lifecycle: sunset
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: claims-ui
  annotations:
    readiness.dev/status: tested
spec:
  type: website
  lifecycle: sunset
  owner: user:guest
"""


def test_backstage_annotations_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(CATALOG)
    frames = collect(path, "backstage")
    found = systems(frames)
    scorer = found["claims/claims-scorer"]
    assert (scorer["role"], scorer["status"], scorer["owner"], scorer["rate_limit_rps"]) == (
        "model_serving",
        "tested",
        "ml-platform",
        20.0,
    )
    assert [scorer[c] for c in CAPABILITIES] == [True, False, True, True, True, True]
    vectors = found["claims-vectors"]
    assert (vectors["role"], vectors["status"], vectors["owner"], vectors["source_row"]) == (
        "vector_store",
        "not_started",
        "claims/data-team",
        16,
    )
    ui = found["claims-ui"]
    assert (ui["role"], ui["status"], ui["owner"]) == ("other", "tested", "guest")
    problems = sorted(rejected(frames), key=lambda p: p[2])
    assert [(p[1], p[2], p[3]) for p in problems] == [
        (24, "metadata.annotations.readiness.dev/capabilities", "retries"),
        (24, "metadata.annotations.readiness.dev/rate-limit-rps", "lots"),
        (24, "metadata.annotations.readiness.dev/role", "llm"),
        (24, "spec.lifecycle", "sunset"),
    ]
    assert "or the annotation readiness.dev/status" in problems[3][4]


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("team-a", "team-a"),
        ("user:guest", "guest"),
        ("group:default/team-a", "team-a"),
        ("group:finance/controllers", "finance/controllers"),
        ("", None),
        (None, None),
    ],
)
def test_owner_refs(ref: str | None, name: str | None) -> None:
    assert entity_ref_name(ref) == name


def test_evidence_type() -> None:
    assert isinstance(collect_inventory(CONTEXT, project(FIXTURES / "systems.csv")), Evidence)
