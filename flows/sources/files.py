"""Local files as one dataset: CSV (gzip too), Parquet, JSON/NDJSON, Excel; a file, a folder or a glob.

DuckDB reads the files where they are. CSV is read once into a temporary table, with the rows it
cannot parse (ragged rows, bad quoting) kept in a rejects table with their line and column, so
that they are reported instead of silently padded or dropped. A single CSV file of
``SINGLE_PASS_MIN_BYTES`` or more is not copied: the audit measures it in one pass over the file
(:class:`CsvStream`), since copying it into a table costs about half a read of it more.
Excel is streamed into Parquet first (DuckDB's excel extension is not available here).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

import duckdb

from core.errors import EvidenceError, first_line
from flows.sources import CsvOptions, lines, workbook

EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "excel",
}
#: Magic numbers of compressions DuckDB cannot read here (gzip and zstd it reads itself).
UNREADABLE_COMPRESSION = {
    b"PK\x03\x04": "zip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"7z\xbc\xaf\x27\x1c": "7z",
}
#: Rejected rows recorded one by one per dataset; beyond that one summary row says how many more.
MAX_REJECTS = 100
#: A single CSV file at least this large is measured in one pass where it is (see CsvStream).
SINGLE_PASS_MIN_BYTES = 256 * 2**20


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: Any) -> str:
    """A SQL string literal (for values written in configuration, not user rows)."""
    return "'" + str(value).replace("'", "''") + "'"


def source_files(path: Path) -> list[Path]:
    """The files of a dataset: one file, every file of a folder, or a glob."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if any(ch in str(path) for ch in "*?["):
        return sorted(Path(p) for p in glob(str(path)) if Path(p).is_file())
    return [path] if path.is_file() else []


def file_format(path: Path, declared: str | None) -> str:
    """The format of a file, declared or from its extension (CSV when unknown)."""
    if declared:
        return declared
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".gzip", ".zst")]
    return EXTENSIONS.get(suffixes[-1] if suffixes else "", "csv")


def single_pass(files: list[Path], fmt: str | None) -> bool:
    """Whether a dataset's files are one large CSV file, measured in one pass where it is."""
    return (
        len(files) == 1
        and file_format(files[0], fmt) == "csv"
        and files[0].is_file()
        and files[0].stat().st_size >= SINGLE_PASS_MIN_BYTES
    )


def check_file(path: Path, kind: str) -> None:
    """Refuse, with a clear reason, a file that is empty or compressed in a way DuckDB cannot read."""
    if path.stat().st_size == 0:
        raise EvidenceError(path, "the file is empty (0 bytes)")
    with path.open("rb") as handle:
        head = handle.read(8)
    for magic, name in UNREADABLE_COMPRESSION.items():
        if head.startswith(magic) and kind != "excel":
            raise EvidenceError(
                path, f"the file is compressed with {name}; only gzip is read: unpack it first"
            )
    if head.startswith(b"\x1f\x8b") and kind == "csv":
        with gzip.open(path, "rb") as handle:
            if not handle.read(1):
                raise EvidenceError(path, "the gzip file holds no data")


def excel_to_parquet(path: Path, folder: Path) -> Path:
    """Stream the first sheet of a workbook into a Parquet file of text columns."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    workbook.check_formulas(path)  # a formula without its stored value is never read as empty
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise EvidenceError(path, f"cannot be read as an Excel workbook: {exc}") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise EvidenceError(path, "the workbook's first sheet is empty")
    names = [str(h) if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    target = folder / (path.stem + ".parquet")
    writer = None
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        nonlocal writer
        columns = list(zip(*batch, strict=True)) if batch else [() for _ in names]
        table = pa.table(
            {
                n: pa.array([None if v is None else str(v) for v in col], type=pa.string())
                for n, col in zip(names, columns, strict=True)
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
        batch.clear()

    for row in rows:
        batch.append((tuple(row) + (None,) * len(names))[: len(names)])
        if len(batch) >= 50_000:
            flush()
    flush()
    if writer is not None:
        writer.close()
    book.close()
    return target


#: The longest line the sniffer reads past (64 MB); a read refuses lines over DuckDB's 2 MB.
SNIFF_MAX_LINE = 64 * 1024 * 1024
#: The sniffer's buffer: the least DuckDB allows beside that line. Its default (16 lines' worth,
#: 1 GiB) was allocated and filled from a large file by each sniff: 0.7 s, beside the audit's budget.
SNIFF_OPTIONS = f"max_line_size = {SNIFF_MAX_LINE}, buffer_size = {SNIFF_MAX_LINE + 1}"


def csv_options_sql(options: CsvOptions, encoding: str | None) -> str:
    """The read_csv options for declared CSV settings (what is not declared is detected)."""
    parts = ["auto_detect = true"]
    if options.delimiter is not None:
        parts.append(f"delim = {lit(options.delimiter)}")
    if options.quote is not None:
        parts.append(f"quote = {lit(options.quote)}")
    if options.header is not None:
        parts.append(f"header = {str(options.header).lower()}")
    if encoding:
        parts.append(f"encoding = {lit(encoding)}")
    return ", ".join(parts)


def sniffed(
    con: duckdb.DuckDBPyConnection, path: Path, options: CsvOptions, encoding: str | None
) -> str | None:
    """The read_csv options DuckDB detects for a file, stated (None: leave the read to detect).

    DuckDB's ``sniff_csv`` gives the read_csv call it would make (dialect, header, column names
    and types, with the declared options). It sniffs as the reads do, skipping rows it cannot
    parse (a ragged row must not turn the whole file into one column), and past an overlong line:
    the read then refuses that line alone, with its number, under DuckDB's usual 2 MB limit.
    """
    opts = csv_options_sql(options, encoding)
    try:
        query = (
            f"select Prompt from sniff_csv({lit(path)}, {opts}, ignore_errors = true, "
            f"{SNIFF_OPTIONS})"
        )
        row = con.execute(query).fetchone()
    except duckdb.Error:
        return None
    prompt = (str(row[0]).strip() if row else "").replace(f", max_line_size={SNIFF_MAX_LINE}", "")
    prompt = prompt.replace(f", buffer_size={SNIFF_MAX_LINE + 1}", "")
    start, end = prompt.find(", auto_detect=false"), prompt.rfind(", ignore_errors=true);")
    if 0 < start < end and end + len(", ignore_errors=true);") == len(prompt):
        return prompt[start + 2 : end]
    return None


@dataclass
class CsvStream:
    """A large CSV file read where it is: the audit's one pass reads it, and stores refused rows.

    The relation is a view over the file that skips the rows DuckDB cannot parse; the one pass
    reads the same file with ``store_rejects``, so the skipped rows are exactly the recorded ones.
    A file that turns out not to be UTF-8 is switched to latin-1 and the pass is made again.
    """

    files: list[Path]
    display: str
    options: CsvOptions
    encoding: str | None
    rejects: str
    scans: str

    #: The read_csv options DuckDB detected, stated (see ``pin``); None until sniffed.
    pinned: str | None = None
    #: Where a re-encoded copy may be written (a file mixing UTF-8 and latin-1 lines).
    scratch: Path | None = None
    #: Copies read in place of the files, named as the files they copy (for refused rows).
    renamed: dict[str, str] = field(default_factory=dict)

    def pin(self, con: duckdb.DuckDBPyConnection) -> None:
        """Sniff the file once: later reads state what was detected instead of sniffing again.

        DuckDB's ``sniff_csv`` gives the read_csv call it would make (dialect, header, column
        names and types, with the declared options); each read of a large file would otherwise
        sniff it again (about 0.1 s each). It sniffs as the reads do, skipping rows it cannot
        parse (a ragged row must not turn the whole file into one column). Anything unexpected
        leaves each read to detect for itself, as before.
        """
        self.pinned = sniffed(con, self.files[0], self.options, self.encoding)

    def reader(self, store_rejects: bool = False, in_order: bool = False) -> str:
        """The read_csv call over the file (storing refused rows, or skipping them).

        ``in_order``: read by one thread, line after line, so that a ``limit`` keeps the file's
        first rows (a parallel read's keeps whichever rows its threads read first).
        """
        listing = "[" + ", ".join(lit(f) for f in self.files) + "]"
        opts = self.pinned or csv_options_sql(self.options, self.encoding)
        if store_rejects:
            extra = f"store_rejects = true, rejects_table = {lit(self.rejects)}, rejects_scan = {lit(self.scans)}"
        else:
            extra = "ignore_errors = true"
        if in_order:
            extra += ", parallel = false"
        return f"read_csv({listing}, {opts}, {extra})"

    def retry_encoding(
        self, rejects: list[tuple[str, int | None, str | None, str | None, str]]
    ) -> bool:
        """Switch to latin-1 when undeclared UTF-8 turned out wrong; whether to read again.

        The file is sniffed again (``pin``) before the next read.
        """
        if self.options.encoding or self.encoding == "latin-1" or self.renamed:
            return False
        if not_utf8(rejects):
            if self.scratch is not None and lines.mixes_encodings(self.files[0]):
                # UTF-8 lines beside latin-1 ones: each line read as what it is, from a copy.
                copy = lines.utf8_copy(self.files[0], self.scratch)
                self.renamed = {str(copy): str(self.files[0])}
                self.files, self.pinned = [copy], None
                return True
            self.encoding, self.pinned = "latin-1", None
            return True
        return False


@dataclass
class OpenedFiles:
    """A DuckDB relation over a dataset's files, and the rows DuckDB refused while reading them."""

    relation: str
    rows: int
    files: list[Path]
    kind: str
    #: (file, line, column, value, reason) of refused CSV rows, at most MAX_REJECTS of them.
    rejects: list[tuple[str, int | None, str | None, str | None, str]] = field(default_factory=list)
    rejected: int = 0
    #: Set for a large CSV file measured in one pass (its rows are counted by that pass).
    stream: CsvStream | None = None


def open_files(
    con: duckdb.DuckDBPyConnection,
    name: str,
    files: list[Path],
    display: str,
    fmt: str | None,
    scratch: Path,
    csv: CsvOptions | None = None,
) -> OpenedFiles:
    """Make ``name`` a relation over the files and count its rows, or raise EvidenceError."""
    if not files:
        raise EvidenceError(display, "no file matches" if "*" in display else "file not found")
    kind = file_format(files[0], fmt)
    for f in files:
        check_file(f, kind)
    if kind == "excel":
        files = [excel_to_parquet(f, scratch) for f in files]
    listing = "[" + ", ".join(lit(f) for f in files) + "]"
    if kind in ("parquet", "excel"):
        return _view(con, name, f"read_parquet({listing}, union_by_name = true)", files, kind)
    if kind in ("json", "ndjson"):
        style = "newline_delimited" if kind == "ndjson" else "auto"
        scan = f"read_json_auto({listing}, format = {lit(style)}, union_by_name = true)"
        try:
            return _view(con, name, scan, files, kind)
        except EvidenceError:
            if kind != "ndjson":
                raise
            # One bad line fails DuckDB's read: keep the other lines, refuse it with its number.
            kept, rejects, refused = lines.ndjson_kept(files, scratch, MAX_REJECTS)
            if not refused:
                raise
        listing = "[" + ", ".join(lit(f) for f in kept) + "]"
        scan = f"read_json_auto({listing}, format = {lit(style)}, union_by_name = true)"
        opened = _view(con, name, scan, kept, kind)
        opened.rejects, opened.rejected = rejects, refused
        return opened
    if single_pass(files, fmt):
        return _csv_stream(con, name, files, display, csv or CsvOptions(), scratch)
    return _csv_table(con, name, files, listing, display, csv or CsvOptions(), scratch)


def _view(
    con: duckdb.DuckDBPyConnection, name: str, scan: str, files: list[Path], kind: str
) -> OpenedFiles:
    try:
        con.execute(f"create or replace view {q(name)} as select * from {scan}")
        row = con.execute(f"select count(*) from {q(name)}").fetchone()
    except duckdb.Error as exc:
        raise EvidenceError(files[0], f"cannot be read as {kind}: {first_line(exc)}") from exc
    return OpenedFiles(q(name), int(row[0]) if row else 0, files, kind)


def _csv_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    files: list[Path],
    listing: str,
    display: str,
    options: CsvOptions,
    scratch: Path | None = None,
) -> OpenedFiles:
    """Read CSV once into a table; refused rows are kept with their file, line and column.

    A file that is not UTF-8 is read as latin-1; one mixing UTF-8 lines with latin-1 ones is read
    from a copy where each line is decoded as what it is (see flows/sources/lines.py).
    """
    encodings: list[str | None] = [options.encoding] if options.encoding else [None, "latin-1"]
    last: Exception | None = None
    rejects, scans = f"{name}_rejects", f"{name}_reject_scans"
    renamed: dict[str, str] = {}
    for encoding in encodings:
        if encoding == "latin-1" and scratch is not None and not options.encoding:
            mixed = [lines.mixes_encodings(f) for f in files]
            if any(mixed):
                copies = [
                    lines.utf8_copy(f, scratch, i) if m else f
                    for i, (f, m) in enumerate(zip(files, mixed, strict=True))
                ]
                renamed = {str(c): str(f) for c, f in zip(copies, files, strict=True) if c != f}
                files, encoding = copies, None
                listing = "[" + ", ".join(lit(f) for f in files) + "]"
        stated = sniffed(con, files[0], options, encoding) if len(files) == 1 else None
        opts = stated or csv_options_sql(options, encoding)
        attempts = [
            f"{opts}, store_rejects = true, rejects_table = {lit(rejects)}, "
            f"rejects_scan = {lit(scans)}",
            # Files with different headers: union by name (DuckDB keeps no rejects then).
            f"{opts}, union_by_name = true, null_padding = true",
        ]
        for attempt in attempts if len(files) > 1 else attempts[:1]:
            try:
                con.execute(f"drop table if exists {q(rejects)}")
                con.execute(f"drop table if exists {q(scans)}")
                con.execute(
                    f"create or replace temp table {q(name)} as "
                    f"select * from read_csv({listing}, {attempt})"
                )
                row = con.execute(f"select count(*) from {q(name)}").fetchone()
            except duckdb.Error as exc:
                last = exc
                continue
            opened = OpenedFiles(q(name), int(row[0]) if row else 0, files, "csv")
            if "store_rejects" in attempt:
                opened.rejected, opened.rejects = collect_rejects(con, rejects, scans, renamed)
                if (
                    encoding is None
                    and not renamed
                    and len(encodings) > 1
                    and not_utf8(opened.rejects)
                ):
                    # Not UTF-8: read the whole file again as the next encoding (latin-1).
                    last = EvidenceError(display, "not UTF-8 text")
                    break
            _check_shape(con, opened, display, options)
            return opened
    raise EvidenceError(display, f"cannot be read as CSV: {first_line(last or Exception())}")


def _csv_stream(
    con: duckdb.DuckDBPyConnection,
    name: str,
    files: list[Path],
    display: str,
    options: CsvOptions,
    scratch: Path | None = None,
) -> OpenedFiles:
    """A view over a large CSV file; its rows are counted (and refused ones stored) by the pass."""
    stream = CsvStream(
        files, display, options, options.encoding, f"{name}_rejects", f"{name}_reject_scans"
    )
    stream.scratch = scratch
    try:
        stream.pin(con)
        con.execute(f"create or replace view {q(name)} as select * from {stream.reader()}")
        columns = [r[0] for r in con.execute(f"describe {q(name)}").fetchall()]
    except duckdb.Error as exc:
        raise EvidenceError(display, f"cannot be read as CSV: {first_line(exc)}") from exc
    check_columns(columns, display, options)
    check_duplicate_columns(con, files, columns, display, options)
    return OpenedFiles(q(name), -1, files, "csv", stream=stream)


def not_utf8(rejects: list[tuple[str, int | None, str | None, str | None, str]]) -> bool:
    """Whether DuckDB refused rows of a CSV file for text that is not valid UTF-8."""
    return any(r[4].startswith("invalid encoding") for r in rejects)


def collect_rejects(
    con: duckdb.DuckDBPyConnection,
    rejects: str,
    scans: str,
    renamed: dict[str, str] | None = None,
) -> tuple[int, list[tuple[str, int | None, str | None, str | None, str]]]:
    """How many rows a CSV read refused, and the first MAX_REJECTS with file, line and column.

    ``renamed``: copies read in place of files (re-encoded), named as the files they copy.
    """
    counted = con.execute(f"select count(*) from {q(rejects)}").fetchone()
    named = renamed or {}
    return int(counted[0]) if counted else 0, [
        (
            named.get(str(r[0]), str(r[0])),
            None if r[1] is None else int(r[1]),
            r[2],
            r[3],
            str(r[4]),
        )
        for r in con.execute(
            f"select s.file_path, e.line, e.column_name, e.csv_line, "
            f"lower(replace(e.error_type, '_', ' ')) || ': ' || e.error_message "
            f"from {q(rejects)} as e join {q(scans)} as s "
            f"on e.scan_id = s.scan_id and e.file_id = s.file_id "
            f"order by s.file_path, e.line limit {MAX_REJECTS}"
        ).fetchall()
    ]


def _check_shape(
    con: duckdb.DuckDBPyConnection, opened: OpenedFiles, display: str, options: CsvOptions
) -> None:
    """Header-only files and a wrong delimiter are named, not measured as if they were data."""
    columns = [r[0] for r in con.execute(f"describe {opened.relation}").fetchall()]
    check_columns(columns, display, options)
    check_duplicate_columns(con, opened.files, columns, display, options)
    check_rows(opened.rows, opened.rejected, opened.rejects, columns, display)


def check_columns(columns: list[str], display: str, options: CsvOptions) -> None:
    """A file read as one column whose name holds another delimiter: name the likely one."""
    if len(columns) == 1:
        header = columns[0]
        for candidate in (";", "\t", "|", ","):
            if candidate in header and candidate != options.delimiter:
                shown = "\\t" if candidate == "\t" else candidate
                declared = (
                    f"the declared delimiter {options.delimiter!r} is wrong"
                    if options.delimiter
                    else "the delimiter was not recognised"
                )
                raise EvidenceError(
                    display,
                    f"read as a single column {header!r}: {declared}; "
                    f"the header looks delimited by {shown!r} (declare delimiter: {shown!r})",
                )


def check_duplicate_columns(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    columns: list[str],
    display: str,
    options: CsvOptions,
) -> None:
    """Two columns of one name: refused, naming both positions (DuckDB would rename one)."""
    suffixed = {m.group(1) for c in columns if (m := re.fullmatch(r"(.+)_\d+", c))}
    if options.header is False or not suffixed & set(columns):
        return  # DuckDB names a second `x` as `x_1`: only then is the header read again
    for path in files:
        try:
            row = con.execute(
                f"select Delimiter, Quote from sniff_csv({lit(path)}, "
                f"{csv_options_sql(options, None)}, ignore_errors = true, {SNIFF_OPTIONS})"
            ).fetchone()
        except duckdb.Error:
            return
        if row is None:
            return
        for name, positions in lines.duplicate_names(path, str(row[0]), row[1] or None):
            at = ", ".join(str(p) for p in positions[:-1]) + f" and {positions[-1]}"
            raise EvidenceError(
                display if len(files) == 1 else path,
                f"columns {at} are both named {name!r} in the header (line 1): give each column "
                "its own name",
            )


def check_rows(
    rows: int,
    rejected: int,
    rejects: list[tuple[str, int | None, str | None, str | None, str]],
    columns: list[str],
    display: str,
) -> None:
    """A CSV file with no data row, or whose every row was refused, is unreadable."""
    if rows == 0 and rejected == 0:
        raise EvidenceError(display, f"has a header ({', '.join(columns)}) but no data rows")
    if rows == 0:
        raise EvidenceError(
            display, f"no row could be read ({rejected} refused, e.g. {rejects[0]})"
        )
