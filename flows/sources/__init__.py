"""Where a dataset lives: local files, S3 objects or prefixes, or a PostgreSQL table or query.

A person writes a source as a path or glob, ``s3://bucket/key-or-prefix`` or ``postgresql://...``
(plus ``table:`` or ``query:``). :func:`parse_source` turns it into a :class:`SourceRef`;
:func:`flows.sources.scan.open_scan` opens it for measurement. A password in a URL is never
printed, logged or stored: :attr:`SourceRef.display` is the URL with the password masked, and
every error message goes through :func:`SourceRef.scrub`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

SourceKind = Literal["file", "s3", "postgres"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (user, host and database are kept)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class CsvOptions:
    """How to read CSV text; ``None`` means detected."""

    delimiter: str | None = None
    quote: str | None = None
    header: bool | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A dataset's location, resolved: a local path or glob, an S3 URL, or a PostgreSQL URL."""

    kind: SourceKind
    location: str
    table: str | None = None
    query: str | None = None

    @property
    def display(self) -> str:
        """What may be shown and stored: the location with any password masked."""
        text = mask_url(self.location) if self.kind == "postgres" else self.location
        if self.table:
            text += f" table {self.table}"
        elif self.query:
            text += " query"
        return text

    def scrub(self, message: str) -> str:
        """A message with the password (if any) removed, for errors raised by drivers."""
        password = urlsplit(self.location).password if self.kind == "postgres" else None
        return message.replace(password, "***") if password else message


def parse_source(
    text: str, base: Path | None = None, *, table: str | None = None, query: str | None = None
) -> SourceRef:
    """Classify a written source; a relative path is resolved against ``base`` (a folder)."""
    if text.startswith(POSTGRES_SCHEMES):
        if bool(table) == bool(query):
            raise ValueError(
                f"{mask_url(text)}: a PostgreSQL source needs exactly one of table or query"
            )
        return SourceRef("postgres", text, table=table, query=query)
    if table or query:
        raise ValueError(f"{text}: table and query apply only to a postgresql:// source")
    if text.startswith("s3://"):
        if not urlsplit(text).netloc:
            raise ValueError(f"{text}: expected s3://bucket/key-or-prefix")
        return SourceRef("s3", text)
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = (base / path).resolve()
    return SourceRef("file", str(path))
