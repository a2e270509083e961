"""The data audit's memory budget: one budget per process, shared by the audits running at once.

DuckDB takes 80 % of the machine's memory for each connection by default, so that four audits at
once in one portfolio run could ask for 320 % of it. Here the budget (``READINESS_MEMORY_BUDGET``,
a size or a share of the machine's memory) is split into ``READINESS_MAX_WORKERS`` equal parts:
an audit holds one part (:func:`audit_scratch`) for as long as its connection is open, a further
audit waits for a part to come free, and each connection's ``memory_limit`` is its part
(:func:`apply`). What does not fit spills to a temporary folder of the audit under
``READINESS_SPILL_DIR`` (``READINESS_HOME/spill``), removed when the audit ends; every grouping
DuckDB runs (hash aggregates, distinct counts, joins, sorts) honours the limit by spilling there.

A local Dask cluster runs ``max_workers`` processes of one audit each: each process holds one part
too, so that together they stay within the budget.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import Settings, get_settings
from flows.storage import spill_place

if TYPE_CHECKING:
    import duckdb

_UNITS = {
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|[KMGT]?I?B)\s*$", re.IGNORECASE)
#: The smallest part DuckDB is given, whatever the budget and the number of parts: below it a
#: connection cannot hold even the buffers one scan needs.
MIN_PART = 32 * 1024**2


def machine_memory() -> int:
    """The memory this process may use: the machine's, or its cgroup's limit when lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def parse_size(text: str) -> int:
    """Bytes of a size such as ``2GB``, ``512MiB`` or ``50%`` (of :func:`machine_memory`)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a memory size: {text!r} (expected e.g. 2GB, 512MiB or 50%)")
    number, unit = float(match.group(1)), match.group(2).upper()
    if unit == "%":
        return int(machine_memory() * number / 100)
    return int(number * _UNITS[unit])


@dataclass(frozen=True)
class Budget:
    """What one audit connection may use: its part of the memory, threads and spill folder."""

    total: int
    parts: int
    threads: int | None
    spill: Path

    @property
    def part(self) -> int:
        """Bytes of one part (the memory limit of one connection)."""
        return max(MIN_PART, self.total // self.parts)


#: Bytes one value of a key's range takes in DuckDB's perfect hash aggregate, in each thread
#: (measured: about 400 MiB beyond a 100 MB limit for a range of 10M values in 2 threads).
PERFECT_HASH_SLOT_BYTES = 16


def perfect_hash_bits(widest: int, share: Budget | None = None) -> int:
    """Bits of key range up to which DuckDB may group integer keys with its perfect hash aggregate.

    Its table (a slot per value of the key's range, in each thread) is allocated outside
    DuckDB's memory limit and never spills: it is widened beyond DuckDB's default (12 bits),
    up to ``widest``, only as far as a quarter of a connection's part holds it.
    """
    share = share or budget()
    threads = share.threads or os.cpu_count() or 1
    slots = share.part // 4 // (PERFECT_HASH_SLOT_BYTES * threads)
    return max(12, min(widest, slots.bit_length() - 1))


def budget(settings: Settings | None = None) -> Budget:
    """The process's budget, from the settings."""
    settings = settings or get_settings()
    return Budget(
        total=parse_size(settings.memory_budget),
        parts=settings.max_workers,
        threads=settings.duckdb_threads,
        spill=settings.spill,
    )


_lock = threading.Lock()
_parts: dict[int, threading.BoundedSemaphore] = {}


def _semaphore(parts: int) -> threading.BoundedSemaphore:
    with _lock:
        if parts not in _parts:
            _parts[parts] = threading.BoundedSemaphore(parts)
        return _parts[parts]


@contextmanager
def audit_scratch(prefix: str = "readiness-audit-") -> Iterator[Path]:
    """One part of the budget, and a temporary spill folder, for the length of one audit.

    An audit beyond ``max_workers`` at once waits here for a part to come free.
    """
    share = budget()
    parts = _semaphore(share.parts)
    with parts:
        try:
            share.spill.mkdir(parents=True, exist_ok=True)
            held = tempfile.TemporaryDirectory(prefix=prefix, dir=share.spill)
        except OSError as exc:  # the line a run's preflight gives (flows.storage)
            raise spill_place(share.spill).refusal(exc) from None
        with held as scratch:
            yield Path(scratch)


def apply(con: duckdb.DuckDBPyConnection, scratch: Path, share: Budget | None = None) -> None:
    """Give a connection its part of the budget, its threads and ``scratch`` to spill to.

    Call it before the connection's configuration is locked.
    """
    share = share or budget()
    con.execute(f"set memory_limit = '{share.part // 1024}KiB'")
    con.execute(f"set temp_directory = '{str(scratch).replace(chr(39), chr(39) * 2)}'")
    # Kept (DuckDB's default): a table a CSV file is copied into holds its rows in the file's
    # order, and a limit keeps the first rows in that order whatever order the threads read
    # them in, so that the rows an audit samples (a head, examples, a rule's example rows) are
    # the same on every run. Without it, two audits of one Parquet file showed different
    # examples and proved different figures (tests/flows/test_same_rows.py).
    con.execute("set preserve_insertion_order = true")
    if share.threads is not None:
        con.execute(f"set threads = {int(share.threads)}")
