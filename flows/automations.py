"""The Prefect automation of ``infra/automations.yaml``, created by ``readiness deploy``.

The file is a template: ``{portfolio}`` is replaced by the portfolio id, and the run-deployment
action is pointed at the portfolio's ``announce_flow_run`` deployment. An automation of the same
name is replaced, so that deploying again never doubles the notices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

import yaml

from core.settings import REPO_ROOT

if TYPE_CHECKING:
    from prefect.automations import Automation

AUTOMATIONS_FILE = REPO_ROOT / "infra" / "automations.yaml"


def automation_spec(portfolio_id: str, deployment_id: UUID) -> dict[str, Any]:
    """The automation of ``infra/automations.yaml`` for one portfolio, as Prefect's API takes it."""
    text = AUTOMATIONS_FILE.read_text(encoding="utf-8").replace("{portfolio}", portfolio_id)
    spec: dict[str, Any] = yaml.safe_load(text)
    for action in spec["actions"]:
        if action.get("type") == "run-deployment":
            action["deployment_id"] = str(deployment_id)
    return spec


def apply_automation(portfolio_id: str, deployment_id: UUID) -> Automation:
    """Create the portfolio's automation on the server, replacing one of the same name."""
    from prefect.automations import Automation
    from prefect.client.orchestration import get_client

    automation = Automation.model_validate(automation_spec(portfolio_id, deployment_id))
    with get_client(sync_client=True) as client:
        for existing in client.read_automations_by_name(automation.name):
            client.delete_automation(existing.id)
    return cast("Automation", automation.create())
