"""How pytest-xdist hands tests to its workers (``scripts/check.py`` runs two; see docs/testing.md).

A work unit is a test file, or every test marked ``pytest.mark.xdist_group("name")`` (in any
file: they share a session fixture only they use). Keeping a file together means its module
fixtures (an assessment, a served dashboard) run once. The slowest units are handed out first
(the longest-processing-time rule), so that neither worker is left with a long file at the end
while the other waits; the rest follow in collection order.
"""

from __future__ import annotations

from xdist.scheduler.loadscope import LoadScopeScheduling
from xdist.workermanage import WorkerController

# Files that run assessments of their own (flow and dbt build, ~1 min each) or long servers,
# most work first. A file missing here is scheduled after these, in collection order: add a new
# file that runs its own assessment.
SLOWEST_FIRST = (
    "tests/e2e/test_example_history.py",
    "tests/dbt/test_gap_evidence.py",
    "tests/e2e/test_reproduce.py",
    "tests/e2e/test_postgres_warehouse.py",
    "tests/e2e/test_faults.py",
    "tests/e2e/test_storage_faults.py",
    "tests/dbt/test_scale_evidence.py",
    "tests/e2e/test_waivers.py",
    "tests/e2e/test_schedule_dask.py",
    "tests/e2e/test_cli_gates.py",
    "tests/e2e/test_cli.py",
    "tests/e2e/test_rubric_changes.py",
    "tests/dbt/test_contracts.py",
    "tests/flows/test_s3_audit_ranged.py",
    "tests/flows/test_notify.py",
    "tests/flows/test_alerts.py",
    "tests/flows/test_data_audit_portfolio.py",
    "tests/dashboard/test_blocker_end_to_end.py",
    "tests/e2e/test_history.py",
    "tests/e2e/test_assessment.py",
    "tests/browser/test_dashboard_browser.py",
    "tests/flows/test_privacy_ops.py",
    "tests/flows/test_prefect_server.py",
    "tests/flows/test_config_doc.py",
    "tests/flows/test_measurement_cache.py",
)


class FileOrGroupScheduling(LoadScopeScheduling):
    """``--dist loadfile`` with ``xdist_group`` marks honoured, slowest units first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        # Under --dist loadgroup xdist appends "@group" to a marked test's id.
        if nodeid.rfind("@") > nodeid.rfind("]"):
            return "@" + nodeid.rsplit("@", 1)[-1]
        return nodeid.split("::", 1)[0]

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not self._ordered:
            self._ordered = True
            rank = {path: i for i, path in enumerate(SLOWEST_FIRST)}

            def weight(scope: str) -> int:
                if scope.startswith("@"):  # a group: ranked by its first file
                    files = [n.split("::", 1)[0] for n in self.workqueue[scope]]
                    return min((rank.get(f, len(rank)) for f in files), default=len(rank))
                return rank.get(scope, len(rank))

            ordered = sorted(self.workqueue.items(), key=lambda item: weight(item[0]))
            self.workqueue.clear()
            self.workqueue.update(ordered)
        super()._assign_work_unit(node)
