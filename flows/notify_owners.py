"""Named owners in notifications: who owns what a notice names, and that owner's own channel.

A notice about a check (a critical check that now fails, a waiver about to expire) names the
check's owner as the run recorded it: the name the project's ``owners`` map gives the check's
owner role (``check_results.owner`` and ``owner_named``, dbt's), or else the role itself, marked
unnamed and counted in the message. Owner names are configuration the portfolio's people typed (team handles, people's
names as they chose to write them; contact details are refused by flows.owners), not survey or
evidence data, so messages show them.

The portfolio's ``alerts.owner_urls`` maps an owner's name to that owner's own channels (Apprise
URLs, secrets like every alert URL): a notice owned by ``team-data-platform`` also reaches
``team-data-platform``'s channels, grouped with the rest of that channel's notices of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from pydantic_core import PydanticCustomError

from flows.markdown_safe import md

if TYPE_CHECKING:
    from flows.config import Alerts
    from flows.notify import Notice

#: Notice kinds whose subject starts with a check id, and the prefix before it.
_CHECK_SUBJECTS = {"regression": "critical_check:", "waiver_expiring": ""}

_OWNERS = """
select project_id, check_id, owner, owner_named
from check_results
where run_id = ?
"""


def check_owner_urls(owner_urls: Any, check_urls: Callable[[Any], Any]) -> dict[str, Any]:
    """``alerts.owner_urls`` validated: owner names (never contact details) -> Apprise URLs.

    ``check_urls`` is the portfolio's check of a list of Apprise URLs (it expands secrets). Errors
    are of type "secret", so that a refused URL is never echoed.
    """
    from flows.privacy import personal_kind

    if not isinstance(owner_urls, dict):
        raise PydanticCustomError("secret", "must be a mapping: owner name -> list of Apprise URLs")
    checked_urls: dict[str, Any] = {}
    for name, urls in owner_urls.items():
        if not isinstance(name, str) or not name.strip():
            raise PydanticCustomError("secret", "an owner name must be a non-empty text")
        if personal_kind(name.strip()):
            raise PydanticCustomError(
                "secret", "an owner name must be a name or a team handle, not contact details"
            )
        try:
            checked_urls[name.strip()] = check_urls(urls)
        except PydanticCustomError as exc:
            raise PydanticCustomError("secret", f"{name.strip()}: {exc.message()}") from None
    return checked_urls


def checked(notice: Notice) -> str | None:
    """The check id a notice is about, or None (a gap, a verdict, a failed flow run)."""
    prefix = _CHECK_SUBJECTS.get(notice.kind)
    if prefix is None or not notice.subject.startswith(prefix):
        return None
    rest = notice.subject[len(prefix) :]
    # A waiver's subject is check:expiry date.
    return rest.split(":", 1)[0] if notice.kind == "waiver_expiring" else rest


def with_owners(snapshot: Path, run_id: str, notices: Sequence[Notice]) -> list[Notice]:
    """The notices, each about a check carrying that check's owner in the run (dbt's)."""
    if not any(checked(n) for n in notices):
        return list(notices)
    from flows.snapshots import open_snapshot

    with open_snapshot(snapshot) as con:
        owners = {
            (project, check): (owner, role)
            for project, check, owner, role in con.execute(_OWNERS, [run_id]).fetchall()
        }
    named = []
    for notice in notices:
        owner, is_named = owners.get((notice.project_id or "", checked(notice) or ""), (None, None))
        if owner:
            # dbt's owner is the mapped name, or the role itself when the map does not name it.
            notice = replace(notice, owner=owner, owner_named=bool(is_named))
        named.append(notice)
    return named


def owner_text(notice: Notice) -> str:
    """' (owner: team-data-platform)', or the role when no name is mapped; '' without an owner."""
    if not notice.owner:
        return ""
    if notice.owner_named:
        return f" (owner: {md(notice.owner)})"
    return f" (owner role: {md(notice.owner)}, no name mapped)"


def unnamed_line(notices: Sequence[Notice]) -> str | None:
    """The count of notices whose owner role has no name, as the message's last line."""
    unnamed = sorted({n.owner for n in notices if n.owner and not n.owner_named})
    if not unnamed:
        return None
    count = sum(1 for n in notices if n.owner and not n.owner_named)
    return (
        f"{count} notice(s) name an owner role without a name ({md(', '.join(unnamed))}): "
        "map it in the project's `owners`."
    )


def owner_channels(alerts: Alerts, notice: Notice) -> list[SecretStr]:
    """The named owner's own channels (``alerts.owner_urls``) for this notice, if any."""
    if not notice.owner or not notice.owner_named:
        return []
    return list(alerts.owner_urls.get(notice.owner, []))
