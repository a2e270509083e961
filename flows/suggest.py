"""``readiness suggest SOURCE``: a field map proposed from the data itself, to review.

The dataset is profiled by the audit's own measurement (:func:`flows.audit_command.profile`:
types, nulls, empty strings, distinct counts, minimum and maximum), then each rule is inferred
from what was measured, and every suggested rule says in a comment what it came from:

- **type**: the column's type as the reader sees it;
- **required**: only a field with no NULL and no empty value in the data;
- **allowed values**: a text field with few distinct values, each seen many times;
- **range**: the observed minimum and maximum of a number;
- **pattern**: an id-like text field whose every value has one shape (``ORD-000123``);
- **key**: a column (or, failing that, a pair of columns) unique and never empty in the data;
- **timestamp and maximum age**: the timestamp column that looks like a record's time, and a
  maximum age of a few times the observed cadence, never below the newest record's age.

Nothing is silently strict: every rule holds on the data it was inferred from (patterns and keys
are checked against every row, not a sample), and personal fields (emails, names...) get counts-
only rules, never allowed values or patterns drawn from their values.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from core.errors import EvidenceError
from flows.evidence import data_audit
from flows.evidence.data_audit import personal_columns
from flows.privacy import contains_personal, mask
from flows.sources.scan import Scan, q

#: A text field with at most this many distinct values, each seen at least MIN_PER_VALUE times
#: on average, gets them as its allowed values.
MAX_ALLOWED = 15
MIN_PER_VALUE = 5
#: Distinct values sampled to find an id-like field's shape.
SHAPE_SAMPLE = 2000
#: Newest distinct timestamps read to measure the cadence.
CADENCE_SAMPLE = 10_000
#: Columns tried in pairs for a two-column key.
PAIR_CANDIDATES = 6
_TIMESTAMP_NAMES = re.compile(
    r"(updated|modified|created|inserted|loaded|event|time|_ts$|_at$|date)"
)
_ID_NAME = re.compile(
    r"(^id$|_id$|^id_|key$|code$|number$|_no$|^sku$|tailnum|^faa$)", re.IGNORECASE
)
_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()/")
_TYPES = {"string", "integer", "number", "boolean", "date", "timestamp"}


@dataclass
class Suggestion:
    """One field's suggested rules, and why."""

    column: str
    rules: dict[str, Any]
    because: list[str] = field(default_factory=list)


@dataclass
class SuggestedMap:
    """A whole field map, ready to be written as YAML with its reasons."""

    name: str
    source: str
    rows: int
    fields: list[Suggestion]
    key: list[str] = field(default_factory=list)
    key_because: str = ""
    timestamp: str | None = None
    max_age: str | None = None
    timestamp_because: str = ""

    def field_map(self) -> dict[str, Any]:
        """The suggestion as field-map data (what ``FieldMap`` validates)."""
        data: dict[str, Any] = {"fields": {s.column: s.rules for s in self.fields}}
        if self.key:
            data["key"] = self.key
        if self.timestamp:
            data["timestamp"] = self.timestamp
            if self.max_age:
                data["max_age"] = self.max_age
        return data


def _flow(value: Any) -> str:
    text = yaml.safe_dump(
        value, default_flow_style=True, width=10_000, allow_unicode=True, sort_keys=False
    )
    return text.strip().removesuffix("...").strip()


def _count(n: int) -> str:
    return f"{n:,}"


def _duration(seconds: float) -> str:
    """A duration as the field map writes it, rounded up to a whole unit."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= 2 * size or (unit == "m" and seconds >= size):
            return f"{math.ceil(seconds / size)}{unit}"
    return f"{max(1, math.ceil(seconds))}s"


def shape(value: str) -> str:
    """A text's shape as a regular expression: letters, digits and other characters by runs."""
    parts: list[str] = []
    for run in re.finditer(r"[A-Z]+|[a-z]+|[0-9]+|.", value):
        text = run.group(0)
        if text.isdigit():
            parts.append(rf"\d{{{len(text)}}}")
        elif text.isupper() and text.isalpha() and text.isascii():
            parts.append(f"[A-Z]{{{len(text)}}}")
        elif text.islower() and text.isalpha() and text.isascii():
            parts.append(f"[a-z]{{{len(text)}}}")
        else:
            parts.append("\\" + text if text in _REGEX_SPECIAL else text)
    return "^" + "".join(parts) + "$"


def _loosen(patterns: list[str]) -> str | None:
    """One pattern for shapes that differ only in the lengths of their runs of one kind."""
    if len(patterns) == 1:
        return patterns[0]
    skeletons = {re.sub(r"\{\d+\}", "", p) for p in patterns}
    if len(skeletons) != 1:
        return None
    runs = [re.findall(r"\{(\d+)\}", p) for p in patterns]
    if len({len(r) for r in runs}) != 1:
        return None
    result = patterns[0]
    pieces = re.split(r"\{\d+\}", result)
    lengths = list(zip(*[[int(n) for n in r] for r in runs], strict=True))
    out = pieces[0]
    for index, spread in enumerate(lengths):
        low, high = min(spread), max(spread)
        out += f"{{{low}}}" if low == high else f"{{{low},{high}}}"
        out += pieces[index + 1]
    return out


def _rows(scan: Scan) -> int:
    if scan.rows >= 0:
        return scan.rows
    row = scan.one(f"select count(*) from {scan.relation}")
    return int(row[0]) if row else 0


def _pattern(scan: Scan, column: str) -> tuple[str, str] | None:
    """An id-like text field's one shape, checked against every row; None when there is none."""
    text = scan.text(column)
    sample = [
        str(r[0])
        for r in scan.all(
            f"select distinct {text} from {scan.relation} where {q(column)} is not null "
            f"limit {SHAPE_SAMPLE}"
        )
    ]
    if not sample or any(not s.strip() or len(s) > 64 or re.search(r"\s", s) for s in sample):
        return None  # ids have no spaces; free text has no one shape
    shapes = Counter(shape(s) for s in sample)
    if len(shapes) > 3:
        return None
    pattern = _loosen(sorted(shapes))
    if pattern is None or pattern in (r"^\d{1}$",):
        return None
    if re.fullmatch(r"\^(\[A-Z\]|\[a-z\])\{\d+(,\d+)?\}\$", pattern):
        return None  # plain words, not ids
    bad = scan.one(
        f"select {scan.count_where(f'{q(column)} is not null and not {scan.full_match(text, pattern)}')} "
        f"from {scan.relation}"
    )
    if bad is None or int(bad[0] or 0) > 0:
        return None
    example = sample[0] if len(sample[0]) <= 24 else sample[0][:24] + "…"
    if contains_personal(example):  # a phone number past the rows detection sampled
        example = mask(example)
    return pattern, f"every value has one shape (such as {example!r})"


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _allowed(scan: Scan, column: str, distinct: int, rows: int) -> list[Any] | None:
    if distinct < 1 or distinct > MAX_ALLOWED or rows < distinct * MIN_PER_VALUE:
        return None
    values = scan.top_values([column], distinct + 1)[column]
    if len(values) != distinct or sum(_numeric(str(v)) for v, _ in values) > len(values) / 2:
        return None  # numbers read as text (a missing-value token among them) are not a list
    if any(contains_personal(str(v)) for v, _ in values):
        return None  # a personal value beyond the rows the detection sampled: never written
    return sorted(str(v) for v, _ in values)


def _field(scan: Scan, measured: dict[str, Any], rows: int, personal: dict[str, str]) -> Suggestion:
    column = measured["name"]
    kind = scan.family_of(column)
    kind = kind if kind in _TYPES else "string"
    suggestion = Suggestion(column, {"type": kind}, [f"{kind} in the data"])
    nulls, empty = int(measured["nulls"] or 0), int(measured["empty"] or 0)
    missing = nulls + empty
    if missing:
        suggestion.rules["required"] = False
        suggestion.because.append(f"{missing / rows:.1%} empty or missing" if rows else "empty")
    else:
        suggestion.because.append("never empty")
    if column in personal:
        suggestion.rules["personal"] = True
        suggestion.because.append(f"personal ({personal[column]}): counts only")
        return suggestion
    counted = measured["distinct"] is not None  # else a field of many values, not counted
    distinct = int(measured["distinct"] or 0)
    if kind == "string":
        allowed = _allowed(scan, column, distinct, rows) if counted else None
        if allowed is not None:
            suggestion.rules["allowed"] = allowed
            suggestion.because.append(f"{distinct} values seen")
        elif not counted or distinct > rows * 0.5 or _ID_NAME.search(column):
            found = _pattern(scan, column)
            if found is not None:
                suggestion.rules["pattern"] = found[0]
                suggestion.because.append(found[1])
    elif kind in ("integer", "number"):
        low, high = measured["min"], measured["max"]
        if low is not None and high is not None:
            # The field map's bounds are numbers (floats): widened outward when the float is not
            # the value itself (an integer above 2**53), so the rule holds on its own data.
            suggestion.rules["min"] = _bound(str(low), kind, math.floor)
            suggestion.rules["max"] = _bound(str(high), kind, math.ceil)
            suggestion.because.append("range as observed: widen it if other values are legitimate")
    return suggestion


def _bound(text: str, kind: str, outward: Any) -> int | float:
    """An observed minimum or maximum as a bound that the observed value itself meets."""
    if kind == "integer":
        exact = int(text)
        as_float = float(exact)
        if int(as_float) == exact:
            return exact
        return int(math.nextafter(as_float, -math.inf if outward is math.floor else math.inf))
    return float(text)


def _unique(scan: Scan, columns: list[str], rows: int) -> bool:
    listed = ", ".join(q(c) for c in columns)
    not_null = " and ".join(f"{q(c)} is not null" for c in columns)
    row = scan.one(
        f"select count(*) from (select distinct {listed} from {scan.relation} where {not_null}) k"
    )
    return row is not None and int(row[0]) == rows


def _key(scan: Scan, fields: list[dict[str, Any]], rows: int) -> tuple[list[str], str]:
    """A unique, never-empty column, else a pair of them; ``([], reason)`` when none is."""
    if rows == 0:
        return [], ""

    def complete(f: dict[str, Any]) -> bool:
        return not f["nulls"] and not f["empty"] and scan.family_of(f["name"]) != "number"

    def distinct(f: dict[str, Any]) -> int:
        """Its distinct values, or (not counted: many) at least how many."""
        return int(f["distinct"] if f["distinct"] is not None else f["distinct_at_least"] or 0)

    def all_differ(f: dict[str, Any]) -> bool:
        """Every value differs: counted, or (not counted) every one of the first rows did."""
        if f["distinct"] is not None:
            return bool(f["distinct"] == rows)
        return bool(f["distinct_at_least"] == min(rows, data_audit.HEAD_ROWS))

    singles = sorted(
        (f for f in fields if complete(f) and all_differ(f)),
        key=lambda f: (not _ID_NAME.search(f["name"]), fields.index(f)),
    )
    for single in singles:
        if _unique(scan, [single["name"]], rows):
            return [single["name"]], f"unique and never empty in the {_count(rows)} rows"
    candidates = sorted(
        (f for f in fields if complete(f) and distinct(f) > 1),
        key=lambda f: (-distinct(f), fields.index(f)),
    )[:PAIR_CANDIDATES]
    for i, first in enumerate(candidates):
        for second in candidates[i + 1 :]:
            counted = first["distinct"] is not None and second["distinct"] is not None
            if counted and distinct(first) * distinct(second) < rows:
                continue  # too few combinations to tell every row apart
            pair = [first["name"], second["name"]]
            if _unique(scan, pair, rows):
                return pair, f"together unique and never empty in the {_count(rows)} rows"
    return [], ""


def _timestamp(
    scan: Scan, fields: list[dict[str, Any]], as_of: datetime
) -> tuple[str | None, str | None, str]:
    """The record-time column, a maximum age from its cadence, and why."""
    times = [f for f in fields if scan.family_of(f["name"]) in ("timestamp", "date")]
    if not times:
        return None, None, ""
    times.sort(key=lambda f: (not _TIMESTAMP_NAMES.search(f["name"].lower()), fields.index(f)))
    column = times[0]["name"]
    ts = scan.timestamp(column)
    newest = [
        r[0]
        for r in scan.all(
            f"select distinct {ts} as t from {scan.relation} where {q(column)} is not null "
            f"order by t desc limit {CADENCE_SAMPLE}"
        )
    ]
    if not newest:
        return column, None, "the only timestamp column (no values)"
    age = max(0.0, (as_of - newest[0]).total_seconds())
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(newest)]
    cadence = statistics.median(gaps) if gaps else 0.0
    max_age = max(3 * cadence, 1.5 * age, 3600.0)
    because = (
        f"records every {_duration(cadence)} (median gap of the newest {_count(len(newest))}); "
        f"newest {_duration(age)} old at {as_of:%Y-%m-%d %H:%M} UTC"
    )
    return column, _duration(max_age), because


def suggest(scan: Scan, name: str, source: str, as_of: datetime) -> SuggestedMap:
    """Profile an opened dataset with the audit's measurement and infer its field map."""
    from flows.audit_command import profile

    document = profile(scan, [], None, None, as_of)
    rows = _rows(scan)
    personal = personal_columns(scan)
    fields = document["columns"]
    suggestions = [_field(scan, f, rows, personal) for f in fields]
    key, key_because = _key(scan, [f for f in fields if f["name"] not in personal], rows)
    timestamp, max_age, ts_because = _timestamp(scan, fields, as_of)
    return SuggestedMap(
        name=name,
        source=source,
        rows=rows,
        fields=suggestions,
        key=key,
        key_because=key_because,
        timestamp=timestamp,
        max_age=max_age,
        timestamp_because=ts_because,
    )


def dataset_name(source: str) -> str:
    """A dataset id from a source's file name (``Orders 2026.csv`` -> ``orders_2026``)."""
    stem = Path(source.rstrip("/").split("?")[0]).name.split(".")[0]
    text = re.sub(r"[^a-z0-9_]+", "_", stem.casefold()).strip("_")
    return text if re.match(r"^[a-z]", text) else f"dataset_{text or 'one'}"


def render(suggested: SuggestedMap, command: str) -> str:
    """The suggestion as a ``datasets:`` entry of a project file, each rule with its reason."""
    lines = [
        f"# Suggested by `{command}` from {_count(suggested.rows)} rows.",
        "# Review every rule before use: each comment says what it was inferred from, and every",
        "# rule holds on that data. Paste this under evidence.datasets in project.yml.",
        f"- name: {suggested.name}",
        f"  source: {_flow(suggested.source)}",
        "  field_map:",
        "    fields:",
    ]
    for s in suggested.fields:
        lines.append(f"      {_flow(s.column)}: {_flow(s.rules)}  # {'; '.join(s.because)}")
    if suggested.key:
        lines.append(f"    key: {_flow(suggested.key)}  # {suggested.key_because}")
    else:
        lines.append("    # key: no column or pair of columns is unique in the data")
    if suggested.timestamp:
        lines.append(f"    timestamp: {_flow(suggested.timestamp)}")
        if suggested.max_age:
            lines.append(f"    max_age: {suggested.max_age}  # {suggested.timestamp_because}")
    return "\n".join(lines) + "\n"


def suggest_source(
    source: str,
    *,
    table: str | None = None,
    query: str | None = None,
    file_format: str | None = None,
    name: str | None = None,
    as_of: datetime,
) -> SuggestedMap:
    """Open a source the audit reads (file, folder, glob, S3, PostgreSQL) and suggest its map.

    Raises ``ValueError`` for a source that is written wrong and ``EvidenceError`` for one that
    cannot be read.
    """
    from flows import duckdb_budget
    from flows.sources import parse_source
    from flows.sources.scan import audit_connection, open_scan, unreadable

    ref = parse_source(source, Path.cwd(), table=table, query=query)
    with duckdb_budget.audit_scratch(prefix="readiness-suggest-") as scratch:
        con = audit_connection(Path(scratch))
        scan = None
        try:
            scan = open_scan(con, "dataset", ref, Path(scratch), file_format)
            return suggest(scan, name or dataset_name(table or source), source, as_of)
        except (EvidenceError, OSError) as exc:
            raise unreadable(ref, exc) from exc
        finally:
            if scan is not None:
                scan.close()
            con.close()
