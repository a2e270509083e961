"""Named owners in a project file: role -> a name or a team handle; contact details refused."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from flows.config import Project, parse_model
from flows.owners import owner_rows


def project(owners: object) -> dict[str, object]:
    return {"id": "p", "name": "P", "owners": owners}


def test_owners_map_roles_to_names_and_become_rows() -> None:
    parsed = parse_model(
        Project,
        project({"legal": "Legal team", "data_engineering": " team-data-platform "}),
        "p.yml",
    )
    assert parsed.owners == {"legal": "Legal team", "data_engineering": "team-data-platform"}
    assert owner_rows(parsed.owners) == [
        {"role": "data_engineering", "owner": "team-data-platform"},
        {"role": "legal", "owner": "Legal team"},
    ]


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        (
            {"legal": "counsel@example.com"},
            "owners.legal: expected a name or a team handle, not an email",
        ),
        ({"operations": "+44 20 7946 0000"}, "not a phone number"),
        ({"Data Eng": "team-data"}, "must be a role id"),
        ({"legal": "  "}, "got an empty text"),
        (["legal"], "expected a mapping"),
    ],
)
def test_contact_details_and_wrong_roles_are_refused_without_echo(
    owners: object, expected: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_model(Project, project(owners), "p.yml")
    text = str(refused.value)
    assert expected in text and "p.yml" in text
    assert "counsel@example.com" not in text and "7946" not in text
