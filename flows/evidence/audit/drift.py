"""Production against its POC sample, per field: null rates, unseen categories and PSI.

The comparison is a plan of metrics too (:mod:`flows.evidence.audit.metrics`): on the POC
sample, each compared field's NULLs, its deciles (a numeric field) or its values (a categorical
one), in one query; on production, each numeric field's shares between the POC's deciles and the
values of each categorical field, in one more. Each side's reading executes its metrics
(:meth:`~flows.evidence.audit.readings.Reading.execute`, pushed down where production lives).
What the audit measured of production already is reused, never queried again: its null rates
(the field profiles) and, where its reading counted every value of a field, those counts.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flows.config import DatasetEvidence, FieldSpec
from flows.evidence.audit.metrics import (
    EXAMPLES,
    Categories,
    Nulls,
    Quantiles,
    Shares,
    locate,
)
from flows.evidence.audit.profiles import FieldProfile, masked
from flows.evidence.audit.readings import Measured, Reading, TableReading
from flows.sources.dialect import Scan

#: The POC sample's deciles cut a numeric field into bins.
DECILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: Categories are compared where the POC sample holds at most this many values of the field.
MAX_CATEGORIES = 50


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index of two distributions over the same bins."""
    eps = 1e-4
    total = 0.0
    for p, a in zip(expected, actual, strict=True):
        p, a = max(p, eps), max(a, eps)
        total += (a - p) * math.log(a / p)
    return total


def null_rate(profile: FieldProfile) -> float | None:
    """A field's share of NULLs, from its profile."""
    if profile.null_count is None or not profile.row_count:
        return None
    return profile.null_count / profile.row_count


def numeric(spec: FieldSpec) -> bool:
    """Whether a field is compared by the shares of its numbers between the POC's deciles."""
    return spec.type in ("integer", "number") and spec.allowed is None


def categorical(spec: FieldSpec) -> bool:
    """Whether a field is compared by its values (only where the field map declares them).

    PSI over free text or ids is noise.
    """
    return not numeric(spec) and (spec.allowed is not None or spec.type == "boolean")


def category_psi(poc: dict[str, int], prod: dict[str, int]) -> float:
    """PSI of two fields' values, over every value either holds (sorted: a fixed order)."""
    keys = sorted(set(poc) | set(prod))
    pt, at = sum(poc.values()) or 1, sum(prod.values()) or 1
    return psi([poc.get(k, 0) / pt for k in keys], [prod.get(k, 0) / at for k in keys])


def measure_drift(
    prod: Scan,
    poc: Scan,
    dataset: DatasetEvidence,
    profiles: list[FieldProfile],
    personal: dict[str, str] | None = None,
    readings: tuple[Reading, Reading] | None = None,
    measured: Measured | None = None,
) -> list[dict[str, Any]]:
    """Per field: null rates, categories production has that the POC never saw, and PSI.

    ``readings``: production's and the POC's (a table reading each by default); ``profiles``
    and ``measured``: what the audit measured of production (null rates; the counts of every
    value of a field, where its reading made them). The unseen categories of a personal field
    are shown masked.
    """
    prod_reading, poc_reading = readings or (TableReading(), TableReading())
    profiled = {p.field: p for p in profiles}
    pairs = []
    for name, spec in dataset.field_map.fields.items():
        a = locate(name, spec, prod.columns)
        b = locate(name, spec, poc.columns)
        if a is not None and b is not None:
            pairs.append((name, spec, a, b))
    poc.materialize()  # compared query by query: read it once, as a table
    # The POC sample: every field's NULLs, deciles and values in one query.
    nulls = {name: Nulls(name, b) for name, _, _, b in pairs}
    deciles = {name: Quantiles(name, b, DECILES) for name, spec, _, b in pairs if numeric(spec)}
    values = {name: Categories(name, b) for name, spec, _, b in pairs if categorical(spec)}
    got = poc_reading.execute(poc, [*nulls.values(), *deciles.values(), *values.values()])
    # Then each side's numbers between the POC's deciles, and production's values where the
    # audit did not count them.
    every = {
        name: figures.values
        for name, figures in (measured.fields if measured else {}).items()
        if figures.values is not None
    }
    poc_shares: dict[str, Shares] = {}
    prod_shares: dict[str, Shares] = {}
    poc_values: dict[str, dict[str, int]] = {}
    prod_values: dict[str, Categories] = {}
    for name, _, a, b in pairs:
        if name in deciles and (cuts := tuple(deciles[name].read(got[deciles[name]]))):
            poc_shares[name], prod_shares[name] = Shares(name, b, cuts), Shares(name, a, cuts)
        elif name in values:
            counts = values[name].read(got[values[name]])
            if 0 < len(counts) <= MAX_CATEGORIES:
                poc_values[name] = counts
                if name not in every:
                    prod_values[name] = Categories(name, a)
    poc_got = poc_reading.execute(poc, list(poc_shares.values()))
    prod_got = prod_reading.execute(prod, [*prod_shares.values(), *prod_values.values()])
    out = []
    for name, _, a, _ in pairs:
        poc_nulls = int(got[nulls[name]][0] or 0)
        row: dict[str, Any] = {
            "dataset": dataset.name,
            "field": name,
            "poc_null_rate": poc_nulls / poc.rows if poc.rows else None,
            "prod_null_rate": null_rate(profiled[name]),
            "unseen_categories": None,
            "unseen_examples": None,
            "psi": None,
        }
        if name in poc_shares:
            theirs, ours = prod_shares[name], poc_shares[name]
            row["psi"] = psi(ours.read(poc_got[ours]), theirs.read(prod_got[theirs]))
        elif name in poc_values:
            counted = (
                prod_values[name].read(prod_got[prod_values[name]])
                if name in prod_values
                else every[name]
            )
            unseen = sorted(set(counted) - set(poc_values[name]))
            row["unseen_categories"] = len(unseen)
            shown = masked(unseen[:EXAMPLES]) if a in (personal or {}) else unseen[:EXAMPLES]
            row["unseen_examples"] = json.dumps(shown) if unseen else None
            row["psi"] = category_psi(poc_values[name], counted)
        out.append(row)
    return out
