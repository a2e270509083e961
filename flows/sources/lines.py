"""Line by line, for files whose one bad line would otherwise lose the whole file.

DuckDB reads a newline-delimited JSON file whole or not at all: one malformed line fails the
read. When it does, :func:`ndjson_kept` reads the file again line by line, keeps every line that
is a JSON value in a copy under the audit's scratch folder (the one DuckDB then reads) and
refuses each other line with its number and what is wrong, never its content.

A CSV file mixing UTF-8 lines with latin-1 ones (a file appended to by two tools) is read as
latin-1 whole by DuckDB's fallback, which turns ``José`` into ``JosÃ©``. :func:`utf8_copy`
decodes each line as UTF-8, or as latin-1 when it is not UTF-8, and writes a UTF-8 copy: every
line keeps its own characters.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: (file, line, column, value, reason), as a CSV reader's refused rows are kept.
Reject = tuple[str, int | None, str | None, str | None, str]


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    """The file's bytes (a gzip file's, uncompressed)."""
    with path.open("rb") as raw:
        head = raw.read(2)
    if head == b"\x1f\x8b":
        with gzip.open(path, "rb") as unpacked:
            yield unpacked  # type: ignore[misc]
    else:
        with path.open("rb") as handle:
            yield handle


def _copy_path(path: Path, folder: Path, tag: str, index: int) -> Path:
    name = path.name[: -len(".gz")] if path.name.endswith(".gz") else path.name
    return folder / f"{tag}-{index}-{name}"


def ndjson_kept(
    files: list[Path], folder: Path, limit: int
) -> tuple[list[Path], list[Reject], int]:
    """Copies of the files holding only their valid lines; the refused lines (first ``limit``)."""
    kept: list[Path] = []
    rejects: list[Reject] = []
    refused = 0
    for index, path in enumerate(files):
        target = _copy_path(path, folder, "valid-lines", index)
        with _open(path) as source, target.open("wb") as out:
            for number, raw in enumerate(source, start=1):
                if not raw.strip():
                    out.write(b"\n")
                    continue
                try:
                    json.loads(raw.rstrip(b"\r\n"))
                except (ValueError, RecursionError) as exc:
                    refused += 1
                    if len(rejects) < limit:
                        where = (
                            f" at character {exc.pos + 1}"
                            if isinstance(exc, json.JSONDecodeError)
                            else ""
                        )
                        reason = getattr(exc, "msg", "nested too deeply")
                        rejects.append(
                            (str(path), number, None, None, f"not a JSON value{where}: {reason}")
                        )
                    out.write(b"\n")  # blank: the next lines keep their numbers
                    continue
                out.write(raw if raw.endswith(b"\n") else raw + b"\n")
        kept.append(target)
    return kept, rejects, refused


def mixes_encodings(path: Path) -> bool:
    """Whether a file holds UTF-8 lines with non-ASCII text beside lines that are not UTF-8."""
    utf8 = other = False
    with _open(path) as source:
        for raw in source:
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
                utf8 = True
            except UnicodeDecodeError:
                other = True
            if utf8 and other:
                return True
    return False


def utf8_copy(path: Path, folder: Path, index: int = 0) -> Path:
    """A UTF-8 copy of a text file, each line decoded as UTF-8 or, when it is not, as latin-1."""
    target = _copy_path(path, folder, "utf8", index)
    with _open(path) as source, target.open("wb") as out:
        for raw in source:
            try:
                raw.decode("utf-8")
                out.write(raw)
            except UnicodeDecodeError:
                out.write(raw.decode("latin-1").encode("utf-8"))
    return target


def duplicate_names(path: Path, delimiter: str, quote: str | None) -> list[tuple[str, list[int]]]:
    """Header names a CSV file gives to more than one column, with their positions (from 1)."""
    import csv
    import io

    with _open(path) as source:
        first = source.readline(4 * 2**20)
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff")
    if len(delimiter) != 1:
        return []  # a multi-character delimiter: DuckDB's own names stand
    if quote and len(quote) == 1:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote)
    else:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE)
    row = next(reader, [])
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(row, start=1):
        positions.setdefault(name.strip(), []).append(position)
    return [(name, at) for name, at in positions.items() if len(at) > 1]


def decode_lines(data: bytes) -> str:
    """Text whose lines are each UTF-8 or, when not, latin-1 (a leading BOM dropped).

    Bytes holding NUL (a binary file, or UTF-16 text) are not text of either: they are refused
    as not UTF-8 (UnicodeDecodeError), as a strict read would.
    """
    if b"\x00" in data:
        data.decode("utf-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = "".join(_line(raw) for raw in data.splitlines(keepends=True))
    return text.removeprefix("\ufeff")


def _line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
