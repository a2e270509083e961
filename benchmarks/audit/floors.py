"""The floors under two costs of the CSV audit that no query can lower: a pattern test, a file's hash.

The one pass over a large CSV file spends about 1 s of 6.5 (10M rows) testing the email pattern
(``pass_parts.py``), and the file's sha256 takes 1.4 CPU seconds beside it. This measures, in one
run and round robin (medians), what part of each is the tool's own floor:

Pattern, over the email column of the benchmark's CSV file loaded in a DuckDB table once:

- ``not_null``: ``count_if(email is not null)`` (the baseline: one pass over the column);
- ``pattern``: the benchmark field map's pattern, as the audit tests it (``regexp_full_match``);
- ``trivial_pattern``: ``regexp_full_match(email, 'u.*')``: the cost of calling the regular
  expression engine at all, whatever the pattern;
- ``like``: ``email like '%@%.%'`` (no regular expression);
- ``pattern_1_thread``: the pattern with DuckDB on one thread (are the two threads contending?).

Hash, over the CSV file (in the page cache after the first round):

- ``read``: the file read in 1 MiB chunks, nothing else (the baseline);
- ``read_sha256``: read and hashed as the product hashes it (:func:`flows.config.fingerprint_file`
  without its memo);
- ``sha256_memory``: hashlib's sha256 over the same number of bytes already in memory (the
  instruction set's speed: SHA extensions where the processor has them).

    uv run python benchmarks/audit/floors.py --rows 10000000 --data /tmp/readiness-bench
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]

from run import EMAIL  # noqa: E402

CHUNK = 1 << 20


def pattern_steps(con: object) -> dict[str, Callable[[], object]]:
    """The pattern steps, each one query over the loaded column."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)

    def query(term: str, threads: int = 2) -> Callable[[], object]:
        def step() -> object:
            con.execute(f"set threads = {threads}")
            return con.execute(f"select {term} from t").fetchone()

        return step

    pattern = f"regexp_full_match(email, '{EMAIL}')"
    return {
        "not_null": query("count_if(email is not null)"),
        "pattern": query(f"count_if(not {pattern})"),
        "trivial_pattern": query("count_if(not regexp_full_match(email, 'u.*'))"),
        "like": query("count_if(email like '%@%.%')"),
        "pattern_1_thread": query(f"count_if(not {pattern})", threads=1),
    }


def hash_steps(csv: Path) -> dict[str, Callable[[], object]]:
    """The hash steps over the file."""
    size = csv.stat().st_size

    def read() -> object:
        buffer = bytearray(CHUNK)
        with open(csv, "rb", buffering=0) as f:
            while f.readinto(buffer):
                pass
        return None

    def read_sha256() -> object:
        from flows.config import _sha256

        return _sha256(csv)

    block = bytes(CHUNK)

    def sha256_memory() -> object:
        digest = hashlib.sha256()
        for _ in range(size // CHUNK):
            digest.update(block)
        return digest.hexdigest()

    return {"read": read, "read_sha256": read_sha256, "sha256_memory": sha256_memory}


def timed(step: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, every thread) of one call."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    step()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def arguments(description: str | None) -> argparse.Namespace:
    """The options of a benchmark timed round robin on the audit benchmark's files."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/readiness-bench"))
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args()


def main() -> None:
    """Load the column, then time every step round robin; print medians and ratios."""
    args = arguments(__doc__)
    import duckdb

    csv = args.data / f"orders_{args.rows}.csv"
    con = duckdb.connect()
    con.execute("create table t as select email from read_csv(?)", [str(csv)])
    rows = con.execute("select count(*), count(email) from t").fetchone()
    assert rows is not None and rows[1] > 0, "the email column was not loaded"
    groups = {"not_null": pattern_steps(con), "read": hash_steps(csv)}
    spent: dict[str, list[tuple[float, float]]] = {
        name: [] for steps in groups.values() for name in steps
    }
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}, load before "
        f"{os.getloadavg()[0]:.1f}; {args.rows:,} rows, {csv.stat().st_size / 1e9:.2f} GB"
    )
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for _ in range(args.rounds):
            for steps in groups.values():
                for name, step in steps.items():
                    spent[name].append(timed(step))
            print(f"round done, load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\n{args.rounds} rounds, medians")
    print("| step | wall s | CPU s | wall ratio | CPU ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for baseline, steps in groups.items():
        base_wall = statistics.median(w for w, _ in spent[baseline])
        base_cpu = statistics.median(c for _, c in spent[baseline])
        for name in steps:
            wall = statistics.median(w for w, _ in spent[name])
            cpu = statistics.median(c for _, c in spent[name])
            print(
                f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / base_wall:.1f}x {baseline} "
                f"| {cpu / base_cpu:.1f}x {baseline} |"
            )
    print(f"load after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
