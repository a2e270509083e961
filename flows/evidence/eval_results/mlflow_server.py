"""An MLflow tracking server, read with the ``mlflow`` client: the runs of one experiment.

The project file names the server (``tracking_uri``), the experiment (``experiment``) and, where
the server wants one, its token by name (``token: ${NAME}`` or ``${secret:BLOCK}``, a name
``READINESS_SOURCE_SECRETS`` lists), resolved only here. Each active run of the experiment gives
the same record as MLflow's local store (:func:`flows.evidence.eval_results.mlflow_store.to_run`):
its latest metrics, its model (tag ``model_version``, else param ``model``) and its ``examples``
param; ``mlflow.*`` tags (the user's name among them) are left out before anything reads them.

A server's runs change while no file does: what is read from a server is never reused from the
measurement cache (:func:`flows.measurements.input_signatures`). The client is imported here only,
so that other commands never load it. An unreachable server, an unknown experiment or an answer
that is not MLflow's is one unreadable input whose message names the project file's field and the
server's URL, never the token or the server's answer.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from core.errors import EvidenceError
from core.secrets import MissingSecretError, expand
from core.settings import get_settings
from flows.sources import mask_url

if TYPE_CHECKING:
    from flows.config import EvalResultsEvidence
    from flows.evidence.eval_results.records import Reading

#: Pages of runs read at most (1,000 runs a page).
MAX_PAGES = 50
#: The client's request limits, unless the process sets MLflow's own variables: a server that
#: does not answer costs seconds, not the client's default of minutes of retries.
CLIENT_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
}


def display(entry: EvalResultsEvidence) -> str:
    """What may be shown of a server entry: its URL (masked) and the experiment."""
    return f"{mask_url(entry.tracking_uri or '')} experiment {entry.experiment}"


def _why(exc: Exception) -> str:
    """What went wrong with the server, in words that hold nothing the server sent."""
    from mlflow.exceptions import MlflowException, RestException

    text = str(exc)
    if isinstance(exc, RestException):
        code = exc.get_http_status_code()
        if code in (401, 403):
            return f"the server refused the request (HTTP {code}): check the token"
        return f"the server answered with MLflow's error {exc.error_code}"
    if isinstance(exc, MlflowException) and "failed with exception" in text:
        if "timed out" in text.casefold() or "timeout" in text.casefold():
            return "the server did not answer in time"
        return "the server cannot be reached (no connection)"
    status = re.search(r"error code (\d{3})", text)
    if status and status.group(1) in ("401", "403"):
        return f"the server refused the request (HTTP {status.group(1)}): check the token"
    if status:
        return f"the server answered HTTP {status.group(1)}, not MLflow's tracking API"
    return "the server's answer is not MLflow's tracking API"


def read_server(entry: EvalResultsEvidence, field: str) -> Reading:
    """Every active run of the named experiment, with the same measurements as a local store."""
    from mlflow.entities import ViewType
    from mlflow.store.tracking.rest_store import RestStore
    from mlflow.utils.rest_utils import MlflowHostCreds

    from flows.evidence.eval_results.mlflow_store import to_run
    from flows.evidence.eval_results.records import Reading

    where = f"the MLflow tracking server named by {field}.tracking_uri"
    shown = mask_url(entry.tracking_uri or "")
    try:
        token = expand(entry.token, get_settings().project_secrets()) if entry.token else None
    except MissingSecretError as exc:
        raise EvidenceError(shown, f"{field}.token: {exc}") from None
    for name, value in CLIENT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    store = RestStore(lambda: MlflowHostCreds(entry.tracking_uri, token=token))
    runs: list[Any] = []
    try:
        experiment = store.get_experiment_by_name(entry.experiment)
        if experiment is None:
            raise EvidenceError(
                shown, f"{field}.experiment: the server has no experiment {entry.experiment!r}"
            )
        page_token = None
        for _ in range(MAX_PAGES):
            page = store.search_runs(
                [experiment.experiment_id], "", ViewType.ACTIVE_ONLY, 1000, None, page_token
            )
            runs.extend(page)
            page_token = page.token
            if not page_token:
                break
    except EvidenceError:
        raise
    except Exception as exc:  # the client's errors are many; each is one unreadable input
        raise EvidenceError(shown, f"{where}: {_why(exc)}") from None
    out = []
    for run in runs:
        record = to_run(
            name=run.info.run_name or run.info.run_id,
            start_ms=run.info.start_time,
            metrics=dict(run.data.metrics),
            params=dict(run.data.params),
            tags={k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        )
        if record is not None:
            out.append(record)
    if not runs:
        raise EvidenceError(
            shown, f"{field}.experiment: the experiment {entry.experiment!r} has no run"
        )
    return Reading(runs=out, rows_read=len(runs))
