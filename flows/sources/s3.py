"""S3 objects and prefixes (any S3-compatible store): the only module that imports boto3.

Credentials come from boto3's standard chain (``AWS_ACCESS_KEY_ID``..., profiles, instance roles);
the endpoint from ``READINESS_S3_ENDPOINT_URL`` when set, else boto3's own ``AWS_ENDPOINT_URL``.
Throttling, 5xx answers and dropped connections are retried with exponential backoff (botocore's
``standard`` retry mode); a missing key or bucket, a refusal or bad credentials are not retried
and become one clear :class:`~core.errors.EvidenceError`. Objects are downloaded into a local
cache keyed on their ETag, so that an object that has not changed is not downloaded again; DuckDB
then reads the local copies like any other file.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from core.errors import EvidenceError
from core.secrets import expand
from core.settings import get_settings

RETRIES = Config(
    retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=120
)
#: Answers that retries are for: when they are still the answer, the endpoint is overloaded.
THROTTLED = {"503", "SlowDown", "ServiceUnavailable", "Throttling", "RequestLimitExceeded"}
#: Error codes a person fixes (no retry helps), with what to tell them.
CLIENT_ERRORS = {
    "NoSuchKey": "no such object",
    "NoSuchBucket": "the bucket does not exist",
    "AccessDenied": "access denied: the credentials in use may not read this object",
    "403": "access denied: the credentials in use may not read this object",
    "InvalidAccessKeyId": "bad credentials: the access key id is not known to this endpoint",
    "SignatureDoesNotMatch": "bad credentials: the secret key does not match the access key id",
    "ExpiredToken": "bad credentials: the session token has expired",
    "InvalidToken": "bad credentials: the session token is not valid",
    # A ranged GET pinned to an ETag (If-Match): another version replaced the object meanwhile.
    "PreconditionFailed": "the object changed while it was read (it was replaced meanwhile)",
}


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key); the key may be empty or a prefix."""
    parts = urlsplit(url)
    return parts.netloc, parts.path.lstrip("/")


def client(endpoint_url: str | None = None) -> Any:
    """An S3 client: the settings' keys, else the standard credential chain; retries with backoff.

    The endpoint is ``endpoint_url``, else the setting, else boto3's own (``AWS_ENDPOINT_URL``).
    """
    settings = get_settings()
    endpoint = endpoint_url or settings.s3_endpoint_url
    key_id = secret = None  # None: boto3's own chain
    if settings.s3_access_key_id and settings.s3_secret_access_key:
        key_id = settings.s3_access_key_id
        secret = expand(settings.s3_secret_access_key.get_secret_value())
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint or None,
        config=RETRIES,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )


def explain(url: str, exc: Exception) -> EvidenceError:
    """One clear error for a failed S3 call."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        reason = CLIENT_ERRORS.get(code)
        if code in THROTTLED:
            # Retries with backoff already ran out: say so, whatever the answer's code.
            reason = (
                f"the S3 endpoint kept throttling or was unavailable ({code}) through every "
                "retry with backoff; try again later"
            )
        elif reason is None:
            message = exc.response.get("Error", {}).get("Message") or code
            reason = f"S3 refused the request ({code}: {message})"
        return EvidenceError(url, reason)
    if isinstance(exc, NoCredentialsError):
        return EvidenceError(
            url,
            "no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile)",
        )
    if isinstance(exc, EndpointConnectionError):
        return EvidenceError(url, f"cannot reach the S3 endpoint after retries: {exc}")
    return EvidenceError(url, f"S3 error: {exc}")


@dataclass
class S3Object:
    """One object to read: its key, ETag and size."""

    key: str
    etag: str
    size: int


@dataclass
class Fetched:
    """The local copies of a source's objects, and how many were downloaded or reused."""

    files: list[Path] = field(default_factory=list)
    downloaded: int = 0
    reused: int = 0


def list_objects(s3: Any, bucket: str, prefix: str, page_size: int = 1000) -> list[S3Object]:
    """Every object under a prefix, page by page (S3 returns at most 1000 per page)."""
    objects = []
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    )
    for page in pages:
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                objects.append(S3Object(item["Key"], item["ETag"].strip('"'), int(item["Size"])))
    return objects


def object_exists(s3: Any, bucket: str, key: str) -> bool:
    """Whether an object is there (a missing one is an answer, any other error is raised)."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def resolve_objects(s3: Any, url: str) -> list[S3Object]:
    """The object a URL names, or the objects under it when it is a prefix."""
    bucket, key = split_url(url)
    if key and not key.endswith("/"):
        try:
            head = s3.head_object(Bucket=bucket, Key=key)
            return [S3Object(key, str(head["ETag"]).strip('"'), int(head["ContentLength"]))]
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("403", "400"):
                # A HEAD answer has no body: ask again with a GET to learn why (bad
                # credentials or a refused permission), which raises the precise error.
                s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-0")
            if code not in ("404", "NoSuchKey", "NotFound"):
                raise
    objects = list_objects(s3, bucket, key if not key or key.endswith("/") else key + "/")
    if not objects:
        raise EvidenceError(url, "no such object, and no object under this prefix")
    return objects


def cache_path(cache: Path, bucket: str, obj: S3Object) -> Path:
    """Where an object's version (by ETag) is kept; the file name keeps the key's extension."""
    folder = cache / bucket / hashlib.sha256(obj.key.encode()).hexdigest()[:24]
    return folder / f"{obj.etag.replace('/', '_')}-{Path(obj.key).name}"


def fetch(url: str, cache: Path | None = None, endpoint_url: str | None = None) -> Fetched:
    """Local copies of the object(s) at ``url``, downloading only what changed since last time."""
    cache = cache or get_settings().s3_cache
    bucket, _ = split_url(url)
    s3 = client(endpoint_url)
    fetched = Fetched()
    try:
        objects = resolve_objects(s3, url)
        for obj in objects:
            where = f"s3://{bucket}/{obj.key}"
            if obj.size == 0:
                raise EvidenceError(where, "the object is empty (0 bytes)")
            target = cache_path(cache, bucket, obj)
            if target.is_file() and target.stat().st_size == obj.size:
                fetched.reused += 1
            else:
                # An older version of the same key is replaced, not kept forever.
                if target.parent.exists():
                    shutil.rmtree(target.parent)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".part")
                s3.download_file(bucket, obj.key, str(partial))
                partial.replace(target)
                fetched.downloaded += 1
            fetched.files.append(target)
    except (ClientError, BotoCoreError) as exc:
        raise explain(url, exc) from exc
    return fetched
