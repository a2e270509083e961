"""Gates for a CI job: what ``--fail-on`` finds in a command's result, and the exit codes.

Every command exits 0 when it did its work and the gate (if any) passed; 1 when it could not do
its work (nothing published, a source that cannot be read, a run that failed); 2 when the command
line or the configuration is wrong; and :data:`GATE_FAILED` (3) when it did its work and a
``--fail-on`` condition holds, so that a job can tell "readiness got worse" from "the check could
not run". docs/cli.md has the table.

The findings are pure functions of what the command already computed (a diff, an audit document,
the latest results): a gate never measures or judges anything again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readmodel.history import RunDiff

#: The exit code of a command whose ``--fail-on`` condition holds.
GATE_FAILED = 3

DIFF_GATES = ("regression", "any")
AUDIT_GATES = ("stale", "violations", "duplicates")
STATUS_GATES = ("not-go",)


def unknown_gate(value: str | None, allowed: Sequence[str]) -> str | None:
    """What is wrong with a ``--fail-on`` value, or None."""
    if value is None or value in allowed:
        return None
    return f"--fail-on {value!r}: expected {' or '.join(allowed)}"


def diff_findings(result: RunDiff, fail_on: str, gap_drop_points: float) -> list[str]:
    """Why ``readiness diff --fail-on`` fails: each regression (or each change, for ``any``).

    A regression is what an alert announces (:func:`flows.alerts.find_regressions`): a
    recommendation that went from go to not yet, a gap that dropped by ``gap_drop_points`` or more,
    a critical check that newly fails.
    """
    from flows.alerts import find_regressions

    found: list[str] = []
    for diff in result.projects:
        if fail_on == "regression":
            found += [
                f"{r.project_id}: {r.message}" for r in find_regressions(diff, gap_drop_points)
            ]
        elif not diff.unchanged:
            found.append(f"{diff.project_id}: changed")
    if fail_on == "any":
        found += [f"{p}: only in {result.run_before}" for p in result.only_before]
        found += [f"{p}: only in {result.run_after}" for p in result.only_after]
    return found


def audit_findings(document: dict[str, Any], fail_on: str) -> list[str]:
    """Why ``readiness audit --fail-on`` fails, from the audit document (the ``--json`` output).

    ``stale``: the newest timestamp is older than ``--max-age``, or none could be read;
    ``violations``: rows that could not be read as their column's type (rejected rows);
    ``duplicates``: rows sharing a ``--key``.
    """
    found: list[str] = []
    if fail_on == "stale":
        fresh = document.get("freshness")
        if fresh is None or fresh.get("max_age_seconds") is None:
            return ["--fail-on stale needs --timestamp and --max-age"]
        if fresh["fresh"] is None:
            found.append(f"no {fresh['column']} could be read: freshness unknown")
        elif not fresh["fresh"]:
            found.append(f"the newest {fresh['column']} is older than the max age")
    elif fail_on == "violations":
        if document.get("rejected_rows"):
            found.append(f"{document['rejected_rows']:,} row(s) could not be read")
    elif fail_on == "duplicates":
        duplicates = document.get("duplicates")
        if duplicates is None:
            return ["--fail-on duplicates needs --key"]
        if duplicates["duplicate_rows"]:
            found.append(
                f"{duplicates['duplicate_rows']:,} row(s) share a key ({', '.join(duplicates['key'])})"
            )
    return found


def status_findings(results: list[dict[str, Any]], project: str) -> list[str]:
    """Why ``readiness status --fail-on not-go --project ID`` fails (the project is not go)."""
    mine = [r for r in results if r["project"] == project]
    return [
        f"{r['project']}: {r.get('reason') or 'not yet (see readiness show)'}"
        for r in mine
        if r["recommendation"] != "go"
    ]
