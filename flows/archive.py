"""A run's inputs kept, content-addressed, so that ``readiness reproduce`` works after they moved on.

With ``readiness run --archive`` (or the ``archive`` setting) a run copies every file of its
portfolio's folder (portfolio, project files, question bank, field maps, evidence files: every
local input resolves inside that folder, see flows/paths.py) into an archive: each file stored
once under its sha256 (``blobs/ab/abcdef...``), and one manifest per run (``runs/<run id>.json``)
mapping each file's path inside the folder to its hash. A file unchanged since an earlier
archived run costs nothing more. The archive is a local folder (``READINESS_HOME/archive``,
owner-only: 0700 folders, 0600 files) or an S3 prefix (through flows/sources/s3.py).

Evidence files hold personal values (a survey export's names and e-mails): the archive keeps
them as they were read, so it is subject to the survey retention setting (manifests older than
``survey_retention_days`` are deleted at the start of each run, then every blob no manifest
names) and to the same access as the evidence itself (docs/operations.md, Security and privacy).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from core.errors import ReadinessError
from core.settings import Settings
from flows.config import LoadedPortfolio, fingerprint_file

ARCHIVE_FOLDER = "archive"
#: Names never archived: version control, caches, editors' leftovers.
SKIPPED = frozenset({".git", "__pycache__", ".DS_Store"})


class ArchiveError(ReadinessError):
    """An archive that cannot be written or read (the reason names the place, never a file's content)."""


class Store(Protocol):
    """Where archived bytes live: a local folder or an S3 prefix, addressed by relative keys."""

    location: str

    def has(self, key: str) -> bool: ...
    def put_file(self, key: str, source: Path) -> None: ...
    def put_text(self, key: str, text: str) -> None: ...
    def get_file(self, key: str, target: Path) -> None: ...
    def get_text(self, key: str) -> str | None: ...
    def keys(self, prefix: str) -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...


class LocalStore:
    """An owner-only folder: 0700 folders, 0600 files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*PurePosixPath(key).parts)

    def _folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for parent in [folder, *folder.parents]:
            if parent == self.root.parent:
                break
            os.chmod(parent, 0o700)

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def _write(self, target: Path, write: Any) -> None:
        self._folder(target.parent)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            write(handle)
        os.replace(partial, target)

    def put_file(self, key: str, source: Path) -> None:
        with source.open("rb") as handle:
            self._write(self._path(key), lambda out: shutil.copyfileobj(handle, out))

    def put_text(self, key: str, text: str) -> None:
        self._write(self._path(key), lambda out: out.write(text.encode()))

    def get_file(self, key: str, target: Path) -> None:
        shutil.copyfile(self._path(key), target)

    def get_text(self, key: str) -> str | None:
        path = self._path(key)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def keys(self, prefix: str) -> Iterator[str]:
        folder = self._path(prefix)
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield path.relative_to(self.root).as_posix()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """An S3 prefix (any S3-compatible endpoint), through the one module that imports boto3."""

    def __init__(self, url: str) -> None:
        from flows.sources import s3

        self.location = url.rstrip("/")
        self.bucket, prefix = s3.split_url(self.location)
        self.prefix = f"{prefix}/" if prefix else ""
        self.client = s3.client()
        self._s3 = s3

    def has(self, key: str) -> bool:
        return bool(self._s3.object_exists(self.client, self.bucket, self.prefix + key))

    def put_file(self, key: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self.prefix + key)

    def put_text(self, key: str, text: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=text.encode())

    def get_file(self, key: str, target: Path) -> None:
        self.client.download_file(self.bucket, self.prefix + key, str(target))

    def get_text(self, key: str) -> str | None:
        if not self.has(key):
            return None
        body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]
        return str(body.read().decode("utf-8"))

    def keys(self, prefix: str) -> Iterator[str]:
        for obj in self._s3.list_objects(self.client, self.bucket, self.prefix + prefix):
            yield obj.key[len(self.prefix) :]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def _reason(where: str, exc: Exception) -> str:
    """Why an archive call failed, in the S3 module's words for S3 (never a class name)."""
    if where.startswith("s3://"):
        from flows.sources import s3

        return s3.explain(where, exc).reason
    return str(exc.strerror or exc) if isinstance(exc, OSError) else str(exc)


def location(settings: Settings, requested: bool = False) -> str | None:
    """Where this run archives its inputs (None: nowhere).

    The setting's place; the local folder when the setting is unset and ``--archive`` asked.
    """
    configured = (settings.archive or "").strip()
    if configured and configured != "local":
        if not configured.startswith("s3://"):
            raise ArchiveError(
                f"the archive setting is {configured!r}: expected `local` or s3://bucket/prefix"
            )
        return configured.rstrip("/")
    if configured == "local" or requested:
        return str(settings.home / ARCHIVE_FOLDER)
    return None


def open_store(where: str) -> Store:
    """The store of an archive location (a local folder or an S3 prefix)."""
    if where.startswith("s3://"):
        return S3Store(where)
    return LocalStore(Path(where))


def blob_key(sha: str) -> str:
    """Where a file's content is kept: by its sha256."""
    return f"blobs/{sha[:2]}/{sha}"


def manifest_key(run_id: str) -> str:
    """Where a run's manifest is kept."""
    return f"runs/{run_id}.json"


def portfolio_files(portfolio: LoadedPortfolio) -> dict[str, Path]:
    """Every regular file of the portfolio's folder, by its path inside it (links never followed)."""
    root = portfolio.path.parent
    found: dict[str, Path] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        for name in sorted(files):
            path = Path(folder) / name
            if name in SKIPPED or path.is_symlink() or not path.is_file():
                continue
            found[path.relative_to(root).as_posix()] = path
    return found


@dataclass(frozen=True)
class Manifest:
    """What a run archived: the portfolio's folder then, its file and each file's hash."""

    run_id: str
    archived_at: datetime
    root: str
    portfolio: str
    files: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(
            {
                "run_id": self.run_id,
                "archived_at": self.archived_at.isoformat(),
                "root": self.root,
                "portfolio": self.portfolio,
                "files": self.files,
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            run_id=str(data["run_id"]),
            archived_at=datetime.fromisoformat(data["archived_at"]),
            root=str(data["root"]),
            portfolio=str(data["portfolio"]),
            files={str(k): str(v) for k, v in data["files"].items()},
        )


def keep_inputs(where: str, run_id: str, portfolio: LoadedPortfolio, now: datetime) -> Manifest:
    """Archive the portfolio's files for ``run_id``: new contents uploaded, the manifest written."""
    store = open_store(where)
    files = {}
    try:
        present = {key.rsplit("/", 1)[-1] for key in store.keys("blobs/")}  # one listing
        for relative, path in portfolio_files(portfolio).items():
            sha = fingerprint_file(path)
            files[relative] = sha
            if sha not in present:
                store.put_file(blob_key(sha), path)
                present.add(sha)
        manifest = Manifest(
            run_id=run_id,
            archived_at=now,
            root=str(portfolio.path.parent),
            portfolio=portfolio.path.relative_to(portfolio.path.parent).as_posix(),
            files=files,
        )
        store.put_text(manifest_key(run_id), manifest.to_json())
    except ArchiveError:
        raise
    except Exception as exc:
        raise ArchiveError(
            f"the inputs could not be archived in {where}: {_reason(where, exc)}"
        ) from exc
    return manifest


def read_manifest(where: str, run_id: str) -> Manifest | None:
    """A run's manifest, or None when the archive does not hold that run (any more)."""
    try:
        text = open_store(where).get_text(manifest_key(run_id))
    except Exception as exc:
        raise ArchiveError(f"the archive {where} could not be read: {_reason(where, exc)}") from exc
    return Manifest.from_json(text) if text else None


def restore(where: str, manifest: Manifest, target: Path) -> Path:
    """Write a run's archived files into ``target``; return the restored portfolio file.

    Paths inside the folder are kept; each file's hash is checked against the manifest.
    """
    store = open_store(where)
    for relative, sha in sorted(manifest.files.items()):
        path = target.joinpath(*PurePosixPath(relative).parts)
        if not path.resolve().is_relative_to(target.resolve()):
            raise ArchiveError(f"the manifest of run {manifest.run_id} names {relative!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.get_file(blob_key(sha), path)
        except Exception as exc:
            raise ArchiveError(f"{relative}: its archived copy is missing from {where}") from exc
        if fingerprint_file(path) != sha:
            raise ArchiveError(f"{relative}: its archived copy in {where} is damaged")
    return target.joinpath(*PurePosixPath(manifest.portfolio).parts)


def apply_retention(where: str, days: int, now: datetime) -> int:
    """Delete the manifests older than ``days``, then every blob no remaining manifest names.

    Returns how many runs' archives were deleted.
    """
    store = open_store(where)
    cutoff = now - timedelta(days=days)
    kept: set[str] = set()
    deleted = 0
    for key in list(store.keys("runs/")):
        text = store.get_text(key)
        manifest = Manifest.from_json(text) if text else None
        if manifest is None or manifest.archived_at < cutoff:
            store.delete(key)
            deleted += 1
        else:
            kept.update(manifest.files.values())
    if deleted:
        for key in list(store.keys("blobs/")):
            if key.rsplit("/", 1)[-1] not in kept:
                store.delete(key)
    return deleted


def expire(settings: Settings, now: datetime, logger: Any) -> None:
    """Apply the survey retention to every archive of this home (the configured one, the local)."""
    local = settings.home / ARCHIVE_FOLDER
    places = {p for p in (location(settings), str(local) if local.is_dir() else None) if p}
    for where in sorted(places):
        try:
            deleted = apply_retention(where, settings.survey_retention_days, now)
        except Exception as exc:  # the run goes on; the next run tries again
            logger.warning("the archive %s could not be pruned: %s", where, exc)
            continue
        if deleted:
            logger.info(
                "deleted the archived inputs of %d run(s) older than %d days from %s",
                deleted,
                settings.survey_retention_days,
                where,
            )
