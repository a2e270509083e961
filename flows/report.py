"""Reading results back from the published snapshot: the latest result per project, a run's summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.gaps import GAP_IDS
from readmodel import programme
from readmodel.snapshots import NoSnapshotError, open_snapshot

__all__ = ["NoSnapshotError", "project_results"]

_LATEST = """
select r.project_id, r.project_name, r.recommendation, r.confidence, r.reason,
       r.blocking_gaps, r.run_id, r.run_started_at, r.project_status, r.claims_contradicted,
       r.verdict, r.waivers_relied_on, r.stage, r.next_stage, r.stage_text, r.unnamed_owner_roles
from recommendations as r
{join}
where {where}
order by {order}
"""

_GAPS = """
select project_id, gap, score, status, missing_evidence
from gap_scores
where run_id = ? and project_id = ?
order by gap_order
"""

# The failing critical and major checks, by title, with what the respondents wrote beside a
# blocker (sa_legal_blockers' detail.blockers: "Legal: the data protection impact assessment is
# not done"). A waived check blocks nothing: it is listed with the waivers.
_BLOCKERS = """
select check_id, gap, title, severity, json_extract_string(evidence, '$.detail.blockers'), owner
from check_results
where run_id = ? and project_id = ? and result = 'fail' and severity in ('critical', 'major')
  and not waived
order by case severity when 'critical' then 0 else 1 end, weight desc, check_id
"""


def project_results(
    snapshot: Path, run_id: str | None = None, portfolios: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Latest result per project (or the results of one run): recommendation, confidence, gap scores.

    The reason is dbt's, in plain words; ``blockers`` are the failing critical and major checks
    with their titles and the blockers' reasons; ``missing_evidence`` names, per gap, the checks
    that had none.

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
        rows = con.execute(_LATEST.format(join=join, where=where, order=order), params).fetchall()
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
            claims,
            verdict,
            relied,
            stage,
            next_stage,
            stage_text,
            unnamed,
        ) in rows:
            gaps = {
                gap: {"score": score, "status": gap_status, "missing_evidence": missing}
                for _, gap, score, gap_status, missing in con.execute(
                    _GAPS, [rid, project_id]
                ).fetchall()
            }
            blockers = [
                {
                    "check": check,
                    "gap": gap,
                    "title": title,
                    "severity": severity,
                    "reasons": why,
                    "owner": owner,
                }
                for check, gap, title, severity, why, owner in con.execute(
                    _BLOCKERS, [rid, project_id]
                ).fetchall()
            ]
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
                    "missing_evidence": {
                        g: gaps[g]["missing_evidence"]
                        for g in GAP_IDS
                        if gaps.get(g, {}).get("missing_evidence")
                    },
                    "blockers": blockers,
                    "claims_contradicted": int(claims or 0),
                    "run_id": rid,
                    "assessed_at": started.isoformat() if started else None,
                    "project_status": status,
                    "verdict": verdict,
                    "waivers_relied_on": int(relied or 0),
                    "waivers": programme.run_waivers(con, rid, project_id),
                    "stage": stage,
                    "next_stage": next_stage,
                    "stage_text": stage_text,
                    "unnamed_owner_roles": int(unnamed or 0),
                    **programme.run_target(con, rid, project_id),
                }
            )
    return results
