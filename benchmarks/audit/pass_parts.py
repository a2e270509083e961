"""Where the one pass over a large CSV file spends its time: the pass taken apart, interleaved.

Runs the product's audit of the benchmark's CSV file once to capture the SQL of its one pass
(:meth:`flows.sources.scan.DuckDBScan.pass_into`), then times that pass and the same pass
without one group of its aggregates at a time, round robin (every variant once per round, so that
load from other processes falls on all alike), each into a temporary table as the product does.
Reported per variant: the median wall and CPU seconds (user + system, every thread) over the
rounds, and how much less than the whole pass each costs:

- ``full``: the pass as the product runs it;
- ``no_counts``: without the counts of the fields of few values (``histogram_exact``);
- ``declared_counts``: with the counts of only the fields whose allowed values the field map
  declares (the others' counts are the profile's exact distinct and top values);
- ``no_pattern``: without the pattern test (its count and its examples);
- ``no_examples``: without the examples of violations;
- ``no_key_list``: without the list of every key;
- ``bare``: only the rows, the nulls, min and max of the fields not counted value by value, and
  the non-null count of the others (about what ``csv_read``, min and max of every column,
  computes).

The variants run on a connection with DuckDB's defaults (no memory limit: nothing here spills).

    uv run python benchmarks/audit/pass_parts.py --rows 10000000 --data /tmp/readiness-bench
"""

from __future__ import annotations

import fcntl
import functools
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]

from floors import arguments, timed  # noqa: E402
from run import CATEGORIES  # noqa: E402

DECLARED = tuple(CATEGORIES)  # the fields whose allowed values the field map declares

VARIANTS = {
    "full": lambda term: True,
    "no_counts": lambda term: not term.startswith("histogram_exact("),
    "declared_counts": lambda term: (
        not term.startswith("histogram_exact(")
        or term.startswith(tuple(f'histogram_exact("{c}"' for c in DECLARED))
    ),
    "no_pattern": lambda term: "regexp" not in term,
    "no_examples": lambda term: "struct_pack" not in term,
    "no_key_list": lambda term: not term.startswith("list("),
    "bare": lambda term: term.startswith(("count(*)", "cast(min(", "cast(max(", 'count("')),
}


def captured_pass(csv: Path) -> tuple[list[str], str]:
    """The product's pass over the file: its aggregates, and the reader they run on."""
    import run

    from flows.sources.scan import DuckDBScan

    seen: list[tuple[list[str], str]] = []
    original = DuckDBScan.pass_into

    def spy(self: DuckDBScan, table: str, exprs: list[str]) -> None:
        assert self.csv_stream is not None
        seen.append((list(exprs), self.csv_stream.reader()))
        original(self, table, exprs)

    DuckDBScan.pass_into = spy  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="readiness-bench-home-") as home:
        os.environ["READINESS_HOME"] = home
        run.step_audit(csv)
    DuckDBScan.pass_into = original  # type: ignore[method-assign]
    return seen[-1]


def main() -> None:
    """Capture the pass, then time its variants round robin."""
    args = arguments(__doc__)
    import duckdb

    exprs, reader = captured_pass(args.data / f"orders_{args.rows}.csv")
    con = duckdb.connect()
    spent: dict[str, tuple[list[float], list[float]]] = {v: ([], []) for v in VARIANTS}
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for _ in range(args.rounds):
            for name, keep in VARIANTS.items():
                kept = [e for e in exprs if keep(e)]
                selects = ", ".join(f"{e} as e{i}" for i, e in enumerate(kept))
                sql = f"create or replace temp table p as select {selects} from {reader}"
                wall, cpu = timed(functools.partial(con.execute, sql))
                spent[name][0].append(wall)
                spent[name][1].append(cpu)
            print(f"round done, load {os.getloadavg()[0]:.1f}", flush=True)
    full_wall = statistics.median(spent["full"][0])
    full_cpu = statistics.median(spent["full"][1])
    print(f"\n{args.rows:,} rows, {len(exprs)} aggregates, {args.rounds} rounds")
    print("| pass | wall s | CPU s | wall less than full | CPU less than full |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (walls, cpus) in spent.items():
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"| {name} | {wall:.2f} | {cpu:.2f} | {full_wall - wall:.2f} | {full_cpu - cpu:.2f} |"
        )


if __name__ == "__main__":
    main()
