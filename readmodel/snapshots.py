"""The published snapshots: one read-only DuckDB file per portfolio, holding only the marts readers use.

The flow writes them (``flows.snapshots.publish_portfolios``, at the end of each successful run);
every reader (dashboard, ``readiness status``/``report``/``history``/``diff``, alerts) opens them
through :func:`open_snapshot`, and nothing else opens them. A file holds one portfolio's runs and nothing else (no raw, staging or
intermediate table), so whoever may read a file may see all of it, and file permissions on the
folder can be set per portfolio.

A reader names the portfolios it may read (``None``: all of them); only those files are opened.
The snapshots of several portfolios are read as one database: an in-memory DuckDB with each file
attached read-only and one view per mart (``union all by name``), so the readers' SQL is the same
for one portfolio or many. A reader may also be pointed at one snapshot file (a copy handed to a
tool or a test); a scope then filters that file's rows to the runs of the allowed portfolios.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

#: The presentation marts (dbt_project/models/marts/presentation): each project's and portfolio's
#: latest result and the changes between a project's runs, as every surface shows them. Their rows
#: depend on the other runs too (which is the latest, which came before), so reproducing one run
#: compares the other marts (``RUN_MARTS``).
PRESENTATION_MARTS: tuple[str, ...] = (
    "project_latest",
    "portfolio_latest",
    "recurring_blockers",
    "run_changes",
    "run_gap_changes",
    "run_check_changes",
    "run_input_changes",
    "run_rubric_changes",
    "run_rubric_check_changes",
    "readiness_rollups",
)
#: The marts that readers select from (readmodel/, dashboard/queries.py, flows/report.py,
#: flows/alerts.py); tests/flows/test_snapshots.py checks that every mart a
#: reader names is here. A row belongs to the portfolio of its run (``run_id``), or names its
#: portfolio (``PORTFOLIO_MARTS``).
PUBLISHED_MARTS: tuple[str, ...] = (
    "runs",
    "recommendations",
    "gap_scores",
    "check_results",
    "check_items",
    "roadmap",
    "cost_inputs",
    "cost_projections",
    "evidence_inputs",
    "input_fingerprints",
    "rejected_rows",
    "data_quality_fields",
    "data_quality_rules",
    "integration_systems",
    "stakeholder_questions",
    "load_test_results",
    "evaluation_metrics",
    "evaluation_failures",
    "evaluation_summaries",
    "kpi_series",
    "alert_coverage",
    "on_call_days",
    "incident_times",
    "waivers",
    "project_stages",
    "roadmap_schedule",
    "launch_targets",
    "roadmap_progress",
    "cost_sensitivity",
    "load_test_history",
    *PRESENTATION_MARTS,
)
#: The published marts whose rows one run decides alone (what `readiness reproduce` compares).
RUN_MARTS: tuple[str, ...] = tuple(m for m in PUBLISHED_MARTS if m not in PRESENTATION_MARTS)
#: Published marts whose rows name their portfolio (a portfolio's, not a run's, figures).
PORTFOLIO_MARTS: frozenset[str] = frozenset(
    {"runs", "project_latest", "portfolio_latest", "recurring_blockers", "readiness_rollups"}
)

_PORTFOLIO_ID = re.compile(r"[a-z][a-z0-9_]*")
SUFFIX = ".duckdb"
#: Prefix of the working file's tables that keep the published marts of runs whose raw rows were
#: lost (rebuilt by `readiness repair`, flows/repair.py); published with the marts' own rows.
HISTORY_PREFIX = "history_"


class NoSnapshotError(FileNotFoundError):
    """No assessment has been published yet (or none that the reader may read)."""


def portfolio_file(folder: Path, portfolio_id: str) -> Path:
    """The snapshot file of one portfolio in the published folder."""
    if not _PORTFOLIO_ID.fullmatch(portfolio_id):
        raise ValueError(f"{portfolio_id!r} is not a portfolio id (lowercase letters, digits, _)")
    return folder / f"{portfolio_id}{SUFFIX}"


def published_portfolios(folder: Path) -> list[str]:
    """The portfolio ids that have a published snapshot in the folder."""
    if not folder.is_dir():
        return []
    return sorted(
        p.stem for p in folder.glob(f"*{SUFFIX}") if p.is_file() and _PORTFOLIO_ID.fullmatch(p.stem)
    )


@dataclass(frozen=True)
class Readable:
    """The files a reader opens, and the portfolios to keep when a file is not one portfolio's."""

    files: tuple[Path, ...]
    only: tuple[str, ...] | None = None


def readable(source: Path, portfolios: Sequence[str] | None = None) -> Readable:
    """What a reader whose scope is ``portfolios`` (None: every portfolio) may open of ``source``.

    ``source`` is the published folder, or one snapshot file. Raises :class:`NoSnapshotError`
    when nothing readable is published.
    """
    scope = None if portfolios is None else tuple(portfolios)
    if source.is_file():
        return Readable((source,), scope)
    ids = published_portfolios(source)
    if scope is not None:
        ids = [p for p in ids if p in scope]
    if not ids:
        if scope is not None and published_portfolios(source):
            raise NoSnapshotError(
                "no assessment of the portfolios you may read has been published "
                f"({', '.join(scope) or 'none is shared with you'})"
            )
        raise NoSnapshotError(
            f"no assessment has been published yet ({source} holds no snapshot); "
            "run `readiness run`"
        )
    return Readable(tuple(portfolio_file(source, p) for p in ids))


def _tables(con: duckdb.DuckDBPyConnection, alias: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ?", [alias]
    ).fetchall()
    return {r[0] for r in rows}


@contextmanager
def open_readable(what: Readable) -> Iterator[duckdb.DuckDBPyConnection]:
    """One read-only connection over the files (closed afterwards)."""
    if len(what.files) == 1 and what.only is None:
        con = duckdb.connect(str(what.files[0]), read_only=True)
        try:
            yield con
        finally:
            con.close()
        return
    con = duckdb.connect(":memory:")
    try:
        present: dict[str, list[str]] = {}
        for i, path in enumerate(what.files):
            alias = f"snapshot_{i}"
            con.execute(f"attach '{_quoted(path)}' as {alias} (read_only)")
            for table in sorted(_tables(con, alias)):
                present.setdefault(table, []).append(alias)
        for table, aliases in present.items():
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
                continue  # a name no reader selects from; never pasted into SQL
            parts = [f"select * from {alias}.main.{table}" for alias in aliases]
            if what.only is not None and table not in PORTFOLIO_MARTS and "runs" in present:
                # One file of several portfolios: keep the rows of the allowed portfolios' runs.
                parts = [
                    f"{part} where run_id in (select run_id from {alias}.main.runs "
                    "where list_contains(getvariable('readiness_scope'), portfolio_id))"
                    for part, alias in zip(parts, aliases, strict=True)
                ]
            elif what.only is not None and table in PORTFOLIO_MARTS:
                parts = [
                    f"{part} where list_contains(getvariable('readiness_scope'), portfolio_id)"
                    for part in parts
                ]
            con.execute(f"create view main.{table} as " + " union all by name ".join(parts))
        if what.only is not None:
            con.execute("set variable readiness_scope = ?::varchar[]", [list(what.only)])
        yield con
    finally:
        con.close()


def _quoted(path: Path) -> str:
    """A path as a SQL string literal (ATTACH takes no bound parameter)."""
    return str(path).replace("'", "''")


@contextmanager
def open_snapshot(
    source: Path, portfolios: Sequence[str] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open what a reader of ``portfolios`` (None: all) may read of ``source``, read-only."""
    with open_readable(readable(source, portfolios)) as con:
        yield con
