"""Data samples (gap 1): measure each production dataset against its field map, where it lives.

A dataset is never loaded into pandas. Files and S3 objects are scanned by DuckDB; PostgreSQL
tables and queries are measured by PostgreSQL itself. The field map becomes a plan of metrics
(:mod:`flows.evidence.audit.metrics`) that one strategy per reading executes
(:func:`reading_for`: a table or plain file, Parquet statistics plus one query, a large CSV file
in one pass, PostgreSQL pushed down), and the figures become typed profiles
(:mod:`flows.evidence.audit.profiles`) written as the raw tables' rows. Rules, relationships and
the POC comparison follow (:mod:`flows.evidence.audit.rules`, :mod:`flows.evidence.audit.drift`).
Only where values of two datasets on different engines must be compared do rows move, batch by
batch, into DuckDB.

This module wires the audit into a project's evidence: it finds and opens the sources, detects
personal columns, runs the readings, records inputs, rejected rows and unreadable datasets.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core.errors import EvidenceError, reading_failure
from flows import duckdb_budget
from flows.config import DatasetEvidence, FieldMap, FieldSpec, LoadedProject, fingerprint_file
from flows.evidence import Context, Evidence
from flows.evidence.audit.counted import HEAD_ROWS, other_values_key
from flows.evidence.audit.drift import measure_drift, psi
from flows.evidence.audit.large_csv import LargeCsvReading
from flows.evidence.audit.metrics import KIND, Freshness, locate, plan
from flows.evidence.audit.profiles import (
    DatasetProfile,
    FieldProfile,
    dataset_profile,
    field_profiles,
    masked_keys,
)
from flows.evidence.audit.readings import (
    Measured,
    ParquetReading,
    PostgresReading,
    Reading,
    TableReading,
    duplicate_keys,
    scanned_columns,
)
from flows.evidence.audit.rules import measure_relationships, measure_rules
from flows.privacy import contains_personal, is_free_text, personal_column, redact
from flows.sources import CsvOptions, SourceRef, parse_source
from flows.sources.files import MAX_REJECTS, file_format, single_pass
from flows.sources.scan import (
    DuckDBScan,
    Scan,
    audit_connection,
    local_files,
    open_scan,
    unreadable,
)

if TYPE_CHECKING:
    from flows.sources.s3_ranged import RangedObject

__all__ = [
    "KIND", "collect_datasets", "duplicate_keys", "locate", "masked_keys", "measure_fields",
    "other_values_key", "personal_columns", "profile_fields", "psi", "source_of",
]  # fmt: skip

#: Rows read from the start of a dataset to detect its personal columns from their values.
PERSONAL_SAMPLE_ROWS = 1000


def personal_by_name(
    scan: Scan, field_map: FieldMap | None = None
) -> tuple[dict[str, str], list[str]]:
    """The personal columns known without reading values, and the columns whose values tell.

    Declared ones and those detected by name; the others of text are sampled by
    :func:`personal_columns`.
    """
    declared: dict[str, bool] = {}
    names: dict[str, list[str]] = {c: [c] for c in scan.columns}
    for name, spec in (field_map.fields if field_map else {}).items():
        column = locate(name, spec, scan.columns)
        if column is not None:
            names[column].append(name)
            if spec.personal is not None:
                declared[column] = spec.personal
    out = {c: "declared" for c, personal in declared.items() if personal}
    undecided = [c for c in scan.columns if c not in declared]
    for column in undecided:
        kind = next(filter(None, map(personal_column, names[column])), None)
        if kind:
            out[column] = f"detected: {kind} (column name)"
    sampled = [c for c in undecided if c not in out and scan.family_of(c) in ("string", "other")]
    return out, sampled


def personal_columns(scan: Scan, field_map: FieldMap | None = None) -> dict[str, str]:
    """The columns of a dataset that hold personal values, each with why it is treated so.

    A field the field map declares ``personal: true`` is ``declared``; one it declares
    ``personal: false`` never is. Any other column (mapped or not) is detected: by its name or
    its field's name (:func:`flows.privacy.personal_column`: emails, phone numbers, IP
    addresses, people's names), else by its values, when a value of the dataset's first
    ``PERSONAL_SAMPLE_ROWS`` rows (:meth:`~flows.sources.dialect.Scan.head`: the same rows on
    every run) is or contains an email, a phone number or an IP address. A value the sample
    missed is caught where it would be stored (:mod:`flows.evidence.audit.profiles`).
    """
    out, sampled = personal_by_name(scan, field_map)
    if sampled:
        texts = ", ".join(scan.text(c) for c in sampled)
        # The same rows on every run, whatever order the threads read them in (Scan.head).
        sample = f"({scan.head(sampled, PERSONAL_SAMPLE_ROWS)}) as sample"
        rows = scan.all(f"select {texts} from {sample}")
        for i, column in enumerate(sampled):
            kind = next(
                filter(None, (contains_personal(str(r[i])) for r in rows if r[i] is not None)),
                None,
            )
            if kind:
                out[column] = f"detected: {kind} (values)"
            elif is_free_text(str(r[i]) for r in rows if r[i] is not None):
                # Names in free text cannot be told from other words reliably: a field of
                # sentences (a ticket's body, a note) is counted only, whatever it holds.
                out[column] = "detected: free text (may hold people's names)"
    return out


#: The one pass lists every key value, and duplicated keys are counted from the list afterwards,
#: when the list is estimated to take at most this much memory (a quarter of the machine's, and
#: of the audit's part of the memory budget: a list stays in memory, while the grouping of it
#: spills to disk beyond DuckDB's limit). Above it, the key columns are read once more into a
#: table and grouped there.
KEY_LIST_MAX_BYTES = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4


#: Parquet files of at least this size have their integer keys grouped by DuckDB's perfect hash
#: aggregate (an array indexed by value: about half the time of hashing 2 million keys).
LARGE_KEYS_MIN_BYTES = 64 * 2**20


def reading_for(scan: Scan) -> Reading:
    """The strategy that measures an opened dataset, from how it is read."""
    if isinstance(scan, DuckDBScan) and scan.single_pass:
        return LargeCsvReading(HEAD_ROWS, min(KEY_LIST_MAX_BYTES, duckdb_budget.budget().part // 4))
    if scan.engine == "postgres":
        return PostgresReading()
    if isinstance(scan, DuckDBScan) and scan.parquet_files:
        return ParquetReading(HEAD_ROWS)
    return TableReading(HEAD_ROWS)


def profile_fields(
    scan: Scan,
    field_map: FieldMap,
    personal: dict[str, str],
    top: bool = True,
    as_of: datetime | None = None,
) -> tuple[list[FieldProfile], Measured]:
    """Every field's profile, and what the reading measured (freshness, duplicate keys).

    ``personal`` (column -> why) is completed with the fields whose values turn out personal.
    Without ``as_of`` freshness is not measured; without ``top`` no top values are kept.
    """
    planned = plan(scan, field_map, as_of)
    measured = reading_for(scan).measure(scan, planned, top)
    return field_profiles(scan, planned, measured, personal), measured


def measure_fields(
    scan: Scan,
    field_map: FieldMap,
    top: bool = True,
    as_of: datetime | None = None,
    personal: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], Freshness | None]:
    """The fields' raw rows (without their dataset) and the dataset's freshness.

    ``personal``: from :func:`personal_columns` by default (see :func:`profile_fields`).
    """
    if personal is None:
        personal = personal_columns(scan, field_map)
    fields, measured = profile_fields(scan, field_map, personal, top, as_of)
    return [f.row() for f in fields], measured.freshness


def scan_fingerprint(scan: Scan) -> str | None:
    """The content hash of a dataset: of its file, of its files' hashes, or of its description."""
    return files_fingerprint(scan.fingerprint_files, scan.fingerprint_text)


def files_fingerprint(files: list[Path], text: str | None = None) -> str | None:
    """The content hash of one file, of several files' hashes, or of a description."""
    if len(files) == 1:
        return fingerprint_file(files[0])
    if files:
        digest = hashlib.sha256()
        for f in files:
            digest.update(f"{f.name}:{fingerprint_file(f)}\n".encode())
        return digest.hexdigest()
    if text:
        return hashlib.sha256(text.encode()).hexdigest()
    return None


def source_of(project: LoadedProject, dataset: DatasetEvidence, poc: bool = False) -> SourceRef:
    """Where a dataset (or its POC sample, always a file or an S3 object) lives."""
    if poc:
        assert dataset.poc_sample is not None
        return parse_source(dataset.poc_sample, project.path.parent)
    return parse_source(
        dataset.source, project.path.parent, table=dataset.table, query=dataset.query
    )


def csv_options(dataset: DatasetEvidence) -> CsvOptions:
    """The CSV options a dataset declares."""
    return CsvOptions(dataset.delimiter, dataset.quote, dataset.header, dataset.encoding)


def record_read_rejects(
    evidence: Evidence, scan: Scan, personal: dict[str, str] | None = None
) -> None:
    """Rows the reader refused (ragged rows, bad quoting) are kept with file, line and column.

    The refused line is kept redacted, and not at all when the dataset has personal columns (a
    ragged line cannot be told apart into columns); the reader's reason is kept redacted.
    """
    for file, line, column, value, reason in scan.rejects:
        kept = None if personal or value is None else redact(value)
        evidence.reject(KIND, file, str(redact(reason)), row=line, column=column, value=kept)
    if scan.rejected > len(scan.rejects):
        evidence.reject(
            KIND,
            scan.display,
            f"{scan.rejected - MAX_REJECTS} more rows were refused while reading "
            f"(the first {MAX_REJECTS} are listed)",
        )


def open_or_record(
    con: duckdb.DuckDBPyConnection,
    evidence: Evidence,
    name: str,
    view: str,
    ref: SourceRef,
    dataset: DatasetEvidence,
    scratch: Path,
    hashed: Future[str | None] | None = None,
    files: list[Path] | EvidenceError | None = None,
) -> Scan | None:
    """Open a source, or record it as unreadable (with the reason) and return None.

    ``hashed``: the source's content hash, when it is being computed already. ``files``: its
    local files (see :func:`locate_source`), or why there are none.
    """
    try:
        if isinstance(files, EvidenceError):
            raise files
        return open_scan(con, view, ref, scratch, dataset.format, csv_options(dataset), files)
    except Exception as exc:  # any failure to open is an unreadable input, never a traceback
        if not isinstance(exc, EvidenceError | duckdb.Error):
            exc = EvidenceError(ref.display, reading_failure(exc, ref.display))
        error = unreadable(ref, exc)
        path = Path(ref.location) if ref.kind == "file" else None
        if hashed is not None:
            fingerprint = hashed.result() if path and path.is_file() else None
        else:
            fingerprint = fingerprint_file(path) if path and path.is_file() else None
        evidence.record_input(
            KIND,
            name,
            ref.display,
            fingerprint=fingerprint,
            rows_read=None,
            rows_rejected=None,
            status="unreadable",
            error=str(error) if error.source != ref.display else error.reason,
        )
        return None


def audit_dataset(
    evidence: Evidence,
    scan: Scan,
    dataset: DatasetEvidence,
    name: str,
    as_of: datetime,
    personal: dict[str, str] | Future[dict[str, str]] | None = None,
) -> tuple[DatasetProfile, list[FieldProfile], Measured]:
    """Every measurement of one opened dataset into the evidence batch; its profiles, its figures.

    ``personal``: the dataset's personal columns (detected here when not given; completed by
    the measurement of the fields), or their detection under way beside the measurement
    (:func:`sample_beside`).
    """
    personal = personal_columns(scan, dataset.field_map) if personal is None else personal
    reading = reading_for(scan)

    def refuse(field: str, reason: str) -> None:
        evidence.reject(KIND, scan.display, reason, column=field)

    planned = plan(scan, reading.checkable(scan, dataset.field_map, refuse), as_of)
    measured = reading.measure(scan, planned)
    if isinstance(personal, Future):
        personal = personal.result()
    fields = field_profiles(scan, planned, measured, personal)
    # After the fields: a large file's pass reads the rows.
    record_read_rejects(evidence, scan, personal)
    if measured.freshness:
        evidence.holds_between(*measured.freshness.holds)
    profile = dataset_profile(scan, dataset, measured, personal)
    evidence.add("raw_dataset_profiles", profile.row())
    for field in fields:
        field.dataset = name
    evidence.add("raw_field_profiles", [f.row() for f in fields])
    for missing in profile.missing_fields:
        evidence.reject(
            KIND,
            scan.display,
            f"the field map needs field {missing!r}, which is missing "
            f"(columns found: {', '.join(scan.columns)})",
            column=missing,
        )
    evidence.add("raw_dataset_rules", measure_rules(scan, evidence, dataset, personal))
    return profile, fields, measured


def sample_beside(
    scan: Scan, field_map: FieldMap, pool: ThreadPoolExecutor
) -> Future[dict[str, str]] | None:
    """The personal columns of Parquet files detected on a second cursor, beside the measurement.

    The sample reads the first pages of the sampled columns, a fixed cost that leaves a core idle
    while DuckDB opens them; the measurement does not need its answer (only the profiles do).
    Only where every sampled column is text (no cast, so the cursor's session settings, such as
    its time zone, cannot change a value); None where it is not done so.
    """
    if not (isinstance(scan, DuckDBScan) and scan.parquet_files and scan.con is not None):
        return None
    sampled = personal_by_name(scan, field_map)[1]
    if not sampled or any(scan.family_of(c) != "string" for c in sampled):
        return None
    cursor = scan.con.cursor()

    def detect() -> dict[str, str]:
        try:
            return personal_columns(dataclasses.replace(scan, con=cursor), field_map)
        finally:
            cursor.close()

    return pool.submit(detect)


def unreadable_profile(name: str, source: str, error: str) -> dict[str, Any]:
    """The profile row of a dataset that could not be read (no measurement, the reason)."""
    return DatasetProfile(name, source, readable=False, error=error).row()


@dataclass(frozen=True)
class Located:
    """A dataset's source and its local files, found before the audit's connection opens.

    ``ref`` is None when the source cannot be understood (``error`` says why); ``files`` is the
    EvidenceError of a source whose files cannot be had (an S3 object that cannot be fetched).
    ``ranged``: a Parquet object on S3 read in ranges, whose one file holds its footer only until
    the columns the audit scans are fetched (:func:`fetch_columns`).
    """

    ref: SourceRef | None
    files: list[Path] | EvidenceError
    error: str | None = None
    ranged: RangedObject | None = None


def locate_source(project: LoadedProject, dataset: DatasetEvidence, poc: bool = False) -> Located:
    """Where a dataset (or its POC sample) lives, with its local files (S3 objects fetched).

    One Parquet object on S3 (not a POC sample: a sample is compared row by row) is not
    downloaded: its footer is read (:func:`flows.sources.s3_ranged.audit_object`).
    """
    try:
        ref = source_of(project, dataset, poc)
    except ValueError as exc:
        return Located(None, [], str(exc))
    try:
        if ref.kind == "s3" and not poc:
            from flows.sources.s3_ranged import audit_object

            ranged = audit_object(ref.location, dataset.format)
            if ranged is not None:
                return Located(ref, [ranged.path], ranged=ranged)
        return Located(ref, local_files(ref))
    except EvidenceError as exc:
        return Located(ref, exc)
    except Exception as exc:  # a failure no reader foresaw: unreadable, never a traceback
        return Located(ref, EvidenceError(ref.display, reading_failure(exc, ref.display)))


def fetch_columns(
    ranged: RangedObject,
    scan: Scan,
    dataset: DatasetEvidence,
    datasets: list[DatasetEvidence],
    as_of: datetime,
) -> str:
    """Fetch the columns of a Parquet object read in ranges that the audit reads; its hash.

    Those its plan scans (:func:`scanned_columns`: the statistics in the footer answer the rest),
    those whose values are sampled for personal data, both ends of its relationships and, when
    it has rules (their example rows show every column), every column; the others read as NULL
    (:meth:`DuckDBScan.narrow`). The recorded hash is the object's (:func:`flows.sources.s3_ranged.object_fingerprint`), of the version read.
    """
    planned = plan(scan, dataset.field_map, as_of)
    counted = None  # every field's distinct values, or on many rows those of few values
    if isinstance(scan, DuckDBScan) and not scan.counts_every_distinct:
        counted = ParquetReading(HEAD_ROWS).few_values(scan, planned)[1]
    columns = scanned_columns(planned, scan.statistics(), counted)
    columns |= set(personal_by_name(scan, dataset.field_map)[1])
    relations = dataset.field_map.relationships
    fields = dataset.field_map.fields
    mine = [locate(r.field, fields.get(r.field, FieldSpec()), scan.columns) for r in relations]
    columns |= {c for c in mine if c}
    columns |= {
        r.to_field for d in datasets for r in d.field_map.relationships if r.dataset == dataset.name
    }
    if dataset.field_map.rules:
        columns = set(scan.columns)
    columns &= set(scan.columns)
    ranged.fetch(sorted(columns))
    if isinstance(scan, DuckDBScan) and columns != set(scan.columns):
        scan.narrow(columns)  # no query may read the bytes not fetched
    return ranged.fingerprint()


def connect_for(
    scratch: Path, datasets: list[DatasetEvidence], located: list[Located]
) -> duckdb.DuckDBPyConnection:
    """The project's audit connection, which may read the files its datasets name, and no other.

    Its grouping of integer keys is widened (see ``audit_connection``) where a dataset is a
    large CSV file or large Parquet files (``LARGE_KEYS_MIN_BYTES``).
    """
    allowed = [f for at in located if isinstance(at.files, list) for f in at.files]
    large = any(
        isinstance(at.files, list)
        and (
            single_pass(at.files, dataset.format)
            or (
                bool(at.files)
                and file_format(at.files[0], dataset.format) == "parquet"
                and sum(f.stat().st_size for f in at.files if f.is_file()) >= LARGE_KEYS_MIN_BYTES
            )
        )
        for dataset, at in zip(datasets, located[: len(datasets)], strict=True)
    )
    return audit_connection(scratch, allowed, large_keys=large)


def collect_datasets(context: Context, project: LoadedProject) -> Evidence:
    """Audit every dataset of a project; an unreadable one is recorded and the others go on."""
    evidence = Evidence()
    datasets = project.project.evidence.datasets
    if not datasets:
        return evidence
    scans: dict[str, Scan] = {}
    personal: dict[str, dict[str, str]] = {}
    with duckdb_budget.audit_scratch() as scratch:  # a part of the memory budget, a spill folder
        # Every file is found (S3 objects fetched) first: the connection reads only those.
        located = [locate_source(project, d) for d in datasets]
        pocs = {
            i: locate_source(project, d, poc=True) for i, d in enumerate(datasets) if d.poc_sample
        }
        con = connect_for(Path(scratch), datasets, [*located, *pocs.values()])
        hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fingerprint")
        sampling = ThreadPoolExecutor(max_workers=1, thread_name_prefix="personal-sample")
        try:
            for index, dataset in enumerate(datasets):
                ref = located[index].ref
                if ref is None:
                    evidence.record_input(
                        KIND, dataset.name, dataset.source, fingerprint=None, rows_read=None,
                        rows_rejected=None, status="unreadable", error=located[index].error,
                    )  # fmt: skip
                    continue
                files = located[index].files
                # The content hash reads the whole file: it runs beside the measurement (hashlib
                # releases the GIL), not after it; a local file's from the start, beside the
                # opening and the head of the file, which leave a core idle.
                local = files if ref.kind == "file" and isinstance(files, list) else []
                early = hashing.submit(files_fingerprint, local) if local else None
                scan = open_or_record(
                    con, evidence, dataset.name, f"d{index}", ref, dataset, Path(scratch), early,
                    files,
                )  # fmt: skip
                if scan is None:
                    error = evidence.tables["raw_evidence_inputs"][-1]["error"]
                    evidence.add(
                        "raw_dataset_profiles", unreadable_profile(dataset.name, ref.display, error)
                    )
                    continue
                scans[dataset.name] = scan
                ranged = located[index].ranged
                recorded: str | None = None  # a hash known without reading the object
                fingerprint = None if ranged else early or hashing.submit(scan_fingerprint, scan)
                try:
                    if ranged:  # the copy holds the footer: fetch the columns the audit reads
                        recorded = fetch_columns(ranged, scan, dataset, datasets, context.as_of)
                    sample = sample_beside(scan, dataset.field_map, sampling)
                    if sample is None:
                        personal[dataset.name] = personal_columns(scan, dataset.field_map)
                    profile, fields, measured = audit_dataset(
                        evidence, scan, dataset, dataset.name, context.as_of,
                        sample or personal[dataset.name],
                    )  # fmt: skip
                    if sample is not None:  # the dict the profiles completed
                        personal[dataset.name] = sample.result()
                except Exception as exc:  # unreadable, never a traceback (see the log)
                    # The source opened but a measurement failed (a query the engine refuses).
                    scans.pop(dataset.name)
                    if not isinstance(exc, EvidenceError | duckdb.Error):
                        exc = EvidenceError(ref.display, reading_failure(exc, ref.display))
                    reason = unreadable(ref, exc).reason
                    evidence.record_input(
                        KIND, dataset.name, ref.display, fingerprint=None, rows_read=None,
                        rows_rejected=None, status="unreadable", error=reason,
                    )  # fmt: skip
                    evidence.add(
                        "raw_dataset_profiles",
                        unreadable_profile(dataset.name, ref.display, reason),
                    )
                    continue
                evidence.record_input(
                    KIND,
                    dataset.name,
                    ref.display,
                    fingerprint=fingerprint.result() if fingerprint else recorded,
                    rows_read=scan.rows,
                    rows_rejected=scan.rejected,
                    newest_record_at=profile.newest_timestamp,
                )
                if dataset.poc_sample:
                    name = f"{dataset.name} (poc sample)"
                    poc_ref = pocs[index].ref
                    if poc_ref is None:
                        evidence.record_input(
                            KIND, name, str(dataset.poc_sample), fingerprint=None, rows_read=None,
                            rows_rejected=None, status="unreadable", error=pocs[index].error,
                        )  # fmt: skip
                        continue
                    poc = open_or_record(
                        con, evidence, name, f"d{index}_poc", poc_ref, dataset, Path(scratch),
                        files=pocs[index].files,
                    )  # fmt: skip
                    if poc is None:
                        continue
                    try:
                        poc.materialize()  # compared query by query: read it once, as a table
                    except EvidenceError as exc:
                        evidence.record_input(
                            KIND, name, poc_ref.display, fingerprint=None, rows_read=None,
                            rows_rejected=None, status="unreadable",
                            error=unreadable(poc_ref, exc).reason,
                        )  # fmt: skip
                        continue
                    evidence.record_input(
                        KIND, name, poc_ref.display, fingerprint=scan_fingerprint(poc),
                        rows_read=poc.rows,
                    )  # fmt: skip
                    readings = (reading_for(scan), reading_for(poc))
                    evidence.add(
                        "raw_poc_drift",
                        measure_drift(
                            scan,
                            poc,
                            dataset,
                            fields,
                            personal.get(dataset.name),
                            readings,
                            measured,
                        ),
                    )
                    poc.close()
            for dataset in datasets:
                try:
                    rows = measure_relationships(
                        con, evidence, dataset, scans, personal.get(dataset.name)
                    )
                except EvidenceError as exc:
                    evidence.reject(KIND, exc.source, f"relationships not measured: {exc.reason}")
                    continue
                evidence.add("raw_dataset_rules", rows)
        finally:
            hashing.shutdown(wait=True)
            sampling.shutdown(wait=True)
            for scan in scans.values():
                scan.close()
            con.close()
    return evidence
