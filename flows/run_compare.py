"""Two runs' mart rows compared cell for cell, run ids and times aside (``readiness reproduce``).

A run's rows of every mart are turned into canonical text, one line per row: the run's id is
replaced by ``<run>`` wherever it appears (ids such as ``check_result_id`` embed it), the columns
that say when a run happened (``started_at``, ``finished_at``, ``run_started_at``, ``is_latest``)
and where its inputs were archived are left out, and a folder the inputs were read from may be
replaced by ``<portfolio>`` (a run reproduced from its archive reads the same files from another
place). Floats are written with ``repr``, so the comparison is exact: two runs are identical only
when every figure is the same to the last bit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

#: Columns that record when a run happened, whether it is the newest and where its inputs were
#: archived: never what it found.
LEFT_OUT = frozenset({"started_at", "finished_at", "run_started_at", "is_latest", "archive"})


@dataclass(frozen=True)
class MartDifference:
    """The rows of one mart that only one of the two runs has (canonical text)."""

    mart: str
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]


@dataclass
class Comparison:
    """Every mart of two runs compared: identical when no mart differs."""

    marts: list[str] = field(default_factory=list)
    rows: int = 0
    differences: list[MartDifference] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """True when every mart row of the two runs is the same."""
        return not self.differences


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def mart_lines(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    run_id: str,
    folders: Sequence[str] = (),
) -> list[str]:
    """One run's rows of one mart as sorted canonical lines (``run_id`` and times aside)."""
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_name = ? order by ordinal_position",
            [mart],
        ).fetchall()
    ]
    kept = [c for c in columns if c not in LEFT_OUT]
    listing = ", ".join(f'"{c}"' for c in kept)
    # mart names come from snapshots.PUBLISHED_MARTS (or the warehouse's own catalogue)
    rows = con.execute(f"select {listing} from {mart} where run_id = ?", [run_id]).fetchall()
    lines = []
    for row in rows:
        cells = []
        for name, value in zip(kept, row, strict=True):
            text = _cell(value).replace(run_id, "<run>")
            for folder in folders:
                text = text.replace(folder, "<portfolio>")
            cells.append(f"{name}={text}")
        lines.append(" | ".join(cells))
    return sorted(lines)


def compare_runs(
    first: duckdb.DuckDBPyConnection,
    first_run: str,
    second: duckdb.DuckDBPyConnection,
    second_run: str,
    marts: Sequence[str],
    first_folders: Sequence[str] = (),
    second_folders: Sequence[str] = (),
) -> Comparison:
    """Every row of every mart of two runs (each in its own database), compared exactly."""
    result = Comparison(marts=list(marts))
    for mart in marts:
        a = mart_lines(first, mart, first_run, first_folders)
        b = mart_lines(second, mart, second_run, second_folders)
        result.rows += len(a)
        if a != b:
            set_a, set_b = set(a), set(b)
            result.differences.append(
                MartDifference(
                    mart,
                    tuple(line for line in a if line not in set_b),
                    tuple(line for line in b if line not in set_a),
                )
            )
    return result
