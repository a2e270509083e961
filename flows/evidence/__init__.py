"""Evidence readers: one module per evidence kind, all returning an :class:`Evidence` batch.

A reader never writes to the warehouse. It reads one input, measures or parses it, and returns
frames for raw tables (named as in :data:`flows.schemas.RAW_TABLES`), the rows it refused (with
file, row, column and reason) and one record of the input itself (fingerprint, rows, outcome).
An input that cannot be read at all is recorded as ``unreadable`` with the reason (its checks
become "no evidence") and the project goes on; only programming errors propagate. Rows left out
on purpose (a Backstage ``Group``, a survey column no question matches) are kept as rejected
rows whose reason starts with ``skipped:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import EvidenceError
from flows.config import fingerprint_file
from flows.schemas import RAW_TABLES, validate

#: A text evidence file (an inventory CSV, a Locust stats file) larger than this is refused unread:
#: such files are kilobytes or a few megabytes, and each is read into memory whole.
MAX_TEXT_BYTES = 256 << 20


def read_text(path: Path) -> str:
    """A text evidence file, refused unread when over MAX_TEXT_BYTES.

    UTF-8 (a BOM allowed); a line that is not UTF-8 is read as latin-1, so that a file two tools
    appended to keeps every character (flows/sources/lines.py).
    """
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise EvidenceError(
            path,
            f"the file is {size / (1 << 20):.0f} MB; a file of this kind over "
            f"{MAX_TEXT_BYTES >> 20} MB is not read",
        )
    from flows.sources.lines import decode_lines

    return decode_lines(path.read_bytes())


class MissingColumns(EvidenceError):
    """A file without some of the columns it must have; each is named (and becomes a rejected row)."""

    def __init__(self, path: str | Path, reason: str, missing: list[str]) -> None:
        super().__init__(path, reason)
        self.missing = missing


@dataclass(frozen=True)
class Context:
    """Who the evidence belongs to: stamped on every row a reader returns."""

    run_id: str
    project_id: str
    as_of: datetime  # timezone-aware UTC; freshness is measured against it
    #: The secret key of respondents' pseudonyms (see ``Settings.respondent_key``).
    survey_key: str = ""


@dataclass
class Evidence:
    """What readers return: rows per raw table, refused rows and the record of each input."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The as-of instants, (after, until], at which every as-of dependent measurement other than
    #: an age (the stale-record counts) stays the same; None is unbounded.
    holds: tuple[datetime | None, datetime | None] = (None, None)
    #: Rows that :func:`keep_valid_rows` validated, per table: ``id(row)`` -> the row, the
    #: validated frame and its position there (so :meth:`frames` does not validate them again).
    checked: dict[str, dict[int, tuple[dict[str, Any], pd.DataFrame, int]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def holds_between(self, after: datetime | None, until: datetime | None) -> None:
        """Narrow the as-of instants at which these measurements hold."""
        low, high = self.holds
        self.holds = (
            max(filter(None, (low, after)), default=None),
            min(filter(None, (high, until)), default=None),
        )

    def add(self, table: str, rows: list[dict[str, Any]] | dict[str, Any]) -> None:
        """Append rows (dicts of column -> value, without run_id/project_id) to a raw table."""
        if table not in RAW_TABLES:
            raise KeyError(f"unknown raw table {table!r}")
        self.tables.setdefault(table, []).extend([rows] if isinstance(rows, dict) else rows)

    def reject(
        self,
        kind: str,
        source: str | Path,
        reason: str,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        """Keep a refused row with where it was and why (row numbers count from 1, as in the file)."""
        self.add(
            "raw_rejected_rows",
            {
                "evidence_kind": kind,
                "source": str(source),
                "row_number": row,
                "column_name": column,
                "value": None if value is None else str(value)[:500],
                "reason": reason,
            },
        )

    def record_input(
        self,
        kind: str,
        name: str,
        source: str | Path,
        *,
        fingerprint: str | None,
        rows_read: int | None,
        rows_rejected: int | None = 0,
        status: str = "ok",
        error: str | None = None,
        newest_record_at: datetime | None = None,
    ) -> None:
        """Record one input read for the project (its fingerprint makes the run reproducible)."""
        self.add(
            "raw_evidence_inputs",
            {
                "evidence_kind": kind,
                "name": name,
                "source": str(source),
                "fingerprint": fingerprint,
                "rows_read": rows_read,
                "rows_rejected": rows_rejected,
                "status": status,
                "error": error,
                "newest_record_at": newest_record_at,
            },
        )

    def record_unreadable(self, kind: str, name: str, path: Path, reason: str) -> Evidence:
        """Record an input that could not be read at all (its checks become "no evidence")."""
        self.record_input(
            kind,
            name,
            path,
            fingerprint=fingerprint_file(path) if path.is_file() else None,
            rows_read=None,
            rows_rejected=None,
            status="unreadable",
            error=reason,
        )
        return self

    def record_read(self, kind: str, name: str, path: Path, rows_read: int) -> None:
        """Record an input read from one file, counting the rows this batch refused."""
        self.record_input(
            kind,
            name,
            path,
            fingerprint=fingerprint_file(path),
            rows_read=rows_read,
            rows_rejected=len(self.tables.get("raw_rejected_rows", [])),
        )

    def extend(self, other: Evidence) -> None:
        """Merge another batch into this one."""
        for table, rows in other.tables.items():
            self.add(table, rows)
        for table, rows_checked in other.checked.items():
            self.checked.setdefault(table, {}).update(rows_checked)
        self.holds_between(*other.holds)

    def mark_checked(self, table: str, rows: list[dict[str, Any]], frame: pd.DataFrame) -> None:
        """Remember that ``rows`` (unchanged from here on) validated as ``frame``, row by row."""
        mine = self.checked.setdefault(table, {})
        for position, row in enumerate(rows):
            mine[id(row)] = (row, frame, position)

    def _checked_frame(self, table: str, context: Context) -> pd.DataFrame | None:
        """The table's frame from its rows' validated frames, when every row has one.

        The raw tables' checks are each about one row (none compares rows), so the validated
        rows put together are what validating them together gives. None (validate the rows)
        when some row was not validated, or the validated parts differ in their columns.
        """
        mine = self.checked.get(table)
        if not mine:
            return None
        parts: list[list[Any]] = []  # [frame, first position, last position + 1]
        for row in self.tables[table]:
            found = mine.get(id(row))
            if found is None or found[0] is not row:
                return None
            _, frame, position = found
            if parts and parts[-1][0] is frame and parts[-1][2] == position:
                parts[-1][2] += 1
            else:
                parts.append([frame, position, position + 1])
        if any(list(part[0].columns) != list(parts[0][0].columns) for part in parts):
            return None
        pieces = [frame.iloc[start:end] for frame, start, end in parts]
        whole = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0].copy()
        whole.index = pd.RangeIndex(len(whole))
        for column, value in (("run_id", context.run_id), ("project_id", context.project_id)):
            whole[column] = pd.Series(value, index=whole.index, dtype=whole[column].dtype)
        return whole

    def frames(self, context: Context) -> dict[str, pd.DataFrame]:
        """Validated frames per raw table, stamped with the run and the project.

        Rows :func:`keep_valid_rows` validated are not validated again (see ``_checked_frame``).
        """
        out: dict[str, pd.DataFrame] = {}
        for table, rows in self.tables.items():
            checked = self._checked_frame(table, context)
            if checked is not None:
                out[table] = checked
                continue
            frame = pd.DataFrame(rows)
            frame.insert(0, "project_id", context.project_id)
            frame.insert(0, "run_id", context.run_id)
            out[table] = validate(RAW_TABLES[table], frame)
        return out


def keep_valid_rows(
    evidence: Evidence,
    table: str,
    rows: list[dict[str, Any]],
    *,
    kind: str,
    source: str | Path,
    row_numbers: list[int] | None = None,
    column_names: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Validate parsed rows with the raw table's Pandera model; refuse the failing rows, keep the rest.

    Every failure case becomes a rejected row naming the file, the row number in the file (from
    ``row_numbers``, parallel to ``rows``), the column (as the file names it, through
    ``column_names``: raw column -> header), the value and what was expected. The rows that pass
    are returned; the caller adds them to ``evidence`` under ``table``, unchanged (when every
    row passes, :meth:`Evidence.frames` reuses their validated frame).
    """
    import pandera.errors

    model = RAW_TABLES[table]
    if not rows:
        return []
    frame = pd.DataFrame(rows)
    frame.insert(0, "project_id", "-")
    frame.insert(0, "run_id", "-")
    try:
        evidence.mark_checked(table, rows, validate(model, frame))  # not validated twice
        return rows
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    bad: set[int] = set()
    seen: set[tuple[object, object]] = set()
    for case in cases.itertuples(index=False):
        index = getattr(case, "index", None)
        column = getattr(case, "column", None)
        if column_names and column in column_names:
            column = column_names[column]
        check = str(getattr(case, "check", ""))
        value = getattr(case, "failure_case", None)
        if index is None or pd.isna(index):
            # A frame-level problem (a missing or unknown column) refuses every row.
            for i in range(len(rows)):
                bad.add(i)
            evidence.reject(kind, source, describe_check(check), column=str(column))
            continue
        i = int(index)
        bad.add(i)
        if (i, column) in seen:
            continue
        seen.add((i, column))
        line = row_numbers[i] if row_numbers else i + 1
        evidence.reject(
            kind, source, describe_check(check), row=line, column=str(column), value=value
        )
    return [row for i, row in enumerate(rows) if i not in bad]


_CHECK_TEXT = [
    (re.compile(r"^(?:coerce_)?dtype\('?(float64|Float64)'?\)$"), "expected a number"),
    (re.compile(r"^(?:coerce_)?dtype\('?(int64|Int64)'?\)$"), "expected a whole number"),
    (re.compile(r"^(?:coerce_)?dtype\('?(bool|boolean)'?\)$"), "expected true or false"),
    (re.compile(r"^(?:coerce_)?dtype\('?datetime64.*$"), "expected a timestamp"),
    (re.compile(r"^not_nullable$"), "expected a value, found none"),
    (re.compile(r"^greater_than_or_equal_to\((.*)\)$"), "expected a value >= {0}"),
    (re.compile(r"^greater_than\((.*)\)$"), "expected a value > {0}"),
    (re.compile(r"^less_than_or_equal_to\((.*)\)$"), "expected a value <= {0}"),
    (re.compile(r"^in_range\((.*)\)$"), "expected a value in range {0}"),
    (re.compile(r"^isin\((.*)\)$"), "expected one of {0}"),
    (re.compile(r"^field_uniqueness$"), "expected a unique value"),
    (re.compile(r"^column_in_dataframe$"), "expected this column"),
]


def describe_check(check: str) -> str:
    """Turn a Pandera check name into words a person reads: what was expected."""
    for pattern, text in _CHECK_TEXT:
        match = pattern.match(check)
        if match:
            return text.format(*match.groups())
    return f"expected {check}"
