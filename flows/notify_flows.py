"""The notification flows that deployments run: the digest, and the notice of a late or failed run.

``readiness deploy`` registers them beside the portfolio's assessments: ``send_digest`` on the
portfolio's ``alerts.digest`` schedule, and ``announce_flow_run``, which the automation of
``infra/automations.yaml`` runs when a scheduled assessment is late, failed or crashed.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from core.settings import DEFAULT_RUBRIC, get_settings
from flows import notify
from flows.config import load_portfolio

FLOW_RUN_PREFIX = "prefect.flow-run."


@flow(name="send_digest")
def send_digest(portfolio: str | None = None) -> int:
    """Send the portfolio's digest (every verdict, the report attached or linked); return messages."""
    loaded = load_portfolio(
        Path(portfolio) if portfolio else get_settings().portfolio, DEFAULT_RUBRIC
    )
    sent = notify.send_digest(loaded)
    logger = get_run_logger()
    logger.info("digest sent in %d message(s)", sent.messages)
    for target in sent.failed:
        logger.warning("the digest could not be delivered to %s", target)
    return sent.messages


@flow(name="announce_flow_run")
def announce_flow_run(flow_run_id: str, portfolio: str, event: str = "") -> int:
    """Announce a flow run that is late, failed or crashed (``flow_run_id``: an id or event resource).

    ``event``: the automation's event (``prefect.flow-run.Late``...), what is announced; without
    it, the run's state now (a late run may be running by the time this flow runs).
    """
    from uuid import UUID

    from prefect.client.orchestration import get_client

    run_id = UUID(flow_run_id.removeprefix(FLOW_RUN_PREFIX))
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(run_id)
        flow_name = client.read_flow(flow_run.flow_id).name
    state = event.removeprefix(FLOW_RUN_PREFIX) or (
        flow_run.state.name if flow_run.state else "Failed"
    )
    notice = notify.failure_notice(flow_name, flow_run.name, str(run_id), state)
    announced = notify.announce_failure(Path(portfolio), notice)
    return 0 if announced is None else announced.messages
