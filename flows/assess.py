"""The Prefect flows: assess a portfolio (or one project) from evidence to a published recommendation.

The flows only wire tasks together. Reading and measuring evidence lives in ``flows.evidence``,
writing in ``flows.warehouse``, scoring in dbt. Retries sit only where I/O can fail transiently.
"""

from __future__ import annotations

import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from core.errors import ReadinessError, first_line
from core.settings import DEFAULT_RUBRIC, Settings, get_settings
from flows import (
    alerts,
    backfill,
    dbt,
    notify,
    owners,
    postgres_warehouse,
    privacy_ops,
    stages,
    targets,
    waivers,
    warehouse,
)
from flows import archive as inputs_archive
from flows.abandoned import held as flow_run_held
from flows.config import (
    FailedProject,
    LoadedPortfolio,
    LoadedProject,
    fingerprint_file,
    load_portfolio,
)
from flows.evidence import Context, Evidence
from flows.measurements import (
    Frames,
    Lookup,
    cache_store,
    collection_paused,
    look_up,
    measure,
    measure_missing,
    prune,
)
from flows.provenance import run_provenance
from flows.publishing import mark_unpublished, recorded
from flows.repair import check_working
from flows.schemas import RAW_TABLES, validate
from flows.storage import preflight, run_failure
from readmodel import snapshots


@dataclass
class ProjectBatch:
    """Everything one project's ingest produced: validated frames, or the reason it failed."""

    project_id: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    error: str | None = None
    #: Where the measurements came from: "measured", "cached" or "measured again".
    origin: str = "measured"


@dataclass(frozen=True)
class RunResult:
    """What a run did: its id, status and the published snapshot."""

    run_id: str
    status: str
    snapshot: Path  # the run's portfolio snapshot
    failed_projects: dict[str, str]


def new_run_id(now: datetime) -> str:
    """A sortable, unique run id such as ``20261124T200436Z-1a2b3c4d``."""
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def project_rows(project: LoadedProject, status: str, error: str | None) -> dict[str, Any]:
    """The raw_project_runs row of one project."""
    p = project.project
    levels = p.service_levels
    return {
        "project_name": p.name,
        "business_unit": p.business_unit,
        "owner": p.owner,
        "status": status,
        "error": error,
        "config_fingerprint": fingerprint_file(project.path),
        "p95_latency_slo_ms": levels.p95_latency_ms if levels else None,
        "max_error_rate": levels.max_error_rate if levels else None,
        "target_concurrency": levels.target_concurrency if levels else None,
        "model_version": p.model_version,
    }


def failure_text(exc: BaseException) -> str:
    """Why a project's ingest failed, as recorded: the product's own words, never a class name."""
    if isinstance(exc, ReadinessError):
        return str(exc)
    return f"an internal error stopped this project ({first_line(exc)}); the run's log has details"


def failed_batch(context: Context, failed: FailedProject) -> ProjectBatch:
    """A project whose own file is wrong: recorded failed with its problems; nothing is measured."""
    evidence = Evidence()
    evidence.add(
        "raw_project_runs",
        {
            "project_name": failed.id,
            "business_unit": "",
            "owner": "",
            "status": "failed",
            "error": failed.error,
            "config_fingerprint": fingerprint_file(failed.path) if failed.path.is_file() else "",
            "p95_latency_slo_ms": None,
            "max_error_rate": None,
            "target_concurrency": None,
        },
    )
    return ProjectBatch(project_id=failed.id, frames=evidence.frames(context), error=failed.error)


def own_rows(
    project: LoadedProject, settings: Settings, status: str, error: str | None
) -> Evidence:
    """A project's own rows: its run, requirements, owners and dates (beside its measurements)."""
    evidence = Evidence()
    evidence.add("raw_project_runs", project_rows(project, status, error))
    evidence.add(
        "raw_project_requirements",
        [{"kind": "system_role", "name": r} for r in project.project.required_roles]
        + [{"kind": "stakeholder_group", "name": g} for g in project.project.required_groups],
    )
    evidence.add("raw_project_owners", owners.owner_rows(project.project.owners))
    evidence.add("raw_project_dates", targets.date_rows(project.project, settings.holidays))
    return evidence


def project_batch(
    context: Context,
    project: LoadedProject,
    settings: Settings,
    measured: dict[str, pd.DataFrame],
    error: str | None,
) -> ProjectBatch:
    """A project's batch: its measurements and its own rows, validated."""
    batch = ProjectBatch(project_id=project.project.id)
    evidence = own_rows(project, settings, "failed" if error else "ok", error)
    try:
        batch.frames = {**measured, **evidence.frames(context)}
    except Exception as exc:  # the project's own rows outside the contract
        batch.error = failure_text(exc)
        fallback = Evidence()
        fallback.add("raw_project_runs", project_rows(project, "failed", batch.error))
        batch.frames = fallback.frames(context)
    if error:
        batch.error = error
    return batch


def reused_batches(
    settings: Settings, reused: list[tuple[Context, LoadedProject, Frames]]
) -> list[ProjectBatch]:
    """The batches of projects whose measurements are reused.

    Their own rows are validated together, one validation per raw table for all of them (not
    four per project); when some project's rows are outside the contract, each project's are
    validated alone so that only that project fails.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    for context, project, _ in reused:
        stamp = {"run_id": context.run_id, "project_id": context.project_id}
        for table, rows in own_rows(project, settings, "ok", None).tables.items():
            tables.setdefault(table, []).extend({**stamp, **row} for row in rows)
    try:
        together = {
            table: validate(RAW_TABLES[table], pd.DataFrame(rows)) for table, rows in tables.items()
        }
    except Exception:
        return [
            replace(project_batch(c, p, settings, f.frames, None), origin="cached")
            for c, p, f in reused
        ]
    parts: dict[str, dict[str, pd.DataFrame]] = {
        table: dict(tuple(frame.groupby("project_id", sort=False)))  # type: ignore[arg-type]
        for table, frame in together.items()
    }
    batches = []
    for context, project, frames in reused:
        own = {t: p[context.project_id] for t, p in parts.items() if context.project_id in p}
        batches.append(ProjectBatch(project.project.id, {**frames.frames, **own}, None, "cached"))
    return batches


@task(name="ingest-project", cache_policy=NO_CACHE)
def ingest_project(
    context: Context,
    portfolio: LoadedPortfolio,
    project: LoadedProject,
    settings: Settings,
    refresh: bool = False,
    found: Lookup | None = None,
) -> ProjectBatch:
    """Ingest one project (measured, or reused from the cache); a failure is kept, never raised.

    ``found``: what the run's cache lookup found for it (:func:`reuse_measurements`); without
    it the project's cache entry is looked up here.
    """
    logger = get_run_logger()
    measured: dict[str, pd.DataFrame] = {}
    origin, error = "measured", None
    try:
        # Rows outside the raw tables' contract fail here too (validated as they are measured).
        if found is None:
            got = measure(settings, context, portfolio, project, refresh)
        else:
            got = measure_missing(settings, context, portfolio, project, found)
        measured, origin = got.measurements.frames, got.origin  # stamped when written
        note = f" ({got.note})" if got.note else ""
        logger.info("project %s: %s%s", project.project.id, got.origin, note)
    except Exception as exc:  # one project's crash must not stop the portfolio
        logger.error("project %s failed: %s\n%s", project.project.id, exc, traceback.format_exc())
        error = failure_text(exc)
    batch = project_batch(context, project, settings, measured, error)
    batch.origin = origin
    return batch


@task(name="reuse-measurements", cache_policy=NO_CACHE)
def reuse_measurements(
    settings: Settings,
    portfolio: LoadedPortfolio,
    contexts: list[Context],
    refresh: bool,
) -> list[ProjectBatch | Lookup]:
    """Every project's cache lookup at once: a batch for each unchanged project, else its lookup.

    One task for the whole portfolio: a project whose measurements are reused costs a file read,
    not task runs of its own; only the others are submitted to the task runner.
    """
    logger = get_run_logger()
    store = cache_store(settings)
    found: list[Lookup] = []
    with collection_paused():
        for context, project in zip(contexts, portfolio.projects, strict=True):
            try:
                found.append(look_up(settings, context, portfolio, project, refresh, store))
            except Exception as exc:  # measured in its own task, which records what went wrong
                found.append(Lookup(None, note=f"cache lookup failed ({first_line(exc)})"))
    reused = [
        (context, project, lookup.cached)
        for context, project, lookup in zip(contexts, portfolio.projects, found, strict=True)
        if lookup.cached is not None
    ]
    for _, project, _ in reused:
        logger.info("project %s: cached", project.project.id)
    batches = iter(reused_batches(settings, reused))
    return [lookup if lookup.cached is None else next(batches) for lookup in found]


@task(name="start-run", cache_policy=NO_CACHE)
def start_run(
    settings: Settings,
    portfolio: LoadedPortfolio,
    run_id: str,
    started: datetime,
    as_of: datetime,
    archive: str | None = None,
) -> None:
    """Record the run and the rubric it uses; mark runs a killed process left behind."""
    rubric = portfolio.rubric
    thresholds = rubric.thresholds
    with warehouse.connect(settings.warehouse) as con:
        warehouse.ensure_raw_tables(con)
        interrupted = warehouse.mark_interrupted_runs(con) + mark_unpublished(
            con, settings.warehouse
        )
        if interrupted:
            get_run_logger().warning("marked %d interrupted run(s) as failed", interrupted)
        expired = privacy_ops.apply_retention(con, settings.survey_retention_days, started)
        if expired:
            get_run_logger().info(
                "deleted survey rows older than %d days: %s",
                settings.survey_retention_days,
                ", ".join(f"{n} from {table}" for table, n in expired.items()),
            )
        inputs_archive.expire(settings, started, get_run_logger())
        scrubbed = privacy_ops.scrub_audited_values(con)
        if scrubbed:
            # The cached measurements of those versions hold the same values: measured again.
            privacy_ops.clear_measurement_cache(settings)
            get_run_logger().info(
                "redacted personal values that older runs' data audits stored: %s",
                ", ".join(f"{n} rows of {table}" for table, n in scrubbed.items()),
            )
        warehouse.record(
            con,
            "raw_runs",
            [
                {
                    "run_id": run_id,
                    "portfolio_id": portfolio.portfolio.id,
                    "started_at": started,
                    "finished_at": None,
                    "as_of": as_of,
                    "status": "running",
                    "rubric_version": rubric.version,
                    "rubric_fingerprint": fingerprint_file(portfolio.rubric_path),
                    "min_confidence": thresholds.min_confidence,
                    "ready_threshold": thresholds.ready,
                    "at_risk_threshold": thresholds.at_risk,
                    "day_rate": settings.day_rate,
                    "day_rate_currency": settings.day_rate_currency,
                    "message": None,
                    "min_gap_evidence": thresholds.min_gap_evidence,
                    "major_fail_caps_gap": thresholds.major_fail_caps_gap,
                    "claim_penalty": thresholds.claim_penalty,
                    "refused_critical": thresholds.refused_critical,
                    "min_group_respondents": thresholds.min_group_respondents,
                    **run_provenance(settings),
                    "portfolio_path": str(portfolio.path),
                    "archive": archive,
                    "waive_critical": thresholds.waive_critical,
                    "waiver_notice_days": thresholds.waiver_notice_days,
                }
            ],
        )
        warehouse.record(
            con,
            "raw_rubric_checks",
            [
                {
                    "run_id": run_id,
                    "check_id": c.id,
                    "gap": c.gap,
                    "title": c.title,
                    "severity": c.severity,
                    "weight": c.weight,
                    "direction": c.direction,
                    "pass_threshold": c.pass_threshold,
                    "partial_threshold": c.partial_threshold,
                    "unit": c.unit,
                    "remediation": c.remediation,
                    "effort_days": c.effort_days,
                    "owner_role": c.owner_role,
                }
                for c in rubric.checks
            ],
        )
        warehouse.record(con, "raw_rubric_stages", stages.stage_rows(run_id, rubric))


@task(name="archive-inputs", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def archive_inputs(where: str, run_id: str, portfolio: LoadedPortfolio, started: datetime) -> int:
    """Keep a content-addressed copy of the portfolio's files for ``readiness reproduce``."""
    return len(inputs_archive.keep_inputs(where, run_id, portfolio, started).files)


@task(name="write-evidence", cache_policy=NO_CACHE)
def write_evidence(settings: Settings, batches: list[ProjectBatch], run_id: str) -> int:
    """The one writer: append every project's frames to the raw tables in one transaction.

    Each table's rows are stamped with the run's id here, once (measurements are kept without
    it: a reused project's frames are written as they were read from the cache).
    """
    written = 0
    # One insert per table, not per project and table: 500 projects made ~15,000 inserts.
    frames: dict[str, list[pd.DataFrame]] = {}
    for batch in batches:
        for table, frame in batch.frames.items():
            if not frame.empty:
                frames.setdefault(table, []).append(frame)
    with warehouse.connect(settings.warehouse) as con:
        con.execute("begin transaction")
        try:
            for table, parts in frames.items():
                whole = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
                written += warehouse.append(con, table, whole.assign(run_id=run_id))
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return written


@task(name="push-to-shared-warehouse", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def push_to_shared_warehouse(settings: Settings, run_id: str) -> dict[str, int]:
    """Copy the run's raw rows to the shared PostgreSQL warehouse (the postgres dbt target)."""
    return postgres_warehouse.push_run(
        settings.warehouse, settings.postgres_dsn, run_id, settings.postgres_schema
    )


@task(name="build-marts", cache_policy=NO_CACHE)
def build_marts(settings: Settings) -> None:
    """Score everything with dbt, once for the whole run."""
    dbt.build(settings)


@task(name="publish-snapshot", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def publish_snapshot(settings: Settings) -> list[Path]:
    """Replace the read-only snapshots (one per portfolio) that the dashboard and reports read.

    With the shared PostgreSQL warehouse the snapshots hold the marts pulled from it, after the
    run's final record went there too.
    """
    if settings.dbt_target != "postgres":
        return warehouse.publish(settings.warehouse, settings.snapshot)
    url, schema = settings.postgres_dsn, settings.postgres_schema
    postgres_warehouse.sync_run_records(settings.warehouse, url, schema)
    return warehouse.publish(
        settings.warehouse,
        settings.snapshot,
        write=lambda pulled: postgres_warehouse.pull_marts(
            url, pulled, schema, snapshots.PUBLISHED_MARTS
        ),
    )


def shared_warehouse_lock(settings: Settings) -> AbstractContextManager[None]:
    """Runs on other machines that share the PostgreSQL warehouse are refused, as local ones are."""
    if settings.dbt_target != "postgres":
        return nullcontext()
    return postgres_warehouse.run_lock(settings.postgres_dsn, settings.postgres_schema)


@task(name="announce-run", cache_policy=NO_CACHE)
def announce_run(
    snapshot: Path, portfolio: LoadedPortfolio, run_id: str, status: str, failed: dict[str, str]
) -> list[alerts.Regression]:
    """Leave the run's Prefect artifacts, and alert the portfolio's URLs if readiness regressed."""
    logger = get_run_logger()
    config = portfolio.portfolio
    # Regressions, projects now go, waivers about to expire: routed, grouped, suppressed.
    regressions, announced = notify.announce_run(snapshot, portfolio, run_id)
    rows = alerts.summary_rows(snapshot, run_id)
    key = alerts.artifact_key(config.id)
    create_markdown_artifact(
        alerts.summary_markdown(config.name, run_id, status, rows, failed, regressions)
        + waivers.notice_markdown(snapshot, run_id),
        key=key,
        description=f"Readiness of {config.name}, run {run_id}",
    )
    create_table_artifact(
        rows, key=f"{key}-results", description=f"Results per project, run {run_id}"
    )
    if announced.messages or announced.failed:
        logger.info(
            "%d message(s) sent for %d notice(s) (%d suppressed)",
            announced.messages,
            announced.due,
            announced.suppressed,
        )
        for target in announced.failed:
            logger.warning("the alert could not be delivered to %s", target)
    elif regressions and not config.alerts.urls:
        logger.warning("%d regression(s) and no alert URL configured", len(regressions))
    return regressions


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """The runner that ingests projects in parallel, chosen by the ``task_runner`` setting."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": settings.max_workers, "threads_per_worker": 1}
        )
    return ThreadPoolTaskRunner(max_workers=settings.max_workers)


def own_portfolio(portfolio: LoadedPortfolio, project: LoadedProject) -> LoadedPortfolio:
    """The portfolio as one project's measurement sees it: its rubric, question bank, that project."""
    return portfolio.model_copy(update={"projects": [project], "failed": []})


def record_run(
    settings: Settings,
    portfolio: LoadedPortfolio,
    selected: list[LoadedProject],
    run_id: str,
    started: datetime,
    as_of: datetime,
    refresh: bool,
    archived: str | None = None,
) -> list[ProjectBatch]:
    """Record a run, ingest its projects and write their evidence (dbt scores it afterwards)."""
    logger = get_run_logger()
    # quote(): with threads, Prefect would otherwise walk the whole portfolio's models for every
    # task (task-input tracking), quadratic in the projects. Dask's runner passes a quoted value
    # on to the worker still wrapped, so there the arguments go as they are.
    unwalked: Callable[[Any], Any] = quote if settings.task_runner == "threads" else (lambda x: x)
    survey_key = settings.respondent_key(portfolio.path)
    start_run(settings, portfolio, run_id, started, as_of, archived)
    waivers.record(settings, portfolio, run_id, [p.project.id for p in selected])
    if archived:
        archive_inputs(archived, run_id, portfolio, started)
    contexts = [Context(run_id, p.project.id, as_of, survey_key) for p in selected]
    chosen = portfolio.model_copy(update={"projects": selected, "failed": []})
    whole: Callable[[Any], Any] = quote  # one task: its arguments walked by nobody
    found = reuse_measurements(settings, whole(chosen), whole(contexts), refresh)
    missing = [(i, lookup) for i, lookup in enumerate(found) if isinstance(lookup, Lookup)]
    if missing:  # no task runner (no Dask cluster) when every project is reused
        with task_runner(settings) as runner:
            futures = [
                runner.submit(
                    ingest_project,
                    parameters={
                        "context": contexts[i],
                        # The project's own portfolio: a task's arguments are its size, not the
                        # portfolio's (Dask sends them to a worker process).
                        "portfolio": unwalked(own_portfolio(portfolio, selected[i])),
                        "project": unwalked(selected[i]),
                        "settings": unwalked(settings),
                        "refresh": refresh,
                        "found": lookup,
                    },
                )
                for i, lookup in missing
            ]
            for (i, _), future in zip(missing, futures, strict=True):
                found[i] = future.result()
    batches = [b for b in found if isinstance(b, ProjectBatch)]
    for failed_project in portfolio.failed:
        logger.error("project %s failed: %s", failed_project.id, failed_project.error)
        context = Context(run_id, failed_project.id, as_of, survey_key)
        batches.append(failed_batch(context, failed_project))
    origins = Counter(b.origin for b in batches if not b.error)
    logger.info("measurements: %s", ", ".join(f"{n} {o}" for o, n in sorted(origins.items())))
    write_evidence(settings, batches, run_id)
    if settings.dbt_target == "postgres":
        push_to_shared_warehouse(settings, run_id)
    return batches


def run_outcome(batches: list[ProjectBatch]) -> tuple[dict[str, str], str, str | None]:
    """A run's failed projects, its status and its message."""
    failed = {b.project_id: b.error or "failed" for b in batches if b.error}
    status = "partial" if failed else "succeeded"
    message = f"{len(failed)} of {len(batches)} project(s) failed" if failed else None
    return failed, status, message


def record_history(settings: Settings, portfolio: LoadedPortfolio, refresh: bool) -> None:
    """The portfolio's earlier assessments the warehouse lacks, oldest first (flows.backfill)."""
    for past in backfill.pending(settings.warehouse, portfolio):
        then = backfill.as_then(portfolio, past)
        started = datetime.now(UTC)
        run_id = new_run_id(started)
        get_run_logger().info("history: assessing as of %s (run %s)", past.as_of, run_id)
        try:
            batches = record_run(
                settings, then, then.projects, run_id, started, backfill.utc(past.as_of), refresh
            )
        except BaseException as exc:
            warehouse.finish_run(settings.warehouse, run_id, "failed", run_failure(exc))
            raise
        warehouse.finish_run(settings.warehouse, run_id, *run_outcome(batches)[1:])


def run_assessment(
    portfolio_path: Path | None = None,
    project_ids: list[str] | None = None,
    settings: Settings | None = None,
    refresh: bool = False,
    history: bool = True,
    archive: bool = False,
    as_of: datetime | None = None,
) -> RunResult:
    """Assess a portfolio (or some of its projects): ingest, score with dbt, publish.

    A project whose inputs are unchanged reuses its cached measurements; ``refresh`` measures
    every project again (and replaces its cache entry). A run of the whole portfolio first
    makes the earlier assessments its ``history`` declares and the warehouse lacks (unless
    ``history`` is false, or ``as_of`` is given); one dbt build scores them with the present
    run. ``archive`` keeps a copy of the inputs (flows/archive.py); ``as_of`` replaces the
    portfolio's (``readiness reproduce``).
    """
    settings = settings or get_settings()
    logger = get_run_logger()
    preflight(settings.home, settings.warehouse, settings.snapshot, settings.spill)
    # A portfolio run assesses every project it can: one whose own file is wrong is recorded as
    # failed with its problems (a run of named projects refuses a wrong one instead).
    portfolio = load_portfolio(
        portfolio_path or settings.portfolio, DEFAULT_RUBRIC, keep_going=not project_ids
    )
    selected = (
        [portfolio.project(p) for p in project_ids] if project_ids else list(portfolio.projects)
    )
    archived = inputs_archive.location(settings, archive)
    with (
        warehouse.run_lock(settings.warehouse),
        shared_warehouse_lock(settings),
        flow_run_held(settings.warehouse) as crashed,
    ):
        check_working(settings.warehouse)  # a damaged file: what happened and `readiness repair`
        if crashed:
            logger.warning("marked flow run(s) a killed process left as crashed: %s", crashed)
        if history and not project_ids and as_of is None:
            record_history(settings, portfolio, refresh)
        started = datetime.now(UTC)  # after the history: runs sort by their start
        as_of = backfill.utc(as_of or portfolio.portfolio.as_of or started)
        run_id = new_run_id(started)
        try:
            batches = record_run(
                settings, portfolio, selected, run_id, started, as_of, refresh, archived
            )
            build_marts(settings)
        except BaseException as exc:
            warehouse.finish_run(settings.warehouse, run_id, "failed", run_failure(exc))
            raise
        failed, status, message = run_outcome(batches)
        warehouse.finish_run(settings.warehouse, run_id, status, message)
        with recorded(settings.warehouse, run_id, settings.snapshot):
            publish_snapshot(settings)
        snapshot = snapshots.portfolio_file(settings.snapshot, portfolio.portfolio.id)
    try:
        prune(settings)
    except OSError as exc:  # a cache that cannot be pruned costs disk space, not the run
        logger.warning("pruning the measurement cache failed: %s", exc)
    try:
        announce_run(snapshot, portfolio, run_id, status, failed)
    except Exception as exc:  # the run is published: a failed announcement must not undo it
        logger.warning("announcing run %s failed: %s: %s", run_id, type(exc).__name__, exc)
    logger.info("run %s %s; snapshot %s", run_id, status, snapshot)
    return RunResult(run_id=run_id, status=status, snapshot=snapshot, failed_projects=failed)


@flow(
    name="assess_portfolio",
    log_prints=True,
    on_failure=[notify.flow_run_failed],
    on_crashed=[notify.flow_run_failed],
)
def assess_portfolio(
    portfolio: str | None = None,
    projects: list[str] | None = None,
    refresh: bool = False,
    history: bool = True,
    archive: bool = False,
) -> str:
    """Assess every project of a portfolio (or the named ones) and publish the result; return the run id.

    ``refresh`` measures every input again instead of reusing unchanged projects' measurements;
    ``history`` false skips the earlier assessments the portfolio declares (flows.backfill).
    """
    path = Path(portfolio) if portfolio else None
    return run_assessment(path, projects, refresh=refresh, history=history, archive=archive).run_id


@flow(
    name="assess_project",
    log_prints=True,
    on_failure=[notify.flow_run_failed],
    on_crashed=[notify.flow_run_failed],
)
def assess_project(project: str, portfolio: str | None = None, refresh: bool = False) -> str:
    """Assess one project of a portfolio and publish the result; return the run id."""
    return run_assessment(Path(portfolio) if portfolio else None, [project], refresh=refresh).run_id
