"""Prefect flow runs that a killed process left "Running" are marked Crashed by the next run.

A process killed with SIGKILL (or a machine that lost power) cannot tell Prefect that its flow
run ended, so the run stays "Running" in Prefect's UI forever. Each run writes its flow run's id
beside the working warehouse while it holds the run lock, and removes it when it ends (whatever
the outcome: Prefect records a failure itself). The next run, holding the same lock, knows that
any id still written there belongs to a process that died: it sets that flow run Crashed (if it
is not in a final state already), with the reason. The marker is per warehouse, so a Prefect
server shared by several warehouses is safe: only runs of this warehouse are touched.

Prefect's own alternative, for flow runs of deployments on a long-lived server: flow-run
heartbeats (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``) and an automation that crashes a flow run
whose heartbeats stop (docs/operations.md). The marker covers runs started by ``readiness run``
too, whose temporary Prefect server stops with the process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

logger = logging.getLogger(__name__)

REASON = "the process running this flow stopped before it finished (marked by the next run)"


def marker(working: Path) -> Path:
    """The file naming the flow run that holds the warehouse."""
    return working.with_suffix(".flow-run")


def crash_abandoned(working: Path) -> list[str]:
    """Mark the flow run a killed process left behind as Crashed; return the ids marked."""
    flag = marker(working)
    if not flag.is_file():
        return []
    ids = [line.strip() for line in flag.read_text(encoding="utf-8").splitlines() if line.strip()]
    marked: list[str] = []
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    with get_client(sync_client=True) as client:
        for flow_run_id in ids:
            try:
                run = client.read_flow_run(UUID(flow_run_id))
            except Exception as exc:  # gone, or another server: nothing to mark
                logger.info("flow run %s left behind is not on this server: %s", flow_run_id, exc)
                continue
            if run.state is None or run.state.is_final():
                continue
            client.set_flow_run_state(run.id, Crashed(message=REASON), force=True)
            marked.append(flow_run_id)
    flag.unlink(missing_ok=True)
    return marked


@contextmanager
def held(working: Path) -> Iterator[list[str]]:
    """While a run holds the lock: crash what a killed run left, and name this flow run."""
    from prefect.runtime import flow_run

    try:
        marked = crash_abandoned(working)
    except Exception as exc:  # Prefect's bookkeeping must not stop an assessment
        logger.warning("could not mark the flow run a killed process left: %s", exc)
        marked = []
    current = flow_run.get_id()
    flag = marker(working)
    if current:
        flag.write_text(f"{current}\n", encoding="utf-8")
    try:
        yield marked
    finally:
        flag.unlink(missing_ok=True)
