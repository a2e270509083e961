"""A project's measurements, reused between runs while nothing they depend on has changed.

Measuring is the slow part of a run (reading and auditing every dataset). A project's
measurements are a Prefect task result, persisted under ``$READINESS_HOME/cache/measurements``
and keyed on the fingerprints of everything they depend on:

- the content hash of the project file (its field maps, sources and options included) and of
  every input it names: each local file (every file of a folder or glob, and a missing one as
  missing), each S3 object's ETag, every survey export and the question bank that applies;
- the code that measures (every module of ``flows/``) and the DuckDB version;
- the settings that change what is read (S3 endpoint, the respondent key's hash).

The rubric is not part of the key: measurements do not depend on it (dbt judges them), so a new
rubric is applied to cached measurements. A PostgreSQL source is live data with no content hash:
a project with one (a dataset's or its KPI data's) is measured on every run, and so is a project
reading an MLflow tracking server (its runs change while no file does). Measurements in which an S3 input could not be read
are never reused (the failure may have been transient).

Two measurements depend on the as-of instant: a dataset's age, recomputed exactly from the
cached newest timestamp; and its stale-record count, which stays exact while no record's
timestamp lies between the old and the new cutoff (the audit records the nearest timestamps on
both sides). When it would not, the project is measured again and the cache entry replaced.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeVar, cast

import duckdb
import pandas as pd
from prefect import task
from prefect.filesystems import LocalFileSystem
from prefect.results import ResultStore
from prefect.utilities.annotations import quote

from core.errors import first_line
from core.settings import REPO_ROOT, Settings
from flows.config import LoadedPortfolio, LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence
from flows.evidence.costs import collect_costs
from flows.evidence.data_audit import collect_datasets, source_of
from flows.evidence.eval_results import collect_eval_results
from flows.evidence.evaluation import collect_evaluation
from flows.evidence.inventory import collect_inventory
from flows.evidence.kpi_data import collect_kpi_data
from flows.evidence.llm_usage import collect_llm_usage
from flows.evidence.load_tests import collect_load_tests
from flows.evidence.operations import collect_operations
from flows.evidence.survey import collect_survey
from flows.paths import local_paths
from flows.sources import SourceRef, mask_url, parse_source
from flows.sources.files import source_files

T = TypeVar("T")

#: A cache entry older than this is a miss (and its file is deleted by the next run).
EXPIRY = timedelta(days=30)


class Uncacheable(Exception):
    """A project input without a content fingerprint (live data): measure it every run."""


@dataclass(frozen=True)
class Frames:
    """A project's measurements as validated raw-table frames (run id still to be stamped)."""

    frames: dict[str, pd.DataFrame]
    #: The as-of instants, (after, until], at which they are exact (see ``Evidence.holds``).
    holds: tuple[datetime | None, datetime | None] = (None, None)

    def holds_at(self, as_of: datetime) -> bool:
        """Whether these measurements, taken at another as-of instant, are exact at ``as_of``."""
        after, until = self.holds
        return (after is None or as_of > after) and (until is None or as_of <= until)

    def redated(self, as_of: datetime) -> Frames:
        """These measurements at another as-of instant (at which they hold): ages recomputed."""
        frames = dict(self.frames)
        profiles = frames.get("raw_dataset_profiles")
        if profiles is not None:
            profiles = profiles.copy()
            dated = profiles["newest_timestamp"].notna()
            ages = (pd.Timestamp(as_of) - profiles.loc[dated, "newest_timestamp"]).dt
            profiles.loc[dated, "age_seconds"] = ages.total_seconds()
            frames["raw_dataset_profiles"] = profiles
        return Frames(frames, self.holds)

    def network_failures(self) -> list[str]:
        """S3 inputs that could not be read: possibly transient, so never reused from the cache."""
        inputs = self.frames.get("raw_evidence_inputs")
        if inputs is None or inputs.empty:
            return []
        failed = inputs[
            (inputs["status"] == "unreadable") & inputs["source"].str.startswith("s3://")
        ]
        return list(failed["source"])

    def stamped(self, run_id: str) -> dict[str, pd.DataFrame]:
        """Copies of the frames carrying the run's id (the cached ones stay as they were kept)."""
        return {table: frame.assign(run_id=run_id) for table, frame in self.frames.items()}


@dataclass(frozen=True)
class Measured:
    """A project's measurements and where they came from."""

    measurements: Frames
    #: "measured", "cached", or "measured again" (cached at an as-of they do not hold for).
    origin: str
    #: Why the cache was not used, when it was not ("a PostgreSQL source is live data"...).
    note: str | None = None


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The hash of every module that reads or measures evidence, and of DuckDB's version."""
    digest = hashlib.sha256(f"duckdb {duckdb.__version__}\n".encode())
    flows = REPO_ROOT / "flows"
    for path in sorted(flows.rglob("*.py")):
        digest.update(f"{path.relative_to(flows).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def path_signature(path: Path) -> str:
    """The content hashes of a file, of every file of a folder or glob, or "missing".

    A folder counts every file below it (an MLflow store keeps its runs in sub-folders).
    """
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            return "missing"
        return ",".join(f"{f.relative_to(path)}={fingerprint_file(f)}" for f in files)
    files = source_files(path)
    if not files:
        return "missing"
    return ",".join(f"{f.name}={fingerprint_file(f)}" for f in files)


def source_signature(ref: SourceRef) -> str:
    """A dataset source's content fingerprint: file hashes, or S3 ETags."""
    if ref.kind == "postgres":
        raise Uncacheable(f"{ref.display} is a live PostgreSQL source")
    if ref.kind == "s3":
        from flows.sources.s3 import client, resolve_objects, split_url

        bucket, _ = split_url(ref.location)
        objects = resolve_objects(client(), ref.location)
        return ",".join(f"s3://{bucket}/{o.key}@{o.etag}:{o.size}" for o in objects)
    return path_signature(Path(ref.location))


def input_signatures(portfolio: LoadedPortfolio, project: LoadedProject) -> list[str]:
    """One line per input the project's measurements depend on."""
    lines = [f"project {project.path.name}: {fingerprint_file(project.path)}"]
    bank = portfolio.question_bank_for(project)
    bank_json = bank[1].model_dump_json() if bank else ""
    lines.append(f"question bank: {hashlib.sha256(bank_json.encode()).hexdigest()}")
    evidence = project.project.evidence
    for dataset in evidence.datasets:
        lines.append(f"dataset {dataset.name}: {source_signature(source_of(project, dataset))}")
        if dataset.poc_sample:
            poc = source_of(project, dataset, poc=True)
            lines.append(f"dataset {dataset.name} poc: {source_signature(poc)}")
    for entry in evidence.eval_results:
        if entry.tracking_uri:
            # A server's runs change while no file does: never reused (flows.evidence.eval_results).
            raise Uncacheable(f"{mask_url(entry.tracking_uri)} is a live MLflow tracking server")
    kpi = evidence.kpi_data
    if kpi is not None and kpi.source is not None:
        ref = parse_source(kpi.source, project.path.parent, table=kpi.table, query=kpi.query)
        lines.append(f"kpi_data source: {source_signature(ref)}")
    # Every other local file the project names, whatever its evidence kind: the same walk of the
    # configuration model that confines paths to the portfolio (flows.paths), so a new evidence
    # kind's files are in the key without being listed here.
    for key, relative in local_paths(evidence):
        if not key.startswith("evidence.datasets."):
            lines.append(f"{key} {relative}: {path_signature(project.resolve(relative))}")
    return lines


def measurement_key(settings: Settings, portfolio: LoadedPortfolio, project: LoadedProject) -> str:
    """The cache key of a project's measurements (raises Uncacheable for live sources)."""
    key = hashlib.sha256(settings.respondent_key(portfolio.path).encode()).hexdigest()
    lines = [
        f"code: {code_fingerprint()}",
        f"s3 endpoint: {settings.s3_endpoint_url or ''}",
        f"survey key: {key}",
        f"alert signals: {sorted(portfolio.rubric.alert_signals.items())}",
        *input_signatures(portfolio, project),
    ]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return f"measurements-{project.project.id}-{digest[:40]}"


def collect_project(
    context: Context, portfolio: LoadedPortfolio, project: LoadedProject
) -> Evidence:
    """Read and measure every evidence kind of one project (no scoring)."""
    evidence = Evidence()
    evidence.extend(collect_datasets(context, project))
    evidence.extend(collect_inventory(context, project))
    evidence.extend(collect_survey(context, project, portfolio.question_bank_for(project)))
    evidence.extend(collect_load_tests(context, project))
    evidence.extend(collect_costs(context, project))
    evidence.extend(collect_llm_usage(context, project))
    evidence.extend(collect_evaluation(context, project))
    evidence.extend(collect_eval_results(context, project))
    evidence.extend(collect_kpi_data(context, project))
    evidence.extend(collect_operations(context, project, portfolio.rubric.alert_signals))
    return evidence


def no_key(*_: object) -> None:
    """No cache key: the task is not cached unless :func:`measure` gives it one."""
    return None


def measure_frames(context: Context, portfolio: LoadedPortfolio, project: LoadedProject) -> Frames:
    """Measure one project and validate its frames (Pandera, the raw tables' contract) once."""
    evidence = collect_project(context, portfolio, project)
    return Frames(evidence.frames(replace(context, run_id="-")), evidence.holds)


@task(name="measure-project", cache_key_fn=no_key)
def measure_project(context: Context, portfolio: LoadedPortfolio, project: LoadedProject) -> Frames:
    """Measure one project; with a cache key (see :func:`measure`) the result is kept and reused."""
    return measure_frames(context, portfolio, project)


def _quoted(value: T) -> T:
    """A task argument that Prefect passes on without walking it.

    Task-input tracking visits every model of a portfolio for every task: quadratic in projects.
    """
    return cast(T, quote(value))


@dataclass(frozen=True)
class Lookup:
    """What the cache holds for a project: measurements to reuse, or how to measure it."""

    #: The cache key; None when the project is not cached (cache off, live data, unfingerprinted).
    key: str | None
    #: The kept measurements, at the run's as-of, when they can be reused.
    cached: Frames | None = None
    #: Why the cache was not used, or why the project is measured again.
    note: str | None = None
    #: A kept entry that cannot be reused (``note`` says why): measured again and replaced.
    again: bool = False


def cache_store(settings: Settings) -> ResultStore:
    """The measurement cache as Prefect keeps it: the task's result store (one file per key)."""
    folder = settings.measurement_cache_path
    return ResultStore(
        result_storage=LocalFileSystem(basepath=str(folder)), cache_result_in_memory=False
    )


def kept(store: ResultStore, key: str) -> Frames | None:
    """The measurements kept under ``key``, unless missing, expired or unreadable (a miss)."""
    try:
        record = store.read(key)
    except Exception:  # none, or a damaged or foreign entry: a miss, as in Prefect's own lookup
        return None
    expiration = record.metadata.expiration
    if expiration is not None and expiration <= datetime.now(UTC):
        return None
    result = record.result
    return result if isinstance(result, Frames) else None


def look_up(
    settings: Settings,
    context: Context,
    portfolio: LoadedPortfolio,
    project: LoadedProject,
    refresh: bool = False,
    store: ResultStore | None = None,
) -> Lookup:
    """A project's kept measurements when every input is unchanged and they hold at the as-of.

    Read straight from the task's result store: no task run for a project that is not measured.
    ``refresh`` reuses nothing (the project is measured and its entry replaced).
    """
    if not settings.measurement_cache:
        return Lookup(None, note="cache off")
    try:
        key = measurement_key(settings, portfolio, project)
    except Uncacheable as exc:
        return Lookup(None, note=str(exc))
    except Exception as exc:  # an input that cannot be fingerprinted: the readers will say why
        return Lookup(None, note=f"inputs not fingerprinted ({first_line(exc)})")
    frames = None if refresh else kept(store or cache_store(settings), key)
    if frames is None:
        return Lookup(key)
    failures = frames.network_failures()
    if not failures and frames.holds_at(context.as_of):
        return Lookup(key, cached=frames.redated(context.as_of))
    # An S3 read that failed (throttling, a timeout) is tried again; or the run's as-of moved
    # past a record's timestamp, so a stale-record count changes.
    why = (
        f"{', '.join(failures)} could not be read last time"
        if failures
        else "stale-record counts change at this as-of"
    )
    return Lookup(key, note=why, again=True)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while many cache entries are read.

    Reading an entry allocates thousands of objects (its frames), and every so many allocations
    the collector walks every object the run holds (the portfolio's models, the frames already
    read): reading 500 entries with it on took about twice as long, and grew with the heap.
    The frames hold no reference cycles; reference counting frees what is dropped meanwhile.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def measure_missing(
    settings: Settings,
    context: Context,
    portfolio: LoadedPortfolio,
    project: LoadedProject,
    found: Lookup,
) -> Measured:
    """Measure a project the cache could not serve; keep the result under its key, if it has one."""
    if found.cached is not None:
        return Measured(found.cached, "cached")
    if found.key is None:
        return Measured(measure_frames(context, portfolio, project), "measured", found.note)
    key = found.key
    keeping = measure_project.with_options(
        cache_key_fn=lambda *_: key,
        cache_expiration=EXPIRY,
        persist_result=True,
        result_storage=settings.measurement_cache_path,
        cache_result_in_memory=False,
        # The lookup found nothing to reuse: measure, and write the entry (replacing any).
        refresh_cache=True,
    )
    frames = keeping(context, _quoted(portfolio), _quoted(project))
    return Measured(frames, "measured again" if found.again else "measured", found.note)


def measure(
    settings: Settings,
    context: Context,
    portfolio: LoadedPortfolio,
    project: LoadedProject,
    refresh: bool = False,
) -> Measured:
    """A project's measurements: from the cache when every input is unchanged, else measured.

    ``refresh`` measures again and replaces the cache entry.
    """
    found = look_up(settings, context, portfolio, project, refresh)
    return measure_missing(settings, context, portfolio, project, found)


def prune(settings: Settings) -> int:
    """Delete cache entries older than the expiry; return how many."""
    folder = settings.measurement_cache_path
    if not folder.is_dir():
        return 0
    import time

    cutoff = time.time() - EXPIRY.total_seconds()
    removed = 0
    for entry in folder.iterdir():
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
            removed += 1
    return removed
