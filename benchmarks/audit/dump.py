"""Every raw row the data audit writes, as JSON: to compare the audit's output before and after a change.

Audits the example portfolio's datasets (each project's ``collect_datasets``), and the audit
benchmark's generated files when ``--bench`` names them, in the reading a file gets (a table),
and again with every CSV file measured in one pass where it is (``SINGLE_PASS_MIN_BYTES`` 0,
a small head), and prints one JSON document of ``raw_*`` rows (sorted keys, values as text)::

    uv run python benchmarks/audit/dump.py > /tmp/after.json
    uv run python benchmarks/audit/dump.py --bench /tmp/readiness-bench/orders_2000000 > ...

Run it from a checkout of the code to compare (the script puts its own checkout first on the
path), and compare the two documents with ``cmp``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def text(value: Any) -> str | None:
    """A value as text, the checkout's own folder left out (to compare two checkouts)."""
    return None if value is None else str(value).replace(str(ROOT), "<root>")


def audits(bench: list[Path]) -> dict[str, Any]:
    """The raw rows of every audit, per project and reading."""
    from core.settings import REPO_ROOT
    from flows.config import LoadedProject, Project, load_portfolio
    from flows.evidence import Context
    from flows.evidence.data_audit import collect_datasets

    portfolio = load_portfolio(
        REPO_ROOT / "examples" / "portfolio.yml", REPO_ROOT / "rubric" / "rubric.yml"
    )
    projects = list(portfolio.projects)
    if bench:
        from run import field_map  # the audit benchmark's field map

        for path in bench:
            data = {
                "id": f"bench_{path.suffix[1:]}",
                "name": "Benchmark",
                "evidence": {
                    "datasets": [{"name": "orders", "source": str(path), "field_map": field_map()}]
                },
            }
            projects.append(
                LoadedProject(
                    path=path.parent / "project.yml", project=Project.model_validate(data)
                )
            )
    out: dict[str, Any] = {}
    for project in projects:
        pid = project.project.id
        evidence = collect_datasets(Context("dump", pid, AS_OF), project)
        out[pid] = {
            table: [{k: text(v) for k, v in row.items()} for row in rows]
            for table, rows in sorted(evidence.tables.items())
        }
        out[pid]["holds"] = [str(h) for h in evidence.holds]
    return out


def main() -> None:
    """Print the document."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", nargs="*", type=Path, default=[])
    args = parser.parse_args()
    import flows.evidence.data_audit as audit
    import flows.sources.files as files

    document = {"table": audits(args.bench)}
    files.SINGLE_PASS_MIN_BYTES = 0
    audit.HEAD_ROWS = 300
    document["single_pass"] = audits([p for p in args.bench if p.suffix == ".csv"])
    print(json.dumps(document, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
