"""Where a dataset lives: local files, S3 objects or prefixes, or a PostgreSQL table or query.

A person writes a source as a path or glob, ``s3://bucket/key-or-prefix`` or ``postgresql://...``
(plus ``table:`` or ``query:``). :func:`parse_source` turns it into a :class:`SourceRef`;
:func:`flows.sources.scan.open_scan` opens it for measurement. A password in a URL is never
printed, logged or stored: :attr:`SourceRef.display` is the URL with the password masked, and
every error message goes through :func:`SourceRef.scrub`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

SourceKind = Literal["file", "s3", "postgres"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


#: Query parameters that carry a secret in a database or service URL (``?password=...``).
SECRET_PARAMETERS = frozenset(
    {
        "password", "passwd", "pwd", "pass", "sslpassword", "sslkey", "secret", "token",
        "access_token", "api_key", "apikey", "key", "auth", "authorization", "sig", "signature",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    }
)  # fmt: skip
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def url_secrets(url: str) -> list[str]:
    """Every secret a URL holds: the password of its user part and secret query parameters.

    The user part ends at the *last* ``@`` before the host, so a password holding ``@`` is
    one secret, not cut in two.
    """
    parts = urlsplit(url)
    found = []
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        found.append(userinfo.split(":", 1)[1])
    for pair in parts.query.split("&"):
        name, equals, value = pair.partition("=")
        if equals and value and unquote(name).casefold() in SECRET_PARAMETERS:
            found.append(value)
    return [s for s in found if s]


def mask_url(url: str) -> str:
    """The URL with every secret (password, ``?password=``, tokens) replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:***@{hostport}"
    query = "&".join(
        f"{name}=***"
        if equals and value and unquote(name).casefold() in SECRET_PARAMETERS
        else name + equals + value
        for name, equals, value in (pair.partition("=") for pair in parts.query.split("&"))
    )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_urls(text: str) -> str:
    """A message with every URL in it masked (:func:`mask_url`)."""
    return _URL.sub(lambda m: mask_url(m.group(0)), text)


def scrub_secrets(message: str, url: str) -> str:
    """A message with every secret of ``url`` removed, as written and as decoded."""
    for secret in sorted(url_secrets(url), key=len, reverse=True):
        for form in {secret, unquote(secret), unquote_plus(secret)}:
            if len(form) >= 3:
                message = message.replace(form, "***")
    return mask_urls(message)


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
        return scrub_secrets(message, self.location) if self.kind == "postgres" else message


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
