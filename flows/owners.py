"""Named owners: a project's map of owner roles to people or team handles, as a run records it.

A project file may name who owns each role's actions (``owners: {data_engineering:
team-data-platform}``). These are names the project's author typed (configuration, not personal
data read from evidence), but an email address or a phone number is refused: the dashboard and
reports show the names, and contact details never belong there. Which action gets which name,
and which roles stay unnamed, is dbt's (``check_results.owner``, ``roadmap.owner``,
``recommendations.unnamed_owner_roles``).
"""

from __future__ import annotations

import re
from typing import Any

from flows.privacy import personal_kind

_ROLE = re.compile(r"^[a-z][a-z0-9_]*$")


def check_owner_names(owners: dict[str, str]) -> dict[str, str]:
    """The owners map, or a ValueError naming the role whose value is wrong (never echoing it)."""
    for role, name in owners.items():
        if not _ROLE.match(role):
            raise ValueError(
                f"owner role {role!r} must be a role id (lower case, digits, _), such as "
                "data_engineering"
            )
        if not name.strip():
            raise ValueError(f"owners.{role}: expected a name or a team handle, got an empty text")
        kind = personal_kind(name)
        if kind:
            label = {"email": "an email address", "phone": "a phone number"}.get(kind, kind)
            raise ValueError(f"owners.{role}: expected a name or a team handle, not {label}")
    return {role: name.strip() for role, name in owners.items()}


def owner_rows(owners: dict[str, str]) -> list[dict[str, Any]]:
    """The project's ``raw_project_owners`` rows (without run and project ids)."""
    return [{"role": role, "owner": name} for role, name in sorted(owners.items())]
