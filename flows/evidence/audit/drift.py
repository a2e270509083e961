"""Production against its POC sample, per field: null rates, unseen categories and PSI.

Production's null rates are its field profiles' (measured once, by the audit); the POC sample is
read here, as a table.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flows.config import DatasetEvidence
from flows.evidence.audit.metrics import EXAMPLES, locate
from flows.evidence.audit.profiles import FieldProfile, masked
from flows.sources.dialect import Scan
from flows.sources.files import q


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index of two distributions over the same bins."""
    eps = 1e-4
    total = 0.0
    for p, a in zip(expected, actual, strict=True):
        p, a = max(p, eps), max(a, eps)
        total += (a - p) * math.log(a / p)
    return total


def _null_rate(scan: Scan, column: str) -> float | None:
    r = scan.one(f"select count(*) filter (where {q(column)} is null) from {scan.relation}")
    return int(r[0]) / scan.rows if r and scan.rows else None


def _shares(scan: Scan, column: str, cuts: list[float]) -> list[float]:
    number = scan.number(column)
    bucket = " + ".join(f"case when {number} > {c!r} then 1 else 0 end" for c in cuts)
    counts = {
        int(b): int(n)
        for b, n in scan.all(
            f"select {bucket} as b, count(*) from {scan.relation} where {number} is not null group by 1"
        )
    }
    total = sum(counts.values()) or 1
    return [counts.get(i, 0) / total for i in range(len(cuts) + 1)]


def _categories(scan: Scan, column: str) -> dict[str, int]:
    return {
        str(v): int(n)
        for v, n in scan.all(
            f"select {scan.text(column)}, count(*) from {scan.relation} "
            f"where {q(column)} is not null group by 1 limit 1001"
        )
    }


def null_rate(profile: FieldProfile) -> float | None:
    """A field's share of NULLs, from its profile."""
    if profile.null_count is None or not profile.row_count:
        return None
    return profile.null_count / profile.row_count


def measure_drift(
    prod: Scan,
    poc: Scan,
    dataset: DatasetEvidence,
    profiles: list[FieldProfile],
    personal: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Per field: null rates, categories production has that the POC never saw, and PSI.

    Production's null rates are its field ``profiles``'; the unseen categories of a personal
    field are shown masked.
    """
    measured = {p.field: p for p in profiles}
    prod.materialize()
    poc.materialize()
    out = []
    for name, spec in dataset.field_map.fields.items():
        a = locate(name, spec, prod.columns)
        b = locate(name, spec, poc.columns)
        if a is None or b is None:
            continue
        row: dict[str, Any] = {
            "dataset": dataset.name,
            "field": name,
            "poc_null_rate": _null_rate(poc, b),
            "prod_null_rate": null_rate(measured[name]),
            "unseen_categories": None,
            "unseen_examples": None,
            "psi": None,
        }
        if spec.type in ("integer", "number") and spec.allowed is None:
            points = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
            edges = poc.one(f"select {poc.quantiles(poc.number(b), points)} from {poc.relation}")
            cuts = (
                sorted({float(e) for e in edges[0] if e is not None}) if edges and edges[0] else []
            )
            if cuts:
                row["psi"] = psi(_shares(poc, b, cuts), _shares(prod, a, cuts))
        elif spec.allowed is not None or spec.type == "boolean":
            # Categories only where the field map declares them: PSI over free text or ids is noise.
            poc_values = _categories(poc, b)
            if 0 < len(poc_values) <= 50:
                prod_values = _categories(prod, a)
                unseen = sorted(set(prod_values) - set(poc_values))
                row["unseen_categories"] = len(unseen)
                shown = masked(unseen[:EXAMPLES]) if a in (personal or {}) else unseen[:EXAMPLES]
                row["unseen_examples"] = json.dumps(shown) if unseen else None
                keys = sorted(set(poc_values) | set(prod_values))
                pt, at = sum(poc_values.values()) or 1, sum(prod_values.values()) or 1
                row["psi"] = psi(
                    [poc_values.get(k, 0) / pt for k in keys],
                    [prod_values.get(k, 0) / at for k in keys],
                )
        out.append(row)
    return out
