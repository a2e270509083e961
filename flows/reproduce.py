"""``readiness reproduce RUN_ID``: assess a run's recorded inputs again and prove the result identical.

1. The run is read from the published snapshot: its portfolio file, ``as_of``, day rate, the
   projects it assessed and the fingerprint of every input (``input_fingerprints``).
2. Its inputs: restored from the archive when the run kept one (``--archive``, flows/archive.py),
   else read where the run read them.
3. Every input that can be checked before assessing (the rubric, each project file, each local
   evidence file) is hashed: one whose hash differs from the recorded one is named, and nothing
   is assessed (exit 2).
4. The inputs are assessed again in a private, temporary home (the local DuckDB warehouse, no
   cached measurement, the run's ``as_of``, day rate and respondents' key), by the same flow.
   That warehouse is first seeded with the raw rows of every run that started before the one
   reproduced (read read-only from the working warehouse, nothing of that run or later ones),
   so that what dbt derives from a project's previous run (roadmap progress, ``is_latest``...)
   is derived as it was. dbt orders runs by ``(started_at, run_id)``; the seeded runs keep both,
   and the reproduction starts now, so they sort before it exactly as they sorted before the
   original. An earlier run of the portfolio that the working warehouse no longer holds
   (repaired, pruned) is named, with the marts that may differ because of it.
5. Every published mart row of the two runs is compared (flows/run_compare.py), run ids, times and
   the inputs' folder aside; every input's fingerprint first (an S3 object or a database table can
   only be hashed by reading it). Exit 0 only when every row is identical, 1 when rows differ
   (listed), 2 when an input changed or the run cannot be reproduced.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from pydantic import SecretStr
from rich.console import Console

from core.errors import ReadinessError
from core.settings import DEFAULT_RUBRIC, Settings, get_settings
from flows import archive
from flows.config import fingerprint_file, load_portfolio
from flows.run_compare import Comparison, MartDifference, compare_runs
from flows.snapshots import _database
from readmodel.snapshots import (
    RUN_MARTS,
    _quoted,
    open_snapshot,
    portfolio_file,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
#: At most this many rows of each differing mart are listed.
SHOWN_ROWS = 20
#: Marts whose compared rows of a run depend on the project's earlier runs (dbt lag()); is_latest
#: (recommendations, waivers) does too, but is never compared (run_compare.LEFT_OUT).
PREVIOUS_RUN_MARTS = ("roadmap_progress",)


class ReproduceError(ReadinessError):
    """A run that cannot be reproduced (unknown, or its inputs are gone)."""


@dataclass(frozen=True)
class RecordedRun:
    """What a run recorded about itself, read from the published snapshot."""

    run_id: str
    portfolio_id: str
    portfolio_path: str | None
    archive: str | None
    as_of: datetime
    day_rate: float
    day_rate_currency: str | None
    projects: list[str]
    #: (project, input kind, name, source, fingerprint) of every input the run read.
    inputs: list[tuple[str, str, str, str, str | None]]
    #: The portfolio's runs that started before this one, oldest first (the published record).
    earlier: list[str] = field(default_factory=list)
    started_at: datetime | None = None


@dataclass(frozen=True)
class InputChange:
    """An input whose content is not the one the run read."""

    project_id: str
    input_kind: str
    name: str
    source: str
    problem: str  # "changed" or "missing"


@dataclass
class Reproduction:
    """The outcome: inputs that changed, or the comparison of the two runs' marts."""

    run_id: str
    changed_inputs: list[InputChange] = field(default_factory=list)
    new_run_id: str | None = None
    from_archive: bool = False
    comparison: Comparison | None = None
    #: Runs that started before this one, whose raw rows seeded the reproduction's warehouse.
    seeded: list[str] = field(default_factory=list)
    #: The portfolio's earlier runs the working warehouse no longer holds.
    missing_earlier: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """True only when the inputs matched and every mart row is the same."""
        return not self.changed_inputs and self.comparison is not None and self.comparison.identical


def recorded_run(snapshot: Path, run_id: str) -> RecordedRun:
    """Read what ``run_id`` recorded from the published snapshot."""
    with open_snapshot(snapshot) as con:
        row = con.execute(
            "select portfolio_id, portfolio_path, archive, as_of, day_rate, day_rate_currency, "
            "started_at from runs where run_id = ?",
            [run_id],
        ).fetchone()
        if row is None:
            raise ReproduceError(f"run {run_id!r} is not in the published snapshot")
        projects = [
            r[0]
            for r in con.execute(
                "select project_id from recommendations where run_id = ? order by project_id",
                [run_id],
            ).fetchall()
        ]
        # dbt's order of a project's runs (roadmap_progress.sql): started_at, then run_id
        earlier = [
            r[0]
            for r in con.execute(
                "select run_id from runs where started_at < ? or (started_at = ? and run_id < ?) "
                "order by started_at, run_id",
                [row[6], row[6], run_id],
            ).fetchall()
        ]
        inputs = con.execute(
            "select project_id, input_kind, name, source, fingerprint from input_fingerprints "
            "where run_id = ? order by all",
            [run_id],
        ).fetchall()
    as_of = row[3] if row[3].tzinfo else row[3].replace(tzinfo=UTC)
    return RecordedRun(
        run_id,
        row[0],
        row[1],
        row[2],
        as_of,
        float(row[4]),
        row[5],
        projects,
        inputs,
        earlier,
        row[6] if row[6].tzinfo else row[6].replace(tzinfo=UTC),
    )


def changed_inputs(run: RecordedRun, portfolio_path: Path, root: str | None) -> list[InputChange]:
    """The inputs that can be hashed before assessing and whose hash is not the recorded one.

    ``root`` is the folder the run read the portfolio from, when its files were restored to
    ``portfolio_path``'s folder.
    """
    loaded = load_portfolio(portfolio_path, DEFAULT_RUBRIC, keep_going=True)
    paths = {p.project.id: p.path for p in loaded.projects}
    paths.update({f.id: f.path for f in loaded.failed})
    here = str(portfolio_path.parent)
    changes = []
    for project_id, kind, name, source, fingerprint in run.inputs:
        if kind == "rubric":
            path: Path | None = loaded.rubric_path
        elif kind == "project_config":
            path = paths.get(project_id)
        else:
            located = source.replace(root, here, 1) if root and source.startswith(root) else source
            path = Path(located)
            if not path.is_absolute() or "://" in source:
                continue  # S3 objects, database tables: compared after the assessment
            if path.is_dir() or any(c in path.name for c in "*?["):
                continue  # folders, globs: compared after the assessment
            if fingerprint is None and not path.is_file():
                continue  # missing then as now: the run recorded it unreadable
        if path is None or not path.is_file():
            changes.append(InputChange(project_id, kind, name, source, "missing"))
        elif fingerprint and fingerprint_file(path) != fingerprint:
            changes.append(InputChange(project_id, kind, name, source, "changed"))
    return changes


def seed_earlier_runs(working: Path, run: RecordedRun, target: Path) -> tuple[list[str], list[str]]:
    """Copy the raw rows of every run that started before ``run`` from ``working`` into ``target``.

    ``working`` (the single writer's file) is only read. Runs sort as dbt sorts them, by
    ``(started_at, run_id)``: nothing of ``run`` itself or of a later run is copied. Returns the
    runs seeded and the portfolio's earlier runs (the published record) that ``working`` lacks.
    """
    from flows import warehouse
    from flows.schemas import RAW_TABLES  # pandas and Pandera: only when a run is seeded

    if not working.is_file():
        return [], list(run.earlier)
    with warehouse.connect(target) as con:
        warehouse.ensure_raw_tables(con)
        try:
            con.execute(f"attach '{_quoted(working)}' as working (read_only)")
        except duckdb.IOException as exc:  # the writer's lock: another process holds the file
            raise ReproduceError(
                f"the working warehouse {working} is locked by a running assessment: "
                "reproduce when it has finished"
            ) from exc
        except duckdb.Error as exc:  # this process holds it (dbt's adapter after an assessment)
            raise ReproduceError(
                f"the working warehouse {working} is open in this process: "
                "reproduce from a new one (readiness reproduce)"
            ) from exc
        try:
            existing = {
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = 'working'"
                ).fetchall()
            }
            if "raw_runs" not in existing:
                return [], list(run.earlier)
            con.execute(
                "create temporary table _earlier as select run_id from working.raw_runs "
                "where started_at < ? or (started_at = ? and run_id < ?)",
                [run.started_at, run.started_at, run.run_id],
            )
            for table in RAW_TABLES:
                if table in existing:
                    _copy_rows(con, table)
            seeded = [
                r[0] for r in con.execute("select run_id from _earlier order by all").fetchall()
            ]
        finally:
            con.execute("detach working")
    return seeded, [r for r in run.earlier if r not in set(seeded)]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = ? and table_name = ? order by ordinal_position",
            [catalog, table],
        ).fetchall()
    ]


def _copy_rows(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The earlier runs' rows of one raw table, in the columns both files have.

    Table names are RAW_TABLES' own, column names the catalogue's.
    """
    source = set(_columns(con, "working", table))
    shared = [c for c in _columns(con, _database(con), table) if c in source]
    listing = ", ".join(f'"{c}"' for c in shared)
    con.execute(
        f"insert into main.{table} ({listing}) select {listing} from working.main.{table} "
        "where run_id in (select run_id from _earlier)"
    )


def reproduction_settings(settings: Settings, run: RecordedRun, home: Path) -> Settings:
    """The settings of the reproduction: a private home, the run's day rate and respondents' key."""
    original = Path(run.portfolio_path) if run.portfolio_path else None
    return settings.model_copy(
        update={
            "home": home,
            "warehouse_path": None,
            "snapshot_path": None,
            "dbt_target": "duckdb",
            "measurement_cache": False,
            "archive": None,
            "survey_key": SecretStr(settings.respondent_key(original)),
            "day_rate": run.day_rate,
            "day_rate_currency": run.day_rate_currency or settings.day_rate_currency,
        }
    )


def reproduce(
    run_id: str, settings: Settings | None = None, keep: Path | None = None
) -> Reproduction:
    """Assess ``run_id``'s inputs again and compare every mart row (see the module's docstring).

    ``keep``: a new folder that keeps the reproduction's home (warehouse, snapshot) and restored
    inputs; by default they are deleted.
    """
    from prefect import flow

    from flows.assess import run_assessment

    settings = settings or get_settings()
    run = recorded_run(settings.snapshot, run_id)
    result = Reproduction(run_id)
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise ReproduceError(f"{keep} is not empty: name a new folder to keep the reproduction in")
    with tempfile.TemporaryDirectory(prefix="readiness-reproduce-") as temporary:
        work = str(keep) if keep is not None else temporary
        Path(work).mkdir(parents=True, exist_ok=True, mode=0o700)
        root: str | None = None
        manifest = archive.read_manifest(run.archive, run_id) if run.archive else None
        if manifest is not None:
            portfolio_path = archive.restore(run.archive or "", manifest, Path(work) / "inputs")
            root, result.from_archive = manifest.root, True
        elif run.portfolio_path and Path(run.portfolio_path).is_file():
            portfolio_path = Path(run.portfolio_path)
        else:
            raise ReproduceError(
                f"run {run_id}'s portfolio file ({run.portfolio_path or 'not recorded'}) is gone "
                "and its inputs were not archived (readiness run --archive)"
            )
        result.changed_inputs = changed_inputs(run, portfolio_path, root)
        if result.changed_inputs:
            return result
        loaded = load_portfolio(portfolio_path, DEFAULT_RUBRIC, keep_going=True)
        every = sorted([p.project.id for p in loaded.projects] + [f.id for f in loaded.failed])
        projects = None if every == run.projects else run.projects
        again = reproduction_settings(settings, run, Path(work) / "home")
        result.seeded, result.missing_earlier = seed_earlier_runs(
            settings.warehouse, run, again.warehouse
        )

        @flow(name="reproduce_run", log_prints=True)
        def reproduce_run() -> str:
            return run_assessment(
                portfolio_path, projects, again, refresh=True, as_of=run.as_of
            ).run_id

        result.new_run_id = reproduce_run()
        first_folders = [root] if root else []
        second_folders = [str(portfolio_path.parent)] if root else []
        with (
            open_snapshot(portfolio_file(settings.snapshot, run.portfolio_id)) as first,
            open_snapshot(portfolio_file(again.snapshot, run.portfolio_id)) as second,
        ):
            fingerprints = compare_runs(
                first,
                run_id,
                second,
                result.new_run_id,
                ["input_fingerprints"],
                first_folders,
                second_folders,
            )
            if not fingerprints.identical:
                result.changed_inputs = _fingerprint_changes(fingerprints.differences[0])
                return result
            result.comparison = compare_runs(
                first,
                run_id,
                second,
                result.new_run_id,
                RUN_MARTS,
                first_folders,
                second_folders,
            )
    return result


def _cells(line: str) -> dict[str, str]:
    return dict(cell.split("=", 1) for cell in line.split(" | "))


def _fingerprint_changes(difference: MartDifference) -> list[InputChange]:
    recorded = [_cells(line) for line in difference.only_first]
    found = {
        (c["project_id"], c["input_kind"], c["name"]): c
        for c in map(_cells, difference.only_second)
    }
    changes = []
    for cells in recorded:
        key = (cells["project_id"], cells["input_kind"], cells["name"])
        problem = "changed" if key in found else "missing"
        changes.append(InputChange(*key, cells["source"], problem))
    return changes


def row_changes(difference: MartDifference) -> list[str]:
    """The rows of a differing mart in plain lines: cells that changed, rows only in one run."""
    first = {line.split(" | ", 1)[0]: _cells(line) for line in difference.only_first}
    second = {line.split(" | ", 1)[0]: _cells(line) for line in difference.only_second}
    lines = []
    for key in sorted(set(first) | set(second)):
        a, b = first.get(key), second.get(key)
        if a is None:
            lines.append(f"{key}: only in the reproduction")
        elif b is None:
            lines.append(f"{key}: only in the recorded run")
        else:
            changed = [f"{c} {a[c]} -> {b.get(c)}" for c in a if a[c] != b.get(c)]
            lines.append(f"{key}: " + "; ".join(changed))
    return lines


def print_reproduction(result: Reproduction) -> None:
    where = "its archived inputs" if result.from_archive else "its inputs where it read them"
    for missing in result.missing_earlier:
        err.print(
            f"earlier run {missing} is no longer in the working warehouse (repaired or pruned): "
            f"marts that depend on a project's previous run ({', '.join(PREVIOUS_RUN_MARTS)}) "
            "may differ",
            highlight=False,
        )
    if result.changed_inputs:
        err.print(f"run {result.run_id} cannot be reproduced: an input is not the one it read")
        for change in result.changed_inputs:
            err.print(
                f"  {change.project_id}: {change.input_kind} {change.name} ({change.source}): "
                f"{change.problem}",
                markup=False,
                highlight=False,
            )
        return
    comparison = result.comparison
    assert comparison is not None
    header = f"run {result.run_id} reproduced from {where} as {result.new_run_id}"
    if comparison.identical:
        out.print(
            f"{header}: identical ({comparison.rows} rows of {len(comparison.marts)} marts)",
            highlight=False,
        )
        return
    out.print(f"{header}: DIFFERENT", highlight=False)
    for difference in comparison.differences:
        changes = row_changes(difference)
        out.print(f"  {difference.mart}: {len(changes)} row(s) differ", highlight=False)
        for line in changes[:SHOWN_ROWS]:
            out.print(f"    {line}", markup=False, highlight=False)
        if len(changes) > SHOWN_ROWS:
            out.print(f"    ... and {len(changes) - SHOWN_ROWS} more", highlight=False)
