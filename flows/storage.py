"""Storage faults in plain words: a full disk, a read-only or missing folder, an unwritable spill folder.

A run writes to five places: ``READINESS_HOME`` (the working warehouse, the cache, dbt's files),
the published folder, DuckDB's spill folder beside the working warehouse (``<file>.tmp``, where
dbt's queries spill what does not fit in memory), the data audit's spill folder
(``READINESS_SPILL_DIR``, where each audit spills beyond its memory budget) and the temporary
folder (``TMPDIR``). :func:`preflight` writes a probe into each before a run starts, so that a
folder that cannot be written stops the run at once with one line saying which folder, why and
what to do, instead of a traceback half-way. :func:`storage_reason` turns a fault met later (the
disk filling up while publishing) into the same words, whether Python or DuckDB met it.
A damaged working file (truncated, overwritten) is found before a run too (:func:`check_working`),
with what to do: `readiness repair` (flows/repair.py).
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import ReadinessError

#: What a probe writes: enough that a folder with only a few blocks left is found full.
PROBE_BYTES = 256 * 1024

#: The operating system's words for each storage fault (DuckDB's messages carry the same words
#: as strerror), and the reason a person reads.
_FAULTS: tuple[tuple[int, str, str], ...] = (
    (errno.ENOSPC, "No space left on device", "the disk is full (no space left on device)"),
    (errno.EDQUOT, "Disk quota exceeded", "the disk quota is exhausted"),
    (errno.EROFS, "Read-only file system", "it is on a read-only file system"),
    (errno.EACCES, "Permission denied", "permission denied"),
    (errno.EPERM, "Operation not permitted", "the operation is not permitted"),
    (errno.EFBIG, "File too large", "the file grew larger than this process may write"),
    (errno.ENOTDIR, "Not a directory", "a file stands where a folder belongs"),
    (errno.EIO, "Input/output error", "the disk reported an input/output error"),
)


class StorageError(ReadinessError):
    """A folder the run writes to cannot be written (full, read-only, missing, not a folder)."""


def storage_reason(exc: BaseException) -> str | None:
    """The storage fault behind an error, in words (None: not a storage fault)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = current.errno if isinstance(current, OSError) else None
        text = str(current)
        for number, words, reason in _FAULTS:
            if code == number or words in text:
                return reason
        current = current.__cause__ or current.__context__
    return None


@dataclass(frozen=True)
class Place:
    """A folder a run writes to: what it is called in the settings, and how to fix it."""

    name: str
    folder: Path
    remedy: str
    #: How the refusal names the folder (default: its name and the folder).
    label: str = ""

    def refusal(self, exc: OSError) -> StorageError:
        """The one line saying that this folder cannot be written, why, and what to do."""
        reason = storage_reason(exc) or (exc.strerror or "it cannot be written").lower()
        if isinstance(exc, FileExistsError | NotADirectoryError):
            reason = "a file stands where a folder belongs"
        label = self.label or f"{self.name} ({self.folder})"
        return StorageError(f"{label} cannot be written: {reason}; {self.remedy}")


def spill_place(folder: Path) -> Place:
    """The data audit's spill folder (``READINESS_SPILL_DIR``): probed by a run, made by an audit."""
    return Place(
        "the spill folder",
        folder,
        "point READINESS_SPILL_DIR at a writable folder with free space",
        f"the spill folder {folder} (READINESS_SPILL_DIR)",
    )


def places(home: Path, warehouse: Path, published: Path, spill: Path | None = None) -> list[Place]:
    """The folders a local run writes to (``spill``: the data audit's spill folder)."""
    return [
        Place("READINESS_HOME", home, "point READINESS_HOME at a writable folder with free space"),
        Place(
            "the working warehouse's folder",
            warehouse.parent,
            "point READINESS_WAREHOUSE_PATH at a writable folder with free space",
        ),
        Place(
            "DuckDB's spill folder",
            warehouse.parent / f"{warehouse.name}.tmp",
            f"make {warehouse.parent / (warehouse.name + '.tmp')} a writable folder (or remove "
            "what stands there) with free space",
        ),
        Place(
            "the published folder",
            published,
            "point READINESS_SNAPSHOT_PATH at a writable folder with free space",
        ),
        Place(
            "the temporary folder",
            temporary_folder(),
            "free space there, or set TMPDIR to a writable folder with free space",
        ),
        *([spill_place(spill)] if spill is not None else []),
    ]


def temporary_folder() -> Path:
    """The temporary folder asked for (TMPDIR, else /tmp): a full one is named, not passed over.

    Python's ``tempfile`` silently falls back to another folder when TMPDIR cannot be written (or
    fails with a list of folders when none can); the person is told about the one they chose.
    """
    for name in ("TMPDIR", "TEMP", "TMP"):
        if os.environ.get(name):
            return Path(os.environ[name])
    return Path(tempfile.gettempdir()) if os.name == "nt" else Path("/tmp")


def probe(place: Place) -> None:
    """Create the folder if missing and write (then remove) a probe file; refuse in one line."""
    target = place.folder / f".readiness-probe-{os.getpid()}"
    try:
        place.folder.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("wb") as handle:
                handle.write(b"\0" * PROBE_BYTES)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            target.unlink(missing_ok=True)
    except OSError as exc:
        raise place.refusal(exc) from None


def preflight(home: Path, warehouse: Path, published: Path, spill: Path | None = None) -> None:
    """Check that every folder a run writes to can be written, before the run starts."""
    if published.suffix == ".duckdb":
        published = published.parent  # a reader's single file; the publisher refuses it later
    for place in places(home, warehouse, published, spill):
        probe(place)


def publish_failure(exc: BaseException, folder: Path) -> StorageError | None:
    """A publish that failed on storage, in words (None: another kind of failure)."""
    reason = storage_reason(exc)
    if reason is None:
        return None
    return StorageError(
        f"publishing the snapshot into {folder} failed: {reason}; the previous snapshot is "
        "unchanged and the partial copy was removed; free space there (or point "
        "READINESS_SNAPSHOT_PATH at another folder) and run again"
    )


def run_failure(exc: BaseException) -> str:
    """Why a run stopped, in one line for a person: never a class name or a traceback."""
    from core.errors import first_line

    if isinstance(exc, ReadinessError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return "the run was stopped before it finished"
    reason = storage_reason(exc)
    if reason is not None:
        return f"a file the run writes could not be written: {reason} ({first_line(exc)})"
    return f"{first_line(exc)} (the run's log has details)"


def preflight_settings() -> None:
    """:func:`preflight` on the current settings' folders, and a check of the working file."""
    from core.settings import get_settings

    settings = get_settings()
    preflight(settings.home, settings.warehouse, settings.snapshot, settings.spill)
    check_working(settings.warehouse)


#: DuckDB's words for another process holding the file, or this one (dbt's adapter keeps the file
#: open after a build, so a second run in a long-lived process, such as `deploy --serve`, finds it
#: open): busy or in use, not damaged.
_BUSY = (
    "Could not set lock",
    "Conflicting lock",
    "same database file with a different configuration",
)


class DamagedWarehouseError(ReadinessError):
    """The working DuckDB file cannot be read."""


def damaged_message(path: Path) -> str:
    """What happened to the working file, and what to do."""
    return (
        f"the working warehouse {path} is damaged: DuckDB cannot read it (the file is truncated "
        "or is not a DuckDB database, e.g. after a full disk or a copy cut short); the published "
        "snapshots are not affected: run `readiness repair` to rebuild it from them"
    )


def check_working(path: Path) -> None:
    """Open the working file and read every table; refuse a damaged file in plain words."""
    import duckdb

    if not path.exists():
        return
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_type = 'BASE TABLE' and table_schema = 'main'"
                ).fetchall()
            ]
            for table in tables:
                # The metadata and a first block of each table: a cut file fails here (a full scan
                # of every run's rows on every run would cost more than it finds).
                con.execute(f'select count(*) from "{table}"').fetchall()
                con.execute(f'select * from "{table}" limit 1').fetchall()
        finally:
            con.close()
    except duckdb.Error as exc:
        text = str(exc)
        if any(words in text for words in _BUSY):
            return  # another process holds it; the run lock says so in its own words
        if storage_reason(exc) is not None:
            raise StorageError(
                f"the working warehouse {path} cannot be opened: {storage_reason(exc)}"
            ) from None
        raise DamagedWarehouseError(damaged_message(path)) from None
