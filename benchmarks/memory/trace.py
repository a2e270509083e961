"""Where a data audit's memory goes: peak resident memory and DuckDB's own, phase by phase.

Audits one file as ``run.py``'s steps do (the benchmark's field map, its budget from the
environment) in this process, and samples from a thread: the process's resident memory every
20 ms, DuckDB's ``duckdb_memory()`` (per tag, and what it spilled) every 0.25 s through a cursor
of the audit's connection. The phases are the reading's functions, wrapped by name. What the
process holds beyond DuckDB's own at the peak is what DuckDB's memory limit does not bound.

    READINESS_MEMORY_BUDGET=1.5GB READINESS_MAX_WORKERS=1 READINESS_HOME=$(mktemp -d) \\
        uv run python benchmarks/memory/trace.py /tmp/readiness-memory-bench-100000000/keys_100000000.csv
"""

from __future__ import annotations

import functools
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import run as bench  # noqa: E402  (benchmarks/memory/run.py)

import flows.evidence.audit.large_csv as large_csv  # noqa: E402
import flows.evidence.data_audit as data_audit  # noqa: E402
from flows.sources.scan import DuckDBScan  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
#: The phase running now (the innermost wrapped function), and per phase its peaks.
phase = ["other"]
peaks: dict[str, dict[str, Any]] = {}
connections: list[Any] = []


def resident_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def named(owner: Any, name: str) -> None:
    """Wrap ``owner.name`` so that the samples taken while it runs are counted under its name."""
    function = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer, phase[0] = phase[0], name
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            print(f"  {name}: {time.perf_counter() - started:.2f} s", file=sys.stderr)
            phase[0] = outer

    setattr(owner, name, wrapper)


def sample(stop: threading.Event) -> None:
    last = 0.0
    while not stop.is_set():
        peak = peaks.setdefault(phase[0], {"rss": 0.0, "duckdb": 0.0, "spilled": 0.0, "tags": {}})
        peak["rss"] = max(peak["rss"], resident_mib())
        # Not between queries of the audit's own: a cursor busy at close would fail the close.
        if connections and phase[0] != "other" and time.monotonic() - last > 0.25:
            last = time.monotonic()
            cursor = connections[0].cursor()
            rows = cursor.execute(
                "select tag, memory_usage_bytes, temporary_storage_bytes from duckdb_memory()"
            ).fetchall()
            cursor.close()
            used = sum(r[1] for r in rows) / 2**20
            if used > peak["duckdb"]:
                peak["duckdb"] = used
                peak["tags"] = {t: round(m / 2**20) for t, m, _ in rows if m >= 2**20}
            peak["spilled"] = max(peak["spilled"], sum(r[2] for r in rows) / 2**20)
        time.sleep(0.02)


def main() -> None:
    for name in ("open_or_record", "personal_columns", "audit_dataset"):
        named(data_audit, name)
    for name in ("read_head", "weigh_values", "grouped_keys"):
        named(large_csv, name)
    for name in ("rescan", "top_values", "materialize"):
        named(DuckDBScan, name)
    connect = data_audit.audit_connection

    def kept(*args: Any, **kwargs: Any) -> Any:
        connections.append(connect(*args, **kwargs))
        return connections[-1]

    data_audit.audit_connection = kept  # type: ignore[assignment]
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(stop,), daemon=True)
    sampler.start()
    started = time.perf_counter()
    figures = bench.audit(Path(sys.argv[1]), 1)
    stop.set()
    sampler.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{figures}, {time.perf_counter() - started:.1f} s, peak {peak:.0f} MiB (ru_maxrss)")
    print("| phase | peak RSS MiB | DuckDB's own MiB | spilled MiB | DuckDB's tags at its peak |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, p in peaks.items():
        print(f"| {name} | {p['rss']:.0f} | {p['duckdb']:.0f} | {p['spilled']:.0f} | {p['tags']} |")


if __name__ == "__main__":
    main()
