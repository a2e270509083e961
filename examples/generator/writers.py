"""The file writers: every format written deterministically, byte for byte.

CSV and NDJSON as text with LF line ends, YAML with a fixed dumper, gzip with ``mtime=0``,
Parquet with fixed writer options, the Excel workbook with fixed document properties and zip entry
dates.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

# openpyxl writes through lxml when lxml is installed, and its XML then differs byte for byte
# (no space before "/>"): the workbooks must not depend on what else is installed.
os.environ["OPENPYXL_LXML"] = "False"

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from openpyxl import Workbook

from .common import ts

#: Fixed document and zip entry dates for the Excel workbook (byte-for-byte reproducible).
FILE_DATE = datetime(2026, 11, 19, 18, 0, 0)


class Dumper(yaml.SafeDumper):
    """YAML dumper: keeps key order."""


def dump_yaml(data: Any) -> str:
    """Readable, deterministic YAML."""
    return yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


@dataclass
class Writer:
    """Writes files under ``root`` and remembers which (relative paths, in order)."""

    root: Path
    files: list[str] = field(default_factory=list)

    def _path(self, relative: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(relative)
        return path

    def bytes(self, relative: str, data: bytes) -> None:
        """Any content."""
        self._path(relative).write_bytes(data)

    def text(self, relative: str, text: str) -> None:
        """UTF-8 text, written as given (line ends are LF)."""
        self.bytes(relative, text.encode("utf-8"))

    def yaml(self, relative: str, data: Any, comment: str = "") -> None:
        """A YAML file with an optional leading comment block."""
        head = "".join(f"# {line}".rstrip() + "\n" for line in comment.strip().splitlines())
        self.text(relative, head + dump_yaml(data))

    def csv(
        self,
        relative: str,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        compress: bool = False,
        bom: bool = False,
    ) -> None:
        """A CSV file (optionally gzip-compressed with a fixed mtime, or behind a UTF-8 BOM)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[cell_text(v) for v in row] for row in rows])
        data = (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
        if compress:
            data = gzip.compress(data, compresslevel=9, mtime=0)
        self.bytes(relative, data)

    def ndjson(self, relative: str, records: Sequence[dict[str, Any]]) -> None:
        """One JSON object per line."""
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        self.text(relative, "\n".join(lines) + "\n")

    def parquet(self, relative: str, columns: Sequence[tuple[str, pa.DataType, list[Any]]]) -> None:
        """A Parquet file with an explicit schema and fixed writer options."""
        schema = pa.schema([pa.field(name, kind) for name, kind, _ in columns])
        table = pa.Table.from_arrays(
            [pa.array(values, type=kind) for _, kind, values in columns], schema=schema
        )
        buffer = pa.BufferOutputStream()
        pq.write_table(
            table,
            buffer,
            compression="snappy",
            use_dictionary=True,
            write_statistics=True,
            version="2.6",
        )
        self.bytes(relative, buffer.getvalue().to_pybytes())

    def xlsx(
        self, relative: str, sheet: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """An Excel workbook with fixed document properties and zip entry dates."""
        workbook = Workbook()
        worksheet = workbook.active
        assert worksheet is not None
        worksheet.title = sheet
        worksheet.append(list(header))
        for row in rows:
            worksheet.append(list(row))
        for column, width in zip(
            "ABCDEFGHIJKL", (12, 34, 12, 14, 13, 13, 13, 12, 30, 20), strict=False
        ):
            worksheet.column_dimensions[column].width = width
        workbook.properties.creator = "examples/generate.py"
        workbook.properties.lastModifiedBy = "examples/generate.py"
        workbook.properties.created = FILE_DATE
        workbook.properties.modified = FILE_DATE
        raw = io.BytesIO()
        workbook.save(raw)
        self.bytes(relative, deterministic_zip(raw.getvalue()))


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip (an .xlsx) with fixed entry dates and a fixed ``dcterms:modified``.

    openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry.
    """
    stamp = FILE_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FILE_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content, compresslevel=9)
    return out.getvalue()


def cell_text(value: Any) -> str:
    """A value as CSV text: empty for None, ISO for dates, lower-case booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return ts(value) or ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
