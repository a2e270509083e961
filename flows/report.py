"""Reading results back from the published snapshot: the latest result per project, a run's summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flows.config import GAP_IDS
from flows.snapshots import NoSnapshotError, open_snapshot

__all__ = ["NoSnapshotError", "project_results"]

_LATEST = """
select r.project_id, r.project_name, r.recommendation, r.confidence, r.reason,
       r.blocking_gaps, r.run_id, r.run_started_at, r.project_status
from recommendations as r
where {where}
order by r.project_id
"""

_GAPS = """
select project_id, gap, score, status
from gap_scores
where run_id = ? and project_id = ?
order by gap_order
"""


def project_results(
    snapshot: Path, run_id: str | None = None, portfolios: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Latest result per project (or the results of one run): recommendation, confidence, gap scores.

    ``snapshot`` is the published folder (or one snapshot file); ``portfolios`` limits what is
    read to those portfolios' snapshots (None: every portfolio).
    """
    where, params = ("r.run_id = ?", [run_id]) if run_id else ("r.is_latest", [])
    results: list[dict[str, Any]] = []
    with open_snapshot(snapshot, portfolios) as con:
        rows = con.execute(_LATEST.format(where=where), params).fetchall()
        for (
            project_id,
            name,
            recommendation,
            confidence,
            reason,
            blocking,
            rid,
            started,
            status,
        ) in rows:
            gaps = {
                gap: {"score": score, "status": gap_status}
                for _, gap, score, gap_status in con.execute(_GAPS, [rid, project_id]).fetchall()
            }
            results.append(
                {
                    "project": project_id,
                    "name": name,
                    "recommendation": recommendation,
                    "confidence": float(confidence) if confidence is not None else None,
                    "reason": reason,
                    "blocking_gaps": [g for g in (blocking or "").split(",") if g],
                    "gaps": {g: gaps.get(g, {}).get("score") for g in GAP_IDS},
                    "gap_status": {g: gaps.get(g, {}).get("status") for g in GAP_IDS},
                    "run_id": rid,
                    "assessed_at": started.isoformat() if started else None,
                    "project_status": status,
                }
            )
    return results
