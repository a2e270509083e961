"""Reading results back from the published snapshot: the latest result per project, a run's summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from core.gaps import GAP_IDS
from readmodel import programme, queries, summary
from readmodel.snapshots import NoSnapshotError, open_snapshot

__all__ = ["NoSnapshotError", "project_results"]


@dataclass(frozen=True)
class _Result:
    """One project's result in a run, as ``readiness status`` reads it (``recommendations``)."""

    project_id: str
    project_name: str
    recommendation: str
    confidence: float | None
    reason: str | None
    blocking_gaps: str | None
    run_id: str
    run_started_at: datetime | None
    project_status: str
    claims_contradicted: int | None
    verdict: str | None
    waivers_relied_on: int | None
    stage: str | None
    next_stage: str | None
    stage_text: str | None
    unnamed_owner_roles: int | None


_LATEST = f"""
select {", ".join(f"r.{name}" for name in (f.name for f in fields(_Result)))}
from recommendations as r
{{join}}
where {{where}}
order by {{order}}
"""


def project_results(
    snapshot: Path, run_id: str | None = None, portfolios: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Latest result per project (or the results of one run): recommendation, confidence, gap scores.

    The reason is dbt's, in plain words; ``blockers`` are the failing critical and major checks
    with their titles and the blockers' reasons (readmodel.summary.BLOCKERS, as the one-pagers
    list them); ``missing_evidence`` names, per gap, the checks that had none.

    ``snapshot`` is the published folder (or one snapshot file); ``portfolios`` limits what is
    read to those portfolios' snapshots (None: every portfolio).
    """
    # The latest results are project_latest's, in the portfolio's ranking; one run's by project id.
    join, where, order, params = (
        ("", "r.run_id = ?", "r.project_id", [run_id])
        if run_id
        else (
            "inner join project_latest as l on r.run_id = l.run_id and r.project_id = l.project_id",
            "true",
            "l.display_order",
            [],
        )
    )
    results: list[dict[str, Any]] = []
    with open_snapshot(snapshot, portfolios) as con:
        sql = _LATEST.format(join=join, where=where, order=order)
        for row in queries.typed_rows(con, sql, params, _Result):
            key = [row.run_id, row.project_id]
            gaps = {g.gap: g for g in queries.typed_rows(con, summary.GAPS, key, summary.GapLine)}
            blockers = [
                {
                    "check": b.check_id,
                    "gap": b.gap,
                    "title": b.title,
                    "severity": b.severity,
                    "reasons": b.reasons,
                    "owner": b.owner,
                }
                for b in queries.typed_rows(con, summary.BLOCKERS, [*key, None], summary.Blocker)
            ]
            results.append(
                {
                    "project": row.project_id,
                    "name": row.project_name,
                    "recommendation": row.recommendation,
                    "confidence": row.confidence,
                    "reason": row.reason,
                    "blocking_gaps": [g for g in (row.blocking_gaps or "").split(",") if g],
                    "gaps": {g: gaps[g].score if g in gaps else None for g in GAP_IDS},
                    "gap_status": {g: gaps[g].status if g in gaps else None for g in GAP_IDS},
                    "missing_evidence": {
                        g: gaps[g].missing_evidence
                        for g in GAP_IDS
                        if g in gaps and gaps[g].missing_evidence
                    },
                    "blockers": blockers,
                    "claims_contradicted": int(row.claims_contradicted or 0),
                    "run_id": row.run_id,
                    "assessed_at": row.run_started_at.isoformat() if row.run_started_at else None,
                    "project_status": row.project_status,
                    "verdict": row.verdict,
                    "waivers_relied_on": int(row.waivers_relied_on or 0),
                    "waivers": programme.run_waivers(con, row.run_id, row.project_id),
                    "stage": row.stage,
                    "next_stage": row.next_stage,
                    "stage_text": row.stage_text,
                    "unnamed_owner_roles": int(row.unnamed_owner_roles or 0),
                    **programme.run_target(con, row.run_id, row.project_id),
                }
            )
    return results
