"""An MLflow tracking store: a local folder (``mlruns/``, MLflow's file store) or its SQLite file.

Read as MLflow writes it: ``<experiment>/meta.yaml`` names the experiment, each
``<experiment>/<run>/meta.yaml`` holds the run's name, start time (milliseconds) and lifecycle
(deleted runs are left out), ``metrics/<name>`` one ``timestamp value step`` line per logged
value (the last step counts), ``params/<name>`` and ``tags/<name>`` a value each. A run's metrics
are its pass rates; its model is the tag ``model_version`` (else the param ``model``); the param
``examples`` says how many examples it graded. ``mlflow.*`` tags (the user's name among them) are
never read. MLflow 3 keeps its store in SQLite by default (``sqlite:///mlflow.db``): the same runs,
metrics (``latest_metrics``), params and tags are read from its tables, opened read-only.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import yaml

from core.errors import EvidenceError
from flows.config import EvalResultsEvidence
from flows.evidence import Evidence, read_text
from flows.evidence.eval_results.records import KIND, EvalRun, Reading


def read(path: Path, entry: EvalResultsEvidence, evidence: Evidence, source: str) -> Reading:
    """Every active run of every experiment of the store."""
    if path.is_file():
        return read_sqlite(path)
    if not path.is_dir():
        raise EvidenceError(path, "expected an MLflow store folder (mlruns/) or its SQLite file")
    runs: list[EvalRun] = []
    read_count = 0
    for experiment in sorted(
        p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        if not (experiment / "meta.yaml").is_file():
            continue
        for run_dir in sorted(p for p in experiment.iterdir() if p.is_dir()):
            meta_path = run_dir / "meta.yaml"
            if not meta_path.is_file():
                continue
            read_count += 1
            where = f"{experiment.name}/{run_dir.name}/meta.yaml"
            try:
                meta = yaml.safe_load(read_text(meta_path))
            except yaml.YAMLError:
                evidence.reject(KIND, path, "not valid YAML", column=where)
                continue
            if not isinstance(meta, dict):
                evidence.reject(KIND, path, "expected MLflow's run description", column=where)
                continue
            if meta.get("lifecycle_stage") == "deleted":
                continue
            run = read_run(run_dir, meta, path, evidence)
            if run is not None:
                runs.append(run)
    if read_count == 0:
        raise EvidenceError(path, "no MLflow run found (expected <experiment>/<run>/meta.yaml)")
    return Reading(runs=runs, rows_read=read_count)


def _values(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.name: read_text(p).strip() for p in sorted(folder.iterdir()) if p.is_file()}


def read_run(
    run_dir: Path, meta: dict[str, object], store: Path, evidence: Evidence
) -> EvalRun | None:
    """One run: its newest value of each metric, its model and its start time."""
    metrics: dict[str, float] = {}
    metrics_dir = run_dir / "metrics"
    for name, text in _values(metrics_dir).items():
        lines = [line.split() for line in text.splitlines() if line.strip()]
        try:
            # timestamp value step: the value of the highest step (then the newest) counts.
            newest = max(lines, key=lambda p: (int(p[2]) if len(p) > 2 else 0, int(p[0])))
            metrics[name] = float(newest[1])
        except (ValueError, IndexError):
            evidence.reject(
                KIND,
                store,
                "expected lines of: timestamp value step",
                column=f"{run_dir.parent.name}/{run_dir.name}/metrics/{name}",
            )
    start = meta.get("start_time")
    return to_run(
        name=str(meta.get("run_name") or run_dir.name),
        start_ms=start if isinstance(start, int) else None,
        metrics=metrics,
        params=_values(run_dir / "params"),
        tags={k: v for k, v in _values(run_dir / "tags").items() if not k.startswith("mlflow.")},
    )


def to_run(
    name: str,
    start_ms: int | None,
    metrics: dict[str, float],
    params: dict[str, str],
    tags: dict[str, str],
) -> EvalRun | None:
    """One MLflow run, wherever it was read (folder, SQLite file, tracking server); None without metrics.

    ``tags`` never hold ``mlflow.*`` tags: callers leave them out before reading them.
    """
    kept = {k: float(v) for k, v in metrics.items() if math.isfinite(float(v))}
    if not kept:
        return None
    examples = params.get("examples") or ""
    return EvalRun(
        eval_run=name,
        started_at=datetime.fromtimestamp(start_ms / 1000, tz=UTC) if start_ms else None,
        model=tags.get("model_version") or params.get("model"),
        tool_version=None,
        metrics=kept,
        declared_examples=int(examples) if examples.isdigit() else None,
    )


def read_sqlite(path: Path) -> Reading:
    """The active runs of an MLflow SQLite store (opened read-only, never written)."""
    import sqlite3
    from contextlib import closing

    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        ) as con:
            runs = con.execute(
                "select run_uuid, name, start_time from runs where lifecycle_stage = 'active'"
            ).fetchall()
            values: dict[str, dict[str, dict[str, str]]] = {}
            for table in ("params", "tags"):
                for key, value, run in con.execute(f"select key, value, run_uuid from {table}"):
                    values.setdefault(run, {}).setdefault(table, {})[key] = value or ""
            metrics: dict[str, dict[str, float]] = {}
            for key, value, run in con.execute(
                "select key, value, run_uuid from latest_metrics where not coalesce(is_nan, 0)"
            ):
                metrics.setdefault(run, {})[key] = float(value)
    except sqlite3.DatabaseError:
        raise EvidenceError(
            path, "not an MLflow SQLite store (expected its runs, latest_metrics, params and tags)"
        ) from None
    out = []
    for run_id, name, start in runs:
        tags = values.get(run_id, {}).get("tags", {})
        run = to_run(
            name=str(name or run_id),
            start_ms=start,
            metrics=metrics.get(run_id, {}),
            params=values.get(run_id, {}).get("params", {}),
            tags={k: v for k, v in tags.items() if not k.startswith("mlflow.")},
        )
        if run is not None:
            out.append(run)
    if not runs:
        raise EvidenceError(path, "no MLflow run found in the store")
    return Reading(runs=out, rows_read=len(runs))
