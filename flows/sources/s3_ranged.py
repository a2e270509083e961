"""Parquet objects on S3 read in ranges: the footer, and only the column chunks a reading needs.

A Parquet file ends with its footer (the schema, each row group's statistics and where each
column chunk starts and how long it is). Where a measurement needs only the statistics (rows,
nulls, min and max: what ``DuckDBScan.statistics`` answers) or some columns, the rest of the
object need not cross the network. :func:`partial_copy` keeps a local *sparse* copy of the
object, as long as the object, in which only the fetched ranges are written: first the footer (one
ranged GET of its last 64 KiB, a second one when the footer is longer), then the chunks of the
named columns in every row group (adjacent ranges merged into one GET). DuckDB then reads that
copy like any other file (``parquet_metadata()`` for the statistics, ``read_parquet()`` of those
columns), so the figures are the ones the whole downloaded object gives, by the same code. The
bytes of every other column are never transferred: :attr:`PartialCopy.transferred` counts what
was, against :attr:`PartialCopy.size`.

Every ranged GET names the ETag it started from (``If-Match``): an object replaced while it is
read is an error, never a mix of two versions. A later reading of the same version adds only the
ranges it still lacks (the ranges held are kept beside the copy). The object's fingerprint
without reading it whole (:func:`object_fingerprint`) is its SHA-256 checksum when S3 keeps a
full-object one (the hash recorded of a local file), else its ETag and size.
"""

from __future__ import annotations

import base64
import fcntl
import json
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import EvidenceError
from core.settings import get_settings
from flows.sources import s3 as s3_source

#: The tail read first: the footer of most files fits (DuckDB and Arrow read as much).
FOOTER_GUESS = 64 * 1024
#: Ranges closer than this are fetched in one GET (the gap is transferred too).
MERGE_GAP = 64 * 1024
MAGIC = b"PAR1"
#: Why a reading of an object stops when the object is no longer the version it started from.
CHANGED = s3_source.CLIENT_ERRORS["PreconditionFailed"]


@dataclass
class PartialCopy:
    """A local sparse copy of a Parquet object holding its footer and some column chunks."""

    url: str
    path: Path
    size: int
    etag: str
    columns: list[str]
    #: Bytes fetched from S3 by this reading (0 when the copy already held every range).
    transferred: int = 0
    #: GET requests made by this reading.
    requests: int = 0
    #: The byte ranges the copy holds, [start, end).
    ranges: list[tuple[int, int]] = field(default_factory=list)


def merge(ranges: Iterable[tuple[int, int]], gap: int = 0) -> list[tuple[int, int]]:
    """Sorted ranges [start, end), those closer than ``gap`` merged."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def missing(wanted: list[tuple[int, int]], held: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``wanted`` that ``held`` does not cover (both merged and sorted)."""
    out = []
    for start, end in wanted:
        at = start
        for h_start, h_end in held:
            if h_end <= at or h_start >= end:
                continue
            if h_start > at:
                out.append((at, h_start))
            at = max(at, h_end)
        if at < end:
            out.append((at, end))
    return out


class _Reader:
    """Ranged GETs of one object version, written into the sparse copy, counted."""

    def __init__(self, s3: Any, bucket: str, key: str, etag: str, copy: PartialCopy) -> None:
        self.s3, self.bucket, self.key, self.etag, self.copy = s3, bucket, key, etag, copy

    def get(self, start: int, end: int) -> bytes:
        answer = self.s3.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end - 1}", IfMatch=self.etag
        )
        body: bytes = answer["Body"].read()
        self.copy.transferred += len(body)
        self.copy.requests += 1
        if len(body) != end - start:
            raise EvidenceError(self.copy.url, CHANGED)
        return body

    def fill(self, ranges: list[tuple[int, int]]) -> None:
        todo = missing(merge(ranges, MERGE_GAP), self.copy.ranges)
        if not todo:
            return
        with self.copy.path.open("r+b") as handle:
            for start, end in todo:
                handle.seek(start)
                handle.write(self.get(start, end))
        self.copy.ranges = merge([*self.copy.ranges, *todo])


def _copy_path(bucket: str, obj: s3_source.S3Object) -> Path:
    return s3_source.cache_path(get_settings().s3_cache / "partial", bucket, obj)


def _held(path: Path, size: int) -> list[tuple[int, int]]:
    """The ranges a copy kept from an earlier reading (none when it is missing or unlike)."""
    sidecar = path.with_name(path.name + ".ranges.json")
    try:
        if path.stat().st_size == size:
            return [(int(a), int(b)) for a, b in json.loads(sidecar.read_text())]
    except (OSError, ValueError, TypeError):
        pass
    return []


def chunk_ranges(metadata: Any, columns: list[str]) -> list[tuple[int, int]]:
    """The byte ranges of ``columns``' chunks (dictionary page included) in every row group."""
    wanted = set(columns)
    ranges = []
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            if chunk.path_in_schema.split(".")[0] not in wanted:
                continue
            starts = [chunk.data_page_offset]
            if chunk.has_dictionary_page and chunk.dictionary_page_offset:
                starts.append(chunk.dictionary_page_offset)
            start = min(starts)
            ranges.append((start, start + chunk.total_compressed_size))
    return ranges


def partial_copy(
    url: str, columns: Iterable[str] = (), s3: Any = None, etag: str | None = None
) -> PartialCopy:
    """A local copy of the Parquet object at ``url`` holding its footer and ``columns``' chunks.

    No columns: the statistics only (``parquet_metadata()`` answers from the footer). DuckDB may
    read only those columns from the copy; the others' bytes are not there. ``etag``: the version
    an earlier reading of the same copy started from; the object must still be that version.
    """
    bucket, key = s3_source.split_url(url)
    s3 = s3 or s3_source.client()
    try:
        found = s3_source.resolve_objects(s3, url)
        if len(found) != 1 or found[0].key != key:
            raise EvidenceError(url, "a prefix, not one object: name the Parquet object")
        obj = found[0]
        if etag is not None and obj.etag != etag:
            raise EvidenceError(url, CHANGED)
        if obj.size < 12:
            raise EvidenceError(url, "not a Parquet file (shorter than its header and footer)")
        path = _copy_path(bucket, obj)
        path.parent.mkdir(parents=True, exist_ok=True)
        # One reading at a time fills a copy (two audits of one object in a portfolio run): a
        # second one finds the ranges the first kept and never truncates what is being read.
        with path.with_name(path.name + ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            held = _held(path, obj.size)
            copy = PartialCopy(url, path, obj.size, obj.etag, sorted(set(columns)), ranges=held)
            return _fill(_Reader(s3, bucket, key, f'"{obj.etag}"', copy))
    except (s3_source.ClientError, s3_source.BotoCoreError) as exc:
        raise s3_source.explain(url, exc) from exc


def _fill(reader: _Reader) -> PartialCopy:
    """Fetch what the copy lacks of the footer and of its columns' chunks (under its lock)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    copy, path, size = reader.copy, reader.copy.path, reader.copy.size
    if not copy.ranges:
        with path.open("wb") as handle:
            handle.truncate(size)  # sparse: the bytes not fetched take no room
    reader.fill([(max(0, size - FOOTER_GUESS), size)])
    with path.open("rb") as handle:
        handle.seek(size - 8)
        length, magic = struct.unpack("<I4s", handle.read(8))
    if magic != MAGIC or length + 8 > size:
        raise EvidenceError(
            copy.url,
            "not a Parquet file (no Parquet footer at its end: a Parquet file ends with its "
            "footer's length and the marker PAR1): the object is truncated or of another format",
        )
    reader.fill([(size - 8 - length, size)])
    try:
        metadata = pq.read_metadata(path)
        names = set(metadata.schema.to_arrow_schema().names)
    except (OSError, ValueError, pa.ArrowException) as exc:  # pyarrow's text may quote bytes
        raise EvidenceError(
            copy.url,
            f"not a readable Parquet file: its footer ({length:,} bytes before the last 8) "
            "cannot be read as Parquet metadata (the object is damaged or truncated)",
        ) from exc
    unknown = sorted(set(copy.columns) - names)
    if unknown:
        raise EvidenceError(copy.url, f"no column {', '.join(unknown)} in this Parquet file")
    # Every column chunk lies between the leading magic and the footer: a footer that places
    # one elsewhere belongs to another (longer) object, and nothing it points to is fetched.
    data_end = size - 8 - length
    every = chunk_ranges(metadata, sorted(names))
    outside = next(((a, b) for a, b in every if a < len(MAGIC) or b > data_end), None)
    if outside is not None:
        raise EvidenceError(
            copy.url,
            f"not a readable Parquet file: its footer places column data at bytes "
            f"{outside[0]:,}-{outside[1]:,}, outside the data part of the object (bytes "
            f"{len(MAGIC):,}-{data_end:,}): the object is damaged or truncated",
        )
    reader.fill(chunk_ranges(metadata, copy.columns))
    sidecar = path.with_name(path.name + ".ranges.json")
    sidecar.write_text(json.dumps(copy.ranges))
    return copy


def object_fingerprint(url: str, s3: Any = None, etag: str | None = None) -> str:
    """The object's content fingerprint without reading it whole.

    The SHA-256 of its content, in hex, when S3 keeps a full-object SHA-256 checksum (the object
    was written with one, in one part): the same hash the product records of a downloaded copy
    (``fingerprint_file``); else ``etag:<etag>:<size>``, which changes whenever the content does
    (S3 gives every new version of an object a new ETag). ``etag``: the version a reading
    started from; the object must still be that version.
    """
    bucket, key = s3_source.split_url(url)
    s3 = s3 or s3_source.client()
    try:
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    except (s3_source.ClientError, s3_source.BotoCoreError) as exc:
        raise s3_source.explain(url, exc) from exc
    if etag is not None and str(head["ETag"]).strip(chr(34)) != etag:
        raise EvidenceError(url, CHANGED)
    checksum = head.get("ChecksumSHA256")
    if (
        checksum
        and "-" not in checksum
        and head.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT"
    ):
        return base64.b64decode(checksum).hex()
    return f"etag:{str(head['ETag']).strip(chr(34))}:{int(head['ContentLength'])}"


@dataclass
class RangedObject:
    """A Parquet object the data audit reads in ranges: its footer, then the columns it scans.

    :attr:`path` is the local sparse copy DuckDB reads as it reads any file. Every reading after
    the footer is pinned to the version (ETag) the footer came from: an object replaced meanwhile
    is an error (:data:`CHANGED`), never a copy mixing two versions.
    """

    url: str
    path: Path
    etag: str
    size: int
    s3: Any = field(repr=False)
    #: Bytes fetched from S3 so far, and GET requests (footer and columns).
    transferred: int = 0
    requests: int = 0

    def add(self, copy: PartialCopy) -> None:
        """Count what a reading of the copy fetched."""
        self.transferred += copy.transferred
        self.requests += copy.requests

    def fetch(self, columns: Iterable[str]) -> None:
        """Fetch the chunks of ``columns`` the copy lacks, from the same version of the object."""
        self.add(partial_copy(self.url, columns, self.s3, etag=self.etag))

    def fingerprint(self) -> str:
        """The recorded hash of the object (:func:`object_fingerprint`), of the version read."""
        return object_fingerprint(self.url, self.s3, etag=self.etag)


def audit_object(url: str, fmt: str | None) -> RangedObject | None:
    """The footer of the one Parquet object ``url`` names, read in ranges.

    None when ``url`` names something else (a prefix or a folder of objects, another format),
    which is downloaded whole instead (:func:`flows.sources.s3.fetch`).
    """
    from flows.sources.files import file_format

    key = s3_source.split_url(url)[1]
    if not key or key.endswith("/") or file_format(Path(key), fmt) != "parquet":
        return None
    s3 = s3_source.client()
    try:
        found = s3_source.resolve_objects(s3, url)
    except (s3_source.ClientError, s3_source.BotoCoreError) as exc:
        raise s3_source.explain(url, exc) from exc
    if len(found) != 1 or found[0].key != key or found[0].size == 0:
        return None  # a folder of objects (Spark writes x.parquet/ so), or an empty object
    copy = partial_copy(url, (), s3, etag=found[0].etag)
    ranged = RangedObject(url, copy.path, copy.etag, copy.size, s3)
    ranged.add(copy)
    return ranged
